package larksim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/clock"
)

// The control interface: JSON over HTTP under ControlPrefix, for what the
// Go tests do with the Server's methods but from another process — a
// browser playground, acceptance tests kept outside the repository, the
// end-to-end tests that run `kaohe sim` and `kaohe serve` as separate
// processes. It acts as a person would (list my chats and messages, click
// this button, type this text), moves the clock and reads what the app
// sent. docs/sim.md documents every endpoint; the wire types are in
// package simclient.

// ControlPrefix is the path under which Control serves the control
// interface; every other path is the simulated Open Platform.
const ControlPrefix = "/_sim/"

// Mover is a clock that the control interface may move forward:
// *clock.Fake (time stands still between moves) or *clock.Movable (time
// runs between moves).
type Mover interface {
	clock.Clock
	// Advance moves the clock forward by d and returns the new instant.
	Advance(d time.Duration) time.Time
	// Set moves the clock to t if t is later.
	Set(t time.Time)
}

var (
	_ Mover = (*clock.Fake)(nil)
	_ Mover = (*clock.Movable)(nil)
)

// ControlOptions configure a Control.
type ControlOptions struct {
	// Clock is the Server's clock (Options.Clock), if it may be moved; nil
	// makes POST /_sim/clock answer 409 not_movable.
	Clock Mover
	// OnClockMove, if set, is called after every move with the new
	// instant, one call at a time in the order of the moves (kaohe sim
	// writes its clock file and re-pushes the events now due).
	OnClockMove func(time.Time)
	// MaxWait caps a long poll's wait= (default 60 s).
	MaxWait time.Duration
	// Settle is how long (real time) POST /_sim/clock waits after a move
	// before it answers, so that processes that cache the clock
	// (clock.HTTP keeps a reading for clock.HTTPMaxAge) have seen the move
	// before the caller's next step: a text typed right after a move must
	// not reach serve while serve still reads the old time. Default 0;
	// kaohe sim waits 4 × clock.HTTPMaxAge.
	Settle time.Duration
}

// Control serves the control interface for a Server, and passes every
// request outside ControlPrefix on to the Server, so that one listener is
// both the Open Platform and its control. Safe for concurrent use.
type Control struct {
	s      *Server
	o      ControlOptions
	routes map[string]map[string]func(http.ResponseWriter, *http.Request)
	moveMu sync.Mutex // orders clock moves and their OnClockMove calls
}

// NewControl returns the control interface of s.
func NewControl(s *Server, o ControlOptions) *Control {
	if o.MaxWait <= 0 {
		o.MaxWait = 60 * time.Second
	}
	c := &Control{s: s, o: o}
	c.routes = map[string]map[string]func(http.ResponseWriter, *http.Request){
		"users":    {http.MethodGet: c.getUsers, http.MethodPost: c.postUser},
		"chats":    {http.MethodGet: c.getChats, http.MethodPost: c.postChat},
		"messages": {http.MethodGet: c.getMessages},
		"sent":     {http.MethodGet: c.getSent},
		"click":    {http.MethodPost: c.postClick},
		"text":     {http.MethodPost: c.postText},
		"read":     {http.MethodPost: c.postRead},
		"clock":    {http.MethodGet: c.getClock, http.MethodPost: c.postClock},
		"config":   {http.MethodGet: c.getConfig, http.MethodPost: c.postConfig},
		"events":   {http.MethodGet: c.getEvents},
		"repush":   {http.MethodPost: c.postRepush},
		"retry":    {http.MethodPost: c.postRetry},
		"stats":    {http.MethodGet: c.getStats},
		"file":     {http.MethodGet: c.getFile},
	}
	c.addPolicyRoutes() // control_policy.go
	return c
}

// ServeHTTP implements http.Handler.
func (c *Control) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, ControlPrefix)
	if !ok {
		c.s.ServeHTTP(w, r)
		return
	}
	name = strings.TrimSuffix(name, "/")
	methods, ok := c.routes[name]
	if coll, id, found := strings.Cut(name, "/"); !ok && found && id != "" && !strings.Contains(id, "/") {
		// One item of a collection: /_sim/faults/3, /_sim/chats/oc_….
		if methods, ok = c.routes[coll+"/{id}"]; ok {
			r.SetPathValue("id", id)
		}
	}
	if !ok {
		ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "no control endpoint "+r.URL.Path+" (see docs/sim.md)")
		return
	}
	h, ok := methods[r.Method]
	if !ok {
		allow := make([]string, 0, len(methods))
		for m := range methods {
			allow = append(allow, m)
		}
		slices.Sort(allow)
		w.Header().Set("Allow", strings.Join(allow, ", "))
		ctlError(w, http.StatusMethodNotAllowed, simclient.ReasonNotAllowed, r.Method+" "+r.URL.Path+": use "+strings.Join(allow, " or "))
		return
	}
	h(w, r)
}

// ctlJSON writes v as the answer, without escaping <, > and &, so a
// card's markdown reads as it was sent.
func ctlJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"error":"encode answer","reason":"internal"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func ctlError(w http.ResponseWriter, status int, reason, msg string) {
	ctlJSON(w, status, simclient.Error{Message: msg, Reason: reason})
}

// ctlFail answers err, by the sentinel it wraps.
func ctlFail(w http.ResponseWriter, err error) {
	status, reason := http.StatusUnprocessableEntity, simclient.ReasonInvalid
	switch {
	case errors.Is(err, ErrNotFound):
		status, reason = http.StatusNotFound, simclient.ReasonNotFound
	case errors.Is(err, ErrNotMember):
		status, reason = http.StatusForbidden, simclient.ReasonNotMember
	case errors.Is(err, ErrExists):
		status, reason = http.StatusConflict, simclient.ReasonExists
	case errors.Is(err, ErrNotConfigured):
		status, reason = http.StatusConflict, simclient.ReasonNotConfigured
	case errors.Is(err, errBotNotInChat):
		status, reason = http.StatusConflict, simclient.ReasonBotNotInChat
	case errors.Is(err, ErrNotCard):
		status, reason = http.StatusConflict, simclient.ReasonNotCard
	case errors.Is(err, ErrRecalled):
		status, reason = http.StatusConflict, simclient.ReasonRecalled
	case errors.Is(err, ErrCardExpired):
		status, reason = http.StatusConflict, simclient.ReasonCardExpired
	case errors.Is(err, ErrNoCallback):
		status, reason = http.StatusConflict, simclient.ReasonNoCallback
	case errors.Is(err, ErrRequiredEmpty):
		reason = simclient.ReasonRequiredEmpty
	case errors.Is(err, ErrUnknownField):
		reason = simclient.ReasonUnknownField
	case errors.Is(err, ErrTooLong):
		reason = simclient.ReasonTooLong
	case errors.Is(err, ErrNotAnOption):
		reason = simclient.ReasonNotAnOption
	case errors.Is(err, ErrBadDate):
		reason = simclient.ReasonBadDate
	case errors.Is(err, ErrBadMention):
		status, reason = http.StatusBadRequest, simclient.ReasonBadMention
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		status, reason = http.StatusServiceUnavailable, simclient.ReasonInternal
	}
	ctlError(w, status, reason, err.Error())
}

// readBody decodes a JSON body strictly: unknown fields and trailing data
// are refused, so a typo in a test is an error, not a silent default.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err = dec.Decode(v); err == nil && dec.More() {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err != nil {
		ctlError(w, http.StatusBadRequest, simclient.ReasonBadRequest, "body: "+err.Error())
		return false
	}
	return true
}

func badRequest(w http.ResponseWriter, msg string) {
	ctlError(w, http.StatusBadRequest, simclient.ReasonBadRequest, msg)
}

// Users and chats.

func toWireUser(u *User) simclient.User {
	return simclient.User{OpenID: u.OpenID, UnionID: u.UnionID, UserID: u.UserID, Name: u.Name, Email: u.Email,
		DepartmentIDs: slices.Clone(u.DepartmentIDs), Leader: u.LeaderOpenID, JobTitle: u.JobTitle,
		Resigned: u.Resigned, OutOfScope: u.OutOfScope, StoppedBot: u.StoppedBot, Blocked: u.Blocked}
}

func toWireChat(c *Chat) simclient.Chat {
	return simclient.Chat{ChatID: c.ChatID, Type: c.Type, Name: c.Name, Members: slices.Clone(c.Members),
		BotMember: c.BotMember, Dissolved: c.Dissolved, SettingsForbid: c.SettingsForbid, BotCannotSpeak: c.BotCannotSpeak}
}

// getUsers answers GET /_sim/users: every user, by open_id.
func (c *Control) getUsers(w http.ResponseWriter, _ *http.Request) {
	c.s.mu.Lock()
	out := make([]simclient.User, 0, len(c.s.users))
	for _, u := range c.s.users {
		out = append(out, toWireUser(u))
	}
	c.s.mu.Unlock()
	slices.SortFunc(out, func(a, b simclient.User) int { return strings.Compare(a.OpenID, b.OpenID) })
	ctlJSON(w, http.StatusOK, map[string]any{"users": out})
}

// postUser answers POST /_sim/users: add a user.
func (c *Control) postUser(w http.ResponseWriter, r *http.Request) {
	var in simclient.User
	if !readBody(w, r, &in) {
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		badRequest(w, "name: required")
		return
	}
	u, err := c.s.AddUser(User{OpenID: in.OpenID, UnionID: in.UnionID, UserID: in.UserID, Name: in.Name, Email: in.Email,
		DepartmentIDs: in.DepartmentIDs, LeaderOpenID: in.Leader, JobTitle: in.JobTitle,
		Resigned: in.Resigned, OutOfScope: in.OutOfScope, StoppedBot: in.StoppedBot, Blocked: in.Blocked})
	if err != nil {
		ctlFail(w, err)
		return
	}
	ctlJSON(w, http.StatusCreated, toWireUser(&u))
}

// getChats answers GET /_sim/chats[?user=ou_x]: every chat, or the user's
// p2p chat with the bot (created on first use, as Lark does on first
// contact) and the groups they are in.
func (c *Control) getChats(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if user != "" {
		if c.s.users[user] == nil {
			ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "user "+user+": not found")
			return
		}
		c.s.p2pChatLocked(user)
	}
	out := []simclient.Chat{}
	for _, id := range c.s.chatOrder {
		ch := c.s.chats[id]
		if user == "" || isMember(ch, user) {
			out = append(out, toWireChat(ch))
		}
	}
	ctlJSON(w, http.StatusOK, map[string]any{"chats": out})
}

// postChat answers POST /_sim/chats: add a group.
func (c *Control) postChat(w http.ResponseWriter, r *http.Request) {
	var in simclient.Chat
	if !readBody(w, r, &in) {
		return
	}
	if in.Type != "" && in.Type != ChatGroup {
		badRequest(w, `type: only "group" chats are added; a p2p chat is created on first contact`)
		return
	}
	c.s.mu.Lock()
	for _, m := range in.Members {
		if c.s.users[m] == nil {
			c.s.mu.Unlock()
			ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "member "+m+": not found")
			return
		}
	}
	c.s.mu.Unlock()
	ch, err := c.s.AddChat(Chat{ChatID: in.ChatID, Type: ChatGroup, Name: in.Name, Members: in.Members,
		BotMember: in.BotMember, Dissolved: in.Dissolved, SettingsForbid: in.SettingsForbid, BotCannotSpeak: in.BotCannotSpeak})
	if err != nil {
		ctlFail(w, err)
		return
	}
	ctlJSON(w, http.StatusCreated, toWireChat(&ch))
}

// Messages.

// changedLocked returns a channel closed at the next change to a message.
// The caller holds s.mu.
func (s *Server) changedLocked() <-chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// touchLocked records a change to m: a new cursor value, and wakes every
// long poll. The caller holds s.mu.
func (s *Server) touchLocked(m *Message) {
	s.seq++
	m.seq = s.seq
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// toWireLocked renders m for the control interface. The caller holds s.mu.
func (s *Server) toWireLocked(m *Message) simclient.Message {
	out := simclient.Message{
		MessageID: m.MessageID, ChatID: m.ChatID, ChatType: m.ChatType, To: m.ToOpenID, MsgType: m.MsgType,
		Sender:     simclient.Sender{Type: m.SenderType, ID: m.SenderID},
		CreateTime: m.CreateTime, UpdateTime: m.UpdateTime, Content: m.Content,
		UUID: m.UUID, Deleted: m.Deleted, Seq: m.seq,
	}
	if m.SenderType == SenderApp {
		out.Sender.Name = s.opts.BotName
	} else if u := s.users[m.SenderID]; u != nil {
		out.Sender.Name = u.Name
	}
	switch m.MsgType {
	case "text":
		var t struct {
			Text string `json:"text"`
		}
		if json.Unmarshal([]byte(m.Content), &t) == nil {
			out.Text = t.Text
		}
	case "interactive":
		if json.Valid([]byte(m.Content)) {
			out.Card = json.RawMessage(m.Content)
		}
	}
	for _, mn := range m.Mentions {
		out.Mentions = append(out.Mentions, simclient.Mention{Key: mn.Key, OpenID: mn.OpenID, Name: mn.Name, Bot: mn.Bot})
	}
	for _, u := range m.Updates {
		out.Updates = append(out.Updates, simclient.Update{At: u.At, Source: u.Source, Operator: u.Operator, Reverted: u.Reverted})
	}
	for _, u := range m.Urgent {
		wu := simclient.Urgent{User: u.OpenID, At: u.At}
		if !u.ReadAt.IsZero() {
			t := u.ReadAt
			wu.ReadAt = &t
		}
		out.Urgent = append(out.Urgent, wu)
	}
	for _, rd := range m.ReadBy {
		out.ReadBy = append(out.ReadBy, simclient.Read{User: rd.OpenID, At: rd.At})
	}
	return out
}

// msgQuery is a parsed GET /_sim/messages.
type msgQuery struct {
	user, chat, from string
	after            int64
	wait             time.Duration
}

func (c *Control) parseQuery(w http.ResponseWriter, r *http.Request) (msgQuery, bool) {
	v := r.URL.Query()
	q := msgQuery{user: v.Get("user"), chat: v.Get("chat"), from: v.Get("from")}
	if a := v.Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			badRequest(w, "after: want a cursor (a whole number ≥ 0) from an earlier answer")
			return q, false
		}
		q.after = n
	}
	if d := v.Get("wait"); d != "" {
		wait, err := time.ParseDuration(d)
		if err != nil || wait < 0 {
			badRequest(w, "wait: want a duration such as 10s")
			return q, false
		}
		q.wait = min(wait, c.o.MaxWait)
	}
	switch q.from {
	case "", SenderApp, SenderUser:
	default:
		badRequest(w, `from: want "app" or "user"`)
		return q, false
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if q.user != "" && c.s.users[q.user] == nil {
		ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "user "+q.user+": not found")
		return q, false
	}
	if q.chat != "" {
		ch := c.s.chats[q.chat]
		if ch == nil {
			ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "chat "+q.chat+": not found")
			return q, false
		}
		if q.user != "" && !isMember(ch, q.user) {
			ctlError(w, http.StatusForbidden, simclient.ReasonNotMember, q.user+" is not in chat "+q.chat)
			return q, false
		}
	}
	return q, true
}

// pageLocked selects the messages of q changed after its cursor. The
// caller holds s.mu.
func (s *Server) pageLocked(q msgQuery) simclient.MessagePage {
	p := simclient.MessagePage{Messages: []simclient.Message{}, Cursor: s.seq}
	for _, id := range s.msgOrder {
		m := s.messages[id]
		if m.seq <= q.after || (q.chat != "" && m.ChatID != q.chat) || (q.from != "" && m.SenderType != q.from) {
			continue
		}
		if q.user != "" {
			if ch := s.chats[m.ChatID]; ch == nil || !isMember(ch, q.user) {
				continue
			}
		}
		p.Messages = append(p.Messages, s.toWireLocked(m))
	}
	return p
}

// serveMessages answers q, waiting up to q.wait for a change when nothing
// matches yet (a long poll).
func (c *Control) serveMessages(w http.ResponseWriter, r *http.Request, q msgQuery) {
	var timeout <-chan time.Time
	if q.wait > 0 {
		t := time.NewTimer(q.wait)
		defer t.Stop()
		timeout = t.C
	}
	for {
		c.s.mu.Lock()
		p := c.s.pageLocked(q)
		changed := c.s.changedLocked()
		c.s.mu.Unlock()
		if len(p.Messages) > 0 || timeout == nil {
			ctlJSON(w, http.StatusOK, p)
			return
		}
		select {
		case <-changed:
		case <-timeout:
			ctlJSON(w, http.StatusOK, p)
			return
		case <-r.Context().Done():
			return
		}
	}
}

// getMessages answers GET /_sim/messages?user=&chat=&from=&after=&wait=.
func (c *Control) getMessages(w http.ResponseWriter, r *http.Request) {
	q, ok := c.parseQuery(w, r)
	if !ok {
		return
	}
	c.serveMessages(w, r, q)
}

// getSent answers GET /_sim/sent?after=&wait=: what the app sent, in every
// chat (GET /_sim/messages?from=app without a user).
func (c *Control) getSent(w http.ResponseWriter, r *http.Request) {
	q, ok := c.parseQuery(w, r)
	if !ok {
		return
	}
	if q.user != "" || q.chat != "" || q.from != "" {
		badRequest(w, "sent takes only after= and wait=; use /_sim/messages to filter")
		return
	}
	q.from = SenderApp
	c.serveMessages(w, r, q)
}

// Acting as a person.

// postClick answers POST /_sim/click.
func (c *Control) postClick(w http.ResponseWriter, r *http.Request) {
	var in simclient.Click
	if !readBody(w, r, &in) {
		return
	}
	switch {
	case in.MessageID == "":
		badRequest(w, "message_id: required")
		return
	case in.User == "":
		badRequest(w, "user: required (the open_id of the person clicking)")
		return
	case (in.Button == "") == (in.Value == nil):
		badRequest(w, "give either button (its name or element_id) or value (the callback value to send)")
		return
	case in.Action != nil && in.Button != "":
		badRequest(w, "action goes with value; a named button's action is read from the card")
		return
	}
	var reply *CardReply
	var err error
	if in.Button != "" {
		reply, err = c.s.ClickButton(r.Context(), in.MessageID, in.User, in.Button, in.FormValue)
	} else {
		var a Action
		if in.Action != nil {
			a = Action{Tag: in.Action.Tag, Name: in.Action.Name, Option: in.Action.Option, Options: in.Action.Options,
				InputValue: in.Action.InputValue, Checked: in.Action.Checked, Timezone: in.Action.Timezone}
		}
		reply, err = c.s.ClickCard(r.Context(), in.MessageID, in.User, in.Value, in.FormValue, a)
	}
	var ce *ClientError
	if errors.As(err, &ce) {
		out := simclient.ClickResult{ClientError: &simclient.ClientError{Code: ce.Code, Msg: ce.Msg}}
		if ce.Reply != nil {
			out.EventID, out.Status, out.LatencyMS = ce.Reply.EventID, ce.Reply.StatusCode, ce.Reply.Latency.Milliseconds()
		}
		out.Cursor = c.cursor()
		ctlJSON(w, http.StatusOK, out)
		return
	}
	if err != nil {
		ctlFail(w, err)
		return
	}
	out := simclient.ClickResult{EventID: reply.EventID, Status: reply.StatusCode, Card: reply.Card,
		LatencyMS: reply.Latency.Milliseconds(), Cursor: c.cursor()}
	if reply.Toast != nil {
		out.Toast = &simclient.Toast{Type: reply.Toast.Type, Content: reply.Toast.Content}
	}
	ctlJSON(w, http.StatusOK, out)
}

func (c *Control) cursor() int64 {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return c.s.seq
}

func toWireEvent(d EventDelivery) simclient.Event {
	e := simclient.Event{EventID: d.EventID, EventType: d.EventType, MessageID: d.MessageID,
		Attempts: d.Attempts, Acked: d.Acked, Status: d.LastStatus}
	if d.LastErr != nil {
		e.Error = d.LastErr.Error()
	}
	if !d.NextAttempt.IsZero() {
		t := d.NextAttempt
		e.NextAttempt = &t
	}
	return e
}

// postText answers POST /_sim/text.
func (c *Control) postText(w http.ResponseWriter, r *http.Request) {
	var in simclient.Text
	if !readBody(w, r, &in) {
		return
	}
	switch {
	case in.User == "":
		badRequest(w, "user: required (the open_id of the person typing)")
		return
	case strings.TrimSpace(in.Text) == "" && len(in.Mentions) == 0:
		badRequest(w, "text: required (Lark sends no empty message)")
		return
	}
	d, err := c.s.SendText(r.Context(), in.User, in.Chat, in.Text, in.Mentions...)
	if err != nil {
		ctlFail(w, err)
		return
	}
	c.s.mu.Lock()
	var seq int64
	if m := c.s.messages[d.MessageID]; m != nil {
		seq = m.seq
	}
	c.s.mu.Unlock()
	ctlJSON(w, http.StatusOK, simclient.TextResult{Event: toWireEvent(d), Cursor: seq})
}

// postRead answers POST /_sim/read: a person reads a message.
func (c *Control) postRead(w http.ResponseWriter, r *http.Request) {
	var in simclient.ReadMessage
	if !readBody(w, r, &in) {
		return
	}
	if in.MessageID == "" || in.User == "" {
		badRequest(w, "message_id and user: required")
		return
	}
	if err := c.s.Read(in.User, in.MessageID); err != nil {
		ctlFail(w, err)
		return
	}
	c.s.mu.Lock()
	out := c.s.toWireLocked(c.s.messages[in.MessageID])
	c.s.mu.Unlock()
	ctlJSON(w, http.StatusOK, out)
}

// The clock.

// getClock answers GET /_sim/clock: the time `kaohe serve --clock-url`
// (clock.HTTP) reads.
func (c *Control) getClock(w http.ResponseWriter, _ *http.Request) {
	ctlJSON(w, http.StatusOK, simclient.Clock{Now: c.s.opts.Clock.Now(), Movable: c.o.Clock != nil})
}

// postClock answers POST /_sim/clock: {"now": RFC 3339} or {"advance":
// "72h"}, never backwards.
func (c *Control) postClock(w http.ResponseWriter, r *http.Request) {
	var in simclient.ClockMove
	if !readBody(w, r, &in) {
		return
	}
	if c.o.Clock == nil {
		ctlError(w, http.StatusConflict, simclient.ReasonNotMovable, "this simulator's clock cannot be moved")
		return
	}
	var d time.Duration
	switch {
	case (in.Now == nil) == (in.Advance == ""):
		badRequest(w, `give either "now" (an RFC 3339 instant) or "advance" (a duration such as "72h")`)
		return
	case in.Advance != "":
		var err error
		if d, err = time.ParseDuration(in.Advance); err != nil || d < 0 {
			badRequest(w, fmt.Sprintf("advance: %q: want a duration that is not negative, such as 30m or 72h", in.Advance))
			return
		}
	}
	c.moveMu.Lock()
	defer c.moveMu.Unlock()
	var now time.Time
	if in.Now != nil {
		if cur := c.o.Clock.Now(); in.Now.Before(cur) {
			ctlError(w, http.StatusConflict, simclient.ReasonBackwards,
				fmt.Sprintf("now %s is before the clock's %s: the clock never runs backwards", in.Now.Format(time.RFC3339Nano), cur.Format(time.RFC3339Nano)))
			return
		}
		c.o.Clock.Set(*in.Now)
		now = c.o.Clock.Now()
	} else {
		now = c.o.Clock.Advance(d)
	}
	if c.o.OnClockMove != nil {
		c.o.OnClockMove(now)
	}
	if c.o.Settle > 0 {
		t := time.NewTimer(c.o.Settle)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	ctlJSON(w, http.StatusOK, simclient.Clock{Now: now, Movable: true})
}

// The app's setup, events and counters.

// WebhookConfig returns the webhook configuration set by Configure.
func (s *Server) WebhookConfig() WebhookConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

func (c *Control) configView() simclient.ConfigView {
	cfg := c.s.WebhookConfig()
	return simclient.ConfigView{AppID: c.s.opts.AppID, CallbackURL: cfg.CallbackURL, EventURL: cfg.EventURL,
		LongConnection: cfg.LongConnection, LongConnections: c.s.LongConnections(),
		VerificationTokenSet: cfg.VerificationToken != "", EncryptKeySet: cfg.EncryptKey != "", RepushReusesHeaders: cfg.RepushReusesHeaders}
}

// getConfig answers GET /_sim/config.
func (c *Control) getConfig(w http.ResponseWriter, _ *http.Request) {
	ctlJSON(w, http.StatusOK, c.configView())
}

// postConfig answers POST /_sim/config: change the fields given, then
// optionally run the url_verification challenge. A URL without
// long_connection switches delivery to webhooks.
func (c *Control) postConfig(w http.ResponseWriter, r *http.Request) {
	var in simclient.Config
	if !readBody(w, r, &in) {
		return
	}
	for name, u := range map[string]*string{"callback_url": in.CallbackURL, "event_url": in.EventURL} {
		if u != nil && *u != "" && !strings.HasPrefix(*u, "http://") && !strings.HasPrefix(*u, "https://") {
			badRequest(w, name+": want an http(s) URL")
			return
		}
	}
	c.s.mu.Lock()
	cfg := c.s.webhook
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&cfg.CallbackURL, in.CallbackURL)
	set(&cfg.EventURL, in.EventURL)
	set(&cfg.VerificationToken, in.VerificationToken)
	set(&cfg.EncryptKey, in.EncryptKey)
	if in.RepushReusesHeaders != nil {
		cfg.RepushReusesHeaders = *in.RepushReusesHeaders
	}
	switch {
	case in.LongConnection != nil:
		cfg.LongConnection = *in.LongConnection
	case (in.CallbackURL != nil && *in.CallbackURL != "") || (in.EventURL != nil && *in.EventURL != ""):
		// Naming a URL means delivering to it, as choosing 发送至开发者服务器
		// in the console does.
		cfg.LongConnection = false
	}
	c.s.webhook = cfg
	c.s.mu.Unlock()
	if in.Verify {
		if cfg.CallbackURL == "" {
			ctlError(w, http.StatusConflict, simclient.ReasonNotConfigured, "verify: no callback_url")
			return
		}
		if err := c.s.VerifyURL(r.Context(), cfg.CallbackURL); err != nil {
			ctlError(w, http.StatusBadGateway, simclient.ReasonVerifyFailed, err.Error())
			return
		}
	}
	ctlJSON(w, http.StatusOK, c.configView())
}

// getEvents answers GET /_sim/events: every event pushed and its state.
func (c *Control) getEvents(w http.ResponseWriter, _ *http.Request) {
	evs := c.s.Events()
	out := make([]simclient.Event, 0, len(evs))
	for _, d := range evs {
		out = append(out, toWireEvent(d))
	}
	ctlJSON(w, http.StatusOK, map[string]any{"events": out})
}

// postRepush answers POST /_sim/repush {"event_id"}: push an event again,
// as Lark does when the acknowledgement was lost.
func (c *Control) postRepush(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EventID string `json:"event_id"`
	}
	if !readBody(w, r, &in) {
		return
	}
	if in.EventID == "" {
		badRequest(w, "event_id: required")
		return
	}
	d, ok := c.s.Repush(r.Context(), in.EventID)
	if !ok {
		ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "event "+in.EventID+": not found")
		return
	}
	ctlJSON(w, http.StatusOK, toWireEvent(d))
}

// postRetry answers POST /_sim/retry: re-push every unacknowledged event
// whose next attempt is due on the clock (RetryDue).
func (c *Control) postRetry(w http.ResponseWriter, r *http.Request) {
	ds := c.s.RetryDue(r.Context())
	out := make([]simclient.Event, 0, len(ds))
	for _, d := range ds {
		out = append(out, toWireEvent(d))
	}
	ctlJSON(w, http.StatusOK, map[string]any{"events": out})
}

// getStats answers GET /_sim/stats.
func (c *Control) getStats(w http.ResponseWriter, _ *http.Request) {
	st := c.s.Stats()
	out := simclient.Stats{Requests: st.Requests, RateLimited: st.RateLimited, ChatRateLimited: st.ChatRateLimited,
		TokenRejected: st.TokenRejected, Deduplicated: st.Deduplicated, CardRejected: st.CardRejected,
		FaultsInjected: st.FaultsInjected, TokensIssued: st.TokensIssued}
	c.s.mu.Lock()
	out.Messages = len(c.s.msgOrder)
	for _, m := range c.s.messages {
		if m.SenderType == SenderApp {
			out.Sent++
		}
	}
	out.Events = len(c.s.events)
	for _, ev := range c.s.events {
		if !ev.Acked {
			out.Unacked++
		}
	}
	c.s.mu.Unlock()
	ctlJSON(w, http.StatusOK, out)
}
