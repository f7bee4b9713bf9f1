// Package pgtest gives the tests of any package a PostgreSQL of their own:
// a fresh schema of the database at TEST_DATABASE_URL, dropped when the
// test ends. Without that variable, or when the database does not answer,
// the test is skipped — unless CI is set, where it fails, since CI must
// run every integration test.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kaohe/kaohe/storage/postgres"
)

// BaseURL returns TEST_DATABASE_URL, skipping or failing t as the package
// doc says when it is unusable.
func BaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		missing(t, "TEST_DATABASE_URL is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		missing(t, err.Error())
	}
	_ = conn.Close(ctx)
	return base
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("PostgreSQL is required in CI: %s", why)
	}
	t.Skipf("PostgreSQL not available: %s", why)
}

// SchemaURL creates an empty schema for t and returns a URL whose
// search_path is that schema, and the schema's name. The schema is
// dropped with everything in it when t ends.
func SchemaURL(t testing.TB) (string, string) {
	t.Helper()
	base := BaseURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	Exec(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// New returns a migrated store on a fresh schema, closed when t ends.
func New(t testing.TB) *postgres.Store {
	t.Helper()
	u, _ := SchemaURL(t)
	return Open(t, u)
}

// Open opens and migrates the store at url, closed when t ends.
func Open(t testing.TB, url string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(st.Close)
	if _, err := st.MigrateUp(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// connect opens one connection to url for a helper, failing t if it cannot;
// the context bounds the helper's whole use of it.
func connect(t testing.TB, url string) (context.Context, *pgx.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, conn
}

// Exec runs statements on the database at url, as whoever url logs in as
// (the tests' superuser: to set up, inspect, or tamper as an attacker with
// the database would).
func Exec(t testing.TB, url string, stmts ...string) {
	t.Helper()
	ctx, conn := connect(t, url)
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Int returns the one integer query selects.
func Int(t testing.TB, url, query string, args ...any) int64 {
	t.Helper()
	ctx, conn := connect(t, url)
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
