package bot_test

import (
	"context"

	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// queue puts notifications straight into the outbox, as a state change does.
func (w *world) queue(ns ...workflow.Notification) {
	w.t.Helper()
	w.must("enqueue", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		for _, n := range ns {
			if n.CreatedAt.IsZero() {
				n.CreatedAt = w.clk.Now()
			}
			if _, err := tx.Enqueue(w.ctx, n); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (w *world) outbox(state string) []workflow.Notification {
	w.t.Helper()
	var out []workflow.Notification
	w.must("outbox", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		out, err = tx.Outbox(w.ctx, state, 0, 1<<20)
		return err
	}))
	return out
}

func (w *world) people(ps ...workflow.Person) {
	w.t.Helper()
	for _, p := range ps {
		if _, err := w.sim.AddUser(larksim.User{OpenID: p.ID, Name: p.Name}); err != nil {
			w.t.Fatal(err)
		}
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_hr"}, nil, ps))
}

func notice(key, to string) workflow.Notification {
	return workflow.Notification{Key: workflow.DedupeKey(key), To: to, Template: workflow.TplFilingDue, Data: map[string]string{"period": "2026-Q3", "due": "2026-10-08"}}
}

// TestRelayG5 is docs/reliability.md G5: the simulator fails 5% of sends, loses
// the answer of another 5% after sending, and stalls some; every outbox row
// ends sent or dead and nobody sees a message twice.
func TestRelayG5(t *testing.T) {
	w := newWorld(t, "cli_g5", time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	ps := []workflow.Person{{ID: "ou_hr", Name: "政工科", HR: true}}
	for i := range 30 {
		ps = append(ps, workflow.Person{ID: fmt.Sprintf("ou_u%02d", i), Name: fmt.Sprintf("干部%02d", i)})
	}
	w.people(ps...)
	const n = 300
	for i := range n {
		w.queue(notice(fmt.Sprint("g5", i), ps[1+i%30].ID))
	}
	w.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Percent: 5, Status: 500})
	w.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Percent: 5, Status: 502, AfterEffect: true})
	stall := w.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Percent: 3, Stall: 2 * time.Second, Status: 0})
	done := make(chan struct{})
	defer close(done)
	go func() { // a stalled request waits on the fake clock: move it on
		for {
			select {
			case <-stall.Stalled():
				w.clk.Advance(2 * time.Second)
			case <-done:
				return
			}
		}
	}()
	for pass := 0; len(w.outbox(workflow.NotePending)) > 0; pass++ {
		if pass > 50 {
			t.Fatalf("still %d pending after 50 passes", len(w.outbox(workflow.NotePending)))
		}
		if _, err := w.relay.RunOnce(w.ctx); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(time.Minute) // past every retry's backoff
	}
	sent := len(w.outbox(workflow.NoteSent))
	dead := len(w.outbox(workflow.NoteDead))
	if sent+dead != n || dead != 0 {
		t.Errorf("sent %d + dead %d, want all %d sent", sent, dead, n)
	}
	seen := map[string]int{}
	for _, m := range w.sim.Messages(larksim.MessageFilter{}) {
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
	t.Logf("larksim: %+v", w.sim.Stats())
}

// TestRelayLarkErrors: refusals by code are recorded and reported to HR,
// throttling backs off and succeeds, an expired token is refreshed.
func TestRelayLarkErrors(t *testing.T) {
	w := newWorld(t, "cli_codes", time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_gone", Name: "已离职"},
		workflow.Person{ID: "ou_stop", Name: "停用机器人"}, workflow.Person{ID: "ou_ok", Name: "在岗"})
	w.sim.UpdateUser("ou_gone", func(u *larksim.User) { u.Resigned = true })
	w.sim.UpdateUser("ou_stop", func(u *larksim.User) { u.StoppedBot = true })
	w.sim.MustAddChat(larksim.Chat{ChatID: "oc_nobot", Type: "group", Name: "无机器人群", BotMember: false})
	w.queue(notice("a", "ou_gone"), notice("b", "ou_stop"), workflow.Notification{Key: workflow.DedupeKey("c"), To: "oc_nobot", Chat: true,
		Template: workflow.TplPublicity, Data: map[string]string{"period": "2026-Q3", "grade": "好", "names": "甲"}})
	rep, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Dead != 3 {
		t.Errorf("dead = %d, want 3 (resigned, stopped the bot, bot not in chat)", rep.Dead)
	}
	w.sim.Burst429(larksim.APIMessageCreate, 2)
	w.queue(notice("d", "ou_ok"))
	for pass := 0; len(w.outbox(workflow.NotePending)) > 0 && pass < 10; pass++ {
		_, err := w.relay.RunOnce(w.ctx)
		w.must("relay", err)
		w.clk.Advance(time.Minute) // past Lark's x-ogw-ratelimit-reset
	}
	if got := len(w.sim.MessagesTo("ou_ok")); got != 1 {
		t.Errorf("ou_ok got %d messages after the 429 burst, want 1", got)
	}
	if got := len(w.sim.MessagesTo("ou_hr")); got != 0 {
		t.Errorf("HR got %d alerts before the hour was over, want the digest after it", got)
	}
	w.clk.Advance(time.Hour) // HR's digest of the hour goes out once it is over
	_, err = w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	alerts := w.sim.MessagesTo("ou_hr")
	if len(alerts) != 1 {
		t.Fatalf("HR got %d alerts, want one digest of the three refusals", len(alerts))
	}
	for _, want := range []string{"3条消息未能送达", "已离职", "停用机器人", "不在该群"} {
		if !strings.Contains(alerts[0].Content, want) {
			t.Errorf("the HR digest does not mention %q: %s", want, alerts[0].Content)
		}
	}
	// Two hours and a bit later the token has expired at Lark; the next send
	// refreshes it.
	w.clk.Advance(2*time.Hour + 5*time.Minute)
	w.queue(notice("e", "ou_ok"))
	rep, err = w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Sent != 1 {
		t.Errorf("after token expiry sent %d, want 1 (stats %+v)", rep.Sent, w.sim.Stats())
	}
	// Queued long ago but never tried (sending was paused): Lark's uuid
	// window has not started, so it goes out.
	w.queue(workflow.Notification{Key: workflow.DedupeKey("old"), To: "ou_ok", Template: workflow.TplFilingDue,
		Data: map[string]string{"period": "2026-Q3"}, CreatedAt: w.clk.Now().Add(-3 * time.Hour)})
	rep, err = w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Sent != 1 || rep.Dead != 0 {
		t.Errorf("a notification queued long ago, never tried: %+v, want it sent", rep)
	}
}

// TestRelayOutage: Lark answers every send with HTTP 503 for two and a half
// hours, longer than two uuid windows, while messages are queued at three
// moments and the relay claims them in small batches. A reminder whose due
// day has passed is dropped when its window runs out; one still due is
// re-sent under a new uuid, and so is every result, window after window,
// so each arrives exactly once when Lark is back; HR gets one digest per
// hour in which something was given up, listing all of it, not one per
// failure or per batch.
func TestRelayOutage(t *testing.T) {
	start := time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation())
	w := newWorld(t, "cli_outage", start)
	w.relay.Batch = 4 // several batches per pass
	ps := []workflow.Person{{ID: "ou_hr", Name: "政工科", HR: true}}
	for i := range 30 {
		ps = append(ps, workflow.Person{ID: fmt.Sprintf("ou_o%02d", i), Name: fmt.Sprintf("干部%02d", i)})
	}
	w.people(ps...)
	type want struct {
		to   string
		msgs int
	}
	var wants []want
	// queue puts n messages to the next people: odd ones results, even
	// ones 备案 reminders due on due.
	next := 1
	queue := func(n int, due string, reminderArrives bool) {
		for range n {
			p := ps[next]
			nt := workflow.Notification{Key: workflow.DedupeKey("res", p.ID), To: p.ID, Template: workflow.TplResult,
				Data: map[string]string{"period": "2026-Q3", "grade": "好", "score": "92.00"}}
			got := 1
			if next%2 == 0 {
				nt = workflow.Notification{Key: workflow.DedupeKey("rem", p.ID), To: p.ID, Template: workflow.TplFilingDue,
					Data: map[string]string{"period": "2026-Q3", "due": due}}
				if !reminderArrives {
					got = 0
				}
			}
			w.queue(nt)
			wants = append(wants, want{p.ID, got})
			next++
		}
	}
	pass := func() {
		_, err := w.relay.RunOnce(w.ctx)
		w.must("relay", err)
		w.clk.Advance(time.Minute)
	}
	outage := w.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Status: 503})
	minute := 0
	for ; minute < 150; minute++ {
		switch minute {
		case 0: // due yesterday: dropped at 09:51, in the 09:00 digest
			queue(20, "2026-10-08", false)
		case 40: // due on Monday: kept through the outage
			queue(6, "2026-10-12", true)
		case 70: // due yesterday, first tried 10:10: dropped at 11:01
			queue(4, "2026-10-08", false)
		}
		pass()
	}
	outage.Remove()
	for ; minute < 190; minute++ { // past 12:00, when the 11:00 digest is made
		pass()
	}
	for _, wt := range wants {
		if got := len(w.sim.MessagesTo(wt.to)); got != wt.msgs {
			t.Errorf("%s got %d messages after the outage, want %d", wt.to, got, wt.msgs)
		}
	}
	alerts := w.sim.MessagesTo("ou_hr")
	var digests []string
	for _, a := range alerts {
		switch {
		case strings.Contains(a.Content, `"content":"10条消息未能送达"`):
			digests = append(digests, "09:00")
		case strings.Contains(a.Content, `"content":"2条消息未能送达"`):
			digests = append(digests, "11:00")
		default:
			digests = append(digests, "?")
		}
	}
	if strings.Join(digests, ",") != "09:00,11:00" {
		t.Errorf("HR got %d messages %v, want the 09:00 digest of 10 dropped reminders and the 11:00 one of 2: %v", len(alerts), digests, alerts)
	}
	if pending := len(w.outbox(workflow.NotePending)); pending != 0 {
		t.Errorf("%d notifications still pending", pending)
	}
}

// TestRelayGivesUpAfterADay: a result Lark cannot take is re-sent under
// fresh uuids for Relay.ResendFor (a day) and then given up, and HR is told
// why once the hour is over; a reminder still due is bounded the same way.
func TestRelayGivesUpAfterADay(t *testing.T) {
	w := newWorld(t, "cli_day", time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_r", Name: "干部"})
	w.queue(workflow.Notification{Key: workflow.DedupeKey("day"), To: "ou_r", Template: workflow.TplResult,
		Data: map[string]string{"period": "2026-Q3", "grade": "好", "score": "92.00"}},
		workflow.Notification{Key: workflow.DedupeKey("day-rem"), To: "ou_r", Template: workflow.TplFilingDue,
			Data: map[string]string{"period": "2026-Q3", "due": "2026-10-30"}})
	outage := w.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Status: 503})
	for i := range 28 * 12 { // 28 hours, a pass every 5 minutes; Lark is back after 26
		if i == 26*12 {
			outage.Remove()
		}
		_, err := w.relay.RunOnce(w.ctx)
		w.must("relay", err)
		w.clk.Advance(5 * time.Minute)
	}
	if got := len(w.sim.MessagesTo("ou_r")); got != 0 {
		t.Errorf("ou_r got %d messages, want none: both were given up before Lark was back", got)
	}
	if pending := w.outbox(workflow.NotePending); len(pending) != 0 {
		t.Errorf("still pending after 26 hours: %+v", pending)
	}
	alerts := w.sim.MessagesTo("ou_hr")
	if len(alerts) != 1 || !strings.Contains(alerts[0].Content, "2条消息未能送达") || !strings.Contains(alerts[0].Content, "24小时内一直无法送达") {
		t.Errorf("HR got %v, want one digest of the two messages given up after 24 hours", alerts)
	}
}

// killingSender hands the message to Lark and then dies, as a relay killed
// between Lark's answer and recording it.
type killingSender struct {
	bot.Sender
	kill context.CancelFunc
}

func (s killingSender) SendCard(ctx context.Context, to bot.Recipient, card []byte, uuid string) (string, error) {
	id, err := s.Sender.SendCard(ctx, to, card, uuid)
	s.kill()
	return id, err
}

// TestRelayKilledAfterSend: a relay killed after Lark took a message but
// before it recorded that leaves the row claimed. When nobody picks it up
// for longer than Lark's uuid window, the next relay must not repeat the
// uuid (Lark would deliver it again): the window ran from the killed send,
// so the reminder is dropped and the person has it once.
func TestRelayKilledAfterSend(t *testing.T) {
	w := newWorld(t, "cli_killed", time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_k", Name: "干部"})
	w.queue(notice("killed", "ou_k"))
	ctx, kill := context.WithCancel(w.ctx)
	dying := *w.relay
	dying.Sender = killingSender{Sender: w.relay.Sender, kill: kill}
	if _, err := dying.RunOnce(ctx); err == nil {
		t.Fatal("the killed relay's pass ended without an error")
	}
	w.clk.Advance(2 * time.Hour)
	_, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if got := len(w.sim.MessagesTo("ou_k")); got != 1 {
		t.Errorf("the person got %d messages, want the killed relay's 1", got)
	}
	if dead := w.outbox(workflow.NoteDead); len(dead) != 1 {
		t.Errorf("dead rows = %+v, want the reminder given up", dead)
	}
}

// TestRelayDigestAcrossReplicas: two relays give things up in the same
// hour and both run after it: HR gets one digest listing both. A replica
// whose clock lags gives something up after the hour was reported: it goes
// into the next hour's digest, not a second one for the hour.
func TestRelayDigestAcrossReplicas(t *testing.T) {
	w := newWorld(t, "cli_digest", time.Date(2026, 10, 9, 9, 50, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_g1", Name: "离职甲"},
		workflow.Person{ID: "ou_g2", Name: "离职乙"}, workflow.Person{ID: "ou_g3", Name: "离职丙"})
	for _, id := range []string{"ou_g1", "ou_g2", "ou_g3"} {
		w.sim.UpdateUser(id, func(u *larksim.User) { u.Resigned = true })
	}
	a, b := w.relay, *w.relay
	run := func(r *bot.Relay) {
		t.Helper()
		_, err := r.RunOnce(w.ctx)
		w.must("relay", err)
	}
	w.queue(notice("g1", "ou_g1"))
	run(a)
	w.clk.Advance(5 * time.Minute)
	w.queue(notice("g2", "ou_g2"))
	run(&b)
	if got := len(w.sim.MessagesTo("ou_hr")); got != 0 {
		t.Fatalf("HR got %d messages within the hour, want the digest after it", got)
	}
	w.clk.Advance(6 * time.Minute) // 10:01
	run(a)
	run(&b)
	lagging := b
	lagging.Clock = clock.NewFake(w.clk.Now().Add(-2 * time.Minute)) // still 09:59 there
	w.queue(notice("g3", "ou_g3"))
	run(&lagging)
	w.clk.Advance(time.Hour) // 11:01
	run(a)
	run(&b)
	var titles []string
	for _, m := range w.sim.MessagesTo("ou_hr") {
		switch {
		case strings.Contains(m.Content, `"content":"2条消息未能送达"`) && strings.Contains(m.Content, "离职甲") && strings.Contains(m.Content, "离职乙"):
			titles = append(titles, "2")
		case strings.Contains(m.Content, `"content":"1条消息未能送达"`) && strings.Contains(m.Content, "离职丙"):
			titles = append(titles, "1")
		default:
			titles = append(titles, m.Content)
		}
	}
	if strings.Join(titles, ",") != "2,1" {
		t.Errorf("HR got %q, want the 09:00 digest of 离职甲 and 离职乙, then the 10:00 one of 离职丙", titles)
	}
}
