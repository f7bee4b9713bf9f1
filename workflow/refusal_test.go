package workflow_test

import (
	"slices"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// refusalPeriod opens period under the harness's scheme with every chain
// but e57's finished at gradeOf's grade, and e57's last step pending with
// the 主管领导 (head).
func (h *harness) refusalPeriod(period string, gradeOf func(id string) string) workflow.Step {
	h.t.Helper()
	_, err := h.svc.OpenPeriod(ctx, "hr", period)
	h.must("open", err)
	pending := workflow.Step{ID: period + "/e57/1", Period: period, Person: "e57", Seq: 1, Index: 2,
		Role: workflow.RoleHead, Name: "评鉴", Assignee: "head", State: workflow.StepPending, Due: h.cal.AddWorkdays(h.today(), 3), Version: 1}
	h.must("chains", h.store.InTx(ctx, func(tx workflow.Tx) error {
		for _, p := range staff() {
			st := workflow.Step{ID: period + "/" + p + "/1", Period: period, Person: p, Seq: 1, Index: 2,
				Role: workflow.RoleHead, Name: "评鉴", Assignee: "head", State: workflow.StepApproved,
				Assessment: workflow.Assessment{Grade: gradeOf(p)}, ActedBy: "head", ActedAt: h.clk.Now(), Version: 1}
			if p == "e57" {
				st = pending
			}
			if err := tx.CreateStep(ctx, st); err != nil {
				return err
			}
		}
		return nil
	}))
	return pending
}

func (h *harness) today() calendar.Date { return calendar.DateOf(h.clk.Now().In(h.cal.Location())) }

// TestRefusalS5: S5 六(二) "对经批评教育后仍拒不参加平时考核的公务员，其主管领导可直接确
// 定其该考核期结果为D档次". The 主管领导 records the refusal on the step with
// the date of the 批评教育 (not in the future, required) and how the person
// refused; the grade at closing is D, flagged as a refusal.
func TestRefusalS5(t *testing.T) {
	t.Parallel()
	const q = "2026-Q3"
	h := newHarness(t, "s5", at(2026, 10, 9, 9, 0), nil)
	h.org60()
	grade := func(p string) string {
		var n int
		if _, err := sscan(p, &n); err == nil && n <= 15 {
			return "A" // 15 of 60: inside 20%–30%
		}
		return "B"
	}
	st := h.refusalPeriod(q, grade)
	act := func(rf *scoring.Refusal) error {
		return h.svc.Act(ctx, "head", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
			Assessment: &workflow.Assessment{Refusal: rf}})
	}
	h.wantErr("no warning date", act(&scoring.Refusal{Reason: "拒不填写评鉴表"}), workflow.ErrInvalidInput)
	h.wantErr("a warning in the future", act(&scoring.Refusal{Warned: "2026-10-12", Reason: "拒不填写评鉴表"}), workflow.ErrInvalidInput)
	h.wantErr("no reason", act(&scoring.Refusal{Warned: "2026-10-06", Reason: " "}), workflow.ErrInvalidInput)
	h.must("refusal", act(&scoring.Refusal{Warned: "2026-10-06", Reason: "限期内仍拒不填写评鉴表"}))
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
	r, err := h.svc.Result(ctx, "hr", q, "e57")
	h.must("result", err)
	if r.Grade != "D" || !slices.Contains(r.Flags, scoring.FlagRefused) {
		t.Errorf("e57 = %q %v, want D flagged refused", r.Grade, r.Flags)
	}
	if !slices.ContainsFunc(r.Explain, func(l string) bool {
		return l == "2026-10-06经批评教育后仍拒不参加平时考核（限期内仍拒不填写评鉴表），直接确定为「D」"
	}) {
		t.Errorf("explain = %q", r.Explain)
	}

	// S4 has no such rule: the step refuses the record.
	h4 := newHarness(t, "s4", at(2026, 10, 9, 9, 0), nil)
	h4.org60()
	st4 := h4.refusalPeriod(q, func(string) string { return "" })
	h4.wantErr("S4 refusal", h4.svc.Act(ctx, "head", workflow.StepAction{StepID: st4.ID, Version: st4.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(80), Refusal: &scoring.Refusal{Warned: "2026-10-06", Reason: "拒不填写"}}}), workflow.ErrInvalidInput)
}

// TestRefusalS10: S10 四(三) "对经批评教育后仍拒绝参加平时考核的公务员（参公人员），直接确
// 定其当年年度考核结果为不定等次或不称职". The quarter is not graded; the year
// composed from it is 不定等次 (s10.yaml: the unit may propose 不称职).
func TestRefusalS10(t *testing.T) {
	t.Parallel()
	const q = "2026-Q3"
	h := newHarness(t, "s10", at(2026, 10, 9, 9, 0), nil)
	h.org60()
	st := h.refusalPeriod(q, func(string) string { return "较好" })
	h.must("refusal", h.svc.Act(ctx, "head", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Refusal: &scoring.Refusal{Warned: "2026-10-06", Reason: "限期改正后仍拒绝填写记实表"}}}))
	h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
	r, err := h.svc.Result(ctx, "hr", q, "e57")
	h.must("result", err)
	if r.State != scoring.StateNotGraded || r.Grade != "" || !slices.Contains(r.Flags, scoring.FlagRefused) {
		t.Errorf("e57 = %q %q %v, want not graded, flagged refused", r.State, r.Grade, r.Flags)
	}
	h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
	h.must("publish", h.svc.Publish(ctx, "hr", q))
	for _, id := range []string{"2026-Q1", "2026-Q2", "2026-Q4"} {
		h.seedPeriod(id, func(string) (string, string) { return "好", "" })
	}
	yr, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{Proposed: map[string]string{"e01": "优秀"}})
	h.must("compose", err)
	got := map[string]workflow.AnnualResult{}
	for _, a := range yr {
		got[a.Person] = a
	}
	if a := got["e57"]; a.Grade != "" || !slices.Contains(a.Explain, "年度考核不定等次") {
		t.Errorf("e57's year = %q %q, want 不定等次", a.Grade, a.Explain)
	}
	if got["e01"].Grade != "优秀" {
		t.Errorf("e01's year = %q", got["e01"].Grade)
	}
}
