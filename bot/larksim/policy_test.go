package larksim_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
)

// TestFaultCode: a fault answers any Lark code, with the HTTP status the
// IM APIs use unless given one.
func TestFaultCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fault      larksim.Fault
		wantStatus int
		wantCode   int
	}{
		{name: "BeingSent", fault: larksim.Fault{Code: larksim.CodeMessageSending}, wantStatus: 400, wantCode: 230049},
		{name: "Quota", fault: larksim.Fault{Code: larksim.CodeQuotaExceeded}, wantStatus: 429, wantCode: 99991403},
		{name: "ExplicitStatus", fault: larksim.Fault{Code: larksim.CodeDLPBlocked, Status: 403}, wantStatus: 403, wantCode: 230028},
		{name: "Scope", fault: larksim.Fault{Code: larksim.CodeScopeMissing, Scopes: []string{"im:message"}}, wantStatus: 400, wantCode: 99991672},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			u := e.user(t, "x")
			f := tc.fault
			f.API, f.Count = larksim.APIMessageCreate, 1
			e.sim.AddFault(f)
			r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), "")
			if r.StatusCode != tc.wantStatus || r.Code != tc.wantCode {
				t.Errorf("HTTP %d code %d, want %d %d", r.StatusCode, r.Code, tc.wantStatus, tc.wantCode)
			}
			if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
				t.Errorf("after the fault: code %d", r.Code)
			}
		})
	}
}

// TestUUIDInFlight: a send retried with its uuid while the first attempt is
// still inside Lark (its client gave up) gets 230049; once the first has
// finished the retry gets the message it sent, and one message exists.
// [D1 230049]
func TestUUIDInFlight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	release := make(chan struct{})
	held := e.sim.AddFault(larksim.Fault{API: larksim.APIMessageCreate, Count: 1, Release: release, Detached: true})
	quick := newClient(e, 200*time.Millisecond)
	done := make(chan error, 1)
	go func() {
		_, err := quick.Im.Message.Create(context.Background(), createReq(u.OpenID, "uuid-1"))
		done <- err // the client gives up; Lark carries on
	}()
	<-held.Stalled()
	if err := <-done; err == nil {
		t.Fatal("the first attempt did not time out")
	}
	r := e.send(t, "open_id", u.OpenID, "text", textContent("周记实提醒"), "uuid-1")
	if r.StatusCode != http.StatusBadRequest || r.Code != larksim.CodeMessageSending {
		t.Fatalf("retry while the first is in flight: HTTP %d code %d, want 400 230049", r.StatusCode, r.Code)
	}
	if other := e.send(t, "open_id", u.OpenID, "text", textContent("另一条"), "uuid-2"); !other.Success() {
		t.Errorf("another uuid meanwhile: code %d", other.Code)
	}
	close(release)
	<-held.Finished()
	ms := e.sim.MessagesTo(u.OpenID)
	if len(ms) != 2 || ms[1].UUID != "uuid-1" {
		t.Fatalf("after the detached first attempt: %d messages, want uuid-2's and then uuid-1's", len(ms))
	}
	first := ms[1]
	r = e.send(t, "open_id", u.OpenID, "text", textContent("周记实提醒"), "uuid-1")
	if !r.Success() || *r.Data.MessageId != first.MessageID {
		t.Errorf("retry after the first finished: code %d, want the first attempt's message %s", r.Code, first.MessageID)
	}
	if n := len(e.sim.MessagesTo(u.OpenID)); n != 2 {
		t.Errorf("%d messages, want 2 (uuid-1 once, uuid-2)", n)
	}
	if st := e.sim.Stats(); st.UUIDInFlight != 1 {
		t.Errorf("Stats.UUIDInFlight = %d, want 1", st.UUIDInFlight)
	}
}

// TestDataLossPrevention: with the audit on, a plain phone number or
// e-mail address in visible text is refused with 230028; ids, values and
// mentions are not text. [D1][D4 230028]
func TestDataLossPrevention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		msgType string
		content string
		blocked bool
	}{
		{name: "TextPhone", msgType: "text", content: textContent("请致电13812345678"), blocked: true},
		{name: "TextEmail", msgType: "text", content: textContent("发到 zhang.san@example.gov.cn"), blocked: true},
		{name: "TextLongNumber", msgType: "text", content: textContent("文号 2026138123456789")},
		{name: "TextLandline", msgType: "text", content: textContent("电话 010-12345678")},
		{name: "TextPlain", msgType: "text", content: textContent("请于本周五前提交")},
		{name: "CardPhone", msgType: "interactive", content: card2(`{"tag":"markdown","content":"联系人 王老师 13912345678"}`), blocked: true},
		{name: "CardPhoneInValue", msgType: "interactive", content: card2(
			`{"tag":"button","text":{"tag":"plain_text","content":"同意"},"behaviors":[{"type":"callback","value":{"k":"x","id":"13912345678"}}]}`)},
		{name: "CardEmailInMention", msgType: "interactive", content: card2(`{"tag":"markdown","content":"<at email=li@example.gov.cn></at> 请审核"}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			if _, err := e.sim.AddUser(larksim.User{Name: "li", Email: "li@example.gov.cn"}); err != nil {
				t.Fatal(err)
			}
			u := e.user(t, "x")
			if r := e.send(t, "open_id", u.OpenID, tc.msgType, tc.content, ""); !r.Success() {
				t.Fatalf("audit off: code %d msg %q", r.Code, r.Msg)
			}
			e.sim.SetDataLossPrevention(true)
			r := e.send(t, "open_id", u.OpenID, tc.msgType, tc.content, "")
			if tc.blocked != (r.Code == larksim.CodeDLPBlocked) || !tc.blocked && !r.Success() {
				t.Errorf("audit on: HTTP %d code %d, want blocked %v", r.StatusCode, r.Code, tc.blocked)
			}
		})
	}
}

// TestGroupSettingsForbid: a group whose settings forbid the bot's message
// answers 230018, next to 230035 for a bot without speak permission.
// [D1][D21]
func TestGroupSettingsForbid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	tests := []struct {
		chat larksim.Chat
		code int
	}{
		{chat: larksim.Chat{Name: "公示群", BotMember: true, SettingsForbid: true}, code: larksim.CodeGroupSettingsForbid},
		{chat: larksim.Chat{Name: "禁言群", BotMember: true, BotCannotSpeak: true}, code: larksim.CodeNoSendPermission},
	}
	for _, tc := range tests {
		c := e.sim.MustAddChat(tc.chat)
		r := e.send(t, "chat_id", c.ChatID, "text", textContent("公示"), "")
		if r.StatusCode != http.StatusBadRequest || r.Code != tc.code {
			t.Errorf("%s: HTTP %d code %d, want 400 %d", tc.chat.Name, r.StatusCode, r.Code, tc.code)
		}
	}
}

// TestScopes: an app without any of an API's scopes gets 99991672 naming
// them, in msg and in error.permission_violations as the SDK reads them;
// one of them is enough. [D1][D3b][D17]
func TestScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "x")
	e.sim.SetScopes([]string{"contact:contact.base:readonly"})
	r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), "")
	if r.StatusCode != http.StatusBadRequest || r.Code != larksim.CodeScopeMissing {
		t.Fatalf("send without im scopes: HTTP %d code %d, want 400 99991672", r.StatusCode, r.Code)
	}
	if !strings.Contains(r.Msg, "im:message:send_as_bot") {
		t.Errorf("msg %q does not name im:message:send_as_bot", r.Msg)
	}
	var subjects []string
	if r.Err != nil {
		for _, v := range r.Err.PermissionViolations {
			subjects = append(subjects, v.Subject)
		}
	}
	if !slices.Equal(subjects, larksim.APIScopes(larksim.APIMessageCreate)) {
		t.Errorf("permission_violations %q, want %q", subjects, larksim.APIScopes(larksim.APIMessageCreate))
	}
	// The contact scope it has is enough for the contact API.
	resp, err := e.client.Contact.V3.Department.Children(context.Background(),
		larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId("0").Build())
	if err != nil || resp.Code == larksim.CodeScopeMissing {
		t.Errorf("contact API with contact:contact.base:readonly: %v code %d", err, resp.Code)
	}
	e.sim.SetScopes([]string{"im:message:send_as_bot"})
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
		t.Errorf("send with im:message:send_as_bot: code %d", r.Code)
	}
	e.sim.SetScopes(nil)
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
		t.Errorf("send with every scope: code %d", r.Code)
	}
}

// TestMonthlyQuota: on the free plan successful IM calls count, failed
// ones and contact calls do not; past the quota IM answers 429 99991403
// until the month changes. [D3]
func TestMonthlyQuota(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{Clock: nil})
	u := e.user(t, "x")
	e.sim.SetMonthlyQuota(3)
	e.sim.FailNext(larksim.APIMessageCreate, 1, http.StatusInternalServerError)
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); r.Success() {
		t.Fatal("the injected failure succeeded")
	}
	for i := range 3 {
		if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
			t.Fatalf("send %d within the quota: code %d", i, r.Code)
		}
	}
	if _, err := e.client.Contact.V3.Department.Children(context.Background(),
		larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId("0").Build()); err != nil {
		t.Fatal(err)
	}
	if got := e.sim.QuotaUsed(); got != 3 {
		t.Errorf("QuotaUsed = %d, want 3 (failed and contact calls are free)", got)
	}
	r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), "")
	if r.StatusCode != http.StatusTooManyRequests || r.Code != larksim.CodeQuotaExceeded {
		t.Fatalf("over the quota: HTTP %d code %d, want 429 99991403", r.StatusCode, r.Code)
	}
	resp, err := e.client.Contact.V3.Department.Children(context.Background(),
		larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId("0").Build())
	if err != nil || resp.Code == larksim.CodeQuotaExceeded {
		t.Errorf("contact API over the quota: %v code %d, want it still answering", err, resp.Code)
	}
	// 2025-03-03 09:00 UTC; April starts at 16:00 UTC on 31 March in Beijing.
	e.clk.Advance(28*24*time.Hour + 7*time.Hour)
	if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), ""); !r.Success() {
		t.Errorf("in the next month: code %d", r.Code)
	}
}

// createReq is a text send to openID with uuid.
func createReq(openID, uuid string) *larkim.CreateMessageReq {
	return larkim.NewCreateMessageReqBuilder().ReceiveIdType("open_id").Body(
		larkim.NewCreateMessageReqBodyBuilder().ReceiveId(openID).MsgType("text").
			Content(textContent("周记实提醒")).Uuid(uuid).Build()).Build()
}
