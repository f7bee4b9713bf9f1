package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// urgentReminder is a reminder of an urgent nudge due on due, as
// workflow.Service.Tick writes it.
func urgentReminder(key, to, due string) workflow.Notification {
	return workflow.Notification{Key: workflow.DedupeKey(key), To: to, Template: workflow.TplRemind, Data: map[string]string{
		"item": "summary", "period": "2026-Q3", "entry": "2026-Q3", "due": due, "stage": workflow.StageUrgent, workflow.DataUrgent: "1"}}
}

// urgentFor returns the users a message is urgent for.
func urgentFor(m larksim.Message) []string {
	var out []string
	for _, u := range m.Urgent {
		out = append(out, u.OpenID)
	}
	return out
}

// TestRelayUrgentOnce: the last-day reminder is delivered and then made
// 加急 for its recipient exactly once, although the relay that sent it is
// killed before recording the send (the next one sends again under the
// same uuid and Lark answers with the same message) and Lark's answer to
// the first urgent call is lost (the relay repeats it, and a message urgent
// for a person is one unread urgent message however often it is asked). An
// ordinary reminder sent alongside is not made urgent.
func TestRelayUrgentOnce(t *testing.T) {
	w := newWorld(t, "cli_urgent", time.Date(2026, 10, 9, 14, 0, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_a", Name: "甲"}, workflow.Person{ID: "ou_b", Name: "乙"})
	w.queue(urgentReminder("urgent-a", "ou_a", "2026-10-09"), notice("plain-b", "ou_b"))
	ctx, kill := context.WithCancel(w.ctx)
	dying := *w.relay
	dying.Sender = killingSender{Sender: w.relay.Sender, kill: kill}
	if _, err := dying.RunOnce(ctx); err == nil {
		t.Fatal("the killed relay's pass ended without an error")
	}
	if got := w.sim.MessagesTo("ou_a"); len(got) != 1 || len(got[0].Urgent) != 0 {
		t.Fatalf("after the killed pass ou_a has %+v, want the card, not yet urgent", got)
	}
	w.sim.AddFault(larksim.Fault{API: larksim.APIMessageUrgent, Count: 1, Status: 502, AfterEffect: true})
	w.clk.Advance(3 * time.Minute) // the killed relay's lease is over
	for range 4 {
		_, err := w.relay.RunOnce(w.ctx)
		w.must("relay", err)
		w.clk.Advance(time.Minute) // past the retry's backoff
	}
	msgs := w.sim.MessagesTo("ou_a")
	if len(msgs) != 1 {
		t.Fatalf("ou_a got %d messages, want 1", len(msgs))
	}
	if got := urgentFor(msgs[0]); len(got) != 1 || got[0] != "ou_a" {
		t.Errorf("the reminder is urgent for %v, want ou_a once", got)
	}
	if n := w.sim.UnreadUrgent("ou_a"); n != 1 {
		t.Errorf("ou_a has %d unread urgent messages, want 1", n)
	}
	if n := w.sim.Stats().Requests[larksim.APIMessageUrgent]; n != 2 {
		t.Errorf("%d urgent_app calls, want 2 (the lost answer and its retry)", n)
	}
	if b := w.sim.MessagesTo("ou_b"); len(b) != 1 || len(b[0].Urgent) != 0 {
		t.Errorf("ou_b got %+v, want one ordinary reminder", b)
	}
	var urgentRows int
	for _, n := range w.outbox("") {
		if n.State != workflow.NoteSent {
			t.Errorf("outbox row %s to %s is %s, want sent", n.Template, n.To, n.State)
		}
		if n.Template == bot.TplUrgent {
			urgentRows++
		}
	}
	if urgentRows != 1 {
		t.Errorf("%d urgent rows, want 1", urgentRows)
	}
}

// TestRelayUrgentRefused: when Lark refuses the 加急 the reminder has still
// arrived; the urgent row is given up, not retried, and HR's digest says
// why, in Chinese. A 加急 Lark cannot take before the due day ends is
// dropped: it is about a deadline that has passed.
func TestRelayUrgentRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world) (until time.Duration)
		want  []string
	}{
		{"unread cap", func(w *world) time.Duration {
			w.sim.AddFault(larksim.Fault{API: larksim.APIMessageUrgent, Code: larksim.CodeUrgentUnreadLimit})
			return 0
		}, []string{"提醒已送达，但未能加急", "未读的加急消息已达200条上限", "230023"}},
		{"allowance used up", func(w *world) time.Duration {
			w.sim.SetUrgentQuota(0)
			return 0
		}, []string{"提醒已送达，但未能加急", "加急额度已用完，请联系企业管理员", "230024"}},
		{"scope", func(w *world) time.Duration {
			w.sim.SetScopes([]string{"im:message:send_as_bot"})
			return 0
		}, []string{"提醒已送达，但未能加急", "im:message.urgent", "99991672"}},
		{"outage past the due day", func(w *world) time.Duration {
			w.sim.AddFault(larksim.Fault{API: larksim.APIMessageUrgent, Status: 503})
			return 11 * time.Hour // from 14:00 to past midnight
		}, []string{"提醒已送达；截止日已过，不再加急"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, "cli_urgent_"+strings.ReplaceAll(tc.name, " ", "_"), time.Date(2026, 10, 9, 14, 0, 0, 0, calendar.DefaultLocation()))
			w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_a", Name: "甲"})
			until := tc.setup(w)
			w.queue(urgentReminder("urgent-a", "ou_a", "2026-10-09"))
			var dead int
			for elapsed := time.Duration(0); ; elapsed += 30 * time.Minute {
				rep, err := w.relay.RunOnce(w.ctx)
				w.must("relay", err)
				dead += rep.Dead
				if elapsed >= until {
					break
				}
				w.clk.Advance(30 * time.Minute)
			}
			if dead != 1 {
				t.Errorf("%d given up, want the urgent row", dead)
			}
			msgs := w.sim.MessagesTo("ou_a")
			if len(msgs) != 1 || len(msgs[0].Urgent) != 0 {
				t.Fatalf("ou_a got %+v, want the reminder, not urgent", msgs)
			}
			if pending := w.outbox(workflow.NotePending); len(pending) != 0 {
				t.Errorf("still pending: %+v", pending)
			}
			w.clk.Advance(time.Hour) // the digest of the hour goes out once it is over
			_, err := w.relay.RunOnce(w.ctx)
			w.must("relay", err)
			alerts := w.sim.MessagesTo("ou_hr")
			if len(alerts) != 1 {
				t.Fatalf("HR got %d messages, want one digest", len(alerts))
			}
			for _, want := range append([]string{"1条消息未能送达", "甲"}, tc.want...) {
				if !strings.Contains(alerts[0].Content, want) {
					t.Errorf("the digest does not say %q: %s", want, alerts[0].Content)
				}
			}
		})
	}
}
