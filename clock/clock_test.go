package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 10, 9, 9, 0, 0, 0, time.UTC)
	f := NewFake(start)
	late := f.After(2 * time.Hour)
	early := f.After(time.Hour)
	if got := f.Advance(30 * time.Minute); !got.Equal(start.Add(30 * time.Minute)) {
		t.Fatalf("Advance = %v", got)
	}
	select {
	case <-early:
		t.Fatal("fired before its time")
	default:
	}
	f.Set(start.Add(90 * time.Minute))
	if at := <-early; !at.Equal(start.Add(90 * time.Minute)) {
		t.Errorf("early fired at %v", at)
	}
	f.Set(start) // never backwards
	if !f.Now().Equal(start.Add(90 * time.Minute)) {
		t.Errorf("clock moved backwards to %v", f.Now())
	}
	f.Advance(-time.Hour)
	f.Advance(time.Hour)
	if at := <-late; !at.Equal(start.Add(150 * time.Minute)) {
		t.Errorf("late fired at %v", at)
	}
	if at := <-f.After(0); !at.Equal(f.Now()) {
		t.Errorf("After(0) = %v", at)
	}
}
