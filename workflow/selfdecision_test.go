package workflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Nobody decides about themselves (G8): not a step (TestNobodyDecidesAboutThemselves),
// not who decides their step, not a tie at the quota cap, not a 复核. Each
// refusal is ErrForbidden with the reason in Chinese, audited once as
// denied, and changes nothing.

// refused checks that call is refused with why, audited once, and leaves
// the snapshot as it was.
func (h *harness) refused(name string, call func() error, why string) {
	h.t.Helper()
	before, rows := h.snap(), len(h.audit())
	err := call()
	if !errors.Is(err, workflow.ErrForbidden) || !strings.Contains(workflow.Message(err), why) {
		h.t.Errorf("%s: %v (%q), want ErrForbidden saying %q", name, err, workflow.Message(err), why)
	}
	a := h.audit()
	if len(a) != rows+1 || !a[len(a)-1].Denied {
		h.t.Errorf("%s: %d audit rows added, want one denied row", name, len(a)-rows)
	}
	after := h.snap()
	if len(after.steps) != len(before.steps) || len(after.outbox) != len(before.outbox) {
		h.t.Errorf("%s: a refusal changed state", name)
	}
	for i := range after.steps {
		if after.steps[i].Version != before.steps[i].Version || after.steps[i].Assignee != before.steps[i].Assignee {
			h.t.Errorf("%s: step %s changed", name, after.steps[i].ID)
		}
	}
}

// TestReassignAboutOneself: HR gives no step to the person it is about,
// and an HR officer who is appraised does not choose who decides their own
// step; delegating to oneself is refused the same way.
func TestReassignAboutOneself(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, st workflow.Step) {
		h.must("an appraised HR officer", h.svc.Setup(ctx, "hr", workflow.Settings{}, nil, []workflow.Person{
			{ID: "hr2", Name: "政工科干部", Unit: "u1", Group: "u1", HR: true, Assessed: true}}))
		h.must("hr2 summary", h.svc.Submit(ctx, "hr2", summary("2026-Q3")))
		own := h.pendingStep("2026-Q3", "hr2")
		h.refused("to the appraised", func() error {
			return h.svc.Reassign(ctx, "hr", st.ID, st.Version, "e01", "科长外出")
		}, "不能由本人审核本人的考核")
		h.refused("HR moves their own step", func() error {
			return h.svc.Reassign(ctx, "hr2", own.ID, own.Version, "s1", "科长外出")
		}, "不能转办本人的考核")
		h.refused("delegate to oneself", func() error {
			return h.svc.Delegate(ctx, "l1", "l1", h.clk.Now(), h.clk.Now().Add(48*time.Hour), "出差")
		}, "不能委托给本人")
		h.must("another HR officer may", h.svc.Reassign(ctx, "hr", own.ID, own.Version, "s1", "科长外出"))
	})
}

// seedCommittee stores 2026-Q2 waiting for the committee with c1 (a
// committee member who is appraised) tied at the cap, and e05 as well.
func (h *harness) seedCommittee() {
	h.t.Helper()
	cp := calendar.MustParsePeriod("2026-Q2")
	h.must("seed", h.store.InTx(ctx, func(tx workflow.Tx) error {
		c1, err := tx.Person(ctx, "c1")
		if err != nil {
			return err
		}
		c1.Assessed, c1.Unit, c1.Group = true, "u1", "u1"
		c1.Version++
		if err := tx.UpdatePerson(ctx, c1); err != nil {
			return err
		}
		if err := tx.CreatePeriod(ctx, workflow.Period{ID: "2026-Q2", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodCommittee, Version: 1}); err != nil {
			return err
		}
		// Every chain finished with the same scores, so the committee's
		// decision would stand but for who takes it.
		if err := h.finishChains(tx, "2026-Q2"); err != nil {
			return err
		}
		for _, p := range []string{"c1", "e05"} {
			if err := tx.PutResult(ctx, workflow.Result{Period: "2026-Q2", Person: p, State: scoring.StatePending, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// finishChains stores an approved 评鉴 with the same scores for everyone
// appraised (and c1) in period.
func (h *harness) finishChains(tx workflow.Tx, period string) error {
	for _, p := range append(staff(), "c1") {
		if err := tx.CreateStep(ctx, workflow.Step{ID: period + "/" + p + "/1", Period: period, Person: p, Seq: 1, Index: 2,
			Role: workflow.RoleHead, Name: "评鉴", Assignee: "head", State: workflow.StepApproved,
			Assessment: workflow.Assessment{Indicators: s4Scores(90)}, ActedBy: "head", ActedAt: h.clk.Now(), Version: 1}); err != nil {
			return err
		}
	}
	return nil
}

// TestCommitteeTieAboutOneself: a committee member tied at the quota cap
// cannot decide their own grade, alone or among others' in one decision.
func TestCommitteeTieAboutOneself(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, _ workflow.Step) {
		h.seedCommittee()
		h.refused("own tie", func() error {
			return h.svc.CommitteeDecide(ctx, "c1", "2026-Q2", "c1", "好", "工作突出")
		}, "不能审定本人的等次")
		h.refused("own tie among others", func() error {
			return h.svc.CommitteeDecideAll(ctx, "c1", "2026-Q2", []scoring.Decision{
				{Person: "e05", Grade: "较好", Reason: "名额所限"}, {Person: "c1", Grade: "好", Reason: "工作突出"}})
		}, "不能审定本人的等次")
		p, err := h.svc.Period(ctx, "2026-Q2")
		h.must("period", err)
		if len(p.Decisions) != 0 || p.Version != 1 {
			t.Errorf("the refused decisions were kept: %+v", p.Decisions)
		}
		h.must("another member decides c1's tie", h.svc.CommitteeDecide(ctx, "s1", "2026-Q2", "c1", "好", "工作突出"))
	})
}

// seedReviews stores 2026-Q2 in its 复核 window with three requests: hr's
// own (requested), c1's (forwarded) and e05's (forwarded).
func (h *harness) seedReviews() {
	h.t.Helper()
	cp := calendar.MustParsePeriod("2026-Q2")
	h.must("seed", h.store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePeriod(ctx, workflow.Period{ID: "2026-Q2", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodPublished, PublishedAt: h.clk.Now(), ReviewEnd: calendar.DateOf(h.clk.Now().In(sh)).AddDays(15), Version: 1}); err != nil {
			return err
		}
		c1, err := tx.Person(ctx, "c1")
		if err != nil {
			return err
		}
		c1.Assessed, c1.Unit, c1.Group = true, "u1", "u1"
		c1.Version++
		if err := tx.UpdatePerson(ctx, c1); err != nil {
			return err
		}
		if err := h.finishChains(tx, "2026-Q2"); err != nil {
			return err
		}
		for _, r := range []struct{ person, grade, state string }{
			{"hr", "较好", workflow.ReviewRequested}, {"c1", "好", workflow.ReviewForwarded}, {"e05", "较好", workflow.ReviewForwarded},
		} {
			if err := tx.PutResult(ctx, workflow.Result{Period: "2026-Q2", Person: r.person, Grade: r.grade, State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
			if err := tx.CreateReview(ctx, workflow.Review{ID: "2026-Q2/" + r.person, Period: "2026-Q2", Person: r.person, Reason: "不服",
				State: r.state, OldGrade: r.grade, CreatedAt: h.clk.Now(), Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// TestReviewAboutOneself: HR does not handle their own 复核 request, and a
// committee member does not decide their own 复核, nor name themselves as
// the one who gives way in someone else's.
func TestReviewAboutOneself(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, _ workflow.Step) {
		h.seedReviews()
		h.refused("HR handles their own", func() error {
			return h.svc.HandleReview(ctx, "hr", "2026-Q2/hr", 1, true, "材料属实")
		}, "不能办理本人的复核申请")
		h.refused("HR rejects their own", func() error {
			return h.svc.HandleReview(ctx, "hr", "2026-Q2/hr", 1, false, "不予受理")
		}, "不能办理本人的复核申请")
		h.refused("the committee decides its own", func() error {
			return h.svc.DecideReview(ctx, "c1", "2026-Q2/c1", 1, "好", "维持")
		}, "不能决定本人的复核")
		h.refused("the committee displaces itself", func() error {
			return h.svc.DecideReviewDisplacing(ctx, "c1", "2026-Q2/e05", 1, "好", "补计加分", "c1")
		}, "不能决定本人的复核")
		h.must("reviews", h.store.InTx(ctx, func(tx workflow.Tx) error {
			for _, id := range []string{"2026-Q2/hr", "2026-Q2/c1", "2026-Q2/e05"} {
				rv, err := tx.Review(ctx, id)
				if err != nil {
					return err
				}
				if rv.Version != 1 {
					t.Errorf("review %s changed: %+v", id, rv)
				}
			}
			return nil
		}))
		h.must("another member decides c1's", h.svc.DecideReview(ctx, "s1", "2026-Q2/c1", 1, "好", "维持原等次"))
	})
}
