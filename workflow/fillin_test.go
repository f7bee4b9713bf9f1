package workflow_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// closeScored opens period, finishes every chain with the total scoreOf
// gives each person, and closes the appraisal.
func (h *harness) closeScored(period string, scoreOf func(id string) int) {
	h.t.Helper()
	_, err := h.svc.OpenPeriod(ctx, "hr", period)
	h.must("open", err)
	h.must("chains", h.store.InTx(ctx, func(tx workflow.Tx) error {
		for _, p := range staff() {
			if err := tx.CreateStep(ctx, workflow.Step{ID: period + "/" + p + "/1", Period: period, Person: p, Seq: 1, Index: 2,
				Role: workflow.RoleHead, Name: "评鉴", Assignee: "head", State: workflow.StepApproved,
				Assessment: workflow.Assessment{Indicators: s4Scores(scoreOf(p))}, ActedBy: "head", ActedAt: h.clk.Now(), Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", period))
}

func (h *harness) investigate(person string, on bool, sanction, reason string) {
	h.t.Helper()
	st := workflow.PersonStatus{Investigation: on, Sanction: sanction, Reason: reason}
	if sanction != "" {
		// Imposed when the case closed: it starts after the periods the
		// investigation withheld, which it still decides.
		st.SanctionStart, st.SanctionEnd = h.cal.Date(h.clk.Now()), h.cal.Date(h.clk.Now()).AddDays(365)
	}
	h.must("status", h.svc.SetStatus(ctx, "hr", person, st))
}

// TestFillInAfterInvestigation: S4 注意事项11 — a person under
// investigation is appraised with the grade withheld; when HR records the
// case closed, the grade is filled in (补定) from the period's own scores,
// the person and HR are told, and nobody else's grade moves: with the
// quota full, the person gets the grade below.
func TestFillInAfterInvestigation(t *testing.T) {
	t.Parallel()
	const q = "2026-Q2"
	score := func(id string) int {
		switch id {
		case "e05":
			return 95
		case "e01", "e02", "e03", "e04":
			return 92
		}
		return 80
	}
	for _, tc := range []struct {
		name      string
		perUnit   bool
		sanction  string
		wantGrade string
		wantState string
		wantNote  string
	}{
		{name: "OK", wantGrade: "好", wantState: scoring.StateGraded},
		// Per 科室 (19 staff and the leader: 好 at most 8): seven more at
		// 好 fill it, so e05's 95 would push out the lowest.
		{name: "QuotaFull", perUnit: true, wantGrade: "较好", wantState: scoring.StateGraded, wantNote: "名额已由考核委员会确定"},
		// S4 withholds the grade during any sanction (s4.yaml).
		{name: "Sanctioned", sanction: "记过", wantGrade: "", wantState: scoring.StateNotGraded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "s4", at(2026, 7, 6, 9, 0), func(c *workflow.Config) { c.QuotaPerUnit = tc.perUnit })
			h.org60()
			s := score
			if tc.perUnit {
				s = func(id string) int {
					switch id {
					case "e05":
						return 95
					case "e01", "e02", "e03", "e04", "e06", "e07", "e08", "e09":
						return 92
					}
					return 80
				}
			}
			h.investigate("e05", true, "", "因群众举报被立案调查")
			h.closeScored(q, s)
			before := map[string]string{}
			for _, p := range staff() {
				r, err := h.svc.Result(ctx, "hr", q, p)
				h.must("result", err)
				before[p] = r.Grade
			}
			r, err := h.svc.Result(ctx, "hr", q, "e05")
			h.must("result", err)
			if r.State != scoring.StateWithheld || r.Grade != "" {
				t.Fatalf("under investigation: %s %q, want withheld", r.State, r.Grade)
			}
			h.take()
			h.investigate("e05", false, tc.sanction, "调查结束")
			r, err = h.svc.Result(ctx, "hr", q, "e05")
			h.must("result", err)
			if r.Grade != tc.wantGrade || r.State != tc.wantState {
				t.Errorf("filled in: %s %q, want %s %q", r.State, r.Grade, tc.wantState, tc.wantGrade)
			}
			explain := strings.Join(r.Explain, "\n")
			if !strings.Contains(explain, "补定") || !strings.Contains(explain, tc.wantNote) {
				t.Errorf("explanation lacks the 补定 (%q):\n%s", tc.wantNote, explain)
			}
			for _, p := range staff() {
				if p == "e05" {
					continue
				}
				o, err := h.svc.Result(ctx, "hr", q, p)
				h.must("result", err)
				if o.Grade != before[p] {
					t.Errorf("%s moved from %q to %q", p, before[p], o.Grade)
				}
			}
			ns := h.take()
			if got := sel(ns, workflow.TplGradeFilled); !slices.Contains(got, "e05") || !slices.Contains(got, "hr") {
				t.Errorf("told %v, want e05 and hr", got)
			}
			// A second save with the case still closed fills nothing in again.
			h.investigate("e05", false, tc.sanction, "调查结束")
			if got := sel(h.take(), workflow.TplGradeFilled); len(got) != 0 {
				t.Errorf("told again: %v", got)
			}
		})
	}
}

// TestClosedPeriodKeepsItsStates: a period scores under the states of its
// time: a sanction recorded after it closed does not reach back when it
// is scored again (a 补定 of someone else re-scores it).
func TestClosedPeriodKeepsItsStates(t *testing.T) {
	t.Parallel()
	const q = "2026-Q2"
	h := newHarness(t, "s4", at(2026, 7, 6, 9, 0), nil)
	h.org60()
	h.investigate("e05", true, "", "立案调查")
	h.closeScored(q, func(id string) int { return 85 })
	h.must("sanction e06 later", h.svc.SetStatus(ctx, "hr", "e06", workflow.PersonStatus{Sanction: "记过", SanctionStart: calendar.NewDate(2026, 4, 1), SanctionEnd: calendar.NewDate(2027, 3, 31), Reason: "另案处分"}))
	h.investigate("e05", false, "", "调查结束")
	r, err := h.svc.Result(ctx, "hr", q, "e06")
	h.must("result", err)
	if r.Grade != "较好" {
		t.Errorf("e06 in %s after a later sanction: %s %q, want 较好 as scored then", q, r.State, r.Grade)
	}
	p, err := h.svc.Period(ctx, q)
	h.must("period", err)
	if st, ok := p.Statuses["e05"]; !ok || st.Investigation {
		t.Errorf("period's state of e05 = %+v (%v), want the investigation ended", st, ok)
	}
	if got := fmt.Sprint(p.Statuses["e06"].Sanction); got != "" {
		t.Errorf("period's state of e06 has the later sanction %q", got)
	}
}

// TestLeaveWithoutALeaveRule: under a scheme with no leave rule (S1) leave
// HR recorded does not stop the period from being scored; it changes
// nothing in the grade.
func TestLeaveWithoutALeaveRule(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s1", at(2026, 7, 1, 9, 0), nil)
	staff := h.s1Org("")
	const q = "2026-Q2"
	h.must("leave", h.svc.AddAbsence(ctx, "hr", "a1", workflow.Absence{Kind: "病假",
		Start: calendar.NewDate(2026, 4, 7), End: calendar.NewDate(2026, 5, 29)}))
	h.s1Appraise(q, staff)
	if err := h.svc.CloseAppraisal(ctx, "hr", q); err != nil {
		t.Fatalf("close with leave under S1: %v (%q)", err, workflow.Message(err))
	}
	r, err := h.svc.Result(ctx, "hr", q, "a1")
	h.must("result", err)
	if r.State != scoring.StateGraded {
		t.Errorf("a1 after leave under S1: %s %q, want graded", r.State, r.Grade)
	}
}
