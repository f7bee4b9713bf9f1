package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kaohe/kaohe/cmd/kaohe/orgfile"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// orgFile is the bootstrap file of Config.Org: the organisation a fresh
// server starts with, loaded by HR (workflow.Service.Setup) and with the
// listed appraisal periods opened. Its format and checks are package
// orgfile's, so that they are fuzzed at full speed.
type orgFile = orgfile.File

// afterSetup marks a load that failed after its own Setup committed: the
// organisation now in the store is this load's, so seedOnce reports the
// failure instead of taking it for another replica's seeding.
type afterSetup struct{ err error }

func (e afterSetup) Error() string { return e.err.Error() }
func (e afterSetup) Unwrap() error { return e.err }

// seedOrg loads the bootstrap file into a store that has no organisation
// yet. A store that has one — after a restart, or because another replica
// starting at the same time seeded it first — keeps it: the file seeds a
// database once and never reloads or duplicates it. Changes after that
// come from HR (同步通讯录).
func seedOrg(ctx context.Context, svc *workflow.Service, st workflow.Store, path string, log *slog.Logger) error {
	return seedOnce(ctx, st, log, "org file "+path, func() error { return loadOrg(ctx, svc, path) })
}

// seedOnce runs load unless the store already has an organisation, and
// treats a load that fails because another replica seeded first as done.
func seedOnce(ctx context.Context, st workflow.Store, log *slog.Logger, what string, load func() error) error {
	seeded := func() (bool, error) {
		err := st.InTx(ctx, func(tx workflow.Tx) error {
			_, err := tx.Settings(ctx)
			return err
		})
		if errors.Is(err, workflow.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	has, err := seeded()
	if err != nil {
		return fmt.Errorf("read organisation: %w", err)
	}
	if has {
		log.Info("organisation already in the store; not loaded again", "from", what)
		return nil
	}
	if err := load(); err != nil {
		var own afterSetup
		if has, _ := seeded(); has && !errors.As(err, &own) {
			log.Info("another replica seeded the organisation first", "from", what)
			return nil
		}
		return err
	}
	log.Info("organisation loaded", "from", what)
	return nil
}

// loadOrg reads the bootstrap file and loads it into the (empty) store.
func loadOrg(ctx context.Context, svc *workflow.Service, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &ConfigError{Field: "org", Env: "KAOHE_ORG", Msg: err.Error()}
	}
	f, err := orgfile.Parse(data)
	if err != nil {
		return &ConfigError{Field: "org", Env: "KAOHE_ORG", Msg: path + ": " + err.Error()}
	}
	st, units, people := f.Org()
	if err := svc.Setup(ctx, f.HR, st, units, people); err != nil {
		return fmt.Errorf("org %s: setup: %w", path, err)
	}
	for i, id := range f.Periods {
		// ErrConflict is a period already open: a replica's scheduler opens
		// the current one by itself as soon as Setup has committed people
		// to appraise.
		if _, err := svc.OpenPeriod(ctx, f.HR, id); err != nil && !errors.Is(err, workflow.ErrConflict) {
			return afterSetup{fmt.Errorf("org %s: periods[%d] %s: %w", path, i, id, err)}
		}
	}
	return nil
}

// Benchmark organisation ids: people BenchPerson(i) for i in [0, n), in
// units of benchUnitSize, each unit led by a leader who is not assessed.
const (
	benchHR       = "ou_bench_hr"
	benchHead     = "ou_bench_head"
	benchSuper    = "ou_bench_super"
	benchUnitSize = 50
)

// BenchPerson is the open_id of the i-th assessed person of the benchmark
// organisation; the load generator uses the same names.
func BenchPerson(i int) string { return fmt.Sprintf("ou_bench_%06d", i) }

// loadBenchFixture sets up n assessed people and opens the quarter that
// contains now, so every weekly record of a week that has started can be
// submitted once per person.
func loadBenchFixture(ctx context.Context, svc *workflow.Service, cal *calendar.Calendar, now time.Time, n int) error {
	people := []workflow.Person{
		{ID: benchHR, Name: "政工科", HR: true, Committee: true},
		{ID: benchHead, Name: "局长", Committee: true},
		{ID: benchSuper, Name: "分管领导"},
	}
	var units []workflow.Unit
	for i := 0; i < n; i++ {
		if i%benchUnitSize == 0 {
			u := fmt.Sprintf("bu%04d", i/benchUnitSize)
			leader := "ou_bench_leader_" + u
			units = append(units, workflow.Unit{ID: u, Name: "科室" + u, Leader: leader, Supervisor: benchSuper})
			people = append(people, workflow.Person{ID: leader, Name: "科长" + u, Unit: u})
		}
		u := fmt.Sprintf("bu%04d", i/benchUnitSize)
		people = append(people, workflow.Person{ID: BenchPerson(i), Name: fmt.Sprintf("职工%06d", i), Unit: u, Group: u, Assessed: true})
	}
	if err := svc.Setup(ctx, benchHR, workflow.Settings{Name: "压测局", Head: benchHead}, units, people); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	q := calendar.PeriodContaining(calendar.Quarter, cal.Date(now)).String()
	if _, err := svc.OpenPeriod(ctx, benchHR, q); err != nil && !errors.Is(err, workflow.ErrConflict) {
		return afterSetup{fmt.Errorf("open %s: %w", q, err)}
	}
	return nil
}
