package workflow

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/kaohe/kaohe/scoring"
)

// TestScoringProblemsInChinese: each kind of engine problem is told in
// Chinese, by the person's name and the scheme's names for sources and
// indicators, with no internal field name or English left; the error
// keeps the engine's English for the log.
func TestScoringProblemsInChinese(t *testing.T) {
	t.Parallel()
	s1, err := scoring.Builtin("s1")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := scoring.Builtin("s2")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"p1": "张三"}
	tests := []struct {
		name   string
		scheme *scoring.Scheme
		ie     scoring.InputError
		want   string
	}{
		{"MissingSource", s1, scoring.InputError{Person: "p1", Field: "sources.democratic", Msg: `missing rater group "democratic" (民主测评)`}, "张三 的「民主测评」缺少数据"},
		{"UnknownSource", s1, scoring.InputError{Person: "p1", Field: "sources.peers", Msg: `unknown rater source "peers" for tier "default"`}, "张三 的「评价来源」不适用于其职级"},
		{"Indicator", s1, scoring.InputError{Person: "p1", Field: "sources.leader.indicators.德", Msg: "16 is outside 0–15"}, "张三 的「主管领导评价」中「德」的评分缺失或超出范围"},
		{"Ballot", s1, scoring.InputError{Person: "p1", Field: "sources.democratic.votes[3]", Msg: "120 is outside 0–100"}, "张三 的「民主测评」的测评数据有误"},
		{"TierOfTiers", s2, scoring.InputError{Person: "p1", Field: "tier", Msg: "required: one of [正科 副科 其他]"}, "张三 的职级未设置或不在方案的职级（正科、副科、其他）之中"},
		{"Leave", s1, scoring.InputError{Person: "p1", Field: "status.leave[0].kind", Msg: `unknown leave kind "x"`}, "张三 的请假记录不符合方案（请假类型或天数）"},
		{"Adjustment", s1, scoring.InputError{Person: "p1", Field: "adjustments[0].points", Msg: "must be positive"}, "张三 的加减分不符合方案（分值、类型或理由）"},
		{"AnnualVotes", s1, scoring.InputError{Person: "p1", Field: "votes", Msg: "excellent 3 of total 2 is impossible"}, "张三 的年终考核测评人数缺失或有误"},
		{"Refusal", s1, scoring.InputError{Person: "p1", Field: "status.refusal.warned", Msg: "the date of the warning"}, "张三 的拒不参加考核的记录缺少批评教育日期（须先批评教育，限期改正）"},
		{"RefusalNoRule", s1, scoring.InputError{Person: "p1", Field: "status.refusal", Msg: "this scheme has no rule"}, "张三 的拒不参加考核在本方案中没有规定"},
		{"YearPeriods", s1, scoring.InputError{Person: "p1", Field: "periods", Msg: "has 3 periods; the scheme's year has 4"}, "张三 的全年平时考核结果应为4期（未参加考核的期须注明原因）"},
		{"YearGradeAboveScore", s1, scoring.InputError{Person: "p1", Field: "periods[1].grade", Msg: "优秀 contradicts the score 70"}, "张三 的第2期平时考核的等次高于其得分对应的等次（直接确定或考核委员会审定的须注明）"},
		{"YearScore", s1, scoring.InputError{Person: "p1", Field: "periods[2].score", Msg: "required"}, "张三 的第3期平时考核的得分缺失或有误"},
		{"UnknownPerson", s1, scoring.InputError{Person: "ou_x", Field: "unit", Msg: "required"}, "有一名人员的所在科室未设置"},
		{"NoPerson", s1, scoring.InputError{Field: "people", Msg: "no people to score"}, "没有需要计算成绩的人员"},
		{"UnknownField", s1, scoring.InputError{Person: "p1", Field: "brand_new.field", Msg: "whatever"}, "张三 的考核数据不符合方案"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &Service{scheme: tc.scheme}
			ie := tc.ie
			err := s.scoringError(s.scheme, scoring.InputErrors{&ie}, names, "score 2026-Q3")
			if !errors.Is(err, ErrInvalidInput) || !errors.Is(err, scoring.ErrInvalidInput) {
				t.Fatalf("err = %v, want ErrInvalidInput and scoring.ErrInvalidInput", err)
			}
			msg := Message(err)
			if want := "无法计算成绩：" + tc.want; msg != want {
				t.Errorf("message = %q, want %q", msg, want)
			}
			for _, r := range msg {
				if r < unicode.MaxASCII && unicode.IsLetter(r) {
					t.Errorf("message %q has Latin letters", msg)
					break
				}
			}
			if !strings.Contains(err.Error(), ie.Msg) {
				t.Errorf("the log loses the engine's detail: %v", err)
			}
		})
	}
	t.Run("ManyProblems", func(t *testing.T) {
		t.Parallel()
		s := &Service{scheme: s1}
		var ies scoring.InputErrors
		names := map[string]string{}
		for i := range 5 {
			id := fmt.Sprintf("p%d", i)
			names[id] = "人员" + id
			ies = append(ies, &scoring.InputError{Person: id, Field: "unit", Msg: "required"})
		}
		msg := Message(s.scoringError(s.scheme, ies, names, "score"))
		if strings.Count(msg, "所在科室未设置") != maxProblems || !strings.HasSuffix(msg, "（共5项）") {
			t.Errorf("message = %q, want %d problems and the count", msg, maxProblems)
		}
	})
	t.Run("NotAnInputError", func(t *testing.T) {
		t.Parallel()
		s := &Service{scheme: s1}
		err := s.scoringError(s.scheme, errors.New("boom"), nil, "score 2026-Q3")
		if Message(err) != "系统繁忙，请稍后重试" {
			t.Errorf("an unexpected failure reads %q", Message(err))
		}
	})
}
