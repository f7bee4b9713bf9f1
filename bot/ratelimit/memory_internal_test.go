package ratelimit

import (
	"strconv"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
)

// TestMemoryStaysBounded: a stream of new chats, each sent to once, does
// not grow the limiter's state without bound; only keys that still
// constrain something are kept.
func TestMemoryStaysBounded(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
	m := NewMemory(clk)
	for i := range 100_000 {
		if _, err := m.Allow(t.Context(), ChatKey("oc_"+strconv.Itoa(i))); err != nil {
			t.Fatalf("Allow: %v", err)
		}
		if i%10 == 0 {
			if err := m.Penalize(t.Context(), UserKey("ou_"+strconv.Itoa(i)), time.Second); err != nil {
				t.Fatalf("Penalize: %v", err)
			}
		}
		clk.Advance(time.Millisecond) // 200 chats live at a time (5/s limit)
	}
	m.mu.Lock()
	n := len(m.tat) + len(m.penalty)
	m.mu.Unlock()
	if n > 4*minSweep {
		t.Errorf("limiter holds %d entries after 100,000 one-off chats, want ≤ %d", n, 4*minSweep)
	}
}
