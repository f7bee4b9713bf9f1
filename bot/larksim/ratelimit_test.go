package larksim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
)

// TestAppRateLimitPerSecond: 50 sends in one second pass, the 51st gets
// HTTP 429 with code 99991400 and the x-ogw-ratelimit headers.
func TestAppRateLimitPerSecond(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	users := make([]larksim.User, 60)
	for i := range users {
		users[i] = e.user(t, "staff")
	}
	for i := range 50 {
		e.clk.Advance(10 * time.Millisecond) // 50 sends within 0.5 s
		if r := e.send(t, "open_id", users[i].OpenID, "text", textContent("提醒"), ""); !r.Success() {
			t.Fatalf("send %d: code %d", i, r.Code)
		}
	}
	r := e.send(t, "open_id", users[50].OpenID, "text", textContent("提醒"), "")
	if r.StatusCode != http.StatusTooManyRequests || r.Code != larksim.CodeFrequencyLimit || r.Msg != "request trigger frequency limit" {
		t.Fatalf("51st send: HTTP %d code %d msg %q, want 429 / 99991400", r.StatusCode, r.Code, r.Msg)
	}
	if got := r.Header.Get("x-ogw-ratelimit-limit"); got != "50" {
		t.Errorf("x-ogw-ratelimit-limit %q, want 50", got)
	}
	if got := r.Header.Get("x-ogw-ratelimit-reset"); got != "1" {
		t.Errorf("x-ogw-ratelimit-reset %q, want 1", got)
	}
	// Other APIs have their own budget. [D2: per API, per app]
	if code := rawStatusCode(t, e, "Bearer "+currentToken(t, e)); code != 0 {
		t.Errorf("chat list while sends are throttled: code %d", code)
	}
	// The window slides: 0.51 s after the first send it has room again.
	e.clk.Advance(510 * time.Millisecond)
	if r := e.send(t, "open_id", users[51].OpenID, "text", textContent("提醒"), ""); !r.Success() {
		t.Errorf("after the window: code %d", r.Code)
	}
	if st := e.sim.Stats(); st.RateLimited != 1 {
		t.Errorf("RateLimited %d, want 1", st.RateLimited)
	}
}

func currentToken(t *testing.T, e *env) string {
	t.Helper()
	a, _ := fetchToken(t, e, e.sim.AppID(), e.sim.AppSecret())
	return a.Token
}

// TestAppRateLimitPerMinute: 20 sends a second stay under 50/s but reach
// 1000 in 50 s; the next one trips the minute limit.
func TestAppRateLimitPerMinute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	users := make([]larksim.User, 20)
	for i := range users {
		users[i] = e.user(t, "staff")
	}
	for s := range 50 {
		for i := range 20 {
			if r := e.send(t, "open_id", users[i].OpenID, "text", textContent("提醒"), ""); !r.Success() {
				t.Fatalf("second %d send %d: code %d", s, i, r.Code)
			}
		}
		e.clk.Advance(time.Second)
	}
	r := e.send(t, "open_id", users[0].OpenID, "text", textContent("提醒"), "")
	if r.StatusCode != http.StatusTooManyRequests || r.Code != larksim.CodeFrequencyLimit {
		t.Fatalf("1001st send in a minute: HTTP %d code %d", r.StatusCode, r.Code)
	}
	if got := r.Header.Get("x-ogw-ratelimit-limit"); got != "1000" {
		t.Errorf("x-ogw-ratelimit-limit %q, want 1000", got)
	}
	// The first 20 sends (at t0) leave the window at t0+60s, 10 s from now.
	if got := r.Header.Get("x-ogw-ratelimit-reset"); got != "10" {
		t.Errorf("x-ogw-ratelimit-reset %q, want 10", got)
	}
	e.clk.Advance(10 * time.Second)
	if r := e.send(t, "open_id", users[0].OpenID, "text", textContent("提醒"), ""); !r.Success() {
		t.Errorf("after reset: code %d", r.Code)
	}
}

// TestChatRateLimit: 5 sends per second to one receiver; the 6th gets
// 230020 with HTTP 400; other receivers are unaffected.
func TestChatRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		idType string
	}{
		{name: "User", idType: "open_id"},
		{name: "Group", idType: "chat_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, larksim.Options{})
			a, b := e.user(t, "甲"), e.user(t, "乙")
			target := a.OpenID
			if tc.idType == "chat_id" {
				target = e.sim.MustAddChat(larksim.Chat{Members: []string{a.OpenID, b.OpenID}, BotMember: true}).ChatID
			}
			for i := range 5 {
				if r := e.send(t, tc.idType, target, "text", textContent("x"), ""); !r.Success() {
					t.Fatalf("send %d: code %d", i, r.Code)
				}
			}
			r := e.send(t, tc.idType, target, "text", textContent("x"), "")
			if r.Code != larksim.CodeChatFrequencyLimit || r.StatusCode != http.StatusBadRequest {
				t.Fatalf("6th send: code %d HTTP %d, want 230020 / 400", r.Code, r.StatusCode)
			}
			if r := e.send(t, "open_id", b.OpenID, "text", textContent("x"), ""); !r.Success() {
				t.Errorf("other receiver: code %d", r.Code)
			}
			e.clk.Advance(time.Second)
			if r := e.send(t, tc.idType, target, "text", textContent("x"), ""); !r.Success() {
				t.Errorf("next second: code %d", r.Code)
			}
			if st := e.sim.Stats(); st.ChatRateLimited != 1 || st.RateLimited != 0 {
				t.Errorf("ChatRateLimited %d RateLimited %d, want 1 and 0", st.ChatRateLimited, st.RateLimited)
			}
		})
	}
}

// TestDuplicateDoesNotCountAgainstChat: a uuid duplicate sends nothing, so
// it does not use the receiver's budget.
func TestDuplicateDoesNotCountAgainstChat(t *testing.T) {
	t.Parallel()
	e := newEnv(t, larksim.Options{})
	u := e.user(t, "丙")
	for i := range 10 {
		if r := e.send(t, "open_id", u.OpenID, "text", textContent("x"), "same-uuid"); !r.Success() {
			t.Fatalf("send %d: code %d", i, r.Code)
		}
	}
	if n := len(e.sim.MessagesTo(u.OpenID)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}
