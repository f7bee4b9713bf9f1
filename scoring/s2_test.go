package scoring

import (
	"testing"
)

// S2 — 《司法局公务员平时考核工作实施办法》, 西城区司法局 (《财政局公务员平时考核工作方案7篇》篇一（二）).

func s2Person(id, tier, leader string) PersonInput {
	return PersonInput{ID: id, Name: id, Unit: "司法局", Tier: tier, Sources: scoreSrc("leader", leader)}
}

// 五: "考核结果91分至100分的为优秀，71分至90分的为称职，60分至70分的为基本称职，59分
// 以下为不称职". Scheme decision: a score must reach a band's lower bound, so
// the gaps 90–91, 70–71 and 59–60 belong to the lower band.
func TestS2Bands(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s2")
	tests := []struct {
		name, score, grade, explain string
	}{
		{"优秀_100", "100", "优秀", "91分及以上"},
		{"优秀_91", "91", "优秀", "91分及以上"},
		{"称职_90.99", "90.99", "称职", "71分（含）至91分（不含）"},
		{"称职_90.5_不进位", "90.5", "称职", "71分（含）至91分（不含）"},
		{"称职_90", "90", "称职", "71分（含）至91分（不含）"},
		{"称职_71", "71", "称职", "71分（含）"},
		{"基本称职_70.99", "70.99", "基本称职", "60分（含）至71分（不含）"},
		{"基本称职_70.5", "70.5", "基本称职", "60分（含）至71分（不含）"},
		{"基本称职_70", "70", "基本称职", "60分（含）至71分（不含）"},
		{"基本称职_60", "60", "基本称职", "60分（含）"},
		{"不称职_59.99", "59.99", "不称职", "低于60分"},
		{"不称职_59.5", "59.5", "不称职", "低于60分"},
		{"不称职_59", "59", "不称职", "低于60分"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := score(t, s, &PeriodInput{People: []PersonInput{s2Person("p", "其他", tt.score)}})
			// S2 sets no quota, so the band's grade is final.
			checkPerson(t, personOf(t, res, "p"), want{score: tt.score, scoreGrade: tt.grade, grade: tt.grade, explain: []string{tt.explain}})
		})
	}
}

// 三(一): three tiers; a person must name one.
func TestS2TierRequired(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s2")
	_, err := ScorePeriod(s, &PeriodInput{People: []PersonInput{s2Person("p", "", "80")}})
	wantInputError(t, err, "p", "tier")
	_, err = ScorePeriod(s, &PeriodInput{People: []PersonInput{s2Person("q", "处级", "80")}})
	wantInputError(t, err, "q", "tier")
}

type cutWant struct {
	rule, allowance, month, amount string
}

// 五: the allowance consequences, in exact yuan. 工作性津贴 1500 元/月 and
// 区县津补贴 800 元/月 throughout; the next quarter starts 2026-10.
func TestS2Allowance(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s2")
	monthly := map[string]Dec{"工作性津贴": dec("1500"), "区县津补贴": dec("800")}
	tests := []struct {
		name    string
		score   string
		months  []MonthAttendance
		absent  bool
		cuts    []cutWant
		explain []string
	}{
		{name: "低于60分_工作性津贴下季度第二个月起减发30%三个月_区县津补贴全扣", score: "58",
			cuts: []cutWant{
				// 1500 × 30% = 450, months 2–4 counted from 2026-10.
				{"work-allowance-cut", "工作性津贴", "2026-11", "450"},
				{"work-allowance-cut", "工作性津贴", "2026-12", "450"},
				{"work-allowance-cut", "工作性津贴", "2027-01", "450"},
				// "59分以下（含59分）的，区县津补贴全部扣发": 800 each month of the next quarter.
				{"district-allowance-none", "区县津补贴", "2026-10", "800"},
				{"district-allowance-none", "区县津补贴", "2026-11", "800"},
				{"district-allowance-none", "区县津补贴", "2026-12", "800"},
			},
			explain: []string{"平时考核58分（低于60分）：工作性津贴减发30%，即1500 × 30% = 450元"}},
		{name: "59.5分_不称职同样扣减", score: "59.5",
			cuts: []cutWant{
				{"work-allowance-cut", "工作性津贴", "2026-11", "450"},
				{"work-allowance-cut", "工作性津贴", "2026-12", "450"},
				{"work-allowance-cut", "工作性津贴", "2027-01", "450"},
				{"district-allowance-none", "区县津补贴", "2026-10", "800"},
				{"district-allowance-none", "区县津补贴", "2026-11", "800"},
				{"district-allowance-none", "区县津补贴", "2026-12", "800"},
			}},
		{name: "60分_区县津补贴减半_工作性津贴不减", score: "60",
			cuts: []cutWant{
				{"district-allowance-half", "区县津补贴", "2026-10", "400"},
				{"district-allowance-half", "区县津补贴", "2026-11", "400"},
				{"district-allowance-half", "区县津补贴", "2026-12", "400"},
			}},
		{name: "70.5分_仍按一半计发", score: "70.5",
			cuts: []cutWant{
				{"district-allowance-half", "区县津补贴", "2026-10", "400"},
				{"district-allowance-half", "区县津补贴", "2026-11", "400"},
				{"district-allowance-half", "区县津补贴", "2026-12", "400"},
			}},
		{name: "71分_不扣", score: "71"},
		{name: "病事假5天_超2天", score: "85",
			months: []MonthAttendance{{Month: "2026-07", WorkingDays: 23, LeaveDays: dec("5")}},
			cuts: []cutWant{
				// 1500 ÷ (23 − 3) = 75 元/天 × 2 = 150.
				{"work-allowance-leave", "工作性津贴", "2026-07", "150"},
				// 10 元 × 2 = 20.
				{"district-allowance-leave", "区县津补贴", "2026-07", "20"},
			},
			explain: []string{"2026-07病、事假合计5天，超过3天：扣减2天 × 1500 ÷ (23 − 3) = 150元"}},
		{name: "病事假4.5天_日津贴除不尽", score: "85",
			months: []MonthAttendance{{Month: "2026-08", WorkingDays: 22, LeaveDays: dec("4.5")}},
			cuts: []cutWant{
				// 1.5 × 1500 ÷ 19 = 118.421… → 118.42.
				{"work-allowance-leave", "工作性津贴", "2026-08", "118.42"},
				{"district-allowance-leave", "区县津补贴", "2026-08", "15"},
			}},
		{name: "病事假恰为3天_不扣", score: "85",
			months: []MonthAttendance{{Month: "2026-07", WorkingDays: 23, LeaveDays: dec("3")}}},
		{name: "旷工1天_扣三分之一", score: "85",
			months: []MonthAttendance{{Month: "2026-09", WorkingDays: 21, AbsentDays: 1}},
			cuts: []cutWant{
				{"work-allowance-absence", "工作性津贴", "2026-09", "500"},        // 1500 ÷ 3
				{"district-allowance-absence", "区县津补贴", "2026-09", "266.67"}, // 800 ÷ 3 = 266.666…
			},
			explain: []string{"2026-09旷工1天：1天 × 1/3 × 1500 = 500元"}},
		{name: "旷工2天_扣三分之二", score: "85",
			months: []MonthAttendance{{Month: "2026-09", WorkingDays: 21, AbsentDays: 2}},
			cuts: []cutWant{
				{"work-allowance-absence", "工作性津贴", "2026-09", "1000"},
				{"district-allowance-absence", "区县津补贴", "2026-09", "533.33"}, // 1600 ÷ 3 = 533.333…
			}},
		{name: "旷工3天_含三天扣发全部", score: "85",
			months: []MonthAttendance{{Month: "2026-09", WorkingDays: 21, AbsentDays: 3}},
			cuts: []cutWant{
				{"work-allowance-absence", "工作性津贴", "2026-09", "1500"},
				{"district-allowance-absence", "区县津补贴", "2026-09", "800"},
			},
			explain: []string{"累计3天以上（含3天），扣发全部"}},
		{name: "整季未出勤_扣发当季全部区县津补贴", score: "85", absent: true,
			months: []MonthAttendance{{Month: "2026-07", WorkingDays: 23}, {Month: "2026-08", WorkingDays: 21}, {Month: "2026-09", WorkingDays: 22}},
			cuts: []cutWant{
				{"district-allowance-absent-quarter", "区县津补贴", "2026-07", "800"},
				{"district-allowance-absent-quarter", "区县津补贴", "2026-08", "800"},
				{"district-allowance-absent-quarter", "区县津补贴", "2026-09", "800"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := s2Person("p", "其他", tt.score)
			in.Allowance = &AllowanceInput{Monthly: monthly, NextPeriodStart: "2026-10", Months: tt.months, AbsentWholePeriod: tt.absent}
			res := score(t, s, &PeriodInput{People: []PersonInput{in}})
			p := personOf(t, res, "p")
			if len(p.Allowance) != len(tt.cuts) {
				t.Fatalf("cuts = %+v, want %d", p.Allowance, len(tt.cuts))
			}
			for i, w := range tt.cuts {
				c := p.Allowance[i]
				if c.Rule != w.rule || c.Allowance != w.allowance || c.Month != w.month || !c.Amount.Equal(D(w.amount).Decimal) {
					t.Errorf("cut %d = {%s %s %s %s}, want %v", i, c.Rule, c.Allowance, c.Month, c.Amount, w)
				}
			}
			var lines []string
			for _, c := range p.Allowance {
				lines = append(lines, c.Explain)
			}
			explainHas(t, "p", lines, tt.explain...)
		})
	}
}

func TestS2AllowanceNeedsNextPeriod(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s2")
	in := s2Person("p", "其他", "55")
	in.Allowance = &AllowanceInput{Monthly: map[string]Dec{"工作性津贴": dec("1500"), "区县津补贴": dec("800")}}
	_, err := ScorePeriod(s, &PeriodInput{People: []PersonInput{in}})
	wantInputError(t, err, "p", "allowance.next_period_start")
}

// 三(三): 平时考核得分 (mean of Q1–Q3) 50% + 年度量化评价得分 50%; the annual
// part is 40/30/30 for 科级领导 and 60/40 for the others.
func TestS2Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s2")
	in := &YearInput{Kind: "year", Year: 2026, People: []YearPerson{
		{ID: "zk", Unit: "司法局", Tier: "正科", Periods: records(":92", ":88", ":90"), Proposed: "",
			Annual: &AnnualInput{Sources: map[string]SourceInput{
				"superior":     {Score: decp("90")},
				"peers":        {Votes: votes("85", "90", "95")},
				"subordinates": {Votes: votes("80", "90")},
			}}},
		{ID: "qt", Unit: "司法局", Tier: "其他", Periods: records(":95", ":93", ":94"),
			Annual: &AnnualInput{Sources: map[string]SourceInput{
				"superior":   {Score: decp("92")},
				"colleagues": {Votes: votes("90", "88", "94", "92")},
			}}},
		{ID: "fk", Unit: "司法局", Tier: "副科", Periods: records(":70", ":75", ":80"),
			Annual: &AnnualInput{Sources: map[string]SourceInput{
				"superior":     {Score: decp("70")},
				"peers":        {Votes: votes("72")},
				"subordinates": {Votes: votes("74", "70")},
			}}},
	}}
	res := scoreYear(t, s, in)
	tests := []struct {
		id, periodic, part, total, grade string
		explain                          []string
	}{
		// (92+88+90)/3 = 90; 90×40% + 90×30% + 85×30% = 88.5; 90×50% + 88.5×50% = 89.25.
		{"zk", "90", "88.5", "89.25", "称职", []string{"上级主管领导：评分90 × 40% = 36", "同级有关人员：6票平均90 × 30% = 27", "主管下级：6票平均85 × 30% = 25.5",
			"年度考核总分 = 平时90 × 50% + 年度88.5 × 50% = 89.25", "71分（含）至91分（不含）"}},
		// 94; 92×60% + 91×40% = 91.6; 47 + 45.8 = 92.8.
		{"qt", "94", "91.6", "92.8", "优秀", []string{"上级主管领导：评分92 × 60% = 55.2", "所在内设机构其他有关人员：8票平均91 × 40% = 36.4", "91分及以上"}},
		// 75; 70×40% + 72×30% + 72×30% = 71.2; 37.5 + 35.6 = 73.1.
		{"fk", "75", "71.2", "73.1", "称职", nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			p := yearOf(t, res, tt.id)
			if p.Periodic == nil || !p.Periodic.Equal(D(tt.periodic).Decimal) {
				t.Errorf("periodic = %v, want %s", p.Periodic, tt.periodic)
			}
			if p.AnnualPart == nil || !p.AnnualPart.Equal(D(tt.part).Decimal) {
				t.Errorf("annual part = %v, want %s", p.AnnualPart, tt.part)
			}
			if p.Total == nil || !p.Total.Equal(D(tt.total).Decimal) {
				t.Errorf("total = %v, want %s", p.Total, tt.total)
			}
			if p.BandGrade != tt.grade || p.Grade != tt.grade {
				t.Errorf("band grade, grade = %q, %q; want %q", p.BandGrade, p.Grade, tt.grade)
			}
			explainHas(t, tt.id, p.Explain, tt.explain...)
		})
	}
}

func TestS2AnnualErrors(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s2")
	tests := []struct {
		name, person, field string
		p                   YearPerson
	}{
		{"正科缺主管下级评价", "zk", "annual.sources.subordinates", YearPerson{ID: "zk", Unit: "u", Tier: "正科", Periods: records(":90"),
			Annual: &AnnualInput{Sources: map[string]SourceInput{"superior": {Score: decp("90")}, "peers": {Votes: votes("90")}}}}},
		{"第四季度并入年度_至多3期", "p4", "periods", YearPerson{ID: "p4", Unit: "u", Tier: "其他", Periods: records(":90", ":90", ":90", ":90"),
			Annual: &AnnualInput{Sources: map[string]SourceInput{"superior": {Score: decp("90")}, "colleagues": {Votes: votes("90")}}}}},
		{"年度也须写明层面", "nt", "tier", YearPerson{ID: "nt", Unit: "u", Periods: records(":90"),
			Annual: &AnnualInput{Sources: map[string]SourceInput{"superior": {Score: decp("90")}, "colleagues": {Votes: votes("90")}}}}},
		{"非领导不适用同级评价", "qt", "annual.sources.peers", YearPerson{ID: "qt", Unit: "u", Tier: "其他", Periods: records(":90"),
			Annual: &AnnualInput{Sources: map[string]SourceInput{"superior": {Score: decp("90")}, "colleagues": {Votes: votes("90")}, "peers": {Votes: votes("90")}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := ScoreYear(s, &YearInput{People: []YearPerson{tt.p}})
			if res != nil {
				t.Errorf("result %+v with an error", res)
			}
			wantInputError(t, err, tt.person, tt.field)
		})
	}
}
