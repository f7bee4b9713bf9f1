package webhook

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kaohe/kaohe/clock"
)

// NonceStore remembers the nonces of signed deliveries, each with the
// fingerprint of the delivery that holds it and, once that delivery was
// answered with a 2xx, the answer. It is how the guard tells a replay (a
// nonce reused with another timestamp or body: refused) from a redelivery
// of the very same bytes (answered again from the store), see the package
// comment.
//
// Implementations must be safe for concurrent use, and every method is
// one atomic step: of two concurrent Claims of a new nonce exactly one gets
// ClaimFresh. A shared store (Redis) protects every replica at once; the
// contract every implementation meets is package noncetest's.
//
// Errors wrap ErrNonceStore (backend down, store full, bad ttl), or are
// ctx.Err() when ctx is done. After an error the nonce's state is unknown
// and the guard refuses the request (fail closed).
type NonceStore interface {
	// Claim records, for ttl from now, that the delivery with fingerprint
	// fp holds nonce, unless the nonce is already held, and reports what
	// the store knew:
	//   - ClaimFresh: nonce unknown (now held by fp, pending), or held by
	//     fp after a failed attempt (Release; pending again, ttl unchanged):
	//     process the delivery;
	//   - ClaimAnswered: held by fp and answered; Claim.Answer is the answer;
	//   - ClaimPending: held by fp and still being processed;
	//   - ClaimConflict: held by another fingerprint.
	Claim(ctx context.Context, nonce, fp string, ttl time.Duration) (Claim, error)
	// Peek reports what Claim would, recording nothing; ClaimFresh then
	// means only "nothing to answer from the store".
	Peek(ctx context.Context, nonce, fp string) (Claim, error)
	// Answer stores the answer of the pending delivery fp holding nonce.
	// It does nothing when the nonce has expired, is held by another
	// fingerprint, or is not pending.
	Answer(ctx context.Context, nonce, fp string, answer []byte) error
	// Release marks the pending delivery fp holding nonce as failed, so
	// that the same bytes may be claimed again while the nonce is
	// remembered. It does nothing in the cases Answer does nothing.
	Release(ctx context.Context, nonce, fp string) error
}

// ClaimState is what a NonceStore knew about a nonce.
type ClaimState int

// Claim states; see NonceStore.Claim.
const (
	ClaimFresh ClaimState = iota
	ClaimAnswered
	ClaimPending
	ClaimConflict
)

// String names the state, for logs and test failures.
func (s ClaimState) String() string {
	switch s {
	case ClaimFresh:
		return "fresh"
	case ClaimAnswered:
		return "answered"
	case ClaimPending:
		return "pending"
	case ClaimConflict:
		return "conflict"
	}
	return fmt.Sprintf("ClaimState(%d)", int(s))
}

// Claim is a NonceStore's answer about one nonce.
type Claim struct {
	State ClaimState
	// Answer is the stored answer when State is ClaimAnswered.
	Answer []byte
}

// ErrNonceStore is wrapped by NonceStore errors: the store could not say
// whether a nonce is new (backend down, store full, bad ttl).
var ErrNonceStore = errors.New("webhook: nonce store")

// FallbackNonceStore asks Primary and, when Primary fails (other than by
// the caller's context ending), asks Fallback instead. Pairing a shared
// Redis store with a MemoryNonceStore keeps callbacks answered while Redis
// is down (docs/reliability.md G12) at the price of per-replica protection
// for that time: a replay sent to another replica then passes this check
// and is stopped by the inbound_dedupe table in PostgreSQL, which keys on
// the event_id inside the replayed body. Without a fallback the guard
// fails closed and answers 503.
//
// Answer and Release go to both stores (each ignores a nonce it does not
// hold), so the answer lands wherever the claim was made even if Primary
// came back or went away in between.
type FallbackNonceStore struct {
	// Primary is the shared store.
	Primary NonceStore
	// Fallback is used while Primary fails.
	Fallback NonceStore
	// OnPrimaryError, if set, is called with each Primary error, so that
	// the outage is logged or counted.
	OnPrimaryError func(error)
}

var _ NonceStore = (*FallbackNonceStore)(nil)

// Claim implements NonceStore. It returns Fallback's answer and error when
// Primary fails, and ctx.Err() when ctx is done.
func (s *FallbackNonceStore) Claim(ctx context.Context, nonce, fp string, ttl time.Duration) (Claim, error) {
	return s.ask(ctx, func(st NonceStore) (Claim, error) { return st.Claim(ctx, nonce, fp, ttl) })
}

// Peek implements NonceStore like Claim.
func (s *FallbackNonceStore) Peek(ctx context.Context, nonce, fp string) (Claim, error) {
	return s.ask(ctx, func(st NonceStore) (Claim, error) { return st.Peek(ctx, nonce, fp) })
}

// Answer implements NonceStore: both stores get the answer; only
// Fallback's error is returned.
func (s *FallbackNonceStore) Answer(ctx context.Context, nonce, fp string, answer []byte) error {
	return s.both(ctx, func(st NonceStore) error { return st.Answer(ctx, nonce, fp, answer) })
}

// Release implements NonceStore like Answer.
func (s *FallbackNonceStore) Release(ctx context.Context, nonce, fp string) error {
	return s.both(ctx, func(st NonceStore) error { return st.Release(ctx, nonce, fp) })
}

func (s *FallbackNonceStore) ask(ctx context.Context, call func(NonceStore) (Claim, error)) (Claim, error) {
	c, err := call(s.Primary)
	if err == nil {
		return c, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return Claim{}, ctxErr
	}
	s.primaryFailed(err)
	c, ferr := call(s.Fallback)
	if ferr != nil {
		return Claim{}, fmt.Errorf("fallback after %v: %w", err, ferr)
	}
	return c, nil
}

func (s *FallbackNonceStore) both(ctx context.Context, call func(NonceStore) error) error {
	if err := call(s.Primary); err != nil && ctx.Err() == nil {
		s.primaryFailed(err)
	}
	return call(s.Fallback)
}

func (s *FallbackNonceStore) primaryFailed(err error) {
	if s.OnPrimaryError != nil {
		s.OnPrimaryError(err)
	}
}

// DefaultNonceCapacity is the default MemoryNonceStore size: ten minutes of
// deliveries at more than 150 a second, far above what one app's events
// and callbacks reach. An entry holds a nonce, a fingerprint and the
// answer: "{}" or a toast for most, a replacement card (≤ 30 KB) for a
// card callback, so a store filled with card answers could reach a few GB;
// real traffic (one click per person and minute at most) keeps it to a
// few MB.
const DefaultNonceCapacity = 100_000

// MemoryNonceStore is an in-process NonceStore for one replica and for
// tests. It holds at most its capacity of unexpired nonces; when full it
// fails closed (ErrNonceStore) rather than forget a nonce early, which would
// reopen the replay window.
type MemoryNonceStore struct {
	clk      clock.Clock
	capacity int

	mu      sync.Mutex
	entries map[string]*memEntry
	queue   expiryHeap
}

// memEntry is one remembered nonce.
type memEntry struct {
	fp     string
	state  entryState
	answer []byte
}

// entryState is a held nonce's delivery: being processed, answered, or
// failed (claimable again by the same fingerprint).
type entryState int

const (
	entryPending entryState = iota
	entryAnswered
	entryFailed
)

var _ NonceStore = (*MemoryNonceStore)(nil)

// NewMemoryNonceStore returns an empty store on clk holding at most
// capacity nonces; capacity < 1 means DefaultNonceCapacity.
func NewMemoryNonceStore(clk clock.Clock, capacity int) *MemoryNonceStore {
	if capacity < 1 {
		capacity = DefaultNonceCapacity
	}
	return &MemoryNonceStore{clk: clk, capacity: capacity, entries: make(map[string]*memEntry)}
}

// Claim implements NonceStore. It fails with ErrNonceStore when ttl is not
// positive or the store is full of unexpired nonces, and with ctx.Err()
// when ctx is done.
func (s *MemoryNonceStore) Claim(ctx context.Context, nonce, fp string, ttl time.Duration) (Claim, error) {
	if err := ctx.Err(); err != nil {
		return Claim{}, err
	}
	if ttl <= 0 {
		return Claim{}, fmt.Errorf("%w: ttl %v is not positive", ErrNonceStore, ttl)
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(now)
	if e, ok := s.entries[nonce]; ok {
		c := e.claim(fp)
		if c.State == ClaimFresh {
			e.state = entryPending // a failed attempt's bytes, claimed again
		}
		return c, nil
	}
	if len(s.entries) >= s.capacity {
		return Claim{}, fmt.Errorf("%w: full (%d unexpired nonces)", ErrNonceStore, s.capacity)
	}
	at := now.Add(ttl)
	s.entries[nonce] = &memEntry{fp: fp, state: entryPending}
	heap.Push(&s.queue, expiry{nonce: nonce, at: at})
	return Claim{State: ClaimFresh}, nil
}

// Peek implements NonceStore.
func (s *MemoryNonceStore) Peek(ctx context.Context, nonce, fp string) (Claim, error) {
	if err := ctx.Err(); err != nil {
		return Claim{}, err
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(now)
	if e, ok := s.entries[nonce]; ok {
		return e.claim(fp), nil
	}
	return Claim{State: ClaimFresh}, nil
}

// Answer implements NonceStore. The answer is copied.
func (s *MemoryNonceStore) Answer(ctx context.Context, nonce, fp string, answer []byte) error {
	return s.settle(ctx, nonce, fp, func(e *memEntry) {
		e.state, e.answer = entryAnswered, append([]byte(nil), answer...)
	})
}

// Release implements NonceStore.
func (s *MemoryNonceStore) Release(ctx context.Context, nonce, fp string) error {
	return s.settle(ctx, nonce, fp, func(e *memEntry) { e.state = entryFailed })
}

// settle applies set to the pending entry fp holds for nonce, if any.
func (s *MemoryNonceStore) settle(ctx context.Context, nonce, fp string, set func(*memEntry)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(now)
	if e, ok := s.entries[nonce]; ok && e.fp == fp && e.state == entryPending {
		set(e)
	}
	return nil
}

// claim is what the entry means to a delivery with fingerprint fp.
func (e *memEntry) claim(fp string) Claim {
	switch {
	case e.fp != fp:
		return Claim{State: ClaimConflict}
	case e.state == entryAnswered:
		return Claim{State: ClaimAnswered, Answer: append([]byte(nil), e.answer...)}
	case e.state == entryPending:
		return Claim{State: ClaimPending}
	}
	return Claim{State: ClaimFresh}
}

// Len returns the number of nonces held, expired ones included until the
// next call drops them.
func (s *MemoryNonceStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// expireLocked drops every nonce whose time is up. Each nonce has exactly
// one heap entry (a nonce is re-added only after its entry was popped), so
// the map and the heap stay the same size.
func (s *MemoryNonceStore) expireLocked(now time.Time) {
	for len(s.queue) > 0 && !s.queue[0].at.After(now) {
		e := heap.Pop(&s.queue).(expiry)
		delete(s.entries, e.nonce)
	}
}

// expiry is one nonce's expiry time.
type expiry struct {
	nonce string
	at    time.Time
}

// expiryHeap is a min-heap by expiry time (container/heap).
type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
