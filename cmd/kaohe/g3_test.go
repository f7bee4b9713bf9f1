package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildKaohe builds this command once per test binary, for tests that
// need kaohe as a separate process to kill.
var buildKaohe = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kaohe-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "kaohe")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// serveProc is a `kaohe serve` child process.
type serveProc struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	// out is what serve wrote on stdout.
	out *syncBuffer
}

// startServeProc starts kaohe serve with env and waits until it listens.
func startServeProc(t *testing.T, env []string) *serveProc {
	t.Helper()
	bin, err := buildKaohe()
	if err != nil {
		t.Fatal(err)
	}
	addrFile := filepath.Join(t.TempDir(), "addr")
	p := &serveProc{logs: &syncBuffer{}, out: &syncBuffer{}}
	p.cmd = exec.Command(bin, "serve", "--addr-file", addrFile)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stderr = p.logs
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			fmt.Fprintln(p.out, sc.Text())
			if a, ok := strings.CutPrefix(sc.Text(), listeningPrefix); ok {
				ready <- a
			}
		}
	}()
	select {
	case p.addr = <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not listen within 60 s\n%s", p.logs.String())
	}
	return p
}

// TestG3KillDuringCallbacks is G3 of docs/reliability.md: `kaohe serve` on
// PostgreSQL is killed with SIGKILL at random moments while a separate
// load sends signed weekly-record callbacks, and started again; every
// callback that was answered with success is in the database once, and
// nothing is there that was not sent. KAOHE_FULL=1 sends 6,000 callbacks
// over more rounds and also restarts PostgreSQL once (not in the ordinary
// run: other packages' tests share that server).
func TestG3KillDuringCallbacks(t *testing.T) {
	t.Parallel()
	rounds, perRound, people := 4, 300, 1500
	full := os.Getenv("KAOHE_FULL") != ""
	if full {
		rounds, perRound = 12, 500
	}
	dbURL, _ := testDatabaseURL(t)
	env := []string{
		"KAOHE_APP_ID=cli_bench", "KAOHE_APP_SECRET=secret", "KAOHE_BASE_URL=http://127.0.0.1:9",
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_TICK_INTERVAL=0s", "KAOHE_LOG_LEVEL=warn",
		"KAOHE_DATABASE_URL=" + dbURL, fmt.Sprintf("KAOHE_BENCH_FIXTURE=%d", people),
	}
	histDir := t.TempDir()
	offset, acked, sent := 0, map[string]bool{}, 0
	for round := range rounds {
		p := startServeProc(t, env)
		hist := filepath.Join(histDir, fmt.Sprintf("round%d.jsonl", round))
		c := loadConfig{URL: "http://" + p.addr + WebhookPath, EncryptKey: testKey, Token: testToken, AppID: "cli_bench",
			Rate: 200, Duration: time.Duration(perRound) * 5 * time.Millisecond, People: people, Timeout: 3 * time.Second,
			MaxFlight: 1000, Offset: offset, History: hist}
		killAt := time.Duration(200+rand.IntN(1000)) * time.Millisecond
		killed := make(chan struct{})
		go func() {
			time.Sleep(killAt)
			_ = p.cmd.Process.Kill() // SIGKILL: no drain, no last relay pass
			close(killed)
		}()
		if full && round == rounds/2 {
			go restartPostgres(t)
		}
		rep, err := loadRun(context.Background(), c)
		if err != nil {
			t.Fatalf("round %d: load: %v", round, err)
		}
		<-killed
		_ = p.cmd.Wait()
		lines := readLoadHistory(t, hist)
		for _, h := range lines {
			if h.Outcome == "ok" {
				acked[h.Person+"/"+h.Week] = true
			}
		}
		sent += len(lines)
		offset += perRound
		t.Logf("round %d: killed after %v; sent %d, ok %d, refused %d, net errors %d", round, killAt, rep.Sent, rep.OK, rep.Refused, rep.NetErrors)
	}
	// What the database holds, seen by the last restart: every
	// acknowledged record, each once (the key is unique), and nothing
	// that no callback carried.
	stored := sqlInt(t, dbURL, "SELECT count(*) FROM entries WHERE kind = 'weekly'")
	for key := range acked {
		person, week, _ := strings.Cut(key, "/")
		if n := sqlInt(t, dbURL, "SELECT count(*) FROM entries WHERE kind = 'weekly' AND person = $1 AND period = $2", person, week); n != 1 {
			t.Errorf("acknowledged %s is stored %d times, want 1", key, n)
		}
	}
	if stored < int64(len(acked)) || stored > int64(sent) {
		t.Errorf("%d weekly records stored: want at least the %d acknowledged and at most the %d sent", stored, len(acked), sent)
	}
	if len(acked) == 0 {
		t.Fatal("no callback was acknowledged: the test proved nothing")
	}
	t.Logf("%d callbacks sent over %d kills, %d acknowledged, %d stored", sent, rounds, len(acked), stored)
}

func readLoadHistory(t *testing.T, path string) []loadHistory {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []loadHistory
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var h loadHistory
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("history %s: %v", path, err)
		}
		out = append(out, h)
	}
	return out
}

// restartPostgres restarts the local PostgreSQL cluster (KAOHE_FULL only).
func restartPostgres(t *testing.T) {
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) == 0 {
		t.Errorf("restart PostgreSQL: no cluster found: %v", err)
		return
	}
	out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", "restart").CombinedOutput()
	if err != nil {
		t.Errorf("restart PostgreSQL: %v\n%s", err, out)
	}
}
