package scoring

import (
	"fmt"
	"testing"
)

// S5 — 《市行政机关公务员平时考核工作实施方案》, 河北 (《财政局公务员平时考核工作方案7篇》篇三). The leader
// sets the grade (四(三)2 依据本机关"平时考核量化评分标准"确定档次); there is no
// score, so a tie at the quota cap is every holder of the grade.

// s5Unit makes people P1… with the given leader grades, all in one unit.
func s5Unit(grades ...string) []PersonInput {
	ps := make([]PersonInput, len(grades))
	for i, g := range grades {
		ps[i] = PersonInput{ID: fmt.Sprintf("P%d", i+1), Unit: "科室", Grade: g}
	}
	return ps
}

func TestS5Grades(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s5")
	// 四: "平时考核结果分为A、B、C、D四个档次". Ten people, two A (within 20%–30%).
	res := score(t, s, &PeriodInput{People: s5Unit("A", "A", "B", "B", "B", "B", "C", "C", "D", "B")})
	for id, g := range map[string]string{"P1": "A", "P3": "B", "P7": "C", "P9": "D"} {
		checkPerson(t, personOf(t, res, id), want{scoreGrade: g, grade: g, explain: []string{"领导评鉴确定档次「" + g + "」"}})
	}
	q := quotaOf(t, res, "unit", "科室")
	if *q.MaxCount != 3 || *q.MinCount != 2 || q.After != 2 || len(q.Flags) != 0 {
		t.Errorf("quota = %+v", q)
	}
	explainHas(t, "quota", []string{q.Explain}, "本单位参加考核10人，「A」不超过30%，即至多3人")
}

// 四(三)2: "每季度考核确定为A档次人数…控制在…实际参加考核总人数的20%-30%之间".
// Scheme: at most floor(30% × n), at least ceil(20% × n); a shortfall is
// flagged, never filled.
func TestS5Quota(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s5")

	t.Run("A少于20%下限_提请委员会", func(t *testing.T) {
		t.Parallel()
		res := score(t, s, &PeriodInput{People: s5Unit("A", "B", "B", "B", "B", "B", "B", "C", "C", "B")})
		q := quotaOf(t, res, "unit", "科室")
		if *q.MinCount != 2 || q.After != 1 || !sameSet(q.Flags, []string{FlagBelowMinShare}) {
			t.Errorf("quota = %+v", q)
		}
		explainHas(t, "quota", []string{q.Explain}, "「A」1人，少于20%的下限2人，提请考核委员会研究")
		// Nobody is raised to A automatically.
		checkPerson(t, personOf(t, res, "P2"), want{scoreGrade: "B", grade: "B"})
	})

	t.Run("无分数超额_全部并列提请委员会", func(t *testing.T) {
		t.Parallel()
		// Four A of ten, at most 3: no score ranks them, so all four are tied.
		people := s5Unit("A", "A", "A", "A", "B", "B", "B", "C", "C", "B")
		res := score(t, s, &PeriodInput{People: people})
		for _, id := range []string{"P1", "P2", "P3", "P4"} {
			checkPerson(t, personOf(t, res, id), want{scoreGrade: "A", state: StatePending, flags: []string{FlagTieAtCap},
				explain: []string{"并列于「A」名额线，剩余名额3个，提请考核委员会审定"}})
		}
		q := quotaOf(t, res, "unit", "科室")
		if !sameSet(q.Tied, []string{"P1", "P2", "P3", "P4"}) || len(q.Demoted) != 0 {
			t.Errorf("quota = %+v", q)
		}
		explainHas(t, "quota", []string{q.Explain}, "P1、P2、P3、P4并列于名额线，争夺3个名额")

		// The committee decides in a second call.
		res2 := score(t, s, &PeriodInput{People: people, Committee: &Committee{Decisions: []Decision{
			{Person: "P1", Grade: "A", Reason: "季度重点任务牵头"},
			{Person: "P2", Grade: "A", Reason: "季度重点任务牵头"},
			{Person: "P3", Grade: "A", Reason: "群众评价最好"},
			{Person: "P4", Grade: "B", Reason: "名额已满"},
		}}})
		for id, g := range map[string]string{"P1": "A", "P2": "A", "P3": "A", "P4": "B"} {
			checkPerson(t, personOf(t, res2, id), want{scoreGrade: "A", grade: g, flags: []string{FlagCommittee}})
		}
		if q := quotaOf(t, res2, "unit", "科室"); q.After != 3 || len(q.Tied) != 0 || len(q.Flags) != 0 {
			t.Errorf("after committee: quota = %+v", q)
		}
	})

	t.Run("六1_不进行考核者不计入参加考核总人数", func(t *testing.T) {
		t.Parallel()
		// Ten on the list, one on sick leave over half the quarter: 9 take
		// part, so at most floor(2.7) = 2 A and at least ceil(1.8) = 2.
		people := s5Unit("A", "A", "A", "B", "B", "B", "B", "C", "C", "")
		people[9].Status = &Status{Leave: []LeaveInput{{Kind: "病假", Days: dec("40")}}}
		res := score(t, s, &PeriodInput{Period: PeriodInfo{ID: "2026Q2", WorkingDays: 64}, People: people})
		checkPerson(t, personOf(t, res, "P10"), want{state: StateNotGraded, explain: []string{"不进行考核，不计入参加考核人数"}})
		q := quotaOf(t, res, "unit", "科室")
		if q.Participants != 9 || *q.MaxCount != 2 || *q.MinCount != 2 || !sameSet(q.Tied, []string{"P1", "P2", "P3"}) {
			t.Errorf("quota = %+v", q)
		}
		explainHas(t, "quota", []string{q.Explain}, "本单位参加考核9人，「A」不超过30%，即至多2人")
	})

	t.Run("三人单位_上限0下限1", func(t *testing.T) {
		t.Parallel()
		// 30% × 3 = 0.9 → 0; 20% × 3 = 0.6 → 1: the range is empty; the A is
		// demoted (no tie: there is no place to share) and the shortfall flagged.
		res := score(t, s, &PeriodInput{People: s5Unit("A", "B", "C")})
		checkPerson(t, personOf(t, res, "P1"), want{scoreGrade: "A", grade: "B", flags: []string{FlagDemoted}})
		q := quotaOf(t, res, "unit", "科室")
		if *q.MaxCount != 0 || *q.MinCount != 1 || !sameSet(q.Flags, []string{FlagBelowMinShare}) {
			t.Errorf("quota = %+v", q)
		}
	})
}

// 六(一)–(三): leave, refusal, investigation and sanctions.
func TestS5Special(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s5")
	tests := []struct {
		name   string
		grade  string
		status Status
		want   want
	}{
		{"六3_警告期间不得为A", "A", Status{Sanction: "警告"},
			want{scoreGrade: "B", grade: "B", flags: []string{FlagCapped}, explain: []string{"受警告处分期间不得确定为「A」，定为「B」"}}},
		{"六3_警告期间B不变", "B", Status{Sanction: "警告"}, want{scoreGrade: "B", grade: "B"}},
		{"六3_记过期间不确定档次", "", Status{Sanction: "记过"},
			want{state: StateNotGraded, explain: []string{"受记过处分期间，不确定等次"}}},
		{"六3_撤职期间不确定档次", "A", Status{Sanction: "撤职"}, want{state: StateNotGraded}},
		{"六3_立案调查暂不定档次", "A", Status{Investigation: true},
			want{scoreGrade: "A", state: StateWithheld, explain: []string{"暂不确定等次，结案后按规定补定"}}},
		{"六2_拒不参加直接D", "", Status{Refusal: &Refusal{Warned: "2026-05-06", Reason: "限期内仍不填写季度评鉴表"}},
			want{scoreGrade: "D", grade: "D", flags: []string{FlagRefused, FlagDirect},
				explain: []string{"2026-05-06经批评教育后仍拒不参加平时考核（限期内仍不填写季度评鉴表），直接确定为「D」"}}},
		{"六2_拒不参加_领导所定等次不算", "A", Status{Refusal: &Refusal{Warned: "2026-05-06", Reason: "拒不填写"}},
			want{scoreGrade: "D", grade: "D", flags: []string{FlagRefused, FlagDirect}}},
		{"六1_病事假超过一半不进行考核", "", Status{Leave: []LeaveInput{{Kind: "病假", Days: dec("30")}, {Kind: "事假", Days: dec("2.5")}}},
			want{state: StateNotGraded, explain: []string{"病、事假累计32.5个工作日，超过考核周期64个工作日的一半"}}},
		{"六1_病假恰为一半照常定档", "B", Status{Leave: []LeaveInput{{Kind: "病假", Days: dec("32")}}}, want{scoreGrade: "B", grade: "B"}},
		{"六1_国家规定假期按正常出勤", "A", Status{Leave: []LeaveInput{{Kind: "产假", Days: dec("64")}}}, want{scoreGrade: "A", grade: "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Nine colleagues: two A keep the A count inside 20%–30%.
			people := append(s5Unit("A", "A", "B", "B", "B", "B", "C", "C", "B"), PersonInput{ID: "X", Unit: "科室", Grade: tt.grade})
			st := tt.status
			people[9].Status = &st
			res := score(t, s, &PeriodInput{Period: PeriodInfo{ID: "2026Q2", WorkingDays: 64}, People: people})
			checkPerson(t, personOf(t, res, "X"), tt.want)
		})
	}
}

// 五(一)1–3: A/B/C/D = 90/80/70/60, the mean × 60% of the annual total;
// 优秀 only from 85 up; a C or D bars 优秀; two D cap at 基本称职.
func TestS5Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s5")
	tests := []struct {
		name                        string
		periods                     []PeriodRecord
		annual, proposed            string
		periodic, total, max, grade string
		explain                     []string
	}{
		{"五1_全A_90分", records("A", "A", "A", "A"), "88", "优秀", "90", "89.2", "", "优秀",
			[]string{"A4次", "平时考核成绩 = 各期档次分值之和360 ÷ 4 = 90", "年度考核总分 = 平时90 × 60% + 年度88 × 40% = 89.2"}},
		{"五2_恰好85分可评优秀", records("A", "A", "B", "B"), "90", "优秀", "85", "87", "", "优秀", nil},
		{"五2_82.5分不得优秀", records("A", "B", "B", "B"), "95", "优秀", "82.5", "87.5", "称职", "称职",
			[]string{"平时考核成绩低于85分，不得评为优秀"}},
		{"五3_有C一次不得优秀_虽满85分", records("A", "A", "A", "C"), "95", "优秀", "85", "89", "称职", "称职",
			[]string{"有C或D档次，不得评为优秀"}},
		{"五3_两次D_基本称职", records("D", "D", "B", "B"), "80", "称职", "70", "74", "基本称职", "基本称职",
			[]string{"2次以上D档次，确定为基本称职或不称职"}},
		{"五3_两次D_可定不称职", records("D", "D", "D", "C"), "60", "不称职", "62.5", "61.5", "基本称职", "不称职", nil},
		{"未定档次的季度不计入", records("A", "", "A", "B"), "90", "优秀", "86.67", "88", "", "优秀",
			[]string{"平时考核3期定等次：A2次，B1次", "260 ÷ 3 = 86.67"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := scoreYear(t, s, &YearInput{Year: 2026, People: []YearPerson{{ID: "p", Unit: "u", Periods: tt.periods,
				Annual: &AnnualInput{Score: decp(tt.annual)}, Proposed: tt.proposed}}})
			p := yearOf(t, res, "p")
			if p.Periodic == nil || !p.Periodic.Equal(D(tt.periodic).Decimal) {
				t.Errorf("periodic = %v, want %s", p.Periodic, tt.periodic)
			}
			if p.Total == nil || !p.Total.Equal(D(tt.total).Decimal) {
				t.Errorf("total = %v, want %s", p.Total, tt.total)
			}
			if p.MaxGrade != tt.max || p.Grade != tt.grade {
				t.Errorf("max, grade = %q, %q; want %q, %q", p.MaxGrade, p.Grade, tt.max, tt.grade)
			}
			explainHas(t, "p", p.Explain, tt.explain...)
		})
	}
}

func TestS5AnnualNeedsAnnualScore(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s5")
	_, err := ScoreYear(s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: records("A", "A", "A", "A")}}})
	wantInputError(t, err, "p", "annual.score")
}
