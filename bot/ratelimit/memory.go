package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kaohe/kaohe/clock"
)

// Memory is an in-process Limiter: GCRA at burst 1 on an injected clock. It
// is exact for the goroutines of one process and shares nothing with other
// processes, so it serves a single replica, tests and the demo; replicas
// need the Redis implementation. It never returns ErrUnavailable.
type Memory struct {
	clk clock.Clock

	mu sync.Mutex
	// tat is each (key, limit)'s theoretical arrival time: the earliest
	// instant its next event is allowed. At burst 1 GCRA allows an event
	// iff now ≥ tat, and then sets tat = now + interval.
	tat map[cell]time.Time
	// penalty is each penalized key's end of penalty.
	penalty map[string]time.Time
	// sweepAt is the size at which expired state is next dropped, so that
	// a stream of new chats cannot grow the maps without bound.
	sweepAt int
}

// cell is one limit of one key: a key with two limits has two GCRA states.
type cell struct {
	name  string
	limit Limit
}

var _ Limiter = (*Memory)(nil)

// minSweep is the smallest map size worth sweeping.
const minSweep = 1024

// NewMemory returns an in-process limiter on clk (nil means clock.Real{}).
func NewMemory(clk clock.Clock) *Memory {
	if clk == nil {
		clk = clock.Real{}
	}
	return &Memory{clk: clk, tat: make(map[cell]time.Time), penalty: make(map[string]time.Time), sweepAt: minSweep}
}

// Allow implements Limiter. Its errors are ErrInvalid (wrapped) and
// ctx.Err().
func (m *Memory) Allow(ctx context.Context, keys ...Key) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if len(keys) == 0 {
		return Result{}, fmt.Errorf("allow: %w: no keys", ErrInvalid)
	}
	for _, k := range keys {
		if err := k.validate(); err != nil {
			return Result{}, fmt.Errorf("allow: %w", err)
		}
	}
	now := m.clk.Now()
	m.mu.Lock()
	defer m.mu.Unlock()

	var worst Result
	for _, k := range keys {
		if end, ok := m.penalty[k.Name]; ok && end.After(now) {
			if w := end.Sub(now); w > worst.RetryAfter {
				worst = Result{RetryAfter: w, Key: k.Name, Penalized: true}
			}
		}
		for _, l := range k.Limits {
			if tat, ok := m.tat[cell{k.Name, l}]; ok && tat.After(now) {
				if w := tat.Sub(now); w > worst.RetryAfter {
					worst = Result{RetryAfter: w, Key: k.Name}
				}
			}
		}
	}
	if worst.RetryAfter > 0 {
		return worst, nil
	}
	// Every limit allows it: count it on all of them.
	for _, k := range keys {
		for _, l := range k.Limits {
			m.tat[cell{k.Name, l}] = now.Add(l.Interval())
		}
	}
	m.sweepLocked(now)
	return Result{Allowed: true}, nil
}

// Penalize implements Limiter. Its errors are ErrInvalid (wrapped) and
// ctx.Err().
func (m *Memory) Penalize(ctx context.Context, key Key, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := key.validate(); err != nil {
		return fmt.Errorf("penalize: %w", err)
	}
	if d <= 0 {
		return fmt.Errorf("penalize %s: %w: penalty %v is not positive", key.Name, ErrInvalid, d)
	}
	end := m.clk.Now().Add(d)
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur, ok := m.penalty[key.Name]; !ok || end.After(cur) {
		m.penalty[key.Name] = end
	}
	m.sweepLocked(m.clk.Now())
	return nil
}

// sweepLocked drops state that no longer constrains anything (a tat or
// penalty end at or before now is the same as none) once the maps have
// doubled since the last sweep, which keeps the cost amortized O(1).
func (m *Memory) sweepLocked(now time.Time) {
	if len(m.tat)+len(m.penalty) < m.sweepAt {
		return
	}
	for c, tat := range m.tat {
		if !tat.After(now) {
			delete(m.tat, c)
		}
	}
	for name, end := range m.penalty {
		if !end.After(now) {
			delete(m.penalty, name)
		}
	}
	m.sweepAt = max(2*(len(m.tat)+len(m.penalty)), minSweep)
}
