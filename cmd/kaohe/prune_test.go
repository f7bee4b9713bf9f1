package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
)

// TestPruneLoop: serve's prune loop, configured as serve configures it,
// deletes what the default retention lets go at once and in batches, keeps
// everything younger and every pending notification, and prunes again when
// the clock has moved on by prune_interval.
func TestPruneLoop(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	st := memory.New()
	ctx := context.Background()
	const oldIdem = 2*pruneBatch + 1 // three batches
	err := st.InTx(ctx, func(tx workflow.Tx) error {
		for i := range oldIdem {
			if err := tx.SaveIdempotency(ctx, workflow.Idempotency{Source: "lark-card-reply", Key: fmt.Sprint(i), CreatedAt: now.Add(-73 * time.Hour)}); err != nil {
				return err
			}
		}
		if err := tx.SaveIdempotency(ctx, workflow.Idempotency{Source: "lark-message", Key: "young", CreatedAt: now.Add(-70 * time.Hour)}); err != nil {
			return err
		}
		for _, n := range []struct {
			key, state string
			at         time.Time
		}{
			{"sent-old", workflow.NoteSent, now.Add(-8 * 24 * time.Hour)}, {"sent-young", workflow.NoteSent, now.Add(-6 * 24 * time.Hour)},
			{"dead-old", workflow.NoteDead, now.Add(-31 * 24 * time.Hour)}, {"dead-young", workflow.NoteDead, now.Add(-8 * 24 * time.Hour)},
			{"pending-old", workflow.NotePending, now.Add(-60 * 24 * time.Hour)},
		} {
			id, err := tx.Enqueue(ctx, workflow.Notification{Key: n.key, To: "ou_p", Template: "remind", CreatedAt: n.at})
			if err != nil {
				return err
			}
			if n.state != workflow.NotePending {
				if err := tx.MarkNotification(ctx, id, n.state, n.at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	cfg := DefaultConfig()
	p := newPruner(cfg, st, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	p.afterFunc = clk.After
	passed := make(chan workflow.PruneCount)
	p.passed = passed
	loopCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); p.loop(loopCtx) }()
	t.Cleanup(func() { stop(); <-done })
	wait := func() workflow.PruneCount {
		t.Helper()
		select {
		case c := <-passed:
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("no prune pass")
			return workflow.PruneCount{}
		}
	}

	if c := wait(); c != (workflow.PruneCount{Idempotency: oldIdem, Sent: 1, Dead: 1}) {
		t.Errorf("first pass = %+v, want %d idempotency records, 1 sent and 1 dead", c, oldIdem)
	}
	keys := func() []string {
		var out []string
		_ = st.InTx(ctx, func(tx workflow.Tx) error {
			out = nil
			ns, err := tx.Outbox(ctx, "", 0, 0)
			for _, n := range ns {
				out = append(out, n.Key)
			}
			if _, err := tx.Idempotency(ctx, "lark-message", "young"); err == nil {
				out = append(out, "idem-young")
			}
			if _, err := tx.Idempotency(ctx, "lark-card-reply", "0"); err == nil {
				out = append(out, "idem-old")
			}
			return err
		})
		return out
	}
	if got, want := fmt.Sprint(keys()), "[sent-young dead-young pending-old idem-young]"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}

	// Three hours on, the young record is past 72 hours: the next pass, due
	// one prune_interval after the first, takes it.
	clk.Advance(3 * time.Hour)
	if c := wait(); c != (workflow.PruneCount{Idempotency: 1}) {
		t.Errorf("pass three hours later = %+v, want the one record that expired", c)
	}
	if got, want := fmt.Sprint(keys()), "[sent-young dead-young pending-old]"; got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
}
