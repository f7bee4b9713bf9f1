package workflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
)

// lastAudit returns the newest audit entry of action.
func (h *harness) lastAudit(action string) workflow.AuditEntry {
	h.t.Helper()
	rows := h.audit()
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].Action == action {
			return rows[i]
		}
	}
	h.t.Fatalf("no audit entry %s", action)
	return workflow.AuditEntry{}
}

// setPeriodState moves a period to state directly in the store, for a test
// that needs a later stage without running every chain.
func (h *harness) setPeriodState(id, state string) {
	h.t.Helper()
	h.must("set state", h.store.InTx(ctx, func(tx workflow.Tx) error {
		p, err := tx.Period(ctx, id)
		if err != nil {
			return err
		}
		p.State = state
		p.Version++
		return tx.UpdatePeriod(ctx, p)
	}))
}

// TestLateEntries: an entry after its due date is taken while the period
// is collecting and marked late in the audit log; a late self-summary also
// tells the leader who gets the first step. Once the appraisal is closed,
// nothing is taken and the refusal says why in Chinese.
func TestLateEntries(t *testing.T) {
	t.Parallel()
	h, _ := badHarness(t) // e01's summary went in on 3 July, before the due date
	const q = "2026-Q3"
	p, err := h.svc.Period(ctx, q)
	h.must("period", err)
	if a := h.lastAudit("entry.submit"); strings.Contains(a.Detail, "late") {
		t.Errorf("an early summary is marked late: %q", a.Detail)
	}
	if n, ok := find(h.take(), workflow.TplStepAssigned, "l1"); !ok || n.Data["summary_late"] != "" {
		t.Errorf("the on-time summary's step notice = %+v, %v; want one without summary_late", n.Data, ok)
	}

	// Thirty days after the due date, e02 catches up: the weekly records
	// first (late too), then the self-summary.
	late := at(p.SummaryDue.Year, p.SummaryDue.Month, p.SummaryDue.Day+30, 10, 0)
	h.clk.Set(late)
	for _, w := range weeksOf(q) {
		h.must("late weekly "+w.String(), h.svc.Submit(ctx, "e02", weekly(w.String())))
	}
	if a := h.lastAudit("entry.submit"); !strings.Contains(a.Detail, "late: due") {
		t.Errorf("a late weekly record is not marked late: %q", a.Detail)
	}
	h.must("late monthly", h.svc.Submit(ctx, "e02", monthly("2026-07")))
	if a := h.lastAudit("entry.submit"); !strings.Contains(a.Detail, "late: due") {
		t.Errorf("a late 月小结 is not marked late: %q", a.Detail)
	}
	h.take()
	h.must("late summary", h.svc.Submit(ctx, "e02", summary(q)))
	if a := h.lastAudit("entry.submit"); !strings.Contains(a.Detail, "late: due "+p.SummaryDue.String()) {
		t.Errorf("the late summary is not marked late: %q", a.Detail)
	}
	n, ok := find(h.take(), workflow.TplStepAssigned, "l1")
	if !ok || n.Data["summary_late"] != p.SummaryDue.String() {
		t.Errorf("the leader's step notice = %+v, %v; want summary_late=%s", n.Data, ok, p.SummaryDue)
	}
	if due, ok, err := h.svc.EntryDue(ctx, workflow.EntryQuarterly, q); err != nil || !ok || due != p.SummaryDue {
		t.Errorf("EntryDue(quarterly) = %s, %v, %v; want %s", due, ok, err, p.SummaryDue)
	}

	// After CloseAppraisal the period is at the committee: nothing more.
	h.setPeriodState(q, workflow.PeriodCommittee)
	before := h.snap()
	for name, call := range map[string]func() error{
		"summary": func() error { return h.svc.Submit(ctx, "e03", summary(q)) },
		"weekly":  func() error { return h.svc.Submit(ctx, "e03", weekly(weeksOf(q)[0].String())) },
		"waive":   func() error { return h.svc.Waive(ctx, "l1", "e03", weeksOf(q)[0].String(), "出差") },
	} {
		err := call()
		if !errors.Is(err, workflow.ErrWindowClosed) || !strings.Contains(workflow.Message(err), "2026年第三季度考核已结束填报") {
			t.Errorf("%s after close: %v (%q), want ErrWindowClosed saying the period ended", name, err, workflow.Message(err))
		}
	}
	if after := h.snap(); len(after.entries) != len(before.entries) {
		t.Errorf("a refused entry was stored")
	}
}

// TestFilingWaitsForTheWindows: 备案 is refused during 公示, during the 复核
// window and while a 复核 is open, each time saying until when; it goes
// through once the period has closed, and only once. A 复核 is requested
// within its own window (not cut to the 公示), never before 公示.
func TestFilingWaitsForTheWindows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		reviewDays int
	}{
		{"Default", 0}, // 公示 5 working days, 复核 15 days
		// A 复核 window shorter than 公示: 备案 still waits for the 公示.
		{"ShortReviewWindow", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "s8", at(2026, 7, 1, 9, 0), func(c *workflow.Config) { c.ReviewDays = tc.reviewDays })
			h.orgS8()
			const q = "2026-Q2"
			h.s8Appraise(q, at(2026, 7, 1, 9, 0), nil, s8Plain)
			h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
			wantRefused := func(what, msg string) {
				t.Helper()
				err := h.svc.MarkFiled(ctx, "hr", q)
				if !errors.Is(err, workflow.ErrInvalidTransition) || !strings.Contains(workflow.Message(err), msg) {
					t.Fatalf("备案 %s: %v (%q), want ErrInvalidTransition saying %q", what, err, workflow.Message(err), msg)
				}
			}
			wantRefused("before 公示", "尚未公示")
			if err := h.svc.RequestReview(ctx, "a01", q, "不服"); !errors.Is(err, workflow.ErrWindowClosed) || !strings.Contains(workflow.Message(err), "尚未公示") {
				t.Errorf("复核 before 公示: %v (%q)", err, workflow.Message(err))
			}
			h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
			h.must("publish", h.svc.Publish(ctx, "hr", q))
			p, err := h.svc.Period(ctx, q)
			h.must("period", err)
			until := "公示至" + p.PublicityEnd.String()
			wantRefused("during 公示", until)

			// A 复核 is asked inside its window, then stays open past it.
			h.must("request review", h.svc.RequestReview(ctx, "a09", q, "工作成效评分偏低"))
			last := p.ReviewEnd
			if p.PublicityEnd.After(last) {
				last = p.PublicityEnd
			}
			h.advance(at(last.Year, last.Month, last.Day+1, 10, 0))
			if err := h.svc.RequestReview(ctx, "b06", q, "不服"); !errors.Is(err, workflow.ErrWindowClosed) ||
				!strings.Contains(workflow.Message(err), "复核申请期已于"+p.ReviewEnd.String()+"截止") {
				t.Errorf("复核 after the window: %v (%q)", err, workflow.Message(err))
			}
			wantRefused("with a 复核 open", "复核全部办结后")

			h.must("reject review", h.svc.HandleReview(ctx, "hr", q+"/a09", 1, false, "评分依据充分"))
			h.advance(h.clk.Now().Add(time.Hour))
			if p, _ := h.svc.Period(ctx, q); p.State != workflow.PeriodClosed {
				t.Fatalf("state %s after both windows and every 复核, want closed", p.State)
			}
			h.must("filed", h.svc.MarkFiled(ctx, "hr", q))
			wantRefused("twice", "已于")
		})
	}
}

// TestShortReviewWindowWaitsForPublicity: the period does not close, and
// 备案 is refused, while the 公示 runs, even after a short 复核 window.
func TestShortReviewWindowWaitsForPublicity(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s8", at(2026, 7, 1, 9, 0), func(c *workflow.Config) { c.ReviewDays = 1 })
	h.orgS8()
	const q = "2026-Q2"
	h.s8Appraise(q, at(2026, 7, 1, 9, 0), nil, s8Plain)
	h.s8Finish(q)
	p, err := h.svc.Period(ctx, q)
	h.must("period", err)
	if !p.PublicityEnd.After(p.ReviewEnd.AddDays(1)) {
		t.Fatalf("publicity until %s, review until %s: the test needs 公示 to outlast the window", p.PublicityEnd, p.ReviewEnd)
	}
	h.advance(at(p.ReviewEnd.Year, p.ReviewEnd.Month, p.ReviewEnd.Day+1, 10, 0))
	if p, _ := h.svc.Period(ctx, q); p.State != workflow.PeriodPublished {
		t.Errorf("state %s during 公示, want published", p.State)
	}
	if err := h.svc.MarkFiled(ctx, "hr", q); !errors.Is(err, workflow.ErrInvalidTransition) {
		t.Errorf("备案 during 公示: %v", err)
	}
}
