// Package ratelimittest is the conformance suite every ratelimit.Limiter
// must pass: the in-process Memory and the shared Redis limiter. A
// limiter's test calls Run with a constructor; the suite drives the time
// with a fake clock, so it never sleeps and its expected waits are exact.
package ratelimittest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
)

// NewFunc returns n ≥ 1 limiters that share one fresh, empty state with
// one another and with nothing else — as n replicas of the bot share one
// backend — and that all read the time from clk. An in-process limiter
// returns the same limiter n times; a shared one returns n limiters with
// their own connections to the backend, so that sharing is really tested.
type NewFunc func(t *testing.T, clk *clock.Fake, n int) []ratelimit.Limiter

// Run runs the whole suite against limiters made by newLimiters.
func Run(t *testing.T, newLimiters NewFunc) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newLimiters NewFunc)
	}{
		{"Allow", testAllow},
		{"Penalty", testPenalty},
		{"PenaltySharedBySenders", testPenaltySharedBySenders},
		{"Invalid", testInvalid},
		{"CanceledContext", testCanceledContext},
		{"Replicas", testReplicas},
		{"AllOrNothingConcurrent", testAllOrNothingConcurrent},
		{"BurstOneAcrossReplicas", testBurstOneAcrossReplicas},
		{"G6", testG6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newLimiters)
		})
	}
}

// t0 starts every fake clock.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// one returns a single fresh limiter on clk.
func one(t *testing.T, newLimiters NewFunc, clk *clock.Fake) ratelimit.Limiter {
	t.Helper()
	lims := newLimiters(t, clk, 1)
	if len(lims) != 1 {
		t.Fatalf("NewFunc(1) returned %d limiters", len(lims))
	}
	return lims[0]
}

// replicas returns n fresh limiters sharing state on clk.
func replicas(t *testing.T, newLimiters NewFunc, clk *clock.Fake, n int) []ratelimit.Limiter {
	t.Helper()
	lims := newLimiters(t, clk, n)
	if len(lims) != n {
		t.Fatalf("NewFunc(%d) returned %d limiters", n, len(lims))
	}
	return lims
}

// testAllow walks one limiter through a sequence of sends on a fake clock.
func testAllow(t *testing.T, newLimiters NewFunc) {
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
			lim := one(t, newLimiters, clk)
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

// testPenalty: after a 429 every send through the penalized key waits for
// the reset, whatever its own limits say; other keys are unaffected; a
// penalty only ever extends.
func testPenalty(t *testing.T, newLimiters NewFunc) {
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
			lim := one(t, newLimiters, clk)
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

// testPenaltySharedBySenders: one sender's penalty is honoured by another
// sender, here another replica sharing the backend.
func testPenaltySharedBySenders(t *testing.T, newLimiters NewFunc) {
	clk := clock.NewFake(t0)
	lims := replicas(t, newLimiters, clk, 2)
	app := ratelimit.AppKey("im.message.create")
	h := http.Header{}
	h.Set(ratelimit.HeaderReset, "52")
	reset, ok := ratelimit.ResetAfter(h)
	if !ok {
		t.Fatalf("ResetAfter(%v) not ok", h)
	}
	done := make(chan error)
	go func() { done <- lims[0].Penalize(context.Background(), app, reset) }()
	if err := <-done; err != nil {
		t.Fatalf("Penalize: %v", err)
	}
	for i := range 20 {
		got, err := lims[1].Allow(t.Context(), app, ratelimit.ChatKey("oc_"+string(rune('a'+i))))
		if err != nil {
			t.Fatalf("Allow: %v", err)
		}
		if got.Allowed || !got.Penalized || got.RetryAfter != 52*time.Second {
			t.Errorf("chat %d: Allow = %+v, want penalized for 52s", i, got)
		}
	}
}

// testInvalid: misuse is refused with ErrInvalid and counts nothing.
func testInvalid(t *testing.T, newLimiters NewFunc) {
	good := ratelimit.ChatKey("oc_a")
	tests := []struct {
		name string
		call func(context.Context, ratelimit.Limiter) error
	}{
		{name: "NoKeys", call: func(ctx context.Context, m ratelimit.Limiter) error {
			_, err := m.Allow(ctx)
			return err
		}},
		{name: "EmptyName", call: func(ctx context.Context, m ratelimit.Limiter) error {
			_, err := m.Allow(ctx, good, ratelimit.Key{Limits: ratelimit.LarkReceiver})
			return err
		}},
		{name: "OverlongName", call: func(ctx context.Context, m ratelimit.Limiter) error {
			_, err := m.Allow(ctx, good, ratelimit.ChatKey(strings.Repeat("x", ratelimit.MaxKeyName)))
			return err
		}},
		{name: "ZeroRate", call: func(ctx context.Context, m ratelimit.Limiter) error {
			_, err := m.Allow(ctx, good, ratelimit.Key{Name: "k", Limits: []ratelimit.Limit{{Rate: 0, Period: time.Second}}})
			return err
		}},
		{name: "NegativePeriod", call: func(ctx context.Context, m ratelimit.Limiter) error {
			_, err := m.Allow(ctx, good, ratelimit.Key{Name: "k", Limits: []ratelimit.Limit{{Rate: 1, Period: -time.Second}}})
			return err
		}},
		{name: "ZeroPenalty", call: func(ctx context.Context, m ratelimit.Limiter) error {
			return m.Penalize(ctx, good, 0)
		}},
		{name: "PenaltyOnEmptyName", call: func(ctx context.Context, m ratelimit.Limiter) error {
			return m.Penalize(ctx, ratelimit.Key{}, time.Second)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := one(t, newLimiters, clock.NewFake(t0))
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

// testCanceledContext: a done context fails closed.
func testCanceledContext(t *testing.T, newLimiters NewFunc) {
	m := one(t, newLimiters, clock.NewFake(t0))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.Allow(ctx, ratelimit.ChatKey("oc_a")); !errors.Is(err, context.Canceled) {
		t.Errorf("Allow: err = %v, want context.Canceled", err)
	}
	if err := m.Penalize(ctx, ratelimit.ChatKey("oc_a"), time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Penalize: err = %v, want context.Canceled", err)
	}
}

// testReplicas: what one replica counts or penalizes, every other replica
// sees, and a send denied on one replica leaves its other keys' capacity
// to the rest.
func testReplicas(t *testing.T, newLimiters NewFunc) {
	app := ratelimit.AppKey("im.message.create")
	chatA, chatB := ratelimit.ChatKey("oc_a"), ratelimit.ChatKey("oc_b")
	type step struct {
		replica int
		advance time.Duration
		// penalty, if positive, penalizes keys[0] instead of asking.
		penalty time.Duration
		keys    []ratelimit.Key
		want    ratelimit.Result
	}
	ok := ratelimit.Result{Allowed: true}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "RateSeenByOtherReplica", steps: []step{
			{replica: 0, keys: []ratelimit.Key{chatA}, want: ok},
			{replica: 1, keys: []ratelimit.Key{chatA}, want: ratelimit.Result{RetryAfter: 200 * time.Millisecond, Key: "chat:oc_a"}},
			{replica: 2, advance: 200 * time.Millisecond, keys: []ratelimit.Key{chatA}, want: ok},
		}},
		{name: "DeniedSendCountsNowhereAcrossReplicas", steps: []step{
			{replica: 0, keys: []ratelimit.Key{app, chatA}, want: ok},
			// Replica 1 is denied by chat A at 60 ms; the app slot stays free for replica 2.
			{replica: 1, advance: 60 * time.Millisecond, keys: []ratelimit.Key{app, chatA}, want: ratelimit.Result{RetryAfter: 140 * time.Millisecond, Key: "chat:oc_a"}},
			{replica: 2, keys: []ratelimit.Key{app, chatB}, want: ok},
			{replica: 0, keys: []ratelimit.Key{app}, want: ratelimit.Result{RetryAfter: 60 * time.Millisecond, Key: "app:im.message.create"}},
		}},
		{name: "PenaltySeenByOtherReplica", steps: []step{
			{replica: 0, penalty: 3 * time.Second, keys: []ratelimit.Key{chatA}},
			{replica: 1, advance: time.Second, keys: []ratelimit.Key{app, chatA}, want: ratelimit.Result{RetryAfter: 2 * time.Second, Key: "chat:oc_a", Penalized: true}},
			{replica: 2, keys: []ratelimit.Key{app, chatB}, want: ok},
			{replica: 1, advance: 2 * time.Second, keys: []ratelimit.Key{chatA}, want: ok},
		}},
		{name: "PenaltyExtendedByOtherReplica", steps: []step{
			{replica: 0, penalty: time.Second, keys: []ratelimit.Key{app}},
			{replica: 1, penalty: 5 * time.Second, keys: []ratelimit.Key{app}},
			{replica: 2, penalty: 2 * time.Second, keys: []ratelimit.Key{app}},
			{replica: 0, keys: []ratelimit.Key{app}, want: ratelimit.Result{RetryAfter: 5 * time.Second, Key: "app:im.message.create", Penalized: true}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			lims := replicas(t, newLimiters, clk, 3)
			for i, st := range tc.steps {
				clk.Advance(st.advance)
				lim := lims[st.replica]
				if st.penalty > 0 {
					if err := lim.Penalize(t.Context(), st.keys[0], st.penalty); err != nil {
						t.Fatalf("step %d: Penalize: %v", i, err)
					}
					continue
				}
				got, err := lim.Allow(t.Context(), st.keys...)
				if err != nil {
					t.Fatalf("step %d: Allow: %v", i, err)
				}
				if got != st.want {
					t.Errorf("step %d (replica %d): Allow = %+v, want %+v", i, st.replica, got, st.want)
				}
			}
		})
	}
}

// testAllOrNothingConcurrent: senders on several replicas race for one
// slot of a shared key, each with its own chat. Exactly one wins, and the
// losers' chats were not counted, so each can send on its own at once.
func testAllOrNothingConcurrent(t *testing.T, newLimiters NewFunc) {
	const senders = 8
	clk := clock.NewFake(t0)
	lims := replicas(t, newLimiters, clk, 4)
	shared := ratelimit.Key{Name: "app:shared", Limits: []ratelimit.Limit{ratelimit.PerSecond(1)}}
	chat := func(i int) ratelimit.Key { return ratelimit.ChatKey(fmt.Sprintf("oc_%02d", i)) }

	results := make([]ratelimit.Result, senders)
	errs := make([]error, senders)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			<-start
			results[i], errs[i] = lims[i%len(lims)].Allow(t.Context(), shared, chat(i))
		})
	}
	close(start)
	wg.Wait()

	winners := 0
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("sender %d: Allow: %v", i, errs[i])
		}
		want := ratelimit.Result{RetryAfter: time.Second, Key: "app:shared"}
		if res.Allowed {
			winners++
			want = ratelimit.Result{RetryAfter: 200 * time.Millisecond, Key: chat(i).Name}
		} else if res != want {
			t.Errorf("sender %d: Allow = %+v, want %+v", i, res, want)
		}
		got, err := lims[(i+1)%len(lims)].Allow(t.Context(), chat(i))
		if err != nil {
			t.Fatalf("sender %d: Allow(chat): %v", i, err)
		}
		if res.Allowed && got != want {
			t.Errorf("winner %d's chat: Allow = %+v, want %+v (it was counted)", i, got, want)
		}
		if !res.Allowed && !got.Allowed {
			t.Errorf("loser %d's chat: Allow = %+v, want allowed (a denied send counts nowhere)", i, got)
		}
	}
	if winners != 1 {
		t.Errorf("%d of %d senders allowed at one instant on a 1/s key, want exactly 1", winners, senders)
	}
}

// testBurstOneAcrossReplicas: three replicas ask for one 5/s key as fast
// as they can while the clock moves on in 10 ms steps. Burst 1 means no
// 1-second window ever holds more than 5 sends, and the limiter throttles
// no more than that: a send at every 200 ms.
func testBurstOneAcrossReplicas(t *testing.T, newLimiters NewFunc) {
	const (
		n      = 3
		step   = 10 * time.Millisecond
		span   = 3 * time.Second
		rate   = 5
		perAsk = 3 // asks at each instant before the clock moves on
	)
	clk := clock.NewFake(t0)
	lims := replicas(t, newLimiters, clk, n)
	key := ratelimit.Key{Name: "chat:oc_burst", Limits: []ratelimit.Limit{ratelimit.PerSecond(rate)}}

	// hold is read-locked around each decision and write-locked to move
	// the clock, so the time a sender records is the time its limiter saw.
	var hold sync.RWMutex
	var mu sync.Mutex // guards sends until the senders have stopped
	var sends []time.Time
	asked := make(chan time.Time)
	failed := make(chan error, n)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	stopSenders := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	defer stopSenders()
	for _, lim := range lims {
		wg.Go(func() {
			for {
				hold.RLock()
				now := clk.Now()
				res, err := lim.Allow(t.Context(), key)
				hold.RUnlock()
				if err != nil {
					failed <- err
					return
				}
				if res.Allowed {
					mu.Lock()
					sends = append(sends, now)
					mu.Unlock()
				}
				select {
				case asked <- now:
				case <-stop:
					return
				}
			}
		})
	}
	for now := clk.Now(); now.Before(t0.Add(span)); now = clk.Now() {
		for seen := 0; seen < perAsk; {
			select {
			case at := <-asked:
				if at.Equal(now) {
					seen++
				}
			case err := <-failed:
				t.Fatalf("Allow: %v", err)
			}
		}
		hold.Lock()
		clk.Advance(step)
		hold.Unlock()
	}
	stopSenders()

	if got, at := maxInWindow(sends, time.Second); got > rate {
		t.Errorf("%d sends in the second from %v across %d replicas, limit %d", got, at.Sub(t0), n, rate)
	}
	// Senders kept asking at the last instant, t0+span, while they were
	// being stopped; only the span itself is counted.
	inSpan := 0
	for _, at := range sends {
		if at.Before(t0.Add(span)) {
			inSpan++
		}
	}
	if want := int(span / ratelimit.PerSecond(rate).Interval()); inSpan != want {
		t.Errorf("%d sends in %v, want %d (one every %v)", inSpan, span, want, ratelimit.PerSecond(rate).Interval())
	}
}

// send is one allowed send in a simulated run.
type send struct {
	at   time.Time
	chat int
}

// testG6 is docs/reliability.md G6: 2,000 messages to 20 chats, sent by
// several senders, each on its own replica of the limiter, on a fake
// clock. No chat ever gets more than 5 sends in any 1-second window, the
// app never more than 50 in any second or 1,000 in any minute, and every
// message is sent.
//
// The senders run in lock-step rounds: each round every sender asks the
// limiter once (concurrently); when nobody was allowed, the clock jumps to
// the earliest RetryAfter. So time only moves when every sender is waiting,
// as it would in real time, and there is no sleep.
func testG6(t *testing.T, newLimiters NewFunc) {
	const messages, chats = 2000, 20
	tests := []struct {
		name    string
		senders int
		chatOf  func(i int, r *rand.Rand) int
		// maxElapsed, if set, bounds the simulated run: the limiter must
		// not throttle more than the limits require.
		maxElapsed time.Duration
	}{
		{name: "RoundRobin3Senders", senders: 3, chatOf: func(i int, _ *rand.Rand) int { return i % chats },
			// The 1000/min bound at burst 1 spaces app sends 60 ms apart.
			maxElapsed: (messages-1)*60*time.Millisecond + time.Second},
		{name: "Random8Senders", senders: 8, chatOf: func(_ int, r *rand.Rand) int { return r.IntN(chats) }},
		{name: "HotChat5Senders", senders: 5, chatOf: func(i int, r *rand.Rand) int {
			if i%2 == 0 {
				return 0
			}
			return 1 + r.IntN(chats-1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			lims := replicas(t, newLimiters, clk, tc.senders)
			r := rand.New(rand.NewPCG(1, 2))
			queue := make(chan int, messages)
			for i := range messages {
				queue <- tc.chatOf(i, r)
			}
			close(queue)

			sends := runSenders(t, clk, lims, queue)

			if len(sends) != messages {
				t.Fatalf("%d messages sent, want %d", len(sends), messages)
			}
			byChat := make(map[int][]time.Time)
			var all []time.Time
			for _, s := range sends {
				byChat[s.chat] = append(byChat[s.chat], s.at)
				all = append(all, s.at)
			}
			for c, times := range byChat {
				if n, at := maxInWindow(times, time.Second); n > 5 {
					t.Errorf("chat %d: %d sends in the second from %v, limit 5", c, n, at.Sub(t0))
				}
			}
			if n, at := maxInWindow(all, time.Second); n > 50 {
				t.Errorf("app: %d sends in the second from %v, limit 50", n, at.Sub(t0))
			}
			if n, at := maxInWindow(all, time.Minute); n > 1000 {
				t.Errorf("app: %d sends in the minute from %v, limit 1000", n, at.Sub(t0))
			}
			elapsed := clk.Now().Sub(t0)
			if tc.maxElapsed > 0 && elapsed > tc.maxElapsed {
				t.Errorf("run took %v of simulated time, want at most %v", elapsed, tc.maxElapsed)
			}
			t.Logf("%d sends in %v simulated", len(sends), elapsed)
		})
	}
}

// runSenders drives one sender goroutine per limiter in lims; they take
// chats from queue and send through their limiter. It returns every
// allowed send.
func runSenders(t *testing.T, clk *clock.Fake, lims []ratelimit.Limiter, queue <-chan int) []send {
	t.Helper()
	type outcome struct {
		sender int
		done   bool // the queue was empty; the sender has returned
		res    ratelimit.Result
		err    error
		chat   int
		sentAt time.Time
	}
	n := len(lims)
	app := ratelimit.AppKey("im.message.create")
	turns := make([]chan struct{}, n)
	outcomes := make(chan outcome)
	var wg sync.WaitGroup
	for w, lim := range lims {
		turns[w] = make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat, holding := 0, false
			for range turns[w] {
				if !holding {
					c, ok := <-queue
					if !ok {
						outcomes <- outcome{sender: w, done: true}
						return
					}
					chat, holding = c, true
				}
				res, err := lim.Allow(t.Context(), app, ratelimit.ChatKey(fmt.Sprintf("oc_%02d", chat)))
				o := outcome{sender: w, res: res, err: err, chat: chat}
				if err == nil && res.Allowed {
					o.sentAt = clk.Now()
					holding = false
				}
				outcomes <- o
			}
		}()
	}

	var sends []send
	active := make([]bool, n)
	for w := range active {
		active[w] = true
	}
	for round := 0; slices.Contains(active, true); round++ {
		if round > 1_000_000 {
			t.Fatalf("no progress after %d rounds", round)
		}
		asked := 0
		for w, a := range active {
			if a {
				turns[w] <- struct{}{}
				asked++
			}
		}
		var wait time.Duration
		allowed := false
		for range asked {
			o := <-outcomes
			switch {
			case o.done:
				active[o.sender] = false
			case o.err != nil:
				t.Errorf("sender %d: Allow: %v", o.sender, o.err)
				active[o.sender] = false
				close(turns[o.sender])
			case o.res.Allowed:
				allowed = true
				sends = append(sends, send{at: o.sentAt, chat: o.chat})
			case wait == 0 || o.res.RetryAfter < wait:
				wait = o.res.RetryAfter
			}
		}
		// Time moves only when every sender is waiting.
		if !allowed && wait > 0 {
			clk.Advance(wait)
		}
	}
	wg.Wait()
	return sends
}

// maxInWindow returns the most events in any half-open window [t, t+w) and
// where it starts. times need not be sorted.
func maxInWindow(times []time.Time, w time.Duration) (int, time.Time) {
	s := slices.Clone(times)
	slices.SortFunc(s, func(a, b time.Time) int { return a.Compare(b) })
	best, at := 0, time.Time{}
	j := 0
	for i := range s {
		for j < len(s) && s[j].Before(s[i].Add(w)) {
			j++
		}
		if j-i > best {
			best, at = j-i, s[i]
		}
	}
	return best, at
}
