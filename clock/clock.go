// Package clock abstracts time so that deadlines, reminders, token expiry and
// windows are tested by moving a fake clock, never by sleeping.
//
// Domain code depends on the Clock interface; production wiring passes Real,
// tests and the demo pass a *Fake that they advance explicitly.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time. Implementations must be safe for concurrent use.
type Clock interface {
	// Now returns the current instant.
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Fake is a manually driven clock. Its zero value is not usable; create it
// with NewFake. Waiters registered with After fire, in time order, when Set
// or Advance moves the clock to or past their deadline.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake's current instant.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the clock forward by d (a negative d is ignored, because
// time observed by the system must never run backwards) and returns the new
// instant.
func (f *Fake) Advance(d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	f.mu.Lock()
	t := f.now.Add(d)
	f.mu.Unlock()
	f.Set(t)
	return t
}

// Set moves the clock to t if t is later than the current instant and fires
// every waiter whose deadline has been reached.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	if t.After(f.now) {
		f.now = t
	}
	now := f.now
	var due []waiter
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if !w.at.After(now) {
			due = append(due, w)
		} else {
			kept = append(kept, w)
		}
	}
	f.waiters = kept
	f.mu.Unlock()
	sort.Slice(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, w := range due {
		w.ch <- now
	}
}

// After returns a channel that receives the fake time once the clock has
// been moved d past the current instant. The channel is buffered, so an
// unread firing never blocks Set.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	f.mu.Lock()
	at := f.now.Add(d)
	if d <= 0 {
		now := f.now
		f.mu.Unlock()
		ch <- now
		return ch
	}
	f.waiters = append(f.waiters, waiter{at: at, ch: ch})
	f.mu.Unlock()
	return ch
}
