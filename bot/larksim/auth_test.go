package larksim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"

	"github.com/kaohe/kaohe/bot/larksim"
)

type tokenAnswer struct {
	Code   int    `json:"code"`
	Msg    string `json:"msg"`
	Token  string `json:"tenant_access_token"`
	Expire int    `json:"expire"`
}

func fetchToken(t *testing.T, e *env, appID, secret string) (tokenAnswer, int) {
	t.Helper()
	resp, err := e.client.Post(context.Background(), larkcore.TenantAccessTokenInternalUrlPath,
		map[string]string{"app_id": appID, "app_secret": secret}, larkcore.AccessTokenTypeNone)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	var a tokenAnswer
	if err := json.Unmarshal(resp.RawBody, &a); err != nil {
		t.Fatalf("token answer %s: %v", resp.RawBody, err)
	}
	return a, resp.StatusCode
}

func TestTenantToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		wrongApp   bool
		wrongKey   bool
		wantCode   int
		wantStatus int
	}{
		{name: "OK", wantCode: 0, wantStatus: http.StatusOK},
		{name: "UnknownApp", wrongApp: true, wantCode: larksim.CodeAuthInvalidParam, wantStatus: http.StatusBadRequest},
		{name: "WrongSecret", wrongKey: true, wantCode: larksim.CodeAppSecretInvalid, wantStatus: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			app, secret := e.sim.AppID(), e.sim.AppSecret()
			if tc.wrongApp {
				app = "cli_other"
			}
			if tc.wrongKey {
				secret = "nope"
			}
			a, status := fetchToken(t, e, app, secret)
			if a.Code != tc.wantCode || status != tc.wantStatus {
				t.Fatalf("code %d status %d, want %d %d", a.Code, status, tc.wantCode, tc.wantStatus)
			}
			if tc.wantCode != 0 {
				return
			}
			if !strings.HasPrefix(a.Token, "t-") || a.Expire != 7200 || a.Msg != "ok" {
				t.Errorf("answer %+v, want t- token, expire 7200, msg ok", a)
			}
		})
	}
}

// TestTenantTokenReuse checks the documented reuse rule: the same token
// while ≥ 30 min remain, then a new one, with the old one still valid.
func TestTenantTokenReuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	first, _ := fetchToken(t, e, e.sim.AppID(), e.sim.AppSecret())

	e.clk.Advance(80 * time.Minute) // 40 min left
	again, _ := fetchToken(t, e, e.sim.AppID(), e.sim.AppSecret())
	if again.Token != first.Token || again.Expire != 40*60 {
		t.Errorf("after 80 min: token %q expire %d, want the same token with 2400 s left", again.Token, again.Expire)
	}

	e.clk.Advance(15 * time.Minute) // 25 min left
	fresh, _ := fetchToken(t, e, e.sim.AppID(), e.sim.AppSecret())
	if fresh.Token == first.Token || fresh.Expire != 7200 {
		t.Errorf("after 95 min: token %q expire %d, want a new token with 7200 s", fresh.Token, fresh.Expire)
	}
	for _, tok := range []string{first.Token, fresh.Token} {
		if got := rawStatusCode(t, e, "Bearer "+tok); got != 0 {
			t.Errorf("token %s: chat list code %d, want 0 (both tokens valid)", tok, got)
		}
	}
}

// rawStatusCode calls the chat list with an explicit token.
func rawStatusCode(t *testing.T, e *env, tok string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+"/open-apis/im/v1/chats", nil)
	if tok != "" {
		req.Header.Set("Authorization", tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET chats: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Code int `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return body.Code
}

func TestBearerTokenErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{name: "Missing", header: "", want: larksim.CodeNeedToken},
		{name: "NotBearer", header: "t-abc", want: larksim.CodeNeedToken},
		{name: "BadPrefix", header: "Bearer x-abc", want: larksim.CodeTokenBadFormat},
		{name: "Unknown", header: "Bearer t-unknown", want: larksim.CodeTenantTokenInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := rawStatusCode(t, e, tc.header); got != tc.want {
				t.Errorf("code %d, want %d", got, tc.want)
			}
		})
	}
}

// TestExpiredTokenWithWallClockCache shows what happens when the SDK's token
// cache does not age with the simulator: the token expires on the server,
// the SDK retries once with the same cached token and gives up with
// 99991663.
func TestExpiredTokenWithWallClockCache(t *testing.T) {
	t.Parallel()
	e := newEnvTokens(t, larksim.Options{}, true)
	u := e.user(t, "张三")
	e.sendText(t, u.OpenID, "hello")

	e.clk.Advance(2*time.Hour + time.Second)
	resp := e.send(t, "open_id", u.OpenID, "text", textContent("again"), "")
	if resp.Code != larksim.CodeTenantTokenInvalid {
		t.Fatalf("code %d, want %d", resp.Code, larksim.CodeTenantTokenInvalid)
	}
	st := e.sim.Stats()
	if st.TokenRejected != 2 || st.TokensIssued != 1 {
		t.Errorf("rejected %d issued %d, want 2 rejections (the SDK's one retry) and 1 token", st.TokenRejected, st.TokensIssued)
	}
}

// TestTokenRefreshAfterTwoHours: with the SDK's cache on the same clock, the
// SDK fetches a new token after two hours and the send succeeds.
func TestTokenRefreshAfterTwoHours(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "李四")
	e.sendText(t, u.OpenID, "before")

	e.clk.Advance(2*time.Hour + time.Second)
	e.sendText(t, u.OpenID, "after")

	st := e.sim.Stats()
	if st.TokensIssued != 2 || st.TokenRejected != 0 || st.Requests[larksim.APITenantToken] != 2 {
		t.Errorf("issued %d rejected %d token requests %d, want 2, 0, 2",
			st.TokensIssued, st.TokenRejected, st.Requests[larksim.APITenantToken])
	}
}

func TestUnknownPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	resp, err := e.client.Get(context.Background(), "/open-apis/im/v1/nothing", nil, larkcore.AccessTokenTypeTenant)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Code int `json:"code"`
	}
	if err := json.Unmarshal(resp.RawBody, &body); err != nil || resp.StatusCode != http.StatusNotFound || body.Code != larksim.CodeResourceNotFound {
		t.Errorf("HTTP %d body %s, want 404 / 99991201", resp.StatusCode, resp.RawBody)
	}
}
