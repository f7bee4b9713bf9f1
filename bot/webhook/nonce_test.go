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
	"github.com/kaohe/kaohe/clock"
)

// TestMemoryNonceStore: first sight is new, a repeat within ttl is seen,
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
				seen, err := s.Seen(t.Context(), st.nonce, st.ttl)
				if !errors.Is(err, st.err) {
					t.Fatalf("step %d Seen(%q): err = %v, want %v", i, st.nonce, err, st.err)
				}
				if seen != st.seen {
					t.Errorf("step %d Seen(%q) = %v, want %v", i, st.nonce, seen, st.seen)
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
	if _, err := s.Seen(ctx, "a", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Seen with canceled ctx: err = %v, want context.Canceled", err)
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
				seen, err := s.Seen(t.Context(), "shared-"+strconv.Itoa(i%50), time.Minute)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				if !seen {
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
			if _, err := s.Seen(t.Context(), strconv.Itoa(round)+"-"+strconv.Itoa(i), time.Minute); err != nil {
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
				seen, err := s.Seen(t.Context(), "n", time.Minute)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("call %d: err = %v, want %v", i, err, tc.wantErr)
				}
				if tc.wantSeen != nil && seen != tc.wantSeen[i] {
					t.Errorf("call %d: seen = %v, want %v", i, seen, tc.wantSeen[i])
				}
			}
			if outages != tc.wantOutages {
				t.Errorf("OnPrimaryError called %d times, want %d", outages, tc.wantOutages)
			}
		})
	}
}
