package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowProxy forwards TCP connections to target and delays what the target
// sends back by Delay, chunk by chunk but without queueing one chunk's
// delay behind another's: a database that is Delay slower to answer.
type slowProxy struct {
	ln     net.Listener
	target string
	delay  atomic.Int64 // nanoseconds
	wg     sync.WaitGroup
}

func newSlowProxy(t *testing.T, target string) *slowProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &slowProxy{ln: ln, target: target}
	p.wg.Go(p.accept)
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *slowProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

type chunk struct {
	b  []byte
	at time.Time
}

func (p *slowProxy) serve(c net.Conn) {
	defer c.Close()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		buf := make([]byte, 64<<10)
		for {
			n, err := up.Read(buf)
			if n > 0 {
				q <- chunk{append([]byte(nil), buf[:n]...), time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	for ch := range q {
		time.Sleep(time.Until(ch.at.Add(time.Duration(p.delay.Load()))))
		if _, err := c.Write(ch.b); err != nil {
			return
		}
	}
}

// TestG12SlowDatabase is G12 of docs/reliability.md: with PostgreSQL
// answering 1.5 s late, every callback is still answered within Lark's
// 3 s, with success or "系统繁忙，请稍后重试", and nothing is half-written:
// each stored weekly record has its audit row and no audit row lacks its
// record.
func TestG12SlowDatabase(t *testing.T) {
	t.Parallel()
	dbURL, _ := testDatabaseURL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newSlowProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	const people = 60
	cfg := map[string]any{
		"listen": "127.0.0.1:0", "app_id": "cli_bench", "app_secret": "secret", "base_url": "http://127.0.0.1:9", "callback": "webhook",
		"verification_token": testToken, "encrypt_key": testKey, "bench_fixture": people, "tick_interval": "0s", "log_level": "error",
		"database_url": u.String(),
	}
	addr, stop, logs := startServe(t, cfg)
	proxy.delay.Store(int64(1500 * time.Millisecond))
	rep, err := loadRun(context.Background(), loadConfig{URL: "http://" + addr + WebhookPath, EncryptKey: testKey, Token: testToken,
		AppID: "cli_bench", Rate: 20, Duration: time.Second, People: people, Timeout: 3 * time.Second, MaxFlight: 100})
	if err != nil {
		t.Fatal(err)
	}
	proxy.delay.Store(0)
	if rep.HTTPErrors+rep.NetErrors > 0 || rep.Max >= 3*time.Second {
		t.Errorf("slow database: %d HTTP errors, %d unanswered, slowest %v; want every callback answered within 3 s\n%s",
			rep.HTTPErrors, rep.NetErrors, rep.Max, logs.String())
	}
	for msg := range rep.Refusals {
		if msg != "系统繁忙，请稍后重试" {
			t.Errorf("refusal %q, want only the busy toast", msg)
		}
	}
	if err := stop(); err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("serve: %v", err)
	}
	entries := sqlInt(t, dbURL, "SELECT count(*) FROM entries WHERE kind = 'weekly'")
	orphans := sqlInt(t, dbURL, `SELECT count(*) FROM entries e WHERE e.kind = 'weekly' AND NOT EXISTS (
		SELECT 1 FROM audit_log a WHERE a.action = 'entry.submit' AND a.actor = e.person AND a.object = 'weekly/' || e.period AND NOT a.denied)`)
	audits := sqlInt(t, dbURL, "SELECT count(*) FROM audit_log WHERE action = 'entry.submit' AND NOT denied")
	if orphans != 0 || audits != entries {
		t.Errorf("%d weekly records, %d without their audit row, %d submission audit rows: want every record with its row", entries, orphans, audits)
	}
	t.Logf("slow database: sent %d, ok %d, busy %d, p50 %v, max %v; %d stored", rep.Sent, rep.OK, rep.Refused, rep.P50, rep.Max, entries)
}
