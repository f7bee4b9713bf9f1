package main

import (
	"testing"

	"github.com/kaohe/kaohe/storage/postgres/pgtest"
)

// testDatabaseURL returns a URL of the test PostgreSQL on a fresh schema of
// this test, and the schema's name (see pgtest).
func testDatabaseURL(t *testing.T) (string, string) { return pgtest.SchemaURL(t) }

// sqlExec runs statements on the test database as its superuser.
func sqlExec(t *testing.T, dbURL string, stmts ...string) { pgtest.Exec(t, dbURL, stmts...) }

// sqlInt returns the single integer a query selects.
func sqlInt(t *testing.T, dbURL, query string, args ...any) int64 {
	return pgtest.Int(t, dbURL, query, args...)
}
