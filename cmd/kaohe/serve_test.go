package main

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

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow/calendar"
)

const (
	testToken = "vt-serve-test"
	testKey   = "ek-serve-test"
)

// addrWriter is serve's stdout: it hands over the address of the
// "listening on" line.
type addrWriter struct {
	once sync.Once
	addr chan string
}

func (w *addrWriter) Write(p []byte) (int, error) {
	if s, ok := strings.CutPrefix(strings.TrimSpace(string(p)), strings.TrimSpace(listeningPrefix)); ok {
		w.once.Do(func() { w.addr <- strings.TrimSpace(s) })
	}
	return len(p), nil
}

// simEnv is larksim behind an httptest server, with a doorbell that rings
// after every message the bot sends.
type simEnv struct {
	sim  *larksim.Server
	url  string
	sent chan struct{}
}

func newSimEnv(t *testing.T, appID string) *simEnv {
	t.Helper()
	return newSimEnvAt(t, appID, nil)
}

// newSimEnvAt is newSimEnv on clk (nil: the system clock), for a serve
// whose clock_file holds the same time: the webhook guard compares the
// simulator's timestamps with serve's clock.
func newSimEnvAt(t *testing.T, appID string, clk clock.Clock) *simEnv {
	t.Helper()
	e := &simEnv{sim: larksim.New(larksim.Options{AppID: appID, AppSecret: "secret", CallbackTimeout: 10 * time.Second, Clock: clk}), sent: make(chan struct{}, 16)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.sim.ServeHTTP(w, r)
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/open-apis/im/v1/messages") {
			select {
			case e.sent <- struct{}{}:
			default:
			}
		}
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	for _, u := range []larksim.User{{OpenID: "ou_hr", Name: "政工科李"}, {OpenID: "ou_l1", Name: "科长钱"}, {OpenID: "ou_e1", Name: "孙一"}} {
		e.sim.MustAddUser(u)
	}
	return e
}

// waitCard waits for a message to to whose content contains want.
func (e *simEnv) waitCard(t *testing.T, to, want string) larksim.Message {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		msgs := e.sim.MessagesTo(to)
		for i := len(msgs) - 1; i >= 0; i-- {
			if strings.Contains(msgs[i].Content, want) {
				return msgs[i]
			}
		}
		select {
		case <-e.sent:
		case <-timeout:
			t.Fatalf("no message to %s containing %q (%d messages)", to, want, len(msgs))
		}
	}
}

// testOrg writes a bootstrap file: HR, a unit with its leader, one
// assessed employee, and the current quarter open.
func testOrg(t *testing.T) string {
	t.Helper()
	q := calendar.PeriodContaining(calendar.Quarter, calendar.Default().Date(time.Now())).String()
	org := map[string]any{
		"hr":       "ou_hr",
		"settings": map[string]any{"name": "测试局", "head": "ou_hr"},
		"units":    []map[string]any{{"id": "u1", "name": "办公室", "leader": "ou_l1", "supervisor": "ou_hr"}},
		"people": []map[string]any{
			{"id": "ou_hr", "name": "政工科李", "hr": true, "committee": true},
			{"id": "ou_l1", "name": "科长钱", "unit": "u1"},
			{"id": "ou_e1", "name": "孙一", "unit": "u1", "group": "u1", "assessed": true},
		},
		"periods": []string{q},
	}
	b, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "org.json", string(b))
}

// startServe runs `kaohe serve` with cfg as its config file until the test
// ends and returns the bound address and a stop function that cancels it
// and returns run's result.
func startServe(t *testing.T, cfg map[string]any) (addr string, stop func() error, logs *syncBuffer) {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "kaohe.json", string(b))
	ctx, cancel := context.WithCancel(context.Background())
	out := &addrWriter{addr: make(chan string, 1)}
	logs = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", path}, func(string) string { return "" }, strings.NewReader(""), out, logs)
	}()
	var stopped bool
	var result error
	stop = func() error {
		if stopped {
			return result
		}
		stopped = true
		cancel()
		select {
		case result = <-done:
		case <-time.After(15 * time.Second):
			result = errors.New("serve did not return within 15s of cancel")
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	select {
	case addr = <-out.addr:
	case err := <-done:
		t.Fatalf("serve exited before listening: %v\n%s", err, logs.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not listen within 10s\n%s", logs.String())
	}
	return addr, stop, logs
}

func baseConfig(e *simEnv, appID string, org string) map[string]any {
	return map[string]any{
		"listen": "127.0.0.1:0", "app_id": appID, "app_secret": "secret", "base_url": e.url,
		"org": org, "relay_interval": "200ms", "shutdown_timeout": "5s", "log_level": "warn", "storage": "memory",
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeWebhook: serve in webhook mode behind larksim. A text command
// arrives as a signed, encrypted event; its answer (the weekly form) goes
// out through the relay; the employee fills it in and the click comes back
// as a callback whose toast and replacement card say it was submitted.
func TestServeWebhook(t *testing.T) {
	t.Parallel()
	const appID = "cli_serve_webhook"
	e := newSimEnv(t, appID)
	cfg := baseConfig(e, appID, testOrg(t))
	cfg["callback"], cfg["verification_token"], cfg["encrypt_key"] = "webhook", testToken, testKey
	addr, stop, logs := startServe(t, cfg)
	base := "http://" + addr
	if got := getStatus(t, base+"/healthz"); got != http.StatusOK {
		t.Errorf("/healthz = %d, want 200", got)
	}
	if got := getStatus(t, base+"/readyz"); got != http.StatusOK {
		t.Errorf("/readyz = %d, want 200", got)
	}
	hook := base + WebhookPath
	e.sim.Configure(larksim.WebhookConfig{CallbackURL: hook, EventURL: hook, VerificationToken: testToken, EncryptKey: testKey})
	if err := e.sim.VerifyURL(context.Background(), hook); err != nil {
		t.Fatalf("url verification: %v", err)
	}

	d, err := e.sim.SendText(context.Background(), "ou_e1", "", "记实")
	if err != nil || !d.Acked {
		t.Fatalf("send 记实: %+v, %v\n%s", d, err, logs.String())
	}
	form := e.waitCard(t, "ou_e1", "weekly_form")
	r, err := e.sim.ClickButton(context.Background(), form.MessageID, "ou_e1", "submit", map[string]any{
		card.TaskField(1, card.PartTitle): "起草工作总结", card.TaskField(1, card.PartProgress): "50", "attendance": "full",
	})
	if err != nil {
		t.Fatalf("click submit: %v\n%s", err, logs.String())
	}
	if r.Toast == nil || r.Toast.Type != "success" || !strings.Contains(string(r.Card), "已提交") {
		t.Fatalf("submit reply: toast %+v card %s", r.Toast, r.Card)
	}
	// The same form pressed again is refused: the entry is committed.
	r, err = e.sim.ClickCard(context.Background(), form.MessageID, "ou_e1",
		map[string]any{"k": card.KindWeekly, "id": weekOf(time.Now()), "v": 0},
		map[string]any{card.TaskField(1, card.PartTitle): "再交一次", "attendance": "full"})
	if err != nil {
		t.Fatalf("second click: %v", err)
	}
	if r.Toast == nil || r.Toast.Type != "error" {
		t.Errorf("second submit toast = %+v, want an error toast", r.Toast)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after cancel\n%s", err, logs.String())
	}
}

func weekOf(now time.Time) string {
	return calendar.PeriodContaining(calendar.Week, calendar.Default().Date(now)).String()
}

// TestServeLongConnection: serve in the default mode dials larksim's long
// connection; 帮助 arrives over it and the help card goes back through the
// relay.
func TestServeLongConnection(t *testing.T) {
	t.Parallel()
	const appID = "cli_serve_long"
	e := newSimEnv(t, appID)
	e.sim.Configure(larksim.WebhookConfig{LongConnection: true})
	addr, stop, logs := startServe(t, baseConfig(e, appID, testOrg(t)))
	wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sim.WaitLongConnection(wait); err != nil {
		t.Fatalf("long connection: %v\n%s", err, logs.String())
	}
	d, err := e.sim.SendText(context.Background(), "ou_e1", "", "帮助")
	if err != nil || !d.Acked {
		t.Fatalf("send 帮助: %+v, %v\n%s", d, err, logs.String())
	}
	e.waitCard(t, "ou_e1", "使用说明")
	// The webhook is not served in this mode.
	resp, err := http.Post("http://"+addr+WebhookPath, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("POST %s in long mode = 200, want an error status", WebhookPath)
	}
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("serve returned %v after cancel\n%s", err, logs.String())
	}
	t.Logf("shutdown took %v", time.Since(start))
}

// TestServeRefusesWebhookWithoutKeys: webhook mode without an encrypt key
// or token does not start, and says why.
func TestServeRefusesWebhookWithoutKeys(t *testing.T) {
	t.Parallel()
	cfg := map[string]any{"listen": "127.0.0.1:0", "app_id": "cli_x", "app_secret": "s", "callback": "webhook", "verification_token": testToken, "storage": "memory"}
	b, _ := json.Marshal(cfg)
	path := writeFile(t, "kaohe.json", string(b))
	_, _, err := runCmd(t, "", "serve", "--config", path)
	if err == nil || !strings.Contains(err.Error(), "encrypt") {
		t.Fatalf("serve without encrypt key: err = %v, want one naming the encrypt key", err)
	}
}

// TestLoadAgainstServe: `kaohe load` against `kaohe serve --bench-fixture`
// in webhook mode: every signed callback is a weekly record committed.
func TestLoadAgainstServe(t *testing.T) {
	t.Parallel()
	const appID = "cli_serve_load"
	e := newSimEnv(t, appID)
	cfg := map[string]any{
		"listen": "127.0.0.1:0", "app_id": appID, "app_secret": "secret", "base_url": e.url, "callback": "webhook",
		"verification_token": testToken, "encrypt_key": testKey, "bench_fixture": 100, "tick_interval": "0s", "log_level": "warn", "storage": "memory",
	}
	addr, stop, logs := startServe(t, cfg)
	out, _, err := runCmd(t, "", "load", "--url", "http://"+addr+WebhookPath, "--encrypt-key", testKey, "--token", testToken,
		"--people", "100", "--rate", "100", "--duration", "500ms", "--json")
	if err != nil {
		t.Fatalf("load: %v\n%s\n%s", err, out, logs.String())
	}
	var rep loadReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("load report %q: %v", out, err)
	}
	if rep.Sent != 50 || rep.OK != rep.Sent {
		t.Errorf("load report: sent %d ok %d refused %d %v, want 50 sent and all ok", rep.Sent, rep.OK, rep.Refused, rep.Refusals)
	}
	// The same callbacks again are each refused: every one was committed.
	out, _, err = runCmd(t, "", "load", "--url", "http://"+addr+WebhookPath, "--encrypt-key", testKey, "--token", testToken,
		"--people", "100", "--rate", "100", "--duration", "500ms", "--json")
	if err == nil {
		t.Errorf("second load run succeeded, want refusals for records already submitted: %s", out)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestSDKLogsNoPayload: at debug level over the long connection, where the
// SDK prints whole callback payloads, no log line carries a form value,
// the callback's token, an access token or an open_id from the payload.
// This is the log scan of the long-connection mode; TestQuarterInChat scans
// a whole quarter over webhooks, and bot's TestSDKLoggersNoPayload the
// dispatcher's and the API client's lines.
func TestSDKLogsNoPayload(t *testing.T) {
	t.Parallel()
	const appID = "cli_serve_debug"
	e := newSimEnv(t, appID)
	e.sim.Configure(larksim.WebhookConfig{LongConnection: true})
	cfg := baseConfig(e, appID, testOrg(t))
	cfg["log_level"] = "debug"
	_, stop, logs := startServe(t, cfg)
	wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sim.WaitLongConnection(wait); err != nil {
		t.Fatalf("long connection: %v", err)
	}
	if _, err := e.sim.SendText(context.Background(), "ou_e1", "", "记实"); err != nil {
		t.Fatal(err)
	}
	form := e.waitCard(t, "ou_e1", "weekly_form")
	const secret = "机密周记实内容"
	r, err := e.sim.ClickButton(context.Background(), form.MessageID, "ou_e1", "submit", map[string]any{
		card.TaskField(1, card.PartTitle): secret, card.TaskField(1, card.PartProgress): "25", "attendance": "full",
	})
	if err != nil || r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("submit over the long connection: %+v %v\n%s", r, err, logs.String())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, leak := range []string{secret, "form_value", `"token"`, "c-"} {
		if strings.Contains(out, leak) {
			t.Errorf("debug log carries %q:\n%s", leak, out)
		}
	}
	for _, tok := range larkTokens {
		if tok.re.MatchString(out) {
			t.Errorf("debug log carries a %s:\n%s", tok.name, out)
		}
	}
}

// TestReadyzSaysWhyLarkIsDown: in long-connection mode against an
// endpoint that refuses the connection, /readyz is 503 and names the
// connection's state and the reason, while /healthz still answers.
func TestReadyzSaysWhyLarkIsDown(t *testing.T) {
	t.Parallel()
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"code":1000040343,"msg":"system busy"}`, http.StatusInternalServerError)
	}))
	t.Cleanup(refuse.Close)
	cfg := map[string]any{"listen": "127.0.0.1:0", "app_id": "cli_down", "app_secret": "secret", "base_url": refuse.URL,
		"callback": "long", "storage": "memory", "log_level": "warn", "shutdown_timeout": "2s"}
	addr, stop, logs := startServe(t, cfg)
	defer func() { _ = stop() }()
	var body string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(body, "lark: down: long connection not connected (") {
			break
		}
	}
	if !strings.Contains(body, "lark: down: long connection not connected (") {
		t.Fatalf("/readyz gives no reason:\n%s\nlogs:\n%s", body, logs.String())
	}
	if got := getStatus(t, "http://"+addr+"/healthz"); got != http.StatusOK {
		t.Errorf("/healthz = %d, want 200 while Lark is down", got)
	}
}
