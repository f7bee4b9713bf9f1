package workflow_test

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// event is something that happens at a time in a simulated quarter.
type event struct {
	at time.Time
	do func()
}

// run advances the clock through the events in time order.
func (h *harness) run(evs []event) {
	h.t.Helper()
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at.Before(evs[j].at) })
	for _, e := range evs {
		h.advance(e.at)
		e.do()
	}
}

// checkNotes asserts the recipients of a template (with data filters) in
// the notifications since the last take, and that each was written at want.
func (h *harness) checkNotes(ns []workflow.Notification, want []string, wantAt time.Time, template string, kv ...string) {
	h.t.Helper()
	got := sel(ns, template, kv...)
	if !equal(got, want) {
		h.t.Errorf("%s %v at %s: recipients %v, want %v", template, kv, h.clk.Now().Format("01-02 15:04"), got, want)
	}
	for _, n := range ns {
		if len(sel([]workflow.Notification{n}, template, kv...)) == 1 && !wantAt.IsZero() && !n.CreatedAt.Equal(wantAt) {
			h.t.Errorf("%s to %s written at %s, want %s", template, n.To, n.CreatedAt.In(sh), wantAt)
		}
	}
}

// TestQuarterS4 runs 2026-Q3 for a 60-person organisation under S4 (好/较好/
// 一般/较差, 初评 → 审定 → 评鉴, 好 ≤ 40%) with the fake clock, asserting each
// reminder, chain step, the quota tie, 公示, 反馈, a 复核 and the year.
func TestQuarterS4(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 7, 1, 8, 30), func(c *workflow.Config) {
		c.Deadlines.Filing = func(cal workflow.Calendar, p calendar.Period) calendar.Date { return cal.AddWorkdays(p.End(), 25) }
	})
	h.org60()
	const q = "2026-Q3"
	per, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("OpenPeriod", err)
	if per.SummaryDue != calendar.NewDate(2026, 10, 10) {
		t.Errorf("summary due %s, want 2026-10-10 (third working day after Q3, counting the 调休 Saturday)", per.SummaryDue)
	}
	h.wantErr("OpenPeriod twice", func() error { _, err := h.svc.OpenPeriod(ctx, "hr", q); return err }(), workflow.ErrConflict)
	h.must("absence", h.svc.AddAbsence(ctx, "hr", "e10", workflow.Absence{Kind: "病假", Start: calendar.NewDate(2026, 7, 6), End: calendar.NewDate(2026, 7, 10)}))
	h.take()

	skip := map[string]bool{"e05/2026-W28": true, "e10/2026-W28": true, "e11/2026-W30": true, "e07/2026-08": true}
	var evs []event
	for _, w := range weeksOf(q) {
		fri := w.Start().AddDays(4)
		evs = append(evs, event{at(fri.Year, fri.Month, fri.Day, 10, 0), func() {
			for _, p := range staff() {
				if !skip[p+"/"+w.String()] {
					h.must("weekly "+p, h.svc.Submit(ctx, p, weekly(w.String())))
				}
			}
		}})
	}
	for _, m := range []struct {
		id  string
		day time.Time
	}{{"2026-07", at(2026, 7, 30, 10, 0)}, {"2026-08", at(2026, 8, 28, 10, 0)}, {"2026-09", at(2026, 9, 29, 10, 0)}} {
		evs = append(evs, event{m.day, func() {
			for _, p := range staff() {
				if !skip[p+"/"+m.id] {
					h.must("monthly "+p, h.svc.Submit(ctx, p, monthly(m.id)))
				}
			}
		}})
	}
	// Weekly W28: e05 forgets, e10 is on sick leave that week.
	evs = append(evs,
		event{at(2026, 7, 10, 15, 30), func() {
			ns := h.take()
			// Friday afternoon: only e05 is nudged; e10 is on leave.
			h.checkNotes(ns, []string{"e05"}, at(2026, 7, 10, 15, 0), workflow.TplRemind, "entry=2026-W28", "stage=before")
		}},
		// Monday morning (S1 次周一以前: Monday is still on time): due today.
		event{at(2026, 7, 13, 9, 30), func() {
			ns := h.take()
			h.checkNotes(ns, []string{"e05", "e10"}, at(2026, 7, 13, 9, 0), workflow.TplRemind, "entry=2026-W28", "stage=due")
			h.must("waive e10", h.svc.Waive(ctx, "l1", "e10", "2026-W28", "病假"))
			h.wantErr("waive by another unit's leader", h.svc.Waive(ctx, "l2", "e05", "2026-W28", "x"), workflow.ErrForbidden)
		}},
		event{at(2026, 7, 14, 9, 30), func() {
			h.checkNotes(h.take(), []string{"e05"}, at(2026, 7, 14, 9, 0), workflow.TplRemind, "entry=2026-W28", "stage=overdue")
		}},
		event{at(2026, 7, 15, 9, 30), func() {
			ns := h.take()
			h.checkNotes(ns, []string{"l1"}, at(2026, 7, 15, 9, 0), workflow.TplEscalate, "entry=2026-W28", "stage=leader")
			if n, _ := find(ns, workflow.TplEscalate, "l1"); n.Data["names"] != "干部05" {
				t.Errorf("escalation names %q, want 干部05 only (e10 was waived)", n.Data["names"])
			}
			h.must("late weekly", h.svc.Submit(ctx, "e05", weekly("2026-W28")))
			h.wantErr("weekly twice", h.svc.Submit(ctx, "e05", weekly("2026-W28")), workflow.ErrConflict)
		}},
		// W30: e11 never writes it.
		event{at(2026, 7, 29, 9, 30), func() {
			ns := h.take()
			h.checkNotes(ns, []string{"e11", "e11", "e11"}, time.Time{}, workflow.TplRemind, "entry=2026-W30")
			h.checkNotes(ns, []string{"l1"}, at(2026, 7, 29, 9, 0), workflow.TplEscalate, "entry=2026-W30")
		}},
		// August: e07 is late with the 月小结 (due Monday 31 August).
		event{at(2026, 8, 28, 15, 30), func() {
			h.checkNotes(h.take(), []string{"e07"}, at(2026, 8, 28, 15, 0), workflow.TplRemind, "entry=2026-08", "stage=before")
		}},
		event{at(2026, 9, 2, 9, 30), func() {
			ns := h.take()
			h.checkNotes(ns, []string{"e07"}, at(2026, 8, 31, 9, 0), workflow.TplRemind, "entry=2026-08", "stage=due")
			h.checkNotes(ns, []string{"e07"}, at(2026, 9, 1, 9, 0), workflow.TplRemind, "entry=2026-08", "stage=overdue")
			h.checkNotes(ns, []string{"l1"}, at(2026, 9, 2, 9, 0), workflow.TplEscalate, "entry=2026-08", "stage=leader")
			h.must("late monthly", h.svc.Submit(ctx, "e07", monthly("2026-08")))
		}},
		event{at(2026, 9, 7, 12, 0), func() {
			// The HR stage (4 working days after) found nobody left.
			h.checkNotes(h.take(), nil, time.Time{}, workflow.TplEscalate, "entry=2026-08")
		}},
	)
	h.run(evs)

	// 国庆: nothing goes out on the holidays; the summary nudges wait.
	h.advance(at(2026, 10, 8, 9, 30))
	ns := h.take()
	for _, n := range ns {
		if d := calendar.DateOf(n.CreatedAt.In(sh)); !h.cal.IsWorkday(d) {
			t.Errorf("%s to %s written on a day off %s", n.Template, n.To, d)
		}
	}
	h.checkNotes(ns, nil, time.Time{}, workflow.TplRemind, "entry=2026-Q3", "stage=before")

	// Self-summaries. e11 is refused until the missing week is waived.
	var inc *workflow.IncompleteError
	err = h.svc.Submit(ctx, "e11", summary(q))
	if !errorsAs(err, &inc) || !equal(inc.Missing, []string{"2026-W30"}) {
		t.Fatalf("summary with a missing week: %v", err)
	}
	if msg := workflow.Message(err); !strings.Contains(msg, "周记实") {
		t.Errorf("message %q does not name 周记实", msg)
	}
	h.must("waive W30", h.svc.Waive(ctx, "l1", "e11", "2026-W30", "外出培训"))
	h.wantErr("summary for someone else is not possible: the owner is the caller", h.svc.Submit(ctx, "hr", summary(q)), workflow.ErrForbidden)
	for _, p := range staff() {
		h.must("summary "+p, h.svc.Submit(ctx, p, summary(q)))
	}
	ns = h.take()
	if got := len(sel(ns, workflow.TplStepAssigned, "name=初评")); got != 57 {
		t.Errorf("初评 steps assigned = %d, want 57", got)
	}
	// A unit leader's chain starts at the 分管领导 (审定).
	h.checkNotes(ns, []string{"s1", "s1", "s2"}, time.Time{}, workflow.TplStepAssigned, "name=审定")

	// s2 is away and delegates to s1 from now until 14 October.
	h.advance(at(2026, 10, 9, 8, 0))
	h.must("delegate", h.svc.Delegate(ctx, "s2", "s1", h.clk.Now(), at(2026, 10, 14, 0, 0), "出差"))
	ns = h.take()
	h.checkNotes(ns, []string{"s1", "s2"}, time.Time{}, workflow.TplDelegation)

	scoreOf := func(p string) int {
		switch {
		case p == "e20" || p == "e21" || p == "e22":
			return 91 // tied at the quota cap
		case p == "e50":
			return 65
		case p == "e57":
			return 55
		}
		var n int
		if _, err := sscan(p, &n); err == nil && ((n >= 1 && n <= 8) || (n >= 23 && n <= 30) || (n >= 40 && n <= 45)) {
			return 95 // 22 clear 好
		}
		return 80
	}
	assess := func(p string) *workflow.Assessment {
		return &workflow.Assessment{Indicators: s4Scores(scoreOf(p)), Comment: "工作认真"}
	}
	h.advance(at(2026, 10, 9, 10, 0))
	// Bad input changes nothing.
	st := h.pendingStep(q, "e01")
	bad := assess("e01")
	bad.Indicators["思想政治素质"] = scoring.D("7")
	var ie *workflow.InputError
	if err := h.svc.Act(ctx, "l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: bad}); !errorsAs(err, &ie) || ie.Field != "scores.思想政治素质" {
		t.Errorf("score over the item's max: %v", err)
	}
	h.wantErr("approve without scores", h.svc.Act(ctx, "l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove}), workflow.ErrInvalidInput)
	h.wantErr("another leader", h.svc.Act(ctx, "l2", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: assess("e01")}), workflow.ErrForbidden)
	h.wantErr("the employee", h.svc.Act(ctx, "e01", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: assess("e01")}), workflow.ErrForbidden)
	if got := h.pendingStep(q, "e01"); got.Version != st.Version {
		t.Errorf("refused actions changed the step: v%d", got.Version)
	}
	// 初评 by the three unit leaders; l2 sends e25's summary back first.
	st25 := h.pendingStep(q, "e25")
	h.must("send back to employee", h.svc.Act(ctx, "l2", workflow.StepAction{StepID: st25.ID, Version: st25.Version, Action: workflow.ActSendBack, Reason: "小结过于简单"}))
	ns = h.take()
	h.checkNotes(ns, []string{"e25"}, time.Time{}, workflow.TplEntryReturned)
	h.must("resubmit", h.svc.Submit(ctx, "e25", summary(q)))
	for _, p := range staff() {
		if strings.HasPrefix(p, "l") {
			continue
		}
		s := h.pendingStep(q, p)
		h.must("初评 "+p, h.svc.Act(ctx, "l"+unitOf(p)[1:], workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove, Assessment: assess(p)}))
	}
	// 审定: s1 for u1, u2 and the unit leaders l1, l2; as s2's delegate for u3 and l3.
	h.advance(at(2026, 10, 9, 10, 30))
	for _, p := range staff() {
		s := h.pendingStep(q, p)
		if s.Name != "审定" {
			t.Fatalf("%s at %s, want 审定", p, s.Name)
		}
		a := workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove}
		if strings.HasPrefix(p, "l") {
			a.Assessment = assess(p)
		}
		h.must("审定 "+p, h.svc.Act(ctx, "s1", a))
		if unitOf(p) == "u3" {
			if got, _ := h.svc.Chain(ctx, "hr", q, p); got[len(got)-2].ActedBy != "s1" || got[len(got)-2].Assignee != "s2" {
				t.Errorf("%s 审定 acted by %s for %s, want s1 for s2", p, got[len(got)-2].ActedBy, got[len(got)-2].Assignee)
			}
		}
	}
	h.wantErr("close while chains run", h.svc.CloseAppraisal(ctx, "hr", q), workflow.ErrIncomplete)

	// 评鉴 by the head on Monday: e03 goes back to 审定; e40 is left waiting.
	h.advance(at(2026, 10, 12, 10, 0))
	for _, p := range staff() {
		s := h.pendingStep(q, p)
		switch p {
		case "e40":
			continue
		case "e03":
			h.must("send back to 审定", h.svc.Act(ctx, "head", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActSendBack, Reason: "请核实加分事项"}))
			h.wantErr("old card", h.svc.Act(ctx, "head", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove}), workflow.ErrStale)
			continue
		}
		h.must("评鉴 "+p, h.svc.Act(ctx, "head", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove}))
	}
	ns = h.take()
	h.checkNotes(ns, []string{"s1"}, time.Time{}, workflow.TplStepReturned)
	s3 := h.pendingStep(q, "e03")
	adj := assess("e03")
	adj.Indicators = s4Scores(96)
	h.wantErr("adjust without a reason", h.svc.Act(ctx, "s1", workflow.StepAction{StepID: s3.ID, Version: s3.Version, Action: workflow.ActApprove, Assessment: adj}), workflow.ErrInvalidInput)
	h.must("adjust", h.svc.Act(ctx, "s1", workflow.StepAction{StepID: s3.ID, Version: s3.Version, Action: workflow.ActApprove, Assessment: adj, Reason: "核实后加 1 分"}))
	s3 = h.pendingStep(q, "e03")
	h.must("评鉴 e03", h.svc.Act(ctx, "head", workflow.StepAction{StepID: s3.ID, Version: s3.Version, Action: workflow.ActApprove}))

	// e40's 评鉴 is due Tuesday 13 October: four replicas tick at once and
	// the head is nudged exactly once; then overdue; then HR (the head has
	// no superior) twice.
	h.advance(at(2026, 10, 13, 8, 30))
	h.take()
	h.clk.Set(at(2026, 10, 13, 9, 0))
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.svc.Tick(ctx); err != nil {
				t.Errorf("Tick: %v", err)
			}
		}()
	}
	wg.Wait()
	ns = h.take()
	h.checkNotes(ns, []string{"head"}, at(2026, 10, 13, 9, 0), workflow.TplRemind, "item=step", "stage=due")
	h.advance(at(2026, 10, 16, 9, 30))
	ns = h.take()
	h.checkNotes(ns, []string{"head"}, at(2026, 10, 14, 9, 0), workflow.TplRemind, "item=step", "stage=overdue")
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 15, 9, 0), workflow.TplEscalate, "item=step", "stage=leader")
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 16, 9, 0), workflow.TplEscalate, "item=step", "stage=hr")
	s40 := h.pendingStep(q, "e40")
	h.must("评鉴 e40", h.svc.Act(ctx, "head", workflow.StepAction{StepID: s40.ID, Version: s40.Version, Action: workflow.ActApprove}))

	// Q2 is on file: e57 was 较差 then, which makes two in a row.
	h.seedPeriod("2026-Q2", func(p string) (string, string) {
		if p == "e57" {
			return "较差", "55"
		}
		return "较好", "80"
	})

	// The committee: 22 clear 好 plus three tied at 91 for the last two
	// places. Every chain is done and the 民主测评 is over, so the next Tick
	// closes the appraisal by itself and tells HR.
	h.advance(at(2026, 10, 16, 10, 30))
	ns = h.take()
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 16, 10, 0), workflow.TplAppraisalClosed, "ties=3")
	h.wantErr("close it again", h.svc.CloseAppraisal(ctx, "hr", q), workflow.ErrWindowClosed)
	h.checkNotes(ns, []string{"c1", "head", "s1"}, time.Time{}, workflow.TplCommitteeTie)
	if n, _ := find(ns, workflow.TplCommitteeTie, "c1"); n.Data["names"] != "干部20、干部21、干部22" {
		t.Errorf("tie names %q", n.Data["names"])
	}
	pd, _ := h.svc.Period(ctx, q)
	if len(pd.Quotas) != 1 || pd.Quotas[0].MaxCount == nil || *pd.Quotas[0].MaxCount != 24 {
		t.Errorf("quota = %+v, want cap 24 of 60", pd.Quotas)
	}
	h.wantErr("confirm with ties open", h.svc.ConfirmResults(ctx, "c1", q), workflow.ErrIncomplete)
	h.wantErr("HR is not the committee", h.svc.CommitteeDecide(ctx, "hr", q, "e20", "好", "x"), workflow.ErrForbidden)
	h.wantErr("decide an untied person", h.svc.CommitteeDecide(ctx, "c1", q, "e01", "较好", "x"), workflow.ErrInvalidTransition)
	h.wantErr("unknown grade", h.svc.CommitteeDecide(ctx, "c1", q, "e20", "优秀", "x"), workflow.ErrInvalidInput)
	h.must("decide e20", h.svc.CommitteeDecide(ctx, "c1", q, "e20", "好", "承担防汛任务"))
	h.must("decide e21", h.svc.CommitteeDecide(ctx, "c1", q, "e21", "好", "全年无差错"))
	// With the last place taken, e22 is no longer tied: the quota demotes them.
	h.wantErr("decide e22", h.svc.CommitteeDecide(ctx, "c1", q, "e22", "好", "x"), workflow.ErrInvalidTransition)
	h.must("confirm", h.svc.ConfirmResults(ctx, "head", q))
	ns = h.take()
	h.checkNotes(ns, []string{"hr"}, time.Time{}, workflow.TplBottomAlert)
	if n, _ := find(ns, workflow.TplBottomAlert, "hr"); n.Data["person"] != "干部57" || n.Data["periods"] != "2026-Q2、2026-Q3" {
		t.Errorf("bottom alert = %v", n.Data)
	}
	for p, want := range map[string]string{"e01": "好", "e03": "好", "e20": "好", "e21": "好", "e22": "较好", "e40": "好", "e50": "一般", "e57": "较差", "l1": "较好"} {
		r, err := h.svc.Result(ctx, "hr", q, p)
		if err != nil || r.Grade != want {
			t.Errorf("%s grade %q (%v), want %s", p, r.Grade, err, want)
		}
	}

	// 公示 on Monday 19 October: the 好 list to the group chat, each result privately.
	h.advance(at(2026, 10, 19, 10, 0))
	h.wantErr("publish by a leader", h.svc.Publish(ctx, "l1", q), workflow.ErrForbidden)
	h.must("publish", h.svc.Publish(ctx, "hr", q))
	ns = h.take()
	pub, ok := find(ns, workflow.TplPublicity, "oc_public")
	if !ok || pub.Data["grade"] != "好" || pub.Data["count"] != "24" || !pub.Chat || pub.Data["review_until"] != "2026-11-03" {
		t.Errorf("publicity = %+v", pub)
	}
	if strings.Contains(pub.Data["names"], "干部50") || len(sel(ns, workflow.TplPublicity)) != 1 {
		t.Errorf("publicity must list only the top grade: %v", pub.Data["names"])
	}
	if got := len(sel(ns, workflow.TplResult)); got != 60 {
		t.Errorf("private results = %d, want 60", got)
	}
	h.checkNotes(ns, []string{"l1", "l2", "l3", "s1", "s2"}, time.Time{}, workflow.TplFeedbackDue)
	// S4 五、8: 一般 (e50) and 较差 (e57) call for a talk by their leader (l3).
	var talks []string
	for _, n := range ns {
		if n.Template == workflow.TplTalkDue {
			talks = append(talks, n.To+":"+n.Data["person_id"]+":"+n.Data["kind"])
		}
	}
	sort.Strings(talks)
	if strings.Join(talks, " ") != "l3:e50:谈话 l3:e57:谈话" {
		t.Errorf("talks asked for: %v", talks)
	}
	h.wantErr("a talk by someone else", h.svc.RecordTalk(ctx, "l1", q, "e50", "谈话", "谈过了"), workflow.ErrForbidden)
	h.wantErr("a talk the grade does not call for", h.svc.RecordTalk(ctx, "l1", q, "e01", "谈话", "谈过了"), workflow.ErrInvalidInput)
	h.wantErr("a talk without a note", h.svc.RecordTalk(ctx, "l3", q, "e50", "谈话", " "), workflow.ErrInvalidInput)
	h.must("talk", h.svc.RecordTalk(ctx, "l3", q, "e50", "谈话", "10月20日谈话，指出材料报送不及时，要求限期改进"))
	h.wantErr("the same talk twice", h.svc.RecordTalk(ctx, "l3", q, "e50", "谈话", "再谈"), workflow.ErrConflict)
	if _, err := h.svc.Result(ctx, "e51", q, "e50"); err == nil {
		t.Errorf("a colleague read e50's result")
	}
	if _, err := h.svc.Result(ctx, "l3", q, "e50"); err != nil {
		t.Errorf("e50's leader cannot read the result: %v", err)
	}

	// 反馈: everyone but l3 talks to their people the next day.
	h.advance(at(2026, 10, 20, 10, 0))
	fb := workflow.Feedback{Strengths: "业务熟练", Problems: "创新不足", Requests: "加强学习"}
	for _, p := range staff() {
		leader := map[string]string{"u1": "l1", "u2": "l2", "u3": "l3"}[unitOf(p)]
		if strings.HasPrefix(p, "l") {
			leader = map[string]string{"l1": "s1", "l2": "s1", "l3": "s2"}[p]
		}
		if leader != "l3" {
			h.must("feedback "+p, h.svc.RecordFeedback(ctx, leader, q, p, fb))
		}
	}
	h.wantErr("feedback by a stranger", h.svc.RecordFeedback(ctx, "l1", q, "e50", fb), workflow.ErrForbidden)

	// 复核: e50 asks; HR forwards; the committee raises the grade.
	h.advance(at(2026, 10, 21, 10, 0))
	h.wantErr("review without reason", h.svc.RequestReview(ctx, "e50", q, " "), workflow.ErrInvalidInput)
	h.must("request review", h.svc.RequestReview(ctx, "e50", q, "出勤情况扣分有误"))
	h.wantErr("review twice", h.svc.RequestReview(ctx, "e50", q, "再次申请"), workflow.ErrConflict)
	ns = h.take()
	h.checkNotes(ns, []string{"hr"}, time.Time{}, workflow.TplReviewRequested)
	rid := q + "/e50"
	h.must("forward", h.svc.HandleReview(ctx, "hr", rid, 1, true, "考勤记录显示请假已批准"))
	h.wantErr("decide by HR", h.svc.DecideReview(ctx, "hr", rid, 2, "较好", "x"), workflow.ErrForbidden)
	h.wantErr("decide with an old card", h.svc.DecideReview(ctx, "c1", rid, 1, "较好", "x"), workflow.ErrStale)
	h.must("decide", h.svc.DecideReview(ctx, "c1", rid, 2, "较好", "考勤扣分有误，更正后为较好"))
	ns = h.take()
	h.checkNotes(ns, []string{"c1", "head", "s1"}, time.Time{}, workflow.TplReviewForwarded)
	h.checkNotes(ns, []string{"e50"}, time.Time{}, workflow.TplReviewDecided, "outcome=changed", "grade=较好")
	r50, err := h.svc.Result(ctx, "e50", q, "e50")
	if err != nil || r50.Grade != "较好" || !strings.Contains(strings.Join(r50.Explain, "\n"), "复核") {
		t.Errorf("e50 after review = %+v, %v", r50, err)
	}

	// Feedback reminders go to l3 only, then HR.
	h.advance(at(2026, 10, 27, 9, 30))
	ns = h.take()
	h.checkNotes(ns, []string{"l3"}, at(2026, 10, 26, 9, 0), workflow.TplFeedbackDue, "stage=due")
	h.checkNotes(ns, []string{"l3"}, at(2026, 10, 27, 9, 0), workflow.TplFeedbackDue, "stage=overdue")
	for n := 39; n <= 57; n++ {
		h.must("feedback", h.svc.RecordFeedback(ctx, "l3", q, "e"+itoa(n), fb))
	}
	h.advance(at(2026, 11, 4, 10, 0))
	ns = h.take()
	h.checkNotes(ns, nil, time.Time{}, workflow.TplEscalate, "item=feedback")
	// The window closed on 3 November: the period is closed and no review is accepted.
	h.wantErr("late review", h.svc.RequestReview(ctx, "e51", q, "不服"), workflow.ErrWindowClosed)
	if pd, _ := h.svc.Period(ctx, q); pd.State != workflow.PeriodClosed {
		t.Errorf("period state %s, want closed", pd.State)
	}
	// 备案 is due 10 November: HR is reminded two working days before and files.
	h.advance(at(2026, 11, 6, 9, 30))
	h.checkNotes(h.take(), []string{"hr"}, at(2026, 11, 6, 9, 0), workflow.TplFilingDue)
	h.must("filed", h.svc.MarkFiled(ctx, "hr", q))
	h.advance(at(2026, 11, 10, 10, 0))
	h.checkNotes(h.take(), nil, time.Time{}, workflow.TplFilingDue)

	// Exactly once: ticking again at the same instant fires nothing.
	if rep, err := h.svc.Tick(ctx); err != nil || rep.Fired != 0 || rep.Sent != 0 {
		t.Errorf("repeat Tick = %+v, %v", rep, err)
	}

	// Year end: Q1 and Q4 on file, then the annual composition.
	h.seedPeriod("2026-Q1", func(p string) (string, string) {
		if p == "e50" {
			return "一般", "70"
		}
		return "好", "92"
	})
	h.advance(at(2027, 1, 12, 10, 0))
	h.seedPeriod("2026-Q4", func(p string) (string, string) { return "好", "93" })
	// e01: 好 in Q1, Q3, Q4 but 较好 in Q2 — still more than half 好.
	yr, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{Proposed: map[string]string{"e01": "优秀", "e50": "优秀", "e57": "称职"}})
	h.must("compose", err)
	got := map[string]string{}
	for _, a := range yr {
		got[a.Person] = a.Grade
	}
	for p, want := range map[string]string{"e01": "优秀", "e50": "称职"} {
		if got[p] != want {
			t.Errorf("annual %s = %q, want %s", p, got[p], want)
		}
	}

	// The audit log is intact and recorded the refusals.
	rows := h.audit()
	if err := workflow.VerifyAudit(nil, rows); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	denied := 0
	for _, r := range rows {
		if r.Denied {
			denied++
		}
	}
	if denied < 5 {
		t.Errorf("denied audit rows = %d, want every refusal recorded", denied)
	}
}
