package webhook_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/bot/webhook/noncetest"
	"github.com/kaohe/kaohe/clock"
)

// TestMemoryNonceStoreContract runs the NonceStore contract on the
// in-process store.
func TestMemoryNonceStoreContract(t *testing.T) {
	t.Parallel()
	noncetest.Run(t, func(*testing.T) webhook.NonceStore { return webhook.NewMemoryNonceStore(clock.NewFake(t0), 100) })
}

// seen claims nonce with one fixed fingerprint and reports whether it was
// already held: the old Seen, which the expiry and capacity tests need.
func seen(ctx context.Context, s webhook.NonceStore, nonce string, ttl time.Duration) (bool, error) {
	c, err := s.Claim(ctx, nonce, "fp", ttl)
	return c.State != webhook.ClaimFresh, err
}

// TestMemoryNonceStore: first sight is new, a repeat within ttl is held,
// after ttl the nonce is forgotten, and the store never holds more than its
// capacity.
func TestMemoryNonceStore(t *testing.T) {
	t.Parallel()
	type step struct {
		advance time.Duration
		nonce   string
		ttl     time.Duration
		seen    bool
		err     error
	}
	tests := []struct {
		name     string
		capacity int
		steps    []step
	}{
		{name: "FirstThenRepeat", capacity: 10, steps: []step{
			{nonce: "a", ttl: time.Minute, seen: false},
			{nonce: "a", ttl: time.Minute, seen: true},
			{nonce: "b", ttl: time.Minute, seen: false},
		}},
		{name: "RepeatJustBeforeExpiry", capacity: 10, steps: []step{
			{nonce: "a", ttl: time.Minute, seen: false},
			{advance: time.Minute - time.Nanosecond, nonce: "a", ttl: time.Minute, seen: true},
		}},
		{name: "ForgottenAtExpiry", capacity: 10, steps: []step{
			{nonce: "a", ttl: time.Minute, seen: false},
			{advance: time.Minute, nonce: "a", ttl: time.Minute, seen: false},
			{nonce: "a", ttl: time.Minute, seen: true},
		}},
		{name: "FullFailsClosed", capacity: 2, steps: []step{
			{nonce: "a", ttl: time.Minute},
			{nonce: "b", ttl: time.Minute},
			{nonce: "c", ttl: time.Minute, err: webhook.ErrNonceStore},
			{nonce: "a", ttl: time.Minute, seen: true},
		}},
		{name: "FullFreesOnExpiry", capacity: 2, steps: []step{
			{nonce: "a", ttl: time.Minute},
			{advance: 30 * time.Second, nonce: "b", ttl: time.Minute},
			{advance: 30 * time.Second, nonce: "c", ttl: time.Minute},
			{nonce: "b", ttl: time.Minute, seen: true},
		}},
		{name: "MixedTTLs", capacity: 10, steps: []step{
			{nonce: "long", ttl: time.Hour},
			{nonce: "short", ttl: time.Second},
			{advance: time.Second, nonce: "short", ttl: time.Second, seen: false},
			{nonce: "long", ttl: time.Hour, seen: true},
		}},
		{name: "NonPositiveTTL", capacity: 10, steps: []step{
			{nonce: "a", ttl: 0, err: webhook.ErrNonceStore},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			s := webhook.NewMemoryNonceStore(clk, tc.capacity)
			for i, st := range tc.steps {
				clk.Advance(st.advance)
				got, err := seen(t.Context(), s, st.nonce, st.ttl)
				if !errors.Is(err, st.err) {
					t.Fatalf("step %d Claim(%q): err = %v, want %v", i, st.nonce, err, st.err)
				}
				if got != st.seen {
					t.Errorf("step %d Claim(%q) held = %v, want %v", i, st.nonce, got, st.seen)
				}
				if n := s.Len(); n > tc.capacity {
					t.Errorf("step %d: Len = %d, above capacity %d", i, n, tc.capacity)
				}
			}
		})
	}
}

// TestMemoryNonceStoreCanceled: a done context is refused, not guessed.
func TestMemoryNonceStoreCanceled(t *testing.T) {
	t.Parallel()
	s := webhook.NewMemoryNonceStore(clock.NewFake(t0), 10)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Claim(ctx, "a", "fp", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Claim with canceled ctx: err = %v, want context.Canceled", err)
	}
}

// TestMemoryNonceStoreConcurrent: of many concurrent calls with the same
// nonce exactly one is new, and the store stays bounded while time moves.
func TestMemoryNonceStoreConcurrent(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	s := webhook.NewMemoryNonceStore(clk, 1000)
	var fresh atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				held, err := seen(t.Context(), s, "shared-"+strconv.Itoa(i%50), time.Minute)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				if !held {
					fresh.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := fresh.Load(); n != 50 {
		t.Errorf("%d calls saw a nonce as new, want 50 (one per nonce)", n)
	}
	// Ten TTLs of 100 fresh nonces each: the store holds one TTL's worth.
	for round := range 10 {
		for i := range 100 {
			if _, err := seen(t.Context(), s, strconv.Itoa(round)+"-"+strconv.Itoa(i), time.Minute); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		clk.Advance(time.Minute)
	}
	if n := s.Len(); n > 100 {
		t.Errorf("Len = %d after ten TTLs, want ≤ 100", n)
	}
}

// TestFallbackNonceStore: while the primary is down the fallback answers;
// when both fail the error says so.
func TestFallbackNonceStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		primary     webhook.NonceStore
		fallback    webhook.NonceStore
		wantSeen    []bool // for three calls with one nonce
		wantErr     error
		wantOutages int
	}{
		{name: "PrimaryUp", primary: webhook.NewMemoryNonceStore(clock.NewFake(t0), 10), fallback: failingStore{},
			wantSeen: []bool{false, true, true}},
		{name: "PrimaryDown", primary: failingStore{}, fallback: webhook.NewMemoryNonceStore(clock.NewFake(t0), 10),
			wantSeen: []bool{false, true, true}, wantOutages: 3},
		{name: "BothDown", primary: failingStore{}, fallback: failingStore{},
			wantErr: webhook.ErrNonceStore, wantOutages: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			outages := 0
			s := &webhook.FallbackNonceStore{Primary: tc.primary, Fallback: tc.fallback, OnPrimaryError: func(error) { outages++ }}
			for i := range 3 {
				held, err := seen(t.Context(), s, "n", time.Minute)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("call %d: err = %v, want %v", i, err, tc.wantErr)
				}
				if tc.wantSeen != nil && held != tc.wantSeen[i] {
					t.Errorf("call %d: held = %v, want %v", i, held, tc.wantSeen[i])
				}
			}
			if outages != tc.wantOutages {
				t.Errorf("OnPrimaryError called %d times, want %d", outages, tc.wantOutages)
			}
		})
	}
}

// TestFallbackNonceStoreAnswers: an answer reaches the store that made the
// claim when the primary was down at the claim, whether or not it is back
// for the answer. A primary that fails between claim and answer loses the
// answer: a copy of the delivery then finds it pending (409) until the
// nonce expires, which costs a redelivery its shortcut, never a replay.
func TestFallbackNonceStoreAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                      string
		downAtClaim, downAtAnswer bool
		want                      webhook.ClaimState
	}{
		{name: "UpThroughout", want: webhook.ClaimAnswered},
		{name: "DownThroughout", downAtClaim: true, downAtAnswer: true, want: webhook.ClaimAnswered},
		{name: "BackBeforeTheAnswer", downAtClaim: true, want: webhook.ClaimAnswered},
		{name: "DownBeforeTheAnswer", downAtAnswer: true, want: webhook.ClaimPending},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			primary := &switchable{NonceStore: webhook.NewMemoryNonceStore(clock.NewFake(t0), 10)}
			s := &webhook.FallbackNonceStore{Primary: primary, Fallback: webhook.NewMemoryNonceStore(clock.NewFake(t0), 10)}
			ctx := t.Context()
			primary.down = tc.downAtClaim
			if c, err := s.Claim(ctx, "n", "fp", time.Minute); err != nil || c.State != webhook.ClaimFresh {
				t.Fatalf("Claim = %v, %v; want fresh", c.State, err)
			}
			primary.down = tc.downAtAnswer
			if err := s.Answer(ctx, "n", "fp", []byte("ok")); err != nil {
				t.Fatalf("Answer: %v", err)
			}
			primary.down = tc.downAtClaim
			c, err := s.Claim(ctx, "n", "fp", time.Minute)
			if err != nil || c.State != tc.want || (tc.want == webhook.ClaimAnswered && string(c.Answer) != "ok") {
				t.Errorf("Claim again = %v %q, %v; want %v", c.State, c.Answer, err, tc.want)
			}
		})
	}
}

// switchable is a store that can be switched off.
type switchable struct {
	webhook.NonceStore
	down bool
}

func (s *switchable) Claim(ctx context.Context, nonce, fp string, ttl time.Duration) (webhook.Claim, error) {
	if s.down {
		return failingStore{}.Claim(ctx, nonce, fp, ttl)
	}
	return s.NonceStore.Claim(ctx, nonce, fp, ttl)
}

func (s *switchable) Answer(ctx context.Context, nonce, fp string, answer []byte) error {
	if s.down {
		return failingStore{}.Answer(ctx, nonce, fp, answer)
	}
	return s.NonceStore.Answer(ctx, nonce, fp, answer)
}
