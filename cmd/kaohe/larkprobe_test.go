package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
)

// TestLarkProbe: a successful probe stands for 30 s and a failed one for
// 5 s; then Lark is asked again, so a replica is ready again soon after
// Lark is back and Lark is not asked on every poll.
func TestLarkProbe(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 10, 13, 9, 0, 0, 0, time.UTC))
	calls, fail := 0, false
	p := &larkProbe{clock: clk, fetch: func(context.Context) error {
		calls++
		if fail {
			return errors.New("tenant token: dial: connect: connection refused")
		}
		return nil
	}}
	steps := []struct {
		name    string
		advance time.Duration
		fail    bool
		wantErr bool
		calls   int
	}{
		{"first poll asks", 0, false, false, 1},
		{"within 30 s the answer stands", 29 * time.Second, true, false, 1},
		{"after 30 s Lark is asked again", time.Second, true, true, 2},
		{"a failure stands 5 s", 4 * time.Second, false, true, 2},
		{"after 5 s the recovery shows", time.Second, false, false, 3},
	}
	for _, st := range steps {
		clk.Advance(st.advance)
		fail = st.fail
		err := p.check(context.Background())
		if (err != nil) != st.wantErr || calls != st.calls {
			t.Errorf("%s: err %v, %d calls; want error %v after %d calls", st.name, err, calls, st.wantErr, st.calls)
		}
	}
}

// TestReadyzWebhookLark: in webhook mode /readyz asks Lark for a tenant
// token and is 503, saying why, when Lark refuses the app's secret or
// cannot be reached; /healthz stays 200 (the process is alive, and
// restarting it would not bring Lark back).
func TestReadyzWebhookLark(t *testing.T) {
	t.Parallel()
	const appID = "cli_readyz_webhook"
	e := newSimEnv(t, appID)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name, baseURL, secret, want string
	}{
		{"LarkAnswers", e.url, "secret", "lark: ok"},
		{"SecretRefused", e.url, "rotated-secret", "lark: down: tenant token: code 10014"},
		{"Unreachable", closedURL, "secret", "lark: down: tenant token: cannot connect: connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig(e, appID, "")
			delete(cfg, "org")
			cfg["base_url"], cfg["app_secret"] = tc.baseURL, tc.secret
			cfg["callback"], cfg["verification_token"], cfg["encrypt_key"] = "webhook", testToken, testKey
			addr, stop, logs := startServe(t, cfg)
			defer func() { _ = stop() }()
			resp, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantStatus := http.StatusServiceUnavailable
			if tc.name == "LarkAnswers" {
				wantStatus = http.StatusOK
			}
			if resp.StatusCode != wantStatus || !strings.Contains(string(body), tc.want) {
				t.Errorf("/readyz = %d\n%s\nwant %d with %q\nlogs:\n%s", resp.StatusCode, body, wantStatus, tc.want, logs.String())
			}
			if strings.Contains(string(body), tc.secret) {
				t.Errorf("/readyz shows the app secret:\n%s", body)
			}
			if got := getStatus(t, "http://"+addr+"/healthz"); got != http.StatusOK {
				t.Errorf("/healthz = %d, want 200", got)
			}
		})
	}
}
