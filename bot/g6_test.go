package bot_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/postgres/pgtest"
	kredis "github.com/kaohe/kaohe/storage/redis"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// testRedis opens a client on TEST_REDIS_URL (skipped without it, failed
// in CI), closed when the test ends.
func testRedis(t *testing.T) *kredis.Client {
	t.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	miss := func(why string) {
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis is required in CI: %s", why)
		}
		t.Skipf("Redis not available: %s", why)
	}
	if u == "" {
		miss("TEST_REDIS_URL is not set")
	}
	if !strings.Contains(u, "timeout") { // patient on a busy CI machine; production keeps the short default
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "dial_timeout=5s&read_timeout=5s&write_timeout=5s&pool_timeout=5s"
	}
	c, err := kredis.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		miss(err.Error())
	}
	return c
}

// TestG6ReplicasShareLimits is G6 of docs/reliability.md in real time: three relays,
// each with its own Redis connection and sharing one limiter prefix, flush
// messages to 20 recipients through larksim, which enforces Lark's limits
// (50/s and 1000/min per app, 5/s per chat). No send is refused for a
// limit and every message arrives once. The default sends 200 (about 12 s
// at 1000/min); KAOHE_FULL=1 sends 2,000, and KAOHE_G6_MESSAGES=N any
// number (the 10,000-person fan-out of BENCHMARKS.md).
func TestG6ReplicasShareLimits(t *testing.T) {
	t.Parallel()
	n := 200
	if os.Getenv("KAOHE_FULL") != "" {
		n = 2000
	}
	if v, err := strconv.Atoi(os.Getenv("KAOHE_G6_MESSAGES")); err == nil && v > 0 {
		n = v
	}
	store := pgtest.New(t)
	sim := larksim.New(larksim.Options{AppID: "cli_g6", AppSecret: "secret"})
	api := httptest.NewServer(sim)
	t.Cleanup(api.Close)
	ctx := context.Background()
	clk := clock.Real{}
	people := []workflow.Person{{ID: "ou_hr", Name: "政工科", HR: true}}
	for i := range 20 {
		people = append(people, workflow.Person{ID: fmt.Sprintf("ou_r%02d", i), Name: fmt.Sprintf("收件人%02d", i)})
	}
	for _, p := range people {
		sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	now := time.Now()
	if err := store.InTx(ctx, func(tx workflow.Tx) error {
		for _, p := range people {
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
		}
		for i := range n {
			_, err := tx.Enqueue(ctx, workflow.Notification{Key: workflow.DedupeKey("g6", fmt.Sprint(i)), To: people[1+i%20].ID,
				Template: workflow.TplFilingDue, Data: map[string]string{"period": "2026-Q4", "due": "2027-01-22"}, CreatedAt: now})
			if err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "kaohe:test:g6:" + hex.EncodeToString(b[:]) + ":"
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	start := time.Now()
	for range 3 {
		rc := testRedis(t)
		lk, err := bot.NewLark(bot.LarkConfig{AppID: "cli_g6", AppSecret: "secret", BaseURL: api.URL})
		if err != nil {
			t.Fatal(err)
		}
		b, err := bot.New(bot.Config{Service: mustService(t, store), Store: store, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		relay := &bot.Relay{Store: store, Sender: lk, Render: b.Render, Clock: clk, Batch: 10,
			Limiter: kredis.NewLimiter(rc, kredis.LimiterConfig{Prefix: prefix})}
		wg.Go(func() {
			for range 1000 {
				rep, err := relay.RunOnce(ctx)
				if err != nil {
					errs <- err
					return
				}
				if rep.Sent+rep.Retry+rep.Dead == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("relay: %v", err)
	}
	elapsed := time.Since(start)
	st := sim.Stats()
	if st.RateLimited != 0 || st.ChatRateLimited != 0 {
		t.Errorf("larksim refused %d sends at the app limit and %d at the chat limit, want 0", st.RateLimited, st.ChatRateLimited)
	}
	msgs := sim.Messages(larksim.MessageFilter{SenderType: larksim.SenderApp})
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.UUID]++
	}
	if len(seen) != n {
		t.Errorf("%d distinct messages delivered, want %d", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("uuid %s delivered %d times", k, c)
		}
	}
	// 1000/min at burst 1 spaces app-wide sends 60 ms apart: the floor.
	floor := time.Duration(n-1) * 60 * time.Millisecond
	t.Logf("%d messages in %v (floor %v, +%.1f%%), larksim %+v", n, elapsed.Round(time.Millisecond), floor,
		100*(elapsed.Seconds()-floor.Seconds())/floor.Seconds(), st)
}

// mustService is a Service on store for tests that only need its Render.
func mustService(t *testing.T, store workflow.Store) *workflow.Service {
	t.Helper()
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := workflow.New(workflow.Config{Store: store, Clock: clock.Real{}, Calendar: calendar.Default(), Scheme: sc})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
