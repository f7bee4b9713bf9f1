package scoring

import (
	"os"
	"strings"
	"testing"
)

// The rules of issue 11 ("Rules still missing or contradicted"), each with
// the seed's own numbers. The scheme files carry the decisions next to the
// rules; these tests hold the engine to them.

// S5 六(二): "对经批评教育后仍拒不参加平时考核的公务员，其主管领导可直接确定其该考核期
// 结果为D档次". The D needs the date of the 批评教育 and how the person
// refused; a scheme without the rule refuses the record.
func TestRefusalNeedsTheWarning(t *testing.T) {
	t.Parallel()
	s5, s4 := builtin(t, "s5"), builtin(t, "s4")
	tests := []struct {
		name    string
		s       *Scheme
		refusal Refusal
		field   string
	}{
		{"无批评教育日期", s5, Refusal{Reason: "拒不填写"}, "status.refusal.warned"},
		{"日期格式错误", s5, Refusal{Warned: "5月6日", Reason: "拒不填写"}, "status.refusal.warned"},
		{"无拒绝情形", s5, Refusal{Warned: "2026-05-06"}, "status.refusal.reason"},
		{"S4无此规定", s4, Refusal{Warned: "2026-05-06", Reason: "拒不填写"}, "status.refusal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rf := tt.refusal
			_, err := ScorePeriod(tt.s, &PeriodInput{Period: PeriodInfo{ID: "2026Q2", WorkingDays: 60},
				People: []PersonInput{{ID: "x", Unit: "u", Status: &Status{Refusal: &rf}}}})
			wantInputError(t, err, "x", tt.field)
		})
	}
}

// S10 四(三): "对经批评教育后仍拒绝参加平时考核的公务员（参公人员），直接确定其当年年度考
// 核结果为不定等次或不称职". The quarter has no grade and carries the flag; the
// year is 不定等次 unless the unit proposes 不称职 (s10.yaml's decision).
func TestS10Refusal(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s10")
	res := score(t, s, &PeriodInput{Period: PeriodInfo{ID: "2026Q3", WorkingDays: 64}, People: []PersonInput{
		{ID: "a", Unit: "u", Grade: "好"},
		{ID: "x", Unit: "u", Status: &Status{Refusal: &Refusal{Warned: "2026-08-03", Reason: "限期改正后仍拒绝填写记实表"}}},
	}})
	checkPerson(t, personOf(t, res, "x"), want{state: StateNotGraded, flags: []string{FlagRefused},
		explain: []string{"2026-08-03经批评教育后仍拒绝参加平时考核（限期改正后仍拒绝填写记实表），本期不定等次"}})

	refusedQ3 := func() []PeriodRecord {
		r := records("好", "好", "", "好")
		r[2].Refused = true
		return r
	}
	tests := []struct {
		name      string
		periods   []PeriodRecord
		proposed  string
		grade     string
		notGraded bool
		explain   []string
	}{
		{"未拟定_不定等次", refusedQ3(), "", "", true, []string{"S10 四(三) 经批评教育后仍拒绝参加平时考核：年度考核结果为「不定等次」或「不称职」之一", "年度考核不定等次"}},
		{"拟定不称职", refusedQ3(), "不称职", "不称职", false, []string{"年度考核等次：不称职"}},
		{"拟定不定等次", refusedQ3(), AnnualNotGraded, "", true, nil},
		{"拟定称职_不在规定之中", refusedQ3(), "称职", "", true, []string{"拟定「称职」不在规定的结果之中"}},
		{"无拒绝_照常", records("好", "好", "较好", "好"), "优秀", "优秀", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			yr := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "x", Unit: "u", Periods: tt.periods, Proposed: tt.proposed}}})
			p := yearOf(t, yr, "x")
			if p.Grade != tt.grade || p.NotGraded != tt.notGraded {
				t.Errorf("grade %q not graded %v, want %q %v", p.Grade, p.NotGraded, tt.grade, tt.notGraded)
			}
			explainHas(t, "x", p.Explain, tt.explain...)
		})
	}
	t.Run("不定等次须有规则允许", func(t *testing.T) {
		t.Parallel()
		_, err := ScoreYear(s, &YearInput{People: []YearPerson{{ID: "x", Unit: "u", Periods: records("好", "好", "好", "好"), Proposed: AnnualNotGraded}}})
		wantInputError(t, err, "x", "proposed")
	})
}

// S5 五(二): "被确定为D档次的，主管领导应及时与其进行诫勉谈话，当年不得参加各类评比表
// 彰": one D bars the year's 评比表彰, whatever the annual grade; the 诫勉谈话
// follows a single D (talks, and HR's alert after one: bottom_alert_after).
func TestS5OneD(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s5")
	if s.BottomAlertAfter != 1 || builtin(t, "s4").BottomAlertAfter != 2 {
		t.Errorf("bottom_alert_after: s5 %d, s4 %d; want 1 (五(二): 被确定为D档次的) and 2 (五、8: 连续2个季度以上较差)",
			s.BottomAlertAfter, builtin(t, "s4").BottomAlertAfter)
	}
	if len(s.Talks) != 1 || s.Talks[0].Kind != "诫勉谈话" || !sameSet(s.Talks[0].Grades, []string{"D"}) {
		t.Errorf("talks = %+v, want 诫勉谈话 after a D", s.Talks)
	}
	tests := []struct {
		name    string
		periods []PeriodRecord
		barred  bool
		grade   string
	}{
		{"一次D", records("A", "B", "D", "B"), true, "称职"},
		{"无D", records("A", "B", "C", "B"), false, "称职"},
		{"两次D", records("D", "B", "D", "B"), true, "基本称职"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			yr := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: tt.periods,
				Annual: &AnnualInput{Score: decp("85")}, Proposed: "称职"}}})
			p := yearOf(t, yr, "p")
			if p.NoCommendation != tt.barred || p.Grade != tt.grade {
				t.Errorf("no_commendation %v grade %q, want %v %q", p.NoCommendation, p.Grade, tt.barred, tt.grade)
			}
			if tt.barred {
				explainHas(t, "p", p.Explain, "S5 五(二) 被确定为D档次：当年不得参加各类评比表彰")
			}
		})
	}
	if s.ReviewMaterials != "经主管领导确认的本人平时考核材料" {
		t.Errorf("review_materials = %q, want S5 六(四)'s 经主管领导确认的本人平时考核材料", s.ReviewMaterials)
	}
	if builtin(t, "s4").ReviewMaterials != "" {
		t.Errorf("S4 asks for no 复核 materials")
	}
}

// S4 "弹性指标加减分最高均不超过5分" and S8 "加分项目总分值10分": the bonus may carry
// the total above 100 (each file's decision); a scheme with max_total caps.
func TestBonusAboveTheScale(t *testing.T) {
	t.Parallel()
	s4, s8 := builtin(t, "s4"), builtin(t, "s8")
	data, err := os.ReadFile("schemes/s4.yaml")
	if err != nil {
		t.Fatal(err)
	}
	capped, err := Load("s4-capped.yaml", []byte(strings.Replace(string(data), "  same_event_once: true\n", "  same_event_once: true\n  max_total: 100\n", 1)))
	if err != nil {
		t.Fatal(err)
	}
	bonus := func(pts ...string) []AdjustmentInput {
		var out []AdjustmentInput
		for i, p := range pts {
			out = append(out, AdjustmentInput{Event: string(rune('a' + i)), Kind: "bonus", Points: dec(p), Reason: "防汛抢险表现突出"})
		}
		return out
	}
	tests := []struct {
		name  string
		s     *Scheme
		total string
		adj   []AdjustmentInput
		want  want
	}{
		{"S4_100加5得105", s4, "100", bonus("5"), want{score: "105", scoreGrade: "好", grade: "好", explain: []string{"总分 = 100 + 加分5 − 减分0 = 105"}}},
		{"S4_加分超过5按5计", s4, "98", bonus("4", "3"), want{score: "103", scoreGrade: "好", grade: "好", explain: []string{"加分合计7分，超过上限5分"}}},
		{"S8_100加10得110", s8, "100", bonus("10"), want{score: "110", scoreGrade: "好", grade: "好"}},
		{"封顶方案_105按100计", capped, "100", bonus("5"), want{score: "100", scoreGrade: "好", grade: "好", flags: []string{FlagTotalCapped},
			explain: []string{"加分后总分105超过上限100分，按100分计"}}},
		{"封顶方案_未超不动", capped, "90", bonus("5"), want{score: "95", scoreGrade: "好", grade: "好"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := PersonInput{ID: "p", Unit: "u", Group: "g", Sources: leaderInd(fill(tt.s, tt.total)), Adjustments: tt.adj}
			if tt.s == s8 {
				p.Sources["democratic"] = SourceInput{Votes: votes("90", "90", "90", "90", "90")}
			}
			// Colleagues at 80 keep the 40% cap of 好 from binding.
			people := []PersonInput{p}
			for _, id := range []string{"c1", "c2", "c3", "c4"} {
				c := PersonInput{ID: id, Unit: "u", Group: "g", Sources: leaderInd(fill(tt.s, "80"))}
				if tt.s == s8 {
					c.Sources["democratic"] = SourceInput{Votes: votes("90", "90", "90", "90", "90")}
				}
				people = append(people, c)
			}
			res := score(t, tt.s, &PeriodInput{People: people})
			checkPerson(t, personOf(t, res, "p"), tt.want)
		})
	}
	if _, err := Load("bad.yaml", []byte(strings.Replace(string(data), "  same_event_once: true\n", "  same_event_once: true\n  max_total: 95\n", 1))); err == nil ||
		!strings.Contains(err.Error(), "adjustments.max_total") {
		t.Errorf("max_total below the scale: %v, want an error naming it", err)
	}
}

// A year lists every period of the scheme's year; one the person was not
// appraised in says why (S9: "挂职、抽调单位没有开展平时考核的，期间不参加平时考核，也
// 不计入年度考核结果") and counts in nothing.
func TestYearPeriods(t *testing.T) {
	t.Parallel()
	s4, s9 := builtin(t, "s4"), builtin(t, "s9")
	t.Run("少于方案的期数", func(t *testing.T) {
		t.Parallel()
		_, err := ScoreYear(s4, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: records("好:92", "好:91", "好:90")}}})
		wantInputError(t, err, "p", "periods")
	})
	t.Run("不计入的期不得有等次", func(t *testing.T) {
		t.Parallel()
		ps := records("好:92", "好:91", "好:90", "较好:80")
		ps[3].Excluded = "挂职单位未开展平时考核"
		_, err := ScoreYear(s4, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: ps}}})
		wantInputError(t, err, "p", "periods[3].excluded")
	})
	t.Run("S9挂职单位未考核_不计入年度", func(t *testing.T) {
		t.Parallel()
		// Q2 at a receiving unit that ran no appraisal: 优秀 in both counted
		// quarters. Q2 "不计入年度考核结果", so it leaves the rate's divisor
		// too: (2÷2)×40% + (6÷10)×60% = 0.76.
		ps := records("优秀", "", "优秀")
		ps[1] = PeriodRecord{Period: "Q2", Excluded: "挂职县委办半年以上，挂职单位未开展平时考核"}
		yr := scoreYear(t, s9, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: ps, Votes: &VoteCount{Excellent: 6, Total: 10}}}})
		p := yearOf(t, yr, "p")
		explainHas(t, "p", p.Explain, "平时考核2期定等次：优秀2次", "不计入年度考核的考核期：Q2（挂职县委办半年以上，挂职单位未开展平时考核）")
		if p.ExcellenceRate == nil || p.ExcellenceRate.String() != "0.76" {
			t.Errorf("rate = %v, want (2÷2)×40%% + (6÷10)×60%% = 0.76", p.ExcellenceRate)
		}
	})
	t.Run("S4份额按计入的期算", func(t *testing.T) {
		t.Parallel()
		// 五、6 "一般、较差累计次数超过一半": 2 of the 3 counted quarters.
		ps := records("一般:70", "较差:55", "好:92", "")
		ps[3] = PeriodRecord{Period: "Q4", Excluded: "新调入，调入前由原单位考核"}
		yr := scoreYear(t, s4, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: ps}}})
		if p := yearOf(t, yr, "p"); p.MaxGrade != "基本称职" {
			t.Errorf("max grade %q, want 基本称职 (2 of 3 counted)", p.MaxGrade)
		}
	})
}

// A period grade better than its score's band is an error unless the
// record says the grade was set directly or by the committee; a grade
// below the band (a quota, a warning) is how results are.
func TestYearGradeAgainstScore(t *testing.T) {
	t.Parallel()
	s4 := builtin(t, "s4")
	tests := []struct {
		name    string
		periods []PeriodRecord
		field   string // "" when valid
	}{
		{"70分却为好", records("好:92", "好:70", "好:91", "好:90"), "periods[1].grade"},
		{"89.5分却为好", records("好:92", "好:89.5", "好:91", "好:90"), "periods[1].grade"},
		{"名额所限_95分为较好", records("好:92", "较好:95", "好:91", "好:90"), ""},
		{"直接确定_70分为好", func() []PeriodRecord {
			r := records("好:92", "好:70", "好:91", "好:90")
			r[1].Direct = true
			return r
		}(), ""},
		{"无分数的等次不查", records("好:92", "较好", "好:91", "好:90"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ScoreYear(s4, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: tt.periods}}})
			if tt.field == "" {
				if err != nil {
					t.Errorf("err = %v, want none", err)
				}
				return
			}
			wantInputError(t, err, "p", tt.field)
		})
	}
}

// The scheme format refuses the new rules' misuse, naming the field.
func TestRuleFieldsValidated(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("schemes/s9.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new, field string
	}{
		{"and_below与上限", "    min_share: 10%\n", "    min_share: 10%\n    max_share: 50%\n", "and_below"},
		{"one_of未知等次", "      max_grade: 基本称职\n", "      one_of: [不定等次, 良好]\n", "one_of[1]"},
		{"refusal未知", "cycle: quarter\n", "cycle: quarter\nspecial: {refusal: 差}\n", "special.refusal"},
		{"require_scores与档次分值", "  periodic_value: score\n", "  periodic_value: score\n  require_scores: true\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(string(data), tt.old) {
				t.Fatalf("s9.yaml has no %q", tt.old)
			}
			_, err := Load("s9.yaml", []byte(strings.Replace(string(data), tt.old, tt.new, 1)))
			if tt.field == "" {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("err = %v, want one naming %s", err, tt.field)
			}
		})
	}
}

// S2 五's money consequences as the table payroll reads, from the example
// quarter: 林涛 at 58 loses 30% of 1500 = 450 of 工作性津贴 in each of the
// three months from the second month of the next quarter, and all 800 of
// the 区县津补贴 for three months; a 旷工 month costs all of both (three days
// or more); leave over three days costs a day at 1500 ÷ (working days − 3)
// and 10 yuan of 区县津补贴 per day.
func TestAllowanceTable(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s2")
	data, err := os.ReadFile("testdata/examples/s2-period.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := DecodeInput(data)
	if err != nil {
		t.Fatal(err)
	}
	rows := AllowanceTable(s, score(t, s, in.(*PeriodInput)))
	var lin []string
	total := map[string]Dec{}
	for _, r := range rows {
		total[r.Person] = DecOf(total[r.Person].Add(r.Amount.Decimal))
		if r.Person == "S08" {
			lin = append(lin, r.Month+" "+r.Allowance+" "+r.Amount.String())
		}
	}
	want := []string{
		"2026-07 区县津补贴 800", "2026-07 工作性津贴 1500", // 旷工: all of both
		"2026-08 区县津补贴 15", "2026-08 工作性津贴 125", // leave over three days
		"2026-10 区县津补贴 800",
		"2026-11 区县津补贴 800", "2026-11 工作性津贴 450",
		"2026-12 区县津补贴 800", "2026-12 工作性津贴 450",
		"2027-01 工作性津贴 450",
	}
	if strings.Join(lin, "; ") != strings.Join(want, "; ") {
		t.Errorf("林涛's rows:\n%s\nwant\n%s", strings.Join(lin, "\n"), strings.Join(want, "\n"))
	}
	if len(rows) != 20 || total["S08"].String() != "6190" || total["S05"].String() != "936.67" {
		t.Errorf("%d rows, totals %v", len(rows), total)
	}
	for _, r := range rows {
		if r.Unit == "" || r.Name == "" || r.Explain == "" || !strings.Contains(r.Explain, "S2 五") {
			t.Errorf("row without its person or rule: %+v", r)
		}
	}
}
