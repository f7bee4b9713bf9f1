package larksim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Webhook request headers. [D11b]
const (
	HeaderTimestamp = "X-Lark-Request-Timestamp"
	HeaderNonce     = "X-Lark-Request-Nonce"
	HeaderSignature = "X-Lark-Signature"
)

// WebhookConfig is the app's 事件与回调 setup in the developer console.
type WebhookConfig struct {
	// CallbackURL receives card callbacks (回调配置); one per app. [D11]
	CallbackURL string
	// EventURL receives events (事件配置); "" means CallbackURL.
	EventURL string
	// VerificationToken is sent as header.token (token for url_verification).
	VerificationToken string
	// EncryptKey, when set, encrypts every body and signs every request.
	EncryptKey string
	// LongConnection delivers callbacks and events over the long
	// connection (使用长连接接收) instead of HTTP: plaintext frames to one
	// connected larkws client, chosen at random. The URLs, token and key
	// are then unused. [D10b][D13c]
	LongConnection bool
	// RepushReusesHeaders makes every re-push of an event (RetryDue,
	// Repush) send the first attempt's request again byte for byte: the
	// same X-Lark-Request-Timestamp, nonce, signature and encrypted body.
	// By default a re-push is encrypted and signed afresh, with a new
	// timestamp and nonce. The docs do not say which Lark does (docs/lark.md
	// §4, "Re-pushed events and the guard"), so tests run the guard both
	// ways.
	RepushReusesHeaders bool
}

// Configure sets the webhook configuration.
func (s *Server) Configure(c WebhookConfig) {
	s.mu.Lock()
	s.webhook = c
	s.mu.Unlock()
}

func (c WebhookConfig) eventURL() string {
	if c.EventURL != "" {
		return c.EventURL
	}
	return c.CallbackURL
}

// delivery is the outcome of one webhook POST.
type delivery struct {
	status  int
	body    []byte
	err     error
	timeout bool
	connect bool
}

// wire is one webhook request as it goes out: the body after encryption
// and, with an Encrypt Key, the three signature headers.
type wire struct {
	body           []byte
	ts, nonce, sig string
}

// seal encrypts and signs plain per cfg, at the server clock's now.
func (s *Server) seal(cfg WebhookConfig, plain []byte) (*wire, error) {
	w := &wire{body: plain}
	if cfg.EncryptKey == "" {
		return w, nil
	}
	enc, err := Encrypt(cfg.EncryptKey, plain)
	if err != nil {
		return nil, err
	}
	w.body, _ = json.Marshal(map[string]string{"encrypt": enc})
	w.ts = strconv.FormatInt(s.opts.Clock.Now().Unix(), 10)
	w.nonce = cryptoHex(16)
	w.sig = Signature(w.ts, w.nonce, cfg.EncryptKey, w.body)
	return w, nil
}

// post sends plain (encrypted and signed per cfg) to url and waits at most
// timeout (real time) for the answer.
func (s *Server) post(ctx context.Context, cfg WebhookConfig, url string, plain []byte, timeout time.Duration) delivery {
	if cfg.LongConnection {
		return s.pushWS(ctx, plain, timeout)
	}
	w, err := s.seal(cfg, plain)
	if err != nil {
		return delivery{err: err}
	}
	return s.send(ctx, url, w, timeout)
}

// send posts a sealed request to url and waits at most timeout (real time)
// for the answer.
func (s *Server) send(ctx context.Context, url string, w *wire, timeout time.Duration) delivery {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(w.body))
	if err != nil {
		return delivery{err: err}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if w.sig != "" {
		req.Header.Set(HeaderTimestamp, w.ts)
		req.Header.Set(HeaderNonce, w.nonce)
		req.Header.Set(HeaderSignature, w.sig)
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		d := delivery{err: err}
		var ne net.Error
		switch {
		case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
			d.timeout = true
		default:
			var oe *net.OpError
			d.connect = errors.As(err, &oe) && oe.Op == "dial"
		}
		return d
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		d := delivery{status: resp.StatusCode, err: err}
		d.timeout = errors.Is(err, context.DeadlineExceeded)
		return d
	}
	return delivery{status: resp.StatusCode, body: b}
}

// VerifyURL sends the url_verification challenge to url, encrypted when an
// Encrypt Key is configured, and checks that the answer echoes it within
// Options.URLVerifyTimeout. [D11]
func (s *Server) VerifyURL(ctx context.Context, url string) error {
	s.mu.Lock()
	cfg := s.webhook
	challenge := s.randHex(20)
	s.mu.Unlock()
	cfg.LongConnection = false // a URL check is always HTTP
	plain, _ := json.Marshal(map[string]string{
		"challenge": challenge, "token": cfg.VerificationToken, "type": "url_verification",
	})
	d := s.post(ctx, cfg, url, plain, s.opts.URLVerifyTimeout)
	switch {
	case d.err != nil:
		return fmt.Errorf("url verification: %w", d.err)
	case d.status != http.StatusOK:
		return fmt.Errorf("url verification: HTTP %d: %s", d.status, d.body)
	}
	var got struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(d.body, &got); err != nil || got.Challenge != challenge {
		return fmt.Errorf("url verification: challenge not echoed: %s", d.body)
	}
	return nil
}
