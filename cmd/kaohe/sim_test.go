package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/clock"
)

// simProc is a `kaohe sim` child process.
type simProc struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan error
}

// startSimProc starts kaohe sim with args and waits until it listens.
func startSimProc(t *testing.T, args ...string) *simProc {
	t.Helper()
	bin, err := buildKaohe()
	if err != nil {
		t.Fatal(err)
	}
	p := &simProc{logs: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"sim", "--listen", "127.0.0.1:0"}, args...)...)
	p.cmd.Stderr = p.logs
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), simListeningPrefix); ok {
				ready <- a
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	select {
	case a := <-ready:
		p.url = "http://" + a
	case err := <-p.done:
		p.done <- err
		t.Fatalf("sim exited before listening: %v\n%s", err, p.logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("sim did not listen within 60 s\n%s", p.logs.String())
	}
	return p
}

// simOrg is the organisation both processes load: HR, a unit with its
// leader, one assessed employee, 2026-Q4 open and a public chat.
func simOrg(t *testing.T) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"hr":       "ou_hr",
		"settings": map[string]any{"name": "模拟局", "head": "ou_hr", "public_chats": []string{"oc_public"}},
		"units":    []map[string]any{{"id": "u1", "name": "办公室", "leader": "ou_l1", "supervisor": "ou_hr"}},
		"people": []map[string]any{
			{"id": "ou_hr", "name": "政工科李", "hr": true, "committee": true},
			{"id": "ou_l1", "name": "科长钱", "unit": "u1"},
			{"id": "ou_e1", "name": "孙一", "unit": "u1", "group": "u1", "assessed": true},
		},
		"periods": []string{"2026-Q4"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "org.json", string(b))
}

// TestSimAndServeProcesses: `kaohe sim` and `kaohe serve` (memory store,
// webhook mode, clock from the simulator) as separate processes, driven
// only through the control interface, as a person: 帮助 brings the help
// card; 记实 brings this week's form, which is submitted, and a second
// press of the replaced card is refused; the clock moves a week through
// the simulator and 记实 brings the next week's form, so serve took the
// new time; the clock file follows every move.
func TestSimAndServeProcesses(t *testing.T) {
	t.Parallel()
	const appID = "cli_sim_proc"
	org := simOrg(t)
	clockFile := filepath.Join(t.TempDir(), "now")
	sim := startSimProc(t, "--org", org, "--app-id", appID, "--app-secret", "secret",
		"--verification-token", testToken, "--encrypt-key", testKey,
		"--start", "2026-10-13T10:00:00+08:00", "--freeze", "--clock-file", clockFile, "--callback-timeout", "10s")
	serve := startServeProc(t, []string{
		"KAOHE_APP_ID=" + appID, "KAOHE_APP_SECRET=secret", "KAOHE_BASE_URL=" + sim.url,
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_STORAGE=memory", "KAOHE_ORG=" + org, "KAOHE_CLOCK_URL=" + sim.url + "/_sim/clock",
		"KAOHE_RELAY_INTERVAL=50ms", "KAOHE_TICK_INTERVAL=100ms", "KAOHE_LOG_LEVEL=warn", "KAOHE_SHUTDOWN_TIMEOUT=2s",
		"KAOHE_DATABASE_URL=", "KAOHE_CLOCK_FILE=",
	})
	ctx := context.Background()
	c := simclient.New(sim.url)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\n--- sim\n%s\n--- serve\n%s", append(args, sim.logs.String(), serve.logs.String())...)
	}
	hook := "http://" + serve.addr + WebhookPath
	if _, err := c.Configure(ctx, simclient.Config{CallbackURL: &hook, Verify: true}); err != nil {
		fail("configure the webhook: %v", err)
	}
	users, err := c.Users(ctx)
	if err != nil || len(users) != 3 {
		fail("users from the org file: %+v %v", users, err)
	}
	chats, err := c.Chats(ctx, "ou_e1")
	if err != nil || !slices.ContainsFunc(chats, func(ch simclient.Chat) bool { return ch.ChatID == "oc_public" }) {
		fail("ou_e1's chats %+v %v: want the public chat", chats, err)
	}

	// say types text as 孙一 and waits for a card from the bot containing want.
	say := func(text, want string) simclient.Message {
		t.Helper()
		res, err := c.Text(ctx, simclient.Text{User: "ou_e1", Text: text})
		if err != nil || !res.Acked {
			fail("text %q: %+v %v", text, res, err)
		}
		m, err := c.WaitMessage(ctx, "ou_e1", res.Cursor, simclient.CardContains(want), 30*time.Second)
		if err != nil {
			fail("answer to %q containing %q: %v", text, want, err)
		}
		return m
	}
	say("帮助", "使用说明")

	form := say("记实", "2026-10-12 至 2026-10-18")
	r, err := c.Click(ctx, simclient.Click{MessageID: form.MessageID, User: "ou_e1", Button: "submit", FormValue: map[string]any{
		card.TaskField(1, card.PartTitle): "起草工作总结", card.TaskField(1, card.PartProgress): "50", "attendance": "full",
	}})
	if err != nil || r.ClientError != nil || r.Toast == nil || r.Toast.Type != "success" || !strings.Contains(string(r.Card), "已提交") {
		fail("submit the weekly form: %+v %v", r, err)
	}
	// The submitted card was replaced: its submit button is gone.
	_, err = c.Click(ctx, simclient.Click{MessageID: form.MessageID, User: "ou_e1", Button: "submit"})
	var se *simclient.Error
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		t.Errorf("press the replaced card's submit again: %v, want 404 (no such button)", err)
	}

	now, err := c.Advance(ctx, 7*24*time.Hour)
	if want := time.Date(2026, 10, 20, 2, 0, 0, 0, time.UTC); err != nil || !now.Equal(want) {
		fail("advance a week: %v %v, want %v", now, err, want)
	}
	if fc, err := clock.OpenFile(clockFile); err != nil || !fc.Now().Equal(now) {
		t.Errorf("clock file: %v, want %v", err, now)
	}
	say("记实", "2026-10-19 至 2026-10-25")

	if !strings.Contains(serve.logs.String(), "the clock is read from a Lark simulator") {
		t.Errorf("serve did not warn that its clock comes from the simulator:\n%s", serve.logs.String())
	}
	st, err := c.Stats(ctx)
	if err != nil || st.Sent < 3 || st.Requests[larksim.APIMessageCreate] < 3 {
		t.Errorf("stats %+v %v", st, err)
	}
	// Ctrl-C stops the simulator cleanly.
	if err := sim.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-sim.done:
		sim.done <- err
		if err != nil {
			t.Errorf("sim after SIGINT: %v\n%s", err, sim.logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("sim did not stop within 10 s of SIGINT")
	}
}

// TestSimOrg: the org file becomes users, departments and public chats.
func TestSimOrg(t *testing.T) {
	t.Parallel()
	sim := larksim.New(larksim.Options{})
	n, err := loadSimOrg(sim, "../../deploy/org.example.json")
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("%d users, want the 6 people of the example", n)
	}
	e1, ok := sim.User("ou_e1")
	if !ok || e1.Name != "孙一" || !slices.Equal(e1.DepartmentIDs, []string{"u1"}) || e1.LeaderOpenID != "ou_l1" {
		t.Errorf("ou_e1 = %+v", e1)
	}
	if l1, _ := sim.User("ou_l1"); l1.LeaderOpenID != "" {
		t.Errorf("the unit's leader leads themself: %+v", l1)
	}
	pub, ok := sim.Chat("oc_public")
	if !ok || !pub.BotMember || len(pub.Members) != 6 {
		t.Errorf("public chat %+v", pub)
	}
	bad := writeFile(t, "org.json", `{"hr":"ou_hr","people":[{"id":"ou_a"},{"id":"ou_a"}]}`)
	if _, err := loadSimOrg(larksim.New(larksim.Options{}), bad); err == nil || !strings.Contains(err.Error(), "repeated") {
		t.Errorf("repeated person: %v", err)
	}
	unknown := writeFile(t, "org.json", `{"hr":"ou_hr","peopel":[]}`)
	if _, err := loadSimOrg(larksim.New(larksim.Options{}), unknown); err == nil {
		t.Error("an unknown key in the org file was accepted")
	}
}

func TestSimUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{name: "BadStart", args: []string{"--start", "tomorrow"}},
		{name: "BadCallbackURL", args: []string{"--callback-url", "localhost:8080"}},
		{name: "EmptyAppID", args: []string{"--app-id", ""}},
		{name: "ExtraArgument", args: []string{"now"}},
		{name: "UnknownFlag", args: []string{"--port", "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := runCmd(t, "", append([]string{"sim"}, tc.args...)...)
			if exitCode(err) != 2 {
				t.Errorf("sim %v: err %v, want a usage error", tc.args, err)
			}
		})
	}
}

// TestServeClockURL: clock_url is refused with clock_file, without a URL
// and against Lark itself; serve does not start when the URL does not
// answer.
func TestServeClockURL(t *testing.T) {
	t.Parallel()
	base := func() map[string]string {
		return map[string]string{"KAOHE_APP_ID": "cli_x", "KAOHE_APP_SECRET": "s", "KAOHE_STORAGE": "memory",
			"KAOHE_BASE_URL": "http://127.0.0.1:9900", "KAOHE_CLOCK_URL": "http://127.0.0.1:9900/_sim/clock"}
	}
	tests := []struct {
		name string
		set  map[string]string
		want string
	}{
		{name: "OK", want: ""},
		{name: "WithClockFile", set: map[string]string{"KAOHE_CLOCK_FILE": "/tmp/now"}, want: "not both"},
		{name: "NotURL", set: map[string]string{"KAOHE_CLOCK_URL": "127.0.0.1:9900"}, want: "clock_url"},
		{name: "AgainstLark", set: map[string]string{"KAOHE_BASE_URL": "https://open.feishu.cn"}, want: "Lark itself"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := base()
			for k, v := range tc.set {
				env[k] = v
			}
			_, err := LoadConfig(nil, func(k string) string { return env[k] }, os.Stderr)
			if tc.want == "" {
				if err != nil {
					t.Errorf("config: %v", err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != "clock_url" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("config: %v, want a clock_url error containing %q", err, tc.want)
			}
		})
	}
	closed := writeFile(t, "kaohe.json", `{"listen":"127.0.0.1:0","app_id":"cli_x","app_secret":"s","storage":"memory",`+
		`"base_url":"http://127.0.0.1:1","clock_url":"http://127.0.0.1:1/_sim/clock","log_level":"error"}`)
	_, _, err := runCmd(t, "", "serve", "--config", closed)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "clock_url" {
		t.Errorf("serve with a clock URL that does not answer: %v, want a clock_url error", err)
	}
}

// lineWriter hands over the rest of the first line written that starts
// with prefix.
type lineWriter struct {
	prefix string
	once   sync.Once
	got    chan string
	all    syncBuffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.all.Write(p)
	for _, line := range strings.Split(string(p), "\n") {
		if rest, ok := strings.CutPrefix(line, w.prefix); ok {
			w.once.Do(func() { w.got <- strings.TrimSpace(rest) })
		}
	}
	return len(p), nil
}

// TestSimRun: the default simulator (running clock, long connection) in
// process: it says where it listens and how to stop, writes its address,
// moves its clock on request and stops cleanly when its context ends.
func TestSimRun(t *testing.T) {
	t.Parallel()
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{prefix: simListeningPrefix, got: make(chan string, 1)}
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"sim", "--listen", "127.0.0.1:0", "--addr-file", addrFile, "--start", "2026-10-13T10:00:00+08:00"},
			func(string) string { return "" }, strings.NewReader(""), out, &logs)
	}()
	var addr string
	select {
	case addr = <-out.got:
	case err := <-done:
		t.Fatalf("sim returned before listening: %v\n%s", err, logs.String())
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not listen within 10 s")
	}
	if b, err := os.ReadFile(addrFile); err != nil || strings.TrimSpace(string(b)) != addr {
		t.Errorf("addr file %q %v, want %s", b, err, addr)
	}
	for _, want := range []string{"/_sim/", "clock_url", "long connection", "Ctrl-C"} {
		if !strings.Contains(out.all.String(), want) {
			t.Errorf("start-up text lacks %q:\n%s", want, out.all.String())
		}
	}
	c := simclient.New("http://" + addr)
	cfg, err := c.Config(context.Background())
	if err != nil || !cfg.LongConnection || cfg.AppID != "cli_larksim" {
		t.Errorf("config %+v %v, want the long connection and the default app id", cfg, err)
	}
	start := time.Date(2026, 10, 13, 2, 0, 0, 0, time.UTC)
	now, err := c.Advance(context.Background(), time.Hour)
	if err != nil || now.Before(start.Add(time.Hour)) || now.After(start.Add(time.Hour+time.Minute)) {
		t.Errorf("advance: %v %v, want a little after %v", now, err, start.Add(time.Hour))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("sim returned %v after its context ended", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim did not stop within 10 s of its context ending")
	}
}
