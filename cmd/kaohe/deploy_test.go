package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestDeployExamples: the sample configuration and organisation in deploy/
// load and validate, so the documented files stay correct.
func TestDeployExamples(t *testing.T) {
	t.Parallel()
	env := map[string]string{"KAOHE_APP_SECRET": "s3cret", "KAOHE_ORG": "../../deploy/org.example.json",
		"KAOHE_DATABASE_URL": "postgres://kaohe_serve@db:5432/kaohe?sslmode=disable"}
	cfg, err := LoadConfig([]string{"--config", "../../deploy/kaohe.example.yaml"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if cfg.Callback != CallbackLong || cfg.Scheme != "s4" || cfg.Storage != StoragePostgres || cfg.RedisURL == "" {
		t.Errorf("example config = %+v", cfg)
	}
	sc, err := scoring.Builtin(cfg.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.Default()
	dl, err := cfg.deadlines(cal)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := workflow.New(workflow.Config{Store: memory.New(), Clock: clock.NewFake(time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation())),
		Calendar: cal, Scheme: sc, Deadlines: dl})
	if err != nil {
		t.Fatal(err)
	}
	if err := loadOrg(context.Background(), svc, cfg.Org); err != nil {
		t.Fatalf("example org: %v", err)
	}
	// The configured rule sets the opened period's 备案 date: 15 working
	// days after 31 December 2026.
	p, err := svc.Period(context.Background(), "2026-Q4")
	if err != nil {
		t.Fatal(err)
	}
	if want := cal.AddWorkdays(calendar.NewDate(2026, 12, 31), 15); p.FilingDue != want {
		t.Errorf("filing due %s, want %s", p.FilingDue, want)
	}
}

func TestDeadlineConfigErrors(t *testing.T) {
	t.Parallel()
	env := map[string]string{"KAOHE_APP_ID": "cli_x", "KAOHE_APP_SECRET": "s", "KAOHE_DEADLINE_FILING": "soon", "KAOHE_STORAGE": "memory"}
	_, err := LoadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "deadline_filing" || ce.Env != "KAOHE_DEADLINE_FILING" {
		t.Fatalf("err = %v, want a ConfigError naming deadline_filing", err)
	}
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer bad.Close()
	if _, _, err := runCmd(t, "", "healthcheck", ok.URL); err != nil {
		t.Errorf("healthy: %v", err)
	}
	if _, _, err := runCmd(t, "", "healthcheck", bad.URL); err == nil {
		t.Error("503 passed the health check")
	}
}
