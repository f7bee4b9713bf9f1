package workflow_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/storage/postgres/pgtest"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// progressOrg is org60 in 2026-Q3 on Wednesday 15 July: 第27周 and 第28周
// are due and past; in 办公室 (u1) e01..e10 filed both, but l1 sent e10's
// 第28周 back, e11 filed only 第27周, e19 is on leave this week; e01..e03 filed their 季度小结, so l1 holds
// three 初评; e20 (业务科) too, and l2 approved it, so s1 holds its 审定.
func progressOrg(t *testing.T) *harness {
	t.Helper()
	return progressOrgOn(t, memory.New())
}

// progressOrgOn is progressOrg on a given store.
func progressOrgOn(t *testing.T, store workflow.Store) *harness {
	t.Helper()
	h := newHarnessOn(t, store, "s4", at(2026, 7, 1, 9, 0), nil)
	h.org60()
	h.must("open", second(h.svc.OpenPeriod(ctx, "hr", "2026-Q3")))
	h.clk.Set(at(2026, 7, 15, 10, 0))
	for _, w := range []string{"2026-W27", "2026-W28"} {
		for n := 1; n <= 10; n++ {
			h.must("weekly", h.svc.Submit(ctx, fmt.Sprintf("e%02d", n), weekly(w)))
		}
		h.must("weekly e20", h.svc.Submit(ctx, "e20", weekly(w)))
	}
	h.must("weekly e11", h.svc.Submit(ctx, "e11", weekly("2026-W27")))
	for _, p := range []string{"e01", "e02", "e03", "e20"} {
		h.must("summary "+p, h.svc.Submit(ctx, p, summary("2026-Q3")))
	}
	st := h.pendingStep("2026-Q3", "e20")
	h.must("初评 e20", h.svc.Act(ctx, "l2", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
		Assessment: &workflow.Assessment{Indicators: s4Scores(90)}}))
	h.must("return", h.svc.Return(ctx, "l1", workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "e10", Period: "2026-W28"}, 1, "工作内容过于笼统"))
	h.must("leave", h.svc.AddAbsence(ctx, "hr", "e19", workflow.Absence{Kind: "病假", Start: calendar.NewDate(2026, 7, 13), End: calendar.NewDate(2026, 7, 17)}))
	return h
}

func second[T any](_ T, err error) error { return err }

// TestProgress runs on both stores: the counts rest on the store's entry
// filter by period (EntryFilter.Cycle).
func TestProgress(t *testing.T) {
	t.Parallel()
	for name, store := range map[string]func(t *testing.T) workflow.Store{
		"memory":   func(*testing.T) workflow.Store { return memory.New() },
		"postgres": func(t *testing.T) workflow.Store { return pgtest.New(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testProgress(t, progressOrgOn(t, store(t)))
		})
	}
}

func testProgress(t *testing.T, h *harness) {
	p, err := h.svc.Progress(ctx, "hr", "")
	h.must("progress", err)
	if p.Period.ID != "2026-Q3" || p.AsOf != calendar.NewDate(2026, 7, 15) {
		t.Fatalf("progress of %s as of %s", p.Period.ID, p.AsOf)
	}
	tally := func(items []workflow.ItemTally, kind, step string) workflow.Tally {
		t.Helper()
		for _, it := range items {
			if it.Kind == kind && it.Step == step {
				return it.Tally
			}
		}
		t.Fatalf("no tally for %s %s in %+v", kind, step, items)
		return workflow.Tally{}
	}
	unit := func(id string) workflow.UnitProgress {
		t.Helper()
		for _, u := range p.Units {
			if u.Unit.ID == id {
				return u
			}
		}
		t.Fatalf("no unit %s", id)
		return workflow.UnitProgress{}
	}
	var cols []string
	for _, it := range p.Totals {
		cols = append(cols, it.Kind+it.Step)
	}
	// Only what has been asked for: no 月小结, 季度小结 or vote before their
	// first reminder (e01..e03 wrote theirs early), the steps in chain
	// order.
	if want := []string{"weekly", "step初评", "step审定"}; !equal(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
	u1, u2 := unit("u1"), unit("u2")
	tests := []struct {
		name string
		got  workflow.Tally
		want workflow.Tally
	}{
		// 20 people × 2 weeks: e01..e10 both (e10's second sent back), e11 one.
		{"u1 weekly", tally(u1.Items, workflow.EntryWeekly, ""), workflow.Tally{Done: 20, Owed: 20, Overdue: 20}},
		{"u2 weekly", tally(u2.Items, workflow.EntryWeekly, ""), workflow.Tally{Done: 2, Owed: 38, Overdue: 38}},
		{"all weekly", tally(p.Totals, workflow.EntryWeekly, ""), workflow.Tally{Done: 22, Owed: 98, Overdue: 98}},
		{"u1 初评", tally(u1.Items, workflow.ItemStep, "初评"), workflow.Tally{Owed: 3}},
		{"u2 初评", tally(u2.Items, workflow.ItemStep, "初评"), workflow.Tally{Done: 1}},
		{"u2 审定", tally(u2.Items, workflow.ItemStep, "审定"), workflow.Tally{Owed: 1}},
		{"u3 审定", tally(unit("u3").Items, workflow.ItemStep, "审定"), workflow.Tally{}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
	lateOf := map[string][]workflow.Late{}
	for _, l := range u1.Late {
		lateOf[l.Person] = append(lateOf[l.Person], l)
	}
	// Days past the Monday each week was due (S1 次周一以前: Monday is on time).
	if ls := lateOf["e11"]; len(ls) != 1 || ls[0].Entry != "2026-W28" || ls[0].Days != 2 || ls[0].Due.String() != "2026-07-13" || ls[0].Name != "干部11" {
		t.Errorf("e11 late = %+v, want 第28周 by 2 days", ls)
	}
	if ls := lateOf["e19"]; len(ls) != 2 || !ls[0].OnLeave || ls[0].Entry != "2026-W27" || ls[0].Days != 9 {
		t.Errorf("e19 late = %+v, want two weeks, on leave", ls)
	}
	if ls := lateOf["e10"]; len(ls) != 1 || !ls[0].Returned {
		t.Errorf("e10 late = %+v, want 第28周 sent back", ls)
	}
	if len(lateOf["e01"]) != 0 || len(lateOf) != 11 {
		t.Errorf("late in u1: %d people (%v), want l1, e10 and e11..e19", len(lateOf), lateOf)
	}
	// The steps with their holders.
	var steps []string
	for _, s := range p.Steps {
		steps = append(steps, s.Step.Name+":"+s.Name+"←"+s.Holder+"@"+s.Unit)
	}
	if want := []string{"初评:干部01←科长u1@u1", "初评:干部02←科长u1@u1", "初评:干部03←科长u1@u1", "审定:干部20←副局长甲@u2"}; !equal(steps, want) {
		t.Errorf("steps = %v, want %v", steps, want)
	}

	// Progress counts what Owed asks each person for, item by item.
	owed := 0
	for _, id := range staff() {
		ds, err := h.svc.Owed(ctx, id)
		h.must("owed", err)
		owed += len(ds)
	}
	entries := 0
	for _, it := range p.Totals {
		if it.Kind != workflow.ItemStep {
			entries += it.Owed
		}
	}
	if entries != owed {
		t.Errorf("progress owes %d entries, Owed %d", entries, owed)
	}

	// Two days on, the steps are overdue, with the days.
	h.clk.Set(at(2026, 7, 24, 10, 0))
	p, err = h.svc.Progress(ctx, "hr", "2026-Q3")
	h.must("progress later", err)
	if len(p.Steps) != 4 || !p.Steps[0].Overdue || p.Steps[0].Days == 0 {
		t.Errorf("steps a week later = %+v, want overdue", p.Steps)
	}
	if got := tally(p.Totals, workflow.ItemStep, "初评"); got.Overdue != 3 {
		t.Errorf("初评 a week later = %+v, want 3 overdue", got)
	}
}

func TestProgressRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s4", at(2026, 7, 1, 9, 0), nil)
	h.org60()
	if _, err := h.svc.Progress(ctx, "hr", ""); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("progress without periods: %v, want ErrNotFound", err)
	}
	h.must("open", second(h.svc.OpenPeriod(ctx, "hr", "2026-Q3")))
	before := len(h.audit())
	if _, err := h.svc.Progress(ctx, "e01", ""); !errors.Is(err, workflow.ErrForbidden) {
		t.Errorf("progress by an employee: %v, want ErrForbidden", err)
	}
	rows := h.audit()[before:]
	if len(rows) != 1 || !rows[0].Denied || rows[0].Action != "progress.read" {
		t.Errorf("audit after the refusal: %+v, want one denial", rows)
	}
	if _, err := h.svc.Progress(ctx, "hr", "2031-Q1"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("progress of an unknown period: %v, want ErrNotFound", err)
	}
}

func TestStepsByUnit(t *testing.T) {
	t.Parallel()
	h := progressOrg(t)
	got, err := h.svc.StepsByUnit(ctx, "l1")
	h.must("l1", err)
	if len(got) != 1 || got[0].Unit.Name != "办公室" || len(got[0].Steps) != 3 {
		t.Fatalf("l1's steps by unit = %+v, want 办公室 with three", got)
	}
	for _, s := range got[0].Steps {
		if s.Summary != "本季度工作小结" || s.Step.Name != "初评" || s.Overdue {
			t.Errorf("l1's step %+v", s)
		}
	}
	// s1 oversees u1 and u2: e20's 审定 is theirs; a delegate of l1 sees
	// l1's steps as well.
	h.must("delegate", h.svc.Delegate(ctx, "l1", "l2", h.clk.Now(), h.clk.Now().AddDate(0, 0, 7), "外出学习"))
	got, err = h.svc.StepsByUnit(ctx, "l2")
	h.must("l2", err)
	var units []string
	for _, u := range got {
		units = append(units, fmt.Sprintf("%s:%d", u.Unit.ID, len(u.Steps)))
	}
	if !equal(units, []string{"u1:3"}) {
		t.Errorf("l2 standing in for l1 = %v, want u1:3", units)
	}
	got, err = h.svc.StepsByUnit(ctx, "s1")
	h.must("s1", err)
	if len(got) != 1 || got[0].Unit.ID != "u2" || got[0].Steps[0].Name != "干部20" {
		t.Errorf("s1's steps = %+v, want 干部20's 审定 in u2", got)
	}
	if got, err := h.svc.StepsByUnit(ctx, "e01"); err != nil || len(got) != 0 {
		t.Errorf("an employee's steps = %+v, %v", got, err)
	}
}

func TestStepsOfUnit(t *testing.T) {
	t.Parallel()
	h := progressOrg(t)
	tests := []struct {
		name, by, unit string
		steps          int
		err            error
	}{
		{"LeaderWithSteps", "l1", "u1", 3, nil},
		{"SupervisorWithNone", "s1", "u1", 0, nil},
		{"HeadWithNone", "head", "u3", 0, nil},
		{"LeaderOfAnother", "l2", "u1", 0, workflow.ErrForbidden},
		{"Employee", "e01", "u1", 0, workflow.ErrForbidden},
		{"UnknownUnit", "l1", "u9", 0, workflow.ErrForbidden},
	}
	for _, tt := range tests {
		before := len(h.audit())
		got, err := h.svc.StepsOfUnit(ctx, tt.by, tt.unit)
		if !errors.Is(err, tt.err) || (err == nil && len(got.Steps) != tt.steps) {
			t.Errorf("%s: %d steps, %v; want %d, %v", tt.name, len(got.Steps), err, tt.steps, tt.err)
		}
		denied := 0
		for _, r := range h.audit()[before:] {
			if r.Denied {
				denied++
			}
		}
		if want := map[bool]int{true: 1, false: 0}[tt.err != nil]; denied != want {
			t.Errorf("%s: %d denials audited, want %d", tt.name, denied, want)
		}
		if tt.err != nil && workflow.Message(err) != "您无权办理此事项：您不负责该单位的考核审核" {
			t.Errorf("%s: message %q", tt.name, workflow.Message(err))
		}
	}
	// Standing in for l1, l2 sees 办公室's steps.
	h.must("delegate", h.svc.Delegate(ctx, "l1", "l2", h.clk.Now(), h.clk.Now().AddDate(0, 0, 7), "外出学习"))
	if got, err := h.svc.StepsOfUnit(ctx, "l2", "u1"); err != nil || len(got.Steps) != 3 {
		t.Errorf("l2 standing in for l1: %d steps, %v", len(got.Steps), err)
	}
}
