package clock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// HTTP is a clock read from a URL that answers GET with {"now": "<RFC
// 3339>"}: the Lark simulator's GET /_sim/clock (docs/sim.md), so that
// `kaohe serve` and the simulator it talks to share one time that a test
// or a playground moves. It exists for tests and demonstrations only, and
// serve uses it only when clock_url names it; production uses Real.
//
// Now costs a request at most once per HTTPOptions.MaxAge of real time;
// in between it returns the instant last read. The time never runs
// backwards: an earlier instant, or a failed request, leaves the last one
// (a simulator that is gone freezes the clock instead of breaking the
// caller).
type HTTP struct {
	url    string
	client *http.Client
	maxAge time.Duration
	retry  time.Duration
	onErr  func(error)

	// mu is held while reading, so that a caller that finds the reading
	// too old waits for the new one rather than getting a time from before
	// the clock was moved.
	mu      sync.Mutex
	now     time.Time
	read    time.Time // real time of the last attempt
	failing bool
}

var _ Clock = (*HTTP)(nil)

// HTTPMaxAge is the default HTTPOptions.MaxAge. A process that moves the
// clock and then acts on a reader of it (the simulator's POST /_sim/clock)
// waits a few times this long before answering, so the reader has seen
// the move.
const HTTPMaxAge = 25 * time.Millisecond

// HTTPOptions tune an HTTP clock. The zero value is usable.
type HTTPOptions struct {
	// MaxAge is how long a reading is reused (real time). Default
	// HTTPMaxAge: short enough that a moved clock is seen at once, long
	// enough that Now, which the domain calls often, stays cheap.
	MaxAge time.Duration
	// RetryAfter is how long the last good reading is kept after a failed
	// one, so that a simulator that hangs does not stall every caller on
	// every call. Default 1 s.
	RetryAfter time.Duration
	// Timeout bounds one request. Default 2 s.
	Timeout time.Duration
	// Client makes the requests. Default: a client with Timeout.
	Client *http.Client
	// OnError, if set, is called when a reading fails after the last one
	// succeeded (once per outage, not on every Now), for a log line.
	OnError func(error)
}

// OpenHTTP returns the clock at url after a first reading, which must
// succeed.
func OpenHTTP(ctx context.Context, url string, o HTTPOptions) (*HTTP, error) {
	if o.MaxAge <= 0 {
		o.MaxAge = HTTPMaxAge
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: o.Timeout}
	}
	h := &HTTP{url: url, client: o.Client, maxAge: o.MaxAge, retry: o.RetryAfter, onErr: o.OnError}
	t, err := h.fetch(ctx)
	if err != nil {
		return nil, err
	}
	h.now, h.read = t, time.Now()
	return h, nil
}

// Now returns the clock's instant: the last reading if it is younger than
// MaxAge, else a new one (after a failure, the last good one for
// RetryAfter).
func (h *HTTP) Now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	age := h.maxAge
	if h.failing {
		age = max(age, h.retry)
	}
	if time.Since(h.read) < age {
		return h.now
	}
	t, err := h.fetch(context.Background())
	h.read = time.Now()
	if err != nil {
		if !h.failing && h.onErr != nil {
			h.onErr(err)
		}
		h.failing = true
		return h.now
	}
	h.failing = false
	if t.After(h.now) {
		h.now = t
	}
	return h.now
}

// fetch makes one reading.
func (h *HTTP) fetch(ctx context.Context) (time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("clock url: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("clock url: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return time.Time{}, fmt.Errorf("clock url: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("clock url %s: HTTP %d", h.url, resp.StatusCode)
	}
	var v struct {
		Now *time.Time `json:"now"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return time.Time{}, fmt.Errorf("clock url %s: want {\"now\": \"<RFC 3339>\"}: %w", h.url, err)
	}
	if v.Now == nil {
		return time.Time{}, errors.New("clock url " + h.url + `: the answer has no "now"`)
	}
	return *v.Now, nil
}
