package scoring

import (
	"testing"
)

// S10 — 《晋城市生态环境系统公务员平时考核工作联系点制度工作方案》, 晋城市生态环境局.

// 三(三): "考核结果分为'好'、'较好'、'一般'、'差'四个等次", set by the 分管领导;
// 四(二): "病、事假在考评期间累计超过30个工作日的，不进行考评，不定等次".
func TestS10Period(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s10")
	tests := []struct {
		name  string
		grade string
		leave []LeaveInput
		want  want
	}{
		{"分管领导评定_好", "好", nil, want{scoreGrade: "好", grade: "好", explain: []string{"领导评鉴确定档次「好」"}}},
		{"差", "差", nil, want{scoreGrade: "差", grade: "差"}},
		{"病假31天_超过30个工作日不定等次", "", []LeaveInput{{Kind: "病假", Days: dec("31")}},
			want{state: StateNotGraded, explain: []string{"病、事假累计31个工作日，超过30个工作日，不进行考评，不定等次"}}},
		{"病事假合计30.5天", "", []LeaveInput{{Kind: "病假", Days: dec("20")}, {Kind: "事假", Days: dec("10.5")}}, want{state: StateNotGraded}},
		{"恰为30天_照常评定", "较好", []LeaveInput{{Kind: "病假", Days: dec("30")}}, want{scoreGrade: "较好", grade: "较好"}},
		{"产假不计入", "一般", []LeaveInput{{Kind: "产假", Days: dec("60")}}, want{scoreGrade: "一般", grade: "一般"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := PersonInput{ID: "p", Unit: "分局", Grade: tt.grade}
			if tt.leave != nil {
				p.Status = &Status{Leave: tt.leave}
			}
			res := score(t, s, &PeriodInput{Period: PeriodInfo{ID: "2026Q1", WorkingDays: 60}, People: []PersonInput{p}})
			checkPerson(t, personOf(t, res, "p"), tt.want)
		})
	}
}

// 四(四): "年度考核优秀等次人员应在平时考核结果好的人员中产生". Scheme decision: 好
// in at least half of the graded quarters.
func TestS10Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s10")
	tests := []struct {
		name    string
		periods []PeriodRecord
		max     string
		grade   string
		explain []string
	}{
		{"好2次_恰好一半_可优秀", records("好", "好", "较好", "一般"), "", "优秀", []string{"好2次"}},
		{"好1次_不得优秀", records("好", "较好", "较好", "一般"), "称职", "称职", []string{"平时考核结果好不足一半，不得评为优秀"}},
		{"不定等次季度不计_1/3不足一半", records("好", "", "较好", "较好"), "称职", "称职", []string{"平时考核3期定等次"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: tt.periods, Proposed: "优秀"}}})
			p := yearOf(t, res, "p")
			if p.MaxGrade != tt.max || p.Grade != tt.grade {
				t.Errorf("max, grade = %q, %q; want %q, %q", p.MaxGrade, p.Grade, tt.max, tt.grade)
			}
			explainHas(t, "p", p.Explain, tt.explain...)
		})
	}
}
