package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/clock"
)

const (
	encryptKey        = "ek-kaohe-webhook-test"
	verificationToken = "vt-kaohe-webhook-test"
)

// t0 starts every fake clock.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

// logRecorder is a slog.Handler that keeps every record, so tests can
// count log lines and read their reasons.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// rejections returns the reason of every warning logged.
func (l *logRecorder) rejections() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		if r.Level < slog.LevelWarn {
			continue
		}
		reason := ""
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "reason" {
				reason = a.Value.String()
				return false
			}
			return true
		})
		out = append(out, reason)
	}
	return out
}

// reset forgets what was logged.
func (l *logRecorder) reset() {
	l.mu.Lock()
	l.records = nil
	l.mu.Unlock()
}

// guard is a webhook handler around a counting inner handler.
type guard struct {
	h     http.Handler
	clk   *clock.Fake
	log   *logRecorder
	calls atomic.Int64

	mu   sync.Mutex
	last []byte // the body the inner handler last read
}

// lastBody returns the body the inner handler last read.
func (g *guard) lastBody() []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

// newGuard builds a guard on a fake clock at t0; mod may adjust the config.
func newGuard(t testing.TB, mod func(*webhook.Config)) *guard {
	t.Helper()
	g := &guard{clk: clock.NewFake(t0), log: &logRecorder{}}
	cfg := webhook.Config{
		EncryptKey:        encryptKey,
		VerificationToken: verificationToken,
		Clock:             g.clk,
		Logger:            slog.New(g.log),
	}
	if mod != nil {
		mod(&cfg)
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.calls.Add(1)
		b, err := io.ReadAll(r.Body)
		if err != nil {
			panic(err)
		}
		g.mu.Lock()
		g.last = b
		g.mu.Unlock()
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("{}"))
	})
	h, err := webhook.New(cfg, inner)
	if err != nil {
		t.Fatalf("webhook.New: %v", err)
	}
	g.h = h
	return g
}

// serve runs req through the guard.
func (g *guard) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, req)
	return rec
}

// encrypted returns the wire body Lark sends for plain: {"encrypt": …}.
func encrypted(t testing.TB, key string, plain any) []byte {
	t.Helper()
	p, err := json.Marshal(plain)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	enc, err := larksim.Encrypt(key, p)
	if err != nil {
		t.Fatalf("encrypt: %v", err)
	}
	b, err := json.Marshal(map[string]string{"encrypt": enc})
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

// callbackPayload is a card.action.trigger envelope carrying token.
func callbackPayload(token string) map[string]any {
	return map[string]any{
		"schema": "2.0",
		"header": map[string]any{
			"event_id": "ev_1", "token": token, "create_time": "1740992400000000",
			"event_type": "card.action.trigger", "tenant_key": "tk", "app_id": "cli_x",
		},
		"event": map[string]any{
			"operator": map[string]any{"open_id": "ou_operator"},
			"action":   map[string]any{"tag": "button", "value": map[string]any{"step_id": "7", "version": "3"}},
		},
	}
}

// signed is a POST of body with the three headers, signed with key.
type signed struct {
	ts    int64
	nonce string
	key   string
	body  []byte
}

// request builds the HTTP request; the signature covers s.body.
func (s signed) request() *http.Request {
	ts := strconv.FormatInt(s.ts, 10)
	req := httptest.NewRequest(http.MethodPost, "/lark/webhook", bytes.NewReader(s.body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(webhook.HeaderTimestamp, ts)
	req.Header.Set(webhook.HeaderNonce, s.nonce)
	req.Header.Set(webhook.HeaderSignature, larksim.Signature(ts, s.nonce, s.key, s.body))
	return req
}

// genuine is a correctly signed, encrypted callback sent at t0.
func genuine(t testing.TB, nonce string) signed {
	t.Helper()
	return signed{ts: t0.Unix(), nonce: nonce, key: encryptKey, body: encrypted(t, encryptKey, callbackPayload(verificationToken))}
}

// readCloser is a request body holding b.
func readCloser(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// failingStore is a NonceStore whose backend is down.
type failingStore struct{}

var errDown = fmt.Errorf("%w: connection refused", webhook.ErrNonceStore)

func (failingStore) Claim(context.Context, string, string, time.Duration) (webhook.Claim, error) {
	return webhook.Claim{}, errDown
}
func (failingStore) Peek(context.Context, string, string) (webhook.Claim, error) {
	return webhook.Claim{}, errDown
}
func (failingStore) Answer(context.Context, string, string, []byte) error { return errDown }
func (failingStore) Release(context.Context, string, string) error        { return errDown }
