package larksim_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
)

func TestCreateMessage(t *testing.T) {
	t.Parallel()
	post := `{"zh_cn":{"title":"通知","content":[[{"tag":"text","text":"请提交"}]]}}`
	// Each case gets its own environment: the cases run in parallel at the
	// same fake instant, and sends to one chat are limited to 5 per second.
	tests := []struct {
		name    string
		target  string // a receive_id_type, or "group" / "p2p" for chat_id
		msgType string
		content string
	}{
		{name: "OpenID", target: "open_id", msgType: "text", content: textContent("hi")},
		{name: "UnionID", target: "union_id", msgType: "text", content: textContent("hi")},
		{name: "UserID", target: "user_id", msgType: "text", content: textContent("hi")},
		{name: "Email", target: "email", msgType: "text", content: textContent("hi")},
		{name: "GroupChat", target: "group", msgType: "text", content: textContent("hi")},
		{name: "P2PChat", target: "p2p", msgType: "post", content: post},
		{name: "Card", target: "open_id", msgType: "interactive", content: formCard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			u := e.user(t, "王五")
			group := e.sim.MustAddChat(larksim.Chat{Name: "政工科", Members: []string{u.OpenID}, BotMember: true})
			p2p, err := e.sim.P2PChatID(u.OpenID)
			if err != nil {
				t.Fatal(err)
			}
			idType, id, wantChat := tc.target, "", p2p
			switch tc.target {
			case "open_id":
				id = u.OpenID
			case "union_id":
				id = u.UnionID
			case "user_id":
				id = u.UserID
			case "email":
				id = u.Email
			case "group":
				idType, id, wantChat = "chat_id", group.ChatID, group.ChatID
			case "p2p":
				idType, id = "chat_id", p2p
			}
			resp := e.send(t, idType, id, tc.msgType, tc.content, "")
			if !resp.Success() || resp.StatusCode != http.StatusOK {
				t.Fatalf("code %d status %d msg %q", resp.Code, resp.StatusCode, resp.Msg)
			}
			d := resp.Data
			if !strings.HasPrefix(*d.MessageId, "om_") || *d.ChatId != wantChat || *d.MsgType != tc.msgType {
				t.Errorf("data %s/%s/%s, want om_…/%s/%s", *d.MessageId, *d.ChatId, *d.MsgType, wantChat, tc.msgType)
			}
			if *d.CreateTime != strconv.FormatInt(t0.UnixMilli(), 10) {
				t.Errorf("create_time %s, want %d (ms on the fake clock)", *d.CreateTime, t0.UnixMilli())
			}
			if *d.Sender.IdType != "app_id" || *d.Sender.Id != e.sim.AppID() || *d.Sender.SenderType != "app" {
				t.Errorf("sender %+v, want the app", *d.Sender)
			}
			if *d.Body.Content != tc.content || *d.Deleted || *d.Updated {
				t.Errorf("body %q deleted %v updated %v", *d.Body.Content, *d.Deleted, *d.Updated)
			}
			m, ok := e.sim.Message(*d.MessageId)
			if !ok || m.Content != tc.content || m.ChatID != wantChat || m.SenderType != larksim.SenderApp {
				t.Errorf("recorded %+v", m)
			}
			if resp.RequestId() == "" {
				t.Errorf("no X-Tt-Logid header")
			}
		})
	}
}

func TestCreateMessageErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	ok := e.user(t, "ok")
	n := 0
	// fresh returns a new user: parallel cases must not share a receiver,
	// or the 5-per-second chat limit answers instead of the check under test.
	fresh := func(f func(*larksim.User)) string {
		n++
		u := e.user(t, "u"+strconv.Itoa(n))
		if err := e.sim.UpdateUser(u.OpenID, f); err != nil {
			t.Fatal(err)
		}
		return u.OpenID
	}
	flagged := fresh
	okUser := func() string { return fresh(func(*larksim.User) {}) }
	resigned := flagged(func(u *larksim.User) { u.Resigned = true })
	outOfScope := flagged(func(u *larksim.User) { u.OutOfScope = true })
	stopped := flagged(func(u *larksim.User) { u.StoppedBot = true })
	blocked := flagged(func(u *larksim.User) { u.Blocked = true })
	code29 := flagged(func(u *larksim.User) { u.SendErrorCode = larksim.CodeUserResigned })
	noBot := e.sim.MustAddChat(larksim.Chat{Members: []string{ok.OpenID}})
	mute := e.sim.MustAddChat(larksim.Chat{Members: []string{ok.OpenID}, BotMember: true, BotCannotSpeak: true})
	gone := e.sim.MustAddChat(larksim.Chat{Members: []string{ok.OpenID}, BotMember: true, Dissolved: true})
	p2pResigned, _ := e.sim.P2PChatID(resigned)
	big := card2(`{"tag":"markdown","content":"` + strings.Repeat("字", larksim.MaxCardBytes/3) + `"}`)

	tests := []struct {
		name     string
		idType   string
		id       string
		msgType  string
		content  string
		uuid     string
		wantCode int
		wantMsg  string
	}{
		{name: "UnknownOpenID", idType: "open_id", id: "ou_0000", msgType: "text", content: textContent("x"), wantCode: larksim.CodeOpenIDCrossApp},
		{name: "MalformedOpenID", idType: "open_id", id: "oc_123", msgType: "text", content: textContent("x"), wantCode: larksim.CodeOpenIDInvalid},
		{name: "UnknownChat", idType: "chat_id", id: "oc_nope", msgType: "text", content: textContent("x"), wantCode: larksim.CodeIMBadParam, wantMsg: "invalid receive_id"},
		{name: "UnknownEmail", idType: "email", id: "nobody@example.com", msgType: "text", content: textContent("x"), wantCode: larksim.CodeReceiveIDInvalid},
		{name: "BadReceiveIDType", idType: "phone", id: okUser(), msgType: "text", content: textContent("x"), wantCode: larksim.CodeFieldValidation},
		{name: "Resigned", idType: "open_id", id: resigned, msgType: "text", content: textContent("x"), wantCode: larksim.CodeNoAvailability},
		{name: "ResignedViaP2PChat", idType: "chat_id", id: p2pResigned, msgType: "text", content: textContent("x"), wantCode: larksim.CodeNoAvailability},
		{name: "OutOfScope", idType: "open_id", id: outOfScope, msgType: "text", content: textContent("x"), wantCode: larksim.CodeNoAvailability},
		{name: "StoppedBot", idType: "open_id", id: stopped, msgType: "text", content: textContent("x"), wantCode: larksim.CodeUserStoppedBot},
		{name: "Blocked", idType: "open_id", id: blocked, msgType: "text", content: textContent("x"), wantCode: larksim.CodeNoSendPermission},
		{name: "ForcedCode", idType: "open_id", id: code29, msgType: "text", content: textContent("x"), wantCode: larksim.CodeUserResigned},
		{name: "BotNotInChat", idType: "chat_id", id: noBot.ChatID, msgType: "text", content: textContent("x"), wantCode: larksim.CodeBotNotInChat},
		{name: "BotCannotSpeak", idType: "chat_id", id: mute.ChatID, msgType: "text", content: textContent("x"), wantCode: larksim.CodeNoSendPermission},
		{name: "Dissolved", idType: "chat_id", id: gone.ChatID, msgType: "text", content: textContent("x"), wantCode: larksim.CodeChatDissolved},
		{name: "TextNotJSON", idType: "open_id", id: okUser(), msgType: "text", content: "hello", wantCode: larksim.CodeIMBadParam},
		{name: "UUIDTooLong", idType: "open_id", id: okUser(), msgType: "text", content: textContent("x"), uuid: strings.Repeat("u", 51), wantCode: larksim.CodeFieldValidation},
		{name: "TextTooLong", idType: "open_id", id: okUser(), msgType: "text", content: textContent(strings.Repeat("a", larksim.MaxTextBytes)), wantCode: larksim.CodeContentTooLong},
		{name: "CardTooLong", idType: "open_id", id: okUser(), msgType: "interactive", content: big, wantCode: larksim.CodeContentTooLong},
		{name: "CardParse", idType: "open_id", id: okUser(), msgType: "interactive", content: "{", wantCode: larksim.CodeCardCreateFailed, wantMsg: "ErrCode: 200621"},
		{name: "CardV1", idType: "open_id", id: okUser(), msgType: "interactive", content: `{"elements":[]}`, wantCode: larksim.CodeCardCreateFailed, wantMsg: "ErrCode: 11310"},
		{name: "CardUnknownAt", idType: "open_id", id: okUser(), msgType: "interactive",
			content: card2(`{"tag":"markdown","content":"<at id=ou_ghost></at> 请审批"}`), wantCode: larksim.CodeCardCreateFailed, wantMsg: "ErrCode: 100290"},
		{name: "UnsupportedType", idType: "open_id", id: okUser(), msgType: "image", content: `{"image_key":"img_x"}`, wantCode: larksim.CodeIMBadParam},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := e.send(t, tc.idType, tc.id, tc.msgType, tc.content, tc.uuid)
			if resp.Code != tc.wantCode || resp.Success() {
				t.Fatalf("code %d msg %q, want %d", resp.Code, resp.Msg, tc.wantCode)
			}
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("HTTP %d, want 400", resp.StatusCode)
			}
			if !strings.Contains(resp.Msg, tc.wantMsg) {
				t.Errorf("msg %q, want it to contain %q", resp.Msg, tc.wantMsg)
			}
			if resp.Err == nil || resp.Err.LogID == "" {
				t.Errorf("error object missing: %+v", resp.Err)
			}
		})
	}
	t.Cleanup(func() {
		if n := len(e.sim.Messages(larksim.MessageFilter{})); n != 0 {
			t.Errorf("%d messages recorded, want 0", n)
		}
	})
}

func TestUUIDDeduplication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "赵六")
	first := e.send(t, "open_id", u.OpenID, "text", textContent("提醒"), "remind-2025w10-"+u.UserID)
	again := e.send(t, "open_id", u.OpenID, "text", textContent("changed text"), "remind-2025w10-"+u.UserID)
	if !first.Success() || !again.Success() {
		t.Fatalf("codes %d %d", first.Code, again.Code)
	}
	if *again.Data.MessageId != *first.Data.MessageId || *again.Data.Body.Content != textContent("提醒") {
		t.Errorf("duplicate answered %s %q, want the original message", *again.Data.MessageId, *again.Data.Body.Content)
	}
	if n := len(e.sim.MessagesTo(u.OpenID)); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}

	e.clk.Advance(59 * time.Minute)
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("提醒"), "remind-2025w10-"+u.UserID); *r.Data.MessageId != *first.Data.MessageId {
		t.Errorf("within the hour: new message %s", *r.Data.MessageId)
	}
	e.clk.Advance(time.Minute)
	late := e.send(t, "open_id", u.OpenID, "text", textContent("提醒"), "remind-2025w10-"+u.UserID)
	if *late.Data.MessageId == *first.Data.MessageId {
		t.Errorf("after an hour the uuid still de-duplicates")
	}
	if st := e.sim.Stats(); st.Deduplicated != 2 {
		t.Errorf("deduplicated %d, want 2", st.Deduplicated)
	}
}

func TestReply(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "钱七")
	root := e.sendText(t, u.OpenID, "root")
	reply := func(parent string) *larkim.ReplyMessageResp {
		t.Helper()
		resp, err := e.client.Im.Message.Reply(context.Background(), larkim.NewReplyMessageReqBuilder().
			MessageId(parent).Body(larkim.NewReplyMessageReqBodyBuilder().MsgType("text").Content(textContent("re")).Build()).Build())
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	r1 := reply(root)
	if !r1.Success() || *r1.Data.ParentId != root || *r1.Data.RootId != root {
		t.Fatalf("reply: code %d parent %v root %v", r1.Code, r1.Data.ParentId, r1.Data.RootId)
	}
	r2 := reply(*r1.Data.MessageId)
	if *r2.Data.ParentId != *r1.Data.MessageId || *r2.Data.RootId != root {
		t.Errorf("nested reply parent %s root %s", *r2.Data.ParentId, *r2.Data.RootId)
	}
	if r := reply("om_missing"); r.Code != larksim.CodeMessageIDNotExist {
		t.Errorf("reply to unknown message: code %d", r.Code)
	}
}

func patch(t *testing.T, e *env, id, content string) *larkim.PatchMessageResp {
	t.Helper()
	resp, err := e.client.Im.Message.Patch(context.Background(), larkim.NewPatchMessageReqBuilder().
		MessageId(id).Body(larkim.NewPatchMessageReqBodyBuilder().Content(content).Build()).Build())
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestPatch(t *testing.T) {
	t.Parallel()
	updated := card2(`{"tag":"markdown","content":"已提交"}`)
	tests := []struct {
		name     string
		setup    func(t *testing.T, e *env, u larksim.User) string
		content  string
		wantCode int
		wantMsg  string
	}{
		{name: "OK", content: updated, setup: func(t *testing.T, e *env, u larksim.User) string {
			return e.sendCard(t, u.OpenID, formCard)
		}},
		{name: "AtDay14", content: updated, setup: func(t *testing.T, e *env, u larksim.User) string {
			id := e.sendCard(t, u.OpenID, formCard)
			e.clk.Advance(14 * 24 * time.Hour)
			return id
		}},
		{name: "AfterDay14", content: updated, wantCode: larksim.CodePatchTooOld, setup: func(t *testing.T, e *env, u larksim.User) string {
			id := e.sendCard(t, u.OpenID, formCard)
			e.clk.Advance(14*24*time.Hour + time.Second)
			return id
		}},
		{name: "NotACard", content: updated, wantCode: larksim.CodeIMBadParam, wantMsg: "NOT a card", setup: func(t *testing.T, e *env, u larksim.User) string {
			return e.sendText(t, u.OpenID, "plain")
		}},
		{name: "Recalled", content: updated, wantCode: larksim.CodeMessageRecalled, setup: func(t *testing.T, e *env, u larksim.User) string {
			id := e.sendCard(t, u.OpenID, formCard)
			if err := e.sim.Recall(id); err != nil {
				t.Fatal(err)
			}
			return id
		}},
		{name: "Unknown", content: updated, wantCode: larksim.CodeMessageIDNotExist, setup: func(*testing.T, *env, larksim.User) string {
			return "om_unknown"
		}},
		{name: "InvalidNewCard", content: card2(`{"tag":"note"}`), wantCode: larksim.CodeCardCreateFailed, wantMsg: "200861", setup: func(t *testing.T, e *env, u larksim.User) string {
			return e.sendCard(t, u.OpenID, formCard)
		}},
		{name: "NewCardNotShared", content: `{"schema":"2.0","config":{"update_multi":false},"body":{"elements":[]}}`, wantCode: larksim.CodeCardCreateFailed, setup: func(t *testing.T, e *env, u larksim.User) string {
			return e.sendCard(t, u.OpenID, formCard)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			u := e.user(t, "孙八")
			id := tc.setup(t, e, u)
			resp := patch(t, e, id, tc.content)
			if resp.Code != tc.wantCode || !strings.Contains(resp.Msg, tc.wantMsg) {
				t.Fatalf("code %d msg %q, want %d containing %q", resp.Code, resp.Msg, tc.wantCode, tc.wantMsg)
			}
			m, _ := e.sim.Message(id)
			if tc.wantCode != 0 {
				if len(m.Updates) != 0 {
					t.Errorf("failed patch recorded an update")
				}
				return
			}
			if m.Content != tc.content || len(m.Updates) != 1 || m.Updates[0].Source != larksim.UpdatePatch {
				t.Errorf("message after patch: content %q updates %+v", m.Content, m.Updates)
			}
		})
	}
}

// TestPatchSharedCardRule: a 1.0 card without update_multi cannot be patched.
func TestPatchSharedCardRule(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{AllowCardV1: true})
	u := e.user(t, "周九")
	id := e.sendCard(t, u.OpenID, `{"elements":[{"tag":"div","text":{"tag":"plain_text","content":"1.0"}}]}`)
	resp := patch(t, e, id, `{"config":{"update_multi":true},"elements":[]}`)
	if resp.Code != larksim.CodeIMBadParam || !strings.Contains(resp.Msg, "update_multi") {
		t.Errorf("code %d msg %q, want 230001 about update_multi", resp.Code, resp.Msg)
	}
}

func TestPatchRateLimitPerMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "吴十")
	id := e.sendCard(t, u.OpenID, formCard)
	other := e.sendCard(t, u.OpenID, formCard)
	for i := range 5 {
		if r := patch(t, e, id, formCard); !r.Success() {
			t.Fatalf("patch %d: code %d", i, r.Code)
		}
	}
	if r := patch(t, e, id, formCard); r.Code != larksim.CodeChatFrequencyLimit || r.StatusCode != http.StatusBadRequest {
		t.Fatalf("6th patch in a second: code %d HTTP %d, want 230020 / 400", r.Code, r.StatusCode)
	}
	if r := patch(t, e, other, formCard); !r.Success() {
		t.Errorf("another message is limited separately, got code %d", r.Code)
	}
	e.clk.Advance(time.Second)
	if r := patch(t, e, id, formCard); !r.Success() {
		t.Errorf("a second later: code %d", r.Code)
	}
}
