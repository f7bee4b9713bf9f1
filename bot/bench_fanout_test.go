package bot_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestFanout is the reminder fan-out benchmark of BENCHMARKS.md ("Bot"):
// an organisation of n assessed people, the weekly reminder slot fired by
// Service.Tick, and the relay delivering every reminder through the real
// SDK to larksim under Lark's limits (50/s and 1,000/min per app, 5/s per
// user) with the in-process limiter. Everything runs on one fake clock
// that the relay advances when it waits, so the simulated time is what a
// real run would take and the test takes seconds. It checks that every
// reminder arrives and that Lark answered no send with a rate-limit error;
// the times are logged, not asserted. CI runs 1,000 people; KAOHE_FULL=1
// runs 10,000 (make bench-fanout). KAOHE_FANOUT_REAL=1 runs on the wall
// clock instead (shifted to the reminder slot), taking the full time;
// KAOHE_FANOUT_N sets another size.
func TestFanout(t *testing.T) {
	n := 1000
	if os.Getenv("KAOHE_FULL") == "1" {
		n = 10000
	}
	if v := os.Getenv("KAOHE_FANOUT_N"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			t.Fatalf("KAOHE_FANOUT_N=%q: %v", v, err)
		}
	}
	ctx := context.Background()
	loc := calendar.DefaultLocation()
	// Thursday 24 September 2026, 15:00: the weekly reminder slot (Friday
	// is 中秋, so the record is due on Thursday).
	slot := time.Date(2026, 9, 24, 15, 0, 0, 0, loc)
	fake := clock.NewFake(slot)
	var clk clock.Clock = fake
	sleep := func(_ context.Context, d time.Duration) error { fake.Advance(d); return nil }
	if os.Getenv("KAOHE_FANOUT_REAL") == "1" {
		clk = shifted(time.Until(slot))
		sleep = nil // the relay's real timer
	}
	store := memory.New()
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := workflow.New(workflow.Config{Store: store, Clock: clk, Calendar: calendar.Default(), Scheme: sc})
	if err != nil {
		t.Fatal(err)
	}
	const appID = "cli_fanout"
	sim := larksim.New(larksim.Options{AppID: appID, AppSecret: "secret", Clock: clk})
	api := httptest.NewServer(sim)
	t.Cleanup(api.Close)

	people := []workflow.Person{{ID: "ou_hr", Name: "政工科", HR: true}, {ID: "ou_head", Name: "局长"}, {ID: "ou_super", Name: "分管领导"}}
	var units []workflow.Unit
	for i := 0; i < n; i++ {
		u := fmt.Sprintf("u%04d", i/50)
		if i%50 == 0 {
			units = append(units, workflow.Unit{ID: u, Name: "科室" + u, Leader: "ou_leader_" + u, Supervisor: "ou_super"})
			people = append(people, workflow.Person{ID: "ou_leader_" + u, Name: "科长" + u, Unit: u})
		}
		people = append(people, workflow.Person{ID: fmt.Sprintf("ou_p%05d", i), Name: fmt.Sprintf("职工%05d", i), Unit: u, Group: u, Assessed: true})
	}
	for _, p := range people {
		sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	if err := svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "压测局", Head: "ou_head"}, units, people); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OpenPeriod(ctx, "ou_hr", "2026-Q3"); err != nil {
		t.Fatal(err)
	}
	tick, err := svc.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tick.Sent < n {
		t.Fatalf("tick queued %d reminders, want at least %d (%+v)", tick.Sent, n, tick)
	}

	b, err := bot.New(bot.Config{Service: svc, Store: store, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	lk, err := bot.NewLark(bot.LarkConfig{AppID: appID, AppSecret: "secret", BaseURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	relay := &bot.Relay{Store: store, Sender: lk, Render: b.Render, Limiter: ratelimit.NewMemory(clk), Clock: clk,
		Sleep: sleep}
	simStart, realStart := clk.Now(), time.Now()
	var sent int
	for pass := 0; pass < 10; pass++ {
		rep, err := relay.RunOnce(ctx)
		if err != nil {
			t.Fatalf("relay: %v", err)
		}
		if rep.Dead > 0 {
			t.Fatalf("relay: %d dead", rep.Dead)
		}
		sent += rep.Sent
		if rep.Retry == 0 {
			break
		}
	}
	simTime, realTime := clk.Now().Sub(simStart), time.Since(realStart)
	st := sim.Stats()
	if sent != tick.Sent {
		t.Errorf("sent %d of %d reminders", sent, tick.Sent)
	}
	if st.RateLimited != 0 || st.ChatRateLimited != 0 {
		t.Errorf("larksim answered %d app and %d chat rate-limit errors, want 0", st.RateLimited, st.ChatRateLimited)
	}
	// Two floors. Steady: N ÷ 1,000/min, the rate a limiter with burst 1
	// (docs/reliability.md §3) can sustain under both of Lark's app limits.
	// Window: what Lark's windows would let through at best, a full
	// minute's 1,000 at 50/s and then 1,000 a minute.
	steady := time.Duration(sent) * time.Minute / 1000
	full := (sent - 1) / 1000
	window := time.Duration(full)*time.Minute + time.Duration(sent-1000*full)*time.Second/50
	t.Logf("fan-out: %d reminders (tick fired %d slot), clock time %v; floor N÷(1000/min) %v (%+.2f%%), Lark-window floor %v; real %v; rate-limit errors app %d chat %d; message.create requests %d",
		sent, tick.Fired, simTime.Round(time.Millisecond), steady, 100*(simTime.Seconds()/steady.Seconds()-1), window,
		realTime.Round(time.Millisecond), st.RateLimited, st.ChatRateLimited, st.Requests[larksim.APIMessageCreate])
}

// shifted is the wall clock moved by a fixed offset, for a run in real time
// that starts at a reminder slot.
type shifted time.Duration

func (s shifted) Now() time.Time { return time.Now().Add(time.Duration(s)) }
