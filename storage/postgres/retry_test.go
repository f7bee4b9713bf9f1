package postgres_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kaohe/kaohe/storage/postgres"
	"github.com/kaohe/kaohe/workflow"
)

// rendezvous lets two transactions' first attempts wait for each other, so
// they overlap for certain; later attempts pass straight through.
type rendezvous struct {
	wg   sync.WaitGroup
	once [2]sync.Once
}

func newRendezvous() *rendezvous {
	r := &rendezvous{}
	r.wg.Add(2)
	return r
}

func (r *rendezvous) meet(i int) {
	r.once[i].Do(func() {
		r.wg.Done()
		r.wg.Wait()
	})
}

func isSerializationFailure(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func seedPeople(t *testing.T, s *postgres.Store, ids ...string) {
	t.Helper()
	if err := s.InTx(ctx, func(tx workflow.Tx) error {
		for _, id := range ids {
			if err := tx.CreatePerson(ctx, workflow.Person{ID: id}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSerializationRetry: two transactions that certainly overlap and
// conflict. PostgreSQL aborts one of them with a serialization failure;
// InTx runs it again and the caller never sees it.
func TestSerializationRetry(t *testing.T) {
	t.Parallel()
	t.Run("WriteSkewBothSucceed", func(t *testing.T) {
		t.Parallel()
		// Each reads both people and writes its own: serializable only
		// if one runs after the other, so one attempt is aborted.
		s, _ := newStore(t)
		seedPeople(t, s, "p0", "p1")
		r := newRendezvous()
		var calls atomic.Int32
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				errs[i] = s.InTx(ctx, func(tx workflow.Tx) error {
					calls.Add(1)
					ps, err := tx.People(ctx)
					if err != nil {
						return err
					}
					r.meet(i)
					me := ps[i]
					other := ps[1-i]
					me.Name, me.Version = fmt.Sprintf("saw %s@%d", other.ID, other.Version), me.Version+1
					return tx.UpdatePerson(ctx, me)
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("transaction %d: %v", i, err)
			}
		}
		if calls.Load() < 3 {
			t.Errorf("fn ran %d times: no attempt was retried, the test did not conflict", calls.Load())
		}
		// Serial order: the one that ran second saw the first's write.
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			ps, _ := tx.People(ctx)
			if ps[0].Name != "saw p1@2" && ps[1].Name != "saw p0@2" {
				t.Errorf("people = %+v: neither transaction saw the other's write", ps)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("CompareAndSetOneStale", func(t *testing.T) {
		t.Parallel()
		// Both read the pending step, then both decide it: one wins, the
		// other's retry finds it decided and gets ErrStale.
		s, _ := newStore(t)
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			return tx.CreateStep(ctx, workflow.Step{ID: "st", Assignee: "l", State: workflow.StepPending})
		}); err != nil {
			t.Fatal(err)
		}
		r := newRendezvous()
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				errs[i] = s.InTx(ctx, func(tx workflow.Tx) error {
					st, err := tx.Step(ctx, "st")
					if err != nil {
						return err
					}
					r.meet(i)
					st.State, st.Version = []string{workflow.StepApproved, workflow.StepReturned}[i], st.Version+1
					return tx.DecideStep(ctx, st, []string{"l"})
				})
			})
		}
		wg.Wait()
		wins, stale := 0, 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, workflow.ErrStale):
				stale++
			default:
				t.Errorf("decider %d: %v", i, err)
			}
			if isSerializationFailure(err) {
				t.Errorf("decider %d got a raw serialization failure: %v", i, err)
			}
		}
		if wins != 1 || stale != 1 {
			t.Errorf("%d won and %d were stale, want 1 and 1", wins, stale)
		}
	})
	t.Run("SwallowedConflictStillRetried", func(t *testing.T) {
		t.Parallel()
		// fn ignores the failed update and returns nil; the attempt is
		// void all the same, and the retry's update is what commits.
		s, schema := newStore(t)
		seedPeople(t, s, "p")
		var calls atomic.Int32
		err := s.InTx(ctx, func(tx workflow.Tx) error {
			n := calls.Add(1)
			p, err := tx.Person(ctx, "p")
			if err != nil {
				return err
			}
			if n == 1 {
				// Someone else changes p after our snapshot.
				if err := exec(t, schema, `UPDATE people SET name = 'other', version = 2 WHERE id = 'p'`); err != nil {
					t.Fatal(err)
				}
			}
			p.Name, p.Version = "mine", p.Version+1
			_ = tx.UpdatePerson(ctx, p)
			return nil
		})
		if err != nil || calls.Load() != 2 {
			t.Fatalf("InTx = %v after %d calls, want success on the second", err, calls.Load())
		}
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			p, err := tx.Person(ctx, "p")
			if p.Name != "mine" || p.Version != 3 {
				t.Errorf("person = %+v, %v; want the retry's write on top of the other one", p, err)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrBusyAfterRetries", func(t *testing.T) {
		t.Parallel()
		// Every attempt loses: InTx gives up with ErrBusy, commits
		// nothing, and hides the SQLSTATE.
		s, schema := newStore(t)
		seedPeople(t, s, "p")
		var calls atomic.Int32
		err := s.InTx(ctx, func(tx workflow.Tx) error {
			calls.Add(1)
			p, err := tx.Person(ctx, "p")
			if err != nil {
				return err
			}
			if err := exec(t, schema, `UPDATE people SET version = version + 1 WHERE id = 'p'`); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Enqueue(ctx, workflow.Notification{Key: "k", To: "p"}); err != nil {
				return err
			}
			p.Version++
			return tx.UpdatePerson(ctx, p)
		})
		if !errors.Is(err, postgres.ErrBusy) || isSerializationFailure(err) {
			t.Errorf("InTx = %v, want ErrBusy without the raw SQLSTATE", err)
		}
		if n := calls.Load(); n < 2 || n > 10 {
			t.Errorf("fn ran %d times, want a few retries and then a stop", n)
		}
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			ns, err := tx.Outbox(ctx, "", 0, 0)
			if len(ns) != 0 {
				t.Errorf("a failed transaction left %d notifications", len(ns))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTxUseAfterReturn: a Tx kept past its InTx is refused.
func TestTxUseAfterReturn(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	var kept workflow.Tx
	if err := s.InTx(ctx, func(tx workflow.Tx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.CreatePerson(ctx, workflow.Person{ID: "x"}); err == nil {
		t.Errorf("write through a finished Tx succeeded")
	}
	if _, err := kept.People(ctx); err == nil {
		t.Errorf("read through a finished Tx succeeded")
	}
}
