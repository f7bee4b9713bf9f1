package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
)

// TestServeSIGTERMDrains is graceful shutdown as an orchestrator does it:
// `kaohe serve` as its own process gets SIGTERM while a 同步通讯录 that an
// event started is still reading Lark's directory. serve stops taking
// work at once (its port closes), lets the job finish, sends the job's
// result with its last relay pass, and exits 0 — the result reaches HR
// although it was queued after the signal. Its JSON log names the message
// id of the command it handled, and says it shut down and stopped.
func TestServeSIGTERMDrains(t *testing.T) {
	t.Parallel()
	const appID = "cli_serve_sigterm"
	e := newSimEnv(t, appID)
	e.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-bgs", Name: "办公室", LeaderOpenID: "ou_l1"})
	e.sim.MustAddUser(larksim.User{OpenID: "ou_new", Name: "新同事", DepartmentIDs: []string{"od-bgs"}, JobTitle: "科员"})
	p := startServeProc(t, []string{
		"KAOHE_APP_ID=" + appID, "KAOHE_APP_SECRET=secret", "KAOHE_BASE_URL=" + e.url, "KAOHE_CALLBACK=webhook",
		"KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey, "KAOHE_LISTEN=127.0.0.1:0",
		"KAOHE_STORAGE=memory", "KAOHE_ORG=" + testOrg(t), "KAOHE_TICK_INTERVAL=0s", "KAOHE_RELAY_INTERVAL=200ms",
		"KAOHE_LOG_FORMAT=json", "KAOHE_LOG_LEVEL=info", "KAOHE_SHUTDOWN_TIMEOUT=20s",
	})
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	base := "http://" + p.addr
	hook := base + WebhookPath
	e.sim.Configure(larksim.WebhookConfig{CallbackURL: hook, EventURL: hook, VerificationToken: testToken, EncryptKey: testKey})

	release := make(chan struct{})
	hold := e.sim.AddFault(larksim.Fault{API: larksim.APIDeptChildren, Count: 1, Release: release})
	ctx := context.Background()
	msg, err := e.sim.SendText(ctx, "ou_hr", "", "同步通讯录")
	if err != nil || !msg.Acked {
		t.Fatalf("send 同步通讯录: %+v, %v\n%s", msg, err, p.logs.String())
	}
	select {
	case <-hold.Stalled():
	case <-time.After(10 * time.Second):
		t.Fatalf("the sync job never read the directory\n%s", p.logs.String())
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Stop taking work: the port closes while the job is still held.
	refused := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			refused = true
			break
		}
		resp.Body.Close()
	}
	if !refused {
		t.Fatalf("serve still answers 10 s after SIGTERM\n%s", p.logs.String())
	}
	select {
	case err := <-exited:
		t.Fatalf("serve exited (%v) before the job it started had finished\n%s", err, p.logs.String())
	default:
	}
	close(release)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM, want 0\n%s", err, p.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not exit within 30 s of SIGTERM\n%s", p.logs.String())
	}
	var got bool
	for _, m := range e.sim.MessagesTo("ou_hr") {
		got = got || strings.Contains(m.Content, "通讯录同步（预览）")
	}
	if !got {
		t.Errorf("the sync's result, queued after SIGTERM, never reached HR\n%s", p.logs.String())
	}

	// The log: JSON lines; the command's line names its message id; the
	// shutdown is said.
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			continue // the SDK's own lines before the logger is set
		}
		m, _ := line["msg"].(string)
		seen[m] = true
		if m == "command" && line["message_id"] != msg.MessageID {
			t.Errorf("the command's log line names message %v, want %s: %v", line["message_id"], msg.MessageID, line)
		}
	}
	for _, want := range []string{"command", "shutting down", "stopped"} {
		if !seen[want] {
			t.Errorf("no %q line in the log\n%s", want, p.logs.String())
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		t.Error("a log line longer than 64 KiB")
	}
}
