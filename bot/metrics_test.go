package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// recMetrics records what the bot and the relay count, one line per call.
type recMetrics struct {
	mu    sync.Mutex
	lines map[string]int
	waits int
}

func (m *recMetrics) add(line string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lines == nil {
		m.lines = map[string]int{}
	}
	m.lines[line]++
}

func (m *recMetrics) count(line string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lines[line]
}

func (m *recMetrics) Callback(kind string, o bot.Outcome, took time.Duration) {
	if took <= 0 {
		m.add("callback with no duration")
	}
	m.add(fmt.Sprintf("callback %s %s", kind, o))
}

func (m *recMetrics) Message(o bot.Outcome, _ time.Duration) { m.add(fmt.Sprintf("message %s", o)) }
func (m *recMetrics) Send(tpl, code string)                  { m.add(fmt.Sprintf("send %s %s", tpl, code)) }
func (m *recMetrics) GaveUp(tpl string)                      { m.add("gave up " + tpl) }
func (m *recMetrics) RateLimitWait(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if d > 0 {
		m.waits++
	}
}

// TestMetricsCallbacks: every answered click is counted once by its kind
// and how it ended: acted, a re-delivery answered from the stored reply, a
// refusal, and a value the card package cannot read (kind "invalid", so a
// forged k never becomes a label).
func TestMetricsCallbacks(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 2, memory.New())
	rec := &recMetrics{}
	b, err := bot.New(bot.Config{Service: a.svc, Store: a.store, Metrics: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ok := clickEvent("m-1", "ou_l1", card.KindApprove, a.steps[0], fullS4("12"))
	for range 2 {
		if r, _ := b.OnCardAction(ctx, ok); toastOf(r) != "success:已通过" {
			t.Fatalf("approve: %s", toastOf(r))
		}
	}
	if r, _ := b.OnCardAction(ctx, clickEvent("m-2", "ou_l2", card.KindApprove, a.steps[1], fullS4("12"))); toastOf(r) == "" {
		t.Fatal("a stranger's click got no answer")
	}
	forged := &callback.CardActionTriggerEvent{
		EventV2Base: &larkevent.EventV2Base{Schema: "2.0", Header: &larkevent.EventHeader{EventID: "m-3", EventType: "card.action.trigger"}},
		Event: &callback.CardActionTriggerRequest{Operator: &callback.Operator{OpenID: "ou_l1"},
			Action: &callback.CallBackAction{Tag: "button", Value: map[string]any{"k": "drop_tables", "id": "x", "v": float64(1)}}},
	}
	if r, _ := b.OnCardAction(ctx, forged); toastOf(r) != "error:卡片内容无效，请重新打开" {
		t.Fatalf("forged kind: %s", toastOf(r))
	}
	for line, want := range map[string]int{
		"callback approve ok": 1, "callback approve repeat": 1, "callback approve refused": 1,
		"callback invalid refused": 1, "callback drop_tables refused": 0, "callback with no duration": 0,
	} {
		if got := rec.count(line); got != want {
			t.Errorf("%q counted %d times, want %d (all: %v)", line, got, want, rec.lines)
		}
	}
}

// TestMetricsRelay: the relay counts each send by template and Lark's
// code, each notification given up, and each wait for the send limiter.
func TestMetricsRelay(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "cli_metrics", time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_gone", Name: "已离职"},
		workflow.Person{ID: "ou_ok", Name: "在岗"})
	w.sim.UpdateUser("ou_gone", func(u *larksim.User) { u.Resigned = true })
	rec := &recMetrics{}
	w.relay.Metrics = rec
	w.queue(notice("gone", "ou_gone"))
	for i := range 8 { // more than one person's 5 a second: the limiter makes the relay wait
		w.queue(notice(fmt.Sprint("ok", i), "ou_ok"))
	}
	rep, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Sent != 8 || rep.Dead != 1 {
		t.Fatalf("relay = %+v, want 8 sent and 1 dead", rep)
	}
	if got := rec.count("send filing_due 0"); got != 8 {
		t.Errorf("sends with code 0: %d, want 8 (all: %v)", got, rec.lines)
	}
	var refused int
	for line, n := range rec.lines {
		if line != "send filing_due 0" && len(line) > len("send filing_due ") && line[:len("send filing_due ")] == "send filing_due " {
			refused += n
		}
	}
	if refused != 1 || rec.count("gave up filing_due") != 1 {
		t.Errorf("the resigned person's send: %d refusals counted by code, %d give-ups (all: %v)", refused, rec.count("gave up filing_due"), rec.lines)
	}
	if rec.waits == 0 {
		t.Error("no wait for the send limiter counted")
	}
	if !bot.IsReminder(workflow.TplFilingDue) || !bot.IsReminder(workflow.TplRemind) || bot.IsReminder(workflow.TplPublicity) {
		t.Error("IsReminder does not tell reminders from the rest")
	}
}
