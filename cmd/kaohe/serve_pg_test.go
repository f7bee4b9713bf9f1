package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
)

// pgConfig is baseConfig on PostgreSQL, in webhook mode.
func pgConfig(e *simEnv, appID, org, dbURL string) map[string]any {
	cfg := baseConfig(e, appID, org)
	delete(cfg, "storage")
	cfg["database_url"] = dbURL
	cfg["callback"], cfg["verification_token"], cfg["encrypt_key"] = "webhook", testToken, testKey
	return cfg
}

// hook points larksim's deliveries at a running serve.
func hook(t *testing.T, e *simEnv, addr string) {
	t.Helper()
	u := "http://" + addr + WebhookPath
	e.sim.Configure(larksim.WebhookConfig{CallbackURL: u, EventURL: u, VerificationToken: testToken, EncryptKey: testKey})
}

// TestServePostgresSurvivesRestart: on PostgreSQL, what a person filed is
// still there after serve restarts, and the org file seeds the database
// only once. Everything is seen as the employee sees it: the weekly form
// comes back filled in, and submitting it again is refused.
func TestServePostgresSurvivesRestart(t *testing.T) {
	t.Parallel()
	dbURL, _ := testDatabaseURL(t)
	const appID = "cli_serve_pg"
	e := newSimEnv(t, appID)
	cfg := pgConfig(e, appID, testOrg(t), dbURL)

	addr, stop, logs := startServe(t, cfg)
	hook(t, e, addr)
	if d, err := e.sim.SendText(context.Background(), "ou_e1", "", "记实"); err != nil || !d.Acked {
		t.Fatalf("send 记实: %+v, %v\n%s", d, err, logs.String())
	}
	form := e.waitCard(t, "ou_e1", "weekly_form")
	r, err := e.sim.ClickButton(context.Background(), form.MessageID, "ou_e1", "submit", map[string]any{
		card.TaskField(1, card.PartTitle): "整理档案", card.TaskField(1, card.PartProgress): "75", "attendance": "full",
	})
	if err != nil || r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("submit: %+v, %v\n%s", r, err, logs.String())
	}
	if err := stop(); err != nil {
		t.Fatalf("first serve: %v\n%s", err, logs.String())
	}

	addr, stop, logs = startServe(t, cfg)
	hook(t, e, addr)
	before := len(e.sim.MessagesTo("ou_e1"))
	if d, err := e.sim.SendText(context.Background(), "ou_e1", "", "记实"); err != nil || !d.Acked {
		t.Fatalf("send 记实 after restart: %+v, %v\n%s", d, err, logs.String())
	}
	var again larksim.Message
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := e.sim.MessagesTo("ou_e1")
		if len(msgs) > before && strings.Contains(msgs[len(msgs)-1].Content, "weekly_form") {
			again = msgs[len(msgs)-1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no weekly form after restart\n%s", logs.String())
		}
		select {
		case <-e.sent:
		case <-time.After(200 * time.Millisecond):
		}
	}
	if !strings.Contains(again.Content, "整理档案") {
		t.Errorf("the weekly form after a restart lost what was filed: %s", again.Content)
	}
	r, err = e.sim.ClickCard(context.Background(), form.MessageID, "ou_e1",
		map[string]any{"k": card.KindWeekly, "id": weekOf(time.Now()), "v": 0},
		map[string]any{card.TaskField(1, card.PartTitle): "再交一次", "attendance": "full"})
	if err != nil || r.Toast == nil || r.Toast.Type != "error" {
		t.Errorf("re-submitting a stored record after restart: %+v, %v; want an error toast", r, err)
	}
	if n := sqlInt(t, dbURL, "SELECT count(*) FROM people"); n != 3 {
		t.Errorf("people after two starts = %d, want the org file's 3 once", n)
	}
	if err := stop(); err != nil {
		t.Fatalf("second serve: %v\n%s", err, logs.String())
	}
}

// TestServeRefusesWithoutDatabase: no database_url and no --store memory
// is an error that says what to set.
func TestServeRefusesWithoutDatabase(t *testing.T) {
	t.Parallel()
	b, _ := json.Marshal(map[string]any{"listen": "127.0.0.1:0", "app_id": "cli_x", "app_secret": "s"})
	_, _, err := runCmd(t, "", "serve", "--config", writeFile(t, "kaohe.json", string(b)))
	if err == nil || !strings.Contains(err.Error(), "database_url") || !strings.Contains(err.Error(), "--store memory") {
		t.Fatalf("serve without a database: err = %v, want one naming database_url and --store memory", err)
	}
}

// TestServeMemoryWarns: the memory store is used only when asked for, and
// then serve says loudly that nothing survives a restart.
func TestServeMemoryWarns(t *testing.T) {
	t.Parallel()
	const appID = "cli_serve_mem"
	e := newSimEnv(t, appID)
	cfg := baseConfig(e, appID, testOrg(t))
	_, stop, logs := startServe(t, cfg)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "STORAGE IS IN MEMORY") {
		t.Errorf("memory store started without the warning:\n%s", logs.String())
	}
}

// TestServeWaitsForDatabase: a database that is down at start is retried
// with backoff; meanwhile /healthz answers and /readyz is 503 with the
// reason; stopping serve then ends it with an error that says why.
func TestServeWaitsForDatabase(t *testing.T) {
	t.Parallel()
	addrFile := filepath.Join(t.TempDir(), "addr")
	b, _ := json.Marshal(map[string]any{"listen": "127.0.0.1:0", "app_id": "cli_x", "app_secret": "s", "addr_file": addrFile,
		"database_url": "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1", "log_level": "warn"})
	cfgPath := writeFile(t, "kaohe.json", string(b))
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfgPath}, func(string) string { return "" }, strings.NewReader(""), io.Discard, logs)
	}()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; {
		if b, err := os.ReadFile(addrFile); err == nil && strings.HasSuffix(string(b), "\n") {
			addr = strings.TrimSpace(string(b))
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve never bound its port\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := getStatus(t, "http://"+addr+"/healthz"); got != http.StatusOK {
		t.Errorf("/healthz while the database is down = %d, want 200", got)
	}
	var body string
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(raw)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("/readyz while the database is down = %d %q, want 503", resp.StatusCode, body)
		}
		if strings.Contains(body, "postgres") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(body, "postgres") {
		t.Errorf("/readyz body %q does not name the database", body)
	}
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "database never became reachable") {
			t.Errorf("serve after cancel: %v, want the database error", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), "database not reachable, retrying") {
		t.Errorf("no retry logged:\n%s", logs.String())
	}
}

// TestServeRefusesNewerSchema: a database migrated by a newer kaohe is
// refused, naming both versions; one that is behind, in check mode, is
// refused with the command that fixes it.
func TestServeRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dbURL, _ := testDatabaseURL(t)
	base := map[string]any{"listen": "127.0.0.1:0", "app_id": "cli_x", "app_secret": "s", "database_url": dbURL, "log_level": "warn", "migrate": "check"}
	b, _ := json.Marshal(base)
	_, _, err := runCmd(t, "", "serve", "--config", writeFile(t, "behind.json", string(b)))
	if err == nil || !strings.Contains(err.Error(), "kaohe migrate up") {
		t.Fatalf("serve on an empty schema in check mode: err = %v, want it to name kaohe migrate up", err)
	}
	if out, _, err := runCmd(t, "", "migrate", "up", "--database-url", dbURL); err != nil {
		t.Fatalf("migrate up: %v %s", err, out)
	}
	sqlExec(t, dbURL, insertFutureMigration)
	_, _, err = runCmd(t, "", "serve", "--config", writeFile(t, "newer.json", string(b)))
	if err == nil || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("serve on a newer schema: err = %v, want one naming version 9999", err)
	}
}

// TestMigrateCLI: all ups, all downs, all ups again, with status between;
// CI runs this on every change (issue: migrations up/down/up).
func TestMigrateCLI(t *testing.T) {
	t.Parallel()
	dbURL, schema := testDatabaseURL(t)
	step := func(want string, args ...string) string {
		t.Helper()
		out, errOut, err := runCmd(t, "", append(args, "--database-url", dbURL)...)
		if err != nil {
			t.Fatalf("kaohe %v: %v\n%s%s", args, err, out, errOut)
		}
		if !strings.Contains(out, want) {
			t.Fatalf("kaohe %v printed %q, want %q", args, out, want)
		}
		return out
	}
	step("schema version 0", "migrate", "status")
	step("applied 0001", "migrate", "up")
	step("schema already up to date", "migrate", "up")
	out := step("schema version", "migrate", "status")
	if strings.Contains(out, "to apply") {
		t.Errorf("status after up: %s", out)
	}
	step("reverted 0001", "migrate", "down", "all")
	if n := sqlInt(t, dbURL, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_migrations'", schema); n != 0 {
		t.Errorf("%d tables left after all downs", n)
	}
	step("applied 0001", "migrate", "up")
	if _, _, err := runCmd(t, "", "migrate", "sideways", "--database-url", dbURL); exitCode(err) != 2 {
		t.Errorf("unknown migrate command: err %v, want a usage error", err)
	}
	if _, _, err := runCmd(t, "", "migrate", "status"); exitCode(err) != 2 || !strings.Contains(err.Error(), "KAOHE_DATABASE_URL") {
		t.Errorf("migrate without a database: err %v, want a usage error naming KAOHE_DATABASE_URL", err)
	}
}

// TestAuditVerifyCLI is G9 through the operator's command: serve writes
// audit rows and publishes its head to a file; `kaohe audit verify`
// passes; a row edited with the triggers bypassed is named; rows cut from
// the end are caught by the published head; export writes the rows.
func TestAuditVerifyCLI(t *testing.T) {
	t.Parallel()
	dbURL, _ := testDatabaseURL(t)
	const appID = "cli_serve_audit"
	e := newSimEnv(t, appID)
	heads := filepath.Join(t.TempDir(), "heads.jsonl")
	cfg := pgConfig(e, appID, testOrg(t), dbURL)
	cfg["audit_head_file"], cfg["audit_head_interval"] = heads, "1h"
	addr, stop, logs := startServe(t, cfg)
	hook(t, e, addr)
	if d, err := e.sim.SendText(context.Background(), "ou_e1", "", "记实"); err != nil || !d.Acked {
		t.Fatalf("send 记实: %+v, %v", d, err)
	}
	form := e.waitCard(t, "ou_e1", "weekly_form")
	if r, err := e.sim.ClickButton(context.Background(), form.MessageID, "ou_e1", "submit", map[string]any{
		card.TaskField(1, card.PartTitle): "审计测试", card.TaskField(1, card.PartProgress): "25", "attendance": "full",
	}); err != nil || r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("submit: %+v %v\n%s", r, err, logs.String())
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	rows := sqlInt(t, dbURL, "SELECT count(*) FROM audit_log")
	if rows < 2 {
		t.Fatalf("audit rows = %d, want the setup and the submission at least", rows)
	}
	// serve published the head at start; publish the current head as an
	// operator's copy would hold it.
	last := sqlInt(t, dbURL, "SELECT max(seq) FROM audit_log")
	appendHead(t, dbURL, heads, last)

	verify := func() (string, error) {
		out, _, err := runCmd(t, "", "audit", "verify", "--database-url", dbURL, "--heads", heads)
		return out, err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "audit log intact") {
		t.Fatalf("verify untouched log: %v %s", err, out)
	}
	if out, _, err := runCmd(t, "", "audit", "export", "--database-url", dbURL, "--from", "2000-01-01", "--to", "2100-12-31"); err != nil ||
		!strings.HasPrefix(out, "seq,at,actor") || strings.Count(out, "\n") != int(rows)+1 {
		t.Fatalf("export: %v\n%s", err, out)
	}

	// An edit with the triggers bypassed, as a superuser could.
	sqlExec(t, dbURL, "SET session_replication_role = replica; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
	if out, err := verify(); !errors.Is(err, errFailed) || !strings.Contains(out, "row 2") {
		t.Fatalf("verify after an edit of row 2: %v %q, want a failure naming row 2", err, out)
	}
	// Cut every row after the first: the chain that is left is intact, but
	// the published head is gone.
	sqlExec(t, dbURL, "SET session_replication_role = replica; DELETE FROM audit_log WHERE seq >= 2")
	out, err := verify()
	if !errors.Is(err, errFailed) || !strings.Contains(out, "missing") {
		t.Fatalf("verify after the tail was cut: %v %q, want the published head reported missing", err, out)
	}
}

// appendHead adds the head row seq of the database to the heads file, as
// serve's publisher writes it.
func appendHead(t *testing.T, dbURL, path string, seq int64) {
	t.Helper()
	var h auditHead
	st, err := openCLIStore(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	head, err := st.AuditHead(context.Background())
	if err != nil || head.Seq != seq {
		t.Fatalf("audit head = %+v, %v; want row %d", head, err, seq)
	}
	h = auditHead{Seq: head.Seq, Hash: head.RowHash, At: head.At}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := json.Marshal(h)
	w := bufio.NewWriter(f)
	_, _ = w.Write(append(b, '\n'))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// insertFutureMigration makes the database look migrated by a newer kaohe.
const insertFutureMigration = `INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')`
