package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaohe/kaohe/storage/postgres"
)

var ctx = context.Background()

// databaseURL returns TEST_DATABASE_URL. Without it the test is skipped,
// except in CI, where a missing database is a failure.
func databaseURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("TEST_DATABASE_URL is not set; CI must run the PostgreSQL tests")
		}
		t.Skip("TEST_DATABASE_URL is not set")
	}
	return url
}

var admin struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// adminPool is one pool shared by every test, for creating and dropping
// schemas and for reading tables behind the store's back.
func adminPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := databaseURL(t)
	admin.once.Do(func() {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		admin.pool, admin.err = pgxpool.New(cctx, url)
		if admin.err == nil {
			admin.err = admin.pool.Ping(cctx)
		}
	})
	if admin.err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at TEST_DATABASE_URL: %v", admin.err)
		}
		t.Skipf("PostgreSQL at TEST_DATABASE_URL unreachable: %v", admin.err)
	}
	return admin.pool
}

// newSchema returns the name of a schema that does not exist yet and is
// dropped, with everything in it, when the test ends.
func newSchema(t testing.TB) string {
	t.Helper()
	pool := adminPool(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "kaohe_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		if _, err := pool.Exec(context.WithoutCancel(ctx), `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

// open opens a store on schema without migrating it; the pool is small, as
// many tests run at once against one server.
func open(t testing.TB, schema string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	opts = append([]postgres.Option{
		postgres.WithSchema(schema),
		postgres.WithPoolConfigForTest(func(c *pgxpool.Config) { c.MaxConns = 4 }),
	}, opts...)
	s, err := postgres.Open(ctx, databaseURL(t), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// newStore returns a store on a fresh, migrated schema.
func newStore(t testing.TB) (*postgres.Store, string) {
	t.Helper()
	schema := newSchema(t)
	s := open(t, schema)
	if _, err := s.MigrateUp(ctx); err != nil {
		t.Fatalf("MigrateUp: %v", err)
	}
	return s, schema
}

// exec runs sql on the admin pool with search_path set to schema, in one
// transaction.
func exec(t testing.TB, schema, sql string, args ...any) error {
	t.Helper()
	return execAs(t, schema, "", sql, args...)
}

// execAs is exec as role (SET LOCAL ROLE) unless role is "".
func execAs(t testing.TB, schema, role, sql string, args ...any) error {
	t.Helper()
	tx, err := adminPool(t).Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `SELECT set_config('search_path', $1, true)`, pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("set search_path: %v", err)
	}
	if role != "" {
		if _, err := tx.Exec(ctx, `SET LOCAL ROLE `+pgx.Identifier{role}.Sanitize()); err != nil {
			t.Fatalf("set role %s: %v", role, err)
		}
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
