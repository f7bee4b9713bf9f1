package webhook_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/webhook"
	"github.com/kaohe/kaohe/clock"
)

// FuzzServeHTTP feeds arbitrary headers and bodies to the guard (G10): it
// must not panic, and whatever reaches the inner handler must carry a valid
// signature over a fresh timestamp.
func FuzzServeHTTP(f *testing.F) {
	now := t0.Unix()
	ts := strconv.FormatInt(now, 10)
	s := genuine(f, "fuzz-nonce")
	good := s.request()
	f.Add(ts, "fuzz-nonce", good.Header.Get(webhook.HeaderSignature), s.body)
	f.Add(ts, "fuzz-nonce", good.Header.Get(webhook.HeaderSignature), s.body[:len(s.body)-2])
	f.Add("", "", "", s.body)
	f.Add("", "", "", encrypted(f, encryptKey, map[string]string{"type": "url_verification", "challenge": "c", "token": verificationToken}))
	f.Add(ts, "n", "00", []byte(`{"encrypt":""}`))
	f.Add("-9223372036854775808", "n", "", []byte("{"))
	f.Add(ts, "n", larksim.Signature(ts, "n", encryptKey, []byte(`{"encrypt":"AAAA"}`)), []byte(`{"encrypt":"AAAA"}`))
	f.Add(ts, "n", larksim.Signature(ts, "n", encryptKey, []byte(`null`)), []byte(`null`))

	f.Fuzz(func(t *testing.T, ts, nonce, sig string, body []byte) {
		clk := clock.NewFake(t0)
		reached := false
		h, err := webhook.New(webhook.Config{
			EncryptKey: encryptKey, VerificationToken: verificationToken,
			Clock: clk, Logger: slog.New(slog.DiscardHandler), MaxBodyBytes: 4 << 10,
		}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
		}))
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		req := httptest.NewRequest(http.MethodPost, "/lark/webhook", bytes.NewReader(body))
		for name, v := range map[string]string{webhook.HeaderTimestamp: ts, webhook.HeaderNonce: nonce, webhook.HeaderSignature: sig} {
			if v != "" {
				req.Header[name] = []string{v}
			}
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		if !reached {
			return
		}
		sent, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || sent < now-300 || sent > now+300 {
			t.Errorf("inner handler reached with timestamp %q", ts)
		}
		want := sha256.Sum256([]byte(ts + nonce + encryptKey + string(body)))
		got, err := hex.DecodeString(sig)
		if err != nil || !bytes.Equal(got, want[:]) {
			t.Errorf("inner handler reached with a bad signature %q", sig)
		}
	})
}

// BenchmarkVerify measures the accept path — size cap, headers, window,
// signature, nonce, decrypt and token check — for a typical callback.
func BenchmarkVerify(b *testing.B) {
	s := genuine(b, "bench")
	ts := strconv.FormatInt(s.ts, 10)
	sig := larksim.Signature(ts, s.nonce, encryptKey, s.body)
	h, err := webhook.New(webhook.Config{
		EncryptKey: encryptKey, VerificationToken: verificationToken,
		Clock: clock.NewFake(t0), Logger: slog.New(slog.DiscardHandler),
		Nonces: alwaysNew{}, // the benchmark repeats one nonce
	}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if err != nil {
		b.Fatalf("New: %v", err)
	}
	b.SetBytes(int64(len(s.body)))
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/lark/webhook", bytes.NewReader(s.body))
		req.Header[webhook.HeaderTimestamp] = []string{ts}
		req.Header[webhook.HeaderNonce] = []string{s.nonce}
		req.Header[webhook.HeaderSignature] = []string{sig}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkMemoryNonceStore measures Claim and Answer with fresh nonces in a store at
// steady state (expiring as fast as it fills).
func BenchmarkMemoryNonceStore(b *testing.B) {
	clk := clock.NewFake(t0)
	s := webhook.NewMemoryNonceStore(clk, 0)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		i++
		if i%10_000 == 0 {
			clk.Advance(time.Second)
		}
		n := strconv.Itoa(i)
		if _, err := s.Claim(ctx, n, "fp", 10*time.Second); err != nil {
			b.Fatalf("Claim: %v", err)
		}
		if err := s.Answer(ctx, n, "fp", []byte(`{"s":200}`)); err != nil {
			b.Fatalf("Answer: %v", err)
		}
	}
}

// alwaysNew is a NonceStore that has seen nothing.
type alwaysNew struct{}

func (alwaysNew) Claim(context.Context, string, string, time.Duration) (webhook.Claim, error) {
	return webhook.Claim{}, nil
}
func (alwaysNew) Peek(context.Context, string, string) (webhook.Claim, error) {
	return webhook.Claim{}, nil
}
func (alwaysNew) Answer(context.Context, string, string, []byte) error { return nil }
func (alwaysNew) Release(context.Context, string, string) error        { return nil }
