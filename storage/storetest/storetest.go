// Package storetest is the conformance suite every workflow.Store must
// pass: the in-memory store now, PostgreSQL later. A store's test calls
// Run with a constructor that returns a fresh, empty store per call.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// NewFunc returns a fresh, empty store for one test.
type NewFunc func(t *testing.T) workflow.Store

// Run runs the whole suite against stores made by newStore.
func Run(t *testing.T, newStore NewFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s workflow.Store)
	}{
		{"Rollback", testRollback},
		{"Org", testOrg},
		{"Targets", testTargets},
		{"Periods", testPeriods},
		{"Entries", testEntries},
		{"Steps", testSteps},
		{"StepRace", testStepRace},
		{"Votes", testVotes},
		{"YearRatings", testYearRatings},
		{"Results", testResults},
		{"Reviews", testReviews},
		{"Annuals", testAnnuals},
		{"Fires", testFires},
		{"FireRace", testFireRace},
		{"Idempotency", testIdempotency},
		{"Publicity", testPublicity},
		{"Outbox", testOutbox},
		{"OutboxClaim", testOutboxClaim},
		{"OutboxClaimRace", testOutboxClaimRace},
		{"OutboxStats", testOutboxStats},
		{"Prune", testPrune},
		{"PruneRace", testPruneRace},
		{"Audit", testAudit},
		{"AuditConcurrent", testAuditConcurrent},
		{"AuditPrecision", testAuditPrecision},
		{"RoundTrip", testRoundTrip},
		{"ZeroValues", testZeroValues},
		{"UpdateRace", testUpdateRace},
		{"WriteSkew", testWriteSkew},
		{"VoteRace", testVoteRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

var (
	t0  = time.Date(2026, 9, 30, 9, 0, 0, 0, time.UTC)
	ctx = context.Background()
)

// in runs fn in a transaction and fails the test on error.
func in(t *testing.T, s workflow.Store, fn func(tx workflow.Tx) error) {
	t.Helper()
	if err := s.InTx(ctx, fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// wantErr checks that err matches target (nil for success).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if target == nil && err != nil {
		t.Errorf("%s: unexpected error %v", what, err)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

var errAbort = errors.New("abort")

func testRollback(t *testing.T, s workflow.Store) {
	err := s.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePerson(ctx, workflow.Person{ID: "p1", Name: "甲"}); err != nil {
			return err
		}
		if _, err := tx.Enqueue(ctx, workflow.Notification{Key: "k1", To: "p1", Template: "x"}); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: t0, Actor: "p1", Action: "a"}); err != nil {
			return err
		}
		if err := tx.RecordFire(ctx, workflow.Fire{ScheduleID: "s", SlotAt: t0, Outcome: workflow.FireFired}); err != nil {
			return err
		}
		return errAbort
	})
	wantErr(t, "InTx", err, errAbort)
	in(t, s, func(tx workflow.Tx) error {
		_, err := tx.Person(ctx, "p1")
		wantErr(t, "person after rollback", err, workflow.ErrNotFound)
		ns, _ := tx.Outbox(ctx, "", 0, 0)
		as, _ := tx.Audit(ctx, 0, 0)
		_, ferr := tx.Fire(ctx, "s", t0)
		if len(ns) != 0 || len(as) != 0 || !errors.Is(ferr, workflow.ErrNotFound) {
			t.Errorf("rollback left outbox=%d audit=%d fire=%v", len(ns), len(as), ferr)
		}
		return nil
	})
	// A panic rolls back too, and propagates.
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("panic in fn was swallowed")
			}
		}()
		_ = s.InTx(ctx, func(tx workflow.Tx) error {
			_ = tx.CreatePerson(ctx, workflow.Person{ID: "p2"})
			panic("boom")
		})
	}()
	in(t, s, func(tx workflow.Tx) error {
		_, err := tx.Person(ctx, "p2")
		wantErr(t, "person after panic", err, workflow.ErrNotFound)
		return nil
	})
	// A cancelled context never commits.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.InTx(cctx, func(tx workflow.Tx) error { return tx.CreatePerson(cctx, workflow.Person{ID: "p3"}) }); err == nil {
		t.Errorf("InTx with a cancelled context succeeded")
	}
}

func testOrg(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		_, err := tx.Settings(ctx)
		wantErr(t, "settings before put", err, workflow.ErrNotFound)
		wantErr(t, "put settings", tx.PutSettings(ctx, workflow.Settings{Name: "局", Head: "h", PublicChats: []string{"c1"}, Version: 1}), nil)
		st, err := tx.Settings(ctx)
		wantErr(t, "settings", err, nil)
		if st.Head != "h" || !reflect.DeepEqual(st.PublicChats, []string{"c1"}) {
			t.Errorf("settings = %+v", st)
		}
		st.PublicChats[0] = "changed"
		if st2, _ := tx.Settings(ctx); st2.PublicChats[0] != "c1" {
			t.Errorf("settings share memory with the caller")
		}
		wantErr(t, "put unit b", tx.PutUnit(ctx, workflow.Unit{ID: "b", Leader: "l"}), nil)
		wantErr(t, "put unit a", tx.PutUnit(ctx, workflow.Unit{ID: "a"}), nil)
		us, _ := tx.Units(ctx)
		if len(us) != 2 || us[0].ID != "a" || us[0].Scheme != "" {
			t.Errorf("units = %+v", us)
		}
		if u, err := tx.Unit(ctx, "b"); err != nil || u.Leader != "l" {
			t.Errorf("unit b = %+v, %v", u, err)
		}
		_, err = tx.Unit(ctx, "zz")
		wantErr(t, "unknown unit", err, workflow.ErrNotFound)
		// A unit's scheme is kept, replaced and cleared with the unit.
		wantErr(t, "put unit c under s5", tx.PutUnit(ctx, workflow.Unit{ID: "c", Scheme: "s5"}), nil)
		if u, err := tx.Unit(ctx, "c"); err != nil || u.Scheme != "s5" {
			t.Errorf("unit c = %+v, %v; want scheme s5", u, err)
		}
		wantErr(t, "put unit c under s4-month", tx.PutUnit(ctx, workflow.Unit{ID: "c", Scheme: "s4-month"}), nil)
		if us, _ := tx.Units(ctx); len(us) != 3 || us[2].Scheme != "s4-month" || us[0].Scheme != "" {
			t.Errorf("units after a scheme change = %+v", us)
		}
		wantErr(t, "put unit c back to the default", tx.PutUnit(ctx, workflow.Unit{ID: "c"}), nil)
		if u, _ := tx.Unit(ctx, "c"); u.Scheme != "" {
			t.Errorf("unit c scheme = %q after clearing it", u.Scheme)
		}

		p := workflow.Person{ID: "p1", Name: "甲", Unit: "a", Absences: []workflow.Absence{{Kind: "病假", Start: calendar.NewDate(2026, 9, 1), End: calendar.NewDate(2026, 9, 2)}}}
		wantErr(t, "create", tx.CreatePerson(ctx, p), nil)
		wantErr(t, "create twice", tx.CreatePerson(ctx, p), workflow.ErrConflict)
		wantErr(t, "create p0", tx.CreatePerson(ctx, workflow.Person{ID: "p0"}), nil)
		got, err := tx.Person(ctx, "p1")
		if err != nil || got.Version != 1 || len(got.Absences) != 1 {
			t.Errorf("person = %+v, %v", got, err)
		}
		got.Name = "乙"
		got.Version = 3
		wantErr(t, "update skipping a version", tx.UpdatePerson(ctx, got), workflow.ErrStale)
		got.Version = 2
		wantErr(t, "update", tx.UpdatePerson(ctx, got), nil)
		wantErr(t, "update again with the same version", tx.UpdatePerson(ctx, got), workflow.ErrStale)
		wantErr(t, "update unknown", tx.UpdatePerson(ctx, workflow.Person{ID: "nobody", Version: 2}), workflow.ErrNotFound)
		ps, _ := tx.People(ctx)
		if len(ps) != 2 || ps[0].ID != "p0" || ps[1].Name != "乙" {
			t.Errorf("people = %+v", ps)
		}
		_, err = tx.Person(ctx, "nobody")
		wantErr(t, "unknown person", err, workflow.ErrNotFound)

		d := workflow.Delegation{ID: "d1", From: "l", To: "p1", Start: t0, End: t0.Add(time.Hour)}
		wantErr(t, "delegate", tx.CreateDelegation(ctx, d), nil)
		wantErr(t, "delegate twice", tx.CreateDelegation(ctx, d), workflow.ErrConflict)
		wantErr(t, "delegate d2", tx.CreateDelegation(ctx, workflow.Delegation{ID: "d2", From: "x", To: "y", Start: t0, End: t0.Add(time.Hour)}), nil)
		for _, who := range []string{"l", "p1"} {
			ds, _ := tx.Delegations(ctx, who)
			if len(ds) != 1 || ds[0].ID != "d1" || !ds[0].Start.Equal(t0) {
				t.Errorf("delegations(%s) = %+v", who, ds)
			}
		}
		if ds, _ := tx.Delegations(ctx, ""); len(ds) != 2 {
			t.Errorf("all delegations = %d, want 2", len(ds))
		}
		end := t0.Add(20 * time.Minute)
		wantErr(t, "end early", tx.EndDelegation(ctx, "d1", end), nil)
		wantErr(t, "end again at the same time", tx.EndDelegation(ctx, "d1", end), workflow.ErrStale)
		wantErr(t, "end later", tx.EndDelegation(ctx, "d1", end.Add(time.Minute)), workflow.ErrStale)
		wantErr(t, "end unknown", tx.EndDelegation(ctx, "nope", end), workflow.ErrNotFound)
		if ds, _ := tx.Delegations(ctx, "l"); len(ds) != 1 || !ds[0].End.Equal(end) || !ds[0].Start.Equal(t0) {
			t.Errorf("after EndDelegation: %+v, want end %s", ds, end)
		}
		return nil
	})
}

func testTargets(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		tg := workflow.Target{ID: "2026/p1/1", Person: "p1", Year: 2026, Title: "任务", State: workflow.TargetDraft}
		wantErr(t, "create", tx.CreateTarget(ctx, tg), nil)
		wantErr(t, "create twice", tx.CreateTarget(ctx, tg), workflow.ErrConflict)
		wantErr(t, "other year", tx.CreateTarget(ctx, workflow.Target{ID: "2025/p1/1", Person: "p1", Year: 2025}), nil)
		tg.Version, tg.State = 2, workflow.TargetApproved
		wantErr(t, "update", tx.UpdateTarget(ctx, tg), nil)
		wantErr(t, "stale update", tx.UpdateTarget(ctx, tg), workflow.ErrStale)
		wantErr(t, "unknown", tx.UpdateTarget(ctx, workflow.Target{ID: "x", Version: 2}), workflow.ErrNotFound)
		ts, _ := tx.Targets(ctx, "p1", 2026)
		if len(ts) != 1 || ts[0].State != workflow.TargetApproved {
			t.Errorf("targets = %+v", ts)
		}
		return nil
	})
	// Each level of the 认定 round-trips, as does a return and its reason
	// (kept through the revision that follows) and the 超额 mark.
	steps := []workflow.Target{
		{State: workflow.TargetReviewed, ReviewedBy: "l1"},
		{State: workflow.TargetReturned, ReviewedBy: "l1", ReturnedBy: "s1", ReturnLevel: workflow.TargetLevelApprove, ReturnReason: "数量不明确"},
		{State: workflow.TargetDraft, ReturnedBy: "s1", ReturnLevel: workflow.TargetLevelApprove, ReturnReason: "数量不明确", Title: "任务（改）"},
		{State: workflow.TargetApproved, ReviewedBy: "l1", ApprovedBy: "s1", ReturnedBy: "s1", ReturnLevel: workflow.TargetLevelApprove, ReturnReason: "数量不明确"},
		{State: workflow.TargetDone, ReviewedBy: "l1", ApprovedBy: "s1", Exceeded: true, DoneOn: calendar.NewDate(2026, 6, 1)},
	}
	in(t, s, func(tx workflow.Tx) error {
		base := workflow.Target{ID: "2026/p2/1", Person: "p2", Year: 2026, Title: "任务", Deadline: calendar.NewDate(2026, 6, 30), State: workflow.TargetDraft}
		wantErr(t, "create", tx.CreateTarget(ctx, base), nil)
		for i, st := range steps {
			g := st
			g.ID, g.Person, g.Year, g.Deadline, g.Version = base.ID, base.Person, base.Year, base.Deadline, i+2
			if g.Title == "" {
				g.Title = base.Title
			}
			wantErr(t, "update to "+g.State, tx.UpdateTarget(ctx, g), nil)
			ts, err := tx.Targets(ctx, "p2", 2026)
			wantErr(t, "targets", err, nil)
			if !reflect.DeepEqual(ts, []workflow.Target{g}) { // same() cannot encode the zero DoneOn
				t.Errorf("target %s: got %+v, want %+v", g.State, ts, g)
			}
		}
		return nil
	})
}

func testPeriods(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		q3 := workflow.Period{ID: "2026-Q3", Start: calendar.NewDate(2026, 7, 1), End: calendar.NewDate(2026, 9, 30), State: workflow.PeriodOpen,
			Decisions: []scoring.Decision{{Person: "p1", Grade: "好", Reason: "r"}}}
		q2 := workflow.Period{ID: "2026-Q2", Start: calendar.NewDate(2026, 4, 1), End: calendar.NewDate(2026, 6, 30), State: workflow.PeriodClosed}
		wantErr(t, "create q3", tx.CreatePeriod(ctx, q3), nil)
		wantErr(t, "create q2", tx.CreatePeriod(ctx, q2), nil)
		wantErr(t, "create twice", tx.CreatePeriod(ctx, q3), workflow.ErrConflict)
		ps, _ := tx.Periods(ctx)
		if len(ps) != 2 || ps[0].ID != "2026-Q2" {
			t.Errorf("periods not ordered by start: %+v", ps)
		}
		got, err := tx.Period(ctx, "2026-Q3")
		if err != nil || got.Version != 1 || len(got.Decisions) != 1 {
			t.Errorf("period = %+v, %v", got, err)
		}
		got.State, got.Version = workflow.PeriodCommittee, 2
		got.PublishedAt = t0
		got.Uniform = []scoring.UniformStat{{Kind: scoring.UniformUnit, Key: "u1", Count: 4, Crossed: []string{scoring.CrossedRange}}}
		if got.Statuses != nil {
			t.Errorf("a period not closed has states: %+v", got.Statuses)
		}
		got.Statuses = map[string]workflow.PersonStatus{"p1": {Investigation: true, Reason: "立案调查"}, "p2": {},
			"p3": {Sanction: "记过", SanctionStart: calendar.NewDate(2026, 1, 5), SanctionEnd: calendar.NewDate(2026, 12, 31), Reason: "处分决定"}}
		got.Overrides = []workflow.QuotaOverride{{Grade: "优秀", Scope: "unit", Key: "u1", Kind: workflow.OverrideCap, MaxCount: 5, Reason: "r", By: "c", At: t0}}
		wantErr(t, "update", tx.UpdatePeriod(ctx, got), nil)
		wantErr(t, "stale", tx.UpdatePeriod(ctx, got), workflow.ErrStale)
		_, err = tx.Period(ctx, "2026-Q1")
		wantErr(t, "unknown", err, workflow.ErrNotFound)
		wantErr(t, "update unknown", tx.UpdatePeriod(ctx, workflow.Period{ID: "x", Version: 2}), workflow.ErrNotFound)
		if g, _ := tx.Period(ctx, "2026-Q3"); !g.PublishedAt.Equal(t0) || g.State != workflow.PeriodCommittee ||
			len(g.Uniform) != 1 || g.Uniform[0].Key != "u1" ||
			len(g.Statuses) != 3 || !g.Statuses["p1"].Investigation || g.Statuses["p1"].Reason != "立案调查" ||
			g.Statuses["p3"].SanctionStart != calendar.NewDate(2026, 1, 5) || g.Statuses["p3"].SanctionEnd != calendar.NewDate(2026, 12, 31) ||
			len(g.Overrides) != 1 || g.Overrides[0].MaxCount != 5 || g.Overrides[0].Kind != workflow.OverrideCap || !g.Overrides[0].At.Equal(t0) {
			t.Errorf("updated period = %+v", g)
		}
		return nil
	})
}

func testEntries(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		k := workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "p1", Period: "2026-W40"}
		e := workflow.Entry{EntryKey: k, Cycle: "2026-Q3", State: workflow.EntrySubmitted, SubmittedAt: t0,
			Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "t", Progress: 50}}}}
		wantErr(t, "create", tx.CreateEntry(ctx, e), nil)
		wantErr(t, "create twice", tx.CreateEntry(ctx, e), workflow.ErrConflict)
		wantErr(t, "create other", tx.CreateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryMonthly, Person: "p1", Period: "2026-09"}, Cycle: "2026-Q3"}), nil)
		wantErr(t, "create other cycle", tx.CreateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "p2", Period: "2026-W41"}, Cycle: "2026-Q4"}), nil)
		got, err := tx.Entry(ctx, k)
		if err != nil || got.Version != 1 || len(got.Body.Tasks) != 1 || !got.SubmittedAt.Equal(t0) {
			t.Errorf("entry = %+v, %v", got, err)
		}
		got.Body.Tasks[0].Title = "changed"
		if g2, _ := tx.Entry(ctx, k); g2.Body.Tasks[0].Title != "t" {
			t.Errorf("entry shares memory with the caller")
		}
		got.State, got.Version = workflow.EntryReturned, 2
		wantErr(t, "update", tx.UpdateEntry(ctx, got), nil)
		wantErr(t, "stale", tx.UpdateEntry(ctx, got), workflow.ErrStale)
		wantErr(t, "update unknown", tx.UpdateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: "x"}, Version: 2}), workflow.ErrNotFound)
		_, err = tx.Entry(ctx, workflow.EntryKey{Kind: "x"})
		wantErr(t, "unknown", err, workflow.ErrNotFound)
		for _, c := range []struct {
			f    workflow.EntryFilter
			want int
		}{
			{workflow.EntryFilter{}, 3},
			{workflow.EntryFilter{Kind: workflow.EntryWeekly}, 2},
			{workflow.EntryFilter{Person: "p1"}, 2},
			{workflow.EntryFilter{Cycle: "2026-Q3"}, 2},
			{workflow.EntryFilter{Kind: workflow.EntryWeekly, Person: "p1", Cycle: "2026-Q3"}, 1},
		} {
			if es, _ := tx.Entries(ctx, c.f); len(es) != c.want {
				t.Errorf("Entries(%+v) = %d, want %d", c.f, len(es), c.want)
			}
		}
		return nil
	})
}

func newStep(id, assignee string, seq int) workflow.Step {
	sc := scoring.D("5")
	return workflow.Step{ID: id, Period: "2026-Q3", Person: "p1", Seq: seq, Assignee: assignee, State: workflow.StepPending,
		Assessment: workflow.Assessment{Indicators: map[string]scoring.Dec{"德": sc}}}
}

func testSteps(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		st := newStep("2026-Q3/p1/1", "l1", 1)
		wantErr(t, "create", tx.CreateStep(ctx, st), nil)
		wantErr(t, "create twice", tx.CreateStep(ctx, st), workflow.ErrConflict)
		wantErr(t, "create 2", tx.CreateStep(ctx, newStep("2026-Q3/p1/2", "l2", 2)), nil)
		got, err := tx.Step(ctx, st.ID)
		if err != nil || got.Version != 1 || got.Assessment.Indicators["德"].String() != "5" {
			t.Errorf("step = %+v, %v", got, err)
		}
		got.Assessment.Indicators["德"] = scoring.D("1")
		if g2, _ := tx.Step(ctx, st.ID); g2.Assessment.Indicators["德"].String() != "5" {
			t.Errorf("step shares memory with the caller")
		}
		next := got
		next.State, next.Version, next.ActedBy = workflow.StepApproved, 2, "l1"
		cases := []struct {
			name string
			s    workflow.Step
			in   []string
			want error
		}{
			{"ErrStale/not the assignee", next, []string{"x"}, workflow.ErrStale},
			{"ErrStale/old version", func() workflow.Step { s := next; s.Version = 3; return s }(), []string{"l1"}, workflow.ErrStale},
			{"ErrNotFound", func() workflow.Step { s := next; s.ID = "nope"; return s }(), nil, workflow.ErrNotFound},
			{"OK/delegate set", next, []string{"d", "l1"}, nil},
			{"ErrStale/already decided", func() workflow.Step { s := next; s.Version = 3; return s }(), []string{"l1"}, workflow.ErrStale},
		}
		for _, c := range cases {
			wantErr(t, c.name, tx.DecideStep(ctx, c.s, c.in), c.want)
		}
		// nil assigneeIn skips the assignee check (HR reassignment).
		s2, _ := tx.Step(ctx, "2026-Q3/p1/2")
		s2.Assignee, s2.Version = "l9", 2
		wantErr(t, "reassign", tx.DecideStep(ctx, s2, nil), nil)
		for _, c := range []struct {
			f    workflow.StepFilter
			want int
		}{
			{workflow.StepFilter{}, 2},
			{workflow.StepFilter{State: workflow.StepPending}, 1},
			{workflow.StepFilter{Assignee: "l9"}, 1},
			{workflow.StepFilter{Period: "2026-Q3", Person: "p1"}, 2},
			{workflow.StepFilter{Person: "p2"}, 0},
		} {
			if ss, _ := tx.Steps(ctx, c.f); len(ss) != c.want {
				t.Errorf("Steps(%+v) = %d, want %d", c.f, len(ss), c.want)
			}
		}
		if ss, _ := tx.Steps(ctx, workflow.StepFilter{}); ss[0].Seq != 1 || ss[1].Seq != 2 {
			t.Errorf("steps not ordered by seq")
		}
		return nil
	})
}

// testStepRace: many concurrent deciders on one step; exactly one wins
// (docs/reliability.md G8).
func testStepRace(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error { return tx.CreateStep(ctx, newStep("race", "l1", 1)) })
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(tx workflow.Tx) error {
				st, err := tx.Step(ctx, "race")
				if err != nil {
					return err
				}
				if st.State != workflow.StepPending {
					return workflow.ErrStale
				}
				st.Version++
				st.State = []string{workflow.StepApproved, workflow.StepReturned}[i%2]
				if err := tx.DecideStep(ctx, st, []string{"l1"}); err != nil {
					return err
				}
				_, err = tx.AppendAudit(ctx, workflow.AuditEntry{At: t0, Actor: "l1", Action: "step." + st.State, Object: "race"})
				return err
			})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, workflow.ErrStale) {
				t.Errorf("racer: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d deciders won, want exactly 1", wins)
	}
	in(t, s, func(tx workflow.Tx) error {
		as, _ := tx.Audit(ctx, 0, 0)
		if len(as) != 1 {
			t.Errorf("audit rows = %d, want 1", len(as))
		}
		return nil
	})
}

func testVotes(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		wantErr(t, "mark", tx.MarkVoted(ctx, "2026-Q3", "v2"), nil)
		wantErr(t, "mark v1", tx.MarkVoted(ctx, "2026-Q3", "v1"), nil)
		wantErr(t, "mark twice", tx.MarkVoted(ctx, "2026-Q3", "v1"), workflow.ErrConflict)
		wantErr(t, "other period", tx.MarkVoted(ctx, "2026-Q4", "v1"), nil)
		vs, _ := tx.Voters(ctx, "2026-Q3")
		if !reflect.DeepEqual(vs, []string{"v1", "v2"}) {
			t.Errorf("voters = %v", vs)
		}
		wantErr(t, "ballots", tx.AddBallots(ctx, []workflow.Ballot{
			{Period: "2026-Q3", Target: "b", Score: scoring.D("90")},
			{Period: "2026-Q3", Target: "a", Score: scoring.D("95")},
		}), nil)
		wantErr(t, "ballots 2", tx.AddBallots(ctx, []workflow.Ballot{
			{Period: "2026-Q3", Target: "a", Score: scoring.D("80")},
			{Period: "2026-Q4", Target: "a", Score: scoring.D("70")},
		}), nil)
		bs, _ := tx.Ballots(ctx, "2026-Q3")
		var got []string
		for _, b := range bs {
			got = append(got, b.Target+":"+b.Score.String())
		}
		// Sorted by target and score: the order of casting is gone.
		if want := []string{"a:80", "a:95", "b:90"}; !reflect.DeepEqual(got, want) {
			t.Errorf("ballots = %v, want %v", got, want)
		}
		if reflect.TypeOf(workflow.Ballot{}).NumField() != 3 {
			t.Errorf("Ballot grew a field; it must never carry the voter")
		}
		return nil
	})
}

func testYearRatings(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		if _, err := tx.YearRound(ctx, 2026); !errors.Is(err, workflow.ErrNotFound) {
			t.Errorf("round before opening: %v", err)
		}
		r := workflow.YearRound{Year: 2026, Due: calendar.NewDate(2027, time.January, 15), OpenedBy: "hr", OpenedAt: t0}
		wantErr(t, "open", tx.CreateYearRound(ctx, r), nil)
		wantErr(t, "open twice", tx.CreateYearRound(ctx, r), workflow.ErrConflict)
		got, err := tx.YearRound(ctx, 2026)
		if err != nil || got.Due != r.Due || got.OpenedBy != "hr" || !got.OpenedAt.Equal(t0) {
			t.Errorf("round = %+v, %v", got, err)
		}
		wantErr(t, "mark", tx.MarkYearRated(ctx, 2026, "v2"), nil)
		wantErr(t, "mark v1", tx.MarkYearRated(ctx, 2026, "v1"), nil)
		wantErr(t, "mark twice", tx.MarkYearRated(ctx, 2026, "v1"), workflow.ErrConflict)
		wantErr(t, "other year", tx.MarkYearRated(ctx, 2027, "v1"), nil)
		if vs, _ := tx.YearRaters(ctx, 2026); !reflect.DeepEqual(vs, []string{"v1", "v2"}) {
			t.Errorf("raters = %v", vs)
		}
		if vs, _ := tx.YearRaters(ctx, 2025); len(vs) != 0 {
			t.Errorf("raters of a year nobody rated = %v", vs)
		}
		wantErr(t, "ballots", tx.AddYearBallots(ctx, []workflow.YearBallot{
			{Year: 2026, Source: "superior", Target: "b", Score: scoring.D("90")},
			{Year: 2026, Source: "peers", Target: "b", Score: scoring.D("85.5")},
			{Year: 2026, Source: "excellent", Target: "a", Score: scoring.D("1")},
		}), nil)
		wantErr(t, "ballots 2", tx.AddYearBallots(ctx, []workflow.YearBallot{
			{Year: 2026, Source: "peers", Target: "b", Score: scoring.D("70")},
			{Year: 2026, Source: "excellent", Target: "a", Score: scoring.D("0")},
			{Year: 2027, Source: "peers", Target: "a", Score: scoring.D("60")},
		}), nil)
		bs, _ := tx.YearBallots(ctx, 2026)
		var got2 []string
		for _, b := range bs {
			if b.Year != 2026 {
				t.Errorf("ballot of year %d in 2026", b.Year)
			}
			got2 = append(got2, b.Source+"/"+b.Target+":"+b.Score.String())
		}
		// Sorted by source, target and score: the order of rating is gone.
		if want := []string{"excellent/a:0", "excellent/a:1", "peers/b:70", "peers/b:85.5", "superior/b:90"}; !reflect.DeepEqual(got2, want) {
			t.Errorf("year ballots = %v, want %v", got2, want)
		}
		if reflect.TypeOf(workflow.YearBallot{}).NumField() != 4 {
			t.Errorf("YearBallot grew a field; it must never carry the rater")
		}
		return nil
	})
}

func testResults(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		sc := scoring.D("91.5")
		r := workflow.Result{Period: "2026-Q3", Person: "p2", Score: &sc, Grade: "好", Explain: []string{"x"}, Version: 1}
		wantErr(t, "create", tx.PutResult(ctx, r), nil)
		wantErr(t, "create twice", tx.PutResult(ctx, r), workflow.ErrConflict)
		wantErr(t, "create p1", tx.PutResult(ctx, workflow.Result{Period: "2026-Q3", Person: "p1", Version: 1}), nil)
		got, err := tx.Result(ctx, "2026-Q3", "p2")
		if err != nil || got.Score.String() != "91.5" || got.Version != 1 {
			t.Errorf("result = %+v, %v", got, err)
		}
		got.Grade, got.Version = "较好", 2
		got.Feedback = &workflow.Feedback{By: "l", At: t0, Strengths: "s"}
		wantErr(t, "update", tx.PutResult(ctx, got), nil)
		wantErr(t, "stale", tx.PutResult(ctx, got), workflow.ErrStale)
		wantErr(t, "update unknown", tx.PutResult(ctx, workflow.Result{Period: "x", Person: "y", Version: 2}), workflow.ErrNotFound)
		rs, _ := tx.Results(ctx, "2026-Q3")
		if len(rs) != 2 || rs[0].Person != "p1" || rs[1].Feedback == nil || rs[1].Feedback.Strengths != "s" {
			t.Errorf("results = %+v", rs)
		}
		_, err = tx.Result(ctx, "2026-Q3", "zz")
		wantErr(t, "unknown", err, workflow.ErrNotFound)
		return nil
	})
}

func testReviews(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		r := workflow.Review{ID: "2026-Q3/p1", Period: "2026-Q3", Person: "p1", State: workflow.ReviewRequested, CreatedAt: t0}
		wantErr(t, "create", tx.CreateReview(ctx, r), nil)
		wantErr(t, "create twice", tx.CreateReview(ctx, r), workflow.ErrConflict)
		got, err := tx.Review(ctx, r.ID)
		if err != nil || got.Version != 1 {
			t.Errorf("review = %+v, %v", got, err)
		}
		got.State, got.Version = workflow.ReviewForwarded, 2
		wantErr(t, "update", tx.UpdateReview(ctx, got), nil)
		wantErr(t, "stale", tx.UpdateReview(ctx, got), workflow.ErrStale)
		wantErr(t, "unknown", tx.UpdateReview(ctx, workflow.Review{ID: "x", Version: 2}), workflow.ErrNotFound)
		_, err = tx.Review(ctx, "x")
		wantErr(t, "get unknown", err, workflow.ErrNotFound)
		if rs, _ := tx.Reviews(ctx, "2026-Q3"); len(rs) != 1 || rs[0].State != workflow.ReviewForwarded {
			t.Errorf("reviews = %+v", rs)
		}
		return nil
	})
}

func testAnnuals(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		wantErr(t, "put", tx.PutAnnual(ctx, workflow.AnnualResult{Year: 2026, Person: "p2", Grade: "称职"}), nil)
		wantErr(t, "put p1", tx.PutAnnual(ctx, workflow.AnnualResult{Year: 2026, Person: "p1", Grade: "称职"}), nil)
		wantErr(t, "replace", tx.PutAnnual(ctx, workflow.AnnualResult{Year: 2026, Person: "p1", Grade: "优秀"}), nil)
		wantErr(t, "other year", tx.PutAnnual(ctx, workflow.AnnualResult{Year: 2025, Person: "p1"}), nil)
		as, _ := tx.Annuals(ctx, 2026)
		if len(as) != 2 || as[0].Person != "p1" || as[0].Grade != "优秀" {
			t.Errorf("annuals = %+v", as)
		}
		return nil
	})
}

func testFires(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		f := workflow.Fire{ScheduleID: "2026-Q3/summary/due", SlotAt: t0, Outcome: workflow.FireFired, Sent: 3, FiredAt: t0}
		wantErr(t, "record", tx.RecordFire(ctx, f), nil)
		// The same instant in another location is the same slot.
		f2 := f
		f2.SlotAt = t0.In(time.FixedZone("CST", 8*3600))
		wantErr(t, "record same slot", tx.RecordFire(ctx, f2), workflow.ErrConflict)
		// The transaction stays usable after the conflict.
		wantErr(t, "next slot", tx.RecordFire(ctx, workflow.Fire{ScheduleID: f.ScheduleID, SlotAt: t0.Add(time.Minute), Outcome: workflow.FireMissed}), nil)
		got, err := tx.Fire(ctx, f.ScheduleID, f2.SlotAt)
		if err != nil || got.Sent != 3 || got.Outcome != workflow.FireFired {
			t.Errorf("fire = %+v, %v", got, err)
		}
		_, err = tx.Fire(ctx, "other", t0)
		wantErr(t, "unknown", err, workflow.ErrNotFound)
		return nil
	})
}

// testFireRace: replicas racing for one slot; exactly one writes its
// notifications (docs/reliability.md G1).
func testFireRace(t *testing.T, s workflow.Store) {
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InTx(ctx, func(tx workflow.Tx) error {
				if err := tx.RecordFire(ctx, workflow.Fire{ScheduleID: "s", SlotAt: t0, Outcome: workflow.FireFired}); errors.Is(err, workflow.ErrConflict) {
					return nil
				} else if err != nil {
					return err
				}
				_, err := tx.Enqueue(ctx, workflow.Notification{Key: fmt.Sprintf("k%d", i), To: "p", Template: "remind"})
				return err
			})
			if err != nil {
				t.Errorf("racer: %v", err)
			}
		}()
	}
	wg.Wait()
	in(t, s, func(tx workflow.Tx) error {
		ns, _ := tx.Outbox(ctx, "", 0, 0)
		if len(ns) != 1 {
			t.Errorf("%d notifications for one slot, want 1", len(ns))
		}
		return nil
	})
}

func testIdempotency(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		i := workflow.Idempotency{Source: "card", Key: "e1", Result: "stale", CreatedAt: t0}
		_, err := tx.Idempotency(ctx, "card", "e1")
		wantErr(t, "before", err, workflow.ErrNotFound)
		wantErr(t, "save", tx.SaveIdempotency(ctx, i), nil)
		wantErr(t, "save twice", tx.SaveIdempotency(ctx, i), workflow.ErrConflict)
		wantErr(t, "other source", tx.SaveIdempotency(ctx, workflow.Idempotency{Source: "event", Key: "e1"}), nil)
		got, err := tx.Idempotency(ctx, "card", "e1")
		if err != nil || got.Result != "stale" {
			t.Errorf("idempotency = %+v, %v", got, err)
		}
		return nil
	})
}

// testPublicity: 公示 messages are recorded once per period, group and
// grade (a second record of the same one is a conflict that leaves the
// first and the transaction usable), listed by period in chat and grade
// order, and no prune deletes them, however old.
func testPublicity(t *testing.T, s workflow.Store) {
	old := t0.Add(-30 * 24 * time.Hour)
	in(t, s, func(tx workflow.Tx) error {
		for _, m := range []workflow.PublicityMessage{
			{Period: "2026-Q3", Chat: "oc_b", Grade: "好", MessageID: "om_3", SentAt: old},
			{Period: "2026-Q3", Chat: "oc_a", Grade: "较好", MessageID: "om_2", SentAt: old},
			{Period: "2026-Q3", Chat: "oc_a", Grade: "好", MessageID: "om_1", SentAt: old},
			{Period: "2026-Q2", Chat: "oc_a", Grade: "好", MessageID: "om_0"},
		} {
			wantErr(t, "record "+m.MessageID, tx.RecordPublicity(ctx, m), nil)
		}
		wantErr(t, "record twice", tx.RecordPublicity(ctx, workflow.PublicityMessage{Period: "2026-Q3", Chat: "oc_a", Grade: "好",
			MessageID: "om_other", SentAt: t0}), workflow.ErrConflict)
		_, err := tx.PublicityMessages(ctx, "2026-Q3")
		wantErr(t, "list after a conflict", err, nil)
		return nil
	})
	in(t, s, func(tx workflow.Tx) error {
		_, err := tx.Prune(ctx, workflow.PruneBefore{Idempotency: t0, Sent: t0, Dead: t0}, 0)
		return err
	})
	in(t, s, func(tx workflow.Tx) error {
		got, err := tx.PublicityMessages(ctx, "2026-Q3")
		wantErr(t, "list", err, nil)
		same(t, "2026-Q3 publicity", got, []workflow.PublicityMessage{
			{Period: "2026-Q3", Chat: "oc_a", Grade: "好", MessageID: "om_1", SentAt: old},
			{Period: "2026-Q3", Chat: "oc_a", Grade: "较好", MessageID: "om_2", SentAt: old},
			{Period: "2026-Q3", Chat: "oc_b", Grade: "好", MessageID: "om_3", SentAt: old},
		})
		q2, err := tx.PublicityMessages(ctx, "2026-Q2")
		wantErr(t, "list Q2", err, nil)
		same(t, "2026-Q2 publicity (no time)", q2, []workflow.PublicityMessage{{Period: "2026-Q2", Chat: "oc_a", Grade: "好", MessageID: "om_0"}})
		none, err := tx.PublicityMessages(ctx, "2026-Q1")
		if err != nil || len(none) != 0 {
			t.Errorf("a period without 公示 = %+v, %v; want none", none, err)
		}
		return nil
	})
}

func testOutbox(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		var ids []int64
		for i := range 3 {
			id, err := tx.Enqueue(ctx, workflow.Notification{Key: fmt.Sprintf("k%d", i), To: "p", Template: "remind", Data: map[string]string{"i": fmt.Sprint(i)}, CreatedAt: t0})
			wantErr(t, "enqueue", err, nil)
			ids = append(ids, id)
		}
		if !(ids[0] < ids[1] && ids[1] < ids[2]) {
			t.Errorf("ids not increasing: %v", ids)
		}
		_, err := tx.Enqueue(ctx, workflow.Notification{Key: "k1", To: "q"})
		wantErr(t, "duplicate key", err, workflow.ErrConflict)
		ns, _ := tx.Outbox(ctx, workflow.NotePending, 0, 2)
		if len(ns) != 2 || ns[0].Key != "k0" || ns[0].State != workflow.NotePending || ns[0].Data["i"] != "0" {
			t.Errorf("outbox = %+v", ns)
		}
		wantErr(t, "mark", tx.MarkNotification(ctx, ids[0], workflow.NoteSent, t0), nil)
		wantErr(t, "mark unknown", tx.MarkNotification(ctx, 9999, workflow.NoteSent, t0), workflow.ErrNotFound)
		pending, _ := tx.Outbox(ctx, workflow.NotePending, 0, 0)
		if len(pending) != 2 {
			t.Errorf("pending = %d, want 2", len(pending))
		}
		after, _ := tx.Outbox(ctx, "", ids[0], 0)
		if len(after) != 2 || after[0].ID != ids[1] {
			t.Errorf("outbox after %d = %+v", ids[0], after)
		}
		sent, _ := tx.Outbox(ctx, workflow.NoteSent, 0, 0)
		if len(sent) != 1 || sent[0].Attempts != 1 {
			t.Errorf("sent = %+v", sent)
		}
		return nil
	})
}

// testOutboxStats: the monitor counts pending and dead notifications and
// dates the oldest pending one by when it was queued, not by its ID (a
// re-queued copy has a later ID but may be older than a row queued after
// its original); sent rows count nowhere, and an empty outbox has no age.
func testOutboxStats(t *testing.T, s workflow.Store) {
	mon, ok := s.(workflow.Monitor)
	if !ok {
		t.Fatalf("%T does not implement workflow.Monitor", s)
	}
	st, err := mon.OutboxStats(ctx)
	if err != nil || st != (workflow.OutboxStats{}) {
		t.Fatalf("empty outbox: %+v, %v", st, err)
	}
	older := t0.Add(-time.Hour)
	in(t, s, func(tx workflow.Tx) error {
		for i, at := range []time.Time{t0, older, t0.Add(time.Minute), t0, t0} {
			id, err := tx.Enqueue(ctx, workflow.Notification{Key: fmt.Sprintf("s%d", i), To: "p", Template: "remind", CreatedAt: at})
			if err != nil {
				return err
			}
			switch i {
			case 3:
				err = tx.MarkNotification(ctx, id, workflow.NoteSent, t0)
			case 4:
				err = tx.MarkNotification(ctx, id, workflow.NoteDead, t0)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	st, err = mon.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 3 || st.Dead != 1 || !st.OldestPending.Equal(older) {
		t.Errorf("stats = %+v, want 3 pending since %s and 1 dead", st, older)
	}
}

// testOutboxClaim: a claim takes due pending rows in ID order and leases
// them; a deferred row waits for its retry time; a lease that ran out (a
// relay killed mid-batch) frees the row for the next claim.
func testOutboxClaim(t *testing.T, s workflow.Store) {
	lease := 5 * time.Minute
	var ids []int64
	in(t, s, func(tx workflow.Tx) error {
		for i := range 4 {
			id, err := tx.Enqueue(ctx, workflow.Notification{Key: fmt.Sprintf("c%d", i), To: "p", Template: "remind", Data: map[string]string{"i": fmt.Sprint(i)}, CreatedAt: t0})
			wantErr(t, "enqueue", err, nil)
			ids = append(ids, id)
		}
		return nil
	})
	claim := func(now time.Time, limit int) []int64 {
		t.Helper()
		var got []int64
		in(t, s, func(tx workflow.Tx) error {
			ns, err := tx.ClaimOutbox(ctx, now, lease, limit)
			for _, n := range ns {
				got = append(got, n.ID)
				if !n.NotBefore.Equal(now.Add(lease)) || n.Data["i"] == "" {
					t.Errorf("claimed %+v: want NotBefore %v and its data", n, now.Add(lease))
				}
			}
			return err
		})
		return got
	}
	if got := claim(t0, 2); !reflect.DeepEqual(got, ids[:2]) {
		t.Errorf("first claim = %v, want %v", got, ids[:2])
	}
	if got := claim(t0, 0); !reflect.DeepEqual(got, ids[2:]) {
		t.Errorf("second claim = %v, want the unleased %v", got, ids[2:])
	}
	if got := claim(t0.Add(time.Minute), 0); len(got) != 0 {
		t.Errorf("claim inside the lease = %v, want none", got)
	}
	in(t, s, func(tx workflow.Tx) error {
		wantErr(t, "sent", tx.MarkNotification(ctx, ids[0], workflow.NoteSent, t0), nil)
		wantErr(t, "defer", tx.DeferNotification(ctx, ids[1], t0, t0.Add(lease+2*time.Minute)), nil)
		wantErr(t, "defer unknown", tx.DeferNotification(ctx, 9999, t0, t0), workflow.ErrNotFound)
		wantErr(t, "start unknown", tx.StartAttempt(ctx, 9999, t0), workflow.ErrNotFound)
		wantErr(t, "start a sent one", tx.StartAttempt(ctx, ids[0], t0), workflow.ErrStale)
		// Row 2's relay dies after its send began: the window starts then,
		// and a later start keeps the first time and counts no attempt.
		wantErr(t, "start", tx.StartAttempt(ctx, ids[2], t0.Add(time.Second)), nil)
		wantErr(t, "start again", tx.StartAttempt(ctx, ids[2], t0.Add(time.Minute)), nil)
		// Sent is final: a relay whose lease lapsed cannot put it back.
		wantErr(t, "defer a sent one", tx.DeferNotification(ctx, ids[0], t0, t0.Add(time.Hour)), workflow.ErrStale)
		wantErr(t, "dead after sent", tx.MarkNotification(ctx, ids[0], workflow.NoteDead, t0), workflow.ErrStale)
		wantErr(t, "sent again", tx.MarkNotification(ctx, ids[0], workflow.NoteSent, t0), nil)
		return nil
	})
	// After the lease: rows 2 and 3 (their relay died) come back; row 0 is
	// sent and row 1 waits for its retry time.
	if got := claim(t0.Add(lease), 0); !reflect.DeepEqual(got, ids[2:]) {
		t.Errorf("claim after the lease = %v, want %v", got, ids[2:])
	}
	if got := claim(t0.Add(lease+2*time.Minute), 0); !reflect.DeepEqual(got, ids[1:2]) {
		t.Errorf("claim at the retry time = %v, want %v", got, ids[1:2])
	}
	in(t, s, func(tx workflow.Tx) error {
		ns, _ := tx.Outbox(ctx, "", 0, 0)
		if ns[2].Attempts != 0 || !ns[2].FirstAttemptAt.Equal(t0.Add(time.Second)) {
			t.Errorf("started row = %+v, want no attempt counted, first tried at %v", ns[2], t0.Add(time.Second))
		}
		if ns[1].State != workflow.NotePending || ns[1].Attempts != 1 || !ns[1].FirstAttemptAt.Equal(t0) {
			t.Errorf("deferred row = %+v, want pending after 1 attempt, first tried at %v", ns[1], t0)
		}
		if !ns[3].FirstAttemptAt.IsZero() {
			t.Errorf("a row never tried has a first attempt: %+v", ns[3])
		}
		return nil
	})
}

// testOutboxClaimRace: relays claiming at the same time never get the same
// row, and together they get every row.
func testOutboxClaimRace(t *testing.T, s workflow.Store) {
	const rows, relays = 60, 4
	in(t, s, func(tx workflow.Tx) error {
		for i := range rows {
			if _, err := tx.Enqueue(ctx, workflow.Notification{Key: fmt.Sprintf("r%d", i), To: "p", Template: "remind", CreatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range relays {
		wg.Go(func() {
			for {
				var ns []workflow.Notification
				err := s.InTx(ctx, func(tx workflow.Tx) error {
					var err error
					ns, err = tx.ClaimOutbox(ctx, t0, time.Minute, 5)
					return err
				})
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				if len(ns) == 0 {
					return
				}
				mu.Lock()
				for _, n := range ns {
					seen[n.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != rows {
		t.Errorf("claimed %d distinct rows, want %d", len(seen), rows)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("row %d claimed %d times", id, c)
		}
	}
}

func testAudit(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		for i := range 5 {
			e, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: t0.Add(time.Duration(i) * time.Second), Actor: "a", Action: "x", Object: fmt.Sprint(i), Denied: i == 3})
			wantErr(t, "append", err, nil)
			if e.Seq != int64(i+1) || e.RowHash == "" {
				t.Errorf("appended %+v", e)
			}
		}
		rows, _ := tx.Audit(ctx, 0, 0)
		if err := workflow.VerifyAudit(nil, rows); err != nil {
			t.Errorf("VerifyAudit: %v", err)
		}
		page, _ := tx.Audit(ctx, 2, 2)
		if len(page) != 2 || page[0].Seq != 3 {
			t.Errorf("page = %+v", page)
		}
		if err := workflow.VerifyAudit(&rows[1], page); err != nil {
			t.Errorf("VerifyAudit(page): %v", err)
		}
		return nil
	})
}

// testAuditConcurrent: concurrent appends keep one unbroken chain.
func testAuditConcurrent(t *testing.T, s workflow.Store) {
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.InTx(ctx, func(tx workflow.Tx) error {
				_, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: t0, Actor: fmt.Sprint(i), Action: "x"})
				return err
			}); err != nil {
				t.Errorf("append: %v", err)
			}
		}()
	}
	wg.Wait()
	in(t, s, func(tx workflow.Tx) error {
		rows, _ := tx.Audit(ctx, 0, 0)
		if len(rows) != 20 {
			t.Errorf("rows = %d", len(rows))
		}
		if err := workflow.VerifyAudit(nil, rows); err != nil {
			t.Errorf("VerifyAudit: %v", err)
		}
		return nil
	})
}

// testAuditPrecision: the entry AppendAudit returns is the row Audit reads
// back, and it verifies, even when At has digits the store cannot keep
// (PostgreSQL keeps microseconds, so the store must seal what it stores).
func testAuditPrecision(t *testing.T, s workflow.Store) {
	var appended workflow.AuditEntry
	in(t, s, func(tx workflow.Tx) error {
		var err error
		appended, err = tx.AppendAudit(ctx, workflow.AuditEntry{At: t0.Add(123456789 * time.Nanosecond).In(time.FixedZone("CST", 8*3600)), Actor: "a", Action: "x"})
		return err
	})
	in(t, s, func(tx workflow.Tx) error {
		rows, err := tx.Audit(ctx, 0, 0)
		if err != nil || len(rows) != 1 {
			t.Fatalf("audit = %+v, %v", rows, err)
		}
		if rows[0] != appended {
			t.Errorf("stored row %+v differs from the appended %+v", rows[0], appended)
		}
		if rows[0].At.Location() != time.UTC {
			t.Errorf("audit At in %v, want UTC", rows[0].At.Location())
		}
		if err := workflow.VerifyAudit(nil, rows); err != nil {
			t.Errorf("VerifyAudit: %v", err)
		}
		return nil
	})
}

// same fails the test unless got and want encode to the same JSON: decimals
// by their digits, times as instants with their zone, nil and empty apart.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Errorf("%s: encode got %+v: %v", what, got, err)
		return
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Errorf("%s: encode want: %v", what, err)
		return
	}
	if string(g) != string(w) {
		t.Errorf("%s round trip:\n got %s\nwant %s", what, g, w)
	}
}

// testRoundTrip: every field of every stored type comes back as written.
// Times are UTC and whole microseconds (what every store keeps); decimals
// include long and trailing-zero ones, which must not pass through a float.
func testRoundTrip(t *testing.T, s workflow.Store) {
	at := t0.Add(1234567 * time.Microsecond)
	day := calendar.NewDate(2026, 10, 8)
	long := scoring.D("12345678901234567890.123456789")
	half := scoring.D("91.50")
	points := 7
	st := workflow.Settings{Name: "局", Head: "h", PublicChats: []string{"c1", "c2"}, Version: 3}
	unit := workflow.Unit{ID: "u", Name: "办公室", Leader: "l", Supervisor: "s", Scheme: "s5"}
	person := workflow.Person{ID: "p", Name: "甲", Unit: "u", AssessedBy: "u2", Group: "g", Tier: "正科", Frontline: true,
		HR: true, Committee: true, Assessed: true,
		Status: workflow.PersonStatus{Probation: true, Investigation: true, Sanction: "警告", SanctionStart: day, SanctionEnd: day.AddDays(180),
			Exempt: true, Reason: "r"},
		Absences:   []workflow.Absence{{Kind: "病假", Start: day, End: day.AddDays(2)}},
		VoteGroups: []string{"g2", "g3"}, Version: 1}
	deleg := workflow.Delegation{ID: "d", From: "l", To: "p", Start: at, End: at.Add(time.Hour)}
	target := workflow.Target{ID: "t", Person: "p", Year: 2026, Title: "任务", Quantity: "3", Deadline: day, Standard: "好",
		Lead: true, State: workflow.TargetDone, ApprovedBy: "l", DoneOn: day, Version: 1,
		ReviewedBy: "u", ReturnedBy: "s", ReturnLevel: workflow.TargetLevelApprove, ReturnReason: "理由", Exceeded: true}
	period := workflow.Period{ID: "2026-Q3", Kind: workflow.KindQuarter, Scheme: "s4", Start: day, End: day.AddDays(90), State: workflow.PeriodPublished,
		SummaryDue: day.AddDays(1), FilingDue: day.AddDays(2),
		Decisions:   []scoring.Decision{{Person: "p", Grade: "好", Reason: "r"}},
		Quotas:      []scoring.QuotaResult{{Grade: "好", Scope: "unit", Key: "u", Participants: 5, MaxCount: &points, Before: 3, After: 2, Demoted: []string{"x"}, Tied: []string{"y"}, Flags: []string{"f"}, Explain: "e"}},
		PublishedAt: at, PublicityEnd: day.AddDays(5), ReviewEnd: day.AddDays(10), FiledAt: at.Add(time.Minute), Version: 1}
	period.Uniform = []scoring.UniformStat{{Kind: scoring.UniformScorer, Key: "l", Label: "科长（办公室）", Count: 6, Mean: &half, Stdev: &half,
		Range: &half, TopGrade: "好", Graded: 6, Top: 5, TopPercent: &half, Crossed: []string{scoring.CrossedStdev, scoring.CrossedTopShare}}}
	period.Overrides = []workflow.QuotaOverride{
		{Grade: "优秀", Scope: "unit", Key: "u", Kind: workflow.OverrideCap, MaxCount: 5, Reason: "承担急难险重任务多", By: "c", At: at},
		{Grade: "A", Scope: "group", Key: "u/g", Kind: workflow.OverrideShortfall, Reason: "人数少", By: "c2", At: at.Add(time.Second)},
	}
	period.Outside = map[string]workflow.OutsideTally{
		"p": {Raters: 12, Mean: half, By: "hr", At: at},
		"q": {Raters: 1, Mean: scoring.D("87.35"), By: "hr2", At: at.Add(time.Second)},
	}
	entry := workflow.Entry{EntryKey: workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "p", Period: "2026-W40"}, Cycle: "2026-Q3",
		State: workflow.EntryCommented, Comment: "c", CommentBy: "l", Reason: "r", SubmittedAt: at, Version: 1,
		Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "t", Deadline: day, Progress: 50, Target: "t"}}, Summary: "s", Goals: "g",
			Completion: "c", Unfinished: []workflow.Unfinished{{Item: "i", Reason: "r"}}, Training: "tr", Log: "log",
			Presence: "leave", PresenceNote: "n", Leave: []scoring.LeaveInput{{Kind: "病假", Days: scoring.D("1.5")}}, Late: 1, Early: 2}}
	step := workflow.Step{ID: "2026-Q3/p/1", Period: "2026-Q3", Person: "p", Seq: 1, Index: 2, Role: workflow.RoleSupervisor, Name: "审定",
		Assignee: "l", State: workflow.StepPending, Due: day, Reason: "r", ActedBy: "l", ActedAt: at, Version: 1,
		Assessment: workflow.Assessment{Indicators: map[string]scoring.Dec{"德": scoring.D("5.5"), "能": long}, Score: &half, Grade: "好",
			Adjustments: []scoring.AdjustmentInput{{Event: "e", Kind: "bonus", Points: scoring.D("0.25"), Reason: "r"}},
			Direct:      &scoring.DirectInput{Grade: "top", Reason: "r"}, Refusal: &scoring.Refusal{Warned: "2026-07-10", Reason: "拒不填写"}, Comment: "c"}}
	result := workflow.Result{Period: "2026-Q3", Person: "p", Score: &long, ScoreGrade: "好", Grade: "较好", State: scoring.StateGraded,
		Flags: []string{"tie"}, Explain: []string{"a", "b"}, Version: 1,
		Feedback: &workflow.Feedback{By: "l", At: at, Strengths: "s", Problems: "p", Requests: "r"}}
	review := workflow.Review{ID: "2026-Q3/p", Period: "2026-Q3", Person: "p", Reason: "r", Materials: "m", State: workflow.ReviewChanged, Opinion: "o",
		OldGrade: "一般", NewGrade: "好", Decision: "d", DecidedBy: "c", CreatedAt: at, Version: 1}
	annual := workflow.AnnualResult{Year: 2026, Person: "p", Total: &half, Grade: "优秀", Explain: []string{"x"}}
	fire := workflow.Fire{ScheduleID: "s", SlotAt: at, Outcome: workflow.FireFired, Sent: 3, FiredAt: at.Add(time.Second)}
	idem := workflow.Idempotency{Source: "card", Key: "k", Result: "stale", CreatedAt: at}
	note := workflow.Notification{Key: "n", To: "oc_1", Chat: true, Template: "remind", Data: map[string]string{"a": "1", "b": "二"},
		CreatedAt: at, State: workflow.NotePending, UpdatedAt: at}
	in(t, s, func(tx workflow.Tx) error {
		for _, err := range []error{
			tx.PutSettings(ctx, st), tx.PutUnit(ctx, unit), tx.CreatePerson(ctx, person), tx.CreateDelegation(ctx, deleg),
			tx.CreateTarget(ctx, target), tx.CreatePeriod(ctx, period), tx.CreateEntry(ctx, entry), tx.CreateStep(ctx, step),
			tx.PutResult(ctx, result), tx.CreateReview(ctx, review), tx.PutAnnual(ctx, annual), tx.RecordFire(ctx, fire),
			tx.SaveIdempotency(ctx, idem),
			tx.AddBallots(ctx, []workflow.Ballot{{Period: "2026-Q3", Target: "p", Score: half}, {Period: "2026-Q3", Target: "p", Score: long}}),
		} {
			wantErr(t, "write", err, nil)
		}
		id, err := tx.Enqueue(ctx, note)
		wantErr(t, "enqueue", err, nil)
		note.ID = id
		return nil
	})
	in(t, s, func(tx workflow.Tx) error {
		g1, err := tx.Settings(ctx)
		wantErr(t, "settings", err, nil)
		same(t, "settings", g1, st)
		g2, err := tx.Unit(ctx, unit.ID)
		wantErr(t, "unit", err, nil)
		same(t, "unit", g2, unit)
		g3, err := tx.Person(ctx, person.ID)
		wantErr(t, "person", err, nil)
		same(t, "person", g3, person)
		g4, err := tx.Delegations(ctx, "")
		wantErr(t, "delegations", err, nil)
		same(t, "delegations", g4, []workflow.Delegation{deleg})
		g5, err := tx.Targets(ctx, "p", 2026)
		wantErr(t, "targets", err, nil)
		same(t, "targets", g5, []workflow.Target{target})
		g6, err := tx.Period(ctx, period.ID)
		wantErr(t, "period", err, nil)
		same(t, "period", g6, period)
		g7, err := tx.Entry(ctx, entry.EntryKey)
		wantErr(t, "entry", err, nil)
		same(t, "entry", g7, entry)
		g8, err := tx.Step(ctx, step.ID)
		wantErr(t, "step", err, nil)
		same(t, "step", g8, step)
		g9, err := tx.Result(ctx, "2026-Q3", "p")
		wantErr(t, "result", err, nil)
		same(t, "result", g9, result)
		if g9.Score == nil || g9.Score.String() != long.String() || !g9.Score.Equal(long.Decimal) {
			t.Errorf("result score = %v, want exactly %v", g9.Score, long)
		}
		g10, err := tx.Review(ctx, review.ID)
		wantErr(t, "review", err, nil)
		same(t, "review", g10, review)
		g11, err := tx.Annuals(ctx, 2026)
		wantErr(t, "annuals", err, nil)
		same(t, "annuals", g11, []workflow.AnnualResult{annual})
		if len(g11) == 1 && (g11[0].Total == nil || g11[0].Total.StringFixed(2) != "91.50") {
			t.Errorf("annual total = %v, want 91.50", g11[0].Total)
		}
		g12, err := tx.Fire(ctx, fire.ScheduleID, fire.SlotAt)
		wantErr(t, "fire", err, nil)
		same(t, "fire", g12, fire)
		g13, err := tx.Idempotency(ctx, idem.Source, idem.Key)
		wantErr(t, "idempotency", err, nil)
		same(t, "idempotency", g13, idem)
		g14, err := tx.Outbox(ctx, "", 0, 0)
		wantErr(t, "outbox", err, nil)
		same(t, "outbox", g14, []workflow.Notification{note})
		g15, err := tx.Ballots(ctx, "2026-Q3")
		wantErr(t, "ballots", err, nil)
		same(t, "ballots", g15, []workflow.Ballot{{Period: "2026-Q3", Target: "p", Score: half}, {Period: "2026-Q3", Target: "p", Score: long}})
		return nil
	})
}

// testZeroValues: unset fields (zero times and dates, nil slices, maps and
// pointers) come back unset, not as some stored stand-in.
func testZeroValues(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error {
		wantErr(t, "person", tx.CreatePerson(ctx, workflow.Person{ID: "p"}), nil)
		wantErr(t, "period", tx.CreatePeriod(ctx, workflow.Period{ID: "q"}), nil)
		wantErr(t, "entry", tx.CreateEntry(ctx, workflow.Entry{EntryKey: workflow.EntryKey{Kind: "k", Person: "p", Period: "w"},
			Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "no deadline"}}}}), nil)
		wantErr(t, "step", tx.CreateStep(ctx, workflow.Step{ID: "s"}), nil)
		wantErr(t, "result", tx.PutResult(ctx, workflow.Result{Period: "q", Person: "p", Version: 1}), nil)
		wantErr(t, "annual", tx.PutAnnual(ctx, workflow.AnnualResult{Year: 2026, Person: "p"}), nil)
		_, err := tx.Enqueue(ctx, workflow.Notification{Key: "n"})
		wantErr(t, "enqueue", err, nil)
		return nil
	})
	in(t, s, func(tx workflow.Tx) error {
		if p, err := tx.Person(ctx, "p"); err != nil || !reflect.DeepEqual(p, workflow.Person{ID: "p", Version: 1}) {
			t.Errorf("person = %+v, %v", p, err)
		}
		if p, err := tx.Period(ctx, "q"); err != nil || !reflect.DeepEqual(p, workflow.Period{ID: "q", Version: 1}) {
			t.Errorf("period = %+v, %v", p, err)
		}
		e, err := tx.Entry(ctx, workflow.EntryKey{Kind: "k", Person: "p", Period: "w"})
		if err != nil || !e.SubmittedAt.IsZero() || len(e.Body.Tasks) != 1 || !e.Body.Tasks[0].Deadline.IsZero() {
			t.Errorf("entry = %+v, %v", e, err)
		}
		st, err := tx.Step(ctx, "s")
		if err != nil || !st.ActedAt.IsZero() || !st.Due.IsZero() || st.Assessment.Score != nil || st.Assessment.Direct != nil {
			t.Errorf("step = %+v, %v", st, err)
		}
		if r, err := tx.Result(ctx, "q", "p"); err != nil || !reflect.DeepEqual(r, workflow.Result{Period: "q", Person: "p", Version: 1}) {
			t.Errorf("result = %+v, %v", r, err)
		}
		if as, err := tx.Annuals(ctx, 2026); err != nil || len(as) != 1 || !reflect.DeepEqual(as[0], workflow.AnnualResult{Year: 2026, Person: "p"}) {
			t.Errorf("annuals = %+v, %v", as, err)
		}
		ns, err := tx.Outbox(ctx, "", 0, 0)
		if err != nil || len(ns) != 1 || ns[0].Data != nil || !ns[0].CreatedAt.IsZero() || !ns[0].NotBefore.IsZero() {
			t.Errorf("outbox = %+v, %v", ns, err)
		}
		return nil
	})
}

// testUpdateRace: compare-and-sets racing on one version, each in its own
// transaction: exactly one wins, every other gets ErrStale and nothing
// else (a store's internal conflicts, such as PostgreSQL's serialization
// failures, are retried and never reach the caller).
func testUpdateRace(t *testing.T, s workflow.Store) {
	in(t, s, func(tx workflow.Tx) error { return tx.CreatePerson(ctx, workflow.Person{ID: "p", Name: "v1"}) })
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range n {
		wg.Go(func() {
			err := s.InTx(ctx, func(tx workflow.Tx) error {
				return tx.UpdatePerson(ctx, workflow.Person{ID: "p", Name: fmt.Sprintf("racer %d", i), Version: 2})
			})
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !errors.Is(err, workflow.ErrStale):
				t.Errorf("racer %d: %v, want nil or ErrStale", i, err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d compare-and-sets won, want exactly 1", wins)
	}
}

// testWriteSkew: transactions that each read everyone and write only
// themselves ("make me HR unless someone is") must behave as if run one
// at a time: exactly one person ends up HR.
func testWriteSkew(t *testing.T, s workflow.Store) {
	const n = 6
	in(t, s, func(tx workflow.Tx) error {
		for i := range n {
			if err := tx.CreatePerson(ctx, workflow.Person{ID: fmt.Sprintf("p%d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.InTx(ctx, func(tx workflow.Tx) error {
				ps, err := tx.People(ctx)
				if err != nil {
					return err
				}
				for _, p := range ps {
					if p.HR {
						return nil
					}
				}
				me := ps[i]
				me.HR, me.Version = true, me.Version+1
				return tx.UpdatePerson(ctx, me)
			})
			if err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	in(t, s, func(tx workflow.Tx) error {
		ps, _ := tx.People(ctx)
		hr := 0
		for _, p := range ps {
			if p.HR {
				hr++
			}
		}
		if hr != 1 {
			t.Errorf("%d people are HR, want exactly 1 (a write skew slipped through)", hr)
		}
		return nil
	})
}

// testVoteRace: voters casting at once, as Service.Vote does (mark, then
// ballots): every vote counts once, and a voter voting twice at once
// counts once.
func testVoteRace(t *testing.T, s workflow.Store) {
	const voters = 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for i := range voters + 1 {
		voter := fmt.Sprintf("v%d", min(i, voters-1)) // the last voter votes twice
		wg.Go(func() {
			err := s.InTx(ctx, func(tx workflow.Tx) error {
				if err := tx.MarkVoted(ctx, "2026-Q3", voter); err != nil {
					return err
				}
				return tx.AddBallots(ctx, []workflow.Ballot{
					{Period: "2026-Q3", Target: "a", Score: scoring.IntDec(int64(80 + i))},
					{Period: "2026-Q3", Target: "b", Score: scoring.IntDec(int64(90 - i))},
				})
			})
			switch {
			case errors.Is(err, workflow.ErrConflict):
				mu.Lock()
				conflicts++
				mu.Unlock()
			case err != nil:
				t.Errorf("voter %s: %v", voter, err)
			}
		})
	}
	wg.Wait()
	if conflicts != 1 {
		t.Errorf("%d votes refused, want 1 (the second vote of one voter)", conflicts)
	}
	in(t, s, func(tx workflow.Tx) error {
		vs, _ := tx.Voters(ctx, "2026-Q3")
		bs, _ := tx.Ballots(ctx, "2026-Q3")
		if len(vs) != voters || len(bs) != 2*voters {
			t.Errorf("%d voters and %d ballots, want %d and %d", len(vs), len(bs), voters, 2*voters)
		}
		for i := 1; i < len(bs); i++ {
			if a, b := bs[i-1], bs[i]; a.Target > b.Target || (a.Target == b.Target && a.Score.GreaterThan(b.Score.Decimal)) {
				t.Errorf("ballots not sorted by target and score: %v before %v", a, b)
			}
		}
		return nil
	})
}
