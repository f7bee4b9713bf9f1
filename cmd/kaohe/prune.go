package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow"
)

// pruneBatch bounds one prune transaction: at most this many rows of each
// kind, so a prune holds its locks for milliseconds, never long enough to
// delay a callback's 2.5 s budget.
const pruneBatch = 500

// pruner deletes the idempotency records and finished outbox rows that the
// retention settings let go (docs/reliability.md §2, "How long records are
// kept"). Every replica runs one: two deleting at once skip each other's
// rows, and a row already gone is simply not counted, so it needs no lock
// or lease of its own.
type pruner struct {
	store workflow.Store
	clock clock.Clock
	keep  workflow.Retention
	every time.Duration
	log   *slog.Logger
	// afterFunc waits between passes: time.After in serve, a fake clock's
	// After in tests.
	afterFunc func(time.Duration) <-chan time.Time
	// passed, if set, receives each pass's count (tests wait on it).
	passed chan<- workflow.PruneCount
}

// newPruner is serve's pruner, configured by cfg.
func newPruner(cfg Config, st workflow.Store, clk clock.Clock, log *slog.Logger) *pruner {
	return &pruner{store: st, clock: clk, keep: cfg.Retention(), every: time.Duration(cfg.PruneInterval), log: log, afterFunc: time.After}
}

// loop prunes at once, then every p.every, until ctx ends. A failed pass is
// logged and the next one tries again: what it left is still expired then.
func (p *pruner) loop(ctx context.Context) {
	for {
		c, err := p.pass(ctx)
		// The wait is set before the pass is reported, so a test that moves
		// the clock when it hears of the pass always wakes the next one.
		next := p.afterFunc(p.every)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Error("prune", "err", err, "idempotency", c.Idempotency, "sent", c.Sent, "dead", c.Dead)
		case c.Total() > 0:
			p.log.Info("pruned expired records", "idempotency", c.Idempotency, "sent", c.Sent, "dead", c.Dead)
		default:
			p.log.Debug("nothing to prune")
		}
		if p.passed != nil {
			select {
			case p.passed <- c:
			case <-ctx.Done():
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-next:
		}
	}
}

// pass deletes everything expired at the clock's now, one bounded batch per
// transaction, until a batch finds fewer than pruneBatch rows of every
// kind. The cutoffs are fixed at the start, so rows that expire meanwhile
// wait for the next pass and the pass always ends.
func (p *pruner) pass(ctx context.Context) (workflow.PruneCount, error) {
	before := p.keep.Before(p.clock.Now())
	var total workflow.PruneCount
	for {
		var c workflow.PruneCount
		err := p.store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			c, err = tx.Prune(ctx, before, pruneBatch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("prune after %d rows: %w", total.Total(), err)
		}
		total = total.Add(c)
		if c.Idempotency < pruneBatch && c.Sent < pruneBatch && c.Dead < pruneBatch {
			return total, nil
		}
	}
}
