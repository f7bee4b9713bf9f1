package clock

import (
	"sync"
	"time"
)

// Movable is a clock that runs at the wall clock's pace from a chosen
// start and can be moved forward at any moment: the clock of `kaohe sim`,
// where a person or a test skips days ahead while everything in between
// (rate-limit windows, token lifetimes, timestamps) still moves as in real
// life. A Fake would stand still between moves, so a simulator on it
// would, for example, never let a per-second limit slide.
//
// It never runs backwards: it is read through the monotonic clock, and a
// Set to an earlier instant is ignored.
type Movable struct {
	mu    sync.Mutex
	base  time.Time // the instant at start, plus every move
	start time.Time // time.Now() at creation, with its monotonic reading
}

var _ Clock = (*Movable)(nil)

// NewMovable returns a clock that reads t now and runs from there.
func NewMovable(t time.Time) *Movable {
	return &Movable{base: t, start: time.Now()}
}

// Now returns the current instant.
func (m *Movable) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.nowLocked()
}

func (m *Movable) nowLocked() time.Time { return m.base.Add(time.Since(m.start)) }

// Advance moves the clock forward by d (a negative d is ignored) and
// returns the new instant.
func (m *Movable) Advance(d time.Duration) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d > 0 {
		m.base = m.base.Add(d)
	}
	return m.nowLocked()
}

// Set moves the clock to t if t is later than the current instant.
func (m *Movable) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now := m.nowLocked(); t.After(now) {
		m.base = m.base.Add(t.Sub(now))
	}
}
