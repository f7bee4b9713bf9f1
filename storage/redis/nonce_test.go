package redis

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/bot/webhook/noncetest"
	"github.com/kaohe/kaohe/clock"
)

// TestNonceStoreContract runs the NonceStore contract on Redis, each case
// under its own prefix.
func TestNonceStoreContract(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	noncetest.Run(t, func(t *testing.T) webhook.NonceStore {
		c := testClient(t, u)
		return NewNonceStore(c, testPrefix(t, c))
	})
}

// seen claims nonce with one fixed fingerprint and reports whether it was
// already held.
func seen(ctx context.Context, s webhook.NonceStore, nonce string, ttl time.Duration) (bool, error) {
	c, err := s.Claim(ctx, nonce, "fp", ttl)
	return c.State != webhook.ClaimFresh, err
}

// TestNonceStoreOldKeys: a nonce an older kaohe recorded as a plain string
// stays held after the upgrade.
func TestNonceStoreOldKeys(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	c := testClient(t, u)
	prefix := testPrefix(t, c)
	if err := c.rdb.Set(t.Context(), prefix+"old", 1, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	s := NewNonceStore(c, prefix)
	for _, call := range []func() (webhook.Claim, error){
		func() (webhook.Claim, error) { return s.Claim(t.Context(), "old", "fp", time.Minute) },
		func() (webhook.Claim, error) { return s.Peek(t.Context(), "old", "fp") },
	} {
		if got, err := call(); err != nil || got.State != webhook.ClaimConflict {
			t.Errorf("old key: %v, %v; want conflict", got.State, err)
		}
	}
	if err := s.Answer(t.Context(), "old", "fp", []byte("x")); err != nil {
		t.Errorf("Answer on an old key: %v, want a no-op", err)
	}
}

// TestNonceStore walks one store through sequences of claims.
func TestNonceStore(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	type call struct {
		nonce string
		ttl   time.Duration
		want  bool
	}
	tests := []struct {
		name  string
		calls []call
	}{
		{name: "NewThenSeen", calls: []call{
			{nonce: "n1", ttl: time.Minute, want: false},
			{nonce: "n1", ttl: time.Minute, want: true},
			{nonce: "n1", ttl: time.Minute, want: true},
		}},
		{name: "NoncesAreIndependent", calls: []call{
			{nonce: "n1", ttl: time.Minute, want: false},
			{nonce: "n2", ttl: time.Minute, want: false},
			{nonce: "n1", ttl: time.Minute, want: true},
		}},
		{name: "SubMillisecondTTLStillRecords", calls: []call{
			{nonce: "n1", ttl: time.Hour + time.Microsecond, want: false},
			{nonce: "n1", ttl: time.Minute, want: true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testClient(t, u)
			s := NewNonceStore(c, testPrefix(t, c))
			for i, cl := range tc.calls {
				got, err := seen(t.Context(), s, cl.nonce, cl.ttl)
				if err != nil {
					t.Fatalf("call %d: Claim(%q): %v", i, cl.nonce, err)
				}
				if got != cl.want {
					t.Errorf("call %d: Claim(%q) held = %v, want %v", i, cl.nonce, got, cl.want)
				}
			}
		})
	}
}

// TestNonceStoreErrors: a bad ttl is ErrNonceStore and records nothing; a
// done context is ctx.Err().
func TestNonceStoreErrors(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		ttl  time.Duration
		want error
	}{
		{name: "ZeroTTLErrNonceStore", ctx: context.Background(), ttl: 0, want: webhook.ErrNonceStore},
		{name: "NegativeTTLErrNonceStore", ctx: context.Background(), ttl: -time.Second, want: webhook.ErrNonceStore},
		{name: "CanceledContext", ctx: canceled, ttl: time.Minute, want: context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testClient(t, u)
			s := NewNonceStore(c, testPrefix(t, c))
			if _, err := s.Claim(tc.ctx, "n1", "fp", tc.ttl); !errors.Is(err, tc.want) {
				t.Errorf("Claim: err = %v, want %v", err, tc.want)
			}
			if held, err := seen(t.Context(), s, "n1", time.Minute); err != nil || held {
				t.Errorf("Claim after the failed call held = %v, %v; want false (nothing recorded)", held, err)
			}
		})
	}
}

// TestNonceStoreConcurrent: replicas (each its own client) racing with one
// nonce: exactly one of them sees it as new.
func TestNonceStoreConcurrent(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	tests := []struct {
		name             string
		clients, callers int // callers per client
	}{
		{name: "ExactlyOneNewOf3Clients", clients: 3, callers: 1},
		{name: "ExactlyOneNewOf5ClientsBy4", clients: 5, callers: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var prefix string
			stores := make([]*NonceStore, tc.clients)
			for i := range stores {
				c := testClient(t, u)
				if i == 0 {
					prefix = testPrefix(t, c)
				}
				stores[i] = NewNonceStore(c, prefix)
			}
			var (
				mu    sync.Mutex
				fresh int
				wg    sync.WaitGroup
			)
			start := make(chan struct{})
			for _, s := range stores {
				for range tc.callers {
					wg.Go(func() {
						<-start
						held, err := seen(t.Context(), s, "the-nonce", time.Minute)
						if err != nil {
							t.Errorf("Claim: %v", err)
							return
						}
						if !held {
							mu.Lock()
							fresh++
							mu.Unlock()
						}
					})
				}
			}
			close(start)
			wg.Wait()
			if fresh != 1 {
				t.Errorf("%d of %d concurrent claims found the nonce new, want exactly 1", fresh, tc.clients*tc.callers)
			}
		})
	}
}

// TestNonceStoreExpiry: a nonce is remembered for its ttl and then
// forgotten. Redis expires keys on its own clock, so the test reads the
// key's PTTL and, for a short ttl, waits for Redis to forget it.
func TestNonceStoreExpiry(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	tests := []struct {
		name   string
		ttl    time.Duration
		maxTTL time.Duration
		// forget waits for the nonce to expire and be new again.
		forget bool
	}{
		{name: "RememberedForTTL", ttl: 10 * time.Minute, maxTTL: 10 * time.Minute},
		{name: "SubMillisecondRoundsUp", ttl: 1500 * time.Microsecond, maxTTL: 2 * time.Millisecond},
		{name: "NewAgainAfterTTL", ttl: 20 * time.Millisecond, maxTTL: 20 * time.Millisecond, forget: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testClient(t, u)
			prefix := testPrefix(t, c)
			s := NewNonceStore(c, prefix)
			if held, err := seen(t.Context(), s, "n1", tc.ttl); err != nil || held {
				t.Fatalf("Claim held = %v, %v; want false", held, err)
			}
			ttl, err := c.rdb.PTTL(t.Context(), prefix+"n1").Result()
			if err != nil {
				t.Fatalf("PTTL: %v", err)
			}
			// -1 is a key without expiry; -2 (gone) is fine for a ttl
			// shorter than the round trip.
			if ttl == -1 || ttl > tc.maxTTL || (ttl <= 0 && tc.maxTTL > time.Second) {
				t.Errorf("PTTL = %v, want in (0, %v]", ttl, tc.maxTTL)
			}
			if !tc.forget {
				return
			}
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			giveUp := time.After(10 * time.Second)
			for {
				held, err := seen(t.Context(), s, "n1", time.Hour)
				if err != nil {
					t.Fatalf("Claim: %v", err)
				}
				if !held {
					return // forgotten, and now recorded again for an hour
				}
				select {
				case <-tick.C:
				case <-giveUp:
					t.Fatalf("nonce with ttl %v still seen after 10s", tc.ttl)
				}
			}
		})
	}
}

// TestNonceStorePrefixes: stores with different prefixes share nothing,
// and an empty prefix means the default.
func TestNonceStorePrefixes(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	c := testClient(t, u)
	if got := NewNonceStore(c, "").prefix; got != DefaultNoncePrefix {
		t.Errorf("default prefix = %q, want %q", got, DefaultNoncePrefix)
	}
	a, b := NewNonceStore(c, testPrefix(t, c)), NewNonceStore(c, testPrefix(t, c))
	if held, err := seen(t.Context(), a, "n1", time.Minute); err != nil || held {
		t.Fatalf("a: held = %v, %v; want false", held, err)
	}
	if held, err := seen(t.Context(), b, "n1", time.Minute); err != nil || held {
		t.Errorf("b: held = %v, %v; want false (another prefix)", held, err)
	}
}

// TestFallbackNonceStore: paired with webhook.FallbackNonceStore, a dead
// Redis does not stop callbacks; the in-process store answers instead.
func TestFallbackNonceStore(t *testing.T) {
	t.Parallel()
	c, err := Open("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer c.Close()
	var primaryErrs []error
	s := &webhook.FallbackNonceStore{
		Primary:        NewNonceStore(c, ""),
		Fallback:       webhook.NewMemoryNonceStore(clock.Real{}, 0),
		OnPrimaryError: func(err error) { primaryErrs = append(primaryErrs, err) },
	}
	for i, want := range []bool{false, true} {
		held, err := seen(t.Context(), s, "n1", time.Minute)
		if err != nil || held != want {
			t.Errorf("call %d: held = %v, %v; want %v", i, held, err, want)
		}
	}
	if len(primaryErrs) != 2 || !errors.Is(primaryErrs[0], webhook.ErrNonceStore) {
		t.Errorf("primary errors = %v, want 2 wrapping ErrNonceStore", primaryErrs)
	}
}
