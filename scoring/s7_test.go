package scoring

import (
	"testing"
)

// S7 — 《xx镇公务员平时考核试行办法》（日记、月结、季评、年考）, xx镇 (《财政局公务员平时考核工作方案7篇》篇五).

// "制定《xx镇公务员平时考核扣分标准》，明确扣分项目": the 季评 score less the
// deductions (no cap is stated); the same matter is deducted once.
func TestS7Deductions(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s7")
	tests := []struct {
		name, panel string
		adj         []AdjustmentInput
		score       string
		grade       string
		explain     []string
	}{
		{"无扣分_95_好", "95", nil, "95", "好", []string{"单位考核小组季评：评分95", "总分 95", "90分及以上"}},
		{"扣3扣4_88_较好", "95", []AdjustmentInput{
			{Event: "迟到", Kind: "deduction", Points: dec("3"), Reason: "迟到3次"},
			{Event: "日志", Kind: "deduction", Points: dec("4"), Reason: "工作日志未按时填写"}},
			"88", "较好", []string{"减分：迟到3次 −3", "总分 = 95 + 加分0 − 减分7 = 88"}},
		{"同一件事扣分取大", "92", []AdjustmentInput{
			{Event: "会议", Kind: "deduction", Points: dec("2"), Reason: "会议缺席"},
			{Event: "会议", Kind: "deduction", Points: dec("3"), Reason: "会议缺席未请假"}},
			"89", "较好", []string{"同一件事加减分不累计"}},
		{"无上限_扣12", "80", []AdjustmentInput{
			{Event: "a", Kind: "deduction", Points: dec("6"), Reason: "a"},
			{Event: "b", Kind: "deduction", Points: dec("6"), Reason: "b"}},
			"68", "一般", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := PersonInput{ID: "p", Unit: "镇机关", Sources: scoreSrc("panel", tt.panel), Adjustments: tt.adj}
			res := score(t, s, &PeriodInput{People: []PersonInput{p}})
			checkPerson(t, personOf(t, res, "p"), want{score: tt.score, scoreGrade: tt.grade, grade: tt.grade, explain: tt.explain})
		})
	}
}

// "按'4个季度评分总和/4'计算出被考核人年度考核得分，按年度考核要求明确考核等次".
// Scheme decisions: every quarter that counts has a score (÷4); a quarter
// the person was not appraised in is excluded and leaves the divisor;
// bands 90/75/60.
func TestS7Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s7")
	tests := []struct {
		name    string
		periods []PeriodRecord
		total   string
		grade   string
		explain []string
	}{
		{"四季度之和除以4", records("较好:92", "较好:88", "好:90", "较好:86"), "89", "称职", []string{"各期得分之和356 ÷ 4 = 89", "75分（含）至90分（不含）"}},
		{"恰好90_优秀", records("好:90", "好:91", "较好:89", "好:90"), "90", "优秀", []string{"90分及以上"}},
		{"89.75_称职", records("好:90", "好:90", "好:90", "较好:89"), "89.75", "称职", nil},
		{"未参加考核的季度不计入除数", append(records("好:92", "较好:88", "好:90"), PeriodRecord{Period: "Q4", Excluded: "抽调单位未开展平时考核"}),
			"90", "优秀", []string{"270 ÷ 3 = 90", "不计入年度考核的考核期：Q4（抽调单位未开展平时考核）"}},
		{"59.5_不称职", records("较差:59", "一般:60", "较差:59", "一般:60"), "59.5", "不称职", []string{"低于60分"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: tt.periods}}})
			p := yearOf(t, res, "p")
			if p.Total == nil || !p.Total.Equal(D(tt.total).Decimal) || p.Grade != tt.grade || p.BandGrade != tt.grade {
				t.Errorf("total %v grade %q band %q, want %s %q", p.Total, p.Grade, p.BandGrade, tt.total, tt.grade)
			}
			explainHas(t, "p", p.Explain, tt.explain...)
		})
	}
}

// A quarter that counts in the year but has no score is an error naming it:
// "4个季度评分总和/4" has no zero and no ÷3 for it.
func TestS7AnnualQuarterWithoutScore(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s7")
	_, err := ScoreYear(s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: records("好:92", "较好:88", "", "好:90")}}})
	wantInputError(t, err, "p", "periods[2].score")
}
