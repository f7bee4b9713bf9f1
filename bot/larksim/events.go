package larksim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// EventRetryDelays are the waits before each re-push of an event that was
// not answered with HTTP 200 within 3 s, each counted from the previous
// attempt, at most four re-pushes. [D13d 推送周期和频次][D13b]
var EventRetryDelays = []time.Duration{15 * time.Second, 5 * time.Minute, time.Hour, 6 * time.Hour}

// EventDelivery reports the state of one event.
type EventDelivery struct {
	// EventID is header.event_id; re-pushes reuse it.
	EventID string
	// EventType is e.g. "im.message.receive_v1".
	EventType string
	// MessageID is the message the event carries.
	MessageID string
	// Attempts counts pushes so far.
	Attempts int
	// Acked is true once a push got HTTP 200 in time.
	Acked bool
	// LastStatus and LastErr describe the latest push.
	LastStatus int
	LastErr    error
	// NextAttempt is when RetryDue will push again; zero when acked or when
	// the retries are used up.
	NextAttempt time.Time
}

// errBotNotInChat: a user wrote in a group the bot is not in (or that was
// dissolved), so there is no event to push.
var errBotNotInChat = errors.New("the bot is not in the chat")

type pendingEvent struct {
	EventDelivery
	payload []byte
	// first is the first HTTP attempt as sent, for re-pushes with
	// WebhookConfig.RepushReusesHeaders.
	first *wire
}

// SendText makes user fromOpenID send text to chatID ("" for their p2p
// chat with the bot) and pushes the im.message.receive_v1 event to the
// event URL. A push not answered with HTTP 200 within
// Options.EventAckTimeout is scheduled for re-push (see RetryDue). The
// returned error covers only set-up problems (unknown user or chat, user
// not in the chat, no URL); the push outcome is in the EventDelivery.
//
// Group messages are pushed whether or not they mention the bot, as with
// the im:message.group_msg scope.
//
// mentions are the people the text @-mentions (open_ids, or MentionBot for
// the bot), each standing in the text as its key "@_user_N" (N from 1, in
// this order), as Lark writes them; see mention.go for the rules.
func (s *Server) SendText(ctx context.Context, fromOpenID, chatID, text string, mentions ...string) (EventDelivery, error) {
	s.mu.Lock()
	u := s.users[fromOpenID]
	if u == nil {
		s.mu.Unlock()
		return EventDelivery{}, fmt.Errorf("send text from %s: %w", fromOpenID, ErrNotFound)
	}
	var c *Chat
	if chatID == "" {
		c = s.p2pChatLocked(fromOpenID)
	} else {
		c = s.chats[chatID]
	}
	var e error
	switch {
	case c == nil:
		e = fmt.Errorf("send text to %s: %w", chatID, ErrNotFound)
	case !isMember(c, fromOpenID):
		e = fmt.Errorf("send text to %s: %w", chatID, ErrNotMember)
	case !c.BotMember || c.Dissolved:
		e = fmt.Errorf("send text to %s: %w", chatID, errBotNotInChat)
	case s.webhook.eventURL() == "" && !s.webhook.LongConnection:
		e = fmt.Errorf("send text: event URL: %w", ErrNotConfigured)
	}
	var mens []Mention
	if e == nil {
		text, mens, e = s.mentionsLocked(text, mentions)
	}
	if e != nil {
		s.mu.Unlock()
		return EventDelivery{}, e
	}
	s.readChatLocked(c.ChatID, fromOpenID) // typing in a chat shows it
	content, _ := json.Marshal(map[string]string{"text": text})
	now := s.opts.Clock.Now()
	m := &Message{
		MessageID: "om_" + s.randHex(32), ChatID: c.ChatID, ChatType: c.Type,
		MsgType: "text", Content: string(content),
		SenderType: SenderUser, SenderID: fromOpenID,
		CreateTime: now, UpdateTime: now, Mentions: mens,
	}
	if c.Type == ChatP2P {
		m.ToOpenID = fromOpenID
	}
	s.storeLocked(m)
	ms := strconv.FormatInt(now.UnixMilli(), 10)
	msg := map[string]any{
		"message_id": m.MessageID, "create_time": ms, "update_time": ms,
		"chat_id": m.ChatID, "chat_type": c.Type,
		"message_type": "text", "content": m.Content,
	}
	if len(mens) > 0 {
		msg["mentions"] = s.mentionEventsLocked(mens)
	}
	ev := &pendingEvent{EventDelivery: EventDelivery{
		EventID: s.randHex(32), EventType: "im.message.receive_v1", MessageID: m.MessageID, NextAttempt: now,
	}}
	ev.payload, _ = json.Marshal(map[string]any{
		"schema": "2.0",
		"header": map[string]any{
			"event_id": ev.EventID, "event_type": ev.EventType,
			"create_time": ms, // milliseconds for events [D receive_v1 sample]
			"token":       s.webhook.VerificationToken,
			"app_id":      s.opts.AppID, "tenant_key": s.opts.TenantKey,
		},
		"event": map[string]any{
			"sender": map[string]any{
				"sender_id":   map[string]any{"union_id": u.UnionID, "user_id": u.UserID, "open_id": u.OpenID},
				"sender_type": "user",
				"tenant_key":  s.opts.TenantKey,
			},
			"message": msg,
		},
	})
	s.events = append(s.events, ev)
	s.mu.Unlock()
	return s.push(ctx, ev), nil
}

// RetryDue re-pushes every unacknowledged event whose next attempt is due
// on the server clock, and returns their states.
func (s *Server) RetryDue(ctx context.Context) []EventDelivery {
	s.mu.Lock()
	now := s.opts.Clock.Now()
	var due []*pendingEvent
	for _, ev := range s.events {
		if !ev.Acked && !ev.NextAttempt.IsZero() && !now.Before(ev.NextAttempt) {
			due = append(due, ev)
		}
	}
	s.mu.Unlock()
	out := make([]EventDelivery, 0, len(due))
	for _, ev := range due {
		out = append(out, s.push(ctx, ev))
	}
	return out
}

// Repush pushes an event again, acknowledged or not, with the same
// event_id and payload: what Lark does when the acknowledgement was lost
// on its way back (the app answered, Lark never heard). It returns false
// for an unknown event id.
func (s *Server) Repush(ctx context.Context, eventID string) (EventDelivery, bool) {
	s.mu.Lock()
	var found *pendingEvent
	for _, ev := range s.events {
		if ev.EventID == eventID {
			found = ev
		}
	}
	s.mu.Unlock()
	if found == nil {
		return EventDelivery{}, false
	}
	return s.push(ctx, found), true
}

// Events returns the state of every event pushed so far.
func (s *Server) Events() []EventDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]EventDelivery, 0, len(s.events))
	for _, ev := range s.events {
		out = append(out, ev.EventDelivery)
	}
	return out
}

// push makes one attempt and schedules the next if it failed. Over HTTP a
// re-push is sealed afresh, or repeats the first attempt byte for byte
// with WebhookConfig.RepushReusesHeaders.
func (s *Server) push(ctx context.Context, ev *pendingEvent) EventDelivery {
	s.mu.Lock()
	cfg := s.webhook
	first := ev.first
	s.mu.Unlock()
	var d delivery
	switch {
	case cfg.LongConnection:
		d = s.pushWS(ctx, ev.payload, s.opts.EventAckTimeout)
	case cfg.RepushReusesHeaders && first != nil:
		d = s.send(ctx, cfg.eventURL(), first, s.opts.EventAckTimeout)
	default:
		w, err := s.seal(cfg, ev.payload)
		if err != nil {
			d = delivery{err: err}
			break
		}
		s.mu.Lock()
		if ev.first == nil {
			ev.first = w
		}
		s.mu.Unlock()
		d = s.send(ctx, cfg.eventURL(), w, s.opts.EventAckTimeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ev.Attempts++
	ev.LastStatus, ev.LastErr = d.status, d.err
	ev.Acked = d.err == nil && d.status == http.StatusOK
	switch {
	case ev.Acked:
		ev.NextAttempt = time.Time{}
	case ev.Attempts <= len(EventRetryDelays):
		ev.NextAttempt = s.opts.Clock.Now().Add(EventRetryDelays[ev.Attempts-1])
	default:
		ev.NextAttempt = time.Time{}
	}
	return ev.EventDelivery
}
