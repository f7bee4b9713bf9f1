package workflow

import (
	"context"
	"time"
)

// Store is the system of record the workflow needs. A PostgreSQL store and
// the in-memory store (storage/memory) implement it; storage/storetest is
// the conformance suite both must pass.
type Store interface {
	// InTx runs fn in one transaction: every write fn makes through tx
	// commits together, or none does if fn returns an error (which InTx
	// returns unchanged) or panics. Transactions are serializable with
	// respect to each other. fn must not use tx after it returns.
	//
	// A store may run fn more than once: PostgreSQL aborts one of two
	// conflicting serializable transactions, and the store retries it. So
	// fn's only effects are through tx, and variables it fills for the
	// caller are set afresh on each run, never appended to.
	InTx(ctx context.Context, fn func(tx Tx) error) error
}

// auditIntentKey marks a context whose transaction appends to the audit
// log.
type auditIntentKey struct{}

// withAuditIntent marks ctx: the transaction run with it will append to the
// audit log (every state change does).
func withAuditIntent(ctx context.Context) context.Context {
	return context.WithValue(ctx, auditIntentKey{}, true)
}

// AppendsAudit reports whether the transaction run with ctx will append to
// the audit log. The log is one hash chain, so appenders take turns; a
// store may use this to queue such a transaction for its turn before it
// reads anything, rather than let it read, lose the race for the chain's
// head and run again (PostgreSQL: the advisory lock before BEGIN).
func AppendsAudit(ctx context.Context) bool {
	v, _ := ctx.Value(auditIntentKey{}).(bool)
	return v
}

// StepFilter selects steps; empty fields match everything.
type StepFilter struct {
	Period   string
	Person   string
	Assignee string
	State    string
}

// EntryFilter selects entries; empty fields match everything.
type EntryFilter struct {
	Kind   string
	Person string
	Cycle  string
}

// Tx is one transaction. Every "Update" method is a compare-and-set: the
// argument carries the new Version, and the stored row must have Version-1,
// otherwise the method returns ErrStale and writes nothing. Every "Create"
// method returns ErrConflict when the key exists. Reads return copies: a
// caller changing a returned value changes nothing stored.
type Tx interface {
	// Settings returns the organisation settings, or ErrNotFound before
	// PutSettings was called once.
	Settings(ctx context.Context) (Settings, error)
	// PutSettings stores the settings (upsert).
	PutSettings(ctx context.Context, s Settings) error

	// Unit returns a unit or ErrNotFound.
	Unit(ctx context.Context, id string) (Unit, error)
	// Units returns all units ordered by ID.
	Units(ctx context.Context) ([]Unit, error)
	// PutUnit creates or replaces a unit.
	PutUnit(ctx context.Context, u Unit) error

	// Person returns a person or ErrNotFound.
	Person(ctx context.Context, id string) (Person, error)
	// People returns everyone ordered by ID.
	People(ctx context.Context) ([]Person, error)
	// CreatePerson adds a person with Version 1; ErrConflict if the ID exists.
	CreatePerson(ctx context.Context, p Person) error
	// UpdatePerson is a compare-and-set on Version: ErrNotFound, ErrStale.
	UpdatePerson(ctx context.Context, p Person) error

	// CreateDelegation adds a delegation; ErrConflict if the ID exists.
	CreateDelegation(ctx context.Context, d Delegation) error
	// EndDelegation moves a delegation's End back to at (a delegation
	// ended early by its giver or HR); at before Start ends it before it
	// began. ErrNotFound if there is no such delegation, ErrStale if it
	// already ends at or before at (ended, or ended by someone else).
	EndDelegation(ctx context.Context, id string, at time.Time) error
	// Delegations returns the delegations to or from person ("" for all),
	// ordered by ID.
	Delegations(ctx context.Context, person string) ([]Delegation, error)

	// CreateTarget adds an annual target with Version 1; ErrConflict if the
	// ID exists.
	CreateTarget(ctx context.Context, t Target) error
	// UpdateTarget is a compare-and-set on Version: ErrNotFound, ErrStale.
	UpdateTarget(ctx context.Context, t Target) error
	// Targets returns a person's targets for a year ordered by ID.
	Targets(ctx context.Context, person string, year int) ([]Target, error)

	// Period returns a period or ErrNotFound.
	Period(ctx context.Context, id string) (Period, error)
	// Periods returns every period ordered by Start.
	Periods(ctx context.Context) ([]Period, error)
	// CreatePeriod adds a period with Version 1; ErrConflict if it exists.
	CreatePeriod(ctx context.Context, p Period) error
	// UpdatePeriod is a compare-and-set on Version: ErrNotFound, ErrStale.
	UpdatePeriod(ctx context.Context, p Period) error

	// Entry returns an entry or ErrNotFound.
	Entry(ctx context.Context, k EntryKey) (Entry, error)
	// Entries returns the matching entries ordered by kind, person, period.
	Entries(ctx context.Context, f EntryFilter) ([]Entry, error)
	// CreateEntry adds an entry with Version 1; ErrConflict if the key exists.
	CreateEntry(ctx context.Context, e Entry) error
	// UpdateEntry is a compare-and-set on Version: ErrNotFound, ErrStale.
	UpdateEntry(ctx context.Context, e Entry) error

	// Step returns a step or ErrNotFound.
	Step(ctx context.Context, id string) (Step, error)
	// Steps returns the matching steps ordered by period, person, Seq.
	Steps(ctx context.Context, f StepFilter) ([]Step, error)
	// CreateStep adds a step with Version 1; ErrConflict if the ID exists.
	CreateStep(ctx context.Context, s Step) error
	// DecideStep is the approval compare-and-set (docs/reliability.md §2): it
	// stores s only if the stored step is still StepPending, has Version
	// s.Version-1 and, when assigneeIn is not nil, an Assignee in
	// assigneeIn. Otherwise it returns ErrStale (ErrNotFound if there is no
	// such step) and writes nothing. In SQL: UPDATE … WHERE id=$1 AND
	// state='pending' AND version=$2 AND assignee = ANY($3).
	DecideStep(ctx context.Context, s Step, assigneeIn []string) error

	// MarkVoted records that voter has voted in period; ErrConflict if they
	// already did.
	MarkVoted(ctx context.Context, period, voter string) error
	// Voters returns who has voted in period, ordered by ID.
	Voters(ctx context.Context, period string) ([]string, error)
	// AddBallots stores anonymous ballots. Stored ballots have no voter and
	// no insertion order: Ballots returns them sorted by target and score.
	AddBallots(ctx context.Context, b []Ballot) error
	// Ballots returns a period's ballots sorted by target, then score.
	Ballots(ctx context.Context, period string) ([]Ballot, error)

	// YearRound returns a year's 年度测评 or ErrNotFound.
	YearRound(ctx context.Context, year int) (YearRound, error)
	// CreateYearRound opens a year's 年度测评; ErrConflict if it exists.
	CreateYearRound(ctx context.Context, r YearRound) error
	// MarkYearRated records that rater has rated in year's 年度测评;
	// ErrConflict if they already did.
	MarkYearRated(ctx context.Context, year int, rater string) error
	// YearRaters returns who has rated in year's 年度测评, ordered by ID.
	YearRaters(ctx context.Context, year int) ([]string, error)
	// AddYearBallots stores anonymous year-end ballots, as AddBallots:
	// no rater, no insertion order.
	AddYearBallots(ctx context.Context, b []YearBallot) error
	// YearBallots returns a year's ballots sorted by source, target, then
	// score.
	YearBallots(ctx context.Context, year int) ([]YearBallot, error)

	// Result returns a person's result for a period or ErrNotFound.
	Result(ctx context.Context, period, person string) (Result, error)
	// Results returns a period's results ordered by person.
	Results(ctx context.Context, period string) ([]Result, error)
	// PutResult creates a result when r.Version is 1 (ErrConflict if it
	// exists) and otherwise is a compare-and-set on Version (ErrNotFound,
	// ErrStale).
	PutResult(ctx context.Context, r Result) error

	// Review returns a 复核 or ErrNotFound.
	Review(ctx context.Context, id string) (Review, error)
	// Reviews returns a period's reviews ordered by ID.
	Reviews(ctx context.Context, period string) ([]Review, error)
	// CreateReview adds a review with Version 1; ErrConflict if it exists.
	CreateReview(ctx context.Context, r Review) error
	// UpdateReview is a compare-and-set on Version: ErrNotFound, ErrStale.
	UpdateReview(ctx context.Context, r Review) error

	// PutAnnual creates or replaces a person's annual result.
	PutAnnual(ctx context.Context, a AnnualResult) error
	// Annuals returns a year's annual results ordered by person.
	Annuals(ctx context.Context, year int) ([]AnnualResult, error)

	// RecordFire records a schedule slot; ErrConflict if (ScheduleID,
	// SlotAt) is already recorded — the caller then rolls back, so the
	// slot's notifications are written exactly once. SlotAt is compared as
	// an instant (stored in UTC). In SQL: INSERT … ON CONFLICT DO NOTHING
	// and a row count, so the transaction stays usable after ErrConflict.
	RecordFire(ctx context.Context, f Fire) error
	// Fire returns the record of a slot or ErrNotFound.
	Fire(ctx context.Context, scheduleID string, slotAt time.Time) (Fire, error)

	// Idempotency returns the stored answer for (source, key) or ErrNotFound.
	Idempotency(ctx context.Context, source, key string) (Idempotency, error)
	// SaveIdempotency stores an answer; ErrConflict if (Source, Key) exists.
	SaveIdempotency(ctx context.Context, i Idempotency) error

	// RecordPublicity stores the message that carried a 公示; ErrConflict
	// if (Period, Chat, Grade) is recorded already, after which the
	// transaction stays usable (ON CONFLICT DO NOTHING in SQL): a relay
	// that sends again under the same uuid gets the same message.
	RecordPublicity(ctx context.Context, m PublicityMessage) error
	// PublicityMessages returns a period's 公示 messages ordered by chat,
	// then grade. Prune never deletes them.
	PublicityMessages(ctx context.Context, period string) ([]PublicityMessage, error)

	// Enqueue adds a pending notification to the outbox and returns its ID;
	// ErrConflict if a notification with the same Key exists, after which
	// the transaction stays usable (ON CONFLICT DO NOTHING in SQL).
	Enqueue(ctx context.Context, n Notification) (int64, error)
	// Outbox returns up to limit notifications in state ("" for all) with
	// ID > afterID, ordered by ID.
	Outbox(ctx context.Context, state string, afterID int64, limit int) ([]Notification, error)
	// ClaimOutbox hands a relay up to limit pending notifications whose
	// NotBefore has passed at now, ordered by ID, and moves their NotBefore
	// to now+lease, so no other relay takes them until the lease ends (a
	// relay killed mid-batch leaves its rows to the next one once their
	// lease runs out). Rows another transaction is claiming are skipped,
	// not waited for: in SQL, SELECT … FOR UPDATE SKIP LOCKED.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Notification, error)
	// MarkNotification sets a notification's state, counts an attempt and
	// stamps at. NoteSent is final: marking a sent notification anything
	// else returns ErrStale and changes nothing (a relay whose lease ran out
	// must not undo the relay that delivered it), while marking it sent
	// always succeeds, since it was delivered. ErrNotFound if there is no
	// such ID.
	MarkNotification(ctx context.Context, id int64, state string, at time.Time) error
	// DeferNotification keeps a pending notification pending after a failed
	// attempt: it counts the attempt, stamps at and sets NotBefore to
	// retryAt, so no relay claims it earlier (backoff, or Lark's
	// x-ogw-ratelimit-reset). ErrStale if it is no longer pending (another
	// relay delivered it or gave up), ErrNotFound if there is no such ID.
	DeferNotification(ctx context.Context, id int64, at, retryAt time.Time) error
	// StartAttempt stamps a pending notification's FirstAttemptAt with at
	// unless it is set already, and counts nothing: the relay calls it just
	// before a send, so a send that reached Lark from a relay killed before
	// it could record the outcome still starts the uuid window, and no
	// relay repeats the uuid after Lark has forgotten it. ErrStale if it is
	// no longer pending, ErrNotFound if there is no such ID.
	StartAttempt(ctx context.Context, id int64, at time.Time) error
	// Prune deletes idempotency records created before before.Idempotency,
	// and sent and dead notifications whose UpdatedAt is before before.Sent
	// and before.Dead: at most limit rows of each kind (no limit when limit
	// <= 0), any of the expired ones, and reports how many it deleted. It
	// never deletes a pending notification, an audit row or a schedule fire
	// record. Callers keep limit small and call it in a fresh transaction
	// until a count falls below limit, so no prune holds a long transaction
	// or many locks; rows another transaction has locked are skipped, not
	// waited for (SKIP LOCKED in SQL), so replicas pruning at once neither
	// block each other nor fail, and a row deleted twice is no harm. A
	// deleted notification's Key is free again, which is why the retention
	// must outlive Lark's re-delivery (RedeliveryWindow). Errors are the
	// store's own.
	Prune(ctx context.Context, before PruneBefore, limit int) (PruneCount, error)

	// AppendAudit appends e to the audit log: the store assigns Seq (head+1),
	// sets PrevHash to the head's RowHash ("" for the first row) and RowHash
	// to AuditHash(PrevHash, e), serializing appends. It returns the stored
	// entry.
	AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error)
	// Audit returns up to limit rows with Seq > afterSeq, ordered by Seq.
	Audit(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)
}

// OutboxStats is what an operator watches of the outbox: how many
// notifications wait to be sent and since when the oldest has waited (a
// relay that cannot send shows as a growing age long before anyone
// complains), and how many were given up on and not yet pruned.
type OutboxStats struct {
	Pending int
	// OldestPending is the CreatedAt of the oldest pending notification;
	// zero when nothing is pending.
	OldestPending time.Time
	Dead          int
}

// Monitor is what a store tells an operator outside any transaction, for
// serve's /metrics and the audit head it publishes. Both stores implement
// it; it is not part of Store because the domain never needs it. Its reads
// do not run in InTx's serializable transactions on purpose: a scrape
// every few seconds must never make a callback's transaction retry, and a
// figure a moment old is what a monitor shows anyway.
type Monitor interface {
	// OutboxStats counts the outbox.
	OutboxStats(ctx context.Context) (OutboxStats, error)
	// AuditHead returns the last audit row, ErrNotFound when the log is
	// empty.
	AuditHead(ctx context.Context) (AuditEntry, error)
}
