package ratelimit_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
)

// send is one allowed send in a simulated run.
type send struct {
	at   time.Time
	chat int
}

// TestG6InProcess is RELIABILITY.md G6 in one process: 2,000 messages to 20
// chats, sent by several goroutines sharing one limiter on a fake clock.
// No chat ever gets more than 5 sends in any 1-second window, the app never
// more than 50 in any second or 1,000 in any minute, and every message is
// sent.
//
// The goroutines run in lock-step rounds: each round every sender asks the
// limiter once (concurrently); when nobody was allowed, the clock jumps to
// the earliest RetryAfter. So time only moves when every sender is waiting,
// as it would in real time, and there is no sleep.
func TestG6InProcess(t *testing.T) {
	t.Parallel()
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
			lim := ratelimit.NewMemory(clk)
			r := rand.New(rand.NewPCG(1, 2))
			queue := make(chan int, messages)
			for i := range messages {
				queue <- tc.chatOf(i, r)
			}
			close(queue)

			sends := runSenders(t, clk, lim, queue, tc.senders)

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

// runSenders drives n sender goroutines that take chats from queue and
// send through lim, and returns every allowed send.
func runSenders(t *testing.T, clk *clock.Fake, lim ratelimit.Limiter, queue <-chan int, n int) []send {
	t.Helper()
	type outcome struct {
		sender int
		done   bool // the queue was empty; the sender has returned
		res    ratelimit.Result
		err    error
		chat   int
		sentAt time.Time
	}
	app := ratelimit.AppKey("im.message.create")
	turns := make([]chan struct{}, n)
	outcomes := make(chan outcome)
	var wg sync.WaitGroup
	for w := range n {
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

// TestMaxInWindow checks the checker, so that G6 cannot pass vacuously.
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
