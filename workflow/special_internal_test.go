package workflow

import (
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestSpecialStatesBySchemes: what each scheme's special rules say to the
// leader, scheme by scheme, in the seeds' terms (S4 comment only, S5 not
// assessed and no A under a warning, S8 the bottom grade or nothing, S10
// over 30 working days), with the boundaries compared exactly.
func TestSpecialStatesBySchemes(t *testing.T) {
	t.Parallel()
	q3 := calendar.MustParsePeriod("2026-Q3")
	d := calendar.MustParseDate
	leave := func(kind, days string) []scoring.LeaveInput {
		return []scoring.LeaveInput{{Kind: kind, Days: scoring.D(days)}}
	}
	tests := []struct {
		name, scheme string
		status       PersonStatus
		leave        []scoring.LeaveInput
		workdays     int
		want         []string
	}{
		{"Nothing", "s4", PersonStatus{}, nil, 66, nil},
		{"S4Probation", "s4", PersonStatus{Probation: true}, nil, 66, []string{"试用期：只写评语，不定等次"}},
		{"S4LeaveHalfIsNotOver", "s4", PersonStatus{}, leave("病假", "33"), 66, nil},
		{"S4LeaveOverHalf", "s4", PersonStatus{}, leave("事假", "33.5"), 66, []string{"病、事假累计33.5个工作日，超过考核期一半：只写评语，不定等次"}},
		{"S4StatutoryLeaveNotCounted", "s4", PersonStatus{}, leave("产假", "60"), 66, nil},
		{"S4WorkInjury", "s4", PersonStatus{}, leave("工伤假", "40"), 66, []string{"工伤假40个工作日，超过考核期一半：一般确定为「较好」"}},
		{"S4Exempt", "s4", PersonStatus{Exempt: true}, nil, 66, []string{"免于考核：本期不参加考核"}},
		{"S5LeaveNotAssessed", "s5", PersonStatus{}, leave("病假", "40"), 66, []string{"病、事假累计40个工作日，超过考核期一半：不进行考核，不定等次"}},
		{"S5Warning", "s5", PersonStatus{Sanction: "警告"}, nil, 66, []string{"受警告处分：处分期间不得确定为「A」"}},
		{"S5Demerit", "s5", PersonStatus{Sanction: "记过"}, nil, 66, []string{"受记过处分：处分期间不确定等次"}},
		{"S8Bottom", "s8", PersonStatus{Sanction: "记过"}, nil, 66, []string{"受记过处分：直接确定为「较差」"}},
		{"S8NoEffect", "s8", PersonStatus{Sanction: "警告"}, nil, 66, []string{"受警告处分：本方案不影响等次"}},
		{"S10Over30", "s10", PersonStatus{}, leave("病假", "30.5"), 66, []string{"病、事假累计30.5个工作日，超过30个工作日：不进行考评，不定等次"}},
		{"S10Exactly30", "s10", PersonStatus{}, leave("病假", "30"), 66, nil},
		{"S4AllAtOnce", "s4", PersonStatus{Probation: true, Investigation: true, Sanction: "记过"}, leave("病假", "40"), 66, []string{
			"病、事假累计40个工作日，超过考核期一半：只写评语，不定等次", "试用期：只写评语，不定等次",
			"受记过处分：处分期间不确定等次", "立案调查中：照常评分，暂不确定等次，结案后补定"}},
		// The term decides: overlapping the period (its end inside it
		// counts), before it or after it (S4 注意事项11: 从处分期满的下一个
		// 周期开始恢复).
		{"S5DemeritEndsInPeriod", "s5", PersonStatus{Sanction: "记过", SanctionStart: d("2025-10-01"), SanctionEnd: d("2026-07-01")}, nil, 66,
			[]string{"受记过处分（2025-10-01 至 2026-07-01）：处分期间不确定等次"}},
		{"S5DemeritEndedBefore", "s5", PersonStatus{Sanction: "记过", SanctionStart: d("2025-07-01"), SanctionEnd: d("2026-06-30")}, nil, 66,
			[]string{"受记过处分（2025-07-01 至 2026-06-30）：处分期不在本期，本期照常评定等次"}},
		{"S5DemeritStartsAfter", "s5", PersonStatus{Sanction: "记过", SanctionStart: d("2026-10-01"), SanctionEnd: d("2027-09-30")}, nil, 66,
			[]string{"受记过处分（2026-10-01 至 2027-09-30）：处分期不在本期，本期照常评定等次"}},
		// s4.yaml's decision on 注意事项11: a warning bars only 好.
		{"S4Warning", "s4", PersonStatus{Sanction: "警告"}, nil, 66, []string{"受警告处分：处分期间不得确定为「好」"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc, err := scoring.Builtin(tc.scheme)
			if err != nil {
				t.Fatal(err)
			}
			got := specialStates(sc, Person{Status: tc.status}, tc.leave, tc.workdays, q3.Start(), q3.End())
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("line %d: %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}
