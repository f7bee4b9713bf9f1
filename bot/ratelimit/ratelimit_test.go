package ratelimit_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/ratelimit"
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

// TestAllow walks one limiter through a sequence of sends on a fake clock.
func TestAllow(t *testing.T) {
	t.Parallel()
	app := ratelimit.AppKey("im.message.create")
	chatA, chatB := ratelimit.ChatKey("oc_a"), ratelimit.ChatKey("oc_b")
	two := ratelimit.Key{Name: "two", Limits: []ratelimit.Limit{ratelimit.PerSecond(2), ratelimit.PerMinute(3)}}
	type step struct {
		advance time.Duration
		keys    []ratelimit.Key
		want    ratelimit.Result
	}
	ok := ratelimit.Result{Allowed: true}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "ChatFivePerSecondBurstOne", steps: []step{
			{keys: []ratelimit.Key{chatA}, want: ok},
			{keys: []ratelimit.Key{chatA}, want: ratelimit.Result{RetryAfter: 200 * time.Millisecond, Key: "chat:oc_a"}},
			{advance: 199 * time.Millisecond, keys: []ratelimit.Key{chatA}, want: ratelimit.Result{RetryAfter: time.Millisecond, Key: "chat:oc_a"}},
			{advance: time.Millisecond, keys: []ratelimit.Key{chatA}, want: ok},
		}},
		{name: "AppMinuteBoundSetsThePace", steps: []step{
			{keys: []ratelimit.Key{app}, want: ok},
			{advance: 20 * time.Millisecond, keys: []ratelimit.Key{app}, want: ratelimit.Result{RetryAfter: 40 * time.Millisecond, Key: "app:im.message.create"}},
			{advance: 40 * time.Millisecond, keys: []ratelimit.Key{app}, want: ok},
		}},
		{name: "BothLimitsOfAKeyHold", steps: []step{
			{keys: []ratelimit.Key{two}, want: ratelimit.Result{Allowed: true}},
			{advance: 500 * time.Millisecond, keys: []ratelimit.Key{two}, want: ratelimit.Result{RetryAfter: 19500 * time.Millisecond, Key: "two"}},
			{advance: 19500 * time.Millisecond, keys: []ratelimit.Key{two}, want: ok},
		}},
		{name: "ChatsAreIndependent", steps: []step{
			{keys: []ratelimit.Key{chatA}, want: ok},
			{keys: []ratelimit.Key{chatB}, want: ok},
			{keys: []ratelimit.Key{chatB}, want: ratelimit.Result{RetryAfter: 200 * time.Millisecond, Key: "chat:oc_b"}},
		}},
		{name: "LongestWaitIsReported", steps: []step{
			{keys: []ratelimit.Key{app, chatA}, want: ok},
			{advance: 60 * time.Millisecond, keys: []ratelimit.Key{app, chatA}, want: ratelimit.Result{RetryAfter: 140 * time.Millisecond, Key: "chat:oc_a"}},
		}},
		{name: "DeniedSendCountsNowhere", steps: []step{
			{keys: []ratelimit.Key{app, chatA}, want: ok},
			// chat A is busy at 60 ms; the app slot it would have used stays free for chat B.
			{advance: 60 * time.Millisecond, keys: []ratelimit.Key{app, chatA}, want: ratelimit.Result{RetryAfter: 140 * time.Millisecond, Key: "chat:oc_a"}},
			{keys: []ratelimit.Key{app, chatB}, want: ok},
		}},
		{name: "KeyWithoutLimits", steps: []step{
			{keys: []ratelimit.Key{{Name: "free"}}, want: ok},
			{keys: []ratelimit.Key{{Name: "free"}}, want: ok},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			lim := ratelimit.NewMemory(clk)
			for i, st := range tc.steps {
				clk.Advance(st.advance)
				got, err := lim.Allow(t.Context(), st.keys...)
				if err != nil {
					t.Fatalf("step %d: Allow: %v", i, err)
				}
				if got != st.want {
					t.Errorf("step %d: Allow = %+v, want %+v", i, got, st.want)
				}
			}
		})
	}
}

// TestPenalty: after a 429 every send through the penalized key waits for
// the reset, whatever its own limits say; other keys are unaffected; a
// penalty only ever extends.
func TestPenalty(t *testing.T) {
	t.Parallel()
	app := ratelimit.AppKey("im.message.create")
	chatA := ratelimit.ChatKey("oc_a")
	tests := []struct {
		name      string
		penalties []time.Duration // applied in order to app at t0
		advance   time.Duration
		keys      []ratelimit.Key
		want      ratelimit.Result
	}{
		{name: "AppPenalizedStopsEverySend", penalties: []time.Duration{52 * time.Second},
			keys: []ratelimit.Key{app, chatA},
			want: ratelimit.Result{RetryAfter: 52 * time.Second, Key: "app:im.message.create", Penalized: true}},
		{name: "StillPenalizedJustBeforeReset", penalties: []time.Duration{52 * time.Second},
			advance: 52*time.Second - time.Millisecond, keys: []ratelimit.Key{app, chatA},
			want: ratelimit.Result{RetryAfter: time.Millisecond, Key: "app:im.message.create", Penalized: true}},
		{name: "AllowedAtReset", penalties: []time.Duration{52 * time.Second},
			advance: 52 * time.Second, keys: []ratelimit.Key{app, chatA},
			want: ratelimit.Result{Allowed: true}},
		{name: "ShorterPenaltyDoesNotShorten", penalties: []time.Duration{52 * time.Second, time.Second},
			advance: 10 * time.Second, keys: []ratelimit.Key{app},
			want: ratelimit.Result{RetryAfter: 42 * time.Second, Key: "app:im.message.create", Penalized: true}},
		{name: "LongerPenaltyExtends", penalties: []time.Duration{time.Second, 52 * time.Second},
			keys: []ratelimit.Key{app},
			want: ratelimit.Result{RetryAfter: 52 * time.Second, Key: "app:im.message.create", Penalized: true}},
		{name: "OtherKeysUnaffected", penalties: []time.Duration{52 * time.Second},
			keys: []ratelimit.Key{chatA, ratelimit.AppKey("im.message.patch")},
			want: ratelimit.Result{Allowed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			lim := ratelimit.NewMemory(clk)
			for _, d := range tc.penalties {
				if err := lim.Penalize(t.Context(), app, d); err != nil {
					t.Fatalf("Penalize(%v): %v", d, err)
				}
			}
			clk.Advance(tc.advance)
			got, err := lim.Allow(t.Context(), tc.keys...)
			if err != nil {
				t.Fatalf("Allow: %v", err)
			}
			if got != tc.want {
				t.Errorf("Allow = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestPenaltySharedBySenders: one sender's penalty is honoured by another
// sender using the same limiter (in production: the same Redis).
func TestPenaltySharedBySenders(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	lim := ratelimit.NewMemory(clk)
	app := ratelimit.AppKey("im.message.create")
	h := http.Header{}
	h.Set(ratelimit.HeaderReset, "52")
	reset, ok := ratelimit.ResetAfter(h)
	if !ok {
		t.Fatalf("ResetAfter(%v) not ok", h)
	}
	done := make(chan error)
	go func() { done <- lim.Penalize(context.Background(), app, reset) }()
	if err := <-done; err != nil {
		t.Fatalf("Penalize: %v", err)
	}
	for i := range 20 {
		got, err := lim.Allow(t.Context(), app, ratelimit.ChatKey("oc_"+string(rune('a'+i))))
		if err != nil {
			t.Fatalf("Allow: %v", err)
		}
		if got.Allowed || !got.Penalized || got.RetryAfter != 52*time.Second {
			t.Errorf("chat %d: Allow = %+v, want penalized for 52s", i, got)
		}
	}
}

// TestInvalid: misuse is refused with ErrInvalid and counts nothing.
func TestInvalid(t *testing.T) {
	t.Parallel()
	good := ratelimit.ChatKey("oc_a")
	tests := []struct {
		name string
		call func(context.Context, *ratelimit.Memory) error
	}{
		{name: "NoKeys", call: func(ctx context.Context, m *ratelimit.Memory) error {
			_, err := m.Allow(ctx)
			return err
		}},
		{name: "EmptyName", call: func(ctx context.Context, m *ratelimit.Memory) error {
			_, err := m.Allow(ctx, good, ratelimit.Key{Limits: ratelimit.LarkReceiver})
			return err
		}},
		{name: "OverlongName", call: func(ctx context.Context, m *ratelimit.Memory) error {
			_, err := m.Allow(ctx, good, ratelimit.ChatKey(strings.Repeat("x", ratelimit.MaxKeyName)))
			return err
		}},
		{name: "ZeroRate", call: func(ctx context.Context, m *ratelimit.Memory) error {
			_, err := m.Allow(ctx, good, ratelimit.Key{Name: "k", Limits: []ratelimit.Limit{{Rate: 0, Period: time.Second}}})
			return err
		}},
		{name: "NegativePeriod", call: func(ctx context.Context, m *ratelimit.Memory) error {
			_, err := m.Allow(ctx, good, ratelimit.Key{Name: "k", Limits: []ratelimit.Limit{{Rate: 1, Period: -time.Second}}})
			return err
		}},
		{name: "ZeroPenalty", call: func(ctx context.Context, m *ratelimit.Memory) error {
			return m.Penalize(ctx, good, 0)
		}},
		{name: "PenaltyOnEmptyName", call: func(ctx context.Context, m *ratelimit.Memory) error {
			return m.Penalize(ctx, ratelimit.Key{}, time.Second)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := ratelimit.NewMemory(clock.NewFake(t0))
			if err := tc.call(t.Context(), m); !errors.Is(err, ratelimit.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
			// Nothing was counted: the good key is still free.
			if got, err := m.Allow(t.Context(), good); err != nil || !got.Allowed {
				t.Errorf("Allow(good) after the bad call = %+v, %v; want allowed", got, err)
			}
		})
	}
}

// TestCanceledContext: a done context fails closed.
func TestCanceledContext(t *testing.T) {
	t.Parallel()
	m := ratelimit.NewMemory(clock.NewFake(t0))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.Allow(ctx, ratelimit.ChatKey("oc_a")); !errors.Is(err, context.Canceled) {
		t.Errorf("Allow: err = %v, want context.Canceled", err)
	}
	if err := m.Penalize(ctx, ratelimit.ChatKey("oc_a"), time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Penalize: err = %v, want context.Canceled", err)
	}
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
