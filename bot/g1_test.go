package bot_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/postgres/pgtest"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// replica is one kaohe in the G1/G2 tests: its own Service and relay on
// the shared PostgreSQL store, larksim and clock, run in a loop that can
// be killed (its context cancelled at a random moment: transactions in
// flight roll back, a send in flight may or may not reach Lark, exactly
// what SIGKILL leaves) and stopped (frozen after claiming outbox rows,
// for longer than the claim's lease, as SIGSTOP does).
type replica struct {
	svc    *workflow.Service
	relay  *bot.Relay
	frozen chan struct{} // closed while running normally; a send waits on it
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	// ticked is the clock reading (UnixNano) at the start of the last
	// Tick that completed: every slot up to it is recorded.
	ticked atomic.Int64
	clk    *clock.Fake
}

// freezingSender holds every send while its replica is stopped.
type freezingSender struct {
	bot.Sender
	r *replica
}

func (s freezingSender) SendCard(ctx context.Context, to bot.Recipient, card []byte, uuid string) (string, error) {
	s.r.mu.Lock()
	gate := s.r.frozen
	s.r.mu.Unlock()
	select {
	case <-gate:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return s.Sender.SendCard(ctx, to, card, uuid)
}

// start runs the replica's loop until kill.
func (r *replica) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r.mu.Lock()
	r.cancel, r.done = cancel, done
	r.mu.Unlock()
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			at := r.clk.Now()
			if _, err := r.svc.Tick(ctx); err == nil {
				r.ticked.Store(at.UnixNano())
			}
			_, _ = r.relay.RunOnce(ctx)
		}
	}()
}

// kill stops the loop wherever it is and waits for it to end.
func (r *replica) kill() {
	r.mu.Lock()
	cancel, done := r.cancel, r.done
	r.mu.Unlock()
	cancel()
	<-done
}

func (r *replica) freeze() {
	r.mu.Lock()
	r.frozen = make(chan struct{})
	r.mu.Unlock()
}

func (r *replica) thaw() {
	r.mu.Lock()
	close(r.frozen)
	r.mu.Unlock()
}

// g1Lease is how long a replica's claim on outbox rows lasts.
const g1Lease = 2 * time.Minute

// g1World is the shared part: one database, one simulated Lark, one clock.
type g1World struct {
	t        *testing.T
	ctx      context.Context
	clk      *clock.Fake
	store    workflow.Store
	sim      *larksim.Server
	replicas []*replica
	people   []string
	dbURL    string
}

// newG1World sets up an organisation with n assessed people and the
// quarter open, and three replicas whose weekly plan has a nudge every
// `every` of the working day before each week's due date, 09:00 to 18:00
// (every 5 minutes: 108 slots a week, over a thousand in the quarter).
// Lark's send limits are lifted: G6 is about them, this test about
// firing and delivering once.
func newG1World(t *testing.T, n int, grace, every time.Duration) *g1World {
	t.Helper()
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, calendar.DefaultLocation())
	w := &g1World{t: t, ctx: context.Background(), clk: clock.NewFake(start)}
	w.dbURL, _ = pgtest.SchemaURL(t)
	w.store = pgtest.Open(t, w.dbURL)
	w.sim = larksim.New(larksim.Options{AppID: "cli_g1", AppSecret: "secret", Clock: w.clk, CallbackTimeout: 10 * time.Second,
		AppPerSecond: 1 << 20, AppPerMinute: 1 << 20, ChatPerSecond: 1 << 20})
	api := httptest.NewServer(w.sim)
	t.Cleanup(api.Close)
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	var weekly []workflow.Nudge
	for at := 9 * time.Hour; at < 18*time.Hour; at += every {
		weekly = append(weekly, workflow.Nudge{Stage: workflow.StageBefore, Workdays: -1, Hour: int(at / time.Hour), Minute: int(at % time.Hour / time.Minute)})
	}
	plans := map[string][]workflow.Nudge{"weekly": weekly, "monthly": {}, "summary": {}, "vote": {}, "step": {}, "feedback": {}, "filing": {}}
	for i := range 3 {
		svc, err := workflow.New(workflow.Config{Store: w.store, Clock: w.clk, Calendar: calendar.Default(), Scheme: sc, Plans: plans, Grace: grace})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.setup(svc, n)
		}
		lk, err := bot.NewLark(bot.LarkConfig{AppID: "cli_g1", AppSecret: "secret", BaseURL: api.URL})
		if err != nil {
			t.Fatal(err)
		}
		b, err := bot.New(bot.Config{Service: svc, Store: w.store, Clock: w.clk})
		if err != nil {
			t.Fatal(err)
		}
		r := &replica{svc: svc, frozen: make(chan struct{}), clk: w.clk}
		close(r.frozen)
		r.relay = &bot.Relay{Store: w.store, Sender: freezingSender{Sender: lk, r: r}, Render: b.Render, Clock: w.clk, Batch: 20, Lease: g1Lease,
			Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}
		w.replicas = append(w.replicas, r)
	}
	return w
}

func (w *g1World) setup(svc *workflow.Service, n int) {
	w.t.Helper()
	people := []workflow.Person{{ID: "ou_hr", Name: "政工科", HR: true, Committee: true}, {ID: "ou_lead", Name: "科长", Unit: "u1"}}
	for i := range n {
		id := fmt.Sprintf("ou_p%02d", i)
		people = append(people, workflow.Person{ID: id, Name: fmt.Sprintf("干部%02d", i), Unit: "u1", Group: "u1", Assessed: true})
		w.people = append(w.people, id)
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	units := []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_lead", Supervisor: "ou_hr"}}
	if err := svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_hr"}, units, people); err != nil {
		w.t.Fatal(err)
	}
	if _, err := svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q4"); err != nil {
		w.t.Fatal(err)
	}
}

// settle waits until some replica has completed a Tick at the clock's
// now (so every slot up to now is recorded) and no notification is due,
// with a real-time bound. Rows still pending then are held by a claim (a
// killed replica's, or the stopped one's) or wait for a retry: the clock
// moves past the claim's lease, as real time would before the next slot,
// because the test's next step jumps hours ahead, and a row left claimed
// across that jump would find Lark's uuid window over (the relay then
// gives it up rather than risk a second delivery).
func (w *g1World) settle(what string) {
	w.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		now := w.clk.Now()
		ticked := false
		for _, r := range w.replicas {
			ticked = ticked || r.ticked.Load() >= now.UnixNano()
		}
		due := pgtest.Int(w.t, w.dbURL, "SELECT count(*) FROM outbox WHERE state = 'pending' AND (not_before IS NULL OR not_before <= $1)", now)
		if ticked && due == 0 {
			if pgtest.Int(w.t, w.dbURL, "SELECT count(*) FROM outbox WHERE state = 'pending'") == 0 {
				return
			}
			w.clk.Advance(g1Lease + time.Second)
			continue
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: ticked %v, %d notifications still due after 60 s", what, ticked, due)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkDelivered asserts that every notification was delivered to its
// person once: as many distinct messages as outbox rows, none with a uuid
// twice, none dead.
func (w *g1World) checkDelivered() int {
	w.t.Helper()
	var rows []workflow.Notification
	if err := w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		rows, err = tx.Outbox(w.ctx, "", 0, 0)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	byUUID := map[string]int{}
	for _, m := range w.sim.Messages(larksim.MessageFilter{SenderType: larksim.SenderApp}) {
		byUUID[m.UUID]++
	}
	for _, n := range rows {
		if n.State != workflow.NoteSent {
			w.t.Errorf("notification %d (%s to %s) ended %s", n.ID, n.Template, n.To, n.State)
		}
		if c := byUUID[n.Key]; c != 1 {
			w.t.Errorf("notification %d (%s to %s) reached Lark %d times, want 1", n.ID, n.Template, n.To, c)
		}
	}
	if len(byUUID) != len(rows) {
		w.t.Errorf("%d distinct messages at Lark for %d notifications", len(byUUID), len(rows))
	}
	return len(rows)
}

// TestG1ExactlyOnceAcrossReplicas is G1 of docs/reliability.md on PostgreSQL: three
// replicas tick and relay through the slots of a quarter while one is
// killed at random moments and another is stopped, holding claimed rows,
// for longer than the claim's lease. Every slot fires exactly once and
// every reminder reaches its person exactly once, over three weeks of
// 15-minute slots (108). The full quarter runs with real processes
// (cmd/kaohe TestG1ServeProcesses with KAOHE_FULL=1); here three replicas
// ticking in tight loops would spend it re-reading past slots.
func TestG1ExactlyOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	weeks, every := 3, 15*time.Minute
	w := newG1World(t, 3, 30*24*time.Hour, every)
	slots := weeklySlots(weeks, every)
	for _, r := range w.replicas {
		r.start()
	}
	var kills atomic.Int64
	chaos, stopChaos := context.WithCancel(context.Background())
	var chaosDone sync.WaitGroup
	chaosDone.Go(func() { // replica 0 is killed and restarted at random moments
		for chaos.Err() == nil {
			time.Sleep(time.Duration(5+rand.IntN(25)) * time.Millisecond)
			w.replicas[0].kill()
			kills.Add(1)
			time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
			w.replicas[0].start()
		}
	})
	freezes := 0
	for i, at := range slots {
		frozen := i%20 == 7
		if frozen { // replica 1 stops with whatever it has claimed
			w.replicas[1].freeze()
			freezes++
		}
		w.clk.Set(at)
		w.settle(at.Format(time.DateTime))
		if frozen {
			// Past the stopped replica's lease, the others take its rows
			// over; then it wakes and sends what it held.
			w.clk.Advance(3 * time.Minute)
			w.settle(at.Format(time.DateTime) + " after the lease")
			w.replicas[1].thaw()
		}
	}
	stopChaos()
	chaosDone.Wait()
	for _, r := range w.replicas {
		r.kill()
	}
	// A last healthy pass, as after the storm: whatever a killed replica
	// left claimed is due again once its lease ends.
	w.clk.Advance(5 * time.Minute)
	r := w.replicas[2]
	if _, err := r.svc.Tick(w.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.relay.RunOnce(w.ctx); err != nil {
		t.Fatal(err)
	}
	fired := pgtest.Int(t, w.dbURL, "SELECT count(*) FROM schedule_fires WHERE outcome = 'fired'")
	missed := pgtest.Int(t, w.dbURL, "SELECT count(*) FROM schedule_fires WHERE outcome <> 'fired'")
	if fired != int64(len(slots)) || missed != 0 {
		t.Errorf("slots fired %d, missed %d; want all %d fired once", fired, missed, len(slots))
	}
	sent := w.checkDelivered()
	if want := len(slots) * len(w.people); sent != want {
		t.Errorf("%d notifications for %d slots × %d people, want %d", sent, len(slots), len(w.people), want)
	}
	t.Logf("%d slots fired, %d notifications, %d kills, %d stops, larksim %+v", fired, sent, kills.Load(), freezes, w.sim.Stats())
}

// weeklySlots lists the weekly-record reminder slots of the first weeks of
// 2026-Q4 under newG1World's plan, as the calendar gives them: the working
// day before each week's Sunday due date (国庆 moves week 40's to 30
// September, and the 调休 Saturday 10 October carries week 41's).
func weeklySlots(weeks int, every time.Duration) []time.Time {
	cal := calendar.Default()
	q, _ := calendar.ParsePeriod("2026-Q4")
	var out []time.Time
	n := 0
	for wk := calendar.PeriodContaining(calendar.Week, q.Start()); !wk.Start().After(q.End()) && n < weeks; wk = wk.Next() {
		if !q.Contains(wk.Start().AddDays(3)) {
			continue
		}
		n++
		day := cal.AddWorkdays(wk.End(), -1)
		for at := 9 * time.Hour; at < 18*time.Hour; at += every {
			out = append(out, cal.At(day, int(at/time.Hour), int(at%time.Hour/time.Minute)))
		}
	}
	return out
}

// TestG2CatchUp is G2 of docs/reliability.md: with every replica down for longer than
// the grace window, nothing is replayed when they come back (the slots are
// recorded as missed); when they come back within it, the slot that fell
// in the outage fires exactly once although all three start together.
func TestG2CatchUp(t *testing.T) {
	t.Parallel()
	w := newG1World(t, 2, time.Hour, 5*time.Minute)
	// Saturday 10 October 2026, a 调休 working day, is the working day
	// before week 41's due date; its slots run 09:00–17:55.
	loc := calendar.DefaultLocation()
	w.clk.Set(time.Date(2026, 10, 10, 8, 0, 0, 0, loc))
	tickAll := func() {
		var wg sync.WaitGroup
		for _, r := range w.replicas {
			wg.Go(func() {
				if _, err := r.svc.Tick(w.ctx); err != nil {
					t.Errorf("tick: %v", err)
				}
			})
		}
		wg.Wait()
		for _, r := range w.replicas {
			if _, err := r.relay.RunOnce(w.ctx); err != nil {
				t.Errorf("relay: %v", err)
			}
		}
	}
	tickAll()
	// Down from 08:00 until 12:20: 09:00–11:15 are older than the hour of
	// grace, 11:20–12:20 within it.
	w.clk.Set(time.Date(2026, 10, 10, 12, 20, 0, 0, loc))
	tickAll()
	fired, missed := 0, 0
	if err := w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		fired, missed = 0, 0
		for at := time.Date(2026, 10, 10, 9, 0, 0, 0, loc); !at.After(w.clk.Now()); at = at.Add(5 * time.Minute) {
			f, err := tx.Fire(w.ctx, "2026-Q4/weekly/2026-W41/before", at)
			if err != nil {
				return fmt.Errorf("slot %s: %w", at.Format(time.Kitchen), err)
			}
			if f.Outcome == workflow.FireFired {
				fired++
			} else {
				missed++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fired != 13 || missed != 28 {
		t.Errorf("after the outage: %d slots fired and %d missed, want 13 within the hour of grace and 28 before it", fired, missed)
	}
	if sent := w.checkDelivered(); sent != 13*len(w.people) {
		t.Errorf("%d reminders sent, want one per person for each of the 13 slots in the grace window", sent)
	}
}
