package larksim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/clock"
)

// ctlEnv is a simulator on a fake clock behind its control interface,
// with a simclient pointed at it.
type ctlEnv struct {
	*env
	url string
	c   *simclient.Client

	mu    sync.Mutex
	moves []time.Time
}

func newCtlEnv(t *testing.T, opts larksim.Options) *ctlEnv {
	t.Helper()
	ce := &ctlEnv{env: newEnv(t, opts)}
	ctl := larksim.NewControl(ce.sim, larksim.ControlOptions{Clock: ce.clk, OnClockMove: func(at time.Time) {
		ce.mu.Lock()
		ce.moves = append(ce.moves, at)
		ce.mu.Unlock()
	}})
	srv := httptest.NewServer(ctl)
	t.Cleanup(srv.Close)
	ce.url, ce.c = srv.URL, simclient.New(srv.URL)
	return ce
}

// raw sends body to method path and returns the status and the decoded
// error answer (if any).
func (ce *ctlEnv) raw(t *testing.T, method, path, body string) (int, simclient.Error) {
	t.Helper()
	req, err := http.NewRequest(method, ce.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e simclient.Error
	if resp.StatusCode >= 300 {
		if err := json.Unmarshal(b, &e); err != nil || e.Message == "" {
			t.Errorf("%s %s: error answer %q is not {error, reason}", method, path, b)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return resp.StatusCode, e
}

// wantErr checks that err is a control refusal with status and reason.
func wantErr(t *testing.T, what string, err error, status int, reason string) {
	t.Helper()
	var e *simclient.Error
	if !errors.As(err, &e) || e.Status != status || e.Reason != reason {
		t.Errorf("%s: %v, want HTTP %d %s", what, err, status, reason)
	}
}

// refusal is one request the control interface must refuse.
type refusal struct {
	name, method, path, body string
	status                   int
	reason                   string
}

func checkRefusals(t *testing.T, ce *ctlEnv, tests []refusal) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, e := ce.raw(t, tc.method, tc.path, tc.body)
			if status != tc.status || e.Reason != tc.reason {
				t.Errorf("%s %s %s: HTTP %d %+v, want %d %s", tc.method, tc.path, tc.body, status, e, tc.status, tc.reason)
			}
		})
	}
}

func TestControlUsers(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	ctx := context.Background()
	u, err := ce.c.AddUser(ctx, simclient.User{OpenID: "ou_e1", Name: "孙一", DepartmentIDs: []string{"u1"}})
	if err != nil || u.OpenID != "ou_e1" || u.UnionID == "" || u.UserID == "" {
		t.Fatalf("add: %+v %v", u, err)
	}
	gen, err := ce.c.AddUser(ctx, simclient.User{Name: "周二"})
	if err != nil || !strings.HasPrefix(gen.OpenID, "ou_") {
		t.Fatalf("add with a generated id: %+v %v", gen, err)
	}
	users, err := ce.c.Users(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("users: %+v %v", users, err)
	}
	if got, ok := ce.sim.User("ou_e1"); !ok || got.Name != "孙一" || got.DepartmentIDs[0] != "u1" {
		t.Errorf("stored user %+v", got)
	}
	_, err = ce.c.AddUser(ctx, simclient.User{OpenID: "ou_e1", Name: "again"})
	wantErr(t, "duplicate", err, http.StatusConflict, simclient.ReasonExists)
	checkRefusals(t, ce, []refusal{
		{"NoName", "POST", "/_sim/users", `{"open_id":"ou_x"}`, 400, simclient.ReasonBadRequest},
		{"UnknownField", "POST", "/_sim/users", `{"name":"x","nmae":"y"}`, 400, simclient.ReasonBadRequest},
		{"NotJSON", "POST", "/_sim/users", `name=x`, 400, simclient.ReasonBadRequest},
		{"Trailing", "POST", "/_sim/users", `{"name":"x"} {}`, 400, simclient.ReasonBadRequest},
		{"WrongMethod", "DELETE", "/_sim/users", ``, 405, simclient.ReasonNotAllowed},
	})
}

func TestControlChats(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	ctx := context.Background()
	a, b := ce.user(t, "甲"), ce.user(t, "乙")
	g, err := ce.c.AddChat(ctx, simclient.Chat{Name: "公示群", Members: []string{a.OpenID, b.OpenID}, BotMember: true})
	if err != nil || g.Type != larksim.ChatGroup || !strings.HasPrefix(g.ChatID, "oc_") {
		t.Fatalf("add chat: %+v %v", g, err)
	}
	ce.sim.MustAddChat(larksim.Chat{Name: "乙的群", Members: []string{b.OpenID}, BotMember: true})
	chats, err := ce.c.Chats(ctx, a.OpenID)
	if err != nil || len(chats) != 2 {
		t.Fatalf("chats of 甲: %+v %v", chats, err)
	}
	p2p, _ := ce.sim.P2PChatID(a.OpenID)
	types := map[string]string{}
	for _, c := range chats {
		types[c.ChatID] = c.Type
	}
	if types[p2p] != larksim.ChatP2P || types[g.ChatID] != larksim.ChatGroup {
		t.Errorf("chats of 甲 %+v: want the p2p chat %s and the group %s", chats, p2p, g.ChatID)
	}
	all, err := ce.c.Chats(ctx, "")
	if err != nil || len(all) != 3 {
		t.Errorf("all chats: %d %v, want 3", len(all), err)
	}
	_, err = ce.c.Chats(ctx, "ou_nobody")
	wantErr(t, "unknown user", err, http.StatusNotFound, simclient.ReasonNotFound)
	checkRefusals(t, ce, []refusal{
		{"UnknownMember", "POST", "/_sim/chats", `{"members":["ou_nobody"]}`, 404, simclient.ReasonNotFound},
		{"P2P", "POST", "/_sim/chats", `{"type":"p2p","members":["` + a.OpenID + `"]}`, 400, simclient.ReasonBadRequest},
		{"Exists", "POST", "/_sim/chats", `{"chat_id":"` + g.ChatID + `"}`, 409, simclient.ReasonExists},
	})
}

func TestControlText(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{BotName: "考核助手"})
	ctx := context.Background()
	got := make(chan *larkim.P2MessageReceiveV1, 16)
	u, other := ce.user(t, "张三"), ce.user(t, "李四")
	group := ce.sim.MustAddChat(larksim.Chat{Members: []string{u.OpenID, other.OpenID}, BotMember: true})
	noBot := ce.sim.MustAddChat(larksim.Chat{Members: []string{u.OpenID}})
	notMine := ce.sim.MustAddChat(larksim.Chat{Members: []string{other.OpenID}, BotMember: true})

	_, err := ce.c.Text(ctx, simclient.Text{User: u.OpenID, Text: "帮助"})
	wantErr(t, "before any event URL", err, http.StatusConflict, simclient.ReasonNotConfigured)
	ce.sim.Configure(larksim.WebhookConfig{EventURL: eventBot(t, 0, got), VerificationToken: verificationToken, EncryptKey: encryptKey})

	type mention struct{ key, openID, name, typ string }
	tests := []struct {
		name, chat, text string
		mentions         []string
		wantText         string
		want             []mention
	}{
		{name: "P2P", text: "帮助", wantText: "帮助"},
		{name: "MentionInPlace", text: "委托 @_user_1 2026-12-02 2026-12-09 出差", mentions: []string{other.OpenID},
			wantText: "委托 @_user_1 2026-12-02 2026-12-09 出差", want: []mention{{"@_user_1", other.OpenID, "李四", "user"}}},
		{name: "BotInFront", chat: group.ChatID, text: "帮助", mentions: []string{larksim.MentionBot},
			wantText: "@_user_1 帮助", want: []mention{{"@_user_1", ce.sim.BotOpenID(), "考核助手", "bot"}}},
		{name: "BotAndPerson", chat: group.ChatID, text: "委托 @_user_2", mentions: []string{larksim.MentionBot, other.OpenID},
			wantText: "@_user_1 委托 @_user_2", want: []mention{{"@_user_1", ce.sim.BotOpenID(), "考核助手", "bot"}, {"@_user_2", other.OpenID, "李四", "user"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ce.c.Text(ctx, simclient.Text{User: u.OpenID, Chat: tc.chat, Text: tc.text, Mentions: tc.mentions})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Acked || res.Attempts != 1 || res.Status != http.StatusOK || res.EventType != "im.message.receive_v1" || res.Cursor == 0 {
				t.Errorf("result %+v, want acked on the first push", res)
			}
			ev := <-got
			msg := ev.Event.Message
			var content struct{ Text string }
			_ = json.Unmarshal([]byte(*msg.Content), &content)
			if content.Text != tc.wantText || *msg.MessageId != res.MessageID || ev.EventV2Base.Header.EventID != res.EventID {
				t.Errorf("event text %q id %s, want %q %s", content.Text, *msg.MessageId, tc.wantText, res.MessageID)
			}
			if len(msg.Mentions) != len(tc.want) {
				t.Fatalf("event mentions %d, want %d", len(msg.Mentions), len(tc.want))
			}
			for i, w := range tc.want {
				m := msg.Mentions[i]
				if *m.Key != w.key || *m.Id.OpenId != w.openID || *m.Name != w.name || *m.MentionedType != w.typ || *m.TenantKey == "" {
					t.Errorf("mention %d: key %s id %s name %s type %s, want %+v", i, *m.Key, *m.Id.OpenId, *m.Name, *m.MentionedType, w)
				}
			}
			page, err := ce.c.Messages(ctx, simclient.Query{User: u.OpenID, From: "user", After: res.Cursor - 1})
			if err != nil || len(page.Messages) != 1 {
				t.Fatalf("the sent text: %+v %v", page, err)
			}
			if m := page.Messages[0]; m.Text != tc.wantText || m.Sender.Name != "张三" || len(m.Mentions) != len(tc.want) || m.FromBot() {
				t.Errorf("recorded %+v", m)
			}
		})
	}
	checkRefusals(t, ce, []refusal{
		{"UnknownUser", "POST", "/_sim/text", `{"user":"ou_x","text":"hi"}`, 404, simclient.ReasonNotFound},
		{"UnknownChat", "POST", "/_sim/text", `{"user":"` + u.OpenID + `","chat":"oc_x","text":"hi"}`, 404, simclient.ReasonNotFound},
		{"UnknownMention", "POST", "/_sim/text", `{"user":"` + u.OpenID + `","text":"hi","mentions":["ou_x"]}`, 404, simclient.ReasonNotFound},
		{"KeyWithoutMention", "POST", "/_sim/text", `{"user":"` + u.OpenID + `","text":"@_user_2 hi","mentions":["` + other.OpenID + `"]}`, 400, simclient.ReasonBadMention},
		{"NotMember", "POST", "/_sim/text", `{"user":"` + u.OpenID + `","chat":"` + notMine.ChatID + `","text":"hi"}`, 403, simclient.ReasonNotMember},
		{"BotNotInChat", "POST", "/_sim/text", `{"user":"` + u.OpenID + `","chat":"` + noBot.ChatID + `","text":"hi"}`, 409, simclient.ReasonBotNotInChat},
		{"Empty", "POST", "/_sim/text", `{"user":"` + u.OpenID + `","text":"  "}`, 400, simclient.ReasonBadRequest},
		{"NoUser", "POST", "/_sim/text", `{"text":"hi"}`, 400, simclient.ReasonBadRequest},
		{"BadBody", "POST", "/_sim/text", `{"user":1}`, 400, simclient.ReasonBadRequest},
	})
}

func TestControlMessages(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	ctx := context.Background()
	u, other := ce.user(t, "张三"), ce.user(t, "李四")
	card := card2(md)
	first := ce.sendCard(t, u.OpenID, card)
	ce.sendText(t, other.OpenID, "not for 张三")

	page, err := ce.c.Messages(ctx, simclient.Query{User: u.OpenID})
	if err != nil || len(page.Messages) != 1 {
		t.Fatalf("messages of 张三: %+v %v", page, err)
	}
	m := page.Messages[0]
	if m.MessageID != first || m.MsgType != "interactive" || !m.FromBot() || m.Sender.ID != ce.sim.AppID() || m.To != u.OpenID ||
		!m.CreateTime.Equal(t0) || !sameJSON(json.RawMessage(card), m.Card) || m.Seq == 0 || page.Cursor < m.Seq {
		t.Errorf("message %+v cursor %d", m, page.Cursor)
	}
	if again, _ := ce.c.Messages(ctx, simclient.Query{User: u.OpenID, After: page.Cursor}); len(again.Messages) != 0 || again.Cursor != page.Cursor {
		t.Errorf("after the cursor: %+v, want nothing new", again)
	}
	sent, err := ce.c.Sent(ctx, 0)
	if err != nil || len(sent.Messages) != 2 {
		t.Errorf("sent: %d %v, want both bot messages", len(sent.Messages), err)
	}

	// A long poll returns when something arrives.
	type answer struct {
		p   simclient.MessagePage
		err error
	}
	polled := make(chan answer, 1)
	go func() {
		p, err := ce.c.Messages(ctx, simclient.Query{User: u.OpenID, After: page.Cursor, Wait: 10 * time.Second})
		polled <- answer{p, err}
	}()
	second := ce.sendText(t, u.OpenID, "第二条")
	select {
	case a := <-polled:
		if a.err != nil || len(a.p.Messages) != 1 || a.p.Messages[0].MessageID != second || a.p.Messages[0].Text != "第二条" {
			t.Errorf("long poll: %+v %v", a.p, a.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return when a message arrived")
	}
	// A patched card comes back with its new content, after the cursor.
	p2, _ := ce.c.Messages(ctx, simclient.Query{User: u.OpenID})
	done := card2(`{"tag":"markdown","content":"已更新"}`)
	if r := patch(t, ce.env, first, done); !r.Success() {
		t.Fatalf("patch: %d %s", r.Code, r.Msg)
	}
	p3, _ := ce.c.Messages(ctx, simclient.Query{User: u.OpenID, After: p2.Cursor})
	if len(p3.Messages) != 1 || p3.Messages[0].MessageID != first || !p3.Messages[0].Contains("已更新") ||
		len(p3.Messages[0].Updates) != 1 || p3.Messages[0].Updates[0].Source != larksim.UpdatePatch {
		t.Errorf("after the patch: %+v", p3.Messages)
	}
	// A long poll with nothing new answers at its wait with the cursor.
	empty, err := ce.c.Messages(ctx, simclient.Query{User: u.OpenID, After: p3.Cursor, Wait: 20 * time.Millisecond})
	if err != nil || len(empty.Messages) != 0 || empty.Cursor != p3.Cursor {
		t.Errorf("idle long poll: %+v %v", empty, err)
	}
	p2p, _ := ce.sim.P2PChatID(u.OpenID)
	byChat, err := ce.c.Messages(ctx, simclient.Query{Chat: p2p, From: "app"})
	if err != nil || len(byChat.Messages) != 2 {
		t.Errorf("by chat: %d %v, want the card and the text", len(byChat.Messages), err)
	}
	otherChat, _ := ce.sim.P2PChatID(other.OpenID)
	checkRefusals(t, ce, []refusal{
		{"BadCursor", "GET", "/_sim/messages?after=-1", ``, 400, simclient.ReasonBadRequest},
		{"BadWait", "GET", "/_sim/messages?wait=soon", ``, 400, simclient.ReasonBadRequest},
		{"BadFrom", "GET", "/_sim/messages?from=bot", ``, 400, simclient.ReasonBadRequest},
		{"UnknownUser", "GET", "/_sim/messages?user=ou_x", ``, 404, simclient.ReasonNotFound},
		{"UnknownChat", "GET", "/_sim/messages?chat=oc_x", ``, 404, simclient.ReasonNotFound},
		{"NotMember", "GET", "/_sim/messages?user=" + u.OpenID + "&chat=" + otherChat, ``, 403, simclient.ReasonNotMember},
		{"SentFiltered", "GET", "/_sim/sent?user=" + u.OpenID, ``, 400, simclient.ReasonBadRequest},
		{"WrongMethod", "POST", "/_sim/messages", `{}`, 405, simclient.ReasonNotAllowed},
	})
}

// staleBot answers the cards of formCard: the weekly form is submitted and
// replaced; 同意 (version 3 is current) is accepted once and replaced,
// any other version is refused with an error toast, as kaohe does for a
// card that is out of date (ErrStale).
func staleBot(_ context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
	v := ev.Event.Action.Value
	done := func(text string) *callback.CardActionTriggerResponse {
		return &callback.CardActionTriggerResponse{Toast: &callback.Toast{Type: "success", Content: text},
			Card: &callback.Card{Type: "raw", Data: json.RawMessage(card2(`{"tag":"markdown","content":"` + text + `"}`))}}
	}
	switch {
	case v["action"] == "submit_weekly":
		if ev.Event.Action.FormValue["work"] == "" {
			return &callback.CardActionTriggerResponse{Toast: &callback.Toast{Type: "error", Content: "请填写"}}, nil
		}
		return done("已提交"), nil
	case v["step"] == "7" && v["version"] == "3":
		return done("已同意"), nil
	}
	return &callback.CardActionTriggerResponse{Toast: &callback.Toast{Type: "error", Content: "卡片已过期，请刷新"}}, nil
}

func TestControlClick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ce := newCtlEnv(t, larksim.Options{})
	ce.sim.Configure(larksim.WebhookConfig{CallbackURL: botServer(t, verificationToken, encryptKey, staleBot),
		VerificationToken: verificationToken, EncryptKey: encryptKey})
	u, other := ce.user(t, "李科长"), ce.user(t, "王五")

	t.Run("SubmitForm", func(t *testing.T) {
		id := ce.sendCard(t, u.OpenID, formCard)
		r, err := ce.c.Click(ctx, simclient.Click{MessageID: id, User: u.OpenID, Button: "submit_btn",
			FormValue: map[string]any{"work": "完成调研", "progress": "on_time"}})
		if err != nil || r.Toast == nil || r.Toast.Type != "success" || !strings.Contains(string(r.Card), "已提交") || r.Status != 200 || r.EventID == "" {
			t.Fatalf("submit: %+v %v", r, err)
		}
		m, _ := ce.c.Messages(ctx, simclient.Query{User: u.OpenID, After: r.Cursor - 1})
		if len(m.Messages) != 1 || m.Messages[0].MessageID != id || !m.Messages[0].Contains("已提交") || m.Messages[0].Updates[0].Operator != u.OpenID {
			t.Errorf("the card after the click: %+v", m.Messages)
		}
	})
	t.Run("StaleMessage", func(t *testing.T) {
		id := ce.sendCard(t, u.OpenID, formCard)
		r, err := ce.c.Click(ctx, simclient.Click{MessageID: id, User: u.OpenID, Button: "approve_btn"})
		if err != nil || r.Toast == nil || r.Toast.Type != "success" {
			t.Fatalf("first 同意: %+v %v", r, err)
		}
		// The card was replaced: its button is gone, as on the screen.
		_, err = ce.c.Click(ctx, simclient.Click{MessageID: id, User: u.OpenID, Button: "approve_btn"})
		wantErr(t, "the replaced card's button", err, http.StatusNotFound, simclient.ReasonNotFound)
		// A value of an older version reaches the app, which refuses it.
		r, err = ce.c.Click(ctx, simclient.Click{MessageID: id, User: u.OpenID, Value: map[string]any{"step": "7", "version": "2"},
			Action: &simclient.Action{Name: "approve_btn"}})
		if err != nil || r.Toast == nil || r.Toast.Type != "error" || r.Card != nil {
			t.Errorf("stale value: %+v %v, want the app's error toast and no new card", r, err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		id := ce.sendCard(t, u.OpenID, formCard)
		recalled := ce.sendCard(t, u.OpenID, formCard)
		if err := ce.sim.Recall(recalled); err != nil {
			t.Fatal(err)
		}
		text := ce.sendText(t, u.OpenID, "hi")
		click := func(fields string) string {
			return `{"message_id":"` + id + `","user":"` + u.OpenID + `"` + fields + `}`
		}
		ce.clk.Advance(time.Second) // five sends a second to one chat
		limits := ce.sendCard(t, u.OpenID, limitsCard)
		long := strings.Repeat("字", 501)
		checkRefusals(t, ce, []refusal{
			{"UnknownMessage", "POST", "/_sim/click", `{"message_id":"om_x","user":"` + u.OpenID + `","button":"submit_btn"}`, 404, simclient.ReasonNotFound},
			{"UnknownUser", "POST", "/_sim/click", `{"message_id":"` + id + `","user":"ou_x","value":{"a":1}}`, 404, simclient.ReasonNotFound},
			{"UnknownButton", "POST", "/_sim/click", click(`,"button":"nope"`), 404, simclient.ReasonNotFound},
			{"NotMember", "POST", "/_sim/click", `{"message_id":"` + id + `","user":"` + other.OpenID + `","button":"approve_btn"}`, 403, simclient.ReasonNotMember},
			{"RequiredEmpty", "POST", "/_sim/click", click(`,"button":"submit_btn","form_value":{"progress":"late"}`), 422, simclient.ReasonRequiredEmpty},
			{"UnknownField", "POST", "/_sim/click", click(`,"button":"submit_btn","form_value":{"work":"x","mood":"ok"}`), 422, simclient.ReasonUnknownField},
			{"TooLong", "POST", "/_sim/click", click(`,"button":"submit_btn","form_value":{"work":"` + long + `"}`), 422, simclient.ReasonTooLong},
			{"NotAnOption", "POST", "/_sim/click", click(`,"button":"submit_btn","form_value":{"work":"x","progress":"early"}`), 422, simclient.ReasonNotAnOption},
			{"BadDate", "POST", "/_sim/click", `{"message_id":"` + limits + `","user":"` + u.OpenID + `","button":"submit","form_value":{"due":"20.11.2026"}}`, 422, simclient.ReasonBadDate},
			{"NotAForm", "POST", "/_sim/click", click(`,"button":"approve_btn","form_value":{"work":"x"}`), 422, simclient.ReasonInvalid},
			{"Reset", "POST", "/_sim/click", click(`,"button":"reset_btn"`), 409, simclient.ReasonNoCallback},
			{"OpenURL", "POST", "/_sim/click", click(`,"button":"open_btn"`), 409, simclient.ReasonNoCallback},
			{"Recalled", "POST", "/_sim/click", `{"message_id":"` + recalled + `","user":"` + u.OpenID + `","value":{"a":1}}`, 409, simclient.ReasonRecalled},
			{"NotCard", "POST", "/_sim/click", `{"message_id":"` + text + `","user":"` + u.OpenID + `","value":{"a":1}}`, 409, simclient.ReasonNotCard},
			{"ButtonAndValue", "POST", "/_sim/click", click(`,"button":"approve_btn","value":{"a":1}`), 400, simclient.ReasonBadRequest},
			{"Neither", "POST", "/_sim/click", click(``), 400, simclient.ReasonBadRequest},
			{"ActionWithButton", "POST", "/_sim/click", click(`,"button":"approve_btn","action":{"tag":"button"}`), 400, simclient.ReasonBadRequest},
			{"NoMessage", "POST", "/_sim/click", `{"user":"` + u.OpenID + `","button":"x"}`, 400, simclient.ReasonBadRequest},
			{"ValueNotObject", "POST", "/_sim/click", click(`,"value":"approve"`), 400, simclient.ReasonBadRequest},
			{"BadBody", "POST", "/_sim/click", `{"message_id":`, 400, simclient.ReasonBadRequest},
		})
	})
	t.Run("Expired", func(t *testing.T) {
		ex := newCtlEnv(t, larksim.Options{})
		ex.sim.Configure(larksim.WebhookConfig{CallbackURL: botServer(t, verificationToken, encryptKey, staleBot),
			VerificationToken: verificationToken, EncryptKey: encryptKey})
		v := ex.user(t, "李科长")
		id := ex.sendCard(t, v.OpenID, formCard)
		if _, err := ex.c.Advance(ctx, larksim.CardUpdateWindow+time.Hour); err != nil {
			t.Fatal(err)
		}
		_, err := ex.c.Click(ctx, simclient.Click{MessageID: id, User: v.OpenID, Button: "approve_btn"})
		wantErr(t, "a card older than 14 days", err, http.StatusConflict, simclient.ReasonCardExpired)
	})
}

// TestControlClickClientError: a click the client shows as an error (no
// callback URL, no answer within the deadline) is the click's outcome,
// reported with the client's code, not a failure of the control request.
func TestControlClickClientError(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	ce := newCtlEnv(t, larksim.Options{CallbackTimeout: 50 * time.Millisecond})
	u := ce.user(t, "李科长")
	id := ce.sendCard(t, u.OpenID, formCard)
	tests := []struct {
		name     string
		url      string
		wantCode int
	}{
		{name: "NoCallbackURL", wantCode: larksim.ClientNoCallbackURL},
		{name: "Timeout", url: slow.URL, wantCode: larksim.ClientTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ce.sim.Configure(larksim.WebhookConfig{CallbackURL: tc.url})
			r, err := ce.c.Click(context.Background(), simclient.Click{MessageID: id, User: u.OpenID, Button: "approve_btn"})
			if err != nil || r.ClientError == nil || r.ClientError.Code != tc.wantCode || r.Toast != nil {
				t.Errorf("click: %+v %v, want client error %d", r, err, tc.wantCode)
			}
		})
	}
}

func TestControlClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ce := newCtlEnv(t, larksim.Options{})
	if now, err := ce.c.Clock(ctx); err != nil || !now.Equal(t0) {
		t.Fatalf("clock %v %v, want %v", now, err, t0)
	}
	now, err := ce.c.Advance(ctx, 72*time.Hour)
	if want := t0.Add(72 * time.Hour); err != nil || !now.Equal(want) || !ce.clk.Now().Equal(want) {
		t.Fatalf("advance: %v %v, want %v", now, err, want)
	}
	later := t0.Add(100 * time.Hour)
	if now, err = ce.c.SetClock(ctx, later); err != nil || !now.Equal(later) {
		t.Fatalf("set: %v %v", now, err)
	}
	_, err = ce.c.SetClock(ctx, t0)
	wantErr(t, "backwards", err, http.StatusConflict, simclient.ReasonBackwards)
	ce.mu.Lock()
	moves := append([]time.Time(nil), ce.moves...)
	ce.mu.Unlock()
	if len(moves) != 2 || !moves[0].Equal(t0.Add(72*time.Hour)) || !moves[1].Equal(later) {
		t.Errorf("OnClockMove saw %v, want the two moves", moves)
	}
	checkRefusals(t, ce, []refusal{
		{"Both", "POST", "/_sim/clock", `{"now":"2030-01-01T00:00:00Z","advance":"1h"}`, 400, simclient.ReasonBadRequest},
		{"Neither", "POST", "/_sim/clock", `{}`, 400, simclient.ReasonBadRequest},
		{"Negative", "POST", "/_sim/clock", `{"advance":"-1h"}`, 400, simclient.ReasonBadRequest},
		{"BadDuration", "POST", "/_sim/clock", `{"advance":"3 days"}`, 400, simclient.ReasonBadRequest},
		{"BadTime", "POST", "/_sim/clock", `{"now":"tomorrow"}`, 400, simclient.ReasonBadRequest},
	})

	// With Settle the answer waits, so cached readers of the clock have
	// seen the move before the caller goes on.
	settled := newEnv(t, larksim.Options{})
	ss := httptest.NewServer(larksim.NewControl(settled.sim, larksim.ControlOptions{Clock: settled.clk, Settle: 30 * time.Millisecond}))
	t.Cleanup(ss.Close)
	began := time.Now()
	if _, err := simclient.New(ss.URL).Advance(ctx, time.Hour); err != nil || time.Since(began) < 30*time.Millisecond {
		t.Errorf("advance with Settle 30ms answered after %v (%v)", time.Since(began), err)
	}

	fixed := newEnv(t, larksim.Options{})
	srv := httptest.NewServer(larksim.NewControl(fixed.sim, larksim.ControlOptions{}))
	t.Cleanup(srv.Close)
	c := simclient.New(srv.URL)
	var view simclient.Clock
	resp, err := http.Get(srv.URL + "/_sim/clock")
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&view)
	resp.Body.Close()
	if view.Movable || !view.Now.Equal(t0) {
		t.Errorf("read-only clock %+v", view)
	}
	_, err = c.Advance(ctx, time.Hour)
	wantErr(t, "a clock that cannot move", err, http.StatusConflict, simclient.ReasonNotMovable)
}

func TestControlConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ce := newCtlEnv(t, larksim.Options{})
	ce.sim.Configure(larksim.WebhookConfig{LongConnection: true})
	hook := botServer(t, verificationToken, encryptKey, staleBot)
	view, err := ce.c.Configure(ctx, simclient.Config{CallbackURL: &hook, VerificationToken: ptr(verificationToken),
		EncryptKey: ptr(encryptKey), Verify: true})
	if err != nil || view.CallbackURL != hook || view.LongConnection || !view.VerificationTokenSet || !view.EncryptKeySet || view.AppID != ce.sim.AppID() {
		t.Fatalf("configure: %+v %v", view, err)
	}
	if got := ce.sim.WebhookConfig(); got.CallbackURL != hook || got.EncryptKey != encryptKey || got.LongConnection {
		t.Errorf("server config %+v", got)
	}
	if b, _ := json.Marshal(view); strings.Contains(string(b), encryptKey) || strings.Contains(string(b), verificationToken) {
		t.Errorf("config view shows a secret: %s", b)
	}
	view, err = ce.c.Configure(ctx, simclient.Config{LongConnection: ptr(true)})
	if err != nil || !view.LongConnection || view.CallbackURL != hook {
		t.Errorf("long connection: %+v %v", view, err)
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	t.Cleanup(broken.Close)
	_, err = ce.c.Configure(ctx, simclient.Config{CallbackURL: ptr(broken.URL), Verify: true})
	wantErr(t, "a URL that fails the challenge", err, http.StatusBadGateway, simclient.ReasonVerifyFailed)
	checkRefusals(t, ce, []refusal{
		{"NotURL", "POST", "/_sim/config", `{"callback_url":"localhost:8080/lark"}`, 400, simclient.ReasonBadRequest},
		{"VerifyWithoutURL", "POST", "/_sim/config", `{"callback_url":"","verify":true}`, 409, simclient.ReasonNotConfigured},
		{"UnknownField", "POST", "/_sim/config", `{"callback":"x"}`, 400, simclient.ReasonBadRequest},
	})
}

func ptr[T any](v T) *T { return &v }

func TestControlEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ce := newCtlEnv(t, larksim.Options{})
	got := make(chan *larkim.P2MessageReceiveV1, 16)
	ce.sim.Configure(larksim.WebhookConfig{EventURL: eventBot(t, 1, got), VerificationToken: verificationToken, EncryptKey: encryptKey})
	u := ce.user(t, "张三")
	res, err := ce.c.Text(ctx, simclient.Text{User: u.OpenID, Text: "hi"})
	if err != nil || res.Acked || res.Status != http.StatusInternalServerError || res.NextAttempt == nil || !res.NextAttempt.Equal(t0.Add(15*time.Second)) {
		t.Fatalf("first push: %+v %v, want a failure and a re-push at +15 s", res, err)
	}
	if due, err := ce.c.Retry(ctx); err != nil || len(due) != 0 {
		t.Errorf("retry before it is due: %+v %v", due, err)
	}
	if _, err := ce.c.Advance(ctx, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	due, err := ce.c.Retry(ctx)
	if err != nil || len(due) != 1 || !due[0].Acked || due[0].Attempts != 2 || due[0].EventID != res.EventID {
		t.Fatalf("retry: %+v %v", due, err)
	}
	again, err := ce.c.Repush(ctx, res.EventID)
	if err != nil || again.Attempts != 3 || !again.Acked {
		t.Errorf("repush: %+v %v", again, err)
	}
	evs, err := ce.c.Events(ctx)
	if err != nil || len(evs) != 1 || evs[0].Attempts != 3 || evs[0].MessageID != res.MessageID {
		t.Errorf("events: %+v %v", evs, err)
	}
	st, err := ce.c.Stats(ctx)
	if err != nil || st.Events != 1 || st.Unacked != 0 || st.Messages != 1 || st.Sent != 0 {
		t.Errorf("stats: %+v %v", st, err)
	}
	_, err = ce.c.Repush(ctx, "nope")
	wantErr(t, "unknown event", err, http.StatusNotFound, simclient.ReasonNotFound)
	checkRefusals(t, ce, []refusal{
		{"NoEventID", "POST", "/_sim/repush", `{}`, 400, simclient.ReasonBadRequest},
	})
}

// TestControlRouting: the control interface answers its own paths in
// JSON, and every other path is the Open Platform.
func TestControlRouting(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	checkRefusals(t, ce, []refusal{
		{"UnknownEndpoint", "GET", "/_sim/nope", ``, 404, simclient.ReasonNotFound},
		{"WrongMethod", "GET", "/_sim/click", ``, 405, simclient.ReasonNotAllowed},
	})
	body := `{"app_id":"` + ce.sim.AppID() + `","app_secret":"` + ce.sim.AppSecret() + `"}`
	resp, err := http.Post(ce.url+"/open-apis/auth/v3/tenant_access_token/internal", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		Code  int    `json:"code"`
		Token string `json:"tenant_access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Code != 0 || !strings.HasPrefix(tok.Token, "t-") {
		t.Errorf("token through the control listener: %+v %v", tok, err)
	}
	if st := ce.sim.Stats(); st.Requests[larksim.APITenantToken] != 1 {
		t.Errorf("stats %+v", st.Requests)
	}
}

// FuzzControlBodies: no body sent to the endpoints that act as a person
// makes the control interface fail with a 5xx or panic.
func FuzzControlBodies(f *testing.F) {
	for _, s := range []string{
		`{"user":"ou_a","text":"帮助"}`,
		`{"user":"ou_a","text":"委托 @_user_1 @_user_2","mentions":["ou_a","bot"]}`,
		`{"user":"ou_a","text":"@_user_99999999999999999999","mentions":["ou_a"]}`,
		`{"message_id":"om_x","user":"ou_a","button":"submit_btn","form_value":{"work":"x"}}`,
		`{"message_id":"om_x","user":"ou_a","value":{"k":"w"},"action":{"tag":"select_static","option":"a"}}`,
		`{"advance":"1h"}`, `{"now":"2030-01-01T00:00:00Z"}`, `{`, `null`, `[]`,
	} {
		f.Add("text", s)
		f.Add("click", s)
		f.Add("clock", s)
	}
	clk := clock.NewFake(t0)
	sim := larksim.New(larksim.Options{Clock: clk})
	sim.MustAddUser(larksim.User{OpenID: "ou_a", Name: "甲"})
	sim.Configure(larksim.WebhookConfig{LongConnection: true}) // no client: pushes fail at once, offline
	ctl := larksim.NewControl(sim, larksim.ControlOptions{Clock: clk})
	f.Fuzz(func(t *testing.T, endpoint, body string) {
		switch endpoint {
		case "text", "click", "clock":
		default:
			return
		}
		w := httptest.NewRecorder()
		ctl.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/_sim/"+endpoint, strings.NewReader(body)))
		if w.Code >= 500 {
			t.Errorf("POST /_sim/%s %q: HTTP %d %s", endpoint, body, w.Code, w.Body)
		}
		if w.Code >= 400 && !json.Valid(w.Body.Bytes()) {
			t.Errorf("POST /_sim/%s %q: error answer is not JSON: %s", endpoint, body, w.Body)
		}
	})
}
