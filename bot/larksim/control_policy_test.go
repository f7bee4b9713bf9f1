package larksim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
)

// TestControlPolicy: every policy a Go test sets on the Server can be set
// over HTTP, reads back from GET /_sim/policy, and makes the Open API
// answer as the Go setting does.
func TestControlPolicy(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	ctx := context.Background()
	u := ce.user(t, "孙一")
	send := func(text string) int {
		t.Helper()
		ce.clk.Advance(time.Second) // five sends a second to one chat
		return ce.send(t, "open_id", u.OpenID, "text", textContent(text), "").Code
	}

	p, err := ce.c.Policy(ctx)
	if err != nil || !p.AllScopes || len(p.Scopes) != 0 || !p.AllMembers || p.ContactRange != nil || p.DLP ||
		p.MonthlyQuota != 0 || p.UrgentQuota != nil {
		t.Fatalf("default policy: %+v %v, want every scope, all members, no audit, no quota", p, err)
	}
	if got := p.APIScopes[larksim.APIMessageCreate]; !slices.Equal(got, larksim.APIScopes(larksim.APIMessageCreate)) {
		t.Errorf("api_scopes of im.message.create: %q", got)
	}

	t.Run("Scopes", func(t *testing.T) {
		p, err := ce.c.SetPolicy(ctx, simclient.Policy{Scopes: &[]string{"contact:contact.base:readonly"}})
		if err != nil || p.AllScopes || !slices.Equal(p.Scopes, []string{"contact:contact.base:readonly"}) {
			t.Fatalf("set scopes: %+v %v", p, err)
		}
		if code := send("x"); code != larksim.CodeScopeMissing {
			t.Errorf("send without an im scope: code %d, want 99991672", code)
		}
		if p, err := ce.c.SetPolicy(ctx, simclient.Policy{Scopes: &[]string{}}); err != nil || p.AllScopes || len(p.Scopes) != 0 {
			t.Errorf("no scope at all: %+v %v", p, err)
		}
		if p, err := ce.c.SetPolicy(ctx, simclient.Policy{AllScopes: true}); err != nil || !p.AllScopes {
			t.Fatalf("every scope again: %+v %v", p, err)
		}
		if code := send("x"); code != 0 {
			t.Errorf("send with every scope: code %d", code)
		}
	})

	t.Run("ContactRange", func(t *testing.T) {
		d := ce.sim.MustAddDepartment(larksim.Department{Name: "办公室", DepartmentID: "D01"})
		children := func() int {
			t.Helper()
			resp, err := ce.client.Contact.Department.Children(ctx, larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId("0").Build())
			if err != nil {
				t.Fatal(err)
			}
			return resp.Code
		}
		p, err := ce.c.SetPolicy(ctx, simclient.Policy{ContactRange: &simclient.ContactRange{Departments: []string{d.OpenDepartmentID}}})
		if err != nil || p.AllMembers || p.ContactRange == nil || !slices.Equal(p.ContactRange.Departments, []string{d.OpenDepartmentID}) {
			t.Fatalf("set the contact range: %+v %v", p, err)
		}
		if code := children(); code != larksim.CodeNoDeptAuthority {
			t.Errorf("root department with a chosen range: code %d, want 40004", code)
		}
		if _, err := ce.c.SetPolicy(ctx, simclient.Policy{AllMembers: true}); err != nil {
			t.Fatal(err)
		}
		if code := children(); code != 0 {
			t.Errorf("root department with all members: code %d", code)
		}
	})

	t.Run("DataLossPrevention", func(t *testing.T) {
		if p, err := ce.c.SetPolicy(ctx, simclient.Policy{DLP: ptr(true)}); err != nil || !p.DLP {
			t.Fatalf("audit on: %+v %v", p, err)
		}
		if code := send("请致电13812345678"); code != larksim.CodeDLPBlocked {
			t.Errorf("a phone number with the audit on: code %d, want 230028", code)
		}
		if _, err := ce.c.SetPolicy(ctx, simclient.Policy{DLP: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if code := send("请致电13812345678"); code != 0 {
			t.Errorf("audit off: code %d", code)
		}
	})

	t.Run("MonthlyQuota", func(t *testing.T) {
		p, err := ce.c.SetPolicy(ctx, simclient.Policy{MonthlyQuota: ptr(1)})
		if err != nil || p.MonthlyQuota != 1 {
			t.Fatalf("set the quota: %+v %v", p, err)
		}
		used := p.QuotaUsed
		if used == 0 {
			if code := send("x"); code != 0 {
				t.Fatalf("within the quota: code %d", code)
			}
		}
		if code := send("x"); code != larksim.CodeQuotaExceeded {
			t.Errorf("past the quota: code %d, want 99991403", code)
		}
		if p, err := ce.c.SetPolicy(ctx, simclient.Policy{MonthlyQuota: ptr(0)}); err != nil || p.QuotaUsed < 1 {
			t.Fatalf("unlimited again: %+v %v, want the month's calls still counted", p, err)
		}
		if code := send("x"); code != 0 {
			t.Errorf("unlimited: code %d", code)
		}
	})

	t.Run("UrgentQuota", func(t *testing.T) {
		id := ce.sendCard(t, u.OpenID, formCard)
		p, err := ce.c.SetPolicy(ctx, simclient.Policy{UrgentQuota: ptr(1)})
		if err != nil || p.UrgentQuota == nil || *p.UrgentQuota != 1 {
			t.Fatalf("set the allowance: %+v %v", p, err)
		}
		if code, _ := ce.urgent(t, id, u.OpenID); code != 0 {
			t.Fatalf("within the allowance: code %d", code)
		}
		if p, _ := ce.c.Policy(ctx); p.UrgentQuota == nil || *p.UrgentQuota != 0 {
			t.Errorf("allowance after one mark: %+v, want 0 left", p.UrgentQuota)
		}
		second := ce.sendCard(t, u.OpenID, formCard)
		if code, _ := ce.urgent(t, second, u.OpenID); code != larksim.CodeUrgentQuota {
			t.Errorf("past the allowance: code %d, want 230024", code)
		}
		if p, err := ce.c.SetPolicy(ctx, simclient.Policy{UrgentQuota: ptr(-1)}); err != nil || p.UrgentQuota != nil {
			t.Fatalf("no allowance: %+v %v", p, err)
		}
		if code, _ := ce.urgent(t, second, u.OpenID); code != 0 {
			t.Errorf("without an allowance: code %d", code)
		}
	})

	checkRefusals(t, ce, []refusal{
		{"ScopesAndAllScopes", "POST", "/_sim/policy", `{"scopes":["im:message"],"all_scopes":true}`, 400, simclient.ReasonBadRequest},
		{"RangeAndAllMembers", "POST", "/_sim/policy", `{"contact_range":{"users":["` + u.OpenID + `"]},"all_members":true}`, 400, simclient.ReasonBadRequest},
		{"NegativeQuota", "POST", "/_sim/policy", `{"monthly_quota":-1}`, 400, simclient.ReasonBadRequest},
		{"UnknownDepartment", "POST", "/_sim/policy", `{"contact_range":{"departments":["od-nope"]}}`, 404, simclient.ReasonNotFound},
		{"UnknownUser", "POST", "/_sim/policy", `{"contact_range":{"users":["ou_nope"]}}`, 404, simclient.ReasonNotFound},
		{"Typo", "POST", "/_sim/policy", `{"scope":["im:message"]}`, 400, simclient.ReasonBadRequest},
		{"WrongMethod", "DELETE", "/_sim/policy", ``, 405, simclient.ReasonNotAllowed},
	})
	// A refused request changed nothing.
	if p, _ := ce.c.Policy(ctx); !p.AllScopes || !p.AllMembers {
		t.Errorf("after the refusals: %+v", p)
	}
}

// TestControlChatSettings: a group's settings that forbid the bot, set
// over HTTP, make sends to it fail as Lark's do, and show in the chat.
func TestControlChatSettings(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	ctx := context.Background()
	u := ce.user(t, "孙一")
	g, err := ce.c.AddChat(ctx, simclient.Chat{Name: "公示群", Members: []string{u.OpenID}, BotMember: true})
	if err != nil {
		t.Fatal(err)
	}
	send := func() int {
		t.Helper()
		ce.clk.Advance(time.Second)
		return ce.send(t, "chat_id", g.ChatID, "text", textContent("公示"), "").Code
	}
	tests := []struct {
		name string
		set  simclient.ChatSettings
		code int
	}{
		{name: "SettingsForbid", set: simclient.ChatSettings{SettingsForbid: ptr(true)}, code: larksim.CodeGroupSettingsForbid},
		{name: "BotCannotSpeak", set: simclient.ChatSettings{SettingsForbid: ptr(false), BotCannotSpeak: ptr(true)}, code: larksim.CodeNoSendPermission},
		{name: "Allowed", set: simclient.ChatSettings{BotCannotSpeak: ptr(false)}},
		{name: "BotTakenOut", set: simclient.ChatSettings{BotMember: ptr(false)}, code: larksim.CodeBotNotInChat},
		{name: "BotBack", set: simclient.ChatSettings{BotMember: ptr(true)}},
		{name: "Dissolved", set: simclient.ChatSettings{Dissolved: ptr(true)}, code: larksim.CodeChatDissolved},
	}
	for _, tc := range tests {
		ch, err := ce.c.SetChat(ctx, g.ChatID, tc.set)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.set.SettingsForbid != nil && ch.SettingsForbid != *tc.set.SettingsForbid ||
			tc.set.BotCannotSpeak != nil && ch.BotCannotSpeak != *tc.set.BotCannotSpeak {
			t.Errorf("%s: answered %+v", tc.name, ch)
		}
		if code := send(); code != tc.code {
			t.Errorf("%s: send code %d, want %d", tc.name, code, tc.code)
		}
	}
	chats, err := ce.c.Chats(ctx, u.OpenID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chats {
		if c.ChatID == g.ChatID && !c.Dissolved {
			t.Errorf("GET /_sim/chats: %+v, want it dissolved", c)
		}
	}
	created, err := ce.c.AddChat(ctx, simclient.Chat{Name: "禁言群", Members: []string{u.OpenID}, BotMember: true, SettingsForbid: true})
	if err != nil || !created.SettingsForbid {
		t.Errorf("a group created with settings_forbid: %+v %v", created, err)
	}
	p2p, _ := ce.sim.P2PChatID(u.OpenID)
	checkRefusals(t, ce, []refusal{
		{"P2P", "PATCH", "/_sim/chats/" + p2p, `{"settings_forbid":true}`, 400, simclient.ReasonBadRequest},
		{"UnknownChat", "PATCH", "/_sim/chats/oc_nope", `{"settings_forbid":true}`, 404, simclient.ReasonNotFound},
		{"Typo", "PATCH", "/_sim/chats/" + g.ChatID, `{"setting_forbid":true}`, 400, simclient.ReasonBadRequest},
		{"WrongMethod", "GET", "/_sim/chats/" + g.ChatID, ``, 405, simclient.ReasonNotAllowed},
		{"Deeper", "PATCH", "/_sim/chats/" + g.ChatID + "/x", `{}`, 404, simclient.ReasonNotFound},
	})
}

// TestControlFaults: faults added over HTTP answer Lark codes and HTTP
// statuses, count their hits, retire, and are removed by id or all at
// once.
func TestControlFaults(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	ctx := context.Background()
	u := ce.user(t, "孙一")
	send := func() (int, int) {
		t.Helper()
		ce.clk.Advance(time.Second)
		r := ce.send(t, "open_id", u.OpenID, "text", textContent("x"), "")
		return r.StatusCode, r.Code
	}
	tests := []struct {
		name       string
		fault      simclient.Fault
		wantStatus int
		wantCode   int
	}{
		{name: "BeingSent", fault: simclient.Fault{Code: larksim.CodeMessageSending}, wantStatus: 400, wantCode: 230049},
		{name: "GroupSettings", fault: simclient.Fault{Code: larksim.CodeGroupSettingsForbid}, wantStatus: 400, wantCode: 230018},
		{name: "DLP", fault: simclient.Fault{Code: larksim.CodeDLPBlocked, Status: 403}, wantStatus: 403, wantCode: 230028},
		{name: "Quota", fault: simclient.Fault{Code: larksim.CodeQuotaExceeded}, wantStatus: 429, wantCode: 99991403},
		{name: "Scope", fault: simclient.Fault{Code: larksim.CodeScopeMissing, Scopes: []string{"im:message"}}, wantStatus: 400, wantCode: 99991672},
		{name: "Status503", fault: simclient.Fault{Status: 503}, wantStatus: 503, wantCode: larksim.CodeInternal},
		{name: "Throttled", fault: simclient.Fault{Status: 429, ResetSeconds: 2}, wantStatus: 429, wantCode: 99991400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fault
			f.API, f.Count = larksim.APIMessageCreate, 1
			v, err := ce.c.AddFault(ctx, f)
			if err != nil || v.ID == 0 || !v.Active || v.Hits != 0 {
				t.Fatalf("add: %+v %v", v, err)
			}
			if status, code := send(); status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("HTTP %d code %d, want %d %d", status, code, tc.wantStatus, tc.wantCode)
			}
			if status, code := send(); status != 200 || code != 0 {
				t.Errorf("after the fault retired: HTTP %d code %d", status, code)
			}
			if v, err := ce.c.Fault(ctx, v.ID); err != nil || v.Hits != 1 || v.Active || v.Code != tc.fault.Code {
				t.Errorf("after one hit: %+v %v, want 1 hit, retired", v, err)
			}
		})
	}

	t.Run("UntilRemoved", func(t *testing.T) {
		v, err := ce.c.AddFault(ctx, simclient.Fault{API: larksim.APIMessageCreate, Status: 500})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if status, _ := send(); status != 500 {
				t.Errorf("while the fault stands: HTTP %d", status)
			}
		}
		if v, err := ce.c.RemoveFault(ctx, v.ID); err != nil || v.Active || v.Hits != 2 {
			t.Errorf("removed: %+v %v", v, err)
		}
		if status, _ := send(); status != 200 {
			t.Errorf("after removal: HTTP %d", status)
		}
	})

	t.Run("ClearIncludesGo", func(t *testing.T) {
		ce.sim.FailNext(larksim.APIMessageCreate, 5, 502)
		v, err := ce.c.AddFault(ctx, simclient.Fault{API: larksim.APIMessageCreate, Code: larksim.CodeMessageSending})
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := send(); status != 502 {
			t.Errorf("the Go fault, added first: HTTP %d", status)
		}
		if err := ce.c.ClearFaults(ctx); err != nil {
			t.Fatal(err)
		}
		if status, _ := send(); status != 200 {
			t.Errorf("after clearing: HTTP %d", status)
		}
		if v, _ := ce.c.Fault(ctx, v.ID); v.Active {
			t.Errorf("cleared fault still active: %+v", v)
		}
	})

	faults, err := ce.c.Faults(ctx)
	if err != nil || len(faults) != len(tests)+2 {
		t.Fatalf("faults: %d %v, want every fault added, in order", len(faults), err)
	}
	for i, f := range faults {
		if f.ID != int64(i+1) || f.Active {
			t.Errorf("fault %d: %+v", i, f)
		}
	}

	checkRefusals(t, ce, []refusal{
		{"UnknownAPI", "POST", "/_sim/faults", `{"api":"im.message.send","status":500}`, 400, simclient.ReasonBadRequest},
		{"BodyWithoutStatus", "POST", "/_sim/faults", `{"body":"<html>"}`, 400, simclient.ReasonBadRequest},
		{"ScopesWithoutCode", "POST", "/_sim/faults", `{"code":230049,"scopes":["im:message"]}`, 400, simclient.ReasonBadRequest},
		{"BadStall", "POST", "/_sim/faults", `{"stall":"soon"}`, 400, simclient.ReasonBadRequest},
		{"Percent", "POST", "/_sim/faults", `{"percent":150,"status":500}`, 400, simclient.ReasonBadRequest},
		{"NotAStatus", "POST", "/_sim/faults", `{"status":1000}`, 400, simclient.ReasonBadRequest},
		{"Typo", "POST", "/_sim/faults", `{"stauts":500}`, 400, simclient.ReasonBadRequest},
		{"UnknownID", "DELETE", "/_sim/faults/99", ``, 404, simclient.ReasonNotFound},
		{"NotAnID", "GET", "/_sim/faults/abc", ``, 404, simclient.ReasonNotFound},
		{"WrongMethod", "POST", "/_sim/faults/1", `{}`, 405, simclient.ReasonNotAllowed},
	})
}

// TestControlFaultHeldAndDetached: a held, detached send outlives its
// client, so a retry with its uuid gets 230049 until the fault is
// deleted; then the first attempt goes through and the retry gets its
// message — the uuid story of TestUUIDInFlight, over HTTP.
func TestControlFaultHeldAndDetached(t *testing.T) {
	t.Parallel()
	ce := newCtlEnv(t, larksim.Options{})
	ctx := context.Background()
	u := ce.user(t, "孙一")
	v, err := ce.c.AddFault(ctx, simclient.Fault{API: larksim.APIMessageCreate, Count: 1, Hold: true, Detached: true})
	if err != nil {
		t.Fatal(err)
	}
	quick := newClient(ce.env, 200*time.Millisecond)
	if _, err := quick.Im.Message.Create(ctx, createReq(u.OpenID, "uuid-1")); err == nil {
		t.Fatal("the held first attempt did not time out")
	}
	if v, _ := ce.c.Fault(ctx, v.ID); v.Hits != 1 || !v.Detached {
		t.Fatalf("the held fault: %+v", v)
	}
	r := ce.send(t, "open_id", u.OpenID, "text", textContent("周记实提醒"), "uuid-1")
	if r.StatusCode != http.StatusBadRequest || r.Code != larksim.CodeMessageSending {
		t.Fatalf("retry while held: HTTP %d code %d, want 400 230049", r.StatusCode, r.Code)
	}
	if _, err := ce.c.RemoveFault(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	// Deleting the fault lets the held request go on, to nobody.
	deadline := time.Now().Add(5 * time.Second)
	for len(ce.sim.MessagesTo(u.OpenID)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the released request never sent its message")
		}
		time.Sleep(time.Millisecond)
	}
	first := ce.sim.MessagesTo(u.OpenID)[0]
	r = ce.send(t, "open_id", u.OpenID, "text", textContent("周记实提醒"), "uuid-1")
	if !r.Success() || *r.Data.MessageId != first.MessageID {
		t.Errorf("retry after release: code %d, want the first attempt's message", r.Code)
	}
}

// TestControlRepushHeaders: repush_reuses_headers, set over HTTP, makes a
// re-push the first request byte for byte; off, a re-push is signed
// afresh.
func TestControlRepushHeaders(t *testing.T) {
	t.Parallel()
	for _, reuse := range []bool{false, true} {
		t.Run("reuse="+strconv.FormatBool(reuse), func(t *testing.T) {
			t.Parallel()
			ce := newCtlEnv(t, larksim.Options{})
			ctx := context.Background()
			var mu sync.Mutex
			var seen []http.Header
			app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen = append(seen, r.Header.Clone())
				mu.Unlock()
				w.WriteHeader(http.StatusInternalServerError) // never acknowledged
			}))
			t.Cleanup(app.Close)
			cv, err := ce.c.Configure(ctx, simclient.Config{EventURL: ptr(app.URL), VerificationToken: ptr(verificationToken),
				EncryptKey: ptr(encryptKey), RepushReusesHeaders: ptr(reuse)})
			if err != nil || cv.RepushReusesHeaders != reuse || ce.sim.WebhookConfig().RepushReusesHeaders != reuse {
				t.Fatalf("configure: %+v %v", cv, err)
			}
			u := ce.user(t, "孙一")
			res, err := ce.c.Text(ctx, simclient.Text{User: u.OpenID, Text: "帮助"})
			if err != nil {
				t.Fatal(err)
			}
			ce.clk.Advance(time.Minute) // a fresh signature would carry a new timestamp
			if _, err := ce.c.Repush(ctx, res.EventID); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 2 {
				t.Fatalf("%d pushes, want 2", len(seen))
			}
			for _, h := range []string{larksim.HeaderTimestamp, larksim.HeaderNonce, larksim.HeaderSignature} {
				if same := seen[0].Get(h) == seen[1].Get(h); same != reuse {
					t.Errorf("%s: first %q, re-push %q; want the same: %v", h, seen[0].Get(h), seen[1].Get(h), reuse)
				}
			}
		})
	}
}
