package workflow_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// TestNobodyDecidesAboutThemselves extends G8 of docs/reliability.md:
// a delegation cannot carry a person's own step back to them, only those
// who hold steps may delegate, and only to someone who may hold them; each
// refusal says why and is audited.
func TestNobodyDecidesAboutThemselves(t *testing.T) {
	t.Parallel()
	h, _ := badHarness(t)
	week := h.clk.Now().Add(7 * 24 * 3600e9)
	// l1 (科长 of u1) files his own summary: his 审定 step is s1's.
	h.must("l1 summary", h.svc.Submit(ctx, "l1", summary("2026-Q3")))
	own := h.pendingStep("2026-Q3", "l1")
	if own.Assignee != "s1" {
		t.Fatalf("l1's first step is with %s, want s1", own.Assignee)
	}
	refusals := []struct {
		name string
		call func() error
		why  string
	}{
		{"employee delegates", func() error {
			return h.svc.Delegate(ctx, "e02", "e03", h.clk.Now(), week, "休假")
		}, "只有负责考核审核的领导"},
		{"leader delegates to an employee", func() error {
			return h.svc.Delegate(ctx, "l1", "e02", h.clk.Now(), week, "出差")
		}, "只能委托给"},
	}
	for _, r := range refusals {
		before := len(h.audit())
		err := r.call()
		if !errors.Is(err, workflow.ErrForbidden) || !strings.Contains(workflow.Message(err), r.why) {
			t.Errorf("%s: err %v (%q), want ErrForbidden saying %q", r.name, err, workflow.Message(err), r.why)
		}
		if a := h.audit(); len(a) != before+1 || !a[len(a)-1].Denied {
			t.Errorf("%s: the refusal was not audited", r.name)
		}
	}
	// s1 delegates to l1, a leader: allowed. l1 may now act on s1's steps
	// — but never on his own.
	h.must("s1 delegates to l1", h.svc.Delegate(ctx, "s1", "l1", h.clk.Now(), week, "出差"))
	err := h.svc.Act(ctx, "l1", workflow.StepAction{StepID: own.ID, Version: own.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(100)}})
	if !errors.Is(err, workflow.ErrForbidden) || !strings.Contains(workflow.Message(err), "不能审核本人的考核") {
		t.Fatalf("l1 approving his own step through s1's delegation: %v, want ErrForbidden 不能审核本人的考核", err)
	}
	if st := h.pendingStep("2026-Q3", "l1"); st.State != workflow.StepPending || st.Version != own.Version {
		t.Errorf("l1's own step changed: %+v", st)
	}
	a := h.audit()
	if last := a[len(a)-1]; !last.Denied || last.Actor != "l1" || last.Object != own.ID {
		t.Errorf("last audit row %+v, want l1's denied attempt on %s", last, own.ID)
	}
}

// TestStepsFollowTheRole: when setup (or 同步通讯录) replaces a unit's
// leader, the pending steps go to the new leader, who is told; the old one
// can no longer decide them.
func TestStepsFollowTheRole(t *testing.T) {
	t.Parallel()
	h, st := badHarness(t)
	if st.Assignee != "l1" {
		t.Fatalf("e01's step is with %s, want l1", st.Assignee)
	}
	h.take()
	// e02 becomes the leader of u1.
	h.must("replace leader", h.svc.Setup(ctx, "hr", workflow.Settings{}, []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "e02", Supervisor: "s1"}}, nil))
	moved := h.pendingStep("2026-Q3", "e01")
	if moved.Assignee != "e02" || moved.ID != st.ID {
		t.Fatalf("after the new leader: step %+v, want it with e02", moved)
	}
	told := false
	for _, n := range h.take() {
		told = told || (n.Template == workflow.TplStepAssigned && n.To == "e02")
	}
	if !told {
		t.Errorf("the new leader was not told of the step")
	}
	err := h.svc.Act(ctx, "l1", workflow.StepAction{StepID: moved.ID, Version: moved.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(90)}})
	if !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("the replaced leader approving: %v, want ErrForbidden", err)
	}
	h.must("new leader approves", h.svc.Act(ctx, "e02", workflow.StepAction{StepID: moved.ID, Version: moved.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(90)}}))
}

// TestVoteAfterTheDeadline: the 民主测评 closes with the self-summaries
// (Period.SummaryDue); a vote cast later is refused with the reason and
// changes nothing.
func TestVoteAfterTheDeadline(t *testing.T) {
	t.Parallel()
	h, _ := badHarness(t)
	v := map[string]scoring.Dec{}
	for i := 2; i <= 19; i++ {
		v["e"+pad(i)] = scoring.D("88")
	}
	v["l1"] = scoring.D("77")
	p, err := h.svc.Period(ctx, "2026-Q3")
	h.must("period", err)
	h.clk.Set(at(p.SummaryDue.Year, p.SummaryDue.Month, p.SummaryDue.Day+1, 10, 0)) // the day after
	before := h.snap()
	err = h.svc.Vote(ctx, "e02", "2026-Q3", v)
	if !errors.Is(err, workflow.ErrWindowClosed) || !strings.Contains(workflow.Message(err), "民主测评已于"+p.SummaryDue.String()+"截止") {
		t.Fatalf("late vote: %v (%q), want ErrWindowClosed", err, workflow.Message(err))
	}
	if after := h.snap(); len(after.ballots) != len(before.ballots) || len(after.voters) != len(before.voters) {
		t.Errorf("a refused vote was stored: %d ballots, %d voters", len(after.ballots), len(after.voters))
	}
}

// TestEndedDelegation: a delegation can be ended early by its giver or by
// HR, not by the delegate or anyone else; both sides are told; once ended
// the delegate can no longer act on the giver's steps.
func TestEndedDelegation(t *testing.T) {
	t.Parallel()
	h, st := badHarness(t)
	week := h.clk.Now().Add(7 * 24 * time.Hour)
	h.must("l1 delegates to s1", h.svc.Delegate(ctx, "l1", "s1", h.clk.Now(), week, "出差"))
	ds, err := h.svc.Delegations(ctx, "l1")
	h.must("delegations", err)
	if len(ds) != 1 {
		t.Fatalf("delegations = %+v", ds)
	}
	id := ds[0].ID
	h.take()
	for _, who := range []string{"s1", "e02"} {
		before := len(h.audit())
		err := h.svc.EndDelegation(ctx, who, id, "不需要了")
		if !errors.Is(err, workflow.ErrForbidden) || !strings.Contains(workflow.Message(err), "只有委托人或政工科") {
			t.Errorf("%s ending l1's delegation: %v, want ErrForbidden", who, err)
		}
		if a := h.audit(); len(a) != before+1 || !a[len(a)-1].Denied {
			t.Errorf("%s: the refusal was not audited", who)
		}
	}
	h.wantErr("no reason", h.svc.EndDelegation(ctx, "l1", id, " "), workflow.ErrInvalidInput)
	h.clk.Set(h.clk.Now().Add(time.Hour))
	h.must("l1 ends it", h.svc.EndDelegation(ctx, "l1", id, "提前返岗"))
	told := map[string]bool{}
	for _, n := range h.take() {
		if n.Template == workflow.TplDelegationEnded && n.Data["reason"] == "提前返岗" {
			told[n.To] = true
		}
	}
	if !told["l1"] || !told["s1"] {
		t.Errorf("told %v, want l1 and s1", told)
	}
	h.wantErr("end twice", h.svc.EndDelegation(ctx, "l1", id, "再次"), workflow.ErrStale)
	err = h.svc.Act(ctx, "s1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(90)}})
	if !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("the delegate acting after the end: %v, want ErrForbidden", err)
	}
	// HR may end anyone's delegation.
	h.must("l1 delegates again", h.svc.Delegate(ctx, "l1", "s1", h.clk.Now(), week, "出差"))
	ds, _ = h.svc.Delegations(ctx, "l1")
	for _, d := range ds {
		if d.ID != id {
			h.must("HR ends it", h.svc.EndDelegation(ctx, "hr", d.ID, "人员调整"))
		}
	}
}

// TestMovedPersonStepsFollow: when HR moves a person to another unit, the
// pending step goes to the new unit's leader, who is told; the old leader
// can no longer decide it.
func TestMovedPersonStepsFollow(t *testing.T) {
	t.Parallel()
	h, st := badHarness(t)
	if st.Assignee != "l1" {
		t.Fatalf("e01's step is with %s, want l1", st.Assignee)
	}
	h.take()
	h.must("move", h.svc.MovePerson(ctx, "hr", "e01", "u2", "工作调动"))
	moved := h.pendingStep("2026-Q3", "e01")
	if moved.Assignee != "l2" || moved.ID != st.ID {
		t.Fatalf("after the move: step %+v, want it with l2", moved)
	}
	told := false
	for _, n := range h.take() {
		told = told || (n.Template == workflow.TplStepAssigned && n.To == "l2")
	}
	if !told {
		t.Errorf("the new leader was not told of the step")
	}
	err := h.svc.Act(ctx, "l1", workflow.StepAction{StepID: moved.ID, Version: moved.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(90)}})
	if !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("the old leader approving after the move: %v, want ErrForbidden", err)
	}
	h.must("new leader approves", h.svc.Act(ctx, "l2", workflow.StepAction{StepID: moved.ID, Version: moved.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(90)}}))
}

// TestReassignOnlyToLeaders: HR may move a step only to someone who may
// hold steps (a leader, the head, the committee), never to an employee.
func TestReassignOnlyToLeaders(t *testing.T) {
	t.Parallel()
	h, st := badHarness(t)
	h.wantErr("to an employee", h.svc.Reassign(ctx, "hr", st.ID, st.Version, "e02", "科长外出"), workflow.ErrInvalidInput)
	h.wantErr("to the person", h.svc.Reassign(ctx, "hr", st.ID, st.Version, "e01", "科长外出"), workflow.ErrForbidden)
	h.must("to the supervisor", h.svc.Reassign(ctx, "hr", st.ID, st.Version, "s1", "科长外出"))
	if got := h.pendingStep("2026-Q3", "e01"); got.Assignee != "s1" {
		t.Errorf("step with %s, want s1", got.Assignee)
	}
}
