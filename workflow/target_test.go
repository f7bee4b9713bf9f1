package workflow_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestTargetsOf: a person's targets are seen by the person, the leader
// who confirms them, that leader's delegate and HR; anyone else is
// refused. TargetsAwaiting lists, for the confirming leader and their
// delegate, the people with drafts left, and the notice names the person
// and the year so the card can open them.
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

	tests := []struct {
		name, by, person string
		want             error
	}{
		{"OK/Self", "e01", "e01", nil},
		{"OK/Leader", "l1", "e01", nil},
		{"OK/Delegate", "c1", "e01", nil},
		{"OK/HR", "hr", "e01", nil},
		{"ErrForbidden/Colleague", "e02", "e01", workflow.ErrForbidden},
		{"ErrForbidden/OtherLeader", "l2", "e01", workflow.ErrForbidden},
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

	want := []workflow.PendingTargets{{Person: "e01", Name: "干部01", Drafts: 2}}
	for _, by := range []string{"l1", "c1"} {
		got, err := h.svc.TargetsAwaiting(ctx, by, 2026)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("TargetsAwaiting(%s) = %+v, %v; want %+v", by, got, err, want)
		}
	}
	for _, by := range []string{"l2", "e01", "s1", "hr"} {
		if got, err := h.svc.TargetsAwaiting(ctx, by, 2026); err != nil || len(got) != 0 {
			t.Errorf("TargetsAwaiting(%s) = %+v, %v; want none", by, got, err)
		}
	}
	ts, err := h.svc.TargetsOf(ctx, "l1", "e01", 2026)
	h.must("targets", err)
	for _, tg := range ts {
		h.must("confirm "+tg.ID, h.svc.ConfirmTarget(ctx, "c1", tg.ID, tg.Version))
	}
	if got, err := h.svc.TargetsAwaiting(ctx, "l1", 2026); err != nil || len(got) != 0 {
		t.Errorf("after confirming: %+v, %v", got, err)
	}
}
