// Package postgres is the PostgreSQL workflow.Store, the system of record
// of `kaohe serve` (pgx v5 and pgxpool). It behaves as storage/memory does —
// storage/storetest runs against both — with the differences a database
// brings: times keep microseconds (PostgreSQL's precision) and come back in
// UTC, so AppendAudit seals At cut to the microsecond (the hash must be
// recomputable from the stored row); notification IDs are increasing but
// may have gaps; ballot scores come back in canonical digits (85.50 as
// 85.5; see below). Every other decimal keeps its exact digits.
//
// Open does not migrate, and does not create the WithSchema schema (the
// bot's role usually may not); MigrateUp creates it when it is missing.
//
// # Transactions
//
// InTx runs every transaction at SERIALIZABLE. A serialization failure or
// a deadlock (SQLSTATE 40001, 40P01) never reaches the caller as such: the
// attempt is rolled back and fn runs again, a few times with a short
// jittered backoff, and then InTx gives up with an error wrapping ErrBusy.
// Driver errors become workflow's in one function, translate: no rows is
// workflow.ErrNotFound, a unique violation workflow.ErrConflict. Creates use
// INSERT … ON CONFLICT DO NOTHING, so a transaction stays usable after
// ErrConflict; updates are compare-and-set on version in the UPDATE's WHERE.
//
// # Migrations
//
// The schema is numbered up/down SQL files embedded in the binary
// (migrations/0001_init.up.sql …). MigrateUp applies each missing one in its
// own transaction with its schema_migrations row; every run holds a
// database-wide advisory lock, so replicas starting together migrate once.
// CheckSchema is for processes that must not migrate: it refuses a database
// that is behind, or ahead of the binary (a newer kaohe migrated it).
// MigrateDown of 0001 removes every table, function and grant 0001 made,
// and leaves schema_migrations (the migrator's own, empty by then) and the
// role kaohe_app (below).
//
// # Roles
//
// Migration 0001 creates the NOLOGIN role kaohe_app if it does not exist
// (roles are cluster-wide: several schemas or databases may share it) and
// grants it USAGE on the schema, SELECT, INSERT, UPDATE and DELETE on every
// table but the audit log, on which it has only SELECT and INSERT, and
// SELECT on schema_migrations. The audit log also has triggers that refuse
// UPDATE, DELETE and TRUNCATE, whoever asks. The intended set-up:
//
//	-- once, as a superuser (roles are cluster-wide):
//	CREATE ROLE kaohe_owner LOGIN PASSWORD '…';
//	CREATE ROLE kaohe_app NOLOGIN;  -- or give kaohe_owner CREATEROLE and let 0001 do it
//	CREATE ROLE kaohe_serve LOGIN PASSWORD '…' IN ROLE kaohe_app;
//	CREATE SCHEMA kaohe AUTHORIZATION kaohe_owner;
//	-- as the owner, at every upgrade (the URL's search_path picks the schema):
//	kaohe migrate up   # KAOHE_DATABASE_URL=postgres://kaohe_owner@db/kaohe?search_path=kaohe
//	-- the bot, as the login role, checking the schema instead of migrating:
//	kaohe serve        # KAOHE_DATABASE_URL=postgres://kaohe_serve@db/kaohe?search_path=kaohe, migrate: check
//
// The bot's role can then neither change the schema nor rewrite or delete
// audit rows. The owner can disable the triggers, which is why the audit
// head is also published outside the database (docs/reliability.md §5).
// MigrateDown never drops kaohe_app: other schemas and databases in the
// cluster may still grant it privileges (DROP ROLE would fail) and login
// roles may be its members; an administrator drops it by hand when nothing
// uses it.
//
// # The audit log
//
// AppendAudit takes a transaction-level advisory lock (one per schema),
// reads the head and inserts the row sealed by workflow.SealAudit. Under
// SERIALIZABLE an appender's snapshot may predate an append that committed
// while it waited for the lock; it then fails with a serialization error
// and InTx retries it holding the same lock from before the retry's BEGIN,
// so it cannot lose that race twice. A transaction whose context says it
// will append (workflow.AppendsAudit: every state change) takes that lock
// before BEGIN from its first attempt, so under load appenders queue once
// instead of each running twice. The chain therefore admits one appender
// at a time: a state change costs one commit of the chain, which bounds
// the write rate at about what the disk's commits allow (BENCHMARKS.md). AuditHead returns the last row for
// publishing; verification reads Tx.Audit pages into workflow.VerifyAudit.
//
// # 民主测评 anonymity
//
// The goal: once the voting window is over, nobody who can read the tables
// can tell which ballots a voter cast. The store keeps who voted
// (vote_marks) and the ballots (ballots) with nothing in common but the
// period, and makes every trace of the order of voting useless:
//
//   - Each table has one row per period. MarkVoted rewrites the period's
//     voters as one sorted array; AddBallots rewrites all of the period's
//     ballots as one array sorted by target and score. There is no row per
//     ballot or per voter, no serial id and no insertion order.
//   - Every vote therefore leaves both rows as versions written by its own
//     transaction and holding every voter and every ballot so far. After
//     the last vote, the live rows' system columns (xmin, xmax, ctid) name
//     the last voter's transaction and nothing else, and what that version
//     holds is the complete, sorted tally: exactly what one batch write of
//     all votes would have left. The xmin does link that transaction to the
//     last voter (the audit row of the vote has it too) but not to any
//     ballot in particular.
//   - Scores are stored in canonical digits, so a voter who writes 85.50
//     where others write 85.5 does not mark their ballots.
//
// This protects against anyone reading the live tables after the window:
// the bot's role, a read-only analyst, pg_dump or a backup taken after the
// window, an SQL injection that can SELECT.
//
// It does not protect against:
//
//   - Anyone watching during the window: a reader who polls the tables
//     between two votes sees what the later one added, and so does anyone
//     who compares two backups taken between votes.
//   - A superuser reading dead row versions (pageinspect, or the raw files)
//     before VACUUM has removed them; VACUUM removes the tuples but not
//     necessarily their bytes from the page until the space is reused.
//   - The write-ahead log and anything fed from it: WAL archives,
//     point-in-time recovery, physical and logical replication slots and
//     pg_waldump all hold every row version with its transaction id.
//   - Server-side statement logging with parameters (log_statement = 'all',
//     log_min_duration_statement, auto_explain with parameters): a logged
//     vote's statements carry the voter and the scores of one transaction.
//     Keep such logging off for the kaohe database.
//   - Whoever controls the running bot, or the Lark callbacks, which carry
//     the voter's identity and scores together before the store ever sees
//     them; and the bot's own logs, which must never contain ballots.
package postgres
