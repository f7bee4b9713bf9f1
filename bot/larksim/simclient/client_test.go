package simclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/clock"
)

// newSim serves a simulator with its control interface and returns the
// server, its URL and a client for it.
func newSim(t *testing.T) (*larksim.Server, string, *simclient.Client) {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC))
	sim := larksim.New(larksim.Options{Clock: clk})
	sim.Configure(larksim.WebhookConfig{LongConnection: true})
	srv := httptest.NewServer(larksim.NewControl(sim, larksim.ControlOptions{Clock: clk}))
	t.Cleanup(srv.Close)
	return sim, srv.URL, simclient.New(srv.URL + "/")
}

// botSends sends a text as the app through the Open API on the same
// listener, as kaohe serve does.
func botSends(t *testing.T, sim *larksim.Server, base, to, text string) {
	t.Helper()
	post := func(path, auth string, body any, out any) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var tok struct {
		Token string `json:"tenant_access_token"`
	}
	post("/open-apis/auth/v3/tenant_access_token/internal", "", map[string]string{"app_id": sim.AppID(), "app_secret": sim.AppSecret()}, &tok)
	content, _ := json.Marshal(map[string]string{"text": text})
	var sent struct {
		Code int `json:"code"`
	}
	post("/open-apis/im/v1/messages?receive_id_type=open_id", tok.Token,
		map[string]string{"receive_id": to, "msg_type": "text", "content": string(content)}, &sent)
	if sent.Code != 0 {
		t.Fatalf("send: code %d", sent.Code)
	}
}

func TestWaitMessage(t *testing.T) {
	t.Parallel()
	sim, base, c := newSim(t)
	ctx := context.Background()
	if _, err := c.AddUser(ctx, simclient.User{OpenID: "ou_e1", Name: "孙一"}); err != nil {
		t.Fatal(err)
	}
	all := func(simclient.Message) bool { return true }
	// Only the bot's messages count: the user's own text is not an answer.
	res, err := c.Text(ctx, simclient.Text{User: "ou_e1", Text: "帮助"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitMessage(ctx, "ou_e1", 0, all, 30*time.Millisecond); !errors.Is(err, simclient.ErrTimeout) {
		t.Fatalf("with only the user's text: %v, want ErrTimeout", err)
	}
	botSends(t, sim, base, "ou_e1", "第一条")
	m, err := c.WaitMessage(ctx, "ou_e1", res.Cursor, all, time.Second)
	if err != nil || m.Text != "第一条" || !m.FromBot() {
		t.Fatalf("a message already there: %+v %v", m, err)
	}
	// A message that arrives while waiting, matched by the predicate; the
	// one already there does not match.
	found := make(chan simclient.Message, 1)
	go func() {
		m, _ := c.WaitMessage(ctx, "ou_e1", 0, func(m simclient.Message) bool { return m.Text == "第二条" }, 10*time.Second)
		found <- m
	}()
	botSends(t, sim, base, "ou_e1", "第二条")
	select {
	case m := <-found:
		if m.Text != "第二条" {
			t.Errorf("waited for 第二条, got %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WaitMessage did not see a message sent while it waited")
	}
	sent, err := c.Sent(ctx, 0)
	if err != nil || len(sent.Messages) != 2 {
		t.Errorf("sent: %+v %v", sent, err)
	}
}

func TestErrorAnswer(t *testing.T) {
	t.Parallel()
	_, _, c := newSim(t)
	ctx := context.Background()
	_, err := c.Text(ctx, simclient.Text{User: "ou_nobody", Text: "hi"})
	var e *simclient.Error
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Reason != simclient.ReasonNotFound || e.Message == "" {
		t.Fatalf("unknown user: %#v", err)
	}
	// A server that is not a simulator still gives an *Error with its text.
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	_, err = simclient.New(plain.URL).Clock(ctx)
	if !errors.As(err, &e) || e.Status != http.StatusNotFound || e.Message == "" {
		t.Errorf("not a simulator: %#v", err)
	}
}

func TestCardContains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    simclient.Message
		want bool
	}{
		{name: "Card", m: simclient.Message{MsgType: "interactive", Content: `{"body":"使用说明"}`}, want: true},
		{name: "OtherCard", m: simclient.Message{MsgType: "interactive", Content: `{"body":"待办"}`}},
		{name: "Text", m: simclient.Message{MsgType: "text", Content: `{"text":"使用说明"}`}},
	}
	for _, tc := range tests {
		if got := simclient.CardContains("使用说明")(tc.m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
