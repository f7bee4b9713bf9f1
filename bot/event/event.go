// Package event decodes what Lark hands the bot once a request has passed
// the webhook guard: a card.action.trigger callback becomes a Click (who
// clicked, and the card's {k, id, v} value checked by card.ParseValue),
// and an im.message.receive_v1 event becomes a Message (who sent it, and
// the text command it holds with the people it mentions). Nothing here
// reads a store or calls the workflow: that is the bot's business.
//
// It is a package of its own so that its fuzz targets run at full speed:
// in package bot the instrumented test binary links the whole adapter and
// the workflow, and every input of a fuzz target there pays for a fresh
// store (docs/reliability.md G10).
package event

import (
	"errors"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
)

// Why a callback is not a click the bot can act on. A value no kaohe card
// produces is card.ErrBadValue, with the event id and operator known.
var (
	// ErrMalformed: a part of the callback is missing (event, operator,
	// action or header), as in a body the SDK could only partly decode.
	ErrMalformed = errors.New("malformed card callback")
	// ErrNoOperator: the callback names no operator, so there is nobody
	// to act for.
	ErrNoOperator = errors.New("card callback without an operator")
)

// Click is a card callback decoded: who clicked which card value, with
// the form's values as the SDK delivers them (for the card's parser).
type Click struct {
	// EventID identifies the delivery: Lark re-sends a callback it did
	// not see answered with the same id. It may be empty.
	EventID string
	// Operator is the open_id of the person who clicked, verified by the
	// webhook's signature: the only identity a click carries.
	Operator string
	// Value is the element's {k, id, v}.
	Value card.Value
	// Form is the form's values, nil when the element is not in a form.
	Form map[string]any
}

// DecodeClick decodes a card.action.trigger callback. The error is
// ErrMalformed or ErrNoOperator, with nothing decoded, or one wrapping
// card.ErrBadValue, with EventID and Operator set for the log.
func DecodeClick(e *callback.CardActionTriggerEvent) (Click, error) {
	if e == nil || e.Event == nil || e.Event.Operator == nil || e.Event.Action == nil || e.EventV2Base == nil || e.EventV2Base.Header == nil {
		return Click{}, ErrMalformed
	}
	c := Click{EventID: e.EventV2Base.Header.EventID, Operator: e.Event.Operator.OpenID, Form: e.Event.Action.FormValue}
	if c.Operator == "" {
		return Click{}, ErrNoOperator
	}
	v, err := card.ParseValue(e.Event.Action.Value)
	if err != nil {
		return c, err
	}
	c.Value = v
	return c, nil
}

// Message is a private chat's message to the bot, decoded.
type Message struct {
	// ID is Lark's message_id: a re-pushed event carries the same one, so
	// every effect of the message is keyed by it.
	ID string
	// From is the sender's open_id.
	From string
	// Text is a text message's text; "" for any other kind of message.
	Text string
	// Command is what Text asks for (help when it is no command).
	Command command.Parsed
	// Mentions maps a mention's key in Text ("@_user_1") to the open_id of
	// the person it names; a key listed twice names the last one.
	Mentions map[string]string
}

// DecodeMessage decodes an im.message.receive_v1 event. It reports false
// for what the bot does not answer: an event without a sender or message,
// a message without an id or a sender's open_id, and any message outside
// a private chat (group chats are for 公示, not commands).
func DecodeMessage(e *larkim.P2MessageReceiveV1) (Message, bool) {
	if e == nil || e.Event == nil || e.Event.Message == nil || e.Event.Sender == nil || e.Event.Sender.SenderId == nil {
		return Message{}, false
	}
	m := e.Event.Message
	if str(m.ChatType) != "p2p" {
		return Message{}, false
	}
	msg := Message{ID: str(m.MessageId), From: str(e.Event.Sender.SenderId.OpenId), Mentions: map[string]string{}}
	if msg.From == "" || msg.ID == "" {
		return Message{}, false
	}
	if text, ok := command.Content(str(m.MessageType), str(m.Content)); ok {
		msg.Text = text
	}
	msg.Command = command.Parse(msg.Text)
	for _, mn := range m.Mentions {
		if mn != nil && mn.Id != nil && str(mn.Key) != "" && str(mn.Id.OpenId) != "" {
			msg.Mentions[str(mn.Key)] = str(mn.Id.OpenId)
		}
	}
	return msg, true
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
