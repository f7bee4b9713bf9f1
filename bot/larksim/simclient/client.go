// Package simclient is a Go client for the control interface of the Lark
// simulator (`kaohe sim`, package larksim; docs/sim.md): it acts as the
// people of the simulated tenant — list their chats and messages, click a
// card's button, type a text — moves the simulator's clock and reads what
// the app sent. End-to-end tests that run `kaohe sim` and `kaohe serve` as
// separate processes drive everything through it, taking a person's view
// (docs/conventions.md).
//
//	c := simclient.New("http://127.0.0.1:9900")
//	res, err := c.Text(ctx, simclient.Text{User: "ou_e1", Text: "帮助"})
//	m, err := c.WaitMessage(ctx, "ou_e1", res.Cursor, simclient.CardContains("使用说明"), 10*time.Second)
//	r, err := c.Click(ctx, simclient.Click{MessageID: m.MessageID, User: "ou_e1", Button: "submit", FormValue: form})
//	now, err := c.Advance(ctx, 72*time.Hour)
//
// A refusal comes back as *Error with the HTTP status and a Reason*
// constant.
package simclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one simulator's control interface.
type Client struct {
	base string
	http *http.Client
}

// New returns a client for the simulator at base (http://host:port, with
// or without a trailing slash).
func New(base string) *Client {
	return &Client{base: strings.TrimSuffix(base, "/"), http: &http.Client{}}
}

// WithHTTPClient returns a copy of c that makes its requests with hc.
func (c *Client) WithHTTPClient(hc *http.Client) *Client {
	cp := *c
	cp.http = hc
	return &cp
}

// do calls method path with in as the JSON body (nil: none) and decodes
// the answer into out (nil: discard).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode}
		if json.Unmarshal(b, e) != nil || e.Message == "" {
			e.Message = strings.TrimSpace(string(b))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: answer: %w", method, path, err)
	}
	return nil
}

// Users returns every user of the tenant.
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var out struct {
		Users []User `json:"users"`
	}
	err := c.do(ctx, http.MethodGet, "/_sim/users", nil, &out)
	return out.Users, err
}

// AddUser adds a user and returns it with its generated ids.
func (c *Client) AddUser(ctx context.Context, u User) (User, error) {
	var out User
	err := c.do(ctx, http.MethodPost, "/_sim/users", u, &out)
	return out, err
}

// Chats returns the user's chats: their p2p chat with the bot and the
// groups they are in ("" for every chat).
func (c *Client) Chats(ctx context.Context, user string) ([]Chat, error) {
	var out struct {
		Chats []Chat `json:"chats"`
	}
	path := "/_sim/chats"
	if user != "" {
		path += "?user=" + url.QueryEscape(user)
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Chats, err
}

// AddChat adds a group chat.
func (c *Client) AddChat(ctx context.Context, ch Chat) (Chat, error) {
	var out Chat
	err := c.do(ctx, http.MethodPost, "/_sim/chats", ch, &out)
	return out, err
}

// Query selects messages for Messages. Zero fields match everything.
type Query struct {
	// User keeps the messages of the chats the user is in.
	User string
	// Chat keeps one chat's messages.
	Chat string
	// From is "app" (the bot's) or "user".
	From string
	// After is a cursor: only messages changed since.
	After int64
	// Wait, if above 0, waits up to this long for a matching change when
	// there is none yet (a long poll; the simulator caps it at 60 s).
	Wait time.Duration
}

func (q Query) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"user": q.User, "chat": q.Chat, "from": q.From} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.After > 0 {
		v.Set("after", strconv.FormatInt(q.After, 10))
	}
	if q.Wait > 0 {
		v.Set("wait", q.Wait.String())
	}
	return v
}

// Messages returns the messages that match q, oldest first, and the
// cursor for the next call.
func (c *Client) Messages(ctx context.Context, q Query) (MessagePage, error) {
	var out MessagePage
	path := "/_sim/messages"
	if v := q.values(); len(v) > 0 {
		path += "?" + v.Encode()
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// Sent returns what the app sent, in every chat, after the cursor.
func (c *Client) Sent(ctx context.Context, after int64) (MessagePage, error) {
	var out MessagePage
	path := "/_sim/sent"
	if after > 0 {
		path += "?after=" + strconv.FormatInt(after, 10)
	}
	err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// ErrTimeout: WaitMessage saw no matching message in time.
var ErrTimeout = errors.New("simclient: no matching message in time")

// WaitMessage waits up to timeout for a message from the bot in one of
// user's chats that changed after the cursor after (0: any) and matches
// pred, and returns the newest such message. Cards are matched as they
// are when the message changes, so a card updated by a later click
// matches too. Pass the Cursor of a Text or Click result to see only what
// that action caused.
func (c *Client) WaitMessage(ctx context.Context, user string, after int64, pred func(Message) bool, timeout time.Duration) (Message, error) {
	deadline := time.Now().Add(timeout)
	q := Query{User: user, From: "app", After: after}
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return Message{}, fmt.Errorf("wait for a message to %s after cursor %d: %w", user, after, ErrTimeout)
		}
		q.Wait = min(left, 30*time.Second)
		p, err := c.Messages(ctx, q)
		if err != nil {
			return Message{}, err
		}
		for i := len(p.Messages) - 1; i >= 0; i-- {
			if pred == nil || pred(p.Messages[i]) {
				return p.Messages[i], nil
			}
		}
		q.After = p.Cursor
	}
}

// CardContains matches a card whose JSON contains s.
func CardContains(s string) func(Message) bool {
	return func(m Message) bool { return m.MsgType == "interactive" && m.Contains(s) }
}

// Click clicks a card component as a person would and returns what the
// client showed: a toast, a replacement card, or a ClientError. Clicks the
// client would not send (a required field empty, a recalled message, a
// card older than 14 days …) are refused as *Error.
func (c *Client) Click(ctx context.Context, cl Click) (ClickResult, error) {
	var out ClickResult
	err := c.do(ctx, http.MethodPost, "/_sim/click", cl, &out)
	return out, err
}

// Text makes a person type a message and returns the first push of its
// event. The bot's answers come later: wait for them with WaitMessage
// from the result's Cursor.
func (c *Client) Text(ctx context.Context, t Text) (TextResult, error) {
	var out TextResult
	err := c.do(ctx, http.MethodPost, "/_sim/text", t, &out)
	return out, err
}

// Read makes a person read a message (it also counts as read when they
// click its card or type in its chat) and returns it as it is now.
func (c *Client) Read(ctx context.Context, r ReadMessage) (Message, error) {
	var out Message
	err := c.do(ctx, http.MethodPost, "/_sim/read", r, &out)
	return out, err
}

// Clock returns the simulator's time.
func (c *Client) Clock(ctx context.Context) (time.Time, error) {
	var out Clock
	err := c.do(ctx, http.MethodGet, "/_sim/clock", nil, &out)
	return out.Now, err
}

// SetClock moves the simulator's clock to t (never backwards: an earlier
// t is refused with ReasonBackwards) and returns the new time.
func (c *Client) SetClock(ctx context.Context, t time.Time) (time.Time, error) {
	var out Clock
	err := c.do(ctx, http.MethodPost, "/_sim/clock", ClockMove{Now: &t}, &out)
	return out.Now, err
}

// Advance moves the simulator's clock forward by d and returns the new
// time.
func (c *Client) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	var out Clock
	err := c.do(ctx, http.MethodPost, "/_sim/clock", ClockMove{Advance: d.String()}, &out)
	return out.Now, err
}

// Config returns the app's webhook setup.
func (c *Client) Config(ctx context.Context) (ConfigView, error) {
	var out ConfigView
	err := c.do(ctx, http.MethodGet, "/_sim/config", nil, &out)
	return out, err
}

// Configure changes the app's webhook setup (only the fields given) and,
// with cfg.Verify, runs the url_verification challenge.
func (c *Client) Configure(ctx context.Context, cfg Config) (ConfigView, error) {
	var out ConfigView
	err := c.do(ctx, http.MethodPost, "/_sim/config", cfg, &out)
	return out, err
}

// Events returns every event pushed and its delivery state.
func (c *Client) Events(ctx context.Context) ([]Event, error) {
	var out struct {
		Events []Event `json:"events"`
	}
	err := c.do(ctx, http.MethodGet, "/_sim/events", nil, &out)
	return out.Events, err
}

// Repush pushes an event again with the same event_id.
func (c *Client) Repush(ctx context.Context, eventID string) (Event, error) {
	var out Event
	err := c.do(ctx, http.MethodPost, "/_sim/repush", map[string]string{"event_id": eventID}, &out)
	return out, err
}

// Retry re-pushes the unacknowledged events that are due and returns them.
func (c *Client) Retry(ctx context.Context) ([]Event, error) {
	var out struct {
		Events []Event `json:"events"`
	}
	err := c.do(ctx, http.MethodPost, "/_sim/retry", nil, &out)
	return out.Events, err
}

// Stats returns the simulator's counters.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	var out Stats
	err := c.do(ctx, http.MethodGet, "/_sim/stats", nil, &out)
	return out, err
}
