package redis

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/bot/ratelimit/ratelimittest"
	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/clock"
)

// TestLimiter runs the Limiter conformance suite against Redis on the
// suite's fake clock. Each replica has its own client, so state is shared
// only through Redis.
func TestLimiter(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	ratelimittest.Run(t, func(t *testing.T, clk *clock.Fake, n int) []ratelimit.Limiter {
		lims := make([]ratelimit.Limiter, n)
		var prefix string
		for i := range lims {
			c := testClient(t, u)
			if i == 0 {
				prefix = testPrefix(t, c)
			}
			lims[i] = NewLimiter(c, LimiterConfig{Prefix: prefix, NowFunc: clk.Now})
		}
		return lims
	})
}

// TestLimiterServerClock: without NowFunc the script reads Redis's TIME.
// The bounds leave seconds of slack, so they say which clock and unit were
// used, not how fast the test ran.
func TestLimiterServerClock(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	hourly := ratelimit.Key{Name: "hourly", Limits: []ratelimit.Limit{{Rate: 1, Period: time.Hour}}}
	app := ratelimit.AppKey("im.message.create")
	tests := []struct {
		name    string
		penalty time.Duration // on app, before the sends
		keys    []ratelimit.Key
		// the second send's wait is in (minWait, maxWait].
		minWait, maxWait time.Duration
		wantKey          string
		wantPenalized    bool
	}{
		{name: "SecondSendWaitsTheInterval", keys: []ratelimit.Key{hourly},
			minWait: 59 * time.Minute, maxWait: time.Hour, wantKey: "hourly"},
		{name: "PenalizedUntilReset", penalty: 52 * time.Second, keys: []ratelimit.Key{app, ratelimit.ChatKey("oc_a")},
			minWait: 42 * time.Second, maxWait: 52 * time.Second, wantKey: app.Name, wantPenalized: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testClient(t, u)
			lim := NewLimiter(c, LimiterConfig{Prefix: testPrefix(t, c)})
			if tc.penalty > 0 {
				if err := lim.Penalize(t.Context(), app, tc.penalty); err != nil {
					t.Fatalf("Penalize: %v", err)
				}
			} else if got, err := lim.Allow(t.Context(), tc.keys...); err != nil || !got.Allowed {
				t.Fatalf("first Allow = %+v, %v; want allowed", got, err)
			}
			got, err := lim.Allow(t.Context(), tc.keys...)
			if err != nil {
				t.Fatalf("Allow: %v", err)
			}
			if got.Allowed || got.Key != tc.wantKey || got.Penalized != tc.wantPenalized ||
				got.RetryAfter <= tc.minWait || got.RetryAfter > tc.maxWait {
				t.Errorf("Allow = %+v, want denied by %s (penalized %v) for (%v, %v]",
					got, tc.wantKey, tc.wantPenalized, tc.minWait, tc.maxWait)
			}
		})
	}
}

// TestLimiterExpiry: every key Allow or Penalize writes expires once its
// state no longer binds (plus the slack), and a denied send writes
// nothing, so Redis does not fill up with idle chats.
func TestLimiterExpiry(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	chat := ratelimit.ChatKey("oc_a")
	app := ratelimit.AppKey("im.message.create")
	tests := []struct {
		name    string
		fake    bool // NowFunc on a fake clock, else Redis's clock
		penalty time.Duration
		key     func(l *Limiter) string
		maxTTL  time.Duration
	}{
		{name: "ChatStateOnServerClock", key: func(l *Limiter) string { return l.tatKey(chat.Name, ratelimit.PerSecond(5)) },
			maxTTL: 201 * time.Millisecond},
		{name: "AppMinuteStateOnServerClock", key: func(l *Limiter) string { return l.tatKey(app.Name, ratelimit.PerMinute(1000)) },
			maxTTL: 61 * time.Millisecond},
		{name: "PenaltyOnServerClock", penalty: 52 * time.Second, key: func(l *Limiter) string { return l.penaltyKey(app.Name) },
			maxTTL: 52*time.Second + time.Millisecond},
		{name: "ChatStateOnCallerClockLingers", fake: true, key: func(l *Limiter) string { return l.tatKey(chat.Name, ratelimit.PerSecond(5)) },
			maxTTL: 200*time.Millisecond + time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testClient(t, u)
			cfg := LimiterConfig{Prefix: testPrefix(t, c)}
			if tc.fake {
				cfg.NowFunc = clock.NewFake(time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)).Now
			}
			lim := NewLimiter(c, cfg)
			if tc.penalty > 0 {
				if err := lim.Penalize(t.Context(), app, tc.penalty); err != nil {
					t.Fatalf("Penalize: %v", err)
				}
			}
			first, err := lim.Allow(t.Context(), app, chat)
			if err != nil {
				t.Fatalf("Allow: %v", err)
			}
			key := tc.key(lim)
			ttl, err := c.rdb.PTTL(t.Context(), key).Result()
			if err != nil {
				t.Fatalf("PTTL %s: %v", key, err)
			}
			if ttl <= 0 || ttl > tc.maxTTL {
				t.Errorf("PTTL %s = %v, want in (0, %v]", key, ttl, tc.maxTTL)
			}
			if tc.penalty > 0 {
				if first.Allowed {
					t.Fatalf("Allow = %+v during the penalty", first)
				}
				// The denied send counted nowhere: no limit state was written.
				for _, k := range []string{lim.tatKey(chat.Name, ratelimit.PerSecond(5)), lim.tatKey(app.Name, ratelimit.PerSecond(50))} {
					if n, err := c.rdb.Exists(t.Context(), k).Result(); err != nil || n != 0 {
						t.Errorf("EXISTS %s = %d, %v after a denied send; want 0", k, n, err)
					}
				}
			}
		})
	}
}

// TestLimiterBadState: a key holding something other than the limiter's
// state (another program's key, a hand edit) fails closed.
func TestLimiterBadState(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	chat := ratelimit.ChatKey("oc_a")
	tests := []struct {
		name  string
		spoil func(ctx context.Context, l *Limiter, c *Client) error
		call  func(ctx context.Context, l *Limiter) error
	}{
		{name: "AllowErrUnavailableOnGarbage",
			spoil: func(ctx context.Context, l *Limiter, c *Client) error {
				return c.rdb.Set(ctx, l.tatKey(chat.Name, ratelimit.PerSecond(5)), "soon", time.Minute).Err()
			},
			call: func(ctx context.Context, l *Limiter) error { _, err := l.Allow(ctx, chat); return err }},
		{name: "AllowErrUnavailableOnWrongType",
			spoil: func(ctx context.Context, l *Limiter, c *Client) error {
				return c.rdb.HSet(ctx, l.penaltyKey(chat.Name), "f", "v").Err()
			},
			call: func(ctx context.Context, l *Limiter) error { _, err := l.Allow(ctx, chat); return err }},
		{name: "PenalizeErrUnavailableOnGarbage",
			spoil: func(ctx context.Context, l *Limiter, c *Client) error {
				return c.rdb.Set(ctx, l.penaltyKey(chat.Name), "later", time.Minute).Err()
			},
			call: func(ctx context.Context, l *Limiter) error { return l.Penalize(ctx, chat, time.Second) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testClient(t, u)
			lim := NewLimiter(c, LimiterConfig{Prefix: testPrefix(t, c)})
			if err := tc.spoil(t.Context(), lim, c); err != nil {
				t.Fatalf("spoil: %v", err)
			}
			if err := tc.call(t.Context(), lim); !errors.Is(err, ratelimit.ErrUnavailable) {
				t.Errorf("err = %v, want ErrUnavailable", err)
			}
		})
	}
}

// TestLimiterPrefixes: limiters with different prefixes share nothing, and
// an empty prefix means the default.
func TestLimiterPrefixes(t *testing.T) {
	t.Parallel()
	u := testURL(t)
	c := testClient(t, u)
	if got := NewLimiter(c, LimiterConfig{}).prefix; got != DefaultLimiterPrefix {
		t.Errorf("default prefix = %q, want %q", got, DefaultLimiterPrefix)
	}
	a := NewLimiter(c, LimiterConfig{Prefix: testPrefix(t, c)})
	b := NewLimiter(c, LimiterConfig{Prefix: testPrefix(t, c)})
	chat := ratelimit.ChatKey("oc_a")
	if err := a.Penalize(t.Context(), chat, time.Minute); err != nil {
		t.Fatalf("Penalize: %v", err)
	}
	if got, err := b.Allow(t.Context(), chat); err != nil || !got.Allowed {
		t.Errorf("other prefix: Allow = %+v, %v; want allowed", got, err)
	}
}

// TestRedisDown: against a closed port (nothing listens) and a stalled
// server (accepts, never answers), every call fails closed with its
// package's error, within a second, and never panics; a caller's shorter
// deadline wins.
func TestRedisDown(t *testing.T) {
	t.Parallel()
	stalled := stalledServer(t)
	chat := ratelimit.ChatKey("oc_a")
	allow := func(ctx context.Context, c *Client) error {
		_, err := NewLimiter(c, LimiterConfig{}).Allow(ctx, ratelimit.AppKey("im.message.create"), chat)
		return err
	}
	penalize := func(ctx context.Context, c *Client) error {
		return NewLimiter(c, LimiterConfig{}).Penalize(ctx, chat, time.Second)
	}
	seen := func(ctx context.Context, c *Client) error {
		_, err := NewNonceStore(c, "").Claim(ctx, "nonce", "fp", time.Minute)
		return err
	}
	tests := []struct {
		name    string
		url     string
		timeout time.Duration // the caller's deadline, if any
		call    func(context.Context, *Client) error
		want    error
	}{
		{name: "ClosedPortAllowErrUnavailable", url: "redis://127.0.0.1:1/0", call: allow, want: ratelimit.ErrUnavailable},
		{name: "ClosedPortPenalizeErrUnavailable", url: "redis://127.0.0.1:1/0", call: penalize, want: ratelimit.ErrUnavailable},
		{name: "ClosedPortSeenErrNonceStore", url: "redis://127.0.0.1:1/0", call: seen, want: webhook.ErrNonceStore},
		{name: "StalledAllowErrUnavailable", url: stalled, call: allow, want: ratelimit.ErrUnavailable},
		{name: "StalledPenalizeErrUnavailable", url: stalled, call: penalize, want: ratelimit.ErrUnavailable},
		{name: "StalledSeenErrNonceStore", url: stalled, call: seen, want: webhook.ErrNonceStore},
		{name: "StalledAllowCallerDeadline", url: stalled, timeout: 50 * time.Millisecond, call: allow, want: context.DeadlineExceeded},
		{name: "StalledSeenCallerDeadline", url: stalled, timeout: 50 * time.Millisecond, call: seen, want: context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Open(tc.url)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer c.Close()
			ctx := t.Context()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			done := make(chan error, 1)
			go func() { done <- tc.call(ctx, c) }()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) {
					t.Errorf("err = %v, want %v", err, tc.want)
				}
			case <-time.After(time.Second):
				t.Fatalf("no answer within a second: a dead Redis must not hang the caller")
			}
		})
	}
}

// stalledServer listens on loopback, accepts connections and never
// answers, like a Redis that is stopped (kill -STOP) or behind a dead
// link. It returns the server's URL.
func stalledServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	return "redis://" + ln.Addr().String() + "/0"
}

// BenchmarkAllow measures one two-key decision (app and chat) against the
// test Redis on its own clock, as the relay makes per send.
func BenchmarkAllow(b *testing.B) {
	c := testClient(b, testURL(b))
	lim := NewLimiter(c, LimiterConfig{Prefix: testPrefix(b, c)})
	app := ratelimit.AppKey("im.message.create")
	chats := make([]ratelimit.Key, 20)
	for i := range chats {
		chats[i] = ratelimit.ChatKey("oc_" + strconv.Itoa(i))
	}
	ctx := b.Context()
	i := 0
	for b.Loop() {
		if _, err := lim.Allow(ctx, app, chats[i%len(chats)]); err != nil {
			b.Fatalf("Allow: %v", err)
		}
		i++
	}
}
