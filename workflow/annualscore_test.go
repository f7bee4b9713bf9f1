package workflow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// TestAnnualScoresEntered: S5's year (五(一)1: 平时 60%) takes its other
// 40% from the annual score HR enters: only HR enters it, within 0–100
// and two decimals, for people of the year; composing without it names
// the gap; with it, ComposeYear counts it (e01: A in four quarters, 90 ×
// 60% + 80 × 40% = 86); once the committee confirmed the year the scores
// are refused.
func TestAnnualScoresEntered(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s5", at(2027, 1, 12, 10, 0), nil)
	h.org60()
	for _, id := range []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"} {
		h.seedPeriod(id, func(string) (string, string) { return "A", "" })
	}
	if !h.svc.AnnualScoreNeeded("2026") {
		t.Fatal("S5's year needs no annual score")
	}
	d := func(s string) scoring.Dec { return scoring.D(s) }
	h.wantErr("a leader enters", h.svc.SetAnnualScores(ctx, "l1", "2026", map[string]scoring.Dec{"e01": d("80")}), workflow.ErrForbidden)
	h.wantErr("over 100", h.svc.SetAnnualScores(ctx, "hr", "2026", map[string]scoring.Dec{"e01": d("100.5")}), workflow.ErrInvalidInput)
	h.wantErr("three decimals", h.svc.SetAnnualScores(ctx, "hr", "2026", map[string]scoring.Dec{"e01": d("80.125")}), workflow.ErrInvalidInput)
	h.wantErr("a stranger", h.svc.SetAnnualScores(ctx, "hr", "2026", map[string]scoring.Dec{"nobody": d("80")}), workflow.ErrInvalidInput)
	_, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	if !errors.Is(err, workflow.ErrInvalidInput) || !strings.Contains(workflow.Message(err), "年度考核评分") {
		t.Fatalf("composing without the scores: %v (%q)", err, workflow.Message(err))
	}
	sh, err := h.svc.AnnualScores(ctx, "hr", "2026")
	h.must("sheet", err)
	all := map[string]scoring.Dec{}
	for _, r := range sh.People {
		all[r.Person.ID] = d("80")
	}
	all["e02"] = d("95.5")
	h.must("enter", h.svc.SetAnnualScores(ctx, "hr", "2026", all))
	if sh, _ = h.svc.AnnualScores(ctx, "hr", "2026"); sh.Entered() != len(sh.People) || sh.Locked {
		t.Fatalf("after entering: %d of %d, locked %v", sh.Entered(), len(sh.People), sh.Locked)
	}
	yr, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	h.must("compose", err)
	got := map[string]string{}
	for _, a := range yr {
		if a.Total != nil {
			got[a.Person] = a.Total.String()
		}
	}
	if got["e01"] != "86" || got["e02"] != "92.2" {
		t.Errorf("totals: e01 %s (want 86), e02 %s (want 92.2)", got["e01"], got["e02"])
	}
	// Changed before the committee confirms: counted at the next composition.
	h.must("change", h.svc.SetAnnualScores(ctx, "hr", "2026", map[string]scoring.Dec{"e01": d("90")}))
	v, err := h.svc.Year(ctx, "head", "2026")
	h.must("year", err)
	h.must("confirm", h.svc.ConfirmYear(ctx, "head", "2026", v.Period.Version, nil, ""))
	if r, _ := h.svc.Year(ctx, "head", "2026"); r.Rows[0].Result.Score == nil {
		t.Fatal("no score after the confirmation")
	}
	for _, r := range v.Rows {
		if r.Person.ID == "e01" && r.Result.Score.String() != "86" {
			t.Errorf("e01 confirmed at %s, want the composed 86", r.Result.Score)
		}
	}
	h.wantErr("after the confirmation", h.svc.SetAnnualScores(ctx, "hr", "2026", map[string]scoring.Dec{"e01": d("70")}), workflow.ErrInvalidTransition)
	if sh, _ = h.svc.AnnualScores(ctx, "hr", "2026"); !sh.Locked {
		t.Error("the sheet is not locked after the confirmation")
	}
	if err := workflow.VerifyAudit(nil, h.audit()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
}
