package workflow_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// s2Org: four 科室 under one 分管局领导 (s1, not assessed). u1 has 科长 k1
// (正科), 副科长 f1 and six staff a1…a6; u2 has k2, f2 and three staff
// b1…b3; u3 and u4 a 科长 and a 副科长 each with one staff. So k1 has six
// peers (k2–k4, f2–f4; f1 is k1's subordinate) and seven subordinates, k2
// only four subordinates (below the floor of five), a1 six colleagues (f1,
// a2…a6; k1 rates a1 as superior).
func (h *harness) s2Org() []string {
	h.t.Helper()
	var units []workflow.Unit
	people := []workflow.Person{
		{ID: "head", Name: "局长", Committee: true},
		{ID: "s1", Name: "副局长", Committee: true},
		{ID: "hr", Name: "政工科", HR: true},
	}
	var assessed []string
	add := func(id, name, unit, tier string) {
		people = append(people, workflow.Person{ID: id, Name: name, Unit: unit, Group: unit, Tier: tier, Assessed: true})
		assessed = append(assessed, id)
	}
	staff := map[string][]string{"u1": {"a1", "a2", "a3", "a4", "a5", "a6"}, "u2": {"b1", "b2", "b3"}, "u3": {"c1"}, "u4": {"d1"}}
	for i := 1; i <= 4; i++ {
		u := fmt.Sprintf("u%d", i)
		units = append(units, workflow.Unit{ID: u, Name: "科室" + u, Leader: fmt.Sprintf("k%d", i), Supervisor: "s1"})
		add(fmt.Sprintf("k%d", i), "科长"+u, u, "正科")
		add(fmt.Sprintf("f%d", i), "副科长"+u, u, "副科")
		for _, s := range staff[u] {
			add(s, "干部"+s, u, "其他")
		}
	}
	h.must("setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "XX司法局", Head: "head"}, units, people))
	return assessed
}

// seedQuarters stores Q1–Q3 as published with the given scores (S2's
// year has three periods; Q4 merges into the annual 量化评价).
func (h *harness) seedQuarters(people []string, score func(id string, q int) string) {
	h.t.Helper()
	for q, id := range []string{"2026-Q1", "2026-Q2", "2026-Q3"} {
		cp := calendar.MustParsePeriod(id)
		h.must("seed "+id, h.store.InTx(ctx, func(tx workflow.Tx) error {
			if err := tx.CreatePeriod(ctx, workflow.Period{ID: id, Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
				State: workflow.PeriodClosed, PublishedAt: h.clk.Now(), FiledAt: h.clk.Now()}); err != nil {
				return err
			}
			for _, p := range people {
				d := scoring.D(score(p, q))
				r := workflow.Result{Period: id, Person: p, Score: &d, Grade: "称职", State: scoring.StateGraded, Version: 1}
				if d.GreaterThanOrEqual(scoring.D("91").Decimal) {
					r.Grade = "优秀"
				}
				if err := tx.PutResult(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// rateAll has every rater on the round fill their card with score(rater,
// source, target).
func (h *harness) rateAll(year int, raters []string, score func(rater, source, target string) string) {
	h.t.Helper()
	for _, r := range raters {
		sh, err := h.svc.YearRatingSheet(ctx, r, year)
		if errors.Is(err, workflow.ErrForbidden) {
			continue
		}
		h.must("sheet "+r, err)
		in := map[string]map[string]scoring.Dec{}
		for _, g := range sh.Groups {
			in[g.Source] = map[string]scoring.Dec{}
			for _, t := range g.Targets {
				in[g.Source][t.ID] = scoring.D(score(r, g.Source, t.ID))
			}
		}
		h.must("rate "+r, h.svc.RateYear(ctx, r, year, in))
	}
}

func groupIDs(sh workflow.YearSheet) map[string][]string {
	out := map[string][]string{}
	for _, g := range sh.Groups {
		for _, t := range g.Targets {
			out[g.Source] = append(out[g.Source], t.ID)
		}
	}
	return out
}

// TestS2YearRatings: S2 三(三)'s annual raters through the round. Each
// rater's card lists whom they rate by relation; the ratings are
// anonymous; ComposeYear weighs them 40/30/30 for 科级领导 and 60/40 for
// the others, and the annual part 50/50 with the Q1–Q3 mean.
//
// Worked example (S2's weights on these numbers):
//   - k1 (正科): 平时 (90+88+92)/3 = 90; superior 94, peers 85…90 (mean
//     87.5), subordinates 80,82,…,92 (mean 86): 年度 94×40% + 87.5×30% +
//     86×30% = 89.65; total 90×50% + 89.65×50% = 89.825 → 89.83, 称职.
//   - k2 (正科, four subordinates, below the floor of five): superior 90,
//     peers 80; the 30% of 主管下级 is dropped and 40/30 scaled to 4/7, 3/7:
//     年度 (36+24)/0.7 = 85.714… → 85.71; total 80×50% + 85.71×50% =
//     82.855 → 82.86.
//   - a1 (其他): 平时 92; superior 95, colleagues 90×5 and 84 (mean 89):
//     年度 95×60% + 89×40% = 92.6; total 46 + 46.3 = 92.3, 优秀.
func TestS2YearRatings(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s2", at(2026, 12, 21, 9, 0), nil)
	people := h.s2Org()
	q := map[string][3]string{"k1": {"90", "88", "92"}, "k2": {"80", "80", "80"}, "a1": {"92", "91", "93"}}
	h.seedQuarters(people, func(id string, i int) string {
		if s, ok := q[id]; ok {
			return s[i]
		}
		return "85"
	})
	h.take()

	// Composing needs the round.
	_, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	if !errors.Is(err, workflow.ErrInvalidTransition) || !strings.Contains(workflow.Message(err), "年度测评") {
		t.Fatalf("compose before the round: %v (%q)", err, workflow.Message(err))
	}
	due := calendar.NewDate(2026, time.December, 25)
	h.refused("open as a leader", func() error { return h.svc.OpenYearRatings(ctx, "k1", 2026, due) }, "")
	h.wantErr("open with a past deadline", h.svc.OpenYearRatings(ctx, "hr", 2026, calendar.NewDate(2026, time.December, 1)), workflow.ErrInvalidInput)
	h.must("open", h.svc.OpenYearRatings(ctx, "hr", 2026, due))
	h.wantErr("open twice", h.svc.OpenYearRatings(ctx, "hr", 2026, due), workflow.ErrConflict)
	all := append([]string{"s1", "head"}, people...)
	told := sel(h.take(), workflow.TplYearRating)
	if want := append([]string{"s1"}, people...); !sameSet(told, want) {
		t.Errorf("cards went to %v, want %v", told, want)
	}

	// Whom each rates.
	for _, c := range []struct {
		rater string
		want  map[string][]string
	}{
		{"s1", map[string][]string{"superior": {"k1", "k2", "k3", "k4"}}},
		{"k1", map[string][]string{"superior": {"a1", "a2", "a3", "a4", "a5", "a6", "f1"}, "peers": {"f2", "f3", "f4", "k2", "k3", "k4"}}},
		{"f1", map[string][]string{"superior": nil, "peers": {"f2", "f3", "f4", "k2", "k3", "k4"}, "subordinates": {"k1"}, "colleagues": {"a1", "a2", "a3", "a4", "a5", "a6"}}},
		{"a1", map[string][]string{"subordinates": {"f1", "k1"}, "colleagues": {"a2", "a3", "a4", "a5", "a6"}}},
	} {
		sh, err := h.svc.YearRatingSheet(ctx, c.rater, 2026)
		h.must("sheet "+c.rater, err)
		got := groupIDs(sh)
		for src, ids := range c.want {
			if !slices.Equal(got[src], ids) {
				t.Errorf("%s rates as %s: %v, want %v", c.rater, src, got[src], ids)
			}
		}
	}
	if _, err := h.svc.YearRatingSheet(ctx, "hr", 2026); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("HR, who rates nobody, gets a card: %v", err)
	}

	score := func(rater, source, target string) string {
		switch target {
		case "k1":
			switch source {
			case "superior":
				return "94"
			case "peers":
				return map[string]string{"k2": "85", "k3": "86", "k4": "87", "f2": "88", "f3": "89", "f4": "90"}[rater]
			case "subordinates":
				return map[string]string{"f1": "80", "a1": "82", "a2": "84", "a3": "86", "a4": "88", "a5": "90", "a6": "92"}[rater]
			}
		case "k2":
			return map[string]string{"superior": "90", "peers": "80", "subordinates": "100"}[source]
		case "a1":
			if source == "superior" {
				return "95"
			}
			if rater == "a6" {
				return "84"
			}
			return "90"
		}
		return "80"
	}
	// One rater first, then the checks on a rating.
	h.rateAll(2026, []string{"a2"}, score)
	h.wantErr("a2 again", h.svc.RateYear(ctx, "a2", 2026, map[string]map[string]scoring.Dec{}), workflow.ErrConflict)
	h.refused("HR rates", func() error {
		return h.svc.RateYear(ctx, "hr", 2026, map[string]map[string]scoring.Dec{"peers": {"k1": scoring.D("90")}})
	}, "")
	sh, _ := h.svc.YearRatingSheet(ctx, "a3", 2026)
	partial := map[string]map[string]scoring.Dec{"colleagues": {"a1": scoring.D("90")}}
	h.wantErr("a3 leaves people out", h.svc.RateYear(ctx, "a3", 2026, partial), workflow.ErrInvalidInput)
	over := map[string]map[string]scoring.Dec{}
	for _, g := range sh.Groups {
		over[g.Source] = map[string]scoring.Dec{}
		for _, p := range g.Targets {
			over[g.Source][p.ID] = scoring.D("101")
		}
	}
	h.wantErr("a3 over 100", h.svc.RateYear(ctx, "a3", 2026, over), workflow.ErrInvalidInput)

	// Before the deadline, with raters left, composing waits for them.
	_, err = h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	if !errors.Is(err, workflow.ErrIncomplete) {
		t.Fatalf("compose with raters left: %v", err)
	}
	// The reminder of the day before goes to those who have not rated.
	h.advance(at(2026, 12, 24, 15, 30))
	rem := h.take()
	if got := sel(rem, workflow.TplRemind); slices.Contains(got, "a2") || !slices.Contains(got, "k1") || !slices.Contains(got, "s1") {
		t.Errorf("reminded: %v", got)
	}
	h.rateAll(2026, slices.DeleteFunc(all, func(id string) bool { return id == "a2" }), score)
	res, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	h.must("compose", err)
	got := map[string]workflow.AnnualResult{}
	for _, a := range res {
		got[a.Person] = a
	}
	for id, want := range map[string][2]string{"k1": {"89.83", "称职"}, "k2": {"82.86", "称职"}, "a1": {"92.3", "优秀"}} {
		a := got[id]
		if a.Total == nil || a.Total.String() != want[0] || a.Grade != want[1] {
			t.Errorf("%s: total %v grade %q, want %s %s; %s", id, a.Total, a.Grade, want[0], want[1], strings.Join(a.Explain, " | "))
		}
	}
	if ex := strings.Join(got["k2"].Explain, "\n"); !strings.Contains(ex, "主管下级：参评人数不足5人，不显示、不计入") {
		t.Errorf("k2's explanation does not tell the committee the floor was not met:\n%s", ex)
	}

	// After the deadline: refused.
	h.clk.Set(at(2026, 12, 28, 9, 0))
	h.wantErr("rating late", h.svc.RateYear(ctx, "k1", 2026, nil), workflow.ErrWindowClosed)

	// The committee's confirmation composes again from the stored tally.
	v, err := h.svc.Year(ctx, "head", "2026")
	h.must("year", err)
	h.must("confirm", h.svc.ConfirmYear(ctx, "head", "2026", v.Period.Version, nil, ""))
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
