// Package noncetest is the contract every webhook.NonceStore meets: the
// in-process MemoryNonceStore and the Redis store in storage/redis. A
// store's test calls Run with a constructor that returns a fresh, empty
// store per call. Expiry is left to each store's own tests: the memory
// store ages on a fake clock, Redis on its own.
package noncetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/webhook"
)

// ttl is long enough that nothing expires during a test.
const ttl = time.Hour

// Run runs the contract against stores made by open.
func Run(t *testing.T, open func(t *testing.T) webhook.NonceStore) {
	t.Helper()
	t.Run("Sequences", func(t *testing.T) { t.Parallel(); testSequences(t, open) })
	t.Run("AnswerIsKeptByteForByte", func(t *testing.T) { t.Parallel(); testAnswerBytes(t, open) })
	t.Run("BadTTL", func(t *testing.T) { t.Parallel(); testBadTTL(t, open) })
	t.Run("CanceledContext", func(t *testing.T) { t.Parallel(); testCanceled(t, open) })
	t.Run("ConcurrentClaims", func(t *testing.T) { t.Parallel(); testConcurrent(t, open) })
}

// op is one call in a sequence.
type op struct {
	call   string // claim, peek, answer, release
	nonce  string
	fp     string
	answer string
	want   webhook.ClaimState // for claim and peek
	// wantAnswer is the Claim.Answer expected with ClaimAnswered.
	wantAnswer string
}

func testSequences(t *testing.T, open func(t *testing.T) webhook.NonceStore) {
	tests := []struct {
		name string
		ops  []op
	}{
		{name: "FirstSightIsFresh", ops: []op{
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "claim", nonce: "n2", fp: "a", want: webhook.ClaimFresh},
		}},
		{name: "SameBytesWhileRunningArePending", ops: []op{
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimPending},
			{call: "peek", nonce: "n1", fp: "a", want: webhook.ClaimPending},
		}},
		{name: "SameBytesAfterAnswerGetTheAnswer", ops: []op{
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "answer", nonce: "n1", fp: "a", answer: `{"s":200}`},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimAnswered, wantAnswer: `{"s":200}`},
			{call: "peek", nonce: "n1", fp: "a", want: webhook.ClaimAnswered, wantAnswer: `{"s":200}`},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimAnswered, wantAnswer: `{"s":200}`},
		}},
		{name: "OtherBytesConflictInEveryState", ops: []op{
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "claim", nonce: "n1", fp: "b", want: webhook.ClaimConflict},
			{call: "peek", nonce: "n1", fp: "b", want: webhook.ClaimConflict},
			{call: "release", nonce: "n1", fp: "a"},
			{call: "claim", nonce: "n1", fp: "b", want: webhook.ClaimConflict},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "answer", nonce: "n1", fp: "a", answer: "x"},
			{call: "claim", nonce: "n1", fp: "b", want: webhook.ClaimConflict},
		}},
		{name: "ReleasedBytesMayBeClaimedAgainOnce", ops: []op{
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "release", nonce: "n1", fp: "a"},
			{call: "peek", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimPending},
		}},
		{name: "PeekRecordsNothing", ops: []op{
			{call: "peek", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "claim", nonce: "n1", fp: "b", want: webhook.ClaimFresh},
		}},
		{name: "AnswerAndReleaseByOthersChangeNothing", ops: []op{
			{call: "answer", nonce: "n1", fp: "a", answer: "x"},
			{call: "release", nonce: "n1", fp: "a"},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "answer", nonce: "n1", fp: "b", answer: "x"},
			{call: "release", nonce: "n1", fp: "b"},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimPending},
		}},
		{name: "AnAnswerIsFinal", ops: []op{
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimFresh},
			{call: "answer", nonce: "n1", fp: "a", answer: "first"},
			{call: "answer", nonce: "n1", fp: "a", answer: "second"},
			{call: "release", nonce: "n1", fp: "a"},
			{call: "claim", nonce: "n1", fp: "a", want: webhook.ClaimAnswered, wantAnswer: "first"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			for i, o := range tc.ops {
				ctx := context.Background()
				var (
					c   webhook.Claim
					err error
				)
				switch o.call {
				case "claim":
					c, err = s.Claim(ctx, o.nonce, o.fp, ttl)
				case "peek":
					c, err = s.Peek(ctx, o.nonce, o.fp)
				case "answer":
					err = s.Answer(ctx, o.nonce, o.fp, []byte(o.answer))
				case "release":
					err = s.Release(ctx, o.nonce, o.fp)
				}
				if err != nil {
					t.Fatalf("op %d %s(%s, %s): %v", i, o.call, o.nonce, o.fp, err)
				}
				if o.call != "claim" && o.call != "peek" {
					continue
				}
				if c.State != o.want {
					t.Errorf("op %d %s(%s, %s) = %v, want %v", i, o.call, o.nonce, o.fp, c.State, o.want)
				}
				if c.State == webhook.ClaimAnswered && string(c.Answer) != o.wantAnswer {
					t.Errorf("op %d %s(%s, %s): answer %q, want %q", i, o.call, o.nonce, o.fp, c.Answer, o.wantAnswer)
				}
			}
		})
	}
}

// testAnswerBytes: an answer with every byte value and a 30 KB card comes
// back unchanged.
func testAnswerBytes(t *testing.T, open func(t *testing.T) webhook.NonceStore) {
	s := open(t)
	ctx := context.Background()
	var all []byte
	for i := range 256 {
		all = append(all, byte(i))
	}
	big := make([]byte, 30<<10)
	for i := range big {
		big[i] = "{}\"\\ab卡"[i%9]
	}
	for i, want := range [][]byte{all, big, {}} {
		nonce := fmt.Sprint("n", i)
		if _, err := s.Claim(ctx, nonce, "fp", ttl); err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(ctx, nonce, "fp", want); err != nil {
			t.Fatal(err)
		}
		c, err := s.Claim(ctx, nonce, "fp", ttl)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != webhook.ClaimAnswered || string(c.Answer) != string(want) {
			t.Errorf("answer %d: state %v, %d bytes back, want answered with the %d bytes stored", i, c.State, len(c.Answer), len(want))
		}
	}
}

// testBadTTL: a ttl that is not positive is ErrNonceStore and records
// nothing.
func testBadTTL(t *testing.T, open func(t *testing.T) webhook.NonceStore) {
	s := open(t)
	for _, d := range []time.Duration{0, -time.Second} {
		if _, err := s.Claim(context.Background(), "n1", "a", d); !errors.Is(err, webhook.ErrNonceStore) {
			t.Errorf("Claim with ttl %v: err = %v, want ErrNonceStore", d, err)
		}
	}
	if c, err := s.Claim(context.Background(), "n1", "b", ttl); err != nil || c.State != webhook.ClaimFresh {
		t.Errorf("Claim after the refused ones = %v, %v; want fresh (nothing recorded)", c.State, err)
	}
}

// testCanceled: a done context is its error, never a guess.
func testCanceled(t *testing.T, open func(t *testing.T) webhook.NonceStore) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Claim(ctx, "n1", "a", ttl); !errors.Is(err, context.Canceled) {
		t.Errorf("Claim: err = %v, want context.Canceled", err)
	}
	if _, err := s.Peek(ctx, "n1", "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Peek: err = %v, want context.Canceled", err)
	}
	if err := s.Answer(ctx, "n1", "a", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Answer: err = %v, want context.Canceled", err)
	}
	if err := s.Release(ctx, "n1", "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Release: err = %v, want context.Canceled", err)
	}
}

// testConcurrent: of many concurrent claims of one nonce, by the same or
// by different bytes, exactly one is fresh.
func testConcurrent(t *testing.T, open func(t *testing.T) webhook.NonceStore) {
	s := open(t)
	var (
		mu    sync.Mutex
		fresh int
		wg    sync.WaitGroup
	)
	start := make(chan struct{})
	for i := range 16 {
		wg.Go(func() {
			<-start
			c, err := s.Claim(context.Background(), "shared", fmt.Sprint("fp", i%2), ttl)
			if err != nil {
				t.Errorf("Claim: %v", err)
				return
			}
			if c.State == webhook.ClaimFresh {
				mu.Lock()
				fresh++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if fresh != 1 {
		t.Errorf("%d of 16 concurrent claims were fresh, want exactly 1", fresh)
	}
}
