package larksim_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/core/httpserverext"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
)

// eventBot is the SDK's webhook handler for im.message.receive_v1. It fails
// the first failures deliveries with a handler error (HTTP 500).
func eventBot(t *testing.T, failures int32, got chan<- *larkim.P2MessageReceiveV1) string {
	t.Helper()
	var n atomic.Int32
	d := dispatcher.NewEventDispatcher(verificationToken, encryptKey).
		OnP2MessageReceiveV1(func(_ context.Context, ev *larkim.P2MessageReceiveV1) error {
			got <- ev
			if n.Add(1) <= failures {
				return errors.New("busy")
			}
			return nil
		})
	srv := httptest.NewServer(http.HandlerFunc(httpserverext.NewEventHandlerFunc(d, larkevent.WithLogger(nopLogger{}))))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestSendTextEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		group    bool
		wantType string
	}{
		{name: "P2P", wantType: larksim.ChatP2P},
		{name: "Group", group: true, wantType: larksim.ChatGroup},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan *larkim.P2MessageReceiveV1, 1)
			e := newEnv(t, larksim.Options{})
			e.sim.Configure(larksim.WebhookConfig{EventURL: eventBot(t, 0, got), VerificationToken: verificationToken, EncryptKey: encryptKey})
			u := e.user(t, "张三")
			chatID := ""
			if tc.group {
				chatID = e.sim.MustAddChat(larksim.Chat{Members: []string{u.OpenID}, BotMember: true}).ChatID
			}
			d, err := e.sim.SendText(context.Background(), u.OpenID, chatID, "/周记实")
			if err != nil {
				t.Fatal(err)
			}
			if !d.Acked || d.Attempts != 1 || !d.NextAttempt.IsZero() {
				t.Errorf("delivery %+v, want acked on the first attempt", d)
			}
			ev := <-got
			if ev.EventV2Base.Header.EventType != "im.message.receive_v1" || ev.EventV2Base.Header.EventID != d.EventID {
				t.Errorf("header %+v", ev.EventV2Base.Header)
			}
			msg := ev.Event.Message
			if *ev.Event.Sender.SenderId.OpenId != u.OpenID || *msg.MessageType != "text" ||
				*msg.Content != textContent("/周记实") || *msg.ChatType != tc.wantType || *msg.MessageId != d.MessageID {
				t.Errorf("event sender %v message %+v", *ev.Event.Sender.SenderId.OpenId, msg)
			}
			m, _ := e.sim.Message(d.MessageID)
			if m.SenderType != larksim.SenderUser || m.SenderID != u.OpenID || m.ChatID != *msg.ChatId {
				t.Errorf("recorded %+v", m)
			}
		})
	}
}

// TestEventRepush: a failed push is re-pushed after 15 s, 5 min, 1 h and
// 6 h with the same event_id, then given up.
func TestEventRepush(t *testing.T) {
	t.Parallel()
	got := make(chan *larkim.P2MessageReceiveV1, 10)
	e := newEnv(t, larksim.Options{})
	e.sim.Configure(larksim.WebhookConfig{EventURL: eventBot(t, 5, got), VerificationToken: verificationToken, EncryptKey: encryptKey})
	u := e.user(t, "张三")
	d, err := e.sim.SendText(context.Background(), u.OpenID, "", "hi")
	if err != nil {
		t.Fatal(err)
	}
	if d.Acked || d.LastStatus != http.StatusInternalServerError || !d.NextAttempt.Equal(t0.Add(15*time.Second)) {
		t.Fatalf("first push %+v, want a failure and a re-push at +15 s", d)
	}
	<-got
	e.clk.Advance(14 * time.Second)
	if due := e.sim.RetryDue(context.Background()); len(due) != 0 {
		t.Fatalf("re-pushed early: %+v", due)
	}
	for i, wait := range []time.Duration{time.Second, 5 * time.Minute, time.Hour, 6 * time.Hour} {
		e.clk.Advance(wait)
		due := e.sim.RetryDue(context.Background())
		if len(due) != 1 || due[0].Attempts != i+2 || due[0].EventID != d.EventID {
			t.Fatalf("retry %d: %+v", i+1, due)
		}
		if ev := <-got; ev.EventV2Base.Header.EventID != d.EventID {
			t.Errorf("retry %d carries event_id %s", i+1, ev.EventV2Base.Header.EventID)
		}
	}
	last := e.sim.Events()[0]
	if last.Acked || last.Attempts != 5 || !last.NextAttempt.IsZero() {
		t.Errorf("after 4 retries: %+v, want given up", last)
	}
	e.clk.Advance(24 * time.Hour)
	if due := e.sim.RetryDue(context.Background()); len(due) != 0 {
		t.Errorf("pushed after giving up")
	}
}

func TestEventAckedOnRetry(t *testing.T) {
	t.Parallel()
	got := make(chan *larkim.P2MessageReceiveV1, 10)
	e := newEnv(t, larksim.Options{})
	e.sim.Configure(larksim.WebhookConfig{EventURL: eventBot(t, 1, got), VerificationToken: verificationToken, EncryptKey: encryptKey})
	u := e.user(t, "张三")
	if _, err := e.sim.SendText(context.Background(), u.OpenID, "", "hi"); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(15 * time.Second)
	due := e.sim.RetryDue(context.Background())
	if len(due) != 1 || !due[0].Acked || due[0].Attempts != 2 {
		t.Fatalf("retry %+v, want acked on attempt 2", due)
	}
}

func TestSendTextRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "张三")
	other := e.user(t, "李四")
	noBot := e.sim.MustAddChat(larksim.Chat{Members: []string{u.OpenID}})
	notMine := e.sim.MustAddChat(larksim.Chat{Members: []string{other.OpenID}, BotMember: true})
	if _, err := e.sim.SendText(context.Background(), u.OpenID, "", "x"); !errors.Is(err, larksim.ErrNotConfigured) {
		t.Errorf("no event URL: %v", err)
	}
	e.sim.Configure(larksim.WebhookConfig{EventURL: "http://127.0.0.1:1"})
	tests := []struct {
		name, from, chat string
		want             error
	}{
		{name: "UnknownUser", from: "ou_x", want: larksim.ErrNotFound},
		{name: "UnknownChat", from: u.OpenID, chat: "oc_x", want: larksim.ErrNotFound},
		{name: "NotMember", from: u.OpenID, chat: notMine.ChatID, want: larksim.ErrNotMember},
	}
	for _, tc := range tests {
		if _, err := e.sim.SendText(context.Background(), tc.from, tc.chat, "x"); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := e.sim.SendText(context.Background(), u.OpenID, noBot.ChatID, "x"); err == nil {
		t.Errorf("group without the bot: no error")
	}
}

// TestEventSlowAck: an answer slower than the ack timeout counts as not
// acknowledged, even though the handler ran.
func TestEventSlowAck(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, larksim.Options{EventAckTimeout: 50 * time.Millisecond})
	e.sim.Configure(larksim.WebhookConfig{EventURL: srv.URL})
	u := e.user(t, "张三")
	d, err := e.sim.SendText(context.Background(), u.OpenID, "", "hi")
	if err != nil {
		t.Fatal(err)
	}
	if d.Acked || d.LastErr == nil || !d.NextAttempt.Equal(t0.Add(15*time.Second)) {
		t.Errorf("delivery %+v, want unacknowledged with a re-push at +15 s", d)
	}
}
