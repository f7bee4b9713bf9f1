package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/kaohe/kaohe/storage/postgres"
)

// tables lists the relations, functions and sequences in schema, sorted.
func tables(t *testing.T, schema string) []string {
	t.Helper()
	rows, err := adminPool(t).Query(ctx, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
		UNION ALL
		SELECT p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
		ORDER BY 1`, schema)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func appPrivilege(t *testing.T, schema string) bool {
	t.Helper()
	var ok bool
	if err := adminPool(t).QueryRow(ctx, `SELECT has_schema_privilege('kaohe_app', $1, 'USAGE')`, schema).Scan(&ok); err != nil {
		t.Fatalf("has_schema_privilege: %v", err)
	}
	return ok
}

// TestMigrationsUpDownUp is STYLE.md 12: all ups, all downs, all ups again.
func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	s := open(t, schema)

	st, err := s.MigrationStatus(ctx)
	if err != nil || st.Current != 0 || st.Latest < 1 || len(st.Applied) != 0 {
		t.Fatalf("status of an empty database = %+v, %v", st, err)
	}
	latest := st.Latest
	all := make([]int, latest)
	for i := range all {
		all[i] = i + 1
	}
	var se *postgres.SchemaError
	if err := s.CheckSchema(ctx); !errors.As(err, &se) || se.DB != 0 || se.Binary != latest {
		t.Errorf("CheckSchema before migrating = %v, want a SchemaError 0 vs %d", err, latest)
	}

	if got, err := s.MigrateUp(ctx); err != nil || !slices.Equal(got, all) {
		t.Fatalf("MigrateUp = %v, %v; want %v", got, err, all)
	}
	if got, err := s.MigrateUp(ctx); err != nil || len(got) != 0 {
		t.Errorf("second MigrateUp = %v, %v; want nothing to do", got, err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Errorf("CheckSchema after MigrateUp: %v", err)
	}
	st, err = s.MigrationStatus(ctx)
	if err != nil || st.Current != latest || len(st.Applied) != latest || st.Applied[0].Name != "init" || st.Applied[0].AppliedAt.IsZero() {
		t.Errorf("status after MigrateUp = %+v, %v", st, err)
	}
	migrated := tables(t, schema)
	for _, want := range []string{"audit_log", "ballots", "outbox", "people", "publicity_messages", "steps", "vote_marks", "audit_log_refuse()"} {
		if !slices.Contains(migrated, want) {
			t.Errorf("after MigrateUp, %s is missing from %v", want, migrated)
		}
	}
	if !appPrivilege(t, schema) {
		t.Errorf("kaohe_app has no USAGE on the schema")
	}

	reversed := slices.Clone(all)
	slices.Reverse(reversed)
	if got, err := s.MigrateDown(ctx, 0); err != nil || !slices.Equal(got, reversed) {
		t.Fatalf("MigrateDown(all) = %v, %v", got, err)
	}
	if left := tables(t, schema); !slices.Equal(left, []string{"schema_migrations"}) {
		t.Errorf("after all downs the schema still has %v, want only schema_migrations", left)
	}
	if appPrivilege(t, schema) {
		t.Errorf("kaohe_app kept USAGE on the schema after all downs")
	}
	if st, err := s.MigrationStatus(ctx); err != nil || st.Current != 0 || len(st.Applied) != 0 {
		t.Errorf("status after all downs = %+v, %v", st, err)
	}
	if got, err := s.MigrateDown(ctx, 0); err != nil || len(got) != 0 {
		t.Errorf("MigrateDown of an empty database = %v, %v", got, err)
	}

	if got, err := s.MigrateUp(ctx); err != nil || !slices.Equal(got, all) {
		t.Fatalf("MigrateUp again = %v, %v", got, err)
	}
	if again := tables(t, schema); !slices.Equal(again, migrated) {
		t.Errorf("tables after up, down, up = %v, want %v", again, migrated)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Errorf("CheckSchema after up, down, up: %v", err)
	}
}

// TestCheckSchemaAhead: a database migrated by a newer kaohe is refused,
// by CheckSchema and by MigrateUp, and the error names both versions.
func TestCheckSchemaAhead(t *testing.T) {
	t.Parallel()
	s, schema := newStore(t)
	st, _ := s.MigrationStatus(ctx)
	newer := st.Latest + 1
	if err := exec(t, schema, `INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_the_future')`, newer); err != nil {
		t.Fatal(err)
	}
	var se *postgres.SchemaError
	err := s.CheckSchema(ctx)
	if !errors.As(err, &se) || se.DB != newer || se.Binary != st.Latest {
		t.Fatalf("CheckSchema = %v, want a SchemaError %d vs %d", err, newer, st.Latest)
	}
	for _, v := range []int{newer, st.Latest} {
		if !strings.Contains(err.Error(), fmt.Sprint(v)) {
			t.Errorf("%q does not name version %d", err, v)
		}
	}
	if _, err := s.MigrateUp(ctx); !errors.As(err, &se) {
		t.Errorf("MigrateUp on a newer database = %v, want a SchemaError", err)
	}
	if _, err := s.MigrateDown(ctx, 1); !errors.As(err, &se) {
		t.Errorf("MigrateDown of a version this binary does not know = %v, want a SchemaError", err)
	}
}

// testMigrations is a set where 0002 fails half-way.
func testMigrations(bad bool) fstest.MapFS {
	second := `CREATE TABLE b (x int); INSERT INTO b VALUES (1);`
	if bad {
		second += ` ALTER TABLE a ADD COLUMN y int; SELECT no_such_function();`
	}
	return fstest.MapFS{
		"0001_first.up.sql":    {Data: []byte(`CREATE TABLE a (x int);`)},
		"0001_first.down.sql":  {Data: []byte(`DROP TABLE a;`)},
		"0002_second.up.sql":   {Data: []byte(second)},
		"0002_second.down.sql": {Data: []byte(`DROP TABLE b;`)},
		"0003_third.up.sql":    {Data: []byte(`CREATE TABLE c (x int);`)},
		"0003_third.down.sql":  {Data: []byte(`DROP TABLE c;`)},
	}
}

// TestFailingMigration: a migration that fails leaves nothing of itself
// (no table, no column, no version row); the ones before it stay, the ones
// after it do not run, and a fixed set then completes.
func TestFailingMigration(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	bad := open(t, schema, postgres.WithMigrationsForTest(testMigrations(true)))
	got, err := bad.MigrateUp(ctx)
	if err == nil || !strings.Contains(err.Error(), "0002_second") {
		t.Fatalf("MigrateUp = %v, %v; want migration 0002 to fail", got, err)
	}
	if !slices.Equal(got, []int{1}) {
		t.Errorf("applied before the failure = %v, want [1]", got)
	}
	if left := tables(t, schema); !slices.Equal(left, []string{"a", "schema_migrations"}) {
		t.Errorf("after the failure the schema has %v, want a and schema_migrations", left)
	}
	var cols int
	if err := adminPool(t).QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'a'`, schema).Scan(&cols); err != nil || cols != 1 {
		t.Errorf("table a has %d columns (%v), want 1: the failed migration's ALTER stayed", cols, err)
	}
	if st, err := bad.MigrationStatus(ctx); err != nil || st.Current != 1 || st.Latest != 3 {
		t.Errorf("status = %+v, %v; want 1 of 3", st, err)
	}

	good := open(t, schema, postgres.WithMigrationsForTest(testMigrations(false)))
	if got, err := good.MigrateUp(ctx); err != nil || !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("MigrateUp with 0002 fixed = %v, %v", got, err)
	}
	if got, err := good.MigrateDown(ctx, 2); err != nil || !slices.Equal(got, []int{3, 2}) {
		t.Errorf("MigrateDown(2) = %v, %v; want [3 2]", got, err)
	}
	if st, err := good.MigrationStatus(ctx); err != nil || st.Current != 1 {
		t.Errorf("status after MigrateDown(2) = %+v, %v", st, err)
	}
}

// TestMigrationFiles: malformed sets are refused before anything runs.
func TestMigrationFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"BadName", fstest.MapFS{"1_init.up.sql": {}}, "want NNNN_name"},
		{"NoDown", fstest.MapFS{"0001_a.up.sql": {Data: []byte("SELECT 1")}}, "both an up and a down"},
		{"Gap", fstest.MapFS{"0002_a.up.sql": {Data: []byte("SELECT 1")}, "0002_a.down.sql": {Data: []byte("SELECT 1")}}, "version 1 is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			schema := newSchema(t)
			s := open(t, schema, postgres.WithMigrationsForTest(tc.fs))
			if _, err := s.MigrateUp(ctx); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("MigrateUp = %v, want an error containing %q", err, tc.want)
			}
			if left := tables(t, schema); len(left) != 0 {
				t.Errorf("a refused set still created %v", left)
			}
		})
	}
}

// TestMigrateConcurrently: replicas starting together on one schema apply
// each migration once; schemas migrating at once (each creating or finding
// the cluster-wide role) do not trip over each other.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	shared := newSchema(t)
	const replicas = 4
	applied := make([][]int, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		s := open(t, shared)
		other := open(t, newSchema(t))
		wg.Go(func() {
			var err error
			if applied[i], err = s.MigrateUp(ctx); err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		})
		wg.Go(func() {
			if _, err := other.MigrateUp(ctx); err != nil {
				t.Errorf("schema %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, a := range applied {
		total += len(a)
	}
	st, err := open(t, shared).MigrationStatus(ctx)
	if err != nil || total != st.Latest || st.Current != st.Latest {
		t.Errorf("replicas applied %v in all (status %+v, %v); want each migration once", applied, st, err)
	}
}
