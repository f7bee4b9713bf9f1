package workflow

import (
	"fmt"
	"sort"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Entry limits: an entry never carries more than this (the bot's card
// parsers cap each field before it gets here).
const (
	maxTasks    = 30
	maxFieldLen = 4000
)

// Weekly presence values (EntryBody.Presence).
const (
	PresenceFull  = "full"  // 全勤
	PresenceLeave = "leave" // 请假
	PresenceTrip  = "trip"  // 出差
	PresenceOther = "other" // 其他
)

// ValidateBody checks an entry's content for its kind: required fields,
// lengths and ranges. It returns an *InputError naming the first bad field.
func ValidateBody(kind string, b EntryBody, scale scoring.Dec) error {
	switch kind {
	case EntryWeekly:
		if len(b.Tasks) == 0 {
			return invalid("tasks", "至少填写一项工作任务")
		}
		if len(b.Tasks) > maxTasks {
			return invalid("tasks", fmt.Sprintf("不能超过 %d 项", maxTasks))
		}
		for i, t := range b.Tasks {
			f := fmt.Sprintf("tasks[%d]", i)
			if err := needText(f+".title", t.Title); err != nil {
				return err
			}
			if t.Progress < 0 || t.Progress > 100 {
				return invalid(f+".progress", "进度须为 0 至 100")
			}
			if !t.Deadline.IsZero() && !t.Deadline.IsValid() {
				return invalid(f+".deadline", "日期无效")
			}
		}
		switch b.Presence {
		case "", PresenceFull, PresenceLeave, PresenceTrip, PresenceOther:
		default:
			return invalid("presence", "出勤情况无效")
		}
		if len([]rune(b.PresenceNote)) > maxFieldLen {
			return invalid("presence_note", "内容过长")
		}
	case EntryDaily:
		return needText("log", b.Log)
	case EntryMonthly:
		if err := needText("goals", b.Goals); err != nil {
			return err
		}
		if err := needText("completion", b.Completion); err != nil {
			return err
		}
		if len(b.Unfinished) > MaxUnfinished {
			return invalid("unfinished", fmt.Sprintf("未完成事项不能超过 %d 项", MaxUnfinished))
		}
		for i, u := range b.Unfinished {
			if err := needText(fmt.Sprintf("unfinished[%d].item", i), u.Item); err != nil {
				return err
			}
			if err := needText(fmt.Sprintf("unfinished[%d].reason", i), u.Reason); err != nil {
				return err
			}
		}
	case EntryQuarterly:
		if err := needText("summary", b.Summary); err != nil {
			return err
		}
		if b.Training != "" {
			return needText("training", b.Training)
		}
	case EntryAttendance:
		if b.Late < 0 || b.Early < 0 || b.Late > 31 || b.Early > 31 {
			return invalid("attendance", "迟到早退次数须为 0 至 31")
		}
		for i, l := range b.Leave {
			if err := needText(fmt.Sprintf("attendance.leave[%d].kind", i), l.Kind); err != nil {
				return err
			}
			if l.Days.Sign() < 0 || l.Days.GreaterThan(scoring.IntDec(31).Decimal) {
				return invalid(fmt.Sprintf("attendance.leave[%d].days", i), "天数须为 0 至 31")
			}
		}
	default:
		return invalid("kind", "未知的记实类型："+kind)
	}
	return nil
}

// ValidateAssessment checks an assessment against the scheme: indicator ids
// and maxima, a single score within the scale, a known grade, adjustments
// with reasons, a direct determination with a reason the scheme accepts.
// It returns an *InputError naming the field.
func ValidateAssessment(sc *scoring.Scheme, a Assessment) error {
	leaves := map[string]scoring.Dec{}
	var walk func(ns []*scoring.Indicator)
	walk = func(ns []*scoring.Indicator) {
		for _, n := range ns {
			if len(n.Children) == 0 {
				leaves[n.ID] = n.Max
			}
			walk(n.Children)
		}
	}
	walk(sc.Indicators)
	ids := make([]string, 0, len(a.Indicators))
	for id := range a.Indicators {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		v := a.Indicators[id]
		mx, ok := leaves[id]
		if !ok {
			return invalid("scores."+id, "方案中没有此指标")
		}
		if v.Sign() < 0 || v.GreaterThan(mx.Decimal) {
			return invalid("scores."+id, "须在 0 至 "+mx.String()+" 之间")
		}
	}
	if a.Score != nil && (a.Score.Sign() < 0 || a.Score.GreaterThan(sc.Scale.Decimal)) {
		return invalid("score", "须在 0 至 "+sc.Scale.String()+" 之间")
	}
	if a.Grade != "" && gradeLabel(sc, a.Grade) == "" {
		return invalid("grade", "方案中没有此等次："+a.Grade)
	}
	for i, adj := range a.Adjustments {
		f := fmt.Sprintf("adjustments[%d]", i)
		if adj.Kind != "bonus" && adj.Kind != "deduction" {
			return invalid(f+".kind", "须为加分或减分")
		}
		if adj.Points.Sign() <= 0 || adj.Points.GreaterThan(sc.Scale.Decimal) {
			return invalid(f+".points", "须为正数且不超过满分")
		}
		if err := needText(f+".reason", adj.Reason); err != nil {
			return err
		}
	}
	if len(a.Comment) > 0 {
		if err := needText("comment", a.Comment); err != nil {
			return err
		}
	}
	if d := a.Direct; d != nil {
		if err := needText("reason", d.Reason); err != nil {
			return err
		}
		list := sc.Special.DirectTop
		if d.Grade == "bottom" {
			list = sc.Special.DirectBottom
		} else if d.Grade != "top" {
			return invalid("grade", "直接确定须为 top 或 bottom")
		}
		if len(list) > 0 && !contains(list, d.Reason) {
			return invalid("reason", "方案未规定此直接确定理由")
		}
	}
	if rf := a.Refusal; rf != nil {
		if sc.Special.Refusal == "" {
			return invalid("refusal", "本方案没有拒不参加考核的规定")
		}
		if _, err := calendar.ParseDate(rf.Warned); err != nil {
			return invalid("refusal.warned", "请填写批评教育的日期（须先批评教育、限期改正）")
		}
		if err := needText("refusal.reason", rf.Reason); err != nil {
			return err
		}
	}
	return nil
}

// gradeLabel returns the canonical label of g (or one of its aliases), or "".
func gradeLabel(sc *scoring.Scheme, g string) string {
	for _, gr := range sc.Grades {
		if gr.Label == g || contains(gr.Aliases, g) {
			return gr.Label
		}
	}
	return ""
}
