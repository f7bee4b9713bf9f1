package workflow

import "time"

// RedeliveryWindow is how long after its first push Lark may push the same
// event again. An event not acknowledged within 3 s is pushed again 15 s,
// 5 min, 1 h and 6 h later, one wait after another, so the last copy comes
// about 7 h 5 min after the first. An idempotency record is written when
// the first copy is handled, after it arrived, so a record kept this long
// is still there for every copy (docs/reliability.md §2, "How long records
// are kept"). Sent and dead outbox rows are the second guard against a
// repeated event (their Key is unique), so they must outlive it too.
// Lark's one-hour uuid window and card callbacks (never re-pushed; a new
// click carries a new token) are shorter, so this is the bound for all.
const RedeliveryWindow = 15*time.Second + 5*time.Minute + time.Hour + 6*time.Hour

// Retention is how long idempotency records and finished outbox rows are
// kept before Tx.Prune may delete them. Pending notifications, the audit
// log and schedule fire records are never pruned: the first are work still
// to do, the others are what exactly-once and tamper evidence rest on.
type Retention struct {
	// Idempotency keeps saved callback replies, service idempotency keys
	// and the records of answered messages, from their CreatedAt.
	Idempotency time.Duration
	// Sent keeps delivered notifications, from when they were marked sent.
	Sent time.Duration
	// Dead keeps notifications given up on, from when they were marked
	// dead, long enough for HR and operators to look into them.
	Dead time.Duration
}

// DefaultRetention is about ten times RedeliveryWindow for idempotency records
// (72 h: a weekend-long outage of ours, clock skew between replicas and
// any client retry still find the first answer), a week for sent rows
// (an operator can still see what went out last week) and 30 days for dead
// ones (time for HR to follow up every undeliverable digest).
var DefaultRetention = Retention{Idempotency: 72 * time.Hour, Sent: 7 * 24 * time.Hour, Dead: 30 * 24 * time.Hour}

// Before returns the cutoffs of a prune at now.
func (r Retention) Before(now time.Time) PruneBefore {
	return PruneBefore{Idempotency: now.Add(-r.Idempotency), Sent: now.Add(-r.Sent), Dead: now.Add(-r.Dead)}
}

// PruneBefore holds the cutoffs of Tx.Prune: a row strictly older than its
// kind's cutoff may be deleted. A zero cutoff prunes nothing of its kind,
// and a row without the timestamp (zero, NULL in SQL) is never pruned,
// since its age is unknown.
type PruneBefore struct {
	// Idempotency is compared with Idempotency.CreatedAt.
	Idempotency time.Time
	// Sent and Dead are compared with a sent or dead notification's
	// UpdatedAt, the moment it reached that state.
	Sent, Dead time.Time
}

// PruneCount is how many rows one Tx.Prune deleted, by kind.
type PruneCount struct {
	Idempotency, Sent, Dead int
}

// Total is the number of rows deleted.
func (c PruneCount) Total() int { return c.Idempotency + c.Sent + c.Dead }

// Add returns the sum of c and d.
func (c PruneCount) Add(d PruneCount) PruneCount {
	return PruneCount{Idempotency: c.Idempotency + d.Idempotency, Sent: c.Sent + d.Sent, Dead: c.Dead + d.Dead}
}
