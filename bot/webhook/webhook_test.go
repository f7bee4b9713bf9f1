package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/webhook"
)

// TestNewRefusesConfig: the guard will not start half-configured, and the
// error names the field (G7 "empty key at start").
func TestNewRefusesConfig(t *testing.T) {
	t.Parallel()
	ok := http.NotFoundHandler()
	tests := []struct {
		name  string
		cfg   webhook.Config
		next  http.Handler
		field string
	}{
		{name: "EmptyEncryptKey", cfg: webhook.Config{VerificationToken: "vt"}, next: ok, field: "EncryptKey"},
		{name: "EmptyVerificationToken", cfg: webhook.Config{EncryptKey: "ek"}, next: ok, field: "VerificationToken"},
		{name: "BothEmpty", cfg: webhook.Config{}, next: ok, field: "EncryptKey"},
		{name: "NilNext", cfg: webhook.Config{EncryptKey: "ek", VerificationToken: "vt"}, next: nil, field: "next"},
		{name: "NegativeMaxBody", cfg: webhook.Config{EncryptKey: "ek", VerificationToken: "vt", MaxBodyBytes: -1}, next: ok, field: "MaxBodyBytes"},
		{name: "SubSecondTolerance", cfg: webhook.Config{EncryptKey: "ek", VerificationToken: "vt", Tolerance: time.Millisecond}, next: ok, field: "Tolerance"},
		{name: "NonceTTLShorterThanWindow", cfg: webhook.Config{EncryptKey: "ek", VerificationToken: "vt", NonceTTL: 5 * time.Minute}, next: ok, field: "NonceTTL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := webhook.New(tc.cfg, tc.next)
			if err == nil {
				t.Fatalf("New = %v, nil; want an error naming %s", h, tc.field)
			}
			if !errors.Is(err, webhook.ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

// TestRejects is G7: every forged, altered, stale, replayed or incomplete
// delivery is refused with the right status, one log line saying why, no
// body, and the inner handler is never called.
func TestRejects(t *testing.T) {
	t.Parallel()
	now := t0.Unix()
	tests := []struct {
		name   string
		mod    func(*webhook.Config)
		setup  func(t *testing.T, g *guard) // runs first; its calls are not counted
		req    func(t *testing.T) *http.Request
		status int
		reason string
	}{
		{
			name: "ForgedSignature",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-forged")
				s.key = "not-the-key"
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "bad signature",
		},
		{
			name: "SignatureNotHex",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-nothex").request()
				r.Header.Set(webhook.HeaderSignature, strings.Repeat("zz", 32))
				return r
			},
			status: http.StatusUnauthorized, reason: "bad signature",
		},
		{
			name: "SignatureTruncated",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-trunc").request()
				r.Header.Set(webhook.HeaderSignature, r.Header.Get(webhook.HeaderSignature)[:63])
				return r
			},
			status: http.StatusUnauthorized, reason: "bad signature",
		},
		{
			name: "FlippedByteInBody",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-flip")
				r := s.request()
				b := bytes.Clone(s.body)
				b[len(b)/2] ^= 0x01
				r.Body = readCloser(b)
				return r
			},
			status: http.StatusUnauthorized, reason: "bad signature",
		},
		{
			name: "FlippedByteInTimestamp",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-flipts").request()
				r.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now-1, 10))
				return r
			},
			status: http.StatusUnauthorized, reason: "bad signature",
		},
		{
			name: "StaleTimestamp",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-stale")
				s.ts = now - 301
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "timestamp outside tolerance",
		},
		{
			name: "FutureTimestamp",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-future")
				s.ts = now + 301
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "timestamp outside tolerance",
		},
		{
			name: "StaleAfterClockMoves",
			setup: func(t *testing.T, g *guard) {
				g.clk.Advance(301 * time.Second)
			},
			req:    func(t *testing.T) *http.Request { return genuine(t, "n-moved").request() },
			status: http.StatusUnauthorized, reason: "timestamp outside tolerance",
		},
		{
			name: "MalformedTimestamp",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-malts").request()
				r.Header.Set(webhook.HeaderTimestamp, "1740992400.5")
				return r
			},
			status: http.StatusUnauthorized, reason: "malformed timestamp",
		},
		{
			name: "HugeTimestamp",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-huge")
				s.ts = -1 << 63
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "timestamp outside tolerance",
		},
		{
			name: "ReplayedNonce",
			setup: func(t *testing.T, g *guard) {
				if rec := g.serve(genuine(t, "n-replay").request()); rec.Code != http.StatusOK {
					t.Fatalf("first delivery: status %d, want 200", rec.Code)
				}
			},
			req:    func(t *testing.T) *http.Request { return genuine(t, "n-replay").request() },
			status: http.StatusUnauthorized, reason: "replayed nonce",
		},
		{
			name: "ReplayedNonceNewSignature",
			setup: func(t *testing.T, g *guard) {
				if rec := g.serve(genuine(t, "n-replay2").request()); rec.Code != http.StatusOK {
					t.Fatalf("first delivery: status %d, want 200", rec.Code)
				}
				g.clk.Advance(4 * time.Minute)
			},
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-replay2")
				s.ts = now + 240
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "replayed nonce",
		},
		{
			name: "ReplayedWhileSharedStoreDown",
			mod: func(c *webhook.Config) {
				c.Nonces = &webhook.FallbackNonceStore{Primary: failingStore{}, Fallback: webhook.NewMemoryNonceStore(c.Clock, 10)}
			},
			setup: func(t *testing.T, g *guard) {
				if rec := g.serve(genuine(t, "n-fallback").request()); rec.Code != http.StatusOK {
					t.Fatalf("first delivery: status %d, want 200", rec.Code)
				}
			},
			req:    func(t *testing.T) *http.Request { return genuine(t, "n-fallback").request() },
			status: http.StatusUnauthorized, reason: "replayed nonce",
		},
		{
			name: "NonceTooLong",
			req: func(t *testing.T) *http.Request {
				return genuine(t, strings.Repeat("n", 129)).request()
			},
			status: http.StatusUnauthorized, reason: "nonce too long",
		},
		{
			name: "MissingTimestamp",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-mts").request()
				r.Header.Del(webhook.HeaderTimestamp)
				return r
			},
			status: http.StatusUnauthorized, reason: "missing header " + webhook.HeaderTimestamp,
		},
		{
			name: "MissingNonce",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-mnonce").request()
				r.Header.Del(webhook.HeaderNonce)
				return r
			},
			status: http.StatusUnauthorized, reason: "missing header " + webhook.HeaderNonce,
		},
		{
			name: "MissingSignature",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-msig").request()
				r.Header.Del(webhook.HeaderSignature)
				return r
			},
			status: http.StatusUnauthorized, reason: "missing header " + webhook.HeaderSignature,
		},
		{
			name: "MissingAllHeaders",
			req: func(t *testing.T) *http.Request {
				r := genuine(t, "n-mall").request()
				r.Header.Del(webhook.HeaderTimestamp)
				r.Header.Del(webhook.HeaderNonce)
				r.Header.Del(webhook.HeaderSignature)
				return r
			},
			status: http.StatusUnauthorized, reason: "missing header " + webhook.HeaderTimestamp,
		},
		{
			name: "OversizedBodyDeclared",
			mod:  func(c *webhook.Config) { c.MaxBodyBytes = 1 << 10 },
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-big")
				s.body = bytes.Repeat([]byte{'x'}, 1<<10+1)
				return s.request()
			},
			status: http.StatusRequestEntityTooLarge, reason: "body too large",
		},
		{
			name: "OversizedBodyChunked",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-bigchunked")
				s.body = bytes.Repeat([]byte{'x'}, webhook.DefaultMaxBodyBytes+1)
				r := s.request()
				r.ContentLength = -1 // as with Transfer-Encoding: chunked
				return r
			},
			status: http.StatusRequestEntityTooLarge, reason: "body too large",
		},
		{
			name: "WrongTokenInDecryptedBody",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-token")
				s.body = encrypted(t, encryptKey, callbackPayload("vt-someone-else"))
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "wrong verification token",
		},
		{
			name: "NoTokenInDecryptedBody",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-notoken")
				s.body = encrypted(t, encryptKey, map[string]any{"schema": "2.0", "header": map[string]any{"event_type": "card.action.trigger"}})
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "wrong verification token",
		},
		{
			name: "SignedButNotEncrypted",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-plain")
				s.body, _ = json.Marshal(callbackPayload(verificationToken))
				return s.request()
			},
			status: http.StatusBadRequest, reason: "cannot open body",
		},
		{
			name: "SignedButEncryptedUnderOtherKey",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-otherkey")
				s.body = encrypted(t, "other-key", callbackPayload(verificationToken))
				return s.request()
			},
			status: http.StatusBadRequest, reason: "cannot open body",
		},
		{
			name: "WrongTokenInSignedChallenge",
			req: func(t *testing.T) *http.Request {
				s := genuine(t, "n-challenge")
				s.body = encrypted(t, encryptKey, map[string]string{"type": "url_verification", "challenge": "c", "token": "wrong"})
				return s.request()
			},
			status: http.StatusUnauthorized, reason: "wrong verification token",
		},
		{
			name: "WrongTokenInUnsignedChallenge",
			req: func(t *testing.T) *http.Request {
				body := encrypted(t, encryptKey, map[string]string{"type": "url_verification", "challenge": "c", "token": "wrong"})
				return httptest.NewRequest(http.MethodPost, "/lark/webhook", bytes.NewReader(body))
			},
			status: http.StatusUnauthorized, reason: "wrong verification token in unsigned url_verification",
		},
		{
			name: "UnsignedChallengeUnderOtherKey",
			req: func(t *testing.T) *http.Request {
				body := encrypted(t, "other-key", map[string]string{"type": "url_verification", "challenge": "c", "token": verificationToken})
				return httptest.NewRequest(http.MethodPost, "/lark/webhook", bytes.NewReader(body))
			},
			status: http.StatusUnauthorized, reason: "missing header " + webhook.HeaderTimestamp,
		},
		{
			name: "UnsignedPlainChallenge",
			req: func(t *testing.T) *http.Request {
				body, _ := json.Marshal(map[string]string{"type": "url_verification", "challenge": "c", "token": verificationToken})
				return httptest.NewRequest(http.MethodPost, "/lark/webhook", bytes.NewReader(body))
			},
			status: http.StatusUnauthorized, reason: "missing header " + webhook.HeaderTimestamp,
		},
		{
			name: "NonceStoreDown",
			mod:  func(c *webhook.Config) { c.Nonces = failingStore{} },
			req:  func(t *testing.T) *http.Request { return genuine(t, "n-down").request() },
			// Fail closed: an unchecked nonce could be a replay.
			status: http.StatusServiceUnavailable, reason: "nonce store failed",
		},
		{
			name: "GetMethod",
			req: func(t *testing.T) *http.Request {
				return httptest.NewRequest(http.MethodGet, "/lark/webhook", nil)
			},
			status: http.StatusMethodNotAllowed, reason: "method not allowed",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGuard(t, tc.mod)
			if tc.setup != nil {
				tc.setup(t, g)
			}
			g.calls.Store(0)
			g.log.reset()

			rec := g.serve(tc.req(t))

			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			if n := g.calls.Load(); n != 0 {
				t.Errorf("inner handler called %d times, want 0", n)
			}
			if rec.Body.Len() != 0 {
				t.Errorf("body = %q, want none", rec.Body)
			}
			got := g.log.rejections()
			if len(got) != 1 || got[0] != tc.reason {
				t.Errorf("logged rejections %q, want exactly [%q]", got, tc.reason)
			}
		})
	}
}

// TestAccepts: genuine deliveries, including those at the edges of the
// window, reach the inner handler with the body unchanged; challenges are
// answered by the guard itself.
func TestAccepts(t *testing.T) {
	t.Parallel()
	now := t0.Unix()
	challenge := func(t *testing.T) []byte {
		return encrypted(t, encryptKey, map[string]string{"type": "url_verification", "challenge": "ch-123", "token": verificationToken})
	}
	tests := []struct {
		name      string
		req       func(t *testing.T) (*http.Request, []byte)
		wantInner int64
		wantBody  string
	}{
		{
			name: "Genuine",
			req: func(t *testing.T) (*http.Request, []byte) {
				s := genuine(t, "n-ok")
				return s.request(), s.body
			},
			wantInner: 1, wantBody: "{}",
		},
		{
			name: "OldestAllowed",
			req: func(t *testing.T) (*http.Request, []byte) {
				s := genuine(t, "n-oldest")
				s.ts = now - 300
				return s.request(), s.body
			},
			wantInner: 1, wantBody: "{}",
		},
		{
			name: "NewestAllowed",
			req: func(t *testing.T) (*http.Request, []byte) {
				s := genuine(t, "n-newest")
				s.ts = now + 300
				return s.request(), s.body
			},
			wantInner: 1, wantBody: "{}",
		},
		{
			name: "UppercaseHexSignature",
			req: func(t *testing.T) (*http.Request, []byte) {
				s := genuine(t, "n-upper")
				r := s.request()
				r.Header.Set(webhook.HeaderSignature, strings.ToUpper(r.Header.Get(webhook.HeaderSignature)))
				return r, s.body
			},
			wantInner: 1, wantBody: "{}",
		},
		{
			name: "SignedChallenge",
			req: func(t *testing.T) (*http.Request, []byte) {
				s := genuine(t, "n-ch")
				s.body = challenge(t)
				return s.request(), nil
			},
			wantInner: 0, wantBody: `{"challenge":"ch-123"}`,
		},
		{
			name: "UnsignedChallenge",
			req: func(t *testing.T) (*http.Request, []byte) {
				return httptest.NewRequest(http.MethodPost, "/lark/webhook", bytes.NewReader(challenge(t))), nil
			},
			wantInner: 0, wantBody: `{"challenge":"ch-123"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGuard(t, nil)
			req, want := tc.req(t)

			rec := g.serve(req)

			if rec.Code != http.StatusOK {
				t.Errorf("status = %d, want 200", rec.Code)
			}
			if got := g.calls.Load(); got != tc.wantInner {
				t.Errorf("inner handler called %d times, want %d", got, tc.wantInner)
			}
			if got := rec.Body.String(); got != tc.wantBody {
				t.Errorf("body = %q, want %q", got, tc.wantBody)
			}
			if seen := g.lastBody(); want != nil && !bytes.Equal(seen, want) {
				t.Errorf("inner handler read %q, want the original body %q", seen, want)
			}
			if r := g.log.rejections(); len(r) != 0 {
				t.Errorf("logged rejections %q, want none", r)
			}
		})
	}
}

// TestNonceForgottenAfterTTL: a nonce is remembered for NonceTTL, then
// forgotten (by then its timestamp is long outside the window).
func TestNonceForgottenAfterTTL(t *testing.T) {
	t.Parallel()
	g := newGuard(t, nil)
	s := genuine(t, "n-ttl")
	if rec := g.serve(s.request()); rec.Code != http.StatusOK {
		t.Fatalf("first: status %d, want 200", rec.Code)
	}
	g.clk.Advance(webhook.DefaultNonceTTL)
	s.ts = g.clk.Now().Unix()
	if rec := g.serve(s.request()); rec.Code != http.StatusOK {
		t.Errorf("after TTL: status %d, want 200", rec.Code)
	}
}

// TestLarksimVerifyURL: larksim's url_verification (encrypted and, as
// larksim does, signed) passes through the guard.
func TestLarksimVerifyURL(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t, nil, 0)
	if err := e.sim.VerifyURL(t.Context(), e.guardURL); err != nil {
		t.Fatalf("VerifyURL: %v", err)
	}
	if n := e.callbacks.Load(); n != 0 {
		t.Errorf("card handler called %d times, want 0", n)
	}
}
