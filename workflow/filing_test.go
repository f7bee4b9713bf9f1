package workflow_test

import (
	"errors"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// TestFilingData reads what the filing tables need: HR only (a refusal
// audited once), a period or its year, each person's result, and the chain
// as it stands (a step sent back and decided again counts as decided the
// second time).
func TestFilingData(t *testing.T) {
	h := newHarness(t, "s4", at(2026, 7, 1, 9, 0), nil)
	h.org60()
	h.seedPeriod("2026-Q1", func(p string) (string, string) {
		if p == "e01" {
			return "好", "95"
		}
		return "较好", "80"
	})
	h.seedPeriod("2026-Q2", func(string) (string, string) { return "较好", "82" })
	// e01's Q2 chain: 初评 sent back by 审定, then 初评 again and 审定.
	h.must("steps", h.store.InTx(ctx, func(tx workflow.Tx) error {
		d := scoring.IntDec(88)
		for _, s := range []workflow.Step{
			{ID: "2026-Q2/e01/1", Seq: 1, Index: 0, Role: workflow.RoleUnitLeader, Assignee: "l1", State: workflow.StepApproved,
				Assessment: workflow.Assessment{Score: &d, Comment: "first"}},
			{ID: "2026-Q2/e01/2", Seq: 2, Index: 1, Role: workflow.RoleSupervisor, Assignee: "s1", State: workflow.StepReturned, Reason: "再看看"},
			{ID: "2026-Q2/e01/3", Seq: 3, Index: 0, Role: workflow.RoleUnitLeader, Assignee: "l1", State: workflow.StepApproved, ActedBy: "l1",
				Assessment: workflow.Assessment{Score: &d, Comment: "second"}},
			{ID: "2026-Q2/e01/4", Seq: 4, Index: 1, Role: workflow.RoleSupervisor, Assignee: "s1", State: workflow.StepApproved, ActedBy: "s1",
				Assessment: workflow.Assessment{Score: &d, Comment: "second"}},
		} {
			s.Period, s.Person, s.Version = "2026-Q2", "e01", 2
			if err := tx.CreateStep(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}))

	t.Run("a period", func(t *testing.T) {
		f, err := h.svc.FilingData(ctx, "hr", "2026-q2")
		if err != nil {
			t.Fatal(err)
		}
		if f.ID != "2026-Q2" || f.Year != 2026 || f.Org != "XX局" || f.Head != "局长" || len(f.Periods) != 1 || len(f.People) != 60 {
			t.Fatalf("filing %s %d %q %q: %d periods, %d people", f.ID, f.Year, f.Org, f.Head, len(f.Periods), len(f.People))
		}
		if f.People[0].Unit != "u1" || f.People[0].UnitName != "办公室" {
			t.Errorf("first person %+v, want ordered by unit", f.People[0])
		}
		r := f.Periods[0].Records["e01"]
		if r == nil || r.Result == nil || r.Result.Grade != "较好" {
			t.Fatalf("e01's record %+v", r)
		}
		if len(r.Steps) != 2 || r.Steps[0].Seq != 3 || r.Steps[0].Assessment.Comment != "second" || r.Steps[1].Seq != 4 {
			t.Fatalf("e01's steps %+v, want the second 初评 and 审定", r.Steps)
		}
		if !r.Steps[0].Changed || r.Steps[1].Changed || r.Steps[0].Leader != "科长u1" || r.Steps[0].Score != "88" || r.Steps[0].Grade != "较好" {
			t.Errorf("steps %+v", r.Steps)
		}
		if len(r.Months) != 3 || r.Months[0].Month != "2026-04" || r.Months[2].Label != "6月" {
			t.Errorf("months %+v", r.Months)
		}
	})
	t.Run("a year", func(t *testing.T) {
		f, err := h.svc.FilingData(ctx, "hr", "2026")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Periods) != 2 || f.Periods[0].Period.ID != "2026-Q1" || f.Periods[1].Label != "2026年第二季度" {
			t.Fatalf("periods %+v", f.Periods)
		}
		if g := f.Periods[0].Records["e01"].Result.Grade; g != "好" {
			t.Errorf("e01 Q1 %q", g)
		}
	})
	t.Run("errors", func(t *testing.T) {
		before := len(h.audit())
		_, err := h.svc.FilingData(ctx, "e01", "2026-Q2")
		if !errors.Is(err, workflow.ErrForbidden) || !workflow.Audited(err) {
			t.Fatalf("not HR: %v", err)
		}
		rows := h.audit()
		if len(rows) != before+1 || rows[len(rows)-1].Action != "filing.read" || !rows[len(rows)-1].Denied {
			t.Fatalf("audit %+v", rows[before:])
		}
		if _, err := h.svc.FilingData(ctx, "hr", "2026-Q4"); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("no such period: %v", err)
		}
		if _, err := h.svc.FilingData(ctx, "hr", "2026-W40"); !errors.Is(err, workflow.ErrInvalidInput) {
			t.Errorf("a week: %v", err)
		}
		if _, err := h.svc.FilingData(ctx, "hr", "2025"); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("a year with no period: %v", err)
		}
	})
}
