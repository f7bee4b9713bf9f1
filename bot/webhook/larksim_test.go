package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lark "github.com/larksuite/oapi-sdk-go/v3"
	"github.com/larksuite/oapi-sdk-go/v3/core/httpserverext"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/clock"
)

// nopLogger keeps the SDK quiet.
type nopLogger struct{}

func (nopLogger) Debug(context.Context, ...any) {}
func (nopLogger) Info(context.Context, ...any)  {}
func (nopLogger) Warn(context.Context, ...any)  {}
func (nopLogger) Error(context.Context, ...any) {}

// appSeq gives every simulator its own app id: the SDK caches tokens per
// app id, process-wide.
var appSeq atomic.Int64

// capturedRequest is a delivery as it arrived on the wire.
type capturedRequest struct {
	header http.Header
	body   []byte
}

// simEnv is larksim delivering to the guard around a real SDK dispatcher.
type simEnv struct {
	clk       *clock.Fake
	guardClk  *clock.Fake
	sim       *larksim.Server
	client    *lark.Client
	guardURL  string
	log       *logRecorder
	callbacks atomic.Int64

	// failEvents is how many more event deliveries the handler fails
	// (the SDK then answers 500); events counts every delivery it saw.
	failEvents atomic.Int64
	events     atomic.Int64

	mu        sync.Mutex
	operators []string
	captured  []capturedRequest
}

// newSimEnv starts larksim on a fake clock at t0 and the guarded SDK
// handler on a fake clock guardSkew ahead of it, and points larksim's
// callback URL at the guard. e.clk is larksim's clock; the guard's clock
// follows it through e.advance.
func newSimEnv(t *testing.T, toast *callback.Toast, guardSkew time.Duration) *simEnv {
	t.Helper()
	e := &simEnv{clk: clock.NewFake(t0), guardClk: clock.NewFake(t0.Add(guardSkew)), log: &logRecorder{}}
	n := appSeq.Add(1)
	e.sim = larksim.New(larksim.Options{
		AppID: fmt.Sprintf("cli_webhook%04d", n), AppSecret: fmt.Sprintf("secret%04d", n), Clock: e.clk,
	})
	simSrv := httptest.NewServer(e.sim)
	t.Cleanup(simSrv.Close)
	e.client = lark.NewClient(e.sim.AppID(), e.sim.AppSecret(),
		lark.WithOpenBaseUrl(simSrv.URL), lark.WithReqTimeout(10*time.Second), lark.WithLogger(nopLogger{}))

	d := dispatcher.NewEventDispatcher(verificationToken, encryptKey)
	d.OnP2CardActionTrigger(func(_ context.Context, ev *callback.CardActionTriggerEvent) (*callback.CardActionTriggerResponse, error) {
		e.callbacks.Add(1)
		e.mu.Lock()
		e.operators = append(e.operators, ev.Event.Operator.OpenID)
		e.mu.Unlock()
		return &callback.CardActionTriggerResponse{Toast: toast}, nil
	})
	d.OnP2MessageReceiveV1(func(context.Context, *larkim.P2MessageReceiveV1) error {
		e.events.Add(1)
		if e.failEvents.Add(-1) >= 0 {
			return errors.New("handler failed")
		}
		return nil
	})
	sdk := http.HandlerFunc(httpserverext.NewEventHandlerFunc(d, larkevent.WithLogger(nopLogger{})))
	guarded, err := webhook.New(webhook.Config{
		EncryptKey: encryptKey, VerificationToken: verificationToken,
		Clock: e.guardClk, Logger: slog.New(e.log),
	}, sdk)
	if err != nil {
		t.Fatalf("webhook.New: %v", err)
	}
	// Record each delivery as it arrived, so the test can replay it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		e.mu.Lock()
		e.captured = append(e.captured, capturedRequest{header: r.Header.Clone(), body: b})
		e.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		guarded.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.guardURL = srv.URL
	e.sim.Configure(larksim.WebhookConfig{
		CallbackURL: srv.URL, VerificationToken: verificationToken, EncryptKey: encryptKey,
	})
	return e
}

// advance moves both clocks.
func (e *simEnv) advance(d time.Duration) {
	e.clk.Advance(d)
	e.guardClk.Advance(d)
}

// sendCard sends a JSON 2.0 card with one callback button to openID.
func (e *simEnv) sendCard(t *testing.T, openID string) string {
	t.Helper()
	card := `{"schema":"2.0","config":{"update_multi":true},` +
		`"header":{"title":{"tag":"plain_text","content":"审批"},"template":"blue"},` +
		`"body":{"elements":[{"tag":"button","name":"approve_btn","text":{"tag":"plain_text","content":"同意"},` +
		`"behaviors":[{"type":"callback","value":{"step_id":"7","version":"3"}}]}]}}`
	body := larkim.NewCreateMessageReqBodyBuilder().ReceiveId(openID).MsgType("interactive").Content(card).Build()
	resp, err := e.client.Im.Message.Create(t.Context(),
		larkim.NewCreateMessageReqBuilder().ReceiveIdType("open_id").Body(body).Build())
	if err != nil {
		t.Fatalf("send card: %v", err)
	}
	if !resp.Success() {
		t.Fatalf("send card: code %d msg %q", resp.Code, resp.Msg)
	}
	return *resp.Data.MessageId
}

// TestLarksimClickPassesThrough: a genuine card callback from larksim —
// encrypted and signed as Lark does — passes the guard, reaches a real SDK
// dispatcher whose handler sees the operator's open_id, and the toast it
// returns is parsed back by larksim. The same bytes sent again get the
// stored answer without reaching the handler; the same nonce with another
// body is refused.
func TestLarksimClickPassesThrough(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, &callback.Toast{Type: "success", Content: "已同意"}, 0)
	u, err := e.sim.AddUser(larksim.User{Name: "李科长", Email: "li@example.gov.cn"})
	if err != nil {
		t.Fatalf("AddUser: %v", err)
	}
	msgID := e.sendCard(t, u.OpenID)

	reply, err := e.sim.ClickButton(t.Context(), msgID, u.OpenID, "approve_btn", nil)
	if err != nil {
		t.Fatalf("ClickButton: %v", err)
	}
	if reply.Toast == nil || reply.Toast.Type != "success" || reply.Toast.Content != "已同意" {
		t.Errorf("toast = %+v, want success 已同意", reply.Toast)
	}
	e.mu.Lock()
	ops := append([]string(nil), e.operators...)
	captured := append([]capturedRequest(nil), e.captured...)
	e.mu.Unlock()
	if len(ops) != 1 || ops[0] != u.OpenID {
		t.Fatalf("handler saw operators %q, want [%q]", ops, u.OpenID)
	}
	if r := e.log.rejections(); len(r) != 0 {
		t.Errorf("rejections %q, want none", r)
	}

	// The replay: the same headers and body, a second later.
	if len(captured) != 1 {
		t.Fatalf("captured %d deliveries, want 1", len(captured))
	}
	e.advance(time.Second)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.guardURL, bytes.NewReader(captured[0].body))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	req.Header = captured[0].header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	replayed, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(replayed, []byte("已同意")) {
		t.Errorf("replay: status %d body %s, want 200 with the first answer's toast", resp.StatusCode, replayed)
	}
	if n := e.callbacks.Load(); n != 1 {
		t.Errorf("handler called %d times, want 1", n)
	}
	if r := e.log.rejections(); len(r) != 0 {
		t.Errorf("rejections %q, want none", r)
	}

	// The nonce again, correctly signed, over another body: not a copy.
	other := append(bytes.Clone(captured[0].body[:len(captured[0].body)-1]), ' ', '}')
	h := captured[0].header.Clone()
	h.Set(webhook.HeaderSignature, larksim.Signature(h.Get(webhook.HeaderTimestamp), h.Get(webhook.HeaderNonce), encryptKey, other))
	req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, e.guardURL, bytes.NewReader(other))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	req.Header = h
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("reused nonce: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("reused nonce, other body: status %d, want 401", resp.StatusCode)
	}
	if r := e.log.rejections(); len(r) != 1 || r[0] != "replayed nonce" {
		t.Errorf("rejections %q, want [replayed nonce]", r)
	}
	if n := e.callbacks.Load(); n != 1 {
		t.Errorf("handler called %d times, want 1", n)
	}
}

// TestLarksimClickWithSkewedClock: when the guard's clock and Lark's
// disagree by more than the tolerance, larksim's click fails as the user
// would see it (non-200), and the handler is not reached.
func TestLarksimClickWithSkewedClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		skew time.Duration
		ok   bool
	}{
		{name: "InWindow", skew: 299 * time.Second, ok: true},
		{name: "Stale", skew: 301 * time.Second, ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, &callback.Toast{Type: "info", Content: "ok"}, tc.skew)
			u, err := e.sim.AddUser(larksim.User{Name: "王主任"})
			if err != nil {
				t.Fatalf("AddUser: %v", err)
			}
			msgID := e.sendCard(t, u.OpenID)

			reply, err := e.sim.ClickButton(t.Context(), msgID, u.OpenID, "approve_btn", nil)

			if tc.ok {
				if err != nil {
					t.Fatalf("ClickButton: %v", err)
				}
				if reply.Toast == nil || reply.Toast.Content != "ok" {
					t.Errorf("toast = %+v, want ok", reply.Toast)
				}
				if n := e.callbacks.Load(); n != 1 {
					t.Errorf("handler called %d times, want 1", n)
				}
				return
			}
			var ce *larksim.ClientError
			if !errors.As(err, &ce) || ce.Code != larksim.ClientBadStatus {
				t.Fatalf("ClickButton error = %v, want a ClientError %d", err, larksim.ClientBadStatus)
			}
			if ce.Reply == nil || ce.Reply.StatusCode != http.StatusUnauthorized {
				t.Errorf("reply = %+v, want HTTP 401", ce.Reply)
			}
			if n := e.callbacks.Load(); n != 0 {
				t.Errorf("handler called %d times, want 0", n)
			}
			if r := e.log.rejections(); len(r) != 1 || r[0] != "timestamp outside tolerance" {
				t.Errorf("rejections %q, want [timestamp outside tolerance]", r)
			}
		})
	}
}

// TestLarksimRepush: Lark re-pushes an event its first attempt did not get
// acknowledged, and may push an acknowledged one again. Whether a re-push
// is signed afresh or repeats the first request byte for byte (larksim
// WebhookConfig.RepushReusesHeaders) the guard lets the event through once
// it can be processed, and never runs an answered delivery twice for the
// same bytes.
func TestLarksimRepush(t *testing.T) {
	t.Parallel()
	type step struct {
		advance time.Duration
		// repush re-pushes the event whatever its state (Lark's
		// at-least-once); otherwise RetryDue pushes what is due.
		repush bool
		status int // the attempt's HTTP status
		acked  bool
		events int64 // handler runs so far
	}
	tests := []struct {
		name   string
		reuse  bool
		fail   int64 // the handler fails its first fail runs
		steps  []step
		reason string // the guard's one rejection, if any
	}{
		{name: "ReSignedAfterAFailure", fail: 1, steps: []step{
			{advance: 15 * time.Second, status: 200, acked: true, events: 2},
		}},
		{name: "SameBytesAfterAFailure", reuse: true, fail: 1, steps: []step{
			{advance: 15 * time.Second, status: 200, acked: true, events: 2},
		}},
		{name: "ReSignedAfterSuccessRunsAgain", steps: []step{
			{advance: time.Minute, repush: true, status: 200, acked: true, events: 2},
		}},
		{name: "SameBytesAfterSuccessGetTheAnswer", reuse: true, steps: []step{
			{advance: time.Minute, repush: true, status: 200, acked: true, events: 1},
			{advance: 5 * time.Minute, repush: true, status: 200, acked: true, events: 1},
		}},
		{name: "ReSignedAfterTwoFailuresAt5Min", fail: 2, steps: []step{
			{advance: 15 * time.Second, status: 500, events: 2},
			{advance: 5 * time.Minute, status: 200, acked: true, events: 3},
		}},
		{name: "SameBytesAfterTwoFailuresAt5MinAreStale", reuse: true, fail: 2, reason: "timestamp outside tolerance", steps: []step{
			{advance: 15 * time.Second, status: 500, events: 2},
			{advance: 5 * time.Minute, status: 401, events: 2},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newSimEnv(t, nil, 0)
			e.sim.Configure(larksim.WebhookConfig{CallbackURL: e.guardURL, VerificationToken: verificationToken,
				EncryptKey: encryptKey, RepushReusesHeaders: tc.reuse})
			e.failEvents.Store(tc.fail)
			u, err := e.sim.AddUser(larksim.User{Name: "张科员"})
			if err != nil {
				t.Fatal(err)
			}
			first, err := e.sim.SendText(t.Context(), u.OpenID, "", "周记实")
			if err != nil {
				t.Fatalf("SendText: %v", err)
			}
			if wantOK := tc.fail == 0; first.Acked != wantOK {
				t.Fatalf("first push acked = %v (status %d), want %v", first.Acked, first.LastStatus, wantOK)
			}
			for i, st := range tc.steps {
				e.advance(st.advance)
				var got larksim.EventDelivery
				if st.repush {
					var ok bool
					if got, ok = e.sim.Repush(t.Context(), first.EventID); !ok {
						t.Fatalf("step %d: Repush: unknown event", i)
					}
				} else {
					due := e.sim.RetryDue(t.Context())
					if len(due) != 1 {
						t.Fatalf("step %d: %d events due, want 1", i, len(due))
					}
					got = due[0]
				}
				if got.LastStatus != st.status || got.Acked != st.acked {
					t.Errorf("step %d: status %d acked %v, want %d %v", i, got.LastStatus, got.Acked, st.status, st.acked)
				}
				if n := e.events.Load(); n != st.events {
					t.Errorf("step %d: handler ran %d times, want %d", i, n, st.events)
				}
			}
			e.mu.Lock()
			captured := append([]capturedRequest(nil), e.captured...)
			e.mu.Unlock()
			nonces := map[string]bool{}
			for _, c := range captured {
				nonces[c.header.Get(webhook.HeaderNonce)] = true
			}
			if want := 1; tc.reuse && len(nonces) != want {
				t.Errorf("%d nonces over %d pushes, want the first one reused", len(nonces), len(captured))
			}
			if !tc.reuse && len(nonces) != len(captured) {
				t.Errorf("%d nonces over %d pushes, want a new one each time", len(nonces), len(captured))
			}
			r := e.log.rejections()
			if tc.reason == "" && len(r) != 0 || tc.reason != "" && (len(r) != 1 || r[0] != tc.reason) {
				t.Errorf("rejections %q, want [%s]", r, tc.reason)
			}
		})
	}
}
