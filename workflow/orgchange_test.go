package workflow_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/storage/postgres/pgtest"
	"github.com/kaohe/kaohe/workflow"
)

// The organisation changes of G8 (docs/reliability.md): pending steps follow
// the role, not the person — a leader replaced or removed, the appraised
// person made their own leader, a person moved or leaving — and go up the
// chain when nobody may hold the role. Each scenario runs on the memory
// store and on PostgreSQL (skipped without TEST_DATABASE_URL, failed in CI).

// onStores runs fn on badHarness's organisation once per store.
func onStores(t *testing.T, fn func(t *testing.T, h *harness, st workflow.Step)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		h, st := badHarnessOn(t, memory.New())
		fn(t, h, st)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		h, st := badHarnessOn(t, pgtest.New(t))
		fn(t, h, st)
	})
}

// badHarnessOn is badHarness on a given store.
func badHarnessOn(t *testing.T, store workflow.Store) (*harness, workflow.Step) {
	t.Helper()
	on := true
	h := newHarnessOn(t, store, "s4", at(2026, 7, 1, 9, 0), func(c *workflow.Config) { c.Votes = &on })
	h.org60()
	_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q3")
	h.must("open", err)
	h.clk.Set(at(2026, 7, 3, 10, 0))
	h.must("summary", h.svc.Submit(ctx, "e01", summary("2026-Q3")))
	return h, h.pendingStep("2026-Q3", "e01")
}

// approve is a first-step approval with the given total.
func approve(st workflow.Step, total int) workflow.StepAction {
	return workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(total)}}
}

// lockedOut checks that each of who is refused the step and that it did
// not change.
func (h *harness) lockedOut(st workflow.Step, who ...string) {
	h.t.Helper()
	for _, by := range who {
		err := h.svc.Act(ctx, by, approve(st, 60))
		if !errors.Is(err, workflow.ErrForbidden) {
			h.t.Errorf("%s approving %s (with %s): %v, want ErrForbidden", by, st.ID, st.Assignee, err)
		}
	}
	if now := h.pendingStep(st.Period, st.Person); now.Version != st.Version {
		h.t.Errorf("a refused approval changed the step: %+v", now)
	}
}

// moved checks a step's move was told: the old assignee and the appraised
// person by TplStepMoved, the new one by TplStepAssigned.
func moved(t *testing.T, ns []workflow.Notification, st workflow.Step, from, to string) {
	t.Helper()
	if to != "" && !equal(sel(ns, workflow.TplStepAssigned, "step="+st.ID), []string{to}) {
		t.Errorf("step %s: assigned told %v, want %s", st.ID, sel(ns, workflow.TplStepAssigned, "step="+st.ID), to)
	}
	told := sel(ns, workflow.TplStepMoved, "step="+st.ID)
	for _, who := range []string{from, st.Person} {
		if who != "" && !slices.Contains(told, who) {
			t.Errorf("step %s: moved told %v, want %s among them", st.ID, told, who)
		}
	}
}

// TestSelfPromotedLeader: e02 is made the leader of u1 while e02's own
// 初评 is pending with l1. The step may stay neither with l1 (no longer the
// leader: the probe approved it with all zeros) nor go to e02 (their own):
// it goes up to u1's 分管领导 s1. e01's step goes to e02.
func TestSelfPromotedLeader(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, e01 workflow.Step) {
		h.must("e02 summary", h.svc.Submit(ctx, "e02", summary("2026-Q3")))
		own := h.pendingStep("2026-Q3", "e02")
		if own.Assignee != "l1" {
			t.Fatalf("e02's step is with %s, want l1", own.Assignee)
		}
		h.take()
		h.must("e02 leads u1", h.svc.Setup(ctx, "hr", workflow.Settings{}, []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "e02", Supervisor: "s1"}}, nil))
		ns := h.take()
		mine := h.pendingStep("2026-Q3", "e02")
		if mine.Assignee != "s1" || mine.ID != own.ID {
			t.Fatalf("e02's own step after the promotion: %+v, want it with s1", mine)
		}
		moved(t, ns, mine, "l1", "s1")
		other := h.pendingStep("2026-Q3", "e01")
		if other.Assignee != "e02" {
			t.Errorf("e01's step is with %s, want e02", other.Assignee)
		}
		moved(t, ns, other, "l1", "e02")
		h.lockedOut(mine, "l1", "e02")
		h.lockedOut(other, "l1")
		h.must("the supervisor decides it", h.svc.Act(ctx, "s1", approve(mine, 90)))
	})
}

// TestLeaderRemoved: a unit's leader is removed with no successor; the
// steps go up to the 分管领导, or to the 主管领导 when the unit has neither.
// The removed leader can no longer decide them.
func TestLeaderRemoved(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, e01 workflow.Step) {
		h.must("e20 summary", h.svc.Submit(ctx, "e20", summary("2026-Q3")))
		h.take()
		h.must("no leaders", h.svc.Setup(ctx, "hr", workflow.Settings{}, []workflow.Unit{
			{ID: "u1", Name: "办公室", Supervisor: "s1"},
			{ID: "u2", Name: "业务科"},
		}, nil))
		ns := h.take()
		for _, c := range []struct {
			person, from, to string
		}{{"e01", "l1", "s1"}, {"e20", "l2", "head"}} {
			st := h.pendingStep("2026-Q3", c.person)
			if st.Assignee != c.to {
				t.Errorf("%s's step is with %s, want %s", c.person, st.Assignee, c.to)
				continue
			}
			moved(t, ns, st, c.from, c.to)
			h.lockedOut(st, c.from)
		}
		st := h.pendingStep("2026-Q3", "e01")
		h.must("s1 decides", h.svc.Act(ctx, "s1", approve(st, 90)))
	})
}

// TestPersonLeaves: l1 (u1's leader) leaves while holding e01's 初评 (by
// role), e20's (HR's 转办 to him, by person) and delegations both ways.
// Afterwards he holds nothing and is told nothing: e01's step goes up to
// s1, e20's back to its role's holder l2, every delegation he gave or
// received has ended (so he cannot act for l2 either), and the other
// sides, the new assignees and the appraised people are told.
func TestPersonLeaves(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, e01 workflow.Step) {
		now := h.clk.Now()
		week := now.Add(7 * 24 * time.Hour)
		h.must("e20 summary", h.svc.Submit(ctx, "e20", summary("2026-Q3")))
		e20 := h.pendingStep("2026-Q3", "e20")
		h.must("HR gives e20's step to l1", h.svc.Reassign(ctx, "hr", e20.ID, e20.Version, "l1", "l2 外出"))
		h.must("l1 delegates to s1", h.svc.Delegate(ctx, "l1", "s1", now, week, "出差"))
		h.must("l2 delegates to l1", h.svc.Delegate(ctx, "l2", "l1", now, week, "学习"))
		h.must("s2 delegates to l1 from tomorrow", h.svc.Delegate(ctx, "s2", "l1", now.Add(24*time.Hour), week, "休假"))
		h.take()

		before := len(h.audit())
		err := h.svc.MarkLeft(ctx, "l2", "l1", "调出")
		if !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("a leader marking another as left: %v, want ErrForbidden", err)
		}
		if a := h.audit(); len(a) != before+1 || !a[len(a)-1].Denied {
			t.Errorf("the refusal was not audited")
		}
		h.wantErr("no reason", h.svc.MarkLeft(ctx, "hr", "l1", " "), workflow.ErrInvalidInput)
		h.wantErr("the last HR person", h.svc.MarkLeft(ctx, "hr", "hr", "退休"), workflow.ErrInvalidInput)

		h.must("l1 leaves", h.svc.MarkLeft(ctx, "hr", "l1", "调出本局"))
		ns := h.take()
		for _, n := range ns {
			if n.To == "l1" {
				t.Errorf("the person who left was told: %s %v", n.Template, n.Data)
			}
			if strings.Contains(strings.Join(mapValues(n.Data), " "), "调出本局") {
				t.Errorf("HR's reason reached %s: %v", n.To, n.Data)
			}
		}
		var l1 workflow.Person
		var u1 workflow.Unit
		var ds []workflow.Delegation
		h.must("read", h.store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			if l1, err = tx.Person(ctx, "l1"); err != nil {
				return err
			}
			if u1, err = tx.Unit(ctx, "u1"); err != nil {
				return err
			}
			ds, err = tx.Delegations(ctx, "l1")
			return err
		}))
		if !l1.Status.Exempt || !strings.Contains(l1.Status.Reason, "调出本局") || u1.Leader != "" {
			t.Errorf("after leaving: %+v, unit %+v", l1, u1)
		}
		for _, d := range ds {
			if d.Active(h.clk.Now()) || d.Active(week.Add(-time.Hour)) {
				t.Errorf("delegation %s->%s still in force: %+v", d.From, d.To, d)
			}
		}
		if got := sel(ns, workflow.TplDelegationEnded); !equal(got, []string{"l2", "s1", "s2"}) {
			t.Errorf("delegation ends told %v, want l2, s1, s2", got)
		}

		st1 := h.pendingStep("2026-Q3", "e01")
		if st1.Assignee != "s1" {
			t.Errorf("e01's step is with %s, want s1", st1.Assignee)
		}
		moved(t, ns, st1, "", "s1")
		st20 := h.pendingStep("2026-Q3", "e20")
		if st20.Assignee != "l2" {
			t.Errorf("e20's step is with %s, want l2", st20.Assignee)
		}
		moved(t, ns, st20, "", "l2")
		// l2's delegation to l1 ended with him: he cannot act for l2.
		h.lockedOut(st1, "l1")
		h.lockedOut(st20, "l1")
		h.wantErr("l1 delegates", h.svc.Delegate(ctx, "l1", "l3", h.clk.Now(), week, "x"), workflow.ErrForbidden)
		h.must("s1 decides", h.svc.Act(ctx, "s1", approve(st1, 90)))
		h.must("l2 decides", h.svc.Act(ctx, "l2", approve(st20, 90)))
	})
}

// TestNobodyLeftToDecide: the 主管领导 leaves while e01's 评鉴 waits for
// him. Nobody is above him, so the step is left with nobody — he cannot
// act, nor can HR — and HR is told to choose someone (转办), who then can.
func TestNobodyLeftToDecide(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, e01 workflow.Step) {
		h.must("初评", h.svc.Act(ctx, "l1", approve(e01, 90)))
		h.must("审定", h.svc.Act(ctx, "s1", approve(h.pendingStep("2026-Q3", "e01"), 90)))
		st := h.pendingStep("2026-Q3", "e01")
		if st.Assignee != "head" {
			t.Fatalf("e01's 评鉴 is with %s, want head", st.Assignee)
		}
		h.take()
		h.must("head leaves", h.svc.MarkLeft(ctx, "hr", "head", "退休"))
		ns := h.take()
		st = h.pendingStep("2026-Q3", "e01")
		if st.Assignee != "" {
			t.Fatalf("e01's 评鉴 is with %q, want nobody", st.Assignee)
		}
		if got := sel(ns, workflow.TplStepMoved, "step="+st.ID, "hr=1"); !equal(got, []string{"hr"}) {
			t.Errorf("HR told %v, want hr", got)
		}
		if got := sel(ns, workflow.TplStepMoved, "step="+st.ID, "to="); !equal(got, []string{"e01", "hr"}) {
			t.Errorf("told of a step with nobody: %v, want e01 and hr", got)
		}
		h.lockedOut(st, "head", "hr", "c1")
		h.must("HR gives it to c1", h.svc.Reassign(ctx, "hr", st.ID, st.Version, "c1", "主管领导退休"))
		h.must("c1 decides", h.svc.Act(ctx, "c1", approve(h.pendingStep("2026-Q3", "e01"), 90)))
	})
}

// TestMovedPersonAllTold: when HR moves e01 to u2, the old leader and e01
// are told the step moved, the new leader that it is his.
func TestMovedPersonAllTold(t *testing.T) {
	t.Parallel()
	onStores(t, func(t *testing.T, h *harness, e01 workflow.Step) {
		h.take()
		h.must("move", h.svc.MovePerson(ctx, "hr", "e01", "u2", "工作调动"))
		st := h.pendingStep("2026-Q3", "e01")
		if st.Assignee != "l2" {
			t.Fatalf("e01's step is with %s, want l2", st.Assignee)
		}
		moved(t, h.take(), st, "l1", "l2")
		h.lockedOut(st, "l1")
	})
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
