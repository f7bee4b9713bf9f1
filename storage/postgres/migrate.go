package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var embeddedFS embed.FS

// embedded is the migrations directory itself, so names are "0001_init.up.sql".
var embedded = func() fs.FS {
	sub, err := fs.Sub(embeddedFS, "migrations")
	if err != nil {
		panic(err) // the directory is part of the package
	}
	return sub
}()

// MigrationState is where a database stands.
type MigrationState struct {
	// Current is the highest version applied (0 for an empty database).
	Current int
	// Latest is the highest version this binary knows.
	Latest int
	// Applied lists the applied versions in order.
	Applied []AppliedMigration
}

// AppliedMigration is one row of schema_migrations.
type AppliedMigration struct {
	Version   int
	Name      string
	AppliedAt time.Time
}

// SchemaError is what CheckSchema returns when the database is not at the
// version this binary was built for.
type SchemaError struct {
	// DB is the database's version, Binary this binary's latest.
	DB, Binary int
}

// Error names both versions and says which way the database is off.
func (e *SchemaError) Error() string {
	if e.DB > e.Binary {
		return fmt.Sprintf("database schema is at version %d, newer than version %d that this binary knows: "+
			"a newer kaohe migrated it; refusing to run", e.DB, e.Binary)
	}
	return fmt.Sprintf("database schema is at version %d, but this binary needs version %d: run the migrations up",
		e.DB, e.Binary)
}

type migration struct {
	version  int
	name     string
	up, down string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$`)

// loadMigrations reads NNNN_name.up.sql and NNNN_name.down.sql pairs; the
// versions must run 1, 2, 3 … without gaps, so Latest is their count.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	files, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	byVersion := map[int]*migration{}
	for _, f := range files {
		m := migrationName.FindStringSubmatch(f.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.up.sql or NNNN_name.down.sql", f.Name())
		}
		v, _ := strconv.Atoi(m[1])
		b, err := fs.ReadFile(fsys, f.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", f.Name(), err)
		}
		mg := byVersion[v]
		if mg == nil {
			mg = &migration{version: v, name: m[2]}
			byVersion[v] = mg
		}
		if mg.name != m[2] {
			return nil, fmt.Errorf("migration %d is named both %s and %s", v, mg.name, m[2])
		}
		if m[3] == "up" {
			mg.up = string(b)
		} else {
			mg.down = string(b)
		}
	}
	out := make([]migration, 0, len(byVersion))
	for v := 1; v <= len(byVersion); v++ {
		mg := byVersion[v]
		switch {
		case mg == nil:
			return nil, fmt.Errorf("migrations: version %d is missing", v)
		case mg.up == "" || mg.down == "":
			return nil, fmt.Errorf("migration %04d_%s: needs both an up and a down file", v, mg.name)
		}
		out = append(out, *mg)
	}
	return out, nil
}

// MigrateUp applies every migration the database lacks, in order, each in
// its own transaction together with its schema_migrations row, so a failing
// migration leaves nothing of itself behind (the ones before it stay
// applied). Runs are serialized across processes by an advisory lock, so
// replicas starting together are safe. It creates the WithSchema schema if
// missing. It returns the versions applied now. Errors: a *SchemaError if
// the database is ahead of this binary; the failing migration's error.
func (s *Store) MigrateUp(ctx context.Context) ([]int, error) {
	ms, err := loadMigrations(s.migrations)
	if err != nil {
		return nil, err
	}
	var done []int
	err = s.withMigrationLock(ctx, true, func(conn *pgxpool.Conn) error {
		applied, err := appliedVersions(ctx, conn)
		if err != nil {
			return err
		}
		if n := len(applied); n > 0 && applied[n-1] > len(ms) {
			return &SchemaError{DB: applied[n-1], Binary: len(ms)}
		}
		for _, m := range ms {
			if slices.Contains(applied, m.version) {
				continue
			}
			if err := runMigration(ctx, conn, m, m.up, true); err != nil {
				return err
			}
			done = append(done, m.version)
		}
		return nil
	})
	return done, err
}

// MigrateDown reverts the last steps applied migrations (all of them when
// steps <= 0), newest first, each in its own transaction. It returns the
// versions reverted now. Errors: a *SchemaError if the database has a
// version this binary has no down migration for; the failing migration's
// error.
func (s *Store) MigrateDown(ctx context.Context, steps int) ([]int, error) {
	ms, err := loadMigrations(s.migrations)
	if err != nil {
		return nil, err
	}
	var done []int
	err = s.withMigrationLock(ctx, false, func(conn *pgxpool.Conn) error {
		applied, err := appliedVersions(ctx, conn)
		if err != nil {
			return err
		}
		slices.Reverse(applied)
		if steps > 0 && steps < len(applied) {
			applied = applied[:steps]
		}
		for _, v := range applied {
			if v > len(ms) {
				return &SchemaError{DB: v, Binary: len(ms)}
			}
			m := ms[v-1]
			if err := runMigration(ctx, conn, m, m.down, false); err != nil {
				return err
			}
			done = append(done, v)
		}
		return nil
	})
	return done, err
}

// MigrationStatus reports the database's and the binary's versions and the
// applied migrations. An empty database (no schema_migrations) is at 0.
func (s *Store) MigrationStatus(ctx context.Context) (MigrationState, error) {
	ms, err := loadMigrations(s.migrations)
	if err != nil {
		return MigrationState{}, err
	}
	st := MigrationState{Latest: len(ms)}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return MigrationState{}, fmt.Errorf("migration status: %w", translate(err))
	}
	if !exists {
		return st, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return MigrationState{}, fmt.Errorf("migration status: %w", translate(err))
	}
	st.Applied, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AppliedMigration, error) {
		var a AppliedMigration
		err := r.Scan(&a.Version, &a.Name, &a.AppliedAt)
		a.AppliedAt = a.AppliedAt.UTC()
		return a, err
	})
	if err != nil {
		return MigrationState{}, fmt.Errorf("migration status: %w", translate(err))
	}
	if n := len(st.Applied); n > 0 {
		st.Current = st.Applied[n-1].Version
	}
	return st, nil
}

// CheckSchema returns nil when the database is at this binary's latest
// version, and a *SchemaError when it is behind (migrate up first) or ahead
// (a newer kaohe migrated it: this binary must not run on it). Other errors
// are the database's.
func (s *Store) CheckSchema(ctx context.Context) error {
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	if st.Current != st.Latest {
		return &SchemaError{DB: st.Current, Binary: st.Latest}
	}
	return nil
}

// withMigrationLock runs fn on one connection holding the migration lock
// for the whole run (each migration is its own transaction, so a
// transaction-level lock would not do). create makes the schema and the
// bookkeeping table if they are missing.
func (s *Store) withMigrationLock(ctx context.Context, create bool, fn func(conn *pgxpool.Conn) error) (err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, uerr := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, migrateLockKey); uerr != nil {
			// Never pool a connection that may still hold the lock.
			_ = conn.Hijack().Close(uctx)
		}
	}()
	if create {
		if s.schema != "" {
			if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
				return fmt.Errorf("create schema %s: %w", s.schema, err)
			}
		}
		if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	return fn(conn)
}

// appliedVersions lists the applied versions in ascending order; none if
// the bookkeeping table does not exist.
func appliedVersions(ctx context.Context, conn *pgxpool.Conn) ([]int, error) {
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	return vs, nil
}

// runMigration runs one migration's SQL and records (up) or forgets (down)
// its version in the same transaction.
func runMigration(ctx context.Context, conn *pgxpool.Conn, m migration, sql string, up bool) (err error) {
	dir := "down"
	if up {
		dir = "up"
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migration %04d_%s %s: begin: %w", m.version, m.name, dir, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, rollbackErr(tx.Rollback(context.WithoutCancel(ctx))))
		}
	}()
	// No arguments: pgx sends it with the simple protocol, which allows
	// several statements.
	if _, err := tx.Exec(ctx, sql); err != nil {
		return fmt.Errorf("migration %04d_%s %s: %w", m.version, m.name, dir, err)
	}
	if up {
		_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
	} else {
		_, err = tx.Exec(ctx, `DELETE FROM schema_migrations WHERE version = $1`, m.version)
	}
	if err != nil {
		return fmt.Errorf("migration %04d_%s %s: record version: %w", m.version, m.name, dir, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migration %04d_%s %s: commit: %w", m.version, m.name, dir, err)
	}
	return nil
}

func rollbackErr(err error) error {
	if err == nil || errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return fmt.Errorf("rollback: %w", err)
}
