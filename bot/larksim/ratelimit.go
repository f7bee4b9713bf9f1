package larksim

import "time"

// window is one rate-limit bound: at most limit requests in any span of
// length size.
type window struct {
	size  time.Duration
	limit int
}

// limiter keeps, per key, the times of the requests it let through. Windows
// slide: Lark does not document its algorithm, and a sliding window is the
// stricter reading of "1000/min & 50/s", so a client that passes larksim
// never exceeds the limit in any window. The caller holds the server lock.
type limiter struct {
	hits map[string][]time.Time
}

func newLimiter() *limiter { return &limiter{hits: map[string][]time.Time{}} }

// allow records a request for key at now if every window has room. If one
// is full it returns false, that window's limit, and how long until a slot
// frees.
func (l *limiter) allow(key string, now time.Time, ws ...window) (ok bool, limit int, reset time.Duration) {
	var longest time.Duration
	for _, w := range ws {
		longest = max(longest, w.size)
	}
	h := l.hits[key]
	// Forget hits older than the longest window.
	drop := 0
	for drop < len(h) && !h[drop].After(now.Add(-longest)) {
		drop++
	}
	h = h[drop:]
	for _, w := range ws {
		start := now.Add(-w.size)
		n := 0
		first := -1
		for i, t := range h {
			if t.After(start) {
				if first < 0 {
					first = i
				}
				n++
			}
		}
		if n >= w.limit {
			// The window frees a slot when its (n-limit)th oldest hit leaves.
			freeAt := h[first+n-w.limit].Add(w.size)
			l.hits[key] = h
			return false, w.limit, freeAt.Sub(now)
		}
	}
	l.hits[key] = append(h, now)
	return true, 0, 0
}
