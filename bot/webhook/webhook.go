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
//  5. the nonce is new, or held by this very delivery (see "Repeated
//     deliveries" below), in Config.Nonces for Config.NonceTTL (else 401;
//     503 if the NonceStore fails, because an unchecked nonce is an open
//     door);
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
//
// # Repeated deliveries
//
// Lark pushes an event again when it got no HTTP 200 within 3 s (after
// 15 s, 5 min, 1 h and 6 h), and its at-least-once pipeline may push an
// event it had already delivered (事件概述, 推送周期和频次: 003-服务端API/
// 事件与回调/事件订阅/事件概述.md [D13d], and 常见问题 [D13b]). Neither those
// docs nor 接收事件 (the signature rules) say whether a re-push is signed
// again with a fresh X-Lark-Request-Timestamp and X-Lark-Request-Nonce or
// carries the first attempt's headers, and the SDK cannot tell us: v3.12.0's
// dispatcher recomputes the signature over whatever headers arrive and
// checks neither the timestamp nor the nonce (event/dispatcher/
// dispatcher.go). So the guard is right either way:
//
//   - A re-push signed afresh is a new delivery: it passes like any other,
//     and the bot de-duplicates it on header.event_id.
//   - A re-push with the first attempt's headers and body, byte for byte,
//     is recognised by its fingerprint, sha256 over (timestamp, nonce,
//     body), which the NonceStore keeps with the nonce for NonceTTL. If the
//     first attempt was answered with a 2xx, that answer (status,
//     Content-Type, body) is written again and the handler does not run: the
//     sender learns what it was already told, and whoever replays captured
//     bytes changes nothing. If the first attempt failed (any other status,
//     or an answer over maxStoredAnswer), the claim is released and the
//     same bytes are processed again while their timestamp is in the
//     window: that is exactly what Lark's retry asks for, and the handler is
//     idempotent by event_id. While the first attempt is still running the
//     copy gets 409, and Lark tries again later.
//   - A nonce reused with another timestamp or body is not a redelivery of
//     anything: 401, as before.
//   - A byte-identical redelivery whose timestamp has left the window (the
//     5-minute re-push of headers signed 5 min 15 s earlier) gets the
//     stored answer if its first attempt was answered — harmless, as above
//     — and 401 otherwise: admitting a signed request of any age that was
//     never processed is the replay the window exists to stop.
//
// The cost of the last rule: if Lark does keep the headers, an event whose
// first attempt and 15-second retry both failed is refused at 5 min, 1 h and
// 6 h, and lost. The bot therefore acknowledges every event at once and does
// long work afterwards, so that the first attempt succeeds.
package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
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
	// maxStoredAnswer bounds an answer kept for redeliveries. A callback's
	// replacement card is at most 30 KB; anything larger is not kept, and
	// a byte-identical redelivery is then processed again (the handler is
	// idempotent by event_id).
	maxStoredAnswer = 64 << 10
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
	// Nonces remembers nonces, the deliveries holding them and their
	// answers. Default: a MemoryNonceStore on Clock with
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
	// NonceTTL is how long a nonce, and the answer to its delivery, is
	// remembered; at least 2×Tolerance. Default DefaultNonceTTL.
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
// being authentic, fresh, carrying the verification token, and either
// first-seen or a byte-identical copy of one whose processing failed.
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
	fp := fingerprint(ts, nonce, body)
	// Compare in seconds: now±tolerance cannot overflow, sent-now could.
	now := h.cfg.Clock.Now().Unix()
	if sent < now-h.tolerance || sent > now+h.tolerance {
		h.serveStale(w, r, ts, nonce, sig, fp, body, sent, now)
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
	c, err := h.cfg.Nonces.Claim(r.Context(), nonce, fp, h.cfg.NonceTTL)
	if err != nil {
		h.reject(w, r, http.StatusServiceUnavailable, "nonce store failed", slog.String("error", err.Error()))
		return
	}
	switch c.State {
	case ClaimAnswered:
		h.replay(w, r, c.Answer)
		return
	case ClaimPending:
		h.reject(w, r, http.StatusConflict, "delivery still in progress")
		return
	case ClaimConflict:
		h.reject(w, r, http.StatusUnauthorized, "replayed nonce")
		return
	}
	rec := &recorder{ResponseWriter: w}
	defer h.settle(r, nonce, fp, rec)
	env, err := openBody(h.cfg.EncryptKey, body)
	if err != nil {
		h.reject(rec, r, http.StatusBadRequest, "cannot open body", slog.String("error", err.Error()))
		return
	}
	if !h.tokenOK(env) {
		h.reject(rec, r, http.StatusUnauthorized, "wrong verification token")
		return
	}
	if env.isChallenge() {
		h.answerChallenge(rec, r, env)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	h.next.ServeHTTP(rec, r)
}

// serveStale handles a delivery whose timestamp is outside the window: only
// a byte-identical copy of a delivery that was answered gets that answer
// again; anything else is refused (package comment, "Repeated
// deliveries").
func (h *handler) serveStale(w http.ResponseWriter, r *http.Request, ts, nonce, sig, fp string, body []byte, sent, now int64) {
	if len(nonce) <= maxNonceLen && validSignature(sig, ts, nonce, h.key, body) {
		c, err := h.cfg.Nonces.Peek(r.Context(), nonce, fp)
		if err != nil {
			h.reject(w, r, http.StatusServiceUnavailable, "nonce store failed", slog.String("error", err.Error()))
			return
		}
		if c.State == ClaimAnswered {
			h.replay(w, r, c.Answer)
			return
		}
	}
	h.reject(w, r, http.StatusUnauthorized, "timestamp outside tolerance",
		slog.Int64("timestamp", sent), slog.Int64("now", now))
}

// fingerprint identifies a delivery by its timestamp, nonce and body, each
// length-prefixed so that no two different triples share a hash.
func fingerprint(ts, nonce string, body []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(ts), []byte(nonce), body} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// storedAnswer is a 2xx answer kept for byte-identical redeliveries.
type storedAnswer struct {
	Status      int    `json:"s"`
	ContentType string `json:"t,omitempty"`
	Body        []byte `json:"b,omitempty"`
}

// settle records how a claimed delivery was answered: a 2xx is stored for
// redeliveries, anything else releases the claim so that the same bytes
// may be tried again. A store failure here only costs a redelivery its
// shortcut, so it is logged, not answered.
func (h *handler) settle(r *http.Request, nonce, fp string, rec *recorder) {
	ctx := context.WithoutCancel(r.Context())
	status := rec.status
	if status == 0 {
		status = http.StatusOK // the handler wrote nothing: net/http sends 200
	}
	var err error
	if status >= 200 && status < 300 && !rec.overflow {
		b, merr := json.Marshal(storedAnswer{Status: status, ContentType: rec.contentType, Body: rec.body.Bytes()})
		if merr != nil {
			err = merr
		} else {
			err = h.cfg.Nonces.Answer(ctx, nonce, fp, b)
		}
	} else {
		err = h.cfg.Nonces.Release(ctx, nonce, fp)
	}
	if err != nil {
		h.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "webhook: cannot record the answer for redeliveries",
			slog.String("error", err.Error()), slog.Int("status", status))
	}
}

// replay writes a stored answer again.
func (h *handler) replay(w http.ResponseWriter, r *http.Request, stored []byte) {
	var a storedAnswer
	if err := json.Unmarshal(stored, &a); err != nil || a.Status < 200 || a.Status > 299 {
		// Not written by settle: refuse rather than guess.
		h.reject(w, r, http.StatusServiceUnavailable, "nonce store failed", slog.String("error", "unreadable stored answer"))
		return
	}
	h.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "webhook: repeated delivery answered from the store",
		slog.Int("status", a.Status), slog.String("path", r.URL.Path), slog.String("remote", r.RemoteAddr))
	if a.ContentType != "" {
		w.Header().Set("Content-Type", a.ContentType)
	}
	w.WriteHeader(a.Status)
	_, _ = w.Write(a.Body)
}

// recorder passes an answer through and keeps a copy of it for settle.
type recorder struct {
	http.ResponseWriter
	status      int
	contentType string
	body        bytes.Buffer
	overflow    bool
}

// WriteHeader records the status and the Content-Type as sent.
func (rw *recorder) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
		rw.contentType = rw.ResponseWriter.Header().Get("Content-Type")
	}
	rw.ResponseWriter.WriteHeader(status)
}

// Write records up to maxStoredAnswer bytes of the body.
func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.WriteHeader(http.StatusOK)
	}
	if !rw.overflow {
		if rw.body.Len()+len(b) > maxStoredAnswer {
			rw.overflow = true
			rw.body.Reset()
		} else {
			rw.body.Write(b)
		}
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

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
