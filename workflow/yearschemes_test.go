package workflow_test

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// seedSchemePeriod stores a period of scheme (canonical id) in state with
// a graded result for each of people.
func (h *harness) seedSchemePeriod(id, scheme, state string, people []string, grade func(person string) string) {
	h.t.Helper()
	cycle, _, _ := strings.Cut(id, "@")
	cp := calendar.MustParsePeriod(cycle)
	h.must("seed "+id, h.store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePeriod(ctx, workflow.Period{ID: id, Kind: workflow.KindQuarter, Scheme: scheme, Start: cp.Start(), End: cp.End(),
			State: state, PublishedAt: h.clk.Now(), Version: 1}); err != nil {
			return err
		}
		for _, p := range people {
			if err := tx.PutResult(ctx, workflow.Result{Period: id, Person: p, Grade: grade(p), State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
}

func unitStaff(u string) []string { return []string{"l" + u[1:], u + "e1", u + "e2", u + "e3"} }

// TestYearPerScheme: in an organisation with 办公室 under S4 (the default)
// and 业务科 under S5, each scheme has its own year. "2026" holds only
// 办公室's people, composed from the S4 quarters under S4's annual rules
// (all 好 → 优秀 first); "2026@s5" holds only 业务科's, from the S5
// quarters under S5's (one C → no 优秀; two D → at most 基本称职). Each
// goes to the committee on its own card, is confirmed and published on
// its own — the 公示 of one names nobody of the other — and each filing
// reads its own year.
func TestYearPerScheme(t *testing.T) {
	t.Parallel()
	h := mixedOrg(t, nil)
	s4q, s5q := unitStaff("q1"), unitStaff("q2")
	for q := 1; q <= 4; q++ {
		id := "2026-Q" + string(rune('0'+q))
		h.seedSchemePeriod(id, "s4", workflow.PeriodClosed, s4q, func(p string) string {
			if p == "q1e1" {
				return "好"
			}
			return "较好"
		})
		h.seedSchemePeriod(id+"@s5", "s5", workflow.PeriodClosed, s5q, func(p string) string {
			switch {
			case p == "q2e2" && q == 2:
				return "C"
			case p == "q2e3" && q <= 2:
				return "D"
			}
			return "A"
		})
	}
	if !workflow.IsYear("2026@s5") || workflow.IsYear("2026-Q1@s5") {
		t.Errorf("IsYear misreads a scheme's year")
	}
	if got := h.svc.GradesOf("2026@s5"); !slices.Equal(got, []string{"优秀", "称职", "基本称职", "不称职"}) {
		t.Errorf("S5 year grades = %v", got)
	}
	h.take()

	// S4's year: 办公室 only.
	res, err := h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	h.must("compose 2026", err)
	got := map[string]string{}
	for _, a := range res {
		got[a.Person] = a.Grade
	}
	if len(got) != 4 || got["q1e1"] != "优秀" || got["q1e2"] != "称职" {
		t.Errorf("2026 = %v, want 办公室's four, q1e1 drafted 优秀", got)
	}
	ns := h.take()
	if to := sel(ns, workflow.TplYearCommittee, "year=2026"); !slices.Equal(to, []string{"head", "s1"}) {
		t.Errorf("committee told of 2026: %v", to)
	}

	// S5's year: 业务科 only, with S5's annual score.
	annual := map[string]*scoring.AnnualInput{}
	for _, p := range s5q {
		d := scoring.D("90")
		annual[p] = &scoring.AnnualInput{Score: &d}
	}
	h.wantErr("a scheme not held", func() error {
		_, err := h.svc.ComposeYear(ctx, "hr", "2026@s99", workflow.YearSpec{Annual: annual})
		return err
	}(), workflow.ErrInvalidInput)
	res, err = h.svc.ComposeYear(ctx, "hr", "2026@S5", workflow.YearSpec{Annual: annual,
		Proposed: map[string]string{"q2e2": "优秀", "q2e3": "称职"}})
	h.must("compose 2026@s5", err)
	got = map[string]string{}
	for _, a := range res {
		got[a.Person] = a.Grade
	}
	if len(got) != 4 || got["q2e2"] != "称职" || got["q2e3"] != "基本称职" {
		t.Errorf("2026@s5 = %v, want 业务科's four; q2e2 (one C) capped at 称职, q2e3 (two D) at 基本称职", got)
	}
	if to := sel(h.take(), workflow.TplYearCommittee, "year=2026@s5"); !slices.Equal(to, []string{"head", "s1"}) {
		t.Errorf("committee told of 2026@s5: %v", to)
	}
	ps := h.periods()
	if p := ps["2026@s5"]; p.Kind != workflow.KindYear || p.Scheme != "s5" || p.State != workflow.PeriodCommittee {
		t.Errorf("S5's year period = %+v", p)
	}

	// The committee's cards: each its scheme's rows and grades.
	v4, err := h.svc.Year(ctx, "head", "2026")
	h.must("year 2026", err)
	v5, err := h.svc.Year(ctx, "head", "2026@s5")
	h.must("year 2026@s5", err)
	rows := func(v workflow.YearView) (out []string) {
		for _, r := range v.Rows {
			out = append(out, r.Person.ID)
			if len(r.Periods) != 4 {
				t.Errorf("%s: %s's periods = %v, want its scheme's four", v.Period.ID, r.Person.ID, r.Periods)
			}
		}
		sort.Strings(out)
		return out
	}
	if got := rows(v4); !slices.Equal(got, []string{"l1", "q1e1", "q1e2", "q1e3"}) {
		t.Errorf("2026's rows = %v", got)
	}
	if got := rows(v5); !slices.Equal(got, []string{"l2", "q2e1", "q2e2", "q2e3"}) {
		t.Errorf("2026@s5's rows = %v", got)
	}
	// S5's rules refuse what S4's would not say: one C rules out 优秀.
	h.wantErr("S5's cap", h.svc.ConfirmYear(ctx, "head", "2026@s5", v5.Period.Version, map[string]string{"q2e2": "优秀"}, "表现突出"), workflow.ErrInvalidInput)
	h.must("confirm 2026@s5", h.svc.ConfirmYear(ctx, "head", "2026@s5", v5.Period.Version, map[string]string{"q2e1": "优秀"}, "全年均为A"))
	if p := h.periods()["2026"]; p.State != workflow.PeriodCommittee {
		t.Errorf("confirming S5's year moved S4's to %s", p.State)
	}
	h.take()
	h.must("publish 2026@s5", h.svc.Publish(ctx, "hr", "2026@s5"))
	ns = h.take()
	results := sel(ns, workflow.TplResult)
	sort.Strings(results)
	if !slices.Equal(results, []string{"l2", "q2e1", "q2e2", "q2e3"}) {
		t.Errorf("S5's year results went to %v", results)
	}
	if n, ok := find(ns, workflow.TplPublicity, "oc_public"); !ok || n.Data["names"] != "业务科1" || n.Data["period"] != "2026@s5" {
		t.Errorf("S5's year 公示 = %v (sent %v)", n.Data, ok)
	}

	// Each filing reads its own year.
	f, err := h.svc.FilingData(ctx, "hr", "2026@s5")
	h.must("filing 2026@s5", err)
	var ann []string
	for p := range f.Annual {
		ann = append(ann, p)
	}
	sort.Strings(ann)
	if !slices.Equal(ann, []string{"l2", "q2e1", "q2e2", "q2e3"}) {
		t.Errorf("S5's filing holds the annual results of %v", ann)
	}
	if _, err := h.svc.FilingData(ctx, "hr", "2026"); err != nil {
		t.Errorf("filing 2026: %v", err)
	}
}

// TestBottomAlertPerScheme: in the mixed organisation each scheme alerts
// HR after its own number of bottom grades in a row (S5 五(二): one D; S4
// 五、8: two 较差), counting only its own periods: S4's Q1 and Q2 are a run
// though S5's Q1 lies between them in the store.
func TestBottomAlertPerScheme(t *testing.T) {
	t.Parallel()
	h := mixedOrg(t, nil)
	s4q, s5q := unitStaff("q1"), unitStaff("q2")
	h.seedSchemePeriod("2026-Q1", "s4", workflow.PeriodClosed, s4q, func(p string) string {
		if p == "q1e1" {
			return "较差"
		}
		return "较好"
	})
	h.seedSchemePeriod("2026-Q1@s5", "s5", workflow.PeriodClosed, s5q, func(string) string { return "A" })
	h.seedSchemePeriod("2026-Q2", "s4", workflow.PeriodCommittee, s4q, func(p string) string {
		if p == "q1e1" || p == "q1e2" {
			return "较差"
		}
		return "较好"
	})
	h.seedSchemePeriod("2026-Q2@s5", "s5", workflow.PeriodCommittee, s5q, func(p string) string {
		if p == "q2e1" {
			return "D"
		}
		return "A"
	})
	h.take()
	h.must("confirm S5", h.svc.ConfirmResults(ctx, "head", "2026-Q2@s5"))
	if got := sel(h.take(), workflow.TplBottomAlert, "person_id=q2e1"); !slices.Equal(got, []string{"hr"}) {
		t.Errorf("S5's one D alerted %v, want HR", got)
	}
	h.must("confirm S4", h.svc.ConfirmResults(ctx, "head", "2026-Q2"))
	ns := h.take()
	if n, ok := find(ns, workflow.TplBottomAlert, "hr"); !ok || n.Data["person_id"] != "q1e1" || n.Data["periods"] != "2026-Q1、2026-Q2" {
		t.Errorf("S4's alert = %v (sent %v), want q1e1 after two 较差", n.Data, ok)
	}
	if got := sel(ns, workflow.TplBottomAlert, "person_id=q1e2"); len(got) != 0 {
		t.Errorf("S4 alerted after one 较差: %v", got)
	}
}

// TestYearRatingsPerScheme: with 办公室 under S4 (no 年度测评) and 业务科
// under S9 (优秀票), the one round of 2026 asks only 业务科's people, each
// to mark their own 考核单元; S4's year composes without waiting for it,
// and S9's waits for its raters.
func TestYearRatingsPerScheme(t *testing.T) {
	t.Parallel()
	s9, err := scoring.Builtin("s9")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, "s4", at(2027, 1, 11, 9, 0), func(c *workflow.Config) {
		c.Schemes = map[string]*scoring.Scheme{"s9": s9}
	})
	units := []workflow.Unit{
		{ID: "q1", Name: "办公室", Leader: "l1", Supervisor: "s1"},
		{ID: "q2", Name: "业务科", Leader: "l2", Supervisor: "s1", Scheme: "s9"},
	}
	people := []workflow.Person{{ID: "head", Name: "局长", Committee: true}, {ID: "s1", Name: "副局长"}, {ID: "hr", Name: "政工科", HR: true}}
	for _, u := range units {
		for _, id := range unitStaff(u.ID) {
			people = append(people, workflow.Person{ID: id, Name: u.Name + id, Unit: u.ID, Group: u.ID, Assessed: true})
		}
	}
	h.must("setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "XX局", Head: "head"}, units, people))
	for q := 1; q <= 4; q++ {
		id := "2026-Q" + string(rune('0'+q))
		h.seedSchemePeriod(id, "s4", workflow.PeriodClosed, unitStaff("q1"), func(string) string { return "较好" })
		if q < 4 { // S9's Q4 merges into the year
			h.seedSchemePeriod(id+"@s9", "s9", workflow.PeriodClosed, unitStaff("q2"), func(string) string { return "好" })
		}
	}
	if h.svc.YearRatesNeeded("2026") || !h.svc.YearRatesNeeded("2026@s9") {
		t.Errorf("YearRatesNeeded: S4 %v, S9 %v", h.svc.YearRatesNeeded("2026"), h.svc.YearRatesNeeded("2026@s9"))
	}
	h.must("open", h.svc.OpenYearRatings(ctx, "hr", 2026, calendar.NewDate(2027, 1, 20)))
	if got := sel(h.take(), workflow.TplYearRating); !slices.Equal(got, []string{"l2", "q2e1", "q2e2", "q2e3"}) {
		t.Errorf("asked to rate: %v, want 业务科's people", got)
	}
	sh, err := h.svc.YearRatingSheet(ctx, "q2e1", 2026)
	h.must("sheet", err)
	var marks []string
	for _, g := range sh.Groups {
		for _, p := range g.Targets {
			marks = append(marks, g.Source+":"+p.ID)
		}
	}
	if !slices.Equal(marks, []string{"excellent:l2", "excellent:q2e2", "excellent:q2e3"}) {
		t.Errorf("q2e1 marks %v", marks)
	}
	if _, err := h.svc.YearRatingSheet(ctx, "q1e1", 2026); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("S4's q1e1 has a sheet: %v", err)
	}
	_, err = h.svc.ComposeYear(ctx, "hr", "2026", workflow.YearSpec{})
	h.must("S4's year does not wait for the round", err)
	_, err = h.svc.ComposeYear(ctx, "hr", "2026@s9", workflow.YearSpec{})
	h.wantErr("S9's year waits for its raters", err, workflow.ErrIncomplete)
}
