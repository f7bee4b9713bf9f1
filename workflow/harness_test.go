package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

var (
	ctx = context.Background()
	sh  = calendar.DefaultLocation()
)

// harness is one organisation on a fake clock.
type harness struct {
	t     *testing.T
	svc   *workflow.Service
	store workflow.Store
	clk   *clock.Fake
	cal   *calendar.Calendar
	// seen is how many outbox rows were already inspected by take.
	seen int64
}

func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, sh) }

func newHarness(t *testing.T, schemeID string, start time.Time, tweak func(*workflow.Config)) *harness {
	t.Helper()
	return newHarnessOn(t, memory.New(), schemeID, start, tweak)
}

// newHarnessOn is newHarness on a given store (PostgreSQL for the
// scenarios that must hold on both, see onStores).
func newHarnessOn(t *testing.T, store workflow.Store, schemeID string, start time.Time, tweak func(*workflow.Config)) *harness {
	t.Helper()
	sc, err := scoring.Builtin(schemeID)
	if err != nil {
		t.Fatalf("Builtin(%s): %v", schemeID, err)
	}
	h := &harness{t: t, store: store, clk: clock.NewFake(start), cal: calendar.Default()}
	// The scenarios open their periods themselves (TestPeriodsOpenThemselves
	// covers the default).
	cfg := workflow.Config{Store: h.store, Clock: h.clk, Calendar: h.cal, Scheme: sc, ManualOpen: true}
	if tweak != nil {
		tweak(&cfg)
	}
	h.svc, err = workflow.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// org60 sets up 60 assessed people in three units of 20 (a leader and 19
// staff each), two 分管领导, a 主管领导, HR and a committee. IDs: u1..u3,
// l1..l3 (unit leaders, assessed), e01..e57 (staff, 19 per unit), s1 (u1,
// u2) and s2 (u3), head, hr, c1 and c2 (committee; c1 is head's deputy).
func (h *harness) org60() {
	h.t.Helper()
	units := []workflow.Unit{
		{ID: "u1", Name: "办公室", Leader: "l1", Supervisor: "s1"},
		{ID: "u2", Name: "业务科", Leader: "l2", Supervisor: "s1"},
		{ID: "u3", Name: "执法大队", Leader: "l3", Supervisor: "s2"},
	}
	people := []workflow.Person{
		{ID: "head", Name: "局长", Committee: true},
		{ID: "s1", Name: "副局长甲", Committee: true},
		{ID: "s2", Name: "副局长乙"},
		{ID: "hr", Name: "政工科", HR: true},
		{ID: "c1", Name: "委员", Committee: true},
	}
	for i, u := range units {
		people = append(people, workflow.Person{ID: u.Leader, Name: "科长" + u.ID, Unit: u.ID, Group: u.ID, Assessed: true})
		for j := range 19 {
			n := i*19 + j + 1
			people = append(people, workflow.Person{ID: fmt.Sprintf("e%02d", n), Name: fmt.Sprintf("干部%02d", n), Unit: u.ID, Group: u.ID, Assessed: true})
		}
	}
	err := h.svc.Setup(ctx, "hr", workflow.Settings{Name: "XX局", Head: "head", PublicChats: []string{"oc_public"}}, units, people)
	if err != nil {
		h.t.Fatalf("Setup: %v", err)
	}
}

// staff returns the ids of the 60 assessed people.
func staff() []string {
	ids := []string{"l1", "l2", "l3"}
	for n := 1; n <= 57; n++ {
		ids = append(ids, fmt.Sprintf("e%02d", n))
	}
	return ids
}

// unitOf returns the unit of an assessed person.
func unitOf(id string) string {
	switch id {
	case "l1", "l2", "l3":
		return "u" + id[1:]
	}
	var n int
	fmt.Sscanf(id, "e%d", &n)
	return fmt.Sprintf("u%d", (n-1)/19+1)
}

// advance ticks the service every 30 minutes up to t, then sets the clock to t.
func (h *harness) advance(t time.Time) {
	h.t.Helper()
	for next := h.clk.Now().Truncate(30 * time.Minute).Add(30 * time.Minute); !next.After(t); next = next.Add(30 * time.Minute) {
		h.clk.Set(next)
		if _, err := h.svc.Tick(ctx); err != nil {
			h.t.Fatalf("Tick at %s: %v", next, err)
		}
	}
	h.clk.Set(t)
	if _, err := h.svc.Tick(ctx); err != nil {
		h.t.Fatalf("Tick at %s: %v", t, err)
	}
}

// take returns the notifications written since the last take.
func (h *harness) take() []workflow.Notification {
	h.t.Helper()
	var ns []workflow.Notification
	if err := h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		ns, err = tx.Outbox(ctx, "", h.seen, 0)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	if len(ns) > 0 {
		h.seen = ns[len(ns)-1].ID
	}
	return ns
}

// sel filters notifications by template and, optionally, data values
// (key=value) and returns their recipients sorted.
func sel(ns []workflow.Notification, template string, kv ...string) []string {
	var out []string
	for _, n := range ns {
		if n.Template != template {
			continue
		}
		ok := true
		for _, p := range kv {
			k, v, _ := strings.Cut(p, "=")
			ok = ok && n.Data[k] == v
		}
		if ok {
			out = append(out, n.To)
		}
	}
	sort.Strings(out)
	return out
}

func find(ns []workflow.Notification, template, to string) (workflow.Notification, bool) {
	for _, n := range ns {
		if n.Template == template && n.To == to {
			return n, true
		}
	}
	return workflow.Notification{}, false
}

func (h *harness) must(what string, err error) {
	h.t.Helper()
	if err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
}

func (h *harness) wantErr(what string, err, target error) {
	h.t.Helper()
	if !errors.Is(err, target) {
		h.t.Fatalf("%s: got %v, want %v", what, err, target)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func weekly(week string) workflow.EntryInput {
	return workflow.EntryInput{Kind: workflow.EntryWeekly, Period: week, Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}
}

func monthly(month string) workflow.EntryInput {
	return workflow.EntryInput{Kind: workflow.EntryMonthly, Period: month, Body: workflow.EntryBody{Goals: "完成本月任务", Completion: "已完成"}}
}

func summary(period string) workflow.EntryInput {
	return workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: period, Body: workflow.EntryBody{Summary: "本季度工作小结", Training: "参加培训 2 次"}}
}

// s4Scores spreads total points over S4's leaf indicators, taking points
// off the leaves in order from a full 100.
func s4Scores(total int) map[string]scoring.Dec {
	leaves := []struct {
		id  string
		max int
	}{
		{"思想政治素质", 6}, {"职业道德", 4}, {"社会公德", 6}, {"家庭美德", 4},
		{"岗位执行能力", 5}, {"综合业务能力", 6}, {"开拓创新能力", 5}, {"沟通协作能力", 4},
		{"工作责任心", 5}, {"工作作风", 5}, {"出勤情况", 5},
		{"工作负荷", 15}, {"工作效率", 10}, {"工作成效", 10},
		{"遵章守纪情况", 4}, {"艰苦奋斗勤俭节约情况", 3}, {"日常信访举报情况", 3},
	}
	off := 100 - total
	m := map[string]scoring.Dec{}
	for _, l := range leaves {
		take := min(off, l.max-1)
		off -= take
		m[l.id] = scoring.IntDec(int64(l.max - take))
	}
	return m
}

// weeksOfQ3 returns the ISO weeks that belong to 2026-Q3 (Thursday rule).
func weeksOf(p string) []calendar.Period {
	cp := calendar.MustParsePeriod(p)
	var out []calendar.Period
	for w := calendar.PeriodContaining(calendar.Week, cp.Start()); !w.Start().After(cp.End()); w = w.Next() {
		if cp.Contains(w.Start().AddDays(3)) {
			out = append(out, w)
		}
	}
	return out
}

// pendingStep returns the person's pending step.
func (h *harness) pendingStep(period, person string) workflow.Step {
	h.t.Helper()
	var out []workflow.Step
	h.must("steps", h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		out, err = tx.Steps(ctx, workflow.StepFilter{Period: period, Person: person, State: workflow.StepPending})
		return err
	}))
	if len(out) != 1 {
		h.t.Fatalf("%s has %d pending steps, want 1", person, len(out))
	}
	return out[0]
}

// seedPeriod stores a finished period with the given grades (and scores),
// for the quarters a test does not simulate.
func (h *harness) seedPeriod(id string, grade func(person string) (string, string)) {
	h.t.Helper()
	cp := calendar.MustParsePeriod(id)
	h.must("seed "+id, h.store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePeriod(ctx, workflow.Period{ID: id, Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodClosed, PublishedAt: h.clk.Now(), FiledAt: h.clk.Now()}); err != nil {
			return err
		}
		for _, p := range staff() {
			g, sc := grade(p)
			r := workflow.Result{Period: id, Person: p, Grade: g, State: scoring.StateGraded, Version: 1}
			if sc != "" {
				d := scoring.D(sc)
				r.Score = &d
			}
			if err := tx.PutResult(ctx, r); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (h *harness) audit() []workflow.AuditEntry {
	h.t.Helper()
	var rows []workflow.AuditEntry
	h.must("audit", h.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		rows, err = tx.Audit(ctx, 0, 0)
		return err
	}))
	return rows
}
