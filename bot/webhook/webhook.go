// Package webhook is the guarded HTTP entry for Lark events and card
// callbacks (docs/reliability.md §4, docs/lark.md §4).
//
// The SDK's own webhook handler is not enough on its own: it skips
// verification when the encrypt key is empty, compares signatures with ==,
// has no timestamp window or replay check, never checks the verification
// token of ordinary events and callbacks, and decrypts and parses a body
// before it has verified it. New wraps it (or any handler) so that a
// request reaches it only after, in this order:
//
//  1. the body fits in Config.MaxBodyBytes (else 413);
//  2. X-Lark-Request-Timestamp, X-Lark-Request-Nonce and X-Lark-Signature
//     are all present (else 401);
//  3. the timestamp is within Config.Tolerance of the clock, either way
//     (else 401);
//  4. X-Lark-Signature equals hex(sha256(timestamp + nonce + encrypt_key +
//     body)), compared in constant time (else 401);
//  5. the nonce has not been seen within Config.NonceTTL (else 401; 503 if
//     the NonceStore fails, because an unchecked nonce is an open door);
//  6. the body decrypts with the encrypt key and carries the verification
//     token, compared in constant time (else 400 / 401).
//
// url_verification challenges are answered here, never by the inner
// handler: the SDK checks their token with ==. docs/lark.md §4 does not say
// Lark signs the challenge and the SDK exempts it from signature checks, so
// a challenge without any of the three headers is also accepted — but only
// once it has decrypted under the encrypt key and its token matches. Answering
// a replayed challenge changes nothing, so it needs no nonce.
//
// Every rejection logs one line saying why and writes only the status code:
// no body, no state.
package webhook

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/kaohe/kaohe/clock"
)

// Lark's webhook request headers. [docs/lark.md §4]
const (
	HeaderTimestamp = "X-Lark-Request-Timestamp"
	HeaderNonce     = "X-Lark-Request-Nonce"
	HeaderSignature = "X-Lark-Signature"
)

// Defaults for the zero fields of Config.
const (
	// DefaultMaxBodyBytes bounds a body. Card callbacks are at most a few
	// KiB (a card is ≤ 30 KB), so 1 MiB leaves room without inviting
	// memory exhaustion.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultTolerance is Stripe's default: a delivery older or newer than
	// this is refused.
	DefaultTolerance = 300 * time.Second
	// DefaultNonceTTL is how long a nonce is remembered. A timestamp is
	// accepted anywhere in [now-Tolerance, now+Tolerance], so a captured
	// request stays replayable for up to 2×Tolerance after it was first
	// seen; 10 minutes covers that.
	DefaultNonceTTL = 10 * time.Minute
	// maxNonceLen bounds what a nonce can cost the NonceStore. Lark's are
	// short; anything longer is not Lark.
	maxNonceLen = 128
)

// ErrInvalidConfig is wrapped by every error New returns.
var ErrInvalidConfig = errors.New("webhook: invalid config")

// Config configures the guard. EncryptKey and VerificationToken are
// required; every other field has a default.
type Config struct {
	// EncryptKey is the app's Encrypt Key (事件与回调 > 加密策略). It signs
	// every delivery and encrypts every body. Required: without it Lark
	// neither signs nor encrypts, and nothing could be verified.
	EncryptKey string
	// VerificationToken is the app's Verification Token; every decrypted
	// body must carry it. Required.
	VerificationToken string
	// Clock judges timestamps and ages nonces. Default clock.Real{}.
	Clock clock.Clock
	// Nonces remembers nonces. Default: a MemoryNonceStore on Clock with
	// DefaultNonceCapacity. With several replicas behind a load balancer it
	// must be shared (Redis), or a request can be replayed once against
	// each replica; the inbound_dedupe table catches those. If it fails the
	// request is refused with 503; wrap it in a FallbackNonceStore to keep
	// answering while it is down.
	Nonces NonceStore
	// Logger receives one line per rejection. Default slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes caps the body. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Tolerance is how far a timestamp may be from Clock, either way.
	// Default DefaultTolerance.
	Tolerance time.Duration
	// NonceTTL is how long a nonce is remembered; at least 2×Tolerance.
	// Default DefaultNonceTTL.
	NonceTTL time.Duration
}

// withDefaults fills the zero fields and validates the result; errors name
// the field.
func (c Config) withDefaults() (Config, error) {
	if c.EncryptKey == "" {
		return c, fmt.Errorf("%w: EncryptKey is empty (Lark signs nothing without it)", ErrInvalidConfig)
	}
	if c.VerificationToken == "" {
		return c, fmt.Errorf("%w: VerificationToken is empty", ErrInvalidConfig)
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxBodyBytes < 0 {
		return c, fmt.Errorf("%w: MaxBodyBytes is negative", ErrInvalidConfig)
	}
	if c.Tolerance == 0 {
		c.Tolerance = DefaultTolerance
	}
	if c.Tolerance < time.Second {
		return c, fmt.Errorf("%w: Tolerance %v is below 1s (timestamps are whole seconds)", ErrInvalidConfig, c.Tolerance)
	}
	if c.NonceTTL == 0 {
		c.NonceTTL = DefaultNonceTTL
	}
	if c.NonceTTL < 2*c.Tolerance {
		return c, fmt.Errorf("%w: NonceTTL %v is below 2×Tolerance %v, so a request could be replayed", ErrInvalidConfig, c.NonceTTL, 2*c.Tolerance)
	}
	if c.Nonces == nil {
		c.Nonces = NewMemoryNonceStore(c.Clock, DefaultNonceCapacity)
	}
	return c, nil
}

// handler is the guard built by New.
type handler struct {
	cfg       Config
	key       []byte // EncryptKey, for the signature
	token     []byte // VerificationToken, for constant-time compares
	tolerance int64  // seconds
	next      http.Handler
}

// New returns next guarded as the package comment describes. next is meant
// to be the SDK's handler:
//
//	d := dispatcher.NewEventDispatcher(cfg.VerificationToken, cfg.EncryptKey)
//	h, err := webhook.New(cfg, http.HandlerFunc(httpserverext.NewEventHandlerFunc(d)))
//
// It receives the original body, unchanged, and can rely on the delivery
// being authentic, fresh, first-seen and carrying the verification token.
//
// New fails, with an error wrapping ErrInvalidConfig and naming the field,
// when EncryptKey or VerificationToken is empty, a limit is out of range,
// or next is nil.
func New(cfg Config, next http.Handler) (http.Handler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if next == nil {
		return nil, fmt.Errorf("%w: next handler is nil", ErrInvalidConfig)
	}
	return &handler{
		cfg:       cfg,
		key:       []byte(cfg.EncryptKey),
		token:     []byte(cfg.VerificationToken),
		tolerance: int64(cfg.Tolerance / time.Second),
		next:      next,
	}, nil
}

// ServeHTTP runs the checks in the documented order and hands the request on
// only if all pass.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		h.reject(w, r, http.StatusMethodNotAllowed, "method not allowed", slog.String("method", r.Method))
		return
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		h.reject(w, r, http.StatusRequestEntityTooLarge, "body too large", slog.Int64("content_length", r.ContentLength))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, "body too large", slog.Int64("limit", tooBig.Limit))
			return
		}
		h.reject(w, r, http.StatusBadRequest, "cannot read body", slog.String("error", err.Error()))
		return
	}

	ts, nonce, sig := r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderNonce), r.Header.Get(HeaderSignature)
	if ts == "" && nonce == "" && sig == "" {
		h.serveUnsigned(w, r, body)
		return
	}
	for _, hd := range [...]struct{ name, value string }{
		{HeaderTimestamp, ts}, {HeaderNonce, nonce}, {HeaderSignature, sig},
	} {
		if hd.value == "" {
			h.reject(w, r, http.StatusUnauthorized, "missing header "+hd.name)
			return
		}
	}
	sent, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		h.reject(w, r, http.StatusUnauthorized, "malformed timestamp")
		return
	}
	// Compare in seconds: now±tolerance cannot overflow, sent-now could.
	now := h.cfg.Clock.Now().Unix()
	if sent < now-h.tolerance || sent > now+h.tolerance {
		h.reject(w, r, http.StatusUnauthorized, "timestamp outside tolerance",
			slog.Int64("timestamp", sent), slog.Int64("now", now))
		return
	}
	if len(nonce) > maxNonceLen {
		h.reject(w, r, http.StatusUnauthorized, "nonce too long", slog.Int("len", len(nonce)))
		return
	}
	if !validSignature(sig, ts, nonce, h.key, body) {
		h.reject(w, r, http.StatusUnauthorized, "bad signature")
		return
	}
	// Only signed requests reach the store, so an attacker without the key
	// cannot fill it.
	seen, err := h.cfg.Nonces.Seen(r.Context(), nonce, h.cfg.NonceTTL)
	if err != nil {
		h.reject(w, r, http.StatusServiceUnavailable, "nonce store failed", slog.String("error", err.Error()))
		return
	}
	if seen {
		h.reject(w, r, http.StatusUnauthorized, "replayed nonce")
		return
	}
	env, err := openBody(h.cfg.EncryptKey, body)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "cannot open body", slog.String("error", err.Error()))
		return
	}
	if !h.tokenOK(env) {
		h.reject(w, r, http.StatusUnauthorized, "wrong verification token")
		return
	}
	if env.isChallenge() {
		h.answerChallenge(w, r, env)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	h.next.ServeHTTP(w, r)
}

// serveUnsigned handles a request with none of the signature headers: only
// a url_verification challenge that decrypts and carries the token may
// pass (see the package comment); anything else lacks the headers.
func (h *handler) serveUnsigned(w http.ResponseWriter, r *http.Request, body []byte) {
	env, err := openBody(h.cfg.EncryptKey, body)
	if err != nil || !env.isChallenge() {
		h.reject(w, r, http.StatusUnauthorized, "missing header "+HeaderTimestamp)
		return
	}
	if !h.tokenOK(env) {
		h.reject(w, r, http.StatusUnauthorized, "wrong verification token in unsigned url_verification")
		return
	}
	h.answerChallenge(w, r, env)
}

// tokenOK compares the body's token with the verification token in
// constant time.
func (h *handler) tokenOK(env envelope) bool {
	return subtle.ConstantTimeCompare([]byte(env.token()), h.token) == 1
}

// answerChallenge echoes the challenge as Lark expects, within its 1 s.
func (h *handler) answerChallenge(w http.ResponseWriter, r *http.Request, env envelope) {
	b, err := json.Marshal(map[string]string{"challenge": env.Challenge})
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "cannot encode challenge", slog.String("error", err.Error()))
		return
	}
	h.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "webhook: answered url_verification",
		slog.String("remote", r.RemoteAddr))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// reject logs why and writes the status, nothing more.
func (h *handler) reject(w http.ResponseWriter, r *http.Request, status int, reason string, attrs ...slog.Attr) {
	attrs = append([]slog.Attr{
		slog.String("reason", reason),
		slog.Int("status", status),
		slog.String("path", r.URL.Path),
		slog.String("remote", r.RemoteAddr),
	}, attrs...)
	h.cfg.Logger.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelWarn, "webhook: request rejected", attrs...)
	w.WriteHeader(status)
}
