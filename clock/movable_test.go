package clock

import (
	"testing"
	"time"
)

func TestMovable(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)
	m := NewMovable(t0)
	start := m.Now()
	if start.Before(t0) || start.Sub(t0) > time.Minute {
		t.Fatalf("Now = %v right after NewMovable(%v)", start, t0)
	}
	// It runs: a later reading is never earlier, and moves with real time.
	if again := m.Now(); again.Before(start) {
		t.Errorf("the clock ran backwards from %v to %v", start, again)
	}
	got := m.Advance(72 * time.Hour)
	if got.Sub(t0) < 72*time.Hour || got.Sub(t0) > 72*time.Hour+time.Minute {
		t.Errorf("Advance(72h) = %v, want about %v", got, t0.Add(72*time.Hour))
	}
	if back := m.Advance(-time.Hour); back.Before(got) {
		t.Errorf("Advance(-1h) went back to %v from %v", back, got)
	}
	target := t0.Add(30 * 24 * time.Hour)
	m.Set(target)
	if now := m.Now(); now.Before(target) || now.Sub(target) > time.Minute {
		t.Errorf("after Set(%v): Now = %v", target, now)
	}
	m.Set(t0) // earlier: ignored
	if now := m.Now(); now.Before(target) {
		t.Errorf("Set to an earlier instant moved the clock back to %v", now)
	}
}
