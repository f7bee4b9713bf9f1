package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/postgres"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestExportCLI writes filing forms from PostgreSQL as an operator would
// and opens them again: the S4 register of a quarter, the year's summary
// given the quarter, and the refusals of a wrong command line.
//
// Not parallel: one case writes to the working directory (t.Chdir).
func TestExportCLI(t *testing.T) {
	dbURL, _ := testDatabaseURL(t)
	if out, _, err := runCmd(t, "", "migrate", "up", "--database-url", dbURL); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cp := calendar.MustParsePeriod("2026-Q3")
	err = st.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.PutSettings(ctx, workflow.Settings{Name: "县财政局", Head: "head"}); err != nil {
			return err
		}
		if err := tx.PutUnit(ctx, workflow.Unit{ID: "u1", Name: "办公室", Leader: "l1", Supervisor: "head"}); err != nil {
			return err
		}
		for _, p := range []workflow.Person{{ID: "head", Name: "局长"}, {ID: "l1", Name: "科长", Unit: "u1"},
			{ID: "e1", Name: "王晓明", Unit: "u1", Assessed: true}, {ID: "e2", Name: "李芳", Unit: "u1", Assessed: true}} {
			p.Version = 1
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
		}
		if err := tx.CreatePeriod(ctx, workflow.Period{ID: "2026-Q3", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodClosed, Version: 1}); err != nil {
			return err
		}
		for id, g := range map[string]string{"e1": "好", "e2": "较好"} {
			if err := tx.PutResult(ctx, workflow.Result{Period: "2026-Q3", Person: id, Grade: g, State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	open := func(t *testing.T, path string) *excelize.File {
		t.Helper()
		x, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		t.Cleanup(func() { _ = x.Close() })
		return x
	}

	t.Run("register", func(t *testing.T) {
		out := filepath.Join(dir, "reg.xlsx")
		_, stderr, err := runCmd(t, "", "export", "--database-url", dbURL, "--period", "2026-q3", "--table", "s4-register", "--out", out)
		if err != nil || !strings.Contains(stderr, "2 people") {
			t.Fatalf("export: %v %s", err, stderr)
		}
		x := open(t, out)
		if got, _ := x.GetCellValue("办公室", "C4"); got != "王晓明" {
			t.Errorf("C4 = %q", got)
		}
		if got, _ := x.GetCellValue("办公室", "C17"); got != "李芳" {
			t.Errorf("second form's C4 (C17) = %q", got)
		}
	})
	t.Run("summary of the quarter's year, named by itself", func(t *testing.T) {
		t.Chdir(dir)
		if _, stderr, err := runCmd(t, "", "export", "--database-url", dbURL, "--period", "2026-Q3", "--table", "汇总表"); err != nil {
			t.Fatalf("export: %v %s", err, stderr)
		}
		x := open(t, filepath.Join(dir, "2026年度公务员平时考核结果汇总表.xlsx"))
		if got, _ := x.GetCellValue("汇总表", "D8"); got != "王晓明" {
			t.Errorf("Q3 好 = %q", got)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, args := range [][]string{
			{"export", "--database-url", dbURL, "--table", "s4-register"},
			{"export", "--database-url", dbURL, "--period", "2026-Q3", "--table", "nope"},
			{"export", "--database-url", dbURL, "--period", "2026", "--table", "s4-register"},
			{"export", "--period", "2026-Q3", "--table", "s4-register"},
		} {
			if _, _, err := runCmd(t, "", args...); exitCode(err) != 2 {
				t.Errorf("%v: %v, want a usage error", args, err)
			}
		}
		if _, _, err := runCmd(t, "", "export", "--database-url", dbURL, "--period", "2026-Q1", "--table", "publicity"); err == nil ||
			!strings.Contains(err.Error(), "no period 2026-Q1") {
			t.Errorf("missing period: %v", err)
		}
	})
}
