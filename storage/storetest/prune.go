package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
)

// pruneFixture is what testPrune stores: three expired rows of each kind,
// and beside them rows that must survive every prune.
type pruneFixture struct {
	ids     map[string]int64 // notification key → ID
	expired map[string]bool  // idempotency and outbox keys that may go
}

// pruneCut is the cutoff of every kind in the prune tests.
var pruneCut = t0.Add(-72 * time.Hour)

// seedPrune stores the prune fixture. "Just younger" is one microsecond,
// the finest time PostgreSQL keeps, after the cutoff.
func seedPrune(t *testing.T, s workflow.Store) pruneFixture {
	t.Helper()
	old, edge, young := pruneCut.Add(-time.Hour), pruneCut, pruneCut.Add(time.Microsecond)
	f := pruneFixture{ids: map[string]int64{}, expired: map[string]bool{}}
	in(t, s, func(tx workflow.Tx) error {
		for _, r := range []struct {
			key string
			at  time.Time
		}{{"old1", old}, {"old2", old}, {"old3", old.Add(-time.Minute)}, {"edge", edge}, {"young", young}, {"unknown", time.Time{}}} {
			if err := tx.SaveIdempotency(ctx, workflow.Idempotency{Source: "lark-card", Key: r.key, Result: "x", CreatedAt: r.at}); err != nil {
				return err
			}
			if strings.HasPrefix(r.key, "old") {
				f.expired["idem/"+r.key] = true
			}
		}
		for _, r := range []struct {
			key, state string
			at         time.Time
		}{
			{"sent-old1", workflow.NoteSent, old}, {"sent-old2", workflow.NoteSent, old}, {"sent-old3", workflow.NoteSent, old},
			{"sent-edge", workflow.NoteSent, edge}, {"sent-young", workflow.NoteSent, young},
			{"dead-old1", workflow.NoteDead, old}, {"dead-old2", workflow.NoteDead, old}, {"dead-old3", workflow.NoteDead, old},
			{"dead-young", workflow.NoteDead, young},
			// Pending rows are never pruned, however old: one never tried,
			// one deferred long ago.
			{"pending-new", workflow.NotePending, time.Time{}}, {"pending-deferred", workflow.NotePending, old},
		} {
			id, err := tx.Enqueue(ctx, workflow.Notification{Key: r.key, To: "p", Template: "remind", CreatedAt: old.Add(-time.Hour)})
			if err != nil {
				return err
			}
			f.ids[r.key] = id
			switch {
			case r.state == workflow.NotePending && !r.at.IsZero():
				err = tx.DeferNotification(ctx, id, r.at, r.at)
			case r.state != workflow.NotePending:
				err = tx.MarkNotification(ctx, id, r.state, r.at)
			}
			if err != nil {
				return err
			}
			if r.at.Equal(old) && r.state != workflow.NotePending {
				f.expired[r.key] = true
			}
		}
		// Neither the audit log nor fire records are the prune's to touch.
		if _, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: old, Actor: "p", Action: "a"}); err != nil {
			return err
		}
		return tx.RecordFire(ctx, workflow.Fire{ScheduleID: "s", SlotAt: old, Outcome: workflow.FireFired, FiredAt: old})
	})
	return f
}

// remaining lists the idempotency keys ("idem/" + key) and notification
// keys still stored.
func remaining(t *testing.T, s workflow.Store) []string {
	t.Helper()
	var keys []string
	in(t, s, func(tx workflow.Tx) error {
		keys = nil
		for _, k := range []string{"old1", "old2", "old3", "edge", "young", "unknown"} {
			if _, err := tx.Idempotency(ctx, "lark-card", k); err == nil {
				keys = append(keys, "idem/"+k)
			}
		}
		ns, err := tx.Outbox(ctx, "", 0, 0)
		for _, n := range ns {
			keys = append(keys, n.Key)
		}
		return err
	})
	slices.Sort(keys)
	return keys
}

// testPrune: prunes delete the expired rows, at most limit of each kind at
// a time and counted right; rows at or after the cutoff, rows of unknown
// age, pending notifications, the audit log and fire records stay; a
// rolled-back prune deletes nothing; IDs keep increasing after a prune.
func testPrune(t *testing.T, s workflow.Store) {
	f := seedPrune(t, s)
	all := remaining(t, s)
	before := workflow.PruneBefore{Idempotency: pruneCut, Sent: pruneCut, Dead: pruneCut}
	prune := func(limit int) workflow.PruneCount {
		t.Helper()
		var c workflow.PruneCount
		in(t, s, func(tx workflow.Tx) error {
			var err error
			c, err = tx.Prune(ctx, before, limit)
			return err
		})
		return c
	}

	err := s.InTx(ctx, func(tx workflow.Tx) error {
		if _, err := tx.Prune(ctx, before, 0); err != nil {
			return err
		}
		return errAbort
	})
	wantErr(t, "rolled-back prune", err, errAbort)
	if got := remaining(t, s); !slices.Equal(got, all) {
		t.Errorf("after a rolled-back prune: %v, want all of %v", got, all)
	}

	if c := prune(2); c != (workflow.PruneCount{Idempotency: 2, Sent: 2, Dead: 2}) {
		t.Errorf("first prune (limit 2) = %+v, want 2 of each", c)
	}
	if c := prune(2); c != (workflow.PruneCount{Idempotency: 1, Sent: 1, Dead: 1}) {
		t.Errorf("second prune (limit 2) = %+v, want the last 1 of each", c)
	}
	if c := prune(2); c != (workflow.PruneCount{}) {
		t.Errorf("third prune = %+v, want nothing left", c)
	}
	var want []string
	for _, k := range all {
		if !f.expired[k] {
			want = append(want, k)
		}
	}
	if got := remaining(t, s); !slices.Equal(got, want) {
		t.Errorf("after pruning: %v, want %v", got, want)
	}
	if len(want) != len(all)-9 {
		t.Fatalf("the fixture has %d expired rows, want 9", len(all)-len(want))
	}

	in(t, s, func(tx workflow.Tx) error {
		ns, err := tx.Outbox(ctx, workflow.NotePending, 0, 0)
		if err != nil || len(ns) != 2 {
			t.Errorf("pending after pruning = %+v, %v; want both", ns, err)
		}
		// Outbox after an ID that was pruned starts at the next one kept.
		after, err := tx.Outbox(ctx, "", f.ids["sent-old3"], 1)
		if err != nil || len(after) != 1 || after[0].Key != "sent-edge" {
			t.Errorf("outbox after pruned ID %d = %+v, %v; want sent-edge", f.ids["sent-old3"], after, err)
		}
		wantErr(t, "mark a pruned row", tx.MarkNotification(ctx, f.ids["dead-old1"], workflow.NoteSent, t0), workflow.ErrNotFound)
		audit, err := tx.Audit(ctx, 0, 0)
		if err != nil || len(audit) != 1 {
			t.Errorf("audit after pruning = %+v, %v; want its row", audit, err)
		}
		if _, err := tx.Fire(ctx, "s", pruneCut.Add(-time.Hour)); err != nil {
			t.Errorf("fire record after pruning: %v", err)
		}
		// A pruned key is free again, and the new row's ID is above every
		// ID ever handed out.
		id, err := tx.Enqueue(ctx, workflow.Notification{Key: "sent-old1", To: "p", Template: "remind", CreatedAt: t0})
		if err != nil || id <= f.ids["pending-deferred"] {
			t.Errorf("enqueue a pruned key = %d, %v; want an ID above %d", id, err, f.ids["pending-deferred"])
		}
		return nil
	})

	// A zero cutoff prunes nothing of its kind; a later one prunes the rest.
	in(t, s, func(tx workflow.Tx) error {
		c, err := tx.Prune(ctx, workflow.PruneBefore{Sent: t0}, 0)
		if err != nil || c != (workflow.PruneCount{Sent: 2}) {
			t.Errorf("prune sent only = %+v, %v; want the 2 sent rows", c, err)
		}
		return nil
	})
}

// testPruneRace: replicas pruning at once delete every expired row once
// between them, and none fails.
func testPruneRace(t *testing.T, s workflow.Store) {
	const rows, pruners = 60, 4
	old := pruneCut.Add(-time.Hour)
	in(t, s, func(tx workflow.Tx) error {
		for i := range rows {
			if err := tx.SaveIdempotency(ctx, workflow.Idempotency{Source: "lark-message", Key: fmt.Sprint(i), CreatedAt: old}); err != nil {
				return err
			}
			id, err := tx.Enqueue(ctx, workflow.Notification{Key: fmt.Sprintf("r%d", i), To: "p", Template: "remind", CreatedAt: old})
			if err != nil {
				return err
			}
			if err := tx.MarkNotification(ctx, id, workflow.NoteSent, old); err != nil {
				return err
			}
		}
		return nil
	})
	var mu sync.Mutex
	var total workflow.PruneCount
	var wg sync.WaitGroup
	for range pruners {
		wg.Go(func() {
			for {
				var c workflow.PruneCount
				err := s.InTx(ctx, func(tx workflow.Tx) error {
					var err error
					c, err = tx.Prune(ctx, workflow.PruneBefore{Idempotency: pruneCut, Sent: pruneCut, Dead: pruneCut}, 5)
					return err
				})
				if err != nil {
					t.Errorf("prune: %v", err)
					return
				}
				mu.Lock()
				total = total.Add(c)
				mu.Unlock()
				if c.Total() == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if want := (workflow.PruneCount{Idempotency: rows, Sent: rows}); total != want {
		t.Errorf("pruned %+v between %d pruners, want %+v", total, pruners, want)
	}
	in(t, s, func(tx workflow.Tx) error {
		if _, err := tx.Idempotency(ctx, "lark-message", "0"); err == nil {
			t.Errorf("an expired idempotency record is left")
		}
		if ns, err := tx.Outbox(ctx, "", 0, 0); err != nil || len(ns) != 0 {
			t.Errorf("left in the outbox: %+v, %v", ns, err)
		}
		return nil
	})
}
