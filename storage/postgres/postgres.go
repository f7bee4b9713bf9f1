package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaohe/kaohe/workflow"
)

var _ workflow.Store = (*Store)(nil)

// ErrBusy is wrapped by the error InTx returns when its transaction kept
// losing serialization conflicts or deadlocks after every retry. Nothing was
// committed; the caller may try again later (the bot says "系统繁忙").
var ErrBusy = errors.New("database busy")

// errTxDone is returned by a Tx used after its InTx returned.
var errTxDone = errors.New("postgres: transaction already finished")

// errRetry marks an error that dooms the attempt but not the transaction: a
// serialization failure or a deadlock, after which InTx runs fn again.
var errRetry = errors.New("serialization conflict")

// Retry policy for InTx: a few attempts with a short jittered exponential
// backoff. Conflicts here are between a handful of people clicking at once,
// so they clear within milliseconds; a longer wait would only hold up Lark's
// 3-second callback deadline. Under heavy load PostgreSQL also reports
// conflicts between unrelated transactions (it summarizes old serializable
// transactions when it tracks too many), which more attempts ride out; the
// worst case still waits well under half a second in all.
const (
	maxRetries  = 8
	backoffBase = 4 * time.Millisecond
	backoffMax  = 100 * time.Millisecond
)

// Advisory lock keys. The audit key is paired with a hash of the schema,
// so schemas (one per test, or per tenant) do not wait for each other; the
// migration key is one for the whole database because migrations also
// create the cluster-wide role.
const (
	auditLockKey   = 0x6b616f68 // "kaoh"
	migrateLockKey = int64(0x6b616f68652d6d69)
)

// auditLockSQL takes the audit append lock; the two-key form keeps it
// apart from the one-key migration lock.
const auditLockSQL = `SELECT pg_advisory_xact_lock($1::int4, hashtext(current_schema()))`

// defaultMaxConns is the pool size unless the URL sets pool_max_conns.
const defaultMaxConns = 16

// Store is a workflow.Store on PostgreSQL. It is safe for concurrent use.
type Store struct {
	pool       *pgxpool.Pool
	schema     string
	migrations fs.FS
}

// Option configures Open.
type Option func(*options)

type options struct {
	schema     string
	migrations fs.FS
	// pool, when set, adjusts the pool's configuration (tests).
	pool func(*pgxpool.Config)
}

// WithSchema keeps every table in the schema name: each connection's
// search_path is set to it alone. Open does not create the schema (the
// application role usually may not); MigrateUp creates it if it is missing.
func WithSchema(name string) Option {
	return func(o *options) { o.schema = name }
}

// withMigrations replaces the embedded migrations (tests inject failing
// ones).
func withMigrations(fsys fs.FS) Option {
	return func(o *options) { o.migrations = fsys }
}

// withPoolConfig lets tests adjust the pool (its size, a role to assume).
func withPoolConfig(f func(*pgxpool.Config)) Option {
	return func(o *options) { o.pool = f }
}

// Open connects to the database at url (a postgres:// URL or a DSN that
// pgxpool.ParseConfig accepts) and pings it. It does not migrate: call
// MigrateUp, or CheckSchema to refuse a database at another version.
// Errors: a malformed url, or the database unreachable.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o := options{migrations: embedded}
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if o.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{o.schema}.Sanitize()
	}
	if _, set := cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"]; !set {
		// A replica stopped in the middle of a transaction (SIGSTOP, a
		// debugger, a VM paused) would hold its row locks and the audit
		// chain's lock for as long as it stays stopped; the server ends
		// such a session after this long, which releases them.
		cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "15s"
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) leaves a burst
		// of callbacks queueing for a connection while the few in use wait
		// on the audit log's lock or on commit; a callback that waits too
		// long misses Lark's 3 s. The URL's pool_max_conns wins.
		cfg.MaxConns = int32(max(defaultMaxConns, 4*runtime.NumCPU()))
	}
	if o.pool != nil {
		o.pool(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s := &Store{pool: pool, schema: o.schema, migrations: o.migrations}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes every connection; in-flight transactions are waited for.
func (s *Store) Close() { s.pool.Close() }

// Ping checks that the database answers (for /readyz); it returns the
// connection error if not.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// InTx implements workflow.Store. fn runs in a SERIALIZABLE transaction;
// when the transaction loses a serialization conflict or a deadlock (SQLSTATE
// 40001, 40P01), however fn reacted to it, the attempt is rolled back and fn
// runs again after a short jittered backoff, so fn must be safe to repeat
// (everything it writes goes through tx). After maxRetries retries InTx
// returns an error wrapping ErrBusy. fn's own error is returned unchanged
// after a rollback; a panic in fn rolls back and propagates.
//
// An attempt that lost the race for the audit log's head retries holding the
// audit lock from before its snapshot is taken, so it cannot lose that race
// again (see lockAuditFirst).
func (s *Store) InTx(ctx context.Context, fn func(tx workflow.Tx) error) error {
	lockAudit := workflow.AppendsAudit(ctx)
	for attempt := 0; ; attempt++ {
		t, err := s.attempt(ctx, fn, lockAudit)
		if err == nil || !errors.Is(err, errRetry) {
			return err
		}
		if attempt == maxRetries {
			return fmt.Errorf("%w: transaction still conflicting after %d attempts: %v", ErrBusy, attempt+1, err)
		}
		lockAudit = lockAudit || (t != nil && t.audited)
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

// backoff draws from the upper half of an exponential ceiling, so racers
// that collided spread out but none retries at once.
func backoff(attempt int) time.Duration {
	d := min(backoffBase<<attempt, backoffMax)
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// attempt runs fn once in its own transaction. The returned error wraps
// errRetry when the attempt should be repeated; t is nil if no transaction
// began.
func (s *Store) attempt(ctx context.Context, fn func(tx workflow.Tx) error, lockAudit bool) (t *tx, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquire connection: %w", translate(err))
	}
	defer conn.Release()
	if lockAudit {
		unlock, err := lockAuditFirst(ctx, conn)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	ptx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", translate(err))
	}
	t = &tx{tx: ptx}
	defer func() {
		t.done.Store(true)
		if r := recover(); r != nil {
			_ = ptx.Rollback(context.WithoutCancel(ctx))
			panic(r)
		}
	}()
	ferr := fn(t)
	if t.retry != nil {
		// A statement lost a conflict: whatever fn decided from there on is
		// void, including an error it chose to return instead.
		_ = ptx.Rollback(context.WithoutCancel(ctx))
		return t, t.retry
	}
	if ferr != nil {
		if rerr := ptx.Rollback(context.WithoutCancel(ctx)); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) {
			return t, errors.Join(ferr, fmt.Errorf("rollback: %w", rerr))
		}
		return t, ferr
	}
	if err := ptx.Commit(ctx); err != nil {
		if errors.Is(err, pgx.ErrTxCommitRollback) {
			// fn swallowed a failed statement; the transaction was
			// already aborted.
			return t, fmt.Errorf("commit: a statement failed earlier in the transaction: %w", err)
		}
		return t, fmt.Errorf("commit: %w", translate(err))
	}
	return t, nil
}

// lockAuditFirst takes the audit lock at session level before the
// transaction begins. A SERIALIZABLE transaction's snapshot is taken by its
// first statement, so an appender that waits for the lock inside its
// transaction may then read a head that a transaction committed meanwhile
// has moved on from, and lose; one that holds the lock before BEGIN sees
// every committed row. AppendAudit's own transaction-level lock on the same
// key then succeeds at once (advisory locks are re-entrant per session).
// unlock releases the lock, or drops the connection if it cannot.
func lockAuditFirst(ctx context.Context, conn *pgxpool.Conn) (unlock func(), err error) {
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1::int4, hashtext(current_schema()))`, auditLockKey); err != nil {
		return nil, fmt.Errorf("lock audit log: %w", translate(err))
	}
	return func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1::int4, hashtext(current_schema()))`, auditLockKey); err != nil {
			// A connection still holding the lock must never go back
			// to the pool; closing it releases the lock.
			_ = conn.Hijack().Close(uctx)
		}
	}, nil
}

// translate maps driver errors to workflow's: no rows is ErrNotFound, a
// unique violation is ErrConflict, a serialization failure or a deadlock is
// errRetry (InTx runs the transaction again). It is the only place that
// looks at SQLSTATEs; the pgx error stays in the chain.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", workflow.ErrNotFound, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", workflow.ErrConflict, err)
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return fmt.Errorf("%w: %w", errRetry, err)
		}
	}
	return err
}

// OutboxStats implements workflow.Monitor: one statement outside InTx,
// so at READ COMMITTED and without the predicate locks a serializable read
// of every pending row would take. The pending count and age come from the
// partial index the relays claim through (outbox_pending), the dead count
// from the prune index (outbox_finished).
func (s *Store) OutboxStats(ctx context.Context) (workflow.OutboxStats, error) {
	var st workflow.OutboxStats
	var oldest *time.Time
	err := s.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM outbox WHERE state = 'pending'),
			(SELECT min(created_at) FROM outbox WHERE state = 'pending'),
			(SELECT count(*) FROM outbox WHERE state = 'dead')`).Scan(&st.Pending, &oldest, &st.Dead)
	if err != nil {
		return workflow.OutboxStats{}, fmt.Errorf("outbox stats: %w", translate(err))
	}
	st.OldestPending = tsOut(oldest)
	return st, nil
}

var _ workflow.Monitor = (*Store)(nil)

// AuditHead returns the last row of the audit log, for publishing the head
// outside the database (docs/reliability.md §5). Errors: ErrNotFound when the log
// is empty, or the database error.
func (s *Store) AuditHead(ctx context.Context) (workflow.AuditEntry, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`)
	e, err := scanAudit(row)
	if err != nil {
		return workflow.AuditEntry{}, fmt.Errorf("audit head: %w", translate(err))
	}
	return e, nil
}

// tx is one attempt's transaction.
type tx struct {
	tx pgx.Tx
	// done is set when InTx returns; it is atomic because a caller that
	// leaked the Tx may use it from another goroutine.
	done atomic.Bool
	// retry is the first serialization failure or deadlock a statement hit.
	retry error
	// audited records that the attempt appended to the audit log, so a
	// retry takes the audit lock first.
	audited bool
}

// check refuses work after InTx returned or once ctx is done.
func (t *tx) check(ctx context.Context) error {
	if t.done.Load() {
		return errTxDone
	}
	return ctx.Err()
}

// fail translates err and remembers a conflict, which dooms the attempt.
func (t *tx) fail(err error) error {
	err = translate(err)
	if errors.Is(err, errRetry) && t.retry == nil {
		t.retry = err
	}
	return err
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// prefixed qualifies every column of a comma-separated list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ", ")
	for i, c := range parts {
		parts[i] = p + c
	}
	return strings.Join(parts, ", ")
}
