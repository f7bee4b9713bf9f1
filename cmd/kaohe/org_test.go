package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestSeedOrg covers the bootstrap file's outcomes. A period that Setup's
// commit leaves unopened must fail the start: before, seedOnce saw the
// organisation in the store, took it for another replica's and started
// without the period, and a restart never loaded the file again.
func TestSeedOrg(t *testing.T) {
	t.Parallel()
	const people = `"people":[{"id":"ou_hr","name":"李","hr":true},{"id":"ou_l","name":"钱","unit":"u1"}]`
	tests := []struct {
		name       string
		file       string
		wantErr    string // a part of the error; "" for success
		wantConfig bool   // a *ConfigError: refused before anything is written
		wantSeeded bool   // the store has an organisation afterwards
	}{
		{name: "OK", file: `{"hr":"ou_hr","units":[{"id":"u1","name":"办公室","leader":"ou_l"}],` + people + `,"periods":["2026-Q4"]}`,
			wantSeeded: true},
		{name: "ErrPeriodKind", file: `{"hr":"ou_hr","units":[{"id":"u1","name":"办公室"}],` + people + `,"periods":["2026-09"]}`,
			wantErr: "periods[0] 2026-09", wantSeeded: true},
		{name: "ErrBadPeriod", file: `{"hr":"ou_hr","units":[{"id":"u1"}],` + people + `,"periods":["2026-Q5"]}`,
			wantErr: "periods[0]", wantConfig: true},
		{name: "ErrUnitTwice", file: `{"hr":"ou_hr","units":[{"id":"u1"},{"id":"u1","leader":"ou_l"}],` + people + `}`,
			wantErr: "重复：u1"},
		{name: "ErrNoHR", file: `{"units":[]}`, wantErr: "hr: required", wantConfig: true},
	}
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := memory.New()
			svc, err := workflow.New(workflow.Config{Store: store, Scheme: sc, Calendar: calendar.Default(),
				Clock: clock.NewFake(time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))})
			if err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, "org.json", tt.file)
			err = seedOrg(ctx, svc, store, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("seedOrg: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			var ce *ConfigError
			if errors.As(err, &ce) != tt.wantConfig {
				t.Errorf("err = %v: ConfigError %v, want %v", err, !tt.wantConfig, tt.wantConfig)
			}
			seeded := store.InTx(ctx, func(tx workflow.Tx) error { _, err := tx.Settings(ctx); return err }) == nil
			if seeded != tt.wantSeeded {
				t.Errorf("store seeded = %v, want %v", seeded, tt.wantSeeded)
			}
		})
	}
}
