package scoring

import (
	"testing"
)

// Bad inputs: each is an error naming the person and the field, and no
// result is produced.
func TestBadPeriodInput(t *testing.T) {
	t.Parallel()
	s4 := builtin(t, "s4")
	s1 := builtin(t, "s1")
	s5 := builtin(t, "s5")
	s6 := builtin(t, "s6")
	ok4 := func(id string) PersonInput { return s4Person(s4, id, "85") }
	tests := []struct {
		name   string
		s      *Scheme
		in     PeriodInput
		person string
		field  string
	}{
		{"未知指标", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Sources["leader"].Indicators["加班时长"] = dec("3")
			return p
		}()}}, "p1", "sources.leader.indicators.加班时长"},
		{"分数超过该项满分", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Sources["leader"].Indicators["思想政治素质"] = dec("6.5") // max 6
			return p
		}()}}, "p1", "sources.leader.indicators.思想政治素质"},
		{"负分", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Sources["leader"].Indicators["工作负荷"] = dec("-1")
			return p
		}()}}, "p1", "sources.leader.indicators.工作负荷"},
		{"缺少指标分", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			delete(p.Sources["leader"].Indicators, "廉")
			delete(p.Sources["leader"].Indicators, "日常信访举报情况")
			return p
		}()}}, "p1", "sources.leader.indicators.日常信访举报情况"},
		{"对父项直接打分", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Sources["leader"].Indicators["德"] = dec("18")
			return p
		}()}}, "p1", "sources.leader.indicators.德"},
		{"缺少民主测评", s1, PeriodInput{People: []PersonInput{{ID: "p1", Unit: "乡机关",
			Sources: leaderInd(s1Leaves("14", "13", "14", "36", "32", "14"))}}}, "p1", "sources.democratic"},
		{"未知评价主体", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Sources["masses"] = SourceInput{Votes: votes("90")}
			return p
		}()}}, "p1", "sources.masses"},
		{"委员会审定未知人员", s4, PeriodInput{People: []PersonInput{ok4("p1")},
			Committee: &Committee{Decisions: []Decision{{Person: "p9", Grade: "好", Reason: "r"}}}}, "p9", "committee.decisions[0].person"},
		{"委员会审定未知等次", s4, PeriodInput{People: []PersonInput{ok4("p1")},
			Committee: &Committee{Decisions: []Decision{{Person: "p1", Grade: "优秀", Reason: "r"}}}}, "p1", "committee.decisions[0].grade"},
		{"委员会审定无理由", s4, PeriodInput{People: []PersonInput{ok4("p1")},
			Committee: &Committee{Decisions: []Decision{{Person: "p1", Grade: "好"}}}}, "p1", "committee.decisions[0].reason"},
		{"领导评定未知档次", s5, PeriodInput{People: []PersonInput{{ID: "p1", Unit: "u", Grade: "E"}}}, "p1", "grade"},
		{"按分数定等次的方案不收等次", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Grade = "好"
			return p
		}()}}, "p1", "grade"},
		{"领导未评定档次", s5, PeriodInput{People: []PersonInput{{ID: "p1", Unit: "u"}}}, "p1", "grade"},
		{"重复人员", s4, PeriodInput{People: []PersonInput{ok4("p1"), ok4("p2"), ok4("p1")}}, "p1", "id"},
		{"缺少单位", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Unit = ""
			return p
		}()}}, "p1", "unit"},
		{"未知假别", s4, PeriodInput{Period: PeriodInfo{WorkingDays: 62}, People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Status = &Status{Leave: []LeaveInput{{Kind: "调休", Days: dec("2")}}}
			return p
		}()}}, "p1", "status.leave[0].kind"},
		{"未知处分", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Status = &Status{Sanction: "罚款"}
			return p
		}()}}, "p1", "status.sanction"},
		{"直接确定无理由", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Status = &Status{Direct: &DirectInput{Grade: "top"}}
			return p
		}()}}, "p1", "status.direct.reason"},
		{"方案无直接确定", s6, PeriodInput{People: []PersonInput{{ID: "p1", Unit: "u", Tier: "其他",
			Sources: leaderInd(fill(s6, "80")), Status: &Status{Direct: &DirectInput{Grade: "top", Reason: "r"}}}}}, "p1", "status.direct.grade"},
		{"加减分无理由", s4, PeriodInput{People: []PersonInput{func() PersonInput {
			p := ok4("p1")
			p.Adjustments = []AdjustmentInput{{Event: "e", Kind: "bonus", Points: dec("1")}}
			return p
		}()}}, "p1", "adjustments[0].reason"},
		{"S6等级与分数不符", s6, PeriodInput{People: []PersonInput{{ID: "p1", Unit: "u", Tier: "其他",
			Sources: map[string]SourceInput{"leader": {Indicators: fill(s6, "100"), Levels: map[string]string{"目标任务完成情况": "称职"}}}}}},
			"p1", "sources.leader.indicators.目标任务完成情况"},
		{"测评票超过100分", s1, PeriodInput{People: []PersonInput{{ID: "p1", Unit: "乡机关", Sources: map[string]SourceInput{
			"leader": {Indicators: s1Leaves("14", "13", "14", "36", "32", "14")}, "democratic": {Votes: votes("90", "101")}}}}},
			"p1", "sources.democratic.votes[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			res, err := ScorePeriod(tt.s, &in)
			if res != nil {
				t.Errorf("got a result with a bad input")
			}
			wantInputError(t, err, tt.person, tt.field)
		})
	}
}

func TestBadYearInput(t *testing.T) {
	t.Parallel()
	s4 := builtin(t, "s4")
	tests := []struct {
		name, person, field string
		people              []YearPerson
	}{
		{"未知季度等次", "p1", "periods[1].grade", []YearPerson{{ID: "p1", Unit: "u", Periods: records("好:90", "优:95")}}},
		{"季度重复", "p1", "periods[1].period", []YearPerson{{ID: "p1", Unit: "u", Periods: []PeriodRecord{{Period: "Q1", Grade: "好"}, {Period: "Q1", Grade: "好"}}}}},
		{"超过4个季度", "p1", "periods", []YearPerson{{ID: "p1", Unit: "u", Periods: records("好", "好", "好", "好", "好")}}},
		{"未知年度拟定等次", "p1", "proposed", []YearPerson{{ID: "p1", Unit: "u", Periods: records("好"), Proposed: "好"}}},
		{"重复人员", "p1", "id", []YearPerson{{ID: "p1", Unit: "u"}, {ID: "p1", Unit: "u"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := ScoreYear(s4, &YearInput{People: tt.people})
			if res != nil {
				t.Errorf("got a result with a bad input")
			}
			wantInputError(t, err, tt.person, tt.field)
		})
	}
}
