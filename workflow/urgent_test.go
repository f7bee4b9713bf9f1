package workflow_test

import (
	"strings"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

// TestUrgentStage: a monthly plan whose last word before the deadline is
// 加急 at 14:00 on the due day. The urgent nudge goes out on that day and
// at that time only, to those who still owe the 月小结 (e07; e08 wrote it
// that morning after the 09:00 nudge), and only its notifications ask to
// be sent as 加急: the earlier and later stages are ordinary reminders.
func TestUrgentStage(t *testing.T) {
	t.Parallel()
	plan, err := workflow.ParsePlan("before:-1@15:00,due:0@09:00,urgent:0@14:00,overdue:1@09:00")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "s4", at(2026, 8, 27, 8, 30), func(c *workflow.Config) {
		c.Plans = map[string][]workflow.Nudge{"monthly": plan, "weekly": {}, "summary": {}, "vote": {}}
	})
	h.org60()
	_, err = h.svc.OpenPeriod(ctx, "hr", "2026-Q3")
	h.must("OpenPeriod", err)
	for _, p := range staff() {
		h.must("monthly "+p, h.svc.Submit(ctx, p, monthly("2026-07")))
		if p != "e07" && p != "e08" {
			h.must("monthly "+p, h.svc.Submit(ctx, p, monthly("2026-08")))
		}
	}
	h.take()
	const aug = "entry=2026-08"
	urgent := func(ns []workflow.Notification) []string { return sel(ns, workflow.TplRemind, aug, "urgent=1") }

	// August's 月小结 is due Monday 31 August (its last working day).
	h.advance(at(2026, 8, 28, 15, 30))
	ns := h.take()
	h.checkNotes(ns, []string{"e07", "e08"}, at(2026, 8, 28, 15, 0), workflow.TplRemind, aug, "stage=before")
	if got := urgent(ns); len(got) != 0 {
		t.Errorf("the working day before: urgent to %v, want none", got)
	}
	h.advance(at(2026, 8, 31, 10, 0))
	ns = h.take()
	h.checkNotes(ns, []string{"e07", "e08"}, at(2026, 8, 31, 9, 0), workflow.TplRemind, aug, "stage=due")
	h.must("e08 writes it", h.svc.Submit(ctx, "e08", monthly("2026-08")))
	h.advance(at(2026, 8, 31, 13, 59))
	if got := urgent(h.take()); len(got) != 0 {
		t.Errorf("before 14:00 on the due day: urgent to %v, want none yet", got)
	}
	h.advance(at(2026, 8, 31, 14, 30))
	ns = h.take()
	h.checkNotes(ns, []string{"e07"}, at(2026, 8, 31, 14, 0), workflow.TplRemind, aug, "stage=urgent", "urgent=1")
	if got := sel(ns, workflow.TplRemind, aug); !equal(got, []string{"e07"}) {
		t.Errorf("at 14:30 on the due day: reminders to %v, want the urgent one to e07 only", got)
	}
	h.advance(at(2026, 9, 1, 9, 30))
	ns = h.take()
	h.checkNotes(ns, []string{"e07"}, at(2026, 9, 1, 9, 0), workflow.TplRemind, aug, "stage=overdue")
	if got := urgent(ns); len(got) != 0 {
		t.Errorf("after the due date: urgent to %v, want none (overdue is an ordinary reminder)", got)
	}
	// Nobody else ever got an urgent reminder.
	h.advance(at(2026, 9, 4, 18, 0))
	for _, n := range h.take() {
		if n.Data[workflow.DataUrgent] != "" {
			t.Errorf("late urgent %s to %s: %v", n.Template, n.To, n.Data)
		}
	}
}

// TestUrgentPlanRules: an urgent nudge after the due date or a second one
// in a plan is refused, both as configuration text and as a Config.
func TestUrgentPlanRules(t *testing.T) {
	t.Parallel()
	urgent := func(wd, hour int) workflow.Nudge {
		return workflow.Nudge{Stage: workflow.StageUrgent, Workdays: wd, Hour: hour}
	}
	for _, tt := range []struct {
		name, spec string
		plan       []workflow.Nudge
		err        string
	}{
		{"after the due date", "urgent:1@09:00", []workflow.Nudge{urgent(1, 9)}, "on or before the due date"},
		{"two", "urgent:-1@09:00,due:0@09:00,urgent:0@14:00",
			[]workflow.Nudge{urgent(-1, 9), {Stage: workflow.StageDue, Hour: 9}, urgent(0, 14)}, "at most one urgent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, err := workflow.ParsePlan(tt.spec); err == nil || !strings.Contains(err.Error(), tt.err) || got != nil {
				t.Fatalf("ParsePlan(%q) = %v, %v; want an error containing %q", tt.spec, got, err, tt.err)
			}
			h := newHarness(t, "s4", at(2026, 8, 27, 8, 30), nil)
			_, err := workflow.New(workflow.Config{Store: h.store, Clock: h.clk, Calendar: h.cal, Scheme: h.svc.Scheme(),
				Plans: map[string][]workflow.Nudge{"summary": tt.plan}})
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), `Plans["summary"]`) {
				t.Errorf("New with plan %+v: %v, want an error about Plans[\"summary\"] containing %q", tt.plan, err, tt.err)
			}
		})
	}
}
