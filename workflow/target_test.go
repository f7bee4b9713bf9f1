package workflow_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestTargetsOf: a person's targets are seen by the person, the leader
// who reviews them (审核), that leader's delegate, the superior who
// approves them (审定) and HR; anyone else is refused. TargetsAwaiting
// lists, for each level in turn, the people with targets waiting there,
// and the notice names the person and the year so the card can open them.
func TestTargetsOf(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 2, 10, 9, 0), nil)
	h.org60()
	h.take()
	h.must("propose", h.svc.ProposeTargets(ctx, "e01", 2026, []workflow.TargetInput{
		{Title: "起草年度报告", Deadline: calendar.Date{Year: 2026, Month: time.June, Day: 30}, Lead: true},
		{Title: "配合督查", Deadline: calendar.Date{Year: 2026, Month: time.September, Day: 30}},
	}))
	if n, ok := find(h.take(), workflow.TplTargetsProposed, "l1"); !ok || n.Data["person_id"] != "e01" || n.Data["year"] != "2026" || n.Data["count"] != "2" {
		t.Fatalf("notice to l1: %+v %v", n, ok)
	}
	h.must("delegate", h.svc.Delegate(ctx, "l1", "c1", h.clk.Now(), h.clk.Now().Add(72*time.Hour), "出差"))
	h.take()

	tests := []struct {
		name, by, person string
		want             error
	}{
		{"OK/Self", "e01", "e01", nil},
		{"OK/Reviewer", "l1", "e01", nil},
		{"OK/Delegate", "c1", "e01", nil},
		{"OK/Approver", "s1", "e01", nil},
		{"OK/HR", "hr", "e01", nil},
		{"ErrForbidden/Colleague", "e02", "e01", workflow.ErrForbidden},
		{"ErrForbidden/OtherLeader", "l2", "e01", workflow.ErrForbidden},
		{"ErrForbidden/OtherSupervisor", "s2", "e01", workflow.ErrForbidden},
		{"ErrForbidden/Stranger", "nobody", "e01", workflow.ErrForbidden},
		{"ErrNotFound", "hr", "nobody", workflow.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, err := h.svc.TargetsOf(ctx, tc.by, tc.person, 2026)
			if !errors.Is(err, tc.want) {
				t.Fatalf("TargetsOf(%s, %s) = %v, want %v", tc.by, tc.person, err, tc.want)
			}
			if tc.want == nil && len(ts) != 2 {
				t.Errorf("TargetsOf(%s, %s) = %d targets, want 2", tc.by, tc.person, len(ts))
			}
			var fe *workflow.ForbiddenError
			if errors.Is(tc.want, workflow.ErrForbidden) && !errors.As(err, &fe) {
				t.Errorf("refusal %v does not say why", err)
			}
		})
	}

	awaiting := func(when string, want map[string][]workflow.PendingTargets) {
		t.Helper()
		for by, w := range want {
			got, err := h.svc.TargetsAwaiting(ctx, by, 2026)
			if err != nil || !reflect.DeepEqual(got, w) {
				t.Errorf("%s: TargetsAwaiting(%s) = %+v, %v; want %+v", when, by, got, err, w)
			}
		}
	}
	review := []workflow.PendingTargets{{Person: "e01", Name: "干部01", Review: 2}}
	awaiting("proposed", map[string][]workflow.PendingTargets{"l1": review, "c1": review, "s1": nil, "l2": nil, "e01": nil, "hr": nil})
	ts, err := h.svc.TargetsOf(ctx, "l1", "e01", 2026)
	h.must("targets", err)
	for _, tg := range ts {
		h.must("review "+tg.ID, h.svc.ConfirmTarget(ctx, "c1", tg.ID, tg.Version))
	}
	approve := []workflow.PendingTargets{{Person: "e01", Name: "干部01", Approve: 2}}
	awaiting("reviewed", map[string][]workflow.PendingTargets{"l1": nil, "c1": nil, "s1": approve, "head": nil})
	ns := h.take()
	if n, ok := find(ns, workflow.TplTargetsReviewed, "s1"); !ok || n.Data["count"] != "2" || n.Data["person_id"] != "e01" {
		t.Errorf("notice to s1: %+v %v", n, ok)
	}
	if n, ok := find(ns, workflow.TplTargetsDecided, "e01"); !ok || n.Data["level"] != workflow.TargetLevelReview {
		t.Errorf("notice to e01: %+v %v", n, ok)
	}
	if len(ns) != 2 {
		t.Errorf("reviewing two targets one by one sent %d notices, want one to each side: %+v", len(ns), ns)
	}
}

// TestTargetTwoLevels drives one target through both levels, in order,
// with every refusal on the way: nobody decides their own target, each
// level is its holder's, an old card is stale, a return needs a reason and
// makes the person revise, the revision starts again at 审核, and only the
// 审定 leader marks a done target 超额完成. Weekly records mark only an
// approved target done.
func TestTargetTwoLevels(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 7, 1, 9, 0), nil)
	h.org60()
	_, err := h.svc.OpenPeriod(ctx, "hr", "2026-Q3")
	h.must("open", err)
	h.must("propose", h.svc.ProposeTargets(ctx, "e01", 2026, []workflow.TargetInput{
		{Title: "起草半年总结", Quantity: "1份", Deadline: calendar.Date{Year: 2026, Month: time.June, Day: 30}, Lead: true}}))
	h.take()
	const id = "2026/e01/1"
	target := func() workflow.Target {
		t.Helper()
		ts, err := h.svc.Targets(ctx, "e01", 2026)
		h.must("targets", err)
		return ts[0]
	}
	week := 27
	weekly := func() error {
		week++
		return h.svc.Submit(ctx, "e01", workflow.EntryInput{Kind: workflow.EntryWeekly, Period: fmt.Sprintf("2026-W%d", week-1),
			Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "起草半年总结", Progress: 100, Target: id}}}})
	}
	const cur = -1 // the target's version now
	steps := []struct {
		name    string
		by      string
		do      string // confirm, return, revise, exceed, weekly
		version int
		reason  string
		want    error
		why     string // the refusal's reason
		state   string // the state after
		notice  string // a template sent by the step ("" for none)
		to      string
	}{
		{"Self", "e01", "confirm", cur, "", workflow.ErrForbidden, "不能审核本人的年度目标", workflow.TargetDraft, "", ""},
		{"ApproverFirst", "s1", "confirm", cur, "", workflow.ErrForbidden, "待科室负责人审核", workflow.TargetDraft, "", ""},
		{"OtherLeader", "l2", "confirm", cur, "", workflow.ErrForbidden, "", workflow.TargetDraft, "", ""},
		{"OldCard", "l1", "confirm", 0, "", workflow.ErrStale, "", workflow.TargetDraft, "", ""},
		{"WeeklyBeforeApproval", "e01", "weekly", cur, "", nil, "", workflow.TargetDraft, "", ""},
		{"Review", "l1", "confirm", cur, "", nil, "", workflow.TargetReviewed, workflow.TplTargetsReviewed, "s1"},
		{"DoubleClick", "l1", "confirm", 1, "", workflow.ErrStale, "", workflow.TargetReviewed, "", ""},
		{"ReviewerCannotApprove", "l1", "confirm", cur, "", workflow.ErrForbidden, "待分管领导审定", workflow.TargetReviewed, "", ""},
		{"ReturnWithoutReason", "s1", "return", cur, " ", workflow.ErrInvalidInput, "", workflow.TargetReviewed, "", ""},
		{"ReturnAtApproval", "s1", "return", cur, "数量和标准不明确", nil, "", workflow.TargetReturned, workflow.TplTargetReturned, "e01"},
		{"ConfirmReturned", "l1", "confirm", cur, "", workflow.ErrInvalidTransition, "", workflow.TargetReturned, "", ""},
		{"ReviseOthers", "e02", "revise", cur, "", workflow.ErrForbidden, "只能修改本人的年度目标", workflow.TargetReturned, "", ""},
		{"ReviseOld", "e01", "revise", 2, "", workflow.ErrStale, "", workflow.TargetReturned, "", ""},
		{"Revise", "e01", "revise", cur, "", nil, "", workflow.TargetDraft, workflow.TplTargetsProposed, "l1"},
		{"ReviseTwice", "e01", "revise", cur, "", workflow.ErrInvalidTransition, "", workflow.TargetDraft, "", ""},
		{"ReviewAgain", "l1", "confirm", cur, "", nil, "", workflow.TargetReviewed, workflow.TplTargetsReviewed, "s1"},
		{"Approve", "s1", "confirm", cur, "", nil, "", workflow.TargetApproved, workflow.TplTargetsDecided, "e01"},
		{"ApproveTwice", "s1", "confirm", cur, "", workflow.ErrInvalidTransition, "", workflow.TargetApproved, "", ""},
		{"ExceedOpen", "s1", "exceed", cur, "", workflow.ErrInvalidTransition, "", workflow.TargetApproved, "", ""},
		{"Weekly", "e01", "weekly", cur, "", nil, "", workflow.TargetDone, "", ""},
		{"ExceedByReviewer", "l1", "exceed", cur, "", workflow.ErrForbidden, "超额完成由审定目标的领导认定", workflow.TargetDone, "", ""},
		{"ExceedBySelf", "e01", "exceed", cur, "", workflow.ErrForbidden, "不能审核本人的年度目标", workflow.TargetDone, "", ""},
		{"Exceed", "s1", "exceed", cur, "", nil, "", workflow.TargetDone, "", ""},
	}
	for _, st := range steps {
		v := st.version
		if v == cur {
			v = target().Version
		}
		var err error
		switch st.do {
		case "confirm":
			err = h.svc.ConfirmTarget(ctx, st.by, id, v)
		case "return":
			err = h.svc.ReturnTarget(ctx, st.by, id, v, st.reason)
		case "revise":
			err = h.svc.ReviseTarget(ctx, st.by, id, v, workflow.TargetInput{Title: "起草上半年工作总结", Quantity: "1份",
				Standard: "7月3日前报局办公会", Deadline: calendar.Date{Year: 2026, Month: time.June, Day: 30}, Lead: true})
		case "exceed":
			err = h.svc.MarkTargetExceeded(ctx, st.by, id, v, true)
		case "weekly":
			h.clk.Set(at(2026, 7, 3+7*(week-27), 10, 0))
			err = weekly()
		}
		if !errors.Is(err, st.want) || (st.why != "" && !strings.Contains(workflow.Message(err), st.why)) {
			t.Fatalf("%s: %v (%q), want %v saying %q", st.name, err, workflow.Message(err), st.want, st.why)
		}
		if got := target().State; got != st.state {
			t.Fatalf("%s: state %s, want %s", st.name, got, st.state)
		}
		ns := h.take()
		if st.notice != "" {
			if _, ok := find(ns, st.notice, st.to); !ok {
				t.Errorf("%s: no %s to %s in %+v", st.name, st.notice, st.to, ns)
			}
		} else if st.want != nil && len(ns) != 0 {
			t.Errorf("%s: a refusal sent %+v", st.name, ns)
		}
	}
	got := target()
	if got.ReviewedBy != "l1" || got.ApprovedBy != "s1" || !got.Exceeded || got.Title != "起草上半年工作总结" ||
		got.ReturnLevel != workflow.TargetLevelApprove || got.ReturnReason != "数量和标准不明确" || got.ReturnedBy != "s1" ||
		got.DoneOn != calendar.NewDate(2026, 7, 10) {
		t.Errorf("at the end: %+v", got)
	}
	var actions []string
	for _, a := range h.audit() {
		if a.Object == id && !a.Denied {
			actions = append(actions, a.Action)
		}
	}
	want := []string{"target.review", "target.return", "target.revise", "target.review", "target.approve", "target.exceed"}
	if !reflect.DeepEqual(actions, want) {
		t.Errorf("audit of %s: %v, want %v", id, actions, want)
	}
}

// TestTargetLevels: who holds each level follows the person's chain. A
// unit's leader is reviewed by the supervisor and approved by the head; a
// delegate of both leaders still cannot sign both levels; where the chain
// has one leader above the person, the review is final and that leader
// marks 超额.
func TestTargetLevels(t *testing.T) {
	t.Parallel()
	dl := calendar.Date{Year: 2026, Month: time.December, Day: 31}
	t.Run("UnitLeader", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "s4", at(2026, 2, 10, 9, 0), nil)
		h.org60()
		h.take()
		h.must("propose", h.svc.ProposeTargets(ctx, "l1", 2026, []workflow.TargetInput{{Title: "统筹办公室工作", Deadline: dl}}))
		if _, ok := find(h.take(), workflow.TplTargetsProposed, "s1"); !ok {
			t.Error("the supervisor was not asked to review a unit leader's targets")
		}
		for by, want := range map[string]workflow.TargetDuty{"s1": {Review: true}, "head": {Approve: true, Final: true}, "l1": {}, "e01": {}} {
			if d, err := h.svc.TargetDuties(ctx, by, "l1"); err != nil || d != want {
				t.Errorf("TargetDuties(%s, l1) = %+v, %v; want %+v", by, d, err, want)
			}
		}
		h.must("review", h.svc.ConfirmTarget(ctx, "s1", "2026/l1/1", 1))
		h.must("approve", h.svc.ConfirmTarget(ctx, "head", "2026/l1/1", 2))
	})
	t.Run("DelegateOfBoth", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "s4", at(2026, 2, 10, 9, 0), nil)
		h.org60()
		h.must("propose", h.svc.ProposeTargets(ctx, "e01", 2026, []workflow.TargetInput{{Title: "任务", Deadline: dl}}))
		end := h.clk.Now().Add(72 * time.Hour)
		h.must("delegate l1", h.svc.Delegate(ctx, "l1", "c1", h.clk.Now(), end, "出差"))
		h.must("delegate s1", h.svc.Delegate(ctx, "s1", "c1", h.clk.Now(), end, "出差"))
		h.must("review", h.svc.ConfirmTarget(ctx, "c1", "2026/e01/1", 1))
		h.refused("approve what one reviewed", func() error { return h.svc.ConfirmTarget(ctx, "c1", "2026/e01/1", 2) }, "同一人不能既审核又审定")
		if got, _ := h.svc.TargetsAwaiting(ctx, "c1", 2026); len(got) != 0 {
			t.Errorf("待办 of the delegate who reviewed: %+v", got)
		}
		h.must("the supervisor approves", h.svc.ConfirmTarget(ctx, "s1", "2026/e01/1", 2))
	})
	t.Run("OneLevel", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "s4", at(2026, 2, 10, 9, 0), func(c *workflow.Config) {
			c.Chains = map[string][]workflow.ChainStep{"": {{Role: workflow.RoleUnitLeader, Name: "评鉴"}}}
		})
		h.org60()
		h.take()
		h.must("propose", h.svc.ProposeTargets(ctx, "e01", 2026, []workflow.TargetInput{{Title: "任务", Deadline: dl}}))
		h.must("review", h.svc.ConfirmTarget(ctx, "l1", "2026/e01/1", 1))
		ts, _ := h.svc.Targets(ctx, "e01", 2026)
		if ts[0].State != workflow.TargetApproved || ts[0].ReviewedBy != "l1" || ts[0].ApprovedBy != "l1" {
			t.Errorf("one level: %+v", ts[0])
		}
		if n, ok := find(h.take(), workflow.TplTargetsDecided, "e01"); !ok || n.Data["level"] != workflow.TargetLevelApprove {
			t.Errorf("the person was not told: %+v", n)
		}
		if d, _ := h.svc.TargetDuties(ctx, "l1", "e01"); d != (workflow.TargetDuty{Review: true, Final: true}) {
			t.Errorf("duty of the only level: %+v", d)
		}
	})
}
