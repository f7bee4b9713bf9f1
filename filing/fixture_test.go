package filing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

var (
	ctx = context.Background()
	sh  = calendar.DefaultLocation()
)

func at(y int, m time.Month, d, hh int) time.Time { return time.Date(y, m, d, hh, 0, 0, 0, sh) }

// s4Scores spreads total points over S4's leaf indicators, taking points
// off the leaves in order from a full 100.
func s4Scores(total int) map[string]scoring.Dec {
	leaves := []struct {
		id  string
		max int
	}{
		{"思想政治素质", 6}, {"职业道德", 4}, {"社会公德", 6}, {"家庭美德", 4},
		{"岗位执行能力", 5}, {"综合业务能力", 6}, {"开拓创新能力", 5}, {"沟通协作能力", 4},
		{"工作责任心", 5}, {"工作作风", 5}, {"出勤情况", 5},
		{"工作负荷", 15}, {"工作效率", 10}, {"工作成效", 10},
		{"遵章守纪情况", 4}, {"艰苦奋斗勤俭节约情况", 3}, {"日常信访举报情况", 3},
	}
	off := 100 - total
	m := map[string]scoring.Dec{}
	for _, l := range leaves {
		take := min(off, l.max-1)
		off -= take
		m[l.id] = scoring.IntDec(int64(l.max - take))
	}
	return m
}

// person is one assessed person of the fixture.
type person struct {
	id, name, unit string
	// scores of Q1..Q3 (0: no result that quarter).
	scores [3]int
	status workflow.PersonStatus
	second string // AssessedBy
}

// fixturePeople are the small organisation the golden files show: two
// units, a seconded person, a probationer and a person under
// investigation.
var fixturePeople = []person{
	{id: "p01", name: "王晓明", unit: "u1", scores: [3]int{93, 91, 95}},
	{id: "p02", name: "李芳", unit: "u1", scores: [3]int{86, 88, 84}},
	{id: "p03", name: "赵刚", unit: "u1", scores: [3]int{72, 65, 70}},
	{id: "p04", name: "陈静", unit: "u2", scores: [3]int{90, 82, 92}, second: "u1"},
	{id: "p05", name: "刘洋", unit: "u2", scores: [3]int{78, 80, 58}},
	{id: "p06", name: "孙丽", unit: "u2", scores: [3]int{0, 0, 88}, status: workflow.PersonStatus{Probation: true, Reason: "2026年7月新录用"}},
	{id: "p07", name: "周强", unit: "u2", scores: [3]int{81, 79, 0}, status: workflow.PersonStatus{Investigation: true, Reason: "涉嫌违纪立案调查"}},
}

// grades maps a score to the scheme's grade labels by S4's bands
// (90/75/60), which is what the fixture's results say.
func gradeFor(labels []string, score int) string {
	switch {
	case score >= 90:
		return labels[0]
	case score >= 75:
		return labels[1]
	case score >= 60:
		return labels[2]
	}
	return labels[3]
}

// fixture stores a year of the small organisation (Q1–Q3 closed and
// published, annual results composed) under scheme schemeID, plus extra
// generated people (for the benchmark), and reads the filing of id.
func fixture(t testing.TB, schemeID string, extra int, id string) workflow.Filing {
	t.Helper()
	st, sc := fixtureStore(t, schemeID, extra)
	f, err := workflow.LoadFiling(ctx, st, workflow.FilingOptions{Scheme: sc, Today: calendar.NewDate(2026, 10, 28)}, id)
	if err != nil {
		t.Fatalf("LoadFiling(%s): %v", id, err)
	}
	return f
}

// fixtureStore is the store fixture reads.
func fixtureStore(t testing.TB, schemeID string, extra int) (workflow.Store, *scoring.Scheme) {
	t.Helper()
	sc, err := scoring.Builtin(schemeID)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, g := range sc.Grades {
		labels = append(labels, g.Label)
	}
	st := memory.New()
	people := append([]person(nil), fixturePeople...)
	for i := range extra {
		people = append(people, person{id: fmt.Sprintf("x%04d", i), name: fmt.Sprintf("干部%04d", i), unit: fmt.Sprintf("u%d", 3+i%10),
			scores: [3]int{60 + i%40, 70 + i%30, 55 + i%45}})
	}
	err = st.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.PutSettings(ctx, workflow.Settings{Name: "县财政局", Head: "head", PublicChats: []string{"oc_pub"}}); err != nil {
			return err
		}
		units := []workflow.Unit{
			{ID: "u1", Name: "办公室", Leader: "l1", Supervisor: "s1"},
			{ID: "u2", Name: "预算股", Leader: "l2", Supervisor: "s1"},
		}
		for i := range 10 {
			units = append(units, workflow.Unit{ID: fmt.Sprintf("u%d", 3+i), Name: fmt.Sprintf("业务%d股", i+1), Leader: "l1", Supervisor: "s1"})
		}
		for _, u := range units {
			if err := tx.PutUnit(ctx, u); err != nil {
				return err
			}
		}
		leaders := []workflow.Person{
			{ID: "head", Name: "张国强", Committee: true}, {ID: "s1", Name: "李卫东", Committee: true},
			{ID: "l1", Name: "吴建华", Unit: "u1"}, {ID: "l2", Name: "郑秀英", Unit: "u2"}, {ID: "hr", Name: "何敏", HR: true},
		}
		for _, p := range leaders {
			p.Version = 1
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
		}
		for _, p := range people {
			per := workflow.Person{ID: p.id, Name: p.name, Unit: p.unit, AssessedBy: p.second, Group: p.unit, Assessed: true, Status: p.status, Version: 1}
			if p.id == "p05" {
				per.Absences = []workflow.Absence{{Kind: "病假", Start: calendar.NewDate(2026, 8, 10), End: calendar.NewDate(2026, 8, 12)}}
			}
			if err := tx.CreatePerson(ctx, per); err != nil {
				return err
			}
		}
		for q := 1; q <= 3; q++ {
			pid := fmt.Sprintf("2026-Q%d", q)
			cp := calendar.MustParsePeriod(pid)
			end := cp.End()
			pub := at(end.Year, end.Month, end.Day, 9).AddDate(0, 0, 12)
			statuses := map[string]workflow.PersonStatus{}
			for _, p := range people {
				statuses[p.id] = p.status
			}
			top := 0
			for _, p := range people {
				if s := p.scores[q-1]; s >= 90 {
					top++
				}
			}
			per := workflow.Period{ID: pid, Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(), State: workflow.PeriodClosed,
				SummaryDue: end.AddDays(5), FilingDue: end.AddDays(36), PublishedAt: pub,
				PublicityEnd: calendar.DateOf(pub).AddDays(7), ReviewEnd: calendar.DateOf(pub).AddDays(15), Statuses: statuses,
				Quotas:  []scoring.QuotaResult{{Grade: labels[0], Scope: "unit", Key: "*", Participants: len(people) - 1, Before: top, After: top}},
				Version: 1}
			if err := tx.CreatePeriod(ctx, per); err != nil {
				return err
			}
			for i, p := range people {
				score := p.scores[q-1]
				if score == 0 {
					continue
				}
				if err := storeQuarter(tx, pid, cp, p, score, labels, i < len(fixturePeople)); err != nil {
					return err
				}
			}
		}
		// 复核: 刘洋 asked about Q3 and the committee kept the grade.
		if err := tx.CreateReview(ctx, workflow.Review{ID: "2026-Q3/p05", Period: "2026-Q3", Person: "p05", Reason: "对等次有异议",
			State: workflow.ReviewUpheld, OldGrade: labels[3], NewGrade: labels[3], Version: 1}); err != nil {
			return err
		}
		for _, p := range people {
			n := 0
			for _, s := range p.scores {
				if s >= 90 {
					n++
				}
			}
			g := labels[1]
			if n >= 2 {
				g = labels[0]
			}
			if err := tx.PutAnnual(ctx, workflow.AnnualResult{Year: 2026, Person: p.id, Grade: annualLabel(sc, g)}); err != nil {
				return err
			}
		}
		// The 年度测评's 优秀票 for the first two people (S9's 年终测评):
		// five ballots each, four and then two marking 优秀; the others
		// have none, and their columns stay blank.
		var ballots []workflow.YearBallot
		for i, target := range []string{people[0].id, people[1].id} {
			for v := range 5 {
				score := scoring.D("0")
				if v < 4-2*i {
					score = scoring.D("1")
				}
				ballots = append(ballots, workflow.YearBallot{Year: 2026, Source: workflow.SourceExcellent, Target: target, Score: score})
			}
		}
		if err := tx.AddYearBallots(ctx, ballots); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return st, sc
}

// annualLabel maps a period grade to the scheme's annual grades by
// position (S4's annual grades are 优秀/称职/…).
func annualLabel(sc *scoring.Scheme, g string) string {
	if sc.Annual == nil || len(sc.Annual.Grades) == 0 {
		return g
	}
	for i, x := range sc.Grades {
		if x.Label == g && i < len(sc.Annual.Grades) {
			return sc.Annual.Grades[i]
		}
	}
	return g
}

// storeQuarter writes one person's quarter: the records, the chain and
// the result. detailed people get the full set; generated ones the same,
// so the benchmark costs what a real unit does.
func storeQuarter(tx workflow.Tx, pid string, cp calendar.Period, p person, score int, labels []string, detailed bool) error {
	end := cp.End()
	sub := at(end.Year, end.Month, end.Day, 10).AddDate(0, 0, 2)
	if err := tx.CreateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryQuarterly, Person: p.id, Period: pid}, Cycle: pid,
		State: workflow.EntrySubmitted, SubmittedAt: sub, Version: 1, Body: workflow.EntryBody{
			Summary:  "1. 按时完成预算编制和执行分析，全年无差错；\n2. 牵头完成财政资金专项检查，整改问题12项；\n3. 完成领导交办的临时性工作。",
			Training: "参加县委党校公务员素质提升培训班（5天）；参加财政业务线上培训2次。"}}); err != nil {
		return err
	}
	for m := range 3 {
		month := calendar.PeriodContaining(calendar.Month, cp.Start().AddDays(31*m))
		if m < 2 {
			if err := tx.CreateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryMonthly, Person: p.id, Period: month.String()},
				Cycle: pid, State: workflow.EntryCommented, Comment: "工作扎实，按时完成。", SubmittedAt: sub, Version: 1, Body: workflow.EntryBody{
					Goals: "完成月度预算执行分析", Completion: "已完成并报送分析报告", Unfinished: []workflow.Unfinished{{Item: "档案整理", Reason: "配合专项检查，顺延至下月"}}}}); err != nil {
				return err
			}
		} else {
			w := calendar.PeriodContaining(calendar.Week, month.Start().AddDays(7))
			if err := tx.CreateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryWeekly, Person: p.id, Period: w.String()},
				Cycle: pid, State: workflow.EntrySubmitted, SubmittedAt: sub, Version: 1, Body: workflow.EntryBody{
					Tasks: []workflow.Task{{Title: "起草季度工作总结", Progress: 100}, {Title: "核对专项资金台账", Progress: 60}}}}); err != nil {
				return err
			}
		}
		if m == 1 {
			body := workflow.EntryBody{Late: 1, Leave: []scoring.LeaveInput{{Kind: "事假", Days: scoring.IntDec(1)}}}
			if p.id == "p03" {
				body.Leave = append(body.Leave, scoring.LeaveInput{Kind: "旷工", Days: scoring.IntDec(1)})
				body.Early = 2
			}
			if err := tx.CreateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryAttendance, Person: p.id, Period: month.String()},
				Cycle: pid, State: workflow.EntrySubmitted, SubmittedAt: sub, CommentBy: "hr", Version: 1, Body: body}); err != nil {
				return err
			}
		}
	}
	grade := gradeFor(labels, score)
	leader := "l1"
	if p.unit == "u2" && p.second == "" {
		leader = "l2"
	}
	a := workflow.Assessment{Indicators: s4Scores(score), Comment: "该同志工作认真负责，业务熟练，能按时完成各项工作任务。"}
	chain := []struct{ role, name, who string }{
		{workflow.RoleUnitLeader, "初评", leader}, {workflow.RoleSupervisor, "审定", "s1"}, {workflow.RoleHead, "评鉴", "head"},
	}
	for i, c := range chain {
		st := workflow.Step{ID: fmt.Sprintf("%s/%s/%d", pid, p.id, i+1), Period: pid, Person: p.id, Seq: i + 1, Index: i, Role: c.role, Name: c.name,
			Assignee: c.who, State: workflow.StepApproved, Assessment: a, ActedBy: c.who, ActedAt: sub.AddDate(0, 0, 1+i), Version: 2}
		if i == 1 && p.id == "p02" && pid == "2026-Q3" {
			// 审定 adjusted 李芳's assessment (a bonus for the special
			// inspection).
			a.Adjustments = []scoring.AdjustmentInput{{Kind: "bonus", Event: "专项检查", Points: scoring.IntDec(3), Reason: "牵头专项检查成效突出"}}
			st.Assessment, st.Reason = a, "牵头专项检查成效突出，加3分"
		}
		if err := tx.CreateStep(ctx, st); err != nil {
			return err
		}
	}
	r := workflow.Result{Period: pid, Person: p.id, Grade: grade, ScoreGrade: grade, State: scoring.StateGraded, Version: 1}
	d := scoring.IntDec(int64(score))
	r.Score = &d
	switch {
	case p.status.Probation:
		r.Grade, r.State = "", scoring.StateCommentOnly
	case p.status.Investigation && pid == "2026-Q2":
		r.Grade, r.State = "", scoring.StateWithheld
	}
	if detailed && p.id == "p01" {
		r.Feedback = &workflow.Feedback{By: "l1", At: sub.AddDate(0, 0, 20), Strengths: "业务精通", Problems: "统筹不足", Requests: "加强学习"}
	}
	return tx.PutResult(ctx, r)
}
