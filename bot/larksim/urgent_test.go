package larksim_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
)

// urgent calls urgent_app through the SDK and returns the code and the
// invalid ids.
func (e *env) urgent(t *testing.T, msgID string, ids ...string) (int, []string) {
	t.Helper()
	resp, err := e.client.Im.V1.Message.UrgentApp(context.Background(), larkim.NewUrgentAppMessageReqBuilder().
		MessageId(msgID).UserIdType("open_id").UrgentReceivers(larkim.NewUrgentReceiversBuilder().UserIdList(ids).Build()).Build())
	if err != nil {
		t.Fatalf("UrgentApp: transport error: %v", err)
	}
	if resp.Code != 0 || resp.Data == nil {
		return resp.Code, nil
	}
	return 0, resp.Data.InvalidUserIdList
}

// readers calls read_users through the SDK, one page.
func (e *env) readers(t *testing.T, msgID string, size int, token string) (int, *larkim.ReadUsersMessageRespData) {
	t.Helper()
	b := larkim.NewReadUsersMessageReqBuilder().MessageId(msgID).UserIdType("open_id").PageSize(size)
	if token != "" {
		b.PageToken(token)
	}
	resp, err := e.client.Im.V1.Message.ReadUsers(context.Background(), b.Build())
	if err != nil {
		t.Fatalf("ReadUsers: transport error: %v", err)
	}
	return resp.Code, resp.Data
}

// TestUrgentApp: each documented answer of 发送应用内加急, and the urgent
// mark the control interface shows. [D25]
func TestUrgentApp(t *testing.T) {
	t.Parallel()
	type world struct {
		e    *env
		a, b larksim.User
		msg  string // the bot's card to a
	}
	tests := []struct {
		name        string
		opts        larksim.Options
		setup       func(t *testing.T, w *world) (msgID string, ids []string)
		wantCode    int
		wantInvalid []string
		wantUrgent  []string // users the message is urgent for afterwards
	}{
		{name: "OK", setup: func(t *testing.T, w *world) (string, []string) { return w.msg, []string{w.a.OpenID} },
			wantUrgent: []string{"a"}},
		{name: "OK/again marks once", setup: func(t *testing.T, w *world) (string, []string) {
			if code, _ := w.e.urgent(t, w.msg, w.a.OpenID); code != 0 {
				t.Fatalf("first urgent: %d", code)
			}
			return w.msg, []string{w.a.OpenID}
		}, wantUrgent: []string{"a"}},
		{name: "OK/some outside the chat", setup: func(t *testing.T, w *world) (string, []string) {
			return w.msg, []string{w.a.OpenID, w.b.OpenID, "ou_nobody"}
		}, wantInvalid: []string{"b", "ou_nobody"}, wantUrgent: []string{"a"}},
		{name: "Err/all outside the chat", setup: func(t *testing.T, w *world) (string, []string) { return w.msg, []string{w.b.OpenID} },
			wantCode: larksim.CodeIMBadParam},
		{name: "Err/no users", setup: func(t *testing.T, w *world) (string, []string) { return w.msg, nil },
			wantCode: larksim.CodeIMBadParam},
		{name: "Err/batch message", setup: func(t *testing.T, w *world) (string, []string) { return "bm_123", []string{w.a.OpenID} },
			wantCode: larksim.CodeIMBadParam},
		{name: "Err/unknown message", setup: func(t *testing.T, w *world) (string, []string) { return "om_nope", []string{w.a.OpenID} },
			wantCode: larksim.CodeMessageIDNotExist},
		{name: "Err/recalled", setup: func(t *testing.T, w *world) (string, []string) {
			if err := w.e.sim.Recall(w.msg); err != nil {
				t.Fatal(err)
			}
			return w.msg, []string{w.a.OpenID}
		}, wantCode: larksim.CodeMessageDeleted},
		{name: "Err/resigned since", setup: func(t *testing.T, w *world) (string, []string) {
			if err := w.e.sim.UpdateUser(w.a.OpenID, func(u *larksim.User) { u.Resigned = true }); err != nil {
				t.Fatal(err)
			}
			return w.msg, []string{w.a.OpenID}
		}, wantCode: larksim.CodeNoAvailability},
		{name: "Err/not the bot's message", setup: func(t *testing.T, w *world) (string, []string) {
			w.e.sim.Configure(larksim.WebhookConfig{EventURL: eventBot(t, 0, make(chan *larkim.P2MessageReceiveV1, 1)),
				VerificationToken: verificationToken, EncryptKey: encryptKey})
			d, err := w.e.sim.SendText(context.Background(), w.a.OpenID, "", "帮助")
			if err != nil {
				t.Fatal(err)
			}
			return d.MessageID, []string{w.a.OpenID}
		}, wantCode: larksim.CodeNotMessageSender},
		{name: "Err/group without the bot", setup: func(t *testing.T, w *world) (string, []string) {
			c := w.e.sim.MustAddChat(larksim.Chat{Members: []string{w.a.OpenID, w.b.OpenID}, BotMember: true})
			resp := w.e.send(t, "chat_id", c.ChatID, "interactive", card2(md), "")
			if !resp.Success() {
				t.Fatalf("send to group: %d", resp.Code)
			}
			if err := w.e.sim.UpdateChat(c.ChatID, func(c *larksim.Chat) { c.BotMember = false }); err != nil {
				t.Fatal(err)
			}
			return *resp.Data.MessageId, []string{w.a.OpenID}
		}, wantCode: larksim.CodeBotNotInChat},
		{name: "Err/dissolved group", setup: func(t *testing.T, w *world) (string, []string) {
			c := w.e.sim.MustAddChat(larksim.Chat{Members: []string{w.a.OpenID}, BotMember: true})
			resp := w.e.send(t, "chat_id", c.ChatID, "interactive", card2(md), "")
			if err := w.e.sim.UpdateChat(c.ChatID, func(c *larksim.Chat) { c.Dissolved = true }); err != nil {
				t.Fatal(err)
			}
			return *resp.Data.MessageId, []string{w.a.OpenID}
		}, wantCode: larksim.CodeChatDissolved},
		{name: "Err/unread urgent cap", opts: larksim.Options{UrgentUnreadCap: 2}, setup: func(t *testing.T, w *world) (string, []string) {
			for range 2 {
				if code, _ := w.e.urgent(t, w.e.sendCard(t, w.a.OpenID, card2(md)), w.a.OpenID); code != 0 {
					t.Fatalf("urgent under the cap: %d", code)
				}
			}
			return w.msg, []string{w.a.OpenID}
		}, wantCode: larksim.CodeUrgentUnreadLimit},
		{name: "OK/cap after reading one", opts: larksim.Options{UrgentUnreadCap: 2}, setup: func(t *testing.T, w *world) (string, []string) {
			var first string
			for i := range 2 {
				id := w.e.sendCard(t, w.a.OpenID, card2(md))
				if i == 0 {
					first = id
				}
				w.e.urgent(t, id, w.a.OpenID)
			}
			if err := w.e.sim.Read(w.a.OpenID, first); err != nil {
				t.Fatal(err)
			}
			return w.msg, []string{w.a.OpenID}
		}, wantUrgent: []string{"a"}},
		{name: "Err/allowance used up", setup: func(t *testing.T, w *world) (string, []string) {
			w.e.sim.SetUrgentQuota(1)
			if code, _ := w.e.urgent(t, w.e.sendCard(t, w.a.OpenID, card2(md)), w.a.OpenID); code != 0 {
				t.Fatalf("urgent within the allowance: %d", code)
			}
			return w.msg, []string{w.a.OpenID}
		}, wantCode: larksim.CodeUrgentQuota},
		{name: "Err/scope", setup: func(t *testing.T, w *world) (string, []string) {
			w.e.sim.SetScopes([]string{"im:message:send_as_bot"})
			return w.msg, []string{w.a.OpenID}
		}, wantCode: larksim.CodeScopeMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.opts)
			w := &world{e: e, a: e.user(t, "甲"), b: e.user(t, "乙")}
			w.msg = e.sendCard(t, w.a.OpenID, card2(md))
			name := map[string]string{w.a.OpenID: "a", w.b.OpenID: "b"}
			id, ids := tc.setup(t, w)
			code, invalid := e.urgent(t, id, ids...)
			if code != tc.wantCode {
				t.Fatalf("code %d, want %d", code, tc.wantCode)
			}
			var gotInvalid []string
			for _, id := range invalid {
				if n, ok := name[id]; ok {
					id = n
				}
				gotInvalid = append(gotInvalid, id)
			}
			if strings.Join(gotInvalid, ",") != strings.Join(tc.wantInvalid, ",") {
				t.Errorf("invalid_user_id_list %v, want %v", gotInvalid, tc.wantInvalid)
			}
			m, _ := e.sim.Message(w.msg)
			var urgent []string
			for _, u := range m.Urgent {
				urgent = append(urgent, name[u.OpenID])
			}
			if strings.Join(urgent, ",") != strings.Join(tc.wantUrgent, ",") {
				t.Errorf("urgent for %v, want %v", urgent, tc.wantUrgent)
			}
		})
	}
}

// TestUrgentUnreadCount: the cap counts unread urgent messages: reading
// one (by Read, by clicking it, by typing in the chat) frees a place, and
// urging a message again after it was read counts it once more.
func TestUrgentUnreadCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	e.sim.Configure(larksim.WebhookConfig{EventURL: eventBot(t, 0, make(chan *larkim.P2MessageReceiveV1, 4)),
		VerificationToken: verificationToken, EncryptKey: encryptKey})
	a := e.user(t, "甲")
	var ids []string
	for range 3 {
		id := e.sendCard(t, a.OpenID, card2(md))
		e.urgent(t, id, a.OpenID)
		ids = append(ids, id)
	}
	if n := e.sim.UnreadUrgent(a.OpenID); n != 3 {
		t.Fatalf("unread urgent %d, want 3", n)
	}
	if err := e.sim.Read(a.OpenID, ids[0]); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.UnreadUrgent(a.OpenID); n != 2 {
		t.Errorf("after reading one: unread urgent %d, want 2", n)
	}
	e.urgent(t, ids[0], a.OpenID)
	if n := e.sim.UnreadUrgent(a.OpenID); n != 3 {
		t.Errorf("urged again after reading: unread urgent %d, want 3", n)
	}
	if _, err := e.sim.SendText(context.Background(), a.OpenID, "", "帮助"); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.UnreadUrgent(a.OpenID); n != 0 {
		t.Errorf("after typing in the chat: unread urgent %d, want 0", n)
	}
}

// TestReadUsers: read_users lists who read one of the bot's messages, in
// order, by pages; refuses a user's message and one older than 7 days.
// [D26]
func TestReadUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	a, b, c := e.user(t, "甲"), e.user(t, "乙"), e.user(t, "丙")
	chat := e.sim.MustAddChat(larksim.Chat{Name: "公示群", Members: []string{a.OpenID, b.OpenID, c.OpenID}, BotMember: true})
	resp := e.send(t, "chat_id", chat.ChatID, "interactive", card2(md), "")
	if !resp.Success() {
		t.Fatalf("send: %d", resp.Code)
	}
	msg := *resp.Data.MessageId
	if code, d := e.readers(t, msg, 20, ""); code != 0 || len(d.Items) != 0 || d.HasMore == nil || *d.HasMore {
		t.Fatalf("nobody read it yet: code %d data %+v", code, d)
	}
	for _, u := range []larksim.User{b, a} {
		e.clk.Advance(time.Minute)
		if err := e.sim.Read(u.OpenID, msg); err != nil {
			t.Fatal(err)
		}
	}
	e.sim.Read(b.OpenID, msg) // again: still one entry, at the first time
	var got []string
	token := ""
	for page := 0; ; page++ {
		code, d := e.readers(t, msg, 1, token)
		if code != 0 {
			t.Fatalf("page %d: code %d", page, code)
		}
		for _, it := range d.Items {
			got = append(got, *it.UserId+"@"+*it.Timestamp)
		}
		if !*d.HasMore {
			break
		}
		token = *d.PageToken
	}
	want := []string{b.OpenID + "@" + ms(t0.Add(time.Minute)), a.OpenID + "@" + ms(t0.Add(2*time.Minute))}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("readers %v, want %v", got, want)
	}
	if code, _ := e.readers(t, msg, 101, ""); code != larksim.CodeIMBadParam {
		t.Errorf("page_size 101: code %d, want %d", code, larksim.CodeIMBadParam)
	}
	if code, _ := e.readers(t, msg, 20, "bogus"); code != larksim.CodeIMBadParam {
		t.Errorf("made-up page_token: code %d, want %d", code, larksim.CodeIMBadParam)
	}
	e.clk.Advance(larksim.ReadUsersWindow)
	if code, _ := e.readers(t, msg, 20, ""); code != larksim.CodeReadUsersTooOld {
		t.Errorf("after 7 days: code %d, want %d", code, larksim.CodeReadUsersTooOld)
	}
}

// TestReadUsersNeedsUserIDType: user_id_type is required (必填) for both
// APIs; the SDK leaves it to the caller. [D25][D26]
func TestReadUsersNeedsUserIDType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	a := e.user(t, "甲")
	msg := e.sendCard(t, a.OpenID, card2(md))
	for _, req := range []*larkcore.ApiReq{
		{HttpMethod: http.MethodGet, ApiPath: "/open-apis/im/v1/messages/" + msg + "/read_users"},
		{HttpMethod: http.MethodPatch, ApiPath: "/open-apis/im/v1/messages/" + msg + "/urgent_app", Body: map[string]any{"user_id_list": []string{a.OpenID}}},
	} {
		req.SupportedAccessTokenTypes = []larkcore.AccessTokenType{larkcore.AccessTokenTypeTenant}
		resp, err := e.client.Do(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(resp.RawBody), `"code":230001`) {
			t.Errorf("%s without user_id_type: %s", req.ApiPath, resp.RawBody)
		}
	}
}

// TestControlShowsUrgentAndReads: the control interface shows a message's
// urgent marks and readers, and POST /_sim/read reads as a person.
func TestControlShowsUrgentAndReads(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	a := ce.user(t, "甲")
	msg := ce.sendCard(t, a.OpenID, card2(md))
	ce.urgent(t, msg, a.OpenID)
	ce.clk.Advance(time.Minute)
	m, err := ce.c.Read(context.Background(), simclient.ReadMessage{MessageID: msg, User: a.OpenID})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Urgent) != 1 || m.Urgent[0].User != a.OpenID || !m.Urgent[0].At.Equal(t0) || m.Urgent[0].ReadAt == nil || !m.Urgent[0].ReadAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("urgent %+v, want %s urged at %s and read a minute later", m.Urgent, a.OpenID, t0)
	}
	if len(m.ReadBy) != 1 || m.ReadBy[0].User != a.OpenID {
		t.Errorf("read_by %+v, want %s", m.ReadBy, a.OpenID)
	}
	page, err := ce.c.Messages(context.Background(), simclient.Query{User: a.OpenID})
	if err != nil || len(page.Messages) != 1 || len(page.Messages[0].Urgent) != 1 {
		t.Errorf("GET /_sim/messages: %+v, %v; want the message with its urgent mark", page, err)
	}
	checkRefusals(t, ce, []refusal{
		{"unknown message", http.MethodPost, "/_sim/read", `{"message_id":"om_nope","user":"` + a.OpenID + `"}`, http.StatusNotFound, simclient.ReasonNotFound},
		{"no user", http.MethodPost, "/_sim/read", `{"message_id":"` + msg + `"}`, http.StatusBadRequest, simclient.ReasonBadRequest},
	})
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
