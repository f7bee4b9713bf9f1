package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaohe/kaohe/storage/postgres"
	"github.com/kaohe/kaohe/storage/storetest"
	"github.com/kaohe/kaohe/workflow"
)

var t0 = time.Date(2026, 9, 30, 1, 0, 0, 0, time.UTC)

// appendRows appends n audit rows, one transaction each.
func appendRows(t *testing.T, s *postgres.Store, n int) {
	t.Helper()
	for i := range n {
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			_, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "hr", Action: "x", Object: fmt.Sprint(i)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func readAudit(t *testing.T, s *postgres.Store) []workflow.AuditEntry {
	t.Helper()
	var rows []workflow.AuditEntry
	if err := s.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		rows, err = tx.Audit(ctx, 0, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestAuditAppendOnly: the triggers refuse UPDATE, DELETE and TRUNCATE,
// even from the table's owner, even when no row matches.
func TestAuditAppendOnly(t *testing.T) {
	t.Parallel()
	s, schema := newStore(t)
	if _, err := s.AuditHead(ctx); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("AuditHead of an empty log = %v, want ErrNotFound", err)
	}
	appendRows(t, s, 3)
	tests := []struct{ name, sql string }{
		{"Update", `UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`},
		{"UpdateNoRow", `UPDATE audit_log SET actor = 'mallory' WHERE false`},
		{"Delete", `DELETE FROM audit_log WHERE seq = 3`},
		{"Truncate", `TRUNCATE audit_log`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := exec(t, schema, tc.sql)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "P0001" {
				t.Errorf("%s = %v, want the trigger's exception", tc.sql, err)
			}
		})
	}
	if rows := readAudit(t, s); len(rows) != 3 || rows[1].Actor != "hr" || workflow.VerifyAudit(nil, rows) != nil {
		t.Errorf("audit after refused changes = %+v", rows)
	}
	if head, err := s.AuditHead(ctx); err != nil || head.Seq != 3 {
		t.Errorf("AuditHead = %+v, %v", head, err)
	}
}

// TestAuditTamper is docs/reliability.md G9 on the real table: with the
// triggers disabled (which needs the owner or a superuser), an edited row
// and a deleted middle row are named by VerifyAudit, and deleted last rows
// by the published head.
func TestAuditTamper(t *testing.T) {
	t.Parallel()
	tamper := func(t *testing.T, schema, sql string) {
		t.Helper()
		if err := exec(t, schema, `ALTER TABLE audit_log DISABLE TRIGGER ALL; `+sql+`; ALTER TABLE audit_log ENABLE TRIGGER ALL`); err != nil {
			t.Fatalf("tamper: %v", err)
		}
	}
	t.Run("EditedRow", func(t *testing.T) {
		t.Parallel()
		s, schema := newStore(t)
		appendRows(t, s, 5)
		tamper(t, schema, `UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`)
		var br *workflow.AuditBreak
		if err := workflow.VerifyAudit(nil, readAudit(t, s)); !errors.As(err, &br) || br.Seq != 3 {
			t.Errorf("VerifyAudit = %v, want a break at row 3", err)
		}
	})
	t.Run("DeletedMiddleRow", func(t *testing.T) {
		t.Parallel()
		s, schema := newStore(t)
		appendRows(t, s, 5)
		tamper(t, schema, `DELETE FROM audit_log WHERE seq = 2`)
		var br *workflow.AuditBreak
		if err := workflow.VerifyAudit(nil, readAudit(t, s)); !errors.As(err, &br) || br.Seq != 3 {
			t.Errorf("VerifyAudit = %v, want a break at row 3, the one after the gap", err)
		}
	})
	t.Run("DeletedLastRows", func(t *testing.T) {
		t.Parallel()
		s, schema := newStore(t)
		appendRows(t, s, 5)
		head, err := s.AuditHead(ctx)
		if err != nil || head.Seq != 5 {
			t.Fatalf("AuditHead = %+v, %v", head, err)
		}
		tamper(t, schema, `DELETE FROM audit_log WHERE seq > 3`)
		rows := readAudit(t, s)
		if err := workflow.VerifyAudit(nil, rows); err != nil {
			t.Errorf("VerifyAudit of the shortened log = %v; only the head can tell", err)
		}
		if err := workflow.HeadMatches(rows, head.Seq, head.RowHash); err == nil {
			t.Errorf("HeadMatches accepted a log without its published head")
		}
		if now, err := s.AuditHead(ctx); err != nil || now.Seq != 3 || now.RowHash == head.RowHash {
			t.Errorf("AuditHead after the deletion = %+v, %v", now, err)
		}
	})
}

// asApp opens a store on schema whose connections act as kaohe_app, the
// role kaohe serve runs as.
func asApp(t *testing.T, schema string) *postgres.Store {
	t.Helper()
	return open(t, schema, postgres.WithPoolConfigForTest(func(c *pgxpool.Config) {
		c.MaxConns = 4
		c.AfterConnect = func(ctx2 context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx2, `SET ROLE kaohe_app`)
			return err
		}
	}))
}

// TestAppRole: kaohe_app's grants are enough for the whole Store contract,
// and no more: it cannot change or delete audit rows (refused by privilege
// before any trigger), nor change the schema, but can check it.
func TestAppRole(t *testing.T) {
	t.Parallel()
	t.Run("Conformance", func(t *testing.T) {
		t.Parallel()
		storetest.Run(t, func(t *testing.T) workflow.Store {
			_, schema := newStore(t)
			return asApp(t, schema)
		})
	})
	t.Run("Limits", func(t *testing.T) {
		t.Parallel()
		s, schema := newStore(t)
		appendRows(t, s, 2)
		app := asApp(t, schema)
		if err := app.CheckSchema(ctx); err != nil {
			t.Errorf("CheckSchema as kaohe_app: %v", err)
		}
		if head, err := app.AuditHead(ctx); err != nil || head.Seq != 2 {
			t.Errorf("AuditHead as kaohe_app = %+v, %v", head, err)
		}
		for _, sql := range []string{
			`UPDATE audit_log SET actor = 'mallory'`,
			`DELETE FROM audit_log`,
			`TRUNCATE audit_log`,
			`ALTER TABLE audit_log DISABLE TRIGGER ALL`,
			`CREATE TABLE sneaky (x int)`,
			`DROP TABLE people`,
		} {
			err := execAs(t, schema, "kaohe_app", sql)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || (pe.Code != "42501" && pe.Code != "42P01") {
				t.Errorf("%s as kaohe_app = %v, want permission denied", sql, err)
			}
		}
		if _, err := app.MigrateDown(ctx, 0); err == nil {
			t.Errorf("kaohe_app migrated the schema down")
		}
	})
}
