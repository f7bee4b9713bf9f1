package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// g1Slots lists the weekly-record reminder slots of the first weeks of
// 2026-Q4 under the plan "a nudge every `every` of the working day before
// the due date, 09:00 to 18:00" (国庆 puts week 40's on 30 September, the
// 调休 Saturday 10 October carries week 41's), and that plan as a
// remind_weekly setting.
func g1Slots(weeks int, every time.Duration) ([]time.Time, string) {
	cal := calendar.Default()
	q, _ := calendar.ParsePeriod("2026-Q4")
	var slots []time.Time
	var plan []string
	for at := 9 * time.Hour; at < 18*time.Hour; at += every {
		plan = append(plan, fmt.Sprintf("before:-1@%02d:%02d", int(at/time.Hour), int(at%time.Hour/time.Minute)))
	}
	n := 0
	for wk := calendar.PeriodContaining(calendar.Week, q.Start()); !wk.Start().After(q.End()) && n < weeks; wk = wk.Next() {
		if !q.Contains(wk.Start().AddDays(3)) {
			continue
		}
		n++
		day := cal.AddWorkdays(wk.End(), -1)
		for at := 9 * time.Hour; at < 18*time.Hour; at += every {
			slots = append(slots, cal.At(day, int(at/time.Hour), int(at%time.Hour/time.Minute)))
		}
	}
	return slots, strings.Join(plan, ",")
}

// TestG1ServeProcesses is G1 of docs/reliability.md with real processes:
// three `kaohe serve` on one PostgreSQL, sharing a clock file the test
// moves from slot to slot, send weekly-record reminders to larksim while
// one of them is killed with SIGKILL at random moments and started again,
// and another is stopped with SIGSTOP for longer than the outbox lease.
// Every slot fires exactly once and every reminder reaches its person
// exactly once, counted at larksim. The default runs three weeks of
// 15-minute slots (108); KAOHE_FULL=1 the quarter every five minutes
// (1,404).
func TestG1ServeProcesses(t *testing.T) {
	t.Parallel()
	weeks, every := 3, 15*time.Minute
	if os.Getenv("KAOHE_FULL") != "" {
		weeks, every = 14, 5*time.Minute
	}
	slots, plan := g1Slots(weeks, every)
	dbURL, _ := testDatabaseURL(t)
	dir := t.TempDir()
	clockPath := filepath.Join(dir, "now")
	start := time.Date(2026, 10, 1, 8, 30, 0, 0, calendar.DefaultLocation()) // after the quiet hours
	if err := clock.WriteFile(clockPath, start); err != nil {
		t.Fatal(err)
	}
	simClk := clock.NewFake(start)
	sim := larksim.New(larksim.Options{AppID: "cli_g1", AppSecret: "secret", Clock: simClk,
		AppPerSecond: 1 << 20, AppPerMinute: 1 << 20, ChatPerSecond: 1 << 20}) // G6 is about the limits, G1 about once
	api := httptest.NewServer(sim)
	t.Cleanup(api.Close)
	people := []string{"ou_p1", "ou_p2", "ou_p3"}
	org := map[string]any{
		"hr": "ou_hr", "settings": map[string]any{"name": "G1局", "head": "ou_hr"},
		"units":   []map[string]any{{"id": "u1", "name": "办公室", "leader": "ou_lead", "supervisor": "ou_hr"}},
		"people":  []map[string]any{{"id": "ou_hr", "name": "政工科", "hr": true, "committee": true}, {"id": "ou_lead", "name": "科长", "unit": "u1"}},
		"periods": []string{"2026-Q4"},
	}
	for i, p := range people {
		org["people"] = append(org["people"].([]map[string]any), map[string]any{"id": p, "name": fmt.Sprintf("干部%d", i+1), "unit": "u1", "group": "u1", "assessed": true})
	}
	for _, p := range append([]string{"ou_hr", "ou_lead"}, people...) {
		sim.MustAddUser(larksim.User{OpenID: p, Name: p})
	}
	b, _ := json.Marshal(org)
	orgPath := filepath.Join(dir, "org.json")
	if err := os.WriteFile(orgPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"KAOHE_APP_ID=cli_g1", "KAOHE_APP_SECRET=secret", "KAOHE_BASE_URL=" + api.URL,
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_TICK_INTERVAL=50ms", "KAOHE_RELAY_INTERVAL=50ms", "KAOHE_LOG_LEVEL=warn",
		"KAOHE_SHUTDOWN_TIMEOUT=2s", "KAOHE_DATABASE_URL=" + dbURL + "&idle_in_transaction_session_timeout=3s",
		"KAOHE_ORG=" + orgPath, "KAOHE_CLOCK_FILE=" + clockPath, "KAOHE_REMINDER_GRACE=720h", "KAOHE_REMIND_WEEKLY=" + plan,
		"KAOHE_REMIND_MONTHLY=none", "KAOHE_REMIND_SUMMARY=none", "KAOHE_REMIND_VOTE=none", "KAOHE_REMIND_STEP=none",
		"KAOHE_REMIND_FEEDBACK=none", "KAOHE_REMIND_FILING=none",
		// The clock runs weeks ahead and every reminder row is counted at
		// the end, so sent rows must outlive the run (the pruner still runs
		// at every restart).
		"KAOHE_RETENTION_SENT=8760h",
	}
	var replicas []*serveProc
	replicas = append(replicas, startServeProc(t, env), startServeProc(t, env), startServeProc(t, env))
	due := func(now time.Time) int {
		n := 0
		for _, s := range slots {
			if !s.After(now) {
				n++
			}
		}
		return n
	}
	move := func(at time.Time) {
		t.Helper()
		if err := clock.WriteFile(clockPath, at); err != nil {
			t.Fatal(err)
		}
		simClk.Set(at)
	}
	now := start
	// settle waits until every slot up to now is recorded, every
	// notification is sent and no send is in flight. The clock is moved in
	// jumps (days, between one slot and the next) that real time never
	// makes, so it must not move while a relay is still working through a
	// batch (paced at 5 a second per person): only when Lark has had no
	// request for two seconds, and only claimed rows are left (a killed
	// replica's), does the clock move past the claim's lease, still well
	// before the next slot.
	sends := func() int { return sim.Stats().Requests["im.message.create"] }
	settle := func() {
		t.Helper()
		want := int64(due(now))
		last, quiet := sends(), time.Now()
		for deadline := time.Now().Add(60 * time.Second); ; {
			if n := sends(); n != last {
				last, quiet = n, time.Now()
			}
			fired := sqlInt(t, dbURL, "SELECT count(*) FROM schedule_fires WHERE slot_at <= $1", now)
			pending := sqlInt(t, dbURL, "SELECT count(*) FROM outbox WHERE state = 'pending'")
			if fired == want && pending == 0 && time.Since(quiet) > 100*time.Millisecond {
				return
			}
			dueNow := sqlInt(t, dbURL, "SELECT count(*) FROM outbox WHERE state = 'pending' AND (not_before IS NULL OR not_before <= $1)", now)
			if fired == want && pending > 0 && dueNow == 0 && time.Since(quiet) > 2*time.Second {
				now = now.Add(2*time.Minute + time.Second)
				move(now)
				quiet = time.Now()
			}
			if time.Now().After(deadline) {
				var logs strings.Builder
				for i, r := range replicas {
					fmt.Fprintf(&logs, "--- replica %d\n%s", i, r.logs.String())
				}
				t.Fatalf("at %s: %d of %d slots recorded, %d notifications pending after 60 s\n%s", now.Format(time.DateTime), fired, want, pending, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	settle()
	kills, stops := 0, 0
	for i, at := range slots {
		if !at.After(now) {
			continue
		}
		now = at
		move(now)
		if i%4 == 0 { // replica 0 is killed mid-work and started again
			time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
			_ = replicas[0].cmd.Process.Kill()
			_ = replicas[0].cmd.Wait()
			kills++
			replicas[0] = startServeProc(t, env)
		}
		if i%25 == 5 { // replica 1 stops, whatever it holds, for longer than the lease
			_ = replicas[1].cmd.Process.Signal(syscall.SIGSTOP)
			stops++
			time.Sleep(time.Duration(rand.IntN(60)) * time.Millisecond)
			settle()
			now = now.Add(3 * time.Minute)
			move(now)
			settle()
			_ = replicas[1].cmd.Process.Signal(syscall.SIGCONT)
		}
		settle()
	}
	// After the storm: past every lease, so whatever a killed replica held
	// is sent by another.
	now = now.Add(10 * time.Minute)
	move(now)
	settle()
	for _, r := range replicas {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, r := range replicas {
		_ = r.cmd.Wait()
	}
	fired := sqlInt(t, dbURL, "SELECT count(*) FROM schedule_fires WHERE outcome = 'fired'")
	missed := sqlInt(t, dbURL, "SELECT count(*) FROM schedule_fires WHERE outcome <> 'fired'")
	if fired != int64(len(slots)) || missed != 0 {
		t.Errorf("slots fired %d, missed %d; want all %d fired once", fired, missed, len(slots))
	}
	rows := sqlInt(t, dbURL, "SELECT count(*) FROM outbox")
	unsent := sqlInt(t, dbURL, "SELECT count(*) FROM outbox WHERE state <> 'sent'")
	if want := int64(len(slots) * len(people)); rows != want || unsent != 0 {
		t.Errorf("%d notifications (%d not sent), want %d all sent", rows, unsent, want)
		for i, r := range replicas {
			t.Logf("--- replica %d\n%s", i, r.logs.String())
		}
	}
	byUUID := map[string]int{}
	times := map[string][]string{}
	for _, m := range sim.Messages(larksim.MessageFilter{SenderType: larksim.SenderApp}) {
		byUUID[m.UUID]++
		times[m.UUID] = append(times[m.UUID], m.CreateTime.Format(time.DateTime))
	}
	for k, c := range byUUID {
		if c != 1 {
			t.Errorf("uuid %s delivered %d times, at %v", k, c, times[k])
		}
	}
	if int64(len(byUUID)) != rows {
		t.Errorf("%d distinct messages at larksim for %d notifications", len(byUUID), rows)
	}
	t.Logf("%d slots, %d reminders, %d kills, %d stops; larksim %+v", fired, rows, kills, stops, sim.Stats())
}
