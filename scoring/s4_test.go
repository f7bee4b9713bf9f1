package scoring

import (
	"testing"
)

// S4 — 《XX部门（单位）公务员平时考核实施方案》, 2021 template (《财政局公务员平时考核工作方案7篇》篇二).

// s4Person is a person whose 附件2 indicator table adds up to total.
func s4Person(s *Scheme, id, total string) PersonInput {
	return PersonInput{ID: id, Name: id, Unit: "局机关", Sources: leaderInd(fill(s, total))}
}

// s4Unit is a unit of ten scored people (quota 40% → at most 4 好).
func s4Unit(s *Scheme, totals ...string) []PersonInput {
	var ps []PersonInput
	for i, tot := range totals {
		ps = append(ps, s4Person(s, string(rune('A'+i)), tot))
	}
	return ps
}

func TestS4Bands(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")
	// 三(一): "好 90 分及以上，较好 75-89 分，一般 60-74 分，较差 60 分以下";
	// scheme decision: a score must reach a band's lower bound (89.5 → 较好).
	tests := []struct {
		name, score, grade, explain string
	}{
		{"好_100", "100", "好", "90分及以上"},
		{"好_90_分及以上含本数", "90", "好", "90分及以上"},
		{"好_90.00", "90.00", "好", "90分及以上"},
		{"较好_89.99_不足90", "89.99", "较好", "75分（含）至90分（不含）"},
		{"较好_89.5_不进位", "89.5", "较好", "75分（含）至90分（不含）"},
		{"较好_75", "75", "较好", "75分（含）"},
		{"一般_74.99", "74.99", "一般", "60分（含）至75分（不含）"},
		{"一般_74.5", "74.5", "一般", "60分（含）至75分（不含）"},
		{"一般_60", "60", "一般", "60分（含）"},
		{"较差_59.99_60分以下", "59.99", "较差", "低于60分"},
		{"较差_59.5", "59.5", "较差", "低于60分"},
		{"较差_0", "0", "较差", "低于60分"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := score(t, s, &PeriodInput{Period: PeriodInfo{ID: "2026Q3", WorkingDays: 62},
				People: []PersonInput{s4Person(s, "p", tt.score)}})
			p := personOf(t, res, "p")
			if p.Score == nil || p.Score.String() != D(tt.score).String() {
				t.Errorf("score = %v, want %s", p.Score, tt.score)
			}
			if p.ScoreGrade != tt.grade {
				t.Errorf("score grade = %q, want %q", p.ScoreGrade, tt.grade)
			}
			explainHas(t, "p", p.Explain, tt.explain)
		})
	}
}

// 附件2: 德20（6+4+6+4）能20（5+6+5+4）勤15（5+5+5）绩35（15+10+10）廉10（4+3+3）.
func TestS4IndicatorTree(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")
	leaves := map[string]Dec{
		"思想政治素质": dec("6"), "职业道德": dec("4"), "社会公德": dec("5"), "家庭美德": dec("4"), // 德 19
		"岗位执行能力": dec("5"), "综合业务能力": dec("5"), "开拓创新能力": dec("4"), "沟通协作能力": dec("4"), // 能 18
		"工作责任心": dec("5"), "工作作风": dec("4.5"), "出勤情况": dec("5"), // 勤 14.5
		"工作负荷": dec("14"), "工作效率": dec("9"), "工作成效": dec("9"), // 绩 32
		"遵章守纪情况": dec("4"), "艰苦奋斗勤俭节约情况": dec("3"), "日常信访举报情况": dec("3"), // 廉 10
	}
	res := score(t, s, &PeriodInput{People: []PersonInput{{ID: "p", Unit: "u", Sources: leaderInd(leaves)}}})
	p := personOf(t, res, "p")
	// 19 + 18 + 14.5 + 32 + 10 = 93.5 → 好 (90分及以上).
	checkPerson(t, p, want{score: "93.5", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted},
		explain: []string{"德19/20", "能18/20", "勤14.5/15", "绩32/35", "廉10/10", "合计93.5", "90分及以上", "至多0人"}})
	items := map[string]string{}
	for _, it := range p.Items {
		items[it.ID] = it.Score.String()
	}
	// Items are the top-level items; the leaves are in the input.
	for id, w := range map[string]string{"德": "19", "能": "18", "勤": "14.5", "绩": "32", "廉": "10"} {
		if items[id] != w {
			t.Errorf("item %s = %q, want %s", id, items[id], w)
		}
	}
	// A unit of one: 40% × 1 = 0.4, floor 0 — "40%以内" allows no 好 (the
	// quota explanation says so).
	if q := quotaOf(t, res, "unit", "u"); q.MaxCount == nil || *q.MaxCount != 0 {
		t.Errorf("max count = %v, want 0", q.MaxCount)
	}
}

// 三(二): "弹性指标加减分最高均不超过5分，同一件事加减分不累计".
func TestS4Adjustments(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")
	tests := []struct {
		name      string
		base      string
		adj       []AdjustmentInput
		score     string
		bonus     string
		deduction string
		explain   []string
	}{
		{"加分3_88到91", "88", []AdjustmentInput{{Event: "e1", Kind: "bonus", Points: dec("3"), Reason: "防汛表彰"}},
			"91", "3", "0", []string{"加分：防汛表彰 +3", "总分 = 88 + 加分3 − 减分0 = 91"}},
		{"加分合计7超过上限5", "88", []AdjustmentInput{
			{Event: "e1", Kind: "bonus", Points: dec("3"), Reason: "防汛表彰"},
			{Event: "e2", Kind: "bonus", Points: dec("4"), Reason: "疫情防控"}},
			"93", "5", "0", []string{"加分合计7分，超过上限5分，按5分计"}},
		{"减分6超过上限5", "80", []AdjustmentInput{
			{Event: "e1", Kind: "deduction", Points: dec("2"), Reason: "通报批评"},
			{Event: "e2", Kind: "deduction", Points: dec("4"), Reason: "工作失误"}},
			"75", "0", "5", []string{"减分合计6分，超过上限5分，按5分计", "75分（含）"}},
		{"同一件事加分不累计_取大", "86", []AdjustmentInput{
			{Event: "抗疫", Kind: "bonus", Points: dec("2"), Reason: "抗疫通报表扬"},
			{Event: "抗疫", Kind: "bonus", Points: dec("3"), Reason: "抗疫表彰"}},
			"89", "3", "0", []string{"同一件事加减分不累计：「抗疫通报表扬」2分不计，取3分"}},
		{"同一件事加减各计一次", "90", []AdjustmentInput{
			{Event: "项目", Kind: "bonus", Points: dec("2"), Reason: "项目提前完成"},
			{Event: "项目", Kind: "deduction", Points: dec("1"), Reason: "项目资料缺失"}},
			"91", "2", "1", []string{"加分：项目提前完成 +2", "减分：项目资料缺失 −1"}},
		{"上限后90_好", "85.5", []AdjustmentInput{
			{Event: "e1", Kind: "bonus", Points: dec("4.5"), Reason: "a"},
			{Event: "e2", Kind: "bonus", Points: dec("1"), Reason: "b"}},
			"90.5", "5", "0", []string{"加分合计5.5分，超过上限5分"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := s4Person(s, "p", tt.base)
			in.Adjustments = tt.adj
			res := score(t, s, &PeriodInput{People: []PersonInput{in}})
			p := personOf(t, res, "p")
			if p.Score == nil || !p.Score.Equal(D(tt.score).Decimal) {
				t.Errorf("score = %v, want %s", p.Score, tt.score)
			}
			if !p.Bonus.Equal(D(tt.bonus).Decimal) || !p.Deduction.Equal(D(tt.deduction).Decimal) {
				t.Errorf("bonus, deduction = %s, %s; want %s, %s", p.Bonus, p.Deduction, tt.bonus, tt.deduction)
			}
			explainHas(t, "p", p.Explain, tt.explain...)
		})
	}
}

// 四: "评为好等次公务员人数占本机关参加平时考核的公务员总人数的40%以内。好等次名额向
// 基层一线和艰苦岗位公务员倾斜。" Scheme: cap = floor(40% × n); over the cap the
// lowest drop one grade; ties at the cap go to the committee; at an equal
// score a front-line post ranks first.
func TestS4Quota(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")

	t.Run("超出名额者降为较好", func(t *testing.T) {
		t.Parallel()
		// n = 10 → 40% × 10 = 4. Six 好: 98 96 95 93 92 91; 92 and 91 drop.
		res := score(t, s, &PeriodInput{People: s4Unit(s, "98", "96", "95", "93", "92", "91", "88", "80", "70", "55")})
		for id, g := range map[string]string{"A": "好", "B": "好", "C": "好", "D": "好", "E": "较好", "F": "较好", "G": "较好", "H": "较好", "I": "一般", "J": "较差"} {
			if p := personOf(t, res, id); p.Grade != g {
				t.Errorf("%s: grade %q, want %q", id, p.Grade, g)
			}
		}
		checkPerson(t, personOf(t, res, "E"), want{score: "92", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted},
			explain: []string{"「好」超出名额（至多4人），按92分排第5位，降为「较好」"}})
		q := quotaOf(t, res, "unit", "局机关")
		if q.Participants != 10 || *q.MaxCount != 4 || q.Before != 6 || q.After != 4 || !sameSet(q.Demoted, []string{"E", "F"}) {
			t.Errorf("quota = %+v", q)
		}
		explainHas(t, "quota", []string{q.Explain}, "本单位参加考核10人，「好」不超过40%，即至多4人", "超出名额者降一个等次：E、F")
	})

	t.Run("7人名额取整为2", func(t *testing.T) {
		t.Parallel()
		// 40% × 7 = 2.8 → 2 ("以内" never exceeds 40%).
		res := score(t, s, &PeriodInput{People: s4Unit(s, "95", "94", "93", "80", "80", "80", "80")})
		q := quotaOf(t, res, "unit", "局机关")
		if *q.MaxCount != 2 || q.After != 2 || !sameSet(q.Demoted, []string{"C"}) {
			t.Errorf("quota = %+v", q)
		}
	})

	t.Run("名额线并列_提请委员会", func(t *testing.T) {
		t.Parallel()
		// n = 10, cap 4: 98 96 95 kept; D and E both 93 for the last place.
		people := s4Unit(s, "98", "96", "95", "93", "93", "85", "85", "80", "80", "70")
		res := score(t, s, &PeriodInput{People: people})
		for _, id := range []string{"D", "E"} {
			checkPerson(t, personOf(t, res, id), want{score: "93", scoreGrade: "好", state: StatePending, flags: []string{FlagTieAtCap},
				explain: []string{"与他人并列于「好」名额线，剩余名额1个，提请考核委员会审定"}})
		}
		checkPerson(t, personOf(t, res, "C"), want{score: "95", scoreGrade: "好", grade: "好"})
		q := quotaOf(t, res, "unit", "局机关")
		if !sameSet(q.Tied, []string{"D", "E"}) || len(q.Demoted) != 0 || q.After != 5 {
			t.Errorf("quota = %+v", q)
		}
		explainHas(t, "quota", []string{q.Explain}, "D、E并列于名额线，争夺1个名额，提请考核委员会审定")

		// Second call: the committee decides.
		res2 := score(t, s, &PeriodInput{People: people, Committee: &Committee{Decisions: []Decision{
			{Person: "D", Grade: "好", Reason: "承担专项任务较重"},
			{Person: "E", Grade: "较好", Reason: "名额已满"},
		}}})
		checkPerson(t, personOf(t, res2, "D"), want{score: "93", scoreGrade: "好", grade: "好", flags: []string{FlagCommittee},
			explain: []string{"考核委员会审定为「好」：承担专项任务较重"}})
		checkPerson(t, personOf(t, res2, "E"), want{score: "93", scoreGrade: "好", grade: "较好", flags: []string{FlagCommittee},
			explain: []string{"考核委员会审定为「较好」：名额已满"}})
		if q := quotaOf(t, res2, "unit", "局机关"); q.After != 4 || len(q.Tied) != 0 {
			t.Errorf("after committee: quota = %+v", q)
		}
	})

	t.Run("委员会审定的好等次也占名额", func(t *testing.T) {
		t.Parallel()
		// The committee raises E (88, 较好) to 好 while the four places are
		// taken: "40%以内" still holds, so the lowest scored 好 (D, 93) drops.
		people := s4Unit(s, "98", "96", "95", "93", "88", "85", "85", "80", "80", "70")
		res := score(t, s, &PeriodInput{People: people, Committee: &Committee{Decisions: []Decision{
			{Person: "E", Grade: "好", Reason: "牵头完成年度预算编制"}}}})
		checkPerson(t, personOf(t, res, "E"), want{score: "88", scoreGrade: "较好", grade: "好", flags: []string{FlagCommittee},
			explain: []string{"考核委员会审定为「好」：牵头完成年度预算编制"}})
		checkPerson(t, personOf(t, res, "D"), want{score: "93", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted}})
		if q := quotaOf(t, res, "unit", "局机关"); q.After != 4 || q.Before != 5 {
			t.Errorf("quota = %+v", q)
		}
	})

	t.Run("同分一线岗位优先", func(t *testing.T) {
		t.Parallel()
		people := s4Unit(s, "98", "96", "95", "93", "93", "85", "85", "80", "80", "70")
		people[4].Frontline = true // E: 基层一线
		res := score(t, s, &PeriodInput{People: people})
		checkPerson(t, personOf(t, res, "E"), want{score: "93", scoreGrade: "好", grade: "好"})
		checkPerson(t, personOf(t, res, "D"), want{score: "93", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted},
			explain: []string{"按93分排第5位"}})
	})

	t.Run("直接确定为好占名额", func(t *testing.T) {
		t.Parallel()
		// 五、1: 直接确定为好等次. J (score 70) is 好 directly and holds a place,
		// so of 98 96 95 93 92 only the first three keep 好.
		people := s4Unit(s, "98", "96", "95", "93", "92", "85", "85", "80", "80", "70")
		people[9].Status = &Status{Direct: &DirectInput{Grade: "top", Reason: "承担急难险重任务、处理复杂问题、应对重大考验表现突出"}}
		res := score(t, s, &PeriodInput{People: people})
		checkPerson(t, personOf(t, res, "J"), want{score: "70", scoreGrade: "好", grade: "好", flags: []string{FlagDirect},
			explain: []string{"直接确定为「好」：承担急难险重任务"}})
		checkPerson(t, personOf(t, res, "D"), want{score: "93", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted}})
		checkPerson(t, personOf(t, res, "E"), want{score: "92", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted}})
	})
}

// 五、1 and 五、5: direct determinations regardless of score.
func TestS4Direct(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")
	tests := []struct {
		name   string
		total  string
		direct DirectInput
		grade  string
	}{
		{"五1_急难险重_直接好", "80", DirectInput{Grade: "top", Reason: "承担急难险重任务、处理复杂问题、应对重大考验表现突出"}, "好"},
		{"五5_不服从组织安排_直接较差", "95", DirectInput{Grade: "bottom", Reason: "重大关头、关键时刻不服从组织安排"}, "较差"},
		{"五5_推诿扯皮_直接较差", "91", DirectInput{Grade: "bottom", Reason: "推诿扯皮、敷衍塞责造成不良后果"}, "较差"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Five people so the cap (2) leaves room.
			people := s4Unit(s, tt.total, "80", "80", "80", "80")
			d := tt.direct
			people[0].Status = &Status{Direct: &d}
			res := score(t, s, &PeriodInput{People: people})
			checkPerson(t, personOf(t, res, "A"), want{score: tt.total, scoreGrade: tt.grade, grade: tt.grade, flags: []string{FlagDirect},
				explain: []string{"直接确定为「" + tt.grade + "」：" + tt.direct.Reason}})
		})
	}
}

// 注意事项3, 7, 8, 11: the states in which S4 gives no grade (or a set one).
func TestS4NotGraded(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")
	const wd = 62 // the quarter's working days; half is 31
	tests := []struct {
		name    string
		total   string // "" = no score data
		status  Status
		want    want
		comment string
	}{
		{name: "注意事项3_试用期只写评语", total: "95", status: Status{Probation: true},
			want: want{score: "95", state: StateCommentOnly, explain: []string{"试用期内参加平时考核，只写评语，不确定等次"}}},
		{name: "注意事项3_试用期无分数也可", status: Status{Probation: true},
			want: want{state: StateCommentOnly}},
		{name: "注意事项7_病事假31.5天超过一半", status: Status{Leave: []LeaveInput{{Kind: "病假", Days: dec("20")}, {Kind: "事假", Days: dec("11.5")}}},
			want: want{state: StateNotGraded, explain: []string{"病、事假累计31.5个工作日，超过考核周期62个工作日的一半"}}},
		{name: "注意事项7_病假31天恰为一半仍定等次", total: "91", status: Status{Leave: []LeaveInput{{Kind: "病假", Days: dec("31")}}},
			want: want{score: "91", scoreGrade: "好", grade: "好"}},
		{name: "注意事项7_产假婚假不计入", total: "80", status: Status{Leave: []LeaveInput{{Kind: "产假", Days: dec("50")}, {Kind: "病假", Days: dec("5")}}},
			want: want{score: "80", scoreGrade: "较好", grade: "较好"}},
		{name: "注意事项8_工伤病假超过一半_较好", total: "95", status: Status{Leave: []LeaveInput{{Kind: "工伤假", Days: dec("40")}}},
			want: want{score: "95", scoreGrade: "较好", grade: "较好", flags: []string{FlagDirect}, explain: []string{"工伤病假40个工作日，超过考核周期一半，确定为「较好」"}}},
		{name: "注意事项8_工伤病假无分数", status: Status{Leave: []LeaveInput{{Kind: "工伤假", Days: dec("62")}}},
			want: want{scoreGrade: "较好", grade: "较好", flags: []string{FlagDirect}}},
		{name: "注意事项11_立案调查暂不定等次", total: "92", status: Status{Investigation: true},
			want: want{score: "92", scoreGrade: "好", state: StateWithheld, explain: []string{"暂不确定等次，结案后按规定补定"}}},
		// s4.yaml's decision: a warning bars only the top grade (the note's
		// 补定 clause and the annual rules it refers to; S5 六(三) says so).
		{name: "注意事项11_警告处分期间不得为好", total: "92", status: Status{Sanction: "警告"},
			want: want{score: "92", scoreGrade: "较好", grade: "较好", flags: []string{FlagCapped}, explain: []string{"受警告处分期间不得确定为「好」，定为「较好」"}}},
		{name: "注意事项11_党内警告期间不得为好", total: "95", status: Status{Sanction: "党内警告"},
			want: want{score: "95", scoreGrade: "较好", grade: "较好", flags: []string{FlagCapped}}},
		{name: "注意事项11_警告期间较好不变", total: "80", status: Status{Sanction: "警告"},
			want: want{score: "80", scoreGrade: "较好", grade: "较好"}},
		{name: "注意事项11_党内严重警告期间不确定等次", total: "92", status: Status{Sanction: "党内严重警告"},
			want: want{score: "92", state: StateNotGraded, explain: []string{"受党内严重警告处分期间，不确定等次"}}},
		{name: "注意事项11_记过处分期间不确定等次", status: Status{Sanction: "记过"},
			want: want{state: StateNotGraded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := PersonInput{ID: "p", Unit: "u"}
			if tt.total != "" {
				p = s4Person(s, "p", tt.total)
			}
			st := tt.status
			p.Status = &st
			// Four colleagues at 80 so the cap (floor(2)) does not bind.
			people := append([]PersonInput{p}, s4Unit(s, "80", "80", "80", "80")...)
			for i := range people {
				people[i].Unit = "u"
			}
			res := score(t, s, &PeriodInput{Period: PeriodInfo{ID: "2026Q3", WorkingDays: wd}, People: people})
			w := tt.want
			if w.scoreGrade == "" && w.state == StateWithheld {
				w.scoreGrade = "-"
			}
			checkPerson(t, personOf(t, res, "p"), w)
		})
	}
}

// A short leave is graded as usual, so it still needs the score data.
func TestS4ShortLeaveNeedsScore(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")
	_, err := ScorePeriod(s, &PeriodInput{Period: PeriodInfo{WorkingDays: 62}, People: []PersonInput{
		{ID: "p", Unit: "u", Status: &Status{Leave: []LeaveInput{{Kind: "病假", Days: dec("3")}}}},
	}})
	wantInputError(t, err, "p", "sources.leader")
}

// 五、4, 五、6, 五、7: annual rules over the four quarters.
func TestS4Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s4")
	tests := []struct {
		name     string
		periods  []PeriodRecord
		proposed string
		periodic string
		max      string
		grade    string
		priority []string
		explain  []string
	}{
		{"五4_全年均为好_优先优秀", records("好:95", "好:92", "好:91", "好:90"), "优秀", "92", "", "优秀", []string{"优秀"},
			[]string{"好4次", "平时考核成绩 = 各期得分之和368 ÷ 4 = 92", "全年均为好等次，优先确定为优秀"}},
		{"五4_好等次恰好一半可评优秀", records("好:92", "较好:88", "好:91", "较好:85"), "优秀", "89", "", "优秀", nil, nil},
		{"五4_好等次不足一半不得优秀", records("好:92", "较好:88", "较好:86", "较好:85"), "优秀", "87.75", "称职", "称职", nil,
			[]string{"好等次不足一半，不得评为优秀", "拟定「优秀」超过规则允许的最高等次，定为「称职」"}},
		{"五4_有一般等次不得优秀", records("好:92", "好:91", "好:90", "一般:70"), "优秀", "85.75", "称职", "称职", nil,
			[]string{"有一般、较差等次，不得评为优秀"}},
		{"五6_一般较差超过一半_基本称职", records("一般:70", "较差:55", "一般:65", "较好:80"), "称职", "67.5", "基本称职", "基本称职", nil,
			[]string{"一般、较差累计超过一半"}},
		{"五6_一般较差恰好一半_不触发", records("一般:70", "一般:65", "较好:80", "较好:82"), "称职", "74.25", "称职", "称职", nil, nil},
		{"五7_均为较差_不称职", records("较差:50", "较差:55", "较差:40", "较差:58"), "基本称职", "50.75", "基本称职", "不称职", nil,
			[]string{"均为较差，直接确定为不称职", "年度考核等次：不称职"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := scoreYear(t, s, &YearInput{Year: 2026, People: []YearPerson{{ID: "p", Unit: "u", Periods: tt.periods, Proposed: tt.proposed}}})
			p := yearOf(t, res, "p")
			if p.Periodic == nil || !p.Periodic.Equal(D(tt.periodic).Decimal) {
				t.Errorf("periodic = %v, want %s", p.Periodic, tt.periodic)
			}
			if p.MaxGrade != tt.max || p.Grade != tt.grade {
				t.Errorf("max, grade = %q, %q; want %q, %q", p.MaxGrade, p.Grade, tt.max, tt.grade)
			}
			if !sameSet(p.Priority, tt.priority) {
				t.Errorf("priority = %v, want %v", p.Priority, tt.priority)
			}
			explainHas(t, "p", p.Explain, tt.explain...)
		})
	}
}
