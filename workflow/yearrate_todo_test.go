package workflow_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// owesYear reports whether who's 待办 lists the year's 年度测评.
func (h *harness) owesYear(who, year string) bool {
	h.t.Helper()
	ds, err := h.svc.Owed(ctx, who)
	h.must("owed "+who, err)
	return slices.ContainsFunc(ds, func(d workflow.Due) bool { return d.Kind == workflow.EntryYearRate && d.Entry == year })
}

// TestYearRatingOnTodoAndProgress: an open 年度测评 is on each rater's 待办
// (the 分管局领导 outside the appraisal included) until they rated or the
// deadline passed; HR's 进度 counts the raters and names who has not
// rated; 催办 reminds exactly those, once a day, while the round is open.
func TestYearRatingOnTodoAndProgress(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s2", at(2026, 12, 21, 9, 0), nil)
	people := h.s2Org()
	h.seedQuarters(people, func(string, int) string { return "85" })
	h.take()
	if h.owesYear("s1", "2026") {
		t.Fatal("a round not opened is owed")
	}
	due := calendar.NewDate(2026, time.December, 25)
	h.must("open", h.svc.OpenYearRatings(ctx, "hr", 2026, due))
	raters := sel(h.take(), workflow.TplYearRating)

	for _, who := range []string{"s1", "k1", "a1"} {
		if !h.owesYear(who, "2026") {
			t.Errorf("%s's 待办 lacks the 年度测评", who)
		}
	}
	for _, who := range []string{"hr", "head"} {
		if h.owesYear(who, "2026") {
			t.Errorf("%s, who rates nobody, owes the 年度测评", who)
		}
	}

	pr, err := h.svc.Progress(ctx, "hr", "")
	h.must("progress", err)
	if len(pr.YearRatings) != 1 || pr.YearRatings[0].Raters != len(raters) || pr.YearRatings[0].Rated != 0 || pr.YearRatings[0].Round.Year != 2026 {
		t.Fatalf("progress of the round: %+v (want %d raters, none rated)", pr.YearRatings, len(raters))
	}

	// a1 rates: off their 待办, counted as rated, not chased.
	sh, err := h.svc.YearRatingSheet(ctx, "a1", 2026)
	h.must("sheet", err)
	in := map[string]map[string]scoring.Dec{}
	for _, g := range sh.Groups {
		in[g.Source] = map[string]scoring.Dec{}
		for _, p := range g.Targets {
			in[g.Source][p.ID] = scoring.D("90")
		}
	}
	h.must("rate", h.svc.RateYear(ctx, "a1", 2026, in))
	if h.owesYear("a1", "2026") {
		t.Error("a1 rated and still owes the 年度测评")
	}
	pr, err = h.svc.Progress(ctx, "hr", "")
	h.must("progress", err)
	y := pr.YearRatings[0]
	pending := make([]string, len(y.Pending))
	for i, p := range y.Pending {
		pending[i] = p.ID
	}
	if y.Rated != 1 || len(pending) != len(raters)-1 || slices.Contains(pending, "a1") || !slices.Contains(pending, "s1") {
		t.Errorf("after a1 rated: rated %d, pending %v", y.Rated, pending)
	}

	// 催办 (before the deadline: a rating cannot be overdue) reminds the
	// raters who have not rated, once a day.
	n, err := h.svc.Chase(ctx, "hr")
	h.must("chase", err)
	chased := sel(h.take(), workflow.TplRemind, "item=year_rate", "stage=chase")
	if n != len(pending) || !sameSet(chased, pending) {
		t.Errorf("chase reminded %d: %v, want %v", n, chased, pending)
	}
	if n, err := h.svc.Chase(ctx, "hr"); err != nil || n != 0 {
		t.Errorf("a second chase the same day: %d, %v", n, err)
	}

	// After the deadline nothing is owed, shown or chased.
	h.clk.Set(at(2026, 12, 26, 9, 0))
	h.take()
	if h.owesYear("s1", "2026") {
		t.Error("the round is owed after its deadline")
	}
	pr, err = h.svc.Progress(ctx, "hr", "")
	h.must("progress", err)
	if len(pr.YearRatings) != 0 {
		t.Errorf("a closed round on 进度: %+v", pr.YearRatings)
	}
	if _, err := h.svc.Chase(ctx, "hr"); err != nil {
		t.Fatal(err)
	}
	if got := sel(h.take(), workflow.TplRemind, "item=year_rate"); len(got) != 0 {
		t.Errorf("chased after the deadline: %v", got)
	}
}
