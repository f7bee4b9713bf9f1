package simclient

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The wire types of the control interface. They live here, not in
// larksim, so that the server (larksim's control.go) and every Go client
// share one definition; docs/sim.md shows them as JSON.

// Error reasons: the "reason" of an error answer, stable for programs
// (the "error" text is for people).
const (
	ReasonBadRequest    = "bad_request"        // 400: the body or a parameter does not parse or is missing
	ReasonBadMention    = "bad_mention"        // 400: the text names @_user_N with no N-th mention
	ReasonNotMember     = "not_member"         // 403: the user is not in the chat
	ReasonNotFound      = "not_found"          // 404: no such user, chat, message, button or event
	ReasonNotAllowed    = "method_not_allowed" // 405
	ReasonExists        = "exists"             // 409: a user or chat with that id exists
	ReasonNotConfigured = "not_configured"     // 409: no callback or event URL (POST /_sim/config)
	ReasonBotNotInChat  = "bot_not_in_chat"    // 409: the bot is not in the group or it was dissolved
	ReasonNotCard       = "not_card"           // 409: the message is not an interactive card
	ReasonRecalled      = "recalled"           // 409: the message was recalled
	ReasonCardExpired   = "card_expired"       // 409: the card is older than 14 days
	ReasonNoCallback    = "no_callback"        // 409: the button does not call back (open_url, reset)
	ReasonBackwards     = "backwards"          // 409: the clock never runs backwards
	ReasonNotMovable    = "not_movable"        // 409: this simulator's clock cannot be moved
	ReasonRequiredEmpty = "required_empty"     // 422: a required form field is empty
	ReasonUnknownField  = "unknown_field"      // 422: form_value names a field the form lacks
	ReasonTooLong       = "too_long"           // 422: an input's value is longer than its max_length
	ReasonNotAnOption   = "not_an_option"      // 422: a select's value is not among the card's options
	ReasonBadDate       = "bad_date"           // 422: a date picker's value is not a date the picker sends
	ReasonInvalid       = "invalid"            // 422: any other click the client would not send
	ReasonVerifyFailed  = "verify_failed"      // 502: the url_verification challenge failed
	ReasonInternal      = "internal"           // 500
)

// Error is the answer to a request the control interface refused:
// {"error": "…", "reason": "not_found"} with a 4xx (or 5xx) status.
type Error struct {
	// Status is the HTTP status (not in the body).
	Status int `json:"-"`
	// Message says what was wrong, for people.
	Message string `json:"error"`
	// Reason is one of the Reason* constants, for programs.
	Reason string `json:"reason,omitempty"`
}

// Error formats the status, reason and message.
func (e *Error) Error() string {
	return fmt.Sprintf("larksim control: HTTP %d %s: %s", e.Status, e.Reason, e.Message)
}

// User is a person in the simulated tenant.
type User struct {
	// OpenID is the user's open_id (ou_…); generated when empty on add.
	OpenID string `json:"open_id"`
	// UnionID and UserID are generated when empty on add.
	UnionID string `json:"union_id,omitempty"`
	UserID  string `json:"user_id,omitempty"`
	// Name is the display name.
	Name string `json:"name"`
	// Email lets receive_id_type=email address the user.
	Email string `json:"email,omitempty"`
	// DepartmentIDs are open_department_ids.
	DepartmentIDs []string `json:"department_ids,omitempty"`
	// Leader is the direct leader's open_id.
	Leader string `json:"leader,omitempty"`
	// JobTitle is returned by the contact API.
	JobTitle string `json:"job_title,omitempty"`
	// Resigned, OutOfScope, StoppedBot and Blocked make sends to the user
	// fail as Lark's do (230013, 230013, 230053, 230035).
	Resigned   bool `json:"resigned,omitempty"`
	OutOfScope bool `json:"out_of_scope,omitempty"`
	StoppedBot bool `json:"stopped_bot,omitempty"`
	Blocked    bool `json:"blocked,omitempty"`
}

// Chat is a conversation: a user's p2p chat with the bot or a group.
type Chat struct {
	// ChatID is oc_…; generated when empty on add.
	ChatID string `json:"chat_id"`
	// Type is "p2p" or "group" (default on add).
	Type string `json:"type"`
	// Name is the group's name.
	Name string `json:"name,omitempty"`
	// Members are the users' open_ids (p2p: the one user).
	Members []string `json:"members"`
	// BotMember says whether the bot is in the group (always in p2p).
	BotMember bool `json:"bot_member"`
	// Dissolved marks a dissolved group.
	Dissolved bool `json:"dissolved,omitempty"`
	// SettingsForbid: the group's settings forbid the bot's message
	// (230018); BotCannotSpeak: only the owner and admins may speak
	// (230035). Change them with PATCH /_sim/chats/{chat_id}.
	SettingsForbid bool `json:"settings_forbid,omitempty"`
	BotCannotSpeak bool `json:"bot_cannot_speak,omitempty"`
}

// Sender is who sent a message.
type Sender struct {
	// Type is "app" (the bot) or "user".
	Type string `json:"type"`
	// ID is the app id or the user's open_id.
	ID string `json:"id"`
	// Name is the bot's or the user's display name.
	Name string `json:"name,omitempty"`
}

// Mention is one @-mention in a user's text: Key ("@_user_1") stands in
// the text for the person.
type Mention struct {
	Key    string `json:"key"`
	OpenID string `json:"open_id"`
	Name   string `json:"name"`
	// Bot marks the mention of the bot itself.
	Bot bool `json:"bot,omitempty"`
}

// Update is one change to a sent card.
type Update struct {
	// At is on the simulator's clock.
	At time.Time `json:"at"`
	// Source is "patch", "callback" (the card a callback answer returned)
	// or "delayed_update".
	Source string `json:"source"`
	// Operator is the clicking user for callback and delayed updates.
	Operator string `json:"operator,omitempty"`
	// Reverted marks a delayed update made before the callback was
	// answered, which Lark undoes.
	Reverted bool `json:"reverted,omitempty"`
}

// Urgent is a message's being urgent (加急) for a user.
type Urgent struct {
	User string `json:"user"`
	// At is when the app made it urgent (on the simulator's clock).
	At time.Time `json:"at"`
	// ReadAt is when the user read the message after that; nil while it
	// is unread, which is what Lark's cap of 200 unread urgent messages
	// counts.
	ReadAt *time.Time `json:"read_at,omitempty"`
}

// Read is a user's having read a message, first at At.
type Read struct {
	User string    `json:"user"`
	At   time.Time `json:"at"`
}

// ReadMessage is POST /_sim/read: User reads the message, as the client
// does when it is on their screen.
type ReadMessage struct {
	MessageID string `json:"message_id"`
	User      string `json:"user"`
}

// Message is a message as its chat shows it now: a card after every
// update applied to it.
type Message struct {
	MessageID string `json:"message_id"`
	ChatID    string `json:"chat_id"`
	// ChatType is "p2p" or "group".
	ChatType string `json:"chat_type"`
	// To is the user of a p2p chat.
	To string `json:"to,omitempty"`
	// MsgType is "text", "post" or "interactive".
	MsgType string `json:"msg_type"`
	Sender  Sender `json:"sender"`
	// CreateTime and UpdateTime are on the simulator's clock.
	CreateTime time.Time `json:"create_time"`
	UpdateTime time.Time `json:"update_time"`
	// Text is a text message's text (mention keys as Lark writes them).
	Text string `json:"text,omitempty"`
	// Card is an interactive message's current card JSON.
	Card json.RawMessage `json:"card,omitempty"`
	// Content is the content string as Lark stores it, for every type.
	Content string `json:"content"`
	// Mentions are a user text's mentions.
	Mentions []Mention `json:"mentions,omitempty"`
	// Updates is a card's update history, oldest first.
	Updates []Update `json:"updates,omitempty"`
	// Urgent lists the users the bot made the message urgent (加急) for,
	// once each, in order.
	Urgent []Urgent `json:"urgent,omitempty"`
	// ReadBy lists the users who have read the message, in the order they
	// first read it (what the app's read_users call answers).
	ReadBy []Read `json:"read_by,omitempty"`
	// UUID is the sender's de-duplication key.
	UUID string `json:"uuid,omitempty"`
	// Deleted marks a recalled message.
	Deleted bool `json:"deleted,omitempty"`
	// Seq orders changes: a message's Seq is the cursor value of its last
	// change (sent, updated, recalled).
	Seq int64 `json:"seq"`
}

// FromBot reports whether the bot sent m.
func (m Message) FromBot() bool { return m.Sender.Type == "app" }

// Contains reports whether the message's content (the card JSON or the
// text, as stored) contains s.
func (m Message) Contains(s string) bool { return strings.Contains(m.Content, s) }

// MessagePage is the answer of GET /_sim/messages and /_sim/sent.
type MessagePage struct {
	// Messages are the messages that changed after the request's cursor,
	// oldest first.
	Messages []Message `json:"messages"`
	// Cursor is the value to pass as after= to see only later changes.
	Cursor int64 `json:"cursor"`
}

// Action carries the optional parts of a card action for a Click by
// value: a select's option, an input's value, …
type Action struct {
	Tag        string   `json:"tag,omitempty"`
	Name       string   `json:"name,omitempty"`
	Option     string   `json:"option,omitempty"`
	Options    []string `json:"options,omitempty"`
	InputValue string   `json:"input_value,omitempty"`
	Checked    bool     `json:"checked,omitempty"`
	Timezone   string   `json:"timezone,omitempty"`
}

// Click is POST /_sim/click: user clicks a component of a card. Name the
// button (its name or element_id) and the simulator sends the callback
// value the card gives it, with FormValue as the submitted form; or give
// Value (and optionally Action) to send exactly that.
type Click struct {
	MessageID string         `json:"message_id"`
	User      string         `json:"user"`
	Button    string         `json:"button,omitempty"`
	Value     map[string]any `json:"value,omitempty"`
	FormValue map[string]any `json:"form_value,omitempty"`
	Action    *Action        `json:"action,omitempty"`
}

// Toast is the toast a callback answer showed.
type Toast struct {
	// Type is info, success, error or warning.
	Type    string `json:"type"`
	Content string `json:"content"`
}

// ClientError is a failed callback as the Lark client shows it: a code
// from the callback doc (200341: no answer within 3 s, 200671: not HTTP
// 200, 200672: bad answer body, 200673: bad card …).
type ClientError struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

// ClickResult is the outcome of a click that reached the app.
type ClickResult struct {
	// EventID is the callback's header.event_id.
	EventID string `json:"event_id"`
	// Status is the HTTP status of the app's answer (0 if none arrived).
	Status int `json:"status"`
	// Toast is the toast shown, if any.
	Toast *Toast `json:"toast,omitempty"`
	// Card is the card the answer put on the message, if any.
	Card json.RawMessage `json:"card,omitempty"`
	// ClientError is set when the client showed an error instead.
	ClientError *ClientError `json:"client_error,omitempty"`
	// LatencyMS is how long the answer took, in real milliseconds.
	LatencyMS int64 `json:"latency_ms"`
	// Cursor is the change cursor after the click: messages the click
	// causes later have a greater Seq.
	Cursor int64 `json:"cursor"`
}

// Text is POST /_sim/text: User types Text in Chat ("" for their p2p chat
// with the bot). Mentions are open_ids (or "bot") standing in the text as
// "@_user_1", "@_user_2" … in order; a key the text lacks is put in front.
type Text struct {
	User     string   `json:"user"`
	Chat     string   `json:"chat,omitempty"`
	Text     string   `json:"text"`
	Mentions []string `json:"mentions,omitempty"`
}

// Event is the delivery state of one event pushed to the app.
type Event struct {
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"`
	MessageID string `json:"message_id"`
	// Attempts counts pushes so far.
	Attempts int `json:"attempts"`
	// Acked is true once a push got HTTP 200 within 3 s.
	Acked bool `json:"acked"`
	// Status and Error describe the latest push.
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
	// NextAttempt is when the simulator pushes again, if it will.
	NextAttempt *time.Time `json:"next_attempt,omitempty"`
}

// TextResult is the answer of POST /_sim/text: the message and the first
// push of its event.
type TextResult struct {
	Event
	// Cursor is the Seq of the user's message: the bot's answers have a
	// greater one.
	Cursor int64 `json:"cursor"`
}

// Clock is the simulator's time.
type Clock struct {
	Now time.Time `json:"now"`
	// Movable says whether POST /_sim/clock may move it.
	Movable bool `json:"movable"`
}

// ClockMove is POST /_sim/clock: give Now (RFC 3339, not earlier than the
// clock) or Advance (a Go duration such as "72h", not negative).
type ClockMove struct {
	Now     *time.Time `json:"now,omitempty"`
	Advance string     `json:"advance,omitempty"`
}

// Config is the app's 事件与回调 setup. In POST /_sim/config only the
// fields given change; a callback or event URL without LongConnection
// switches delivery from the long connection to webhooks. Verify runs
// Lark's url_verification challenge against the callback URL after the
// change.
type Config struct {
	CallbackURL       *string `json:"callback_url,omitempty"`
	EventURL          *string `json:"event_url,omitempty"`
	VerificationToken *string `json:"verification_token,omitempty"`
	EncryptKey        *string `json:"encrypt_key,omitempty"`
	LongConnection    *bool   `json:"long_connection,omitempty"`
	// RepushReusesHeaders makes every re-push of an event send the first
	// request again byte for byte (same timestamp, nonce and signature)
	// instead of signing it afresh.
	RepushReusesHeaders *bool `json:"repush_reuses_headers,omitempty"`
	Verify              bool  `json:"verify,omitempty"`
}

// ConfigView is the answer of GET and POST /_sim/config. Secrets are
// reported only as set or not.
type ConfigView struct {
	AppID                string `json:"app_id"`
	CallbackURL          string `json:"callback_url"`
	EventURL             string `json:"event_url"`
	LongConnection       bool   `json:"long_connection"`
	LongConnections      int    `json:"long_connections"`
	VerificationTokenSet bool   `json:"verification_token_set"`
	EncryptKeySet        bool   `json:"encrypt_key_set"`
	RepushReusesHeaders  bool   `json:"repush_reuses_headers"`
}

// Stats counts what the simulator saw (GET /_sim/stats).
type Stats struct {
	// Requests counts Open API requests per API name (im.message.create …).
	Requests        map[string]int `json:"requests"`
	RateLimited     int            `json:"rate_limited"`
	ChatRateLimited int            `json:"chat_rate_limited"`
	TokenRejected   int            `json:"token_rejected"`
	Deduplicated    int            `json:"deduplicated"`
	CardRejected    int            `json:"card_rejected"`
	FaultsInjected  int            `json:"faults_injected"`
	TokensIssued    int            `json:"tokens_issued"`
	// Messages counts every message, Sent those the bot sent.
	Messages int `json:"messages"`
	Sent     int `json:"sent"`
	// Events counts events pushed; Unacked those not acknowledged yet.
	Events  int `json:"events"`
	Unacked int `json:"unacked"`
}
