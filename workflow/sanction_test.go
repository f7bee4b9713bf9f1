package workflow_test

import (
	"errors"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestSanctionTerm: a sanction grades the periods its term overlaps under
// the scheme's rule (s4: 记过 leaves the period ungraded) and no other: a
// period that ends before it starts, or starts after it ends, is graded
// as usual (S4 注意事项11: 从处分期满的下一个周期开始恢复平时考核); the
// period its end falls in is still under it. Each closed period keeps the
// sanction with its term (Period.Statuses), and the person keeps it on
// record after it ends.
func TestSanctionTerm(t *testing.T) {
	t.Parallel()
	d := calendar.MustParseDate
	ungraded, graded := scoring.StateNotGraded, scoring.StateGraded
	tests := []struct {
		name       string
		start, end string
		want       [3]string // Q1, Q2, Q3 of 2026
	}{
		{"EndsInQ2", "2026-02-01", "2026-05-15", [3]string{ungraded, ungraded, graded}},
		{"EndsOnQ1sLastDay", "2025-10-01", "2026-03-31", [3]string{ungraded, graded, graded}},
		{"StartsInQ2", "2026-05-01", "2027-04-30", [3]string{graded, ungraded, ungraded}},
		{"EndedLastYear", "2025-01-01", "2025-12-31", [3]string{graded, graded, graded}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "s4", at(2026, 10, 9, 9, 0), nil)
			h.org60()
			h.must("sanction", h.svc.SetStatus(ctx, "hr", "e06", workflow.PersonStatus{Sanction: "记过",
				SanctionStart: d(tc.start), SanctionEnd: d(tc.end), Reason: "处分决定"}))
			for i, q := range []string{"2026-Q1", "2026-Q2", "2026-Q3"} {
				h.closeScored(q, func(string) int { return 85 })
				r, err := h.svc.Result(ctx, "hr", q, "e06")
				h.must("result", err)
				if r.State != tc.want[i] || (tc.want[i] == graded) != (r.Grade != "") {
					t.Errorf("%s: %s %q, want %s", q, r.State, r.Grade, tc.want[i])
				}
				p, err := h.svc.Period(ctx, q)
				h.must("period", err)
				if st := p.Statuses["e06"]; st.Sanction != "记过" || st.SanctionEnd != d(tc.end) {
					t.Errorf("%s keeps e06 as %+v", q, st)
				}
			}
			p := h.personOf("e06")
			if p.Status.Sanction != "记过" || p.Status.SanctionEnd != d(tc.end) {
				t.Errorf("the sanction is not kept on record: %+v", p.Status)
			}
		})
	}
}

// TestSanctionNeedsTerm: HR records a sanction with its start and end, the
// end not before the start; a status without a sanction keeps no term.
func TestSanctionNeedsTerm(t *testing.T) {
	t.Parallel()
	d := calendar.MustParseDate
	h := newHarness(t, "s4", at(2026, 10, 9, 9, 0), nil)
	h.org60()
	for _, tc := range []struct {
		name  string
		st    workflow.PersonStatus
		field string
	}{
		{"NoEnd", workflow.PersonStatus{Sanction: "记过", SanctionStart: d("2026-10-01"), Reason: "r"}, "sanction_end"},
		{"NoStart", workflow.PersonStatus{Sanction: "记过", SanctionEnd: d("2027-10-01"), Reason: "r"}, "sanction_start"},
		{"EndBeforeStart", workflow.PersonStatus{Sanction: "记过", SanctionStart: d("2026-10-01"), SanctionEnd: d("2026-09-30"), Reason: "r"}, "sanction_end"},
	} {
		var ie *workflow.InputError
		if err := h.svc.SetStatus(ctx, "hr", "e06", tc.st); !errors.As(err, &ie) || ie.Field != tc.field {
			t.Errorf("%s: %v, want an input error on %s", tc.name, err, tc.field)
		}
	}
	h.must("no sanction", h.svc.SetStatus(ctx, "hr", "e06", workflow.PersonStatus{SanctionEnd: d("2027-10-01"), Reason: "r"}))
	p := h.personOf("e06")
	if !p.Status.SanctionEnd.IsZero() {
		t.Errorf("a term without a sanction was kept: %+v", p.Status)
	}
}

func (h *harness) personOf(id string) workflow.Person {
	h.t.Helper()
	var p workflow.Person
	h.must("person", h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		p, err = tx.Person(ctx, id)
		return err
	}))
	return p
}
