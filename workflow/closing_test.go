package workflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/storage/postgres/pgtest"
	"github.com/kaohe/kaohe/workflow"
)

// records files, for everyone, the weekly records of q that have started
// and the self-summary.
func (h *harness) records(q string, staff []string) {
	h.t.Helper()
	today := h.cal.Date(h.clk.Now())
	for _, p := range staff {
		for _, w := range weeksOf(q) {
			if !w.Start().After(today) {
				h.must("weekly "+p, h.svc.Submit(ctx, p, weekly(w.String())))
			}
		}
		h.must("summary "+p, h.svc.Submit(ctx, p, summary(q)))
	}
}

func (h *harness) state(q string) string {
	h.t.Helper()
	p, err := h.svc.Period(ctx, q)
	h.must("period", err)
	return p.State
}

// TestAppraisalClosesItself (S4, 初评 → 审定 → 评鉴): the appraisal does
// not close while one chain is pending, and HR closing by hand is refused
// with who is missing, at which step and with whom. After the
// appraisal's deadline (the 季度小结's due date plus three steps of three
// working days) HR is told that list once. When the last step is done,
// the next Tick closes the appraisal by itself: scored, the committee
// asked, HR told, audited as the system's.
func TestAppraisalClosesItself(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 10, 9, 9, 0), nil)
	staff := h.quotaOrg(5, false)
	const q = "2026-Q3"
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	h.records(q, staff)
	h.actAll(q, map[string]bool{"e05": true}, func(id string) *workflow.Assessment { return &workflow.Assessment{Indicators: s4Scores(85)} })
	s := h.pendingStep(q, "e05")
	h.must("初评 e05", h.svc.Act(ctx, "l1", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(80)}}))
	s = h.pendingStep(q, "e05")
	h.take()

	p, _ := h.svc.Period(ctx, q)
	due := h.svc.AppraisalDue(p)
	// 季度小结 due 2026-10-10 (three working days after the quarter, past
	// 国庆: 9 October and the 调休 Saturday 10 October); nine working days
	// on, Thursday 22 October.
	if p.SummaryDue.String() != "2026-10-10" || due.String() != "2026-10-22" {
		t.Errorf("summary due %s, appraisal due %s", p.SummaryDue, due)
	}
	h.advance(at(2026, 10, 12, 10, 0))
	if st := h.state(q); st != workflow.PeriodOpen {
		t.Fatalf("closed with a step pending: %s", st)
	}
	err = h.svc.CloseAppraisal(ctx, "hr", q)
	want := "干部05：审定（副局长，" + s.Due.String() + "截止）"
	if !errors.Is(err, workflow.ErrIncomplete) || !strings.Contains(workflow.Message(err), want) {
		t.Errorf("HR closing early: %v (%q), want %q", err, workflow.Message(err), want)
	}
	ms, err := h.svc.Unfinished(ctx, "hr", q)
	h.must("unfinished", err)
	if len(ms) != 1 || ms[0].Step != s.ID || ms[0].With != "副局长" || ms[0].Text() != want {
		t.Errorf("unfinished = %+v", ms)
	}
	h.wantErr("unfinished by a leader", func() error { _, err := h.svc.Unfinished(ctx, "l1", q); return err }(), workflow.ErrForbidden)

	// The deadline: nothing on the day itself, the list the morning after,
	// once.
	h.advance(at(2026, 10, 22, 20, 0))
	if got := sel(h.take(), workflow.TplAppraisalOverdue); len(got) != 0 {
		t.Errorf("overdue list before the deadline passed: %v", got)
	}
	h.advance(at(2026, 10, 28, 10, 0))
	ns := h.take()
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 23, 8, 0), workflow.TplAppraisalOverdue, "count=1", "due=2026-10-22", "lines="+want)

	// 审定 and 评鉴 done: the next Tick closes it.
	h.must("审定 e05", h.svc.Act(ctx, "s1", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove}))
	s = h.pendingStep(q, "e05")
	h.must("评鉴 e05", h.svc.Act(ctx, "head", workflow.StepAction{StepID: s.ID, Version: s.Version, Action: workflow.ActApprove}))
	if st := h.state(q); st != workflow.PeriodOpen {
		t.Fatalf("the last approval itself closed the period: %s", st)
	}
	h.advance(at(2026, 10, 28, 10, 30))
	ns = h.take()
	if st := h.state(q); st != workflow.PeriodCommittee {
		t.Fatalf("period %s after the last chain, want committee", st)
	}
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 28, 10, 30), workflow.TplAppraisalClosed, "count=5", "ties=0")
	h.checkNotes(ns, []string{"c1", "head"}, at(2026, 10, 28, 10, 30), workflow.TplCommitteeConfirm)
	var closed []workflow.AuditEntry
	for _, a := range h.audit() {
		if a.Action == "period.close" {
			closed = append(closed, a)
		}
	}
	if len(closed) != 1 || closed[0].Actor != "system" || closed[0].Denied {
		t.Errorf("audit of closing: %+v", closed)
	}
	h.advance(at(2026, 11, 5, 10, 0))
	if got := sel(h.take(), workflow.TplAppraisalOverdue); len(got) != 0 {
		t.Errorf("overdue list repeated: %v", got)
	}
}

// TestAppraisalWaitsForItsEnd (S5: the 季度小结 in the quarter's last week):
// every chain done on 28 September does not close the quarter before it
// ends; the first Tick after it on a working day (after 国庆), out of the
// quiet hours, does.
func TestAppraisalWaitsForItsEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s5", at(2026, 9, 28, 9, 0), s5Chain)
	staff := h.quotaOrg(5, false)
	const q = "2026-Q3"
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	h.records(q, staff)
	h.actAll(q, nil, func(string) *workflow.Assessment { return &workflow.Assessment{Grade: "B"} })
	h.advance(at(2026, 9, 30, 18, 0))
	if st := h.state(q); st != workflow.PeriodOpen {
		t.Fatalf("closed before the quarter ended: %s", st)
	}
	h.advance(at(2026, 10, 7, 18, 0)) // 国庆
	if st := h.state(q); st != workflow.PeriodOpen {
		t.Fatalf("closed on a holiday: %s", st)
	}
	h.advance(at(2026, 10, 8, 7, 30)) // quiet hours
	if st := h.state(q); st != workflow.PeriodOpen {
		t.Fatalf("closed in the quiet hours: %s", st)
	}
	h.advance(at(2026, 10, 8, 8, 0))
	if st := h.state(q); st != workflow.PeriodCommittee {
		t.Fatalf("period %s on the first working morning after the quarter, want committee", st)
	}
}

// TestAppraisalWaitsForTheVotes (S1: 民主测评 30%): with every chain done,
// the appraisal stays open while someone who votes has not and the
// 民主测评 is not due; the last ballot lets it close.
func TestAppraisalWaitsForTheVotes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s1", at(2026, 10, 9, 9, 0), nil)
	staff := h.s1Org("")
	const q = "2026-Q3"
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	h.records(q, staff)
	h.actAll(q, nil, func(id string) *workflow.Assessment { return s1Total(88) })
	for _, voter := range staff[:len(staff)-2] { // a6 and solo have not voted (solo cannot)
		ballot := map[string]scoring.Dec{}
		for _, target := range staff {
			if target != voter && target != "solo" {
				ballot[target] = scoring.D("85")
			}
		}
		h.must("vote "+voter, h.svc.Vote(ctx, voter, q, ballot))
	}
	h.advance(at(2026, 10, 9, 16, 0))
	if st := h.state(q); st != workflow.PeriodOpen {
		t.Fatalf("closed with a vote outstanding before its due date: %s", st)
	}
	h.must("vote a6", h.svc.Vote(ctx, "a6", q, map[string]scoring.Dec{"a1": scoring.D("90"), "a2": scoring.D("90"), "a3": scoring.D("90"),
		"a4": scoring.D("90"), "a5": scoring.D("90")}))
	h.advance(at(2026, 10, 9, 16, 30))
	if st := h.state(q); st != workflow.PeriodCommittee {
		t.Fatalf("period %s after the last ballot, want committee", st)
	}
}

// TestAppraisalStuckTellsHROnce: data the engine refuses (a 职级 the scheme
// does not have) keeps the appraisal open; HR is told once why, in
// Chinese, and Tick does not try again every few minutes.
func TestAppraisalStuckTellsHROnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s1", at(2026, 10, 9, 9, 0), nil)
	staff := h.s1Org("处长")
	const q = "2026-Q3"
	_, err := h.svc.OpenPeriod(ctx, "hr", q)
	h.must("open", err)
	h.records(q, staff)
	h.actAll(q, nil, func(string) *workflow.Assessment { return s1Total(88) })
	h.take()
	h.advance(at(2026, 10, 20, 10, 0)) // the 民主测评 is long due
	ns := h.take()
	// The 民主测评 was due Saturday 10 October (a 调休 working day); the
	// next working day is Monday 12 October.
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 12, 8, 0), workflow.TplAppraisalStuck)
	if n, _ := find(ns, workflow.TplAppraisalStuck, "hr"); !strings.HasPrefix(n.Data["reason"], "无法计算成绩：干部a") {
		t.Errorf("reason = %q", n.Data["reason"])
	}
	if st := h.state(q); st != workflow.PeriodOpen {
		t.Errorf("period %s, want open", st)
	}
	tries := 0
	for _, a := range h.audit() {
		if a.Action == "period.close" {
			tries++
		}
	}
	if tries > 0 {
		t.Errorf("%d audited close attempts: a refused automatic close is the Fire record's, not the log's", tries)
	}
}

// TestWindowsTellHR: after 公示 HR is told when it ends (once); when the
// 复核 window ends with a request still open, HR is told who waits; each
// committee decision on a 复核 reaches HR as well as the person; the last
// one lets the period close, and HR is told that 备案 may go ahead.
func TestWindowsTellHR(t *testing.T) {
	t.Parallel()
	bothStores(t, testWindowsTellHR)
}

// bothStores runs a scenario on the memory store and on PostgreSQL.
func bothStores(t *testing.T, fn func(t *testing.T, store workflow.Store)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		fn(t, memory.New())
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, pgtest.New(t))
	})
}

func testWindowsTellHR(t *testing.T, store workflow.Store) {
	h := newHarnessOn(t, store, "s4", at(2026, 10, 9, 9, 0), nil)
	staff := h.quotaOrg(5, false)
	const q = "2026-Q3"
	total := map[string]int{"e01": 95, "e02": 93, "e03": 85, "e04": 80, "e05": 70}
	h.appraise(q, staff, func(id string) *workflow.Assessment { return &workflow.Assessment{Indicators: s4Scores(total[id])} })
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
	h.advance(at(2026, 10, 19, 10, 0))
	h.must("publish", h.svc.Publish(ctx, "hr", q))
	p, _ := h.svc.Period(ctx, q)
	if p.PublicityEnd.String() != "2026-10-26" || p.ReviewEnd.String() != "2026-11-03" {
		t.Fatalf("publicity until %s, review until %s", p.PublicityEnd, p.ReviewEnd)
	}
	h.must("request", h.svc.RequestReview(ctx, "e03", q, "加分事项未计入"))
	h.must("request", h.svc.RequestReview(ctx, "e05", q, "不服"))
	h.must("forward", h.svc.HandleReview(ctx, "hr", q+"/e03", 1, true, "材料属实"))
	h.take()
	h.advance(at(2026, 10, 26, 20, 0))
	if got := sel(h.take(), workflow.TplPublicityEnded); len(got) != 0 {
		t.Errorf("told of 公示's end on its last day: %v", got)
	}
	h.advance(at(2026, 10, 28, 10, 0))
	ns := h.take()
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 27, 8, 0), workflow.TplPublicityEnded, "until=2026-10-26", "review_until=2026-11-03", "reviews=2")
	h.advance(at(2026, 11, 4, 10, 0))
	ns = h.take()
	h.checkNotes(ns, []string{"hr"}, at(2026, 11, 4, 8, 0), workflow.TplReviewWindowEnded, "count=2", "names=干部03（待考核委员会审议）、干部05（待政工科办理）")
	if st := h.state(q); st != workflow.PeriodPublished {
		t.Fatalf("closed with reviews open: %s", st)
	}
	h.advance(at(2026, 11, 4, 20, 45))
	h.must("decide", h.svc.DecideReview(ctx, "head", q+"/e03", 2, "较好", "加分材料不足"))
	ns = h.take()
	h.checkNotes(ns, []string{"hr"}, time.Time{}, workflow.TplReviewOutcome, "person=干部03", "outcome=upheld", "grade=较好", "open=1", "reason=加分材料不足")
	h.checkNotes(ns, []string{"e03"}, time.Time{}, workflow.TplReviewDecided, "outcome=upheld")
	h.must("reject", h.svc.HandleReview(ctx, "hr", q+"/e05", 1, false, "未提供材料"))
	// The period closes at the next Tick, in the quiet hours; HR's notice
	// waits for the morning.
	h.advance(at(2026, 11, 4, 21, 0))
	if st := h.state(q); st != workflow.PeriodClosed {
		t.Fatalf("period %s after the last 复核, want closed", st)
	}
	ns = h.take()
	h.checkNotes(ns, []string{"hr"}, at(2026, 11, 4, 21, 0), workflow.TplPeriodClosed, "reviews=2")
	if n, _ := find(ns, workflow.TplPeriodClosed, "hr"); !n.NotBefore.Equal(at(2026, 11, 5, 8, 0)) {
		t.Errorf("HR's notice may go out at %s, want the next morning", n.NotBefore.In(sh))
	}
	h.advance(at(2026, 11, 5, 8, 0))
	ns = h.take()
	for _, tpl := range []string{workflow.TplPublicityEnded, workflow.TplReviewWindowEnded} {
		if got := sel(ns, tpl); len(got) != 0 {
			t.Errorf("%s repeated: %v", tpl, got)
		}
	}
	h.must("file", h.svc.MarkFiled(ctx, "hr", q))
}

// TestPeriodClosesWithoutReviews: no 复核 at all: the period closes the
// morning after both windows, HR is told once, and there is no
// "requests still open" notice.
func TestPeriodClosesWithoutReviews(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 10, 9, 9, 0), nil)
	staff := h.quotaOrg(5, false)
	const q = "2026-Q3"
	h.appraise(q, staff, func(string) *workflow.Assessment { return &workflow.Assessment{Indicators: s4Scores(85)} })
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
	h.advance(at(2026, 10, 19, 10, 0))
	h.must("publish", h.svc.Publish(ctx, "hr", q))
	h.take()
	h.advance(at(2026, 11, 6, 10, 0))
	ns := h.take()
	// The 复核 window ended on Tuesday 3 November: the period closes at the
	// first Tick of Wednesday, at midnight; HR is told at 08:00.
	h.checkNotes(ns, []string{"hr"}, at(2026, 11, 4, 0, 0), workflow.TplPeriodClosed, "reviews=0")
	if n, _ := find(ns, workflow.TplPeriodClosed, "hr"); !n.NotBefore.Equal(at(2026, 11, 4, 8, 0)) {
		t.Errorf("HR's notice may go out at %s, want 08:00", n.NotBefore.In(sh))
	}
	h.checkNotes(ns, []string{"hr"}, at(2026, 10, 27, 8, 0), workflow.TplPublicityEnded)
	if got := sel(ns, workflow.TplReviewWindowEnded); len(got) != 0 {
		t.Errorf("told of open requests with none: %v", got)
	}
}
