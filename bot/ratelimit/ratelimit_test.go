package ratelimit_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/bot/ratelimit/ratelimittest"
	"github.com/kaohe/kaohe/clock"
)

// t0 starts every fake clock.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// TestLimitInterval: the spacing is Period/Rate rounded up, so Rate+1
// events never fit in one Period.
func TestLimitInterval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit ratelimit.Limit
		want  time.Duration
	}{
		{name: "Chat5PerSecond", limit: ratelimit.PerSecond(5), want: 200 * time.Millisecond},
		{name: "App50PerSecond", limit: ratelimit.PerSecond(50), want: 20 * time.Millisecond},
		{name: "App1000PerMinute", limit: ratelimit.PerMinute(1000), want: 60 * time.Millisecond},
		{name: "ThreePerSecondRoundsUp", limit: ratelimit.PerSecond(3), want: 333333334 * time.Nanosecond},
		{name: "OnePerHour", limit: ratelimit.Limit{Rate: 1, Period: time.Hour}, want: time.Hour},
		{name: "RateAbovePeriodNanos", limit: ratelimit.Limit{Rate: 10, Period: time.Nanosecond}, want: time.Nanosecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.limit.Interval()
			if got != tc.want {
				t.Errorf("%v.Interval() = %v, want %v", tc.limit, got, tc.want)
			}
			if time.Duration(tc.limit.Rate)*got < tc.limit.Period {
				t.Errorf("%d events %v apart span less than %v", tc.limit.Rate+1, got, tc.limit.Period)
			}
		})
	}
}

// TestMemory runs the Limiter conformance suite against Memory. Replicas
// of an in-process limiter are the same limiter: goroutines of one
// process share it.
func TestMemory(t *testing.T) {
	t.Parallel()
	ratelimittest.Run(t, func(t *testing.T, clk *clock.Fake, n int) []ratelimit.Limiter {
		m := ratelimit.NewMemory(clk)
		lims := make([]ratelimit.Limiter, n)
		for i := range lims {
			lims[i] = m
		}
		return lims
	})
}

// TestResetAfter reads Lark's x-ogw-ratelimit-reset.
func TestResetAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		value  string
		want   time.Duration
		wantOK bool
	}{
		{name: "DocExample", value: "52", want: 52 * time.Second, wantOK: true},
		{name: "Spaces", value: " 3 ", want: 3 * time.Second, wantOK: true},
		{name: "Missing", value: "", wantOK: false},
		{name: "Zero", value: "0", wantOK: false},
		{name: "Negative", value: "-5", wantOK: false},
		{name: "Fraction", value: "1.5", wantOK: false},
		{name: "Absurd", value: "999999999999", wantOK: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tc.value != "" {
				h.Set(ratelimit.HeaderReset, tc.value)
			}
			got, ok := ratelimit.ResetAfter(h)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ResetAfter(%q) = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

// BenchmarkMemoryAllow measures one two-key decision (app and chat), as
// the relay makes per send.
func BenchmarkMemoryAllow(b *testing.B) {
	clk := clock.NewFake(t0)
	m := ratelimit.NewMemory(clk)
	app := ratelimit.AppKey("im.message.create")
	chats := make([]ratelimit.Key, 20)
	for i := range chats {
		chats[i] = ratelimit.ChatKey("oc_" + strconv.Itoa(i))
	}
	ctx := b.Context()
	i := 0
	for b.Loop() {
		if _, err := m.Allow(ctx, app, chats[i%len(chats)]); err != nil {
			b.Fatalf("Allow: %v", err)
		}
		i++
		clk.Advance(time.Millisecond)
	}
}
