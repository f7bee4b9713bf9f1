package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// orgFile is the bootstrap file of Config.Org: the organisation a fresh
// server starts with, loaded by HR (workflow.Service.Setup) and with the
// listed appraisal periods opened.
//
//	{"hr": "ou_hr",
//	 "settings": {"name": "XX局", "head": "ou_head", "public_chats": ["oc_…"]},
//	 "units": [{"id": "u1", "name": "办公室", "leader": "ou_l1", "supervisor": "ou_s1"}],
//	 "people": [{"id": "ou_hr", "name": "李", "hr": true}, {"id": "ou_e1", "name": "孙一", "unit": "u1", "assessed": true}],
//	 "periods": ["2026-Q4"]}
type orgFile struct {
	// HR is the open_id of the HR person who performs the setup; they must
	// be in people with "hr": true.
	HR       string      `json:"hr"`
	Settings orgSettings `json:"settings"`
	Units    []orgUnit   `json:"units"`
	People   []orgPerson `json:"people"`
	// Periods are appraisal periods (2026-Q4, 2026-M11 …) to open.
	Periods []string `json:"periods"`
}

type orgSettings struct {
	Name        string   `json:"name"`
	Head        string   `json:"head"`
	PublicChats []string `json:"public_chats"`
}

type orgUnit struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Leader     string `json:"leader"`
	Supervisor string `json:"supervisor"`
}

type orgPerson struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Unit       string `json:"unit"`
	AssessedBy string `json:"assessed_by"`
	Group      string `json:"group"`
	Tier       string `json:"tier"`
	Frontline  bool   `json:"frontline"`
	HR         bool   `json:"hr"`
	Committee  bool   `json:"committee"`
	Assessed   bool   `json:"assessed"`
}

func toPerson(p orgPerson) workflow.Person {
	return workflow.Person{ID: p.ID, Name: p.Name, Unit: p.Unit, AssessedBy: p.AssessedBy, Group: p.Group, Tier: p.Tier,
		Frontline: p.Frontline, HR: p.HR, Committee: p.Committee, Assessed: p.Assessed}
}

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
		if has, _ := seeded(); has {
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
	var f orgFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return &ConfigError{Field: "org", Env: "KAOHE_ORG", Msg: fmt.Sprintf("%s: %v", path, err)}
	}
	if f.HR == "" {
		return &ConfigError{Field: "org", Env: "KAOHE_ORG", Msg: path + ": hr: required (the open_id of an HR person in people)"}
	}
	units := make([]workflow.Unit, 0, len(f.Units))
	for _, u := range f.Units {
		units = append(units, workflow.Unit{ID: u.ID, Name: u.Name, Leader: u.Leader, Supervisor: u.Supervisor})
	}
	people := make([]workflow.Person, 0, len(f.People))
	for _, p := range f.People {
		people = append(people, toPerson(p))
	}
	st := workflow.Settings{Name: f.Settings.Name, Head: f.Settings.Head, PublicChats: f.Settings.PublicChats}
	if err := svc.Setup(ctx, f.HR, st, units, people); err != nil {
		return fmt.Errorf("org %s: setup: %w", path, err)
	}
	for i, id := range f.Periods {
		if _, err := svc.OpenPeriod(ctx, f.HR, id); err != nil {
			return fmt.Errorf("org %s: periods[%d] %s: %w", path, i, id, err)
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
	if _, err := svc.OpenPeriod(ctx, benchHR, q); err != nil {
		return fmt.Errorf("open %s: %w", q, err)
	}
	return nil
}
