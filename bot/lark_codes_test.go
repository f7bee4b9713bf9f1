package bot_test

import (
	"context"
	"errors"
	"html"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// The Lark codes the relay must act on, produced by larksim where the 发送消息
// and 通用错误码 docs say they happen, and followed through the bot's
// classification (bot/lark.go classify) and the relay's handling of each
// kind (bot/relay.go). docs/lark.md §1.1 and §1.2 list the codes.

var codesStart = time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation())

// cancelOnStall gives up a send when the fault holding it in Lark has
// stalled it, as a relay's client timeout would, without waiting for one.
type cancelOnStall struct {
	bot.Sender
	stalled <-chan struct{}
}

func (s cancelOnStall) SendCard(ctx context.Context, to bot.Recipient, card []byte, uuid string) (string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.stalled:
			cancel()
		case <-ctx.Done():
		}
	}()
	return s.Sender.SendCard(ctx, to, card, uuid)
}

// TestCode230049RetriedAndDeliveredOnce: the relay's send times out while
// Lark is still sending it; the retry with the same uuid gets 230049 ("the
// message is being sent"), is kept for later, and once Lark has finished
// the next retry is answered with the first message. The person has the
// reminder once, and HR hears nothing.
func TestCode230049RetriedAndDeliveredOnce(t *testing.T) {
	w := newWorld(t, "cli_c230049", codesStart)
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_k", Name: "干部"})
	w.queue(notice("inflight", "ou_k"))
	release := make(chan struct{})
	held := w.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Release: release, Detached: true})
	w.relay.Sender = cancelOnStall{Sender: w.relay.Sender, stalled: held.Stalled()}

	rep, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Retry != 1 || rep.Sent != 0 {
		t.Fatalf("first pass %+v, want the timed-out send kept for retry", rep)
	}
	w.clk.Advance(time.Minute)
	rep, err = w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Retry != 1 || rep.Dead != 0 {
		t.Fatalf("second pass %+v, want the 230049 answer kept for retry", rep)
	}
	if n := w.sim.Stats().UUIDInFlight; n != 1 {
		t.Fatalf("Lark answered 230049 %d times, want 1", n)
	}
	close(release)
	<-held.Finished()
	w.clk.Advance(time.Minute)
	rep, err = w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Sent != 1 {
		t.Errorf("third pass %+v, want it sent", rep)
	}
	if got := len(w.sim.MessagesTo("ou_k")); got != 1 {
		t.Errorf("the person got %d messages, want 1", got)
	}
	if got := len(w.sim.MessagesTo("ou_hr")); got != 0 {
		t.Errorf("HR got %d messages, want none", got)
	}
	if p := w.outbox(workflow.NotePending); len(p) != 0 {
		t.Errorf("%d notifications still pending", len(p))
	}
}

// TestCode230028GivenUpAndHRTold: with Lark's data-loss prevention on, a
// leader's comment holding a phone number cannot be delivered. The relay
// gives it up at once (sending it again cannot pass the audit) and HR's
// digest says whose message and why, without repeating the number.
func TestCode230028GivenUpAndHRTold(t *testing.T) {
	w := newWorld(t, "cli_c230028", codesStart)
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_k", Name: "张科员"})
	w.sim.SetDataLossPrevention(true)
	w.queue(workflow.Notification{Key: workflow.DedupeKey("dlp"), To: "ou_k", Template: workflow.TplEntryCommented,
		Data: map[string]string{"kind": "weekly", "period": "2026-W41", "comment": "有问题打我电话 13812345678"}})

	rep, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Dead != 1 || rep.Retry != 0 {
		t.Fatalf("pass %+v, want the refused message given up, not retried", rep)
	}
	if got := len(w.sim.MessagesTo("ou_k")); got != 0 {
		t.Errorf("the person got %d messages, want none", got)
	}
	w.hourLater()
	alerts := w.sim.MessagesTo("ou_hr")
	if len(alerts) != 1 {
		t.Fatalf("HR got %d messages, want one digest", len(alerts))
	}
	shown := html.UnescapeString(alerts[0].Content) // as Lark renders the markdown
	for _, want := range []string{"张科员", workflow.TplEntryCommented, "数据防泄漏", "230028"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the digest does not say %q: %s", want, shown)
		}
	}
	if strings.Contains(alerts[0].Content, "13812345678") {
		t.Errorf("the digest repeats the blocked number: %s", alerts[0].Content)
	}
}

// scopeGranter is HR reading the alert and granting the scope: after the
// first send refused for a missing scope, the app gets every scope back.
type scopeGranter struct {
	bot.Sender
	sim  *larksim.Server
	once sync.Once
	err  *bot.APIError
}

func (s *scopeGranter) SendCard(ctx context.Context, to bot.Recipient, card []byte, uuid string) (string, error) {
	id, err := s.Sender.SendCard(ctx, to, card, uuid)
	var ae *bot.APIError
	if errors.As(err, &ae) && ae.Kind == bot.KindScope {
		s.once.Do(func() { s.err = ae; s.sim.SetScopes(nil) })
	}
	return id, err
}

// TestCode99991672NamesTheScope: an app without any scope to send messages
// gets 99991672 for every send. The bot classifies it as a missing scope,
// not retryable, with the scopes Lark named; the relay gives the message
// up and its log and HR's digest name the scope to grant.
func TestCode99991672NamesTheScope(t *testing.T) {
	w := newWorld(t, "cli_c99991672", codesStart)
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_k", Name: "张科员"})
	w.sim.SetScopes([]string{"contact:contact.base:readonly"})
	logs := &lines{}
	w.relay.Log = slog.New(logs)
	granter := &scopeGranter{Sender: w.relay.Sender, sim: w.sim}
	w.relay.Sender = granter
	w.queue(notice("scope", "ou_k"))

	rep, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Dead != 1 {
		t.Fatalf("pass %+v, want the message given up", rep)
	}
	ae := granter.err
	if ae == nil {
		t.Fatal("no send was refused for a missing scope")
	}
	if ae.Retryable() || ae.Code != 99991672 || !slices.Contains(ae.Scopes, "im:message:send_as_bot") {
		t.Errorf("APIError %+v: want code 99991672, not retryable, naming im:message:send_as_bot", ae)
	}
	if !logs.contains("send refused", "im:message:send_as_bot") {
		t.Errorf("no relay log line names the scope: %q", logs.all())
	}
	w.hourLater()
	alerts := w.sim.MessagesTo("ou_hr")
	if len(alerts) != 1 {
		t.Fatalf("HR got %d messages, want one digest", len(alerts))
	}
	if shown := html.UnescapeString(alerts[0].Content); !strings.Contains(shown, "im:message:send_as_bot") || !strings.Contains(shown, "99991672") {
		t.Errorf("the digest does not name the scope: %s", shown)
	}
}

// TestCode230018NoAccess: a group whose settings forbid the bot (230018)
// is "no access", like 230035: given up, and HR told the bot may not
// speak there.
func TestCode230018NoAccess(t *testing.T) {
	w := newWorld(t, "cli_c230018", codesStart)
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true})
	w.sim.MustAddChat(larksim.Chat{ChatID: "oc_pub", Type: "group", Name: "公示群", BotMember: true, SettingsForbid: true})
	w.queue(workflow.Notification{Key: workflow.DedupeKey("pub"), To: "oc_pub", Chat: true, Template: workflow.TplPublicity,
		Data: map[string]string{"period": "2026-Q3", "grade": "好", "names": "甲"}})
	rep, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Dead != 1 {
		t.Fatalf("pass %+v, want the notice given up", rep)
	}
	w.hourLater()
	alerts := w.sim.MessagesTo("ou_hr")
	if len(alerts) != 1 || !strings.Contains(alerts[0].Content, "无发言权限") || !strings.Contains(alerts[0].Content, "230018") {
		t.Errorf("HR got %d messages, want one digest saying the bot may not speak (230018): %v", len(alerts), alerts)
	}
}

// TestCode99991403NotARateLimit: past the free plan's monthly quota Lark
// answers HTTP 429 with 99991403. Waiting seconds does not help, so the
// bot does not treat it as a rate limit (which the relay would retry all
// month): it is a quota error, not retryable.
func TestCode99991403NotARateLimit(t *testing.T) {
	w := newWorld(t, "cli_c99991403", codesStart)
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_k", Name: "张科员"})
	lk, err := bot.NewLark(bot.LarkConfig{AppID: "cli_c99991403", AppSecret: "secret", BaseURL: w.apiURL})
	w.must("lark", err)
	w.sim.SetMonthlyQuota(1)
	card := []byte(`{"schema":"2.0","config":{"update_multi":true},"header":{"title":{"tag":"plain_text","content":"提醒"}},"body":{"elements":[{"tag":"markdown","content":"请提交"}]}}`)
	if _, err := lk.SendCard(w.ctx, bot.Recipient{ID: "ou_k"}, card, "kh-quota-1"); err != nil {
		t.Fatalf("first send: %v", err)
	}
	_, err = lk.SendCard(w.ctx, bot.Recipient{ID: "ou_k"}, card, "kh-quota-2")
	var ae *bot.APIError
	if !errors.As(err, &ae) || ae.Kind != bot.KindQuota || ae.Retryable() || ae.HTTPStatus != 429 {
		t.Fatalf("send past the quota: %v, want a KindQuota APIError with HTTP 429, not retryable", err)
	}
}

// lines is a slog.Handler that keeps every message with its attributes.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) Enabled(context.Context, slog.Level) bool { return true }
func (l *lines) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *lines) WithGroup(string) slog.Handler            { return l }
func (l *lines) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	l.mu.Lock()
	l.got = append(l.got, b.String())
	l.mu.Unlock()
	return nil
}

func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got)
}

// contains reports whether one line holds every part.
func (l *lines) contains(parts ...string) bool {
	for _, s := range l.all() {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(s, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// hourLater runs the relay once the hour is over, when HR's digest of what
// was given up in it goes out.
func (w *world) hourLater() {
	w.t.Helper()
	w.clk.Advance(time.Hour)
	_, err := w.relay.RunOnce(w.ctx)
	w.must("relay after the hour", err)
}
