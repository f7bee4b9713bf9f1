package ratelimittest

import (
	"testing"
	"time"
)

// TestMaxInWindow checks the checker, so that G6 and the burst test cannot
// pass vacuously.
func TestMaxInWindow(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Time {
		out := make([]time.Time, len(v))
		for i, x := range v {
			out[i] = t0.Add(time.Duration(x) * time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name  string
		times []time.Time
		want  int
	}{
		{name: "Empty", times: nil, want: 0},
		{name: "FiveSpaced200ms", times: ms(0, 200, 400, 600, 800, 1000), want: 5},
		{name: "SixInASecond", times: ms(0, 199, 400, 600, 800, 999), want: 6},
		{name: "Unsorted", times: ms(999, 0, 800, 400, 199, 600), want: 6},
		{name: "Bunched", times: ms(0, 0, 0, 5000), want: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got, _ := maxInWindow(tc.times, time.Second); got != tc.want {
				t.Errorf("maxInWindow = %d, want %d", got, tc.want)
			}
		})
	}
}
