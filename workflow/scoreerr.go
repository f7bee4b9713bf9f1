package workflow

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kaohe/kaohe/scoring"
)

// ScoringError is the scoring engine refusing a period's or a year's data
// (an ErrInvalidInput). The engine speaks English and names people by id;
// the user reads Problems, in Chinese and by name ("无法计算成绩：张三 的
// 「民主测评」缺少数据"), while Error keeps the engine's words for the log.
type ScoringError struct {
	// Problems are the engine's problems in Chinese, each naming the
	// person and what is wrong with their data.
	Problems []string
	cause    error // the engine's scoring.InputErrors
}

func (e *ScoringError) Error() string { return "scoring refused the data: " + e.cause.Error() }

// Unwrap gives the engine's error, so errors.Is(err, scoring.ErrInvalidInput)
// stays true.
func (e *ScoringError) Unwrap() error { return e.cause }

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *ScoringError) Is(target error) bool { return target == ErrInvalidInput }

// maxProblems is how many problems a message lists; the rest are counted.
const maxProblems = 3

func (e *ScoringError) message() string {
	if len(e.Problems) == 0 {
		return "无法计算成绩：考核数据有误，请联系管理员"
	}
	msg := "无法计算成绩：" + strings.Join(e.Problems[:min(len(e.Problems), maxProblems)], "；")
	if len(e.Problems) > maxProblems {
		msg += fmt.Sprintf("（共%d项）", len(e.Problems))
	}
	return msg
}

// scoringError turns an error of scoring.ScorePeriod or scoring.ScoreYear
// into what a user can read: the engine's input errors become a
// *ScoringError naming each person by name (names maps ids to names);
// anything else is an unexpected failure, wrapped with what.
func (s *Service) scoringError(sc *scoring.Scheme, err error, names map[string]string, what string) error {
	var ies scoring.InputErrors
	if !errors.As(err, &ies) {
		return fmt.Errorf("%s: %w", what, err)
	}
	out := &ScoringError{cause: err}
	seen := map[string]bool{}
	for _, ie := range ies {
		p := s.scoringProblem(sc, ie, names)
		if !seen[p] {
			seen[p] = true
			out.Problems = append(out.Problems, p)
		}
	}
	return out
}

// scoringProblem says one engine problem in Chinese: who, and which part
// of their data. It goes by the engine's field path (stable: the input's
// JSON names), never shows an internal field name, and names a rater
// source and an indicator as the scheme does.
func (s *Service) scoringProblem(sc *scoring.Scheme, ie *scoring.InputError, names map[string]string) string {
	what := s.scoringField(sc, ie.Field, ie.Msg)
	switch {
	case ie.Person == "" || strings.HasPrefix(ie.Person, "#"):
		return what
	case names[ie.Person] != "":
		return names[ie.Person] + " 的" + what
	}
	return "有一名人员的" + what // an id the caller does not know: not shown
}

// scoringField describes an engine field path in Chinese.
func (s *Service) scoringField(sc *scoring.Scheme, field, msg string) string {
	head, rest, _ := strings.Cut(field, ".")
	head, _, _ = strings.Cut(head, "[")
	switch head {
	case "people":
		return "没有需要计算成绩的人员"
	case "unit":
		return "所在科室未设置"
	case "tier":
		if len(sc.Tiers) <= 1 {
			return "职级不符合方案（本方案不分职级，请清除其职级）"
		}
		return "职级未设置或不在方案的职级（" + strings.Join(sc.Tiers, "、") + "）之中"
	case "group":
		return "考核单元未设置（方案按考核单元分配名额）"
	case "sources":
		return s.sourceProblem(sc.Raters, rest, msg)
	case "annual":
		if src, ok := strings.CutPrefix(rest, "sources."); ok && sc.Annual != nil {
			return "年度" + s.sourceProblem(sc.Annual.Raters, src, msg)
		}
		return "年度考核评分缺失或超出范围"
	case "adjustments":
		return "加减分不符合方案（分值、类型或理由）"
	case "grade":
		return "等次未确定或不在方案之中"
	case "status":
		sub, _, _ := strings.Cut(rest, ".")
		sub, _, _ = strings.Cut(sub, "[")
		switch sub {
		case "leave":
			return "请假记录不符合方案（请假类型或天数）"
		case "sanction":
			return "处分类型不在方案之中"
		case "investigation":
			return "立案调查状态在本方案中没有规定"
		case "refusal":
			r, _, _ := strings.Cut(rest, ".")
			switch strings.TrimPrefix(rest, r+".") {
			case "warned":
				return "拒不参加考核的记录缺少批评教育日期（须先批评教育，限期改正）"
			case "reason":
				return "拒不参加考核的记录缺少拒绝情形"
			}
			return "拒不参加考核在本方案中没有规定"
		case "direct":
			return "直接确定等次不符合方案（等次或理由）"
		}
		return "特殊情形记录不符合方案"
	case "committee":
		return "考核委员会的审定不符合方案（人员、等次或理由）"
	case "period":
		return "考核期的工作日数缺失"
	case "periods":
		return s.periodsProblem(sc, field, msg)
	case "votes":
		return "年终考核测评人数缺失或有误"
	case "proposed":
		return "拟定的年度等次不在方案之中"
	case "scheme":
		return "考核方案没有年度考核规则"
	}
	return "考核数据不符合方案"
}

// sourceProblem describes a problem under "sources.<id>…" of rules.
func (s *Service) sourceProblem(rules []scoring.RaterRule, path, msg string) string {
	id, rest, _ := strings.Cut(path, ".")
	name := "评价来源"
	for _, r := range rules {
		for _, src := range r.Sources {
			if src.ID == id {
				name = src.Name
			}
		}
	}
	q := "「" + name + "」"
	part, item, _ := strings.Cut(rest, ".")
	part, _, _ = strings.Cut(part, "[")
	switch {
	case rest == "" && strings.HasPrefix(msg, "unknown"):
		return q + "不适用于其职级"
	case rest == "" && strings.HasPrefix(msg, "no weighted source"):
		return "全部评价来源均因参评人数不足而不计入，无法计分"
	case rest == "":
		return q + "缺少数据"
	case part == "votes":
		return q + "的测评数据有误"
	case part == "score":
		return q + "的评分缺失或超出范围"
	case (part == "indicators" || part == "levels") && item != "":
		return q + "中「" + item + "」的评分缺失或超出范围"
	}
	return q + "的评分有误"
}

// periodsProblem describes a problem under a year's "periods…" in Chinese:
// "periods" (how many), or "periods[i].part" naming the i-th period.
func (s *Service) periodsProblem(sc *scoring.Scheme, field, msg string) string {
	idx, part, _ := strings.Cut(strings.TrimPrefix(field, "periods"), ".")
	if idx == "" {
		n := 0
		if sc.Annual != nil {
			n = sc.Annual.Periods
		}
		return fmt.Sprintf("全年平时考核结果应为%d期（未参加考核的期须注明原因）", n)
	}
	var i int
	if _, err := fmt.Sscanf(idx, "[%d]", &i); err != nil {
		return "平时考核各期结果有误"
	}
	which := fmt.Sprintf("第%d期平时考核", i+1)
	switch {
	case part == "grade" && strings.Contains(msg, "contradicts"):
		return which + "的等次高于其得分对应的等次（直接确定或考核委员会审定的须注明）"
	case part == "grade":
		return which + "的等次不在方案之中"
	case part == "score":
		return which + "的得分缺失或有误"
	case part == "excluded":
		return which + "不计入年度，却有得分或等次"
	case part == "period":
		return which + "的考核期为空或重复"
	}
	return which + "的结果有误"
}
