package workflow_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// mixedOrg is one organisation under three schemes: 办公室 (q1) under the
// default S4, quarterly; 业务科 (q2) under S5, quarterly; 窗口 (w) under
// s4-month. Each has a leader and three staff; one 分管领导 and the head.
func mixedOrg(t *testing.T, tweak func(*workflow.Config)) *harness {
	t.Helper()
	s5, err := scoring.Builtin("s5")
	if err != nil {
		t.Fatal(err)
	}
	month, err := scoring.Builtin(scoring.S4Month)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 4 January 2027 is the year's first working day.
	h := newHarness(t, "s4", at(2027, 1, 4, 8, 0), func(c *workflow.Config) {
		c.ManualOpen = false
		c.Schemes = map[string]*scoring.Scheme{"s5": s5, scoring.S4Month: month}
		if tweak != nil {
			tweak(c)
		}
	})
	units := []workflow.Unit{
		{ID: "q1", Name: "办公室", Leader: "l1", Supervisor: "s1"},
		{ID: "q2", Name: "业务科", Leader: "l2", Supervisor: "s1", Scheme: "s5"},
		{ID: "w", Name: "窗口", Leader: "lw", Supervisor: "s1", Scheme: scoring.S4Month},
	}
	people := []workflow.Person{
		{ID: "head", Name: "局长", Committee: true},
		{ID: "s1", Name: "副局长", Committee: true},
		{ID: "hr", Name: "政工科", HR: true},
	}
	for _, u := range units {
		people = append(people, workflow.Person{ID: u.Leader, Name: "科长" + u.ID, Unit: u.ID, Group: u.ID, Assessed: true})
		for _, n := range []string{"1", "2", "3"} {
			people = append(people, workflow.Person{ID: u.ID + "e" + n, Name: u.Name + n, Unit: u.ID, Group: u.ID, Assessed: true})
		}
	}
	h.must("setup", h.svc.Setup(ctx, "hr", workflow.Settings{Name: "XX局", Head: "head", PublicChats: []string{"oc_public"}}, units, people))
	return h
}

func (h *harness) periods() map[string]workflow.Period {
	h.t.Helper()
	out := map[string]workflow.Period{}
	h.must("periods", h.store.InTx(ctx, func(tx workflow.Tx) error {
		ps, err := tx.Periods(ctx)
		for _, p := range ps {
			out[p.ID] = p
		}
		return err
	}))
	return out
}

func (h *harness) missingIn(period string) []string {
	h.t.Helper()
	ms, err := h.svc.Unfinished(ctx, "hr", period)
	h.must("unfinished "+period, err)
	var out []string
	for _, m := range ms {
		out = append(out, m.Person)
	}
	sort.Strings(out)
	return out
}

// TestMixedSchemes: each scheme's units open their own period on the
// cycle's first working day (the window unit a month), each period holds
// only its scheme's people and is graded under its scheme, and a contact
// sync that names no scheme leaves a unit's scheme alone.
func TestMixedSchemes(t *testing.T) {
	t.Parallel()
	h := mixedOrg(t, nil)
	h.advance(at(2027, 1, 4, 10, 0))
	ps := h.periods()
	want := map[string]struct{ kind, scheme string }{
		"2027-Q1":          {workflow.KindQuarter, "s4"},
		"2027-Q1@s5":       {workflow.KindQuarter, "s5"},
		"2027-01@s4-month": {workflow.KindMonth, scoring.S4Month},
	}
	if len(ps) != len(want) {
		t.Fatalf("periods = %v, want %v", ps, want)
	}
	for id, w := range want {
		if p, ok := ps[id]; !ok || p.Kind != w.kind || p.Scheme != w.scheme {
			t.Errorf("period %s = %+v, want kind %s scheme %s", id, p, w.kind, w.scheme)
		}
	}
	if p := ps["2027-01@s4-month"]; p.End != calendar.NewDate(2027, 1, 31) {
		t.Errorf("monthly period ends %s", p.End)
	}
	for id, unit := range map[string]string{"2027-Q1": "q1", "2027-Q1@s5": "q2", "2027-01@s4-month": "w"} {
		got := h.missingIn(id)
		var lead string
		switch unit {
		case "q1":
			lead = "l1"
		case "q2":
			lead = "l2"
		default:
			lead = "lw"
		}
		exp := []string{lead, unit + "e1", unit + "e2", unit + "e3"}
		sort.Strings(exp)
		if !slices.Equal(got, exp) {
			t.Errorf("%s is missing %v, want its own unit's %v", id, got, exp)
		}
	}
	if got := h.svc.GradesOf("2027-Q1@s5"); !slices.Equal(got, []string{"A", "B", "C", "D"}) {
		t.Errorf("S5 period grades = %v", got)
	}
	if got := h.svc.GradesOf("2027-Q1"); got[0] != "好" {
		t.Errorf("S4 period grades = %v", got)
	}
	// A self-summary names its own scheme's period; another's is refused.
	h.wantErr("summary for another scheme's period", h.svc.Submit(ctx, "q1e1", summary("2027-Q1@s5")), workflow.ErrInvalidInput)
	h.wantErr("monthly unit's quarter", h.svc.Submit(ctx, "we1", summary("2027-Q1")), workflow.ErrInvalidInput)

	// The window unit's month runs to its end; the next month opens by itself.
	h.advance(at(2027, 2, 1, 10, 0))
	if _, ok := h.periods()["2027-02@s4-month"]; !ok {
		t.Errorf("February did not open for the window unit: %v", h.periods())
	}

	// 同步通讯录 gives the unit back without a scheme (and a new leader): it
	// stays under S5.
	h.must("sync", h.svc.Setup(ctx, "hr", workflow.Settings{}, []workflow.Unit{{ID: "q2", Name: "业务科", Leader: "q2e1", Supervisor: "s1"}}, nil))
	var u workflow.Unit
	h.must("unit", h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		u, err = tx.Unit(ctx, "q2")
		return err
	}))
	if u.Scheme != "s5" || u.Leader != "q2e1" {
		t.Errorf("after a sync the unit is %+v, want scheme s5 kept", u)
	}
	h.wantErr("unknown scheme", h.svc.Setup(ctx, "hr", workflow.Settings{}, []workflow.Unit{{ID: "x", Name: "新科", Scheme: "s99"}}, nil), workflow.ErrInvalidInput)
}

// TestUnitSchemesConfig: the configuration's unit → scheme map wins over
// the unit's own, and names only schemes the service holds.
func TestUnitSchemesConfig(t *testing.T) {
	t.Parallel()
	h := mixedOrg(t, func(c *workflow.Config) { c.UnitSchemes = map[string]string{"q1": "s5", "q2": "s4"} })
	h.advance(at(2027, 1, 4, 10, 0))
	if got := h.missingIn("2027-Q1@s5"); len(got) != 4 || got[0] != "l1" {
		t.Errorf("S5 period holds %v, want 办公室 (configured)", got)
	}
	// The 备案 of that period holds the same people: the configuration
	// reaches the filing too.
	f, err := h.svc.FilingData(ctx, "hr", "2027-Q1@s5")
	h.must("filing", err)
	var filed []string
	for id := range f.Periods[0].Records {
		filed = append(filed, id)
	}
	sort.Strings(filed)
	if !slices.Contains(filed, "q1e1") || slices.Contains(filed, "q2e1") {
		t.Errorf("S5's filing holds %v, want 办公室 (configured), not 业务科", filed)
	}
	s4, _ := scoring.Builtin("s4")
	_, err = workflow.New(workflow.Config{Store: h.store, Clock: h.clk, Calendar: h.cal, Scheme: s4, UnitSchemes: map[string]string{"q1": "s5"}})
	if err == nil {
		t.Errorf("New accepted a unit under a scheme it does not hold")
	}
}
