package scoring

import (
	"testing"
)

// S8 — 《公务员平时（绩效）考核实施方案》 (《财政局公务员平时考核工作方案7篇》篇六).

func s8Person(s *Scheme, id, group, total string) PersonInput {
	return PersonInput{ID: id, Name: id, Unit: "局机关", Group: group, Sources: leaderInd(fill(s, total))}
}

// 四(二): "政治素质、能力水平、纪律作风、廉政建设各10分，工作绩效60分，其中，工作目标
// 10分，工作成效50分". 四(三)2: the 考核单元 测评 is taken into account but has
// no weight (scheme decision: shown, not counted).
func TestS8IndicatorTree(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s8")
	in := PersonInput{ID: "p", Unit: "局机关", Group: "综合科", Sources: map[string]SourceInput{
		"leader": {Indicators: map[string]Dec{"政治素质": dec("9"), "能力水平": dec("9"), "纪律作风": dec("10"),
			"工作目标": dec("9"), "工作成效": dec("45"), "廉政建设": dec("10")}},
		"democratic": {Votes: votes("90", "85", "80")},
	}}
	res := score(t, s, &PeriodInput{People: []PersonInput{in}})
	p := personOf(t, res, "p")
	// 9 + 9 + 10 + (9 + 45) + 10 = 92; the 测评 average 85 is not added.
	checkPerson(t, p, want{score: "92", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted},
		explain: []string{"工作绩效54/60", "合计92", "考核单元民主测评：6票平均85（仅供参考，不计入总分）"}})
	found := false
	for _, it := range p.Items {
		if it.ID == "工作绩效" {
			found = true
			if !it.Score.Equal(D("54").Decimal) || !it.Max.Equal(D("60").Decimal) {
				t.Errorf("工作绩效 = %s/%s, want 54/60", it.Score, it.Max)
			}
		}
	}
	if !found {
		t.Error("no 工作绩效 item")
	}
}

// "加分项目总分值10分…扣分项目总分值10分"; the same event counts once.
func TestS8Adjustments(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s8")
	tests := []struct {
		name  string
		base  string
		adj   []AdjustmentInput
		score string
		expl  []string
	}{
		{"加分12超过上限10", "85", []AdjustmentInput{
			{Event: "a", Kind: "bonus", Points: dec("6"), Reason: "嘉奖"}, {Event: "b", Kind: "bonus", Points: dec("6"), Reason: "专项表彰"}},
			"95", []string{"加分合计12分，超过上限10分，按10分计"}},
		{"扣分11超过上限10", "80", []AdjustmentInput{
			{Event: "a", Kind: "deduction", Points: dec("5"), Reason: "通报批评"}, {Event: "b", Kind: "deduction", Points: dec("6"), Reason: "工作失误"}},
			"70", []string{"减分合计11分，超过上限10分，按10分计"}},
		{"同一件事只计一次", "80", []AdjustmentInput{
			{Event: "督查", Kind: "deduction", Points: dec("4"), Reason: "督查通报"}, {Event: "督查", Kind: "deduction", Points: dec("2"), Reason: "督查约谈"}},
			"76", []string{"同一件事加减分不累计：「督查约谈」2分不计，取4分"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := s8Person(s, "p", "综合科", tt.base)
			in.Adjustments = tt.adj
			res := score(t, s, &PeriodInput{People: []PersonInput{in}})
			p := personOf(t, res, "p")
			if !p.Score.Equal(D(tt.score).Decimal) {
				t.Errorf("score = %s, want %s", p.Score, tt.score)
			}
			explainHas(t, "p", p.Explain, tt.expl...)
		})
	}
}

// "同一考核单元好等次不能超过考核对象人数的40%" and "好等次不能超过本单位考核对象总人数的
// 40%"; "好等次名额应当向基层一线和艰苦岗位公务员倾斜".
func TestS8Quota(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s8")
	unit := func() []PersonInput {
		return []PersonInput{
			// 综合科: 5 people, at most 2 好.
			s8Person(s, "Z1", "综合科", "96"), s8Person(s, "Z2", "综合科", "94"), s8Person(s, "Z3", "综合科", "91"),
			s8Person(s, "Z4", "综合科", "85"), s8Person(s, "Z5", "综合科", "80"),
			// 执法科: 5 people, at most 2 好; Y2 and Y3 tie at 93.
			s8Person(s, "Y1", "执法科", "97"), s8Person(s, "Y2", "执法科", "93"), s8Person(s, "Y3", "执法科", "93"),
			s8Person(s, "Y4", "执法科", "82"), s8Person(s, "Y5", "执法科", "76"),
		}
	}
	t.Run("按考核单元和本单位各限40%", func(t *testing.T) {
		t.Parallel()
		res := score(t, s, &PeriodInput{People: unit()})
		checkPerson(t, personOf(t, res, "Z3"), want{score: "91", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted},
			explain: []string{"「好」超出名额（至多2人），按91分排第3位，降为「较好」"}})
		for _, id := range []string{"Y2", "Y3"} {
			checkPerson(t, personOf(t, res, id), want{score: "93", scoreGrade: "好", state: StatePending, flags: []string{FlagTieAtCap}})
		}
		gz := quotaOf(t, res, "group", "局机关/综合科")
		if gz.Participants != 5 || *gz.MaxCount != 2 || !sameSet(gz.Demoted, []string{"Z3"}) {
			t.Errorf("综合科 quota = %+v", gz)
		}
		explainHas(t, "quota", []string{gz.Explain}, "本考核单元参加考核5人，「好」不超过40%，即至多2人")
		gy := quotaOf(t, res, "group", "局机关/执法科")
		if !sameSet(gy.Tied, []string{"Y2", "Y3"}) {
			t.Errorf("执法科 quota = %+v", gy)
		}
		u := quotaOf(t, res, "unit", "局机关")
		if u.Participants != 10 || *u.MaxCount != 4 {
			t.Errorf("unit quota = %+v", u)
		}
	})
	t.Run("同分一线岗位优先", func(t *testing.T) {
		t.Parallel()
		ps := unit()
		ps[7].Frontline = true // Y3
		res := score(t, s, &PeriodInput{People: ps})
		checkPerson(t, personOf(t, res, "Y3"), want{score: "93", scoreGrade: "好", grade: "好"})
		checkPerson(t, personOf(t, res, "Y2"), want{score: "93", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted}})
		if u := quotaOf(t, res, "unit", "局机关"); u.After != 4 {
			t.Errorf("unit quota = %+v", u)
		}
	})
	t.Run("委员会审定并列", func(t *testing.T) {
		t.Parallel()
		res := score(t, s, &PeriodInput{People: unit(), Committee: &Committee{Decisions: []Decision{
			{Person: "Y2", Grade: "较好", Reason: "名额已满"}, {Person: "Y3", Grade: "好", Reason: "执法任务量大"}}}})
		checkPerson(t, personOf(t, res, "Y2"), want{score: "93", scoreGrade: "好", grade: "较好", flags: []string{FlagCommittee}})
		checkPerson(t, personOf(t, res, "Y3"), want{score: "93", scoreGrade: "好", grade: "好", flags: []string{FlagCommittee}})
		if u := quotaOf(t, res, "unit", "局机关"); u.After != 4 || u.Before != 4 {
			t.Errorf("unit quota = %+v", u)
		}
	})
	t.Run("直接确定为好超过名额_提请委员会", func(t *testing.T) {
		t.Parallel()
		ps := unit()
		for _, i := range []int{3, 4} { // Z4, Z5: 嘉奖
			ps[i].Status = &Status{Direct: &DirectInput{Grade: "top", Reason: "因日常工作获得嘉奖及以上表彰奖励"}}
		}
		ps[0].Status = &Status{Direct: &DirectInput{Grade: "top", Reason: "承担急难险重任务表现突出"}}
		res := score(t, s, &PeriodInput{People: ps})
		g := quotaOf(t, res, "group", "局机关/综合科")
		if !sameSet(g.Flags, []string{FlagDirectOverCap}) {
			t.Errorf("综合科 quota = %+v", g)
		}
		explainHas(t, "quota", []string{g.Explain}, "直接确定或审定的「好」3人已超过名额")
		// The scored ones lose 好; the committee decides which of the three
		// direct ones keep it within the cap of two.
		checkPerson(t, personOf(t, res, "Z2"), want{score: "94", scoreGrade: "好", grade: "较好", flags: []string{FlagDemoted}})
		checkPerson(t, personOf(t, res, "Z5"), want{score: "80", scoreGrade: "好", state: StatePending, flags: []string{FlagDirect, FlagDirectOverCap}})
		if !sameSet(g.Tied, []string{"Z1", "Z4", "Z5"}) {
			t.Errorf("tied for the committee = %v, want the three direct", g.Tied)
		}
		decide := func(grades ...string) *QuotaResult {
			var ds []Decision
			for i, id := range []string{"Z1", "Z4", "Z5"} {
				ds = append(ds, Decision{Person: id, Grade: grades[i], Reason: "委员会研究"})
			}
			res := score(t, s, &PeriodInput{People: ps, Committee: &Committee{Decisions: ds}})
			return quotaOf(t, res, "group", "局机关/综合科")
		}
		if q := decide("好", "好", "较好"); len(q.Flags) != 0 || q.After != 2 {
			t.Errorf("two kept: quota %+v", q)
		}
		if q := decide("好", "好", "好"); !sameSet(q.Flags, []string{FlagDirectOverCap}) {
			t.Errorf("all three kept: quota %+v, want it flagged over the cap", q)
		}
	})
}

// "受到党内严重警告或行政记过以上处分的，当期平时考核结果直接确定为较差等次"; direct
// determinations either way.
func TestS8Special(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s8")
	tests := []struct {
		name   string
		total  string
		status Status
		want   want
	}{
		{"行政记过_较差", "95", Status{Sanction: "记过"},
			want{score: "95", scoreGrade: "较差", grade: "较差", flags: []string{FlagDirect}, explain: []string{"受记过处分，直接确定为「较差」"}}},
		{"党内严重警告_较差", "88", Status{Sanction: "党内严重警告"}, want{score: "88", scoreGrade: "较差", grade: "较差", flags: []string{FlagDirect}}},
		{"嘉奖_直接好", "82", Status{Direct: &DirectInput{Grade: "top", Reason: "因日常工作获得嘉奖及以上表彰奖励"}},
			want{score: "82", scoreGrade: "好", grade: "好", flags: []string{FlagDirect}}},
		{"推诿扯皮_直接较差", "92", Status{Direct: &DirectInput{Grade: "bottom", Reason: "推诿扯皮、敷衍塞责造成不良后果"}},
			want{score: "92", scoreGrade: "较差", grade: "较差", flags: []string{FlagDirect}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := s8Person(s, "p", "综合科", tt.total)
			st := tt.status
			p.Status = &st
			people := []PersonInput{p, s8Person(s, "a", "综合科", "80"), s8Person(s, "b", "综合科", "80"), s8Person(s, "c", "综合科", "80"), s8Person(s, "d", "综合科", "80")}
			res := score(t, s, &PeriodInput{People: people})
			checkPerson(t, personOf(t, res, "p"), tt.want)
		})
	}
}

func TestS8GroupRequired(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s8")
	_, err := ScorePeriod(s, &PeriodInput{People: []PersonInput{s8Person(s, "p", "", "90")}})
	wantInputError(t, err, "p", "group")
}
