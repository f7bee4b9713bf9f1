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

// NonceStore remembers the nonces of accepted deliveries so that a captured
// request cannot be replayed. Implementations must be safe for concurrent
// use; a shared one (Redis SET NX PX) protects every replica at once.
type NonceStore interface {
	// Seen records nonce for ttl and reports whether it was already
	// recorded and not yet expired. Checking and recording are one atomic
	// step, so of two concurrent calls with the same nonce exactly one
	// gets false. On error the nonce's state is unknown and the caller
	// must refuse the request (fail closed); errors wrap ErrNonceStore,
	// or are ctx.Err() when ctx is done.
	Seen(ctx context.Context, nonce string, ttl time.Duration) (bool, error)
}

// ErrNonceStore is wrapped by NonceStore errors: the store could not say
// whether a nonce is new (backend down, store full, bad ttl).
var ErrNonceStore = errors.New("webhook: nonce store")

// FallbackNonceStore asks Primary and, when Primary fails (other than by
// the caller's context ending), asks Fallback instead. Pairing a shared
// Redis store with a MemoryNonceStore keeps callbacks answered while Redis
// is down (docs/reliability.md G12) at the price of per-replica protection for
// that time: a replay sent to another replica then passes this check and
// is stopped by the inbound_dedupe table in PostgreSQL, which keys on the
// event_id inside the replayed body. Without a fallback the guard fails
// closed and answers 503.
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

// Seen implements NonceStore. It returns Fallback's answer and error when
// Primary fails, and ctx.Err() when ctx is done.
func (s *FallbackNonceStore) Seen(ctx context.Context, nonce string, ttl time.Duration) (bool, error) {
	seen, err := s.Primary.Seen(ctx, nonce, ttl)
	if err == nil {
		return seen, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if s.OnPrimaryError != nil {
		s.OnPrimaryError(err)
	}
	seen, ferr := s.Fallback.Seen(ctx, nonce, ttl)
	if ferr != nil {
		return false, fmt.Errorf("fallback after %v: %w", err, ferr)
	}
	return seen, nil
}

// DefaultNonceCapacity is the default MemoryNonceStore size: ten minutes of
// nonces at more than 150 deliveries a second, far above what one app's
// callbacks reach, in about 15 MB at most.
const DefaultNonceCapacity = 100_000

// MemoryNonceStore is an in-process NonceStore for one replica and for
// tests. It holds at most its capacity of unexpired nonces; when full it
// fails closed (ErrNonceStore) rather than forget a nonce early, which would
// reopen the replay window.
type MemoryNonceStore struct {
	clk      clock.Clock
	capacity int

	mu      sync.Mutex
	expires map[string]time.Time
	queue   expiryHeap
}

var _ NonceStore = (*MemoryNonceStore)(nil)

// NewMemoryNonceStore returns an empty store on clk holding at most
// capacity nonces; capacity < 1 means DefaultNonceCapacity.
func NewMemoryNonceStore(clk clock.Clock, capacity int) *MemoryNonceStore {
	if capacity < 1 {
		capacity = DefaultNonceCapacity
	}
	return &MemoryNonceStore{clk: clk, capacity: capacity, expires: make(map[string]time.Time)}
}

// Seen implements NonceStore. It fails with ErrNonceStore when ttl is not
// positive or the store is full of unexpired nonces, and with ctx.Err()
// when ctx is done.
func (s *MemoryNonceStore) Seen(ctx context.Context, nonce string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if ttl <= 0 {
		return false, fmt.Errorf("%w: ttl %v is not positive", ErrNonceStore, ttl)
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(now)
	if _, ok := s.expires[nonce]; ok {
		return true, nil
	}
	if len(s.expires) >= s.capacity {
		return false, fmt.Errorf("%w: full (%d unexpired nonces)", ErrNonceStore, s.capacity)
	}
	at := now.Add(ttl)
	s.expires[nonce] = at
	heap.Push(&s.queue, expiry{nonce: nonce, at: at})
	return false, nil
}

// Len returns the number of nonces held, expired ones included until the
// next Seen drops them.
func (s *MemoryNonceStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.expires)
}

// expireLocked drops every nonce whose time is up. Each nonce has exactly
// one heap entry (a nonce is re-added only after its entry was popped), so
// the map and the heap stay the same size.
func (s *MemoryNonceStore) expireLocked(now time.Time) {
	for len(s.queue) > 0 && !s.queue[0].at.After(now) {
		e := heap.Pop(&s.queue).(expiry)
		delete(s.expires, e.nonce)
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
