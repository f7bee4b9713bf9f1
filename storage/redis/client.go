package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// DefaultTimeout bounds each dial, read, write and wait for a pooled
// connection unless the URL sets its own (dial_timeout, read_timeout,
// write_timeout, pool_timeout). go-redis waits 5 s by default, longer
// than Lark's 3 s for a callback answer: a dead Redis must cost a callback
// half a second and then the fallback, not the whole answer.
const DefaultTimeout = 500 * time.Millisecond

// Client is a pool of connections to one Redis, shared by the Limiters
// and NonceStores made from it. It is safe for concurrent use.
type Client struct {
	rdb *goredis.Client
	// addr is host:port for messages: never the URL, which may carry a
	// password.
	addr    string
	timeout time.Duration
}

// Open returns a client for the Redis at rawURL
// (redis://[user:password@]host[:port][/db][?option=value…], rediss:// for
// TLS, unix:///path for a socket), with DefaultTimeout for whatever
// timeout the URL leaves unset. It does not connect: Redis may come up
// after the bot, and Ping says when it answers.
//
// Retries are off unless the URL sets max_retries: a retried SET NX whose
// first reply was lost would report a fresh nonce as replayed, and a
// retried Allow could count one send twice; the callers ask again anyway.
//
// Errors name what is wrong with the URL without repeating it, because it
// may hold a password.
func Open(rawURL string) (*Client, error) {
	opt, err := goredis.ParseURL(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included; keep only
		// the reason.
		if uerr, ok := errors.AsType[*url.Error](err); ok {
			err = uerr.Err
		}
		return nil, fmt.Errorf("open redis: bad url: %w", err)
	}
	u, err := url.Parse(rawURL) // ParseURL accepted it, so this cannot fail
	if err != nil {
		return nil, fmt.Errorf("open redis: bad url: %w", err)
	}
	for _, d := range []*time.Duration{&opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.PoolTimeout} {
		if *d == 0 {
			*d = DefaultTimeout
		}
	}
	if !u.Query().Has("max_retries") {
		opt.MaxRetries = -1
	}
	// One dial per attempt: go-redis otherwise dials five times with
	// back-off before it gives up on a refused connection.
	opt.DialerRetries = 1
	// A caller's deadline shorter than the timeouts must win.
	opt.ContextTimeoutEnabled = true
	return &Client{rdb: goredis.NewClient(opt), addr: opt.Addr, timeout: opt.ReadTimeout}, nil
}

// Close closes the connections. Limiters and NonceStores made from c fail
// with ErrUnavailable / ErrNonceStore afterwards.
func (c *Client) Close() error {
	if err := c.rdb.Close(); err != nil {
		return fmt.Errorf("close redis: %w", err)
	}
	return nil
}

// Ping reports whether Redis answers, for a readiness probe (/readyz).
// The error says in plain English what is wrong — cannot connect, no
// answer in time, credentials refused, still loading — and names the
// address, never the password.
func (c *Client) Ping(ctx context.Context) error {
	err := c.rdb.Ping(ctx).Err()
	if err == nil {
		return nil
	}
	opErr, isOp := errors.AsType[*net.OpError](err)
	netErr, isNet := errors.AsType[net.Error](err)
	switch {
	case ctxDone(ctx) != nil:
		return fmt.Errorf("redis at %s did not answer before the check gave up: %w", c.addr, err)
	case isOp && opErr.Op == "dial":
		return fmt.Errorf("redis at %s cannot be reached: %w", c.addr, err)
	case isNet && netErr.Timeout():
		return fmt.Errorf("redis at %s did not answer within %v: %w", c.addr, c.timeout, err)
	case goredis.HasErrorPrefix(err, "NOAUTH"):
		return fmt.Errorf("redis at %s requires a password and the url gives none: %w", c.addr, err)
	case goredis.HasErrorPrefix(err, "WRONGPASS"):
		return fmt.Errorf("redis at %s refused the user name or password in the url: %w", c.addr, err)
	case goredis.HasErrorPrefix(err, "LOADING"):
		return fmt.Errorf("redis at %s is still loading its data after a restart: %w", c.addr, err)
	case errors.Is(err, goredis.ErrClosed):
		return fmt.Errorf("redis client for %s is closed: %w", c.addr, err)
	default:
		return fmt.Errorf("redis at %s does not answer ping: %w", c.addr, err)
	}
}

// ctxDone is ctx.Err(), or context.DeadlineExceeded once ctx's deadline
// has passed. go-redis sets the socket deadline to the context's, so a
// read can time out a moment before the context's own timer marks it
// done; the caller's deadline, not Redis, ended that call.
func ctxDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
