package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// scrape reads /metrics into series → value, a series written as the
// text format writes it (`name{a="x",b="y"}`, labels in name order).
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + MetricsPath)
	if err != nil {
		t.Fatalf("GET %s: %v", MetricsPath, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s %q\n%s", MetricsPath, resp.Status, resp.Header.Get("Content-Type"), b)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestServeMetrics scrapes /metrics from a running serve after a quarter's
// reminders fired, a text command, a submitted weekly record and a refused
// second submission, and checks every series docs/operations.md names is
// there with a value that follows from what happened. serve runs on a
// clock file at Wednesday 11 November 2026 10:00 with the weekly plan
// "overdue:2@09:00" (two working days after the Monday it is due), so the
// slot for the week of 2–8 November fired an
// hour ago (within reminder_grace) while the October weeks' slots are
// recorded as missed.
func TestServeMetrics(t *testing.T) {
	t.Parallel()
	const appID = "cli_serve_metrics"
	at := time.Date(2026, 11, 11, 10, 0, 0, 0, calendar.DefaultLocation())
	clockFile := filepath.Join(t.TempDir(), "clock")
	if err := clock.WriteFile(clockFile, at); err != nil {
		t.Fatal(err)
	}
	e := newSimEnvAt(t, appID, clock.NewFake(at))
	org, err := json.Marshal(map[string]any{
		"hr":       "ou_hr",
		"settings": map[string]any{"name": "测试局", "head": "ou_hr"},
		"units":    []map[string]any{{"id": "u1", "name": "办公室", "leader": "ou_l1", "supervisor": "ou_hr"}},
		"people": []map[string]any{
			{"id": "ou_hr", "name": "政工科李", "hr": true, "committee": true},
			{"id": "ou_l1", "name": "科长钱", "unit": "u1"},
			{"id": "ou_e1", "name": "孙一", "unit": "u1", "group": "u1", "assessed": true},
		},
		"periods": []string{"2026-Q4"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := baseConfig(e, appID, writeFile(t, "org.json", string(org)))
	cfg["callback"], cfg["verification_token"], cfg["encrypt_key"] = "webhook", testToken, testKey
	cfg["clock_file"], cfg["remind_weekly"], cfg["tick_interval"] = clockFile, "overdue:2@09:00", "1h"
	addr, stop, logs := startServe(t, cfg)
	base := "http://" + addr

	// The first tick runs at start; its reminders go out through the relay.
	e.waitCard(t, "ou_e1", "")
	hook := base + WebhookPath
	e.sim.Configure(larksim.WebhookConfig{CallbackURL: hook, EventURL: hook, VerificationToken: testToken, EncryptKey: testKey})
	ctx := context.Background()
	if d, err := e.sim.SendText(ctx, "ou_e1", "", "记实"); err != nil || !d.Acked {
		t.Fatalf("send 记实: %+v, %v\n%s", d, err, logs.String())
	}
	form := e.waitCard(t, "ou_e1", "weekly_form")
	week := calendar.PeriodContaining(calendar.Week, calendar.DateOf(at)).String()
	fields := map[string]any{card.TaskField(1, card.PartTitle): "起草工作总结", card.TaskField(1, card.PartProgress): "50", "attendance": "full"}
	for i, want := range []string{"success", "error"} { // the second is refused: the record is in
		r, err := e.sim.ClickCard(ctx, form.MessageID, "ou_e1", map[string]any{"k": card.KindWeekly, "id": week, "v": 0}, fields)
		if err != nil || r.Toast == nil || r.Toast.Type != want {
			t.Fatalf("click %d: %+v, %v, want a %s toast\n%s", i+1, r, err, want, logs.String())
		}
	}

	var m map[string]float64
	// The relay sends on its own schedule: scrape until the reminders it
	// sent are counted (bounded; each scrape reads the store afresh after
	// a second).
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		m = scrape(t, base)
		if m[`kaohe_reminders_total{result="sent"}`] > 0 && m[`kaohe_sends_total{code="0"}`] >= m[`kaohe_reminders_total{result="sent"}`]+1 ||
			time.Now().After(deadline) {
			break
		}
	}
	type check struct {
		series string
		ok     func(v float64) bool
		want   string
	}
	atLeast := func(n float64) func(float64) bool { return func(v float64) bool { return v >= n } }
	exactly := func(n float64) func(float64) bool { return func(v float64) bool { return v == n } }
	for _, c := range []check{
		{`kaohe_callbacks_total{kind="weekly",outcome="ok"}`, exactly(1), "1: the record submitted"},
		{`kaohe_callbacks_total{kind="weekly",outcome="refused"}`, exactly(1), "1: the second submission"},
		{`kaohe_callback_duration_seconds_count{kind="weekly"}`, exactly(2), "2"},
		{`kaohe_callback_duration_seconds_sum{kind="weekly"}`, func(v float64) bool { return v > 0 && v < 6 }, "between 0 and 6 s"},
		{`kaohe_callback_duration_seconds_bucket{kind="weekly",le="+Inf"}`, exactly(2), "2"},
		{`kaohe_messages_total{outcome="ok"}`, exactly(1), "1: 记实"},
		{`kaohe_sends_total{code="0"}`, atLeast(2), "the reminder and the form at least"},
		{`kaohe_reminders_total{result="sent"}`, atLeast(1), "the weekly reminder"},
		{`kaohe_reminders_total{result="failed"}`, exactly(0), "0"},
		{`kaohe_reminders_queued_total`, atLeast(1), "at least 1"},
		{`kaohe_schedule_firings_total`, atLeast(1), "the slot of 11 November 09:00"},
		{`kaohe_schedule_misses_total`, atLeast(1), "October's slots"},
		{`kaohe_tick_errors_total`, exactly(0), "0"},
		{`kaohe_ratelimit_waits_total`, atLeast(0), "present"},
		{`kaohe_ratelimit_wait_seconds_total`, atLeast(0), "present"},
		{`kaohe_outbox_pending`, atLeast(0), "present"},
		{`kaohe_outbox_oldest_pending_seconds`, func(v float64) bool { return v >= 0 && v < 3600 }, "under an hour on serve's clock"},
		{`kaohe_outbox_dead`, exactly(0), "0"},
		{`kaohe_audit_head_seq`, atLeast(2), "the organisation and the record audited"},
		{`kaohe_store_read_errors_total`, exactly(0), "0"},
		{`go_goroutines`, atLeast(1), "the Go collector"},
		{`process_resident_memory_bytes`, atLeast(1), "the process collector"},
	} {
		v, ok := m[c.series]
		if !ok {
			t.Errorf("%s is missing from /metrics", c.series)
			continue
		}
		if !c.ok(v) {
			t.Errorf("%s = %v, want %s", c.series, v, c.want)
		}
	}
	var build bool
	for s := range m {
		build = build || strings.HasPrefix(s, "kaohe_build_info{")
	}
	if !build {
		t.Error("kaohe_build_info is missing from /metrics")
	}
	if t.Failed() {
		var names []string
		for s, v := range m {
			if strings.HasPrefix(s, "kaohe_") {
				names = append(names, s+" "+strconv.FormatFloat(v, 'g', -1, 64))
			}
		}
		t.Logf("kaohe series:\n%s\nlogs:\n%s", strings.Join(names, "\n"), logs.String())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
