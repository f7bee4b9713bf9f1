package clock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clockServer answers GET with {"now": …} for the instant it holds, or
// with the given status and body when set.
type clockServer struct {
	mu     sync.Mutex
	now    time.Time
	status int
	body   string
	hits   atomic.Int64
}

func (c *clockServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.hits.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status != 0 {
		w.WriteHeader(c.status)
		fmt.Fprint(w, c.body)
		return
	}
	if c.body != "" {
		fmt.Fprint(w, c.body)
		return
	}
	fmt.Fprintf(w, `{"now":%q,"movable":true}`, c.now.Format(time.RFC3339Nano))
}

func (c *clockServer) set(now time.Time, status int, body string) {
	c.mu.Lock()
	c.now, c.status, c.body = now, status, body
	c.mu.Unlock()
}

func TestHTTPClock(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)
	cs := &clockServer{now: t0}
	srv := httptest.NewServer(cs)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	var errs []error
	// MaxAge and RetryAfter 1 ns: every Now reads, so the test needs no
	// waiting.
	h, err := OpenHTTP(context.Background(), srv.URL, HTTPOptions{MaxAge: time.Nanosecond, RetryAfter: time.Nanosecond, OnError: func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !h.Now().Equal(t0) {
		t.Fatalf("Now = %v, want %v", h.Now(), t0)
	}
	t1 := t0.Add(72 * time.Hour)
	cs.set(t1, 0, "")
	if !h.Now().Equal(t1) {
		t.Errorf("after a move: Now = %v, want %v", h.Now(), t1)
	}
	// Backwards, a failure, a bad answer: the clock stays where it was.
	tests := []struct {
		name   string
		now    time.Time
		status int
		body   string
	}{
		{name: "Backwards", now: t0},
		{name: "HTTP500", status: 500, body: "down"},
		{name: "NotJSON", body: "soon"},
		{name: "NoNow", body: `{"then":"2026-01-01T00:00:00Z"}`},
	}
	for _, tc := range tests {
		cs.set(tc.now, tc.status, tc.body)
		if got := h.Now(); !got.Equal(t1) {
			t.Errorf("%s: Now = %v, want %v kept", tc.name, got, t1)
		}
	}
	mu.Lock()
	n := len(errs)
	mu.Unlock()
	if n != 1 {
		t.Errorf("OnError called %d times over one outage, want once", n)
	}
	cs.set(t1.Add(time.Hour), 0, "")
	if got := h.Now(); !got.Equal(t1.Add(time.Hour)) {
		t.Errorf("after the outage: Now = %v", got)
	}
}

// TestHTTPClockCache: within MaxAge, and within RetryAfter of a failed
// reading, Now does not ask again.
func TestHTTPClockCache(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC)
	cs := &clockServer{now: t0}
	srv := httptest.NewServer(cs)
	t.Cleanup(srv.Close)
	h, err := OpenHTTP(context.Background(), srv.URL, HTTPOptions{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		h.Now()
	}
	if n := cs.hits.Load(); n != 1 {
		t.Errorf("%d requests for 100 readings within MaxAge, want 1 (the first)", n)
	}
	cs.set(t0, 500, "down")
	if _, err := OpenHTTP(context.Background(), srv.URL, HTTPOptions{}); err == nil {
		t.Fatal("OpenHTTP of a failing clock succeeded")
	}
	cs.set(t0, 0, "")
	f, err := OpenHTTP(context.Background(), srv.URL, HTTPOptions{MaxAge: time.Nanosecond, RetryAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cs.set(t0, 500, "down")
	before := cs.hits.Load()
	for range 100 {
		if got := f.Now(); !got.Equal(t0) {
			t.Fatalf("Now = %v during an outage, want %v kept", got, t0)
		}
	}
	if n := cs.hits.Load() - before; n != 1 {
		t.Errorf("%d requests for 100 readings during an outage, want 1 until RetryAfter", n)
	}
}

func TestOpenHTTPRefuses(t *testing.T) {
	t.Parallel()
	bad := &clockServer{status: 404, body: "no clock here"}
	srv := httptest.NewServer(bad)
	t.Cleanup(srv.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct{ name, url, want string }{
		{name: "NotAClock", url: srv.URL, want: "HTTP 404"},
		{name: "Unreachable", url: closed.URL, want: "clock url"},
		{name: "NotAURL", url: "::", want: "clock url"},
	}
	for _, tc := range tests {
		_, err := OpenHTTP(context.Background(), tc.url, HTTPOptions{Timeout: time.Second})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	var ue interface{ Unwrap() error }
	_, err := OpenHTTP(context.Background(), closed.URL, HTTPOptions{})
	if !errors.As(err, &ue) {
		t.Errorf("an unreachable clock's error %v does not wrap the cause", err)
	}
}
