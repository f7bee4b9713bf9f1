package card

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

// s5Floor is an S5 committee card: A under its 20% floor in 综合科 (10
// people, one A), with the B and C next in line.
func s5Floor() CommitteeForm {
	f := CommitteeForm{Period: "2026-Q2", Version: 3, Grades: []string{"A", "B", "C", "D"},
		Quotas: []QuotaLine{{Unit: "综合科", Grade: "A", Participants: 10, Cap: 3, Count: 1, Min: 2, BelowMin: true}}}
	fl := Floor{Unit: "综合科", Grade: "A", Share: "20%", Participants: 10, Min: 2, Have: 1}
	for i, g := range []string{"B", "B", "B", "B", "B", "B", "C", "C", "D"} {
		fl.Candidates = append(fl.Candidates, Candidate{ID: fmt.Sprintf("ou_e%02d", i+1), Name: person(i), Grade: g})
	}
	f.Floors = []Floor{fl}
	return f
}

// s1Cap is an S1 committee card: 优秀 capped at 40% (4 of 10), two at 93
// demoted; the committee may raise it to 50% (5).
func s1Cap() CommitteeForm {
	return CommitteeForm{Period: "2026-Q2", Version: 2, Grades: []string{"优秀", "称职", "基本称职", "不称职"},
		Quotas: []QuotaLine{{Unit: "综合科", Grade: "优秀", Participants: 10, Cap: 4, Count: 4, Over: []string{person(4), person(5)}}},
		Caps: []CapRaise{{Unit: "综合科", Grade: "优秀", Share: "40%", HardShare: "50%", Participants: 10, Cap: 4, Hard: 5,
			Over: []string{person(4), person(5)}}}}
}

func TestGoldenCommitteeQuota(t *testing.T) {
	t.Parallel()
	withTie := s5Floor()
	withTie.Quotas = append(withTie.Quotas, QuotaLine{Unit: "执法大队", Grade: "A", Participants: 12, Cap: 3, Count: 4, Min: 3})
	withTie.Ties = []Tie{{Unit: "执法大队", Grade: "A", Seats: 1, People: []TiedPerson{{ID: "ou_t1", Name: person(30)}, {ID: "ou_t2", Name: person(31)}}}}
	raised := s1Cap()
	raised.Quotas[0].Cap, raised.Quotas[0].Count, raised.Quotas[0].Over, raised.Quotas[0].Raised = 5, 5, []string{person(5)}, true
	raised.Caps[0].Raised, raised.Caps[0].Reason, raised.Caps[0].Over = 5, "本季度防汛任务重", []string{person(5)}
	kept := s5Floor()
	kept.Floors = nil
	kept.Quotas[0].Kept = true
	cases := []struct {
		name string
		f    CommitteeForm
		want []string
		not  []string
	}{
		{"committee_floor", s5Floor(), []string{"至少2人（共10人），现有1人，还差1人", "multi_select_static", KindQuotaRaise, KindQuotaKeep, "低于下限2人，待审定", "2–3人"},
			[]string{KindConfirm, KindDecide}},
		{"committee_floor_tie", withTie, []string{"另有2人并列待审定"}, []string{KindConfirm, KindDecide, GradeField("ou_t1")}},
		{"committee_floor_kept", kept, []string{"委员会决定维持", KindConfirm}, []string{KindQuotaKeep}},
		{"committee_cap", s1Cap(), []string{"最多可至50%（5人）", KindQuotaCap, CapCountField(0), KindConfirm}, nil},
		{"committee_cap_raised", raised, []string{"委员会已核定为5人：本季度防汛任务重", "名额经委员会核定"}, []string{KindQuotaCap}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mustCard(t)(CommitteeCard(tc.f))
			for _, w := range tc.want {
				if !strings.Contains(string(c), w) {
					t.Errorf("card lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(string(c), w) {
					t.Errorf("card has %q", w)
				}
			}
			checkGolden(t, tc.name, c)
		})
	}
}

func TestParseQuota(t *testing.T) {
	t.Parallel()
	floor, cap := s5Floor(), s1Cap()
	tests := []struct {
		name  string
		kind  string
		i     int
		f     CommitteeForm
		fv    map[string]any
		want  QuotaDecision
		field string // the *FieldError's field, "" for success
		bad   bool   // ErrBadValue
	}{
		{"Raise", KindQuotaRaise, 0, floor, map[string]any{FloorPeopleField(0): []any{"ou_e02", "ou_e01"}, FloorReasonField(0): " 实绩突出 "},
			QuotaDecision{People: []string{"ou_e02", "ou_e01"}, Reason: "实绩突出"}, "", false},
		{"RaiseNobody", KindQuotaRaise, 0, floor, map[string]any{FloorReasonField(0): "x"}, QuotaDecision{}, FloorPeopleField(0), false},
		{"RaiseStranger", KindQuotaRaise, 0, floor, map[string]any{FloorPeopleField(0): []any{"ou_x"}, FloorReasonField(0): "x"}, QuotaDecision{}, FloorPeopleField(0), false},
		{"RaiseTwice", KindQuotaRaise, 0, floor, map[string]any{FloorPeopleField(0): []any{"ou_e01", "ou_e01"}, FloorReasonField(0): "x"}, QuotaDecision{}, FloorPeopleField(0), false},
		{"RaiseNotAList", KindQuotaRaise, 0, floor, map[string]any{FloorPeopleField(0): "ou_e01", FloorReasonField(0): "x"}, QuotaDecision{}, FloorPeopleField(0), false},
		{"RaiseNoReason", KindQuotaRaise, 0, floor, map[string]any{FloorPeopleField(0): []any{"ou_e01"}}, QuotaDecision{}, FloorReasonField(0), false},
		{"Keep", KindQuotaKeep, 0, floor, map[string]any{FloorPeopleField(0): []any{"ou_e01"}, FloorReasonField(0): "人少"}, QuotaDecision{Reason: "人少"}, "", false},
		{"KeepExtraField", KindQuotaKeep, 0, floor, map[string]any{FloorReasonField(0): "人少", "x": "y"}, QuotaDecision{}, "x", false},
		{"FloorOutOfRange", KindQuotaKeep, 1, floor, map[string]any{FloorReasonField(1): "x"}, QuotaDecision{}, "", true},
		{"Cap", KindQuotaCap, 0, cap, map[string]any{CapCountField(0): "5", CapReasonField(0): "任务重"}, QuotaDecision{Cap: 5, Reason: "任务重"}, "", false},
		{"CapOverHard", KindQuotaCap, 0, cap, map[string]any{CapCountField(0): "6", CapReasonField(0): "任务重"}, QuotaDecision{}, CapCountField(0), false},
		{"CapAtScheme", KindQuotaCap, 0, cap, map[string]any{CapCountField(0): "4", CapReasonField(0): "任务重"}, QuotaDecision{}, CapCountField(0), false},
		{"CapOutOfRange", KindQuotaCap, 3, cap, map[string]any{}, QuotaDecision{}, "", true},
		{"UnknownKind", KindConfirm, 0, cap, map[string]any{}, QuotaDecision{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseQuota(tt.kind, tt.i, tt.fv, tt.f)
			var fe *FieldError
			switch {
			case tt.bad:
				if !errors.Is(err, ErrBadValue) {
					t.Errorf("err = %v, want ErrBadValue", err)
				}
			case tt.field != "":
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Errorf("err = %v, want a field error on %s", err, tt.field)
				}
			case err != nil:
				t.Errorf("err = %v", err)
			case !slices.Equal(got.People, tt.want.People) || got.Cap != tt.want.Cap || got.Reason != tt.want.Reason:
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestQuotaID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id     string
		period string
		i      int
		ok     bool
	}{
		{QuotaID("2026-Q2", 3), "2026-Q2", 3, true},
		{"2026-Q2/x", "", 0, false},
		{"2026-Q2", "", 0, false},
		{"/1", "", 0, false},
		{"2026-Q2/100", "", 0, false},
		{"2026-Q2/-1", "", 0, false},
	} {
		p, i, err := SplitQuotaID(tc.id)
		if (err == nil) != tc.ok || p != tc.period || i != tc.i {
			t.Errorf("SplitQuotaID(%q) = %q, %d, %v", tc.id, p, i, err)
		}
	}
}

// TestCommitteeCardTooManyCandidates: a floor offers at most
// MaxFloorCandidates people; more is the caller's error, not a clipped list.
func TestCommitteeCardTooManyCandidates(t *testing.T) {
	t.Parallel()
	f := s5Floor()
	for i := len(f.Floors[0].Candidates); i <= MaxFloorCandidates; i++ {
		f.Floors[0].Candidates = append(f.Floors[0].Candidates, Candidate{ID: fmt.Sprintf("ou_x%02d", i), Name: person(i), Grade: "C"})
	}
	if _, err := CommitteeCard(f); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
	f = s5Floor()
	f.Floors[0].Candidates[1].ID = f.Floors[0].Candidates[0].ID
	if _, err := CommitteeCard(f); !errors.Is(err, ErrBadModel) {
		t.Errorf("duplicate candidate: err = %v, want ErrBadModel", err)
	}
}

// TestGoldenCommitteeReturn: the 评分区分度 lines come with the form that
// sends one back, and the scorer's notice says the committee did.
func TestGoldenCommitteeReturn(t *testing.T) {
	t.Parallel()
	n, err := FromTemplate(workflow.TplStepReturned, map[string]string{"step": "2026-Q3/ou_01/4", "person": "张建国",
		"reason": "评分过于接近，请拉开档次", "by": "考核委员会"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(n.Title, "退回重评") || !strings.Contains(n.Lines[0], "考核委员会认为评分区分度不足") {
		t.Errorf("notice = %+v", n)
	}
	checkGolden(t, "notice_step_returned_committee", NoticeCard(n))
	f := CommitteeForm{Period: "2026-Q3", Version: 5, Grades: []string{"好", "较好", "一般", "较差"},
		Uniform: []UniformLine{{Who: "王海燕（办公室）", Scorer: true, Count: 6, Mean: "88.5", Stdev: "0.96", Range: "3", TopGrade: "好", TopShare: "83%",
			LowStdev: true, LowRange: true, HighTop: true}}}
	c := mustCard(t)(CommitteeCard(f))
	for _, w := range []string{KindUniformReturn, FieldReturnLine, "王海燕（办公室）", KindConfirm} {
		if !strings.Contains(string(c), w) {
			t.Errorf("card lacks %q", w)
		}
	}
	ret, err := ParseReturn(map[string]any{FieldReturnLine: "0", FieldReturnReason: " 请拉开档次 "}, f)
	if err != nil || ret.Line != 0 || ret.Reason != "请拉开档次" {
		t.Errorf("ParseReturn = %+v, %v", ret, err)
	}
	var fe *FieldError
	if _, err := ParseReturn(map[string]any{FieldReturnLine: "1", FieldReturnReason: "x"}, f); !errors.As(err, &fe) || fe.Field != FieldReturnLine {
		t.Errorf("a line the card does not have: %v", err)
	}
	if _, err := ParseReturn(map[string]any{FieldReturnLine: "0"}, f); !errors.As(err, &fe) || fe.Field != FieldReturnReason {
		t.Errorf("no reason: %v", err)
	}
}
