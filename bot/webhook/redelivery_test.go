package webhook_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/clock"
)

// TestRedelivery: what a second copy of a signed delivery gets, by how the
// first was answered and when the copy arrives (package comment, "Repeated
// deliveries").
func TestRedelivery(t *testing.T) {
	t.Parallel()
	type step struct {
		advance time.Duration
		// copy sends the first delivery's bytes again; otherwise the
		// request is the same nonce over another body.
		copy       bool
		status     int
		body       string
		calls      int64  // inner calls so far
		rejections string // the one reason logged, "" for none
	}
	tests := []struct {
		name string
		// inner answers the n-th call (from 1).
		inner func(n int64, w http.ResponseWriter)
		steps []step
	}{
		{
			name:  "AnsweredCopyGetsTheAnswer",
			inner: answer(http.StatusOK, `{"toast":{"content":"已提交"}}`),
			steps: []step{
				{copy: true, status: 200, body: `{"toast":{"content":"已提交"}}`, calls: 1},
				{copy: true, status: 200, body: `{"toast":{"content":"已提交"}}`, calls: 1},
			},
		},
		{
			name:  "AnsweredCopyAfterTheWindowGetsTheAnswer",
			inner: answer(http.StatusOK, `{}`),
			steps: []step{
				{copy: true, status: 200, body: `{}`, calls: 1},
				{advance: 5*time.Minute + 15*time.Second, copy: true, status: 200, body: `{}`, calls: 1},
			},
		},
		{
			name:  "AnsweredCopyAfterTheNonceExpiredIsRefused",
			inner: answer(http.StatusOK, `{}`),
			steps: []step{
				{copy: true, status: 200, body: `{}`, calls: 1},
				{advance: webhook.DefaultNonceTTL, copy: true, status: 401, calls: 1, rejections: "timestamp outside tolerance"},
			},
		},
		{
			name: "FailedCopyIsProcessedAgain",
			inner: func(n int64, w http.ResponseWriter) {
				if n == 1 {
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				answer(http.StatusOK, `{"ok":2}`)(n, w)
			},
			steps: []step{
				{copy: true, status: 500, calls: 1},
				{advance: 15 * time.Second, copy: true, status: 200, body: `{"ok":2}`, calls: 2},
				{copy: true, status: 200, body: `{"ok":2}`, calls: 2},
			},
		},
		{
			name: "FailedCopyAfterTheWindowIsRefused",
			inner: func(_ int64, w http.ResponseWriter) {
				w.WriteHeader(http.StatusInternalServerError)
			},
			steps: []step{
				{copy: true, status: 500, calls: 1},
				{advance: 5*time.Minute + 15*time.Second, copy: true, status: 401, calls: 1, rejections: "timestamp outside tolerance"},
			},
		},
		{
			name:  "NonceWithAnotherBodyIsRefused",
			inner: answer(http.StatusOK, `{}`),
			steps: []step{
				{copy: true, status: 200, body: `{}`, calls: 1},
				{status: 401, calls: 1, rejections: "replayed nonce"},
				{copy: true, status: 200, body: `{}`, calls: 1},
			},
		},
		{
			name:  "NonceWithAnotherBodyAfterAFailureIsRefused",
			inner: answer(http.StatusBadGateway, ``),
			steps: []step{
				{copy: true, status: 502, calls: 1},
				{status: 401, calls: 1, rejections: "replayed nonce"},
			},
		},
		{
			name: "AnswerTooLargeToKeepIsProcessedAgain",
			inner: func(n int64, w http.ResponseWriter) {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(strings.Repeat("x", 70<<10)))
			},
			steps: []step{
				{copy: true, status: 200, calls: 1},
				{copy: true, status: 200, calls: 2},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewFake(t0)
			log := &logRecorder{}
			var calls atomic.Int64
			h, err := webhook.New(webhook.Config{
				EncryptKey: encryptKey, VerificationToken: verificationToken, Clock: clk, Logger: slog.New(log),
			}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tc.inner(calls.Add(1), w)
			}))
			if err != nil {
				t.Fatal(err)
			}
			first := genuine(t, "n-redeliver")
			for i, st := range tc.steps {
				clk.Advance(st.advance)
				log.reset()
				s := first
				if !st.copy {
					s = genuine(t, "n-redeliver") // encrypted afresh: other bytes
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, s.request())
				if rec.Code != st.status {
					t.Errorf("step %d: status %d, want %d", i, rec.Code, st.status)
				}
				if st.body != "" && rec.Body.String() != st.body {
					t.Errorf("step %d: body %q, want %q", i, rec.Body, st.body)
				}
				if n := calls.Load(); n != st.calls {
					t.Errorf("step %d: inner handler called %d times, want %d", i, n, st.calls)
				}
				got := log.rejections()
				if st.rejections == "" && len(got) != 0 || st.rejections != "" && (len(got) != 1 || got[0] != st.rejections) {
					t.Errorf("step %d: rejections %q, want [%s]", i, got, st.rejections)
				}
			}
		})
	}
}

// answer is an inner handler writing status and body as JSON.
func answer(status int, body string) func(int64, http.ResponseWriter) {
	return func(_ int64, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// TestRedeliveryKeepsContentType: the stored answer goes out with the
// first answer's Content-Type.
func TestRedeliveryKeepsContentType(t *testing.T) {
	t.Parallel()
	g := newGuard(t, nil)
	s := genuine(t, "n-ctype")
	h, err := webhook.New(webhook.Config{EncryptKey: encryptKey, VerificationToken: verificationToken, Clock: g.clk, Logger: slog.New(g.log)},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(http.StatusOK, `{}`)(0, w) }))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, s.request())
		if ct := rec.Header().Get("Content-Type"); rec.Code != 200 || ct != "application/json; charset=utf-8" {
			t.Errorf("delivery %d: status %d Content-Type %q, want 200 application/json", i, rec.Code, ct)
		}
	}
}

// TestRedeliveryWhileRunning: a copy that arrives while the first is still
// being handled gets 409 and does not reach the handler; Lark tries again
// later and then gets the answer.
func TestRedeliveryWhileRunning(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(t0)
	log := &logRecorder{}
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	h, err := webhook.New(webhook.Config{EncryptKey: encryptKey, VerificationToken: verificationToken, Clock: clk, Logger: slog.New(log)},
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			close(entered)
			<-release
			_, _ = w.Write([]byte("{}"))
		}))
	if err != nil {
		t.Fatal(err)
	}
	s := genuine(t, "n-running")
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, s.request())
		done <- rec.Code
	}()
	<-entered
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, s.request())
	if rec.Code != http.StatusConflict {
		t.Errorf("copy while running: status %d, want 409", rec.Code)
	}
	if r := log.rejections(); len(r) != 1 || r[0] != "delivery still in progress" {
		t.Errorf("rejections %q, want [delivery still in progress]", r)
	}
	close(release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("first delivery: status %d, want 200", code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, s.request())
	if rec.Code != http.StatusOK || rec.Body.String() != "{}" || calls.Load() != 1 {
		t.Errorf("copy after the first finished: status %d body %q, handler called %d times; want 200 {} and 1", rec.Code, rec.Body, calls.Load())
	}
}
