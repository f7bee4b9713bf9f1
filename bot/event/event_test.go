package event

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
)

// The inputs are request bodies after the webhook guard, decoded the way
// the SDK's dispatcher decodes them (json.Unmarshal into the event type).

// clickBody is a card.action.trigger body with the given header, operator
// and action.
func clickBody(header, operator, action string) string {
	return `{"schema":"2.0",` + header + `"event":{` + operator + `"token":"c-token",` + action + `}}`
}

const (
	header   = `"header":{"event_id":"ev_1","event_type":"card.action.trigger","token":"v-token"},`
	operator = `"operator":{"open_id":"ou_e1","user_id":"u1"},`
)

func decodeClick(t *testing.T, body string) (Click, error) {
	t.Helper()
	var e callback.CardActionTriggerEvent
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("body does not decode: %v", err)
	}
	return DecodeClick(&e)
}

func TestDecodeClick(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    Click
		wantErr error
	}{
		{"FormSubmit", clickBody(header, operator, `"action":{"tag":"button","value":{"k":"weekly","id":"2026-W46","v":2},"form_value":{"attendance":"full"}}`),
			Click{EventID: "ev_1", Operator: "ou_e1", Value: card.Value{K: card.KindWeekly, ID: "2026-W46", V: 2}, Form: map[string]any{"attendance": "full"}}, nil},
		{"Button", clickBody(header, operator, `"action":{"tag":"button","value":{"k":"todo","id":"","v":0}}`),
			Click{EventID: "ev_1", Operator: "ou_e1", Value: card.Value{K: card.KindTodo}}, nil},
		{"NoEventID", clickBody(`"header":{},`, operator, `"action":{"value":{"k":"todo","id":"","v":0}}`),
			Click{Operator: "ou_e1", Value: card.Value{K: card.KindTodo}}, nil},
		{"NoHeader", clickBody("", operator, `"action":{"value":{"k":"todo","id":"","v":0}}`), Click{}, ErrMalformed},
		{"NoOperator", clickBody(header, "", `"action":{"value":{"k":"todo","id":"","v":0}}`), Click{}, ErrMalformed},
		{"NoAction", clickBody(header, operator, `"x":1`), Click{}, ErrMalformed},
		{"NoEvent", `{"schema":"2.0",` + header + `"x":1}`, Click{}, ErrMalformed},
		{"EmptyOperator", clickBody(header, `"operator":{"user_id":"u1"},`, `"action":{"value":{"k":"todo","id":"","v":0}}`), Click{}, ErrNoOperator},
		{"UnknownKind", clickBody(header, operator, `"action":{"value":{"k":"grant_all","id":"","v":0}}`),
			Click{EventID: "ev_1", Operator: "ou_e1"}, card.ErrBadValue},
		{"ExtraKey", clickBody(header, operator, `"action":{"value":{"k":"todo","id":"","v":0,"as":"ou_hr"}}`),
			Click{EventID: "ev_1", Operator: "ou_e1"}, card.ErrBadValue},
		{"FractionalVersion", clickBody(header, operator, `"action":{"value":{"k":"approve","id":"2026-Q4/ou_e1/1","v":1.5}}`),
			Click{EventID: "ev_1", Operator: "ou_e1"}, card.ErrBadValue},
		{"NoValue", clickBody(header, operator, `"action":{"tag":"button"}`), Click{EventID: "ev_1", Operator: "ou_e1"}, card.ErrBadValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeClick(t, tt.body)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := DecodeClick(nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("nil event: %v", err)
	}
}

// messageBody is an im.message.receive_v1 body from sender in a chat of
// chatType, with the content (a JSON string, itself JSON) and mentions.
func messageBody(sender, msgID, chatType, msgType, content, mentions string) string {
	return `{"schema":"2.0","header":{"event_id":"ev_m","event_type":"im.message.receive_v1"},"event":{` +
		`"sender":{"sender_id":{"open_id":"` + sender + `"},"sender_type":"user"},` +
		`"message":{"message_id":"` + msgID + `","chat_id":"oc_1","chat_type":"` + chatType + `","message_type":"` + msgType + `",` +
		`"content":` + content + `,"mentions":` + mentions + `}}}`
}

func decodeMessage(t *testing.T, body string) (Message, bool) {
	t.Helper()
	var e larkim.P2MessageReceiveV1
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("body does not decode: %v", err)
	}
	return DecodeMessage(&e)
}

func TestDecodeMessage(t *testing.T) {
	t.Parallel()
	const mention = `[{"key":"@_user_1","id":{"open_id":"ou_e2","user_id":"u2"},"name":"周二"}]`
	tests := []struct {
		name string
		body string
		want *Message // nil: not for the bot
	}{
		{"Command", messageBody("ou_e1", "om_1", "p2p", "text", `"{\"text\":\"待办\"}"`, `[]`),
			&Message{ID: "om_1", From: "ou_e1", Text: "待办", Command: command.Parsed{Cmd: command.Todo}, Mentions: map[string]string{}}},
		{"Mention", messageBody("ou_hr", "om_2", "p2p", "text", `"{\"text\":\"人员 @_user_1\"}"`, mention),
			&Message{ID: "om_2", From: "ou_hr", Text: "人员 @_user_1", Command: command.Parsed{Cmd: command.People, Args: []string{"@_user_1"}},
				Mentions: map[string]string{"@_user_1": "ou_e2"}}},
		{"MentionsWithoutKeyOrIDDropped", messageBody("ou_hr", "om_3", "p2p", "text", `"{\"text\":\"帮助\"}"`,
			`[null,{"key":"@_user_1"},{"id":{"open_id":"ou_e3"}},{"key":"","id":{"open_id":"ou_e3"}},{"key":"@_user_2","id":{"user_id":"u"}}]`),
			&Message{ID: "om_3", From: "ou_hr", Text: "帮助", Command: command.Parsed{Cmd: command.Help}, Mentions: map[string]string{}}},
		{"MentionKeyTwiceLastWins", messageBody("ou_hr", "om_4", "p2p", "text", `"{\"text\":\"帮助\"}"`,
			`[{"key":"@_user_1","id":{"open_id":"ou_e2"}},{"key":"@_user_1","id":{"open_id":"ou_e3"}}]`),
			&Message{ID: "om_4", From: "ou_hr", Text: "帮助", Command: command.Parsed{Cmd: command.Help}, Mentions: map[string]string{"@_user_1": "ou_e3"}}},
		{"Image", messageBody("ou_e1", "om_5", "p2p", "image", `"{\"image_key\":\"img\"}"`, `[]`),
			&Message{ID: "om_5", From: "ou_e1", Command: command.Parsed{Cmd: command.Help}, Mentions: map[string]string{}}},
		{"NotACommand", messageBody("ou_e1", "om_6", "p2p", "text", `"{\"text\":\"你好\"}"`, `null`),
			&Message{ID: "om_6", From: "ou_e1", Text: "你好", Command: command.Parsed{Cmd: command.Help, Unknown: true}, Mentions: map[string]string{}}},
		{"Group", messageBody("ou_e1", "om_7", "group", "text", `"{\"text\":\"@_user_1 待办\"}"`, mention), nil},
		{"NoSender", messageBody("", "om_8", "p2p", "text", `"{\"text\":\"待办\"}"`, `[]`), nil},
		{"NoMessageID", messageBody("ou_e1", "", "p2p", "text", `"{\"text\":\"待办\"}"`, `[]`), nil},
		{"NoMessage", `{"event":{"sender":{"sender_id":{"open_id":"ou_e1"}}}}`, nil},
		{"NoSenderID", `{"event":{"sender":{},"message":{"message_id":"om_9","chat_type":"p2p"}}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := decodeMessage(t, tt.body)
			if ok != (tt.want != nil) {
				t.Fatalf("for the bot: %v, want %v", ok, tt.want != nil)
			}
			if tt.want != nil && !reflect.DeepEqual(got, *tt.want) {
				t.Fatalf("got %+v, want %+v", got, *tt.want)
			}
		})
	}
	if _, ok := DecodeMessage(nil); ok {
		t.Fatal("nil event decoded")
	}
}

// FuzzDecodeClick decodes arbitrary callback bodies. A click is decoded
// only with every part present and an operator, and then carries exactly
// the body's event id, operator, form and a value that card.ParseValue
// accepts; anything else is one of the three refusals. Decoding is a
// function of what the SDK decoded: the same event, re-encoded, decodes
// the same.
func FuzzDecodeClick(f *testing.F) {
	for _, s := range []string{
		clickBody(header, operator, `"action":{"tag":"button","value":{"k":"weekly","id":"2026-W46","v":2},"form_value":{"attendance":"full"}}`),
		clickBody(header, operator, `"action":{"tag":"button","value":{"k":"open","id":"step/2026-Q4/ou_e1/1","v":0}}`),
		clickBody(header, operator, `"action":{"value":{"k":"open","id":"nothing/x","v":0}}`),
		clickBody(header, operator, `"action":{"value":{"k":"approve","id":"2026-Q4/ou_e1/1","v":1e20},"form_value":[]}`),
		clickBody(header, operator, `"action":{"value":{"k":"todo","id":"\u0000","v":-0}}`),
		clickBody(header, `"operator":{"open_id":""},`, `"action":{"value":{"k":"todo","id":"","v":0}}`),
		clickBody(`"header":null,`, operator, `"action":{"value":{"k":"todo","id":"","v":0}}`),
		clickBody(header, operator, `"action":null`),
		`{"event":null}`, `null`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var e callback.CardActionTriggerEvent
		if json.Unmarshal(body, &e) != nil {
			return // the SDK refuses the body before the bot sees it
		}
		c, err := DecodeClick(&e)
		whole := e.Event != nil && e.Event.Operator != nil && e.Event.Action != nil && e.EventV2Base != nil && e.EventV2Base.Header != nil
		switch {
		case !whole:
			if !errors.Is(err, ErrMalformed) || !reflect.DeepEqual(c, Click{}) {
				t.Fatalf("partial callback: %+v, %v", c, err)
			}
			return
		case e.Event.Operator.OpenID == "":
			if !errors.Is(err, ErrNoOperator) || !reflect.DeepEqual(c, Click{}) {
				t.Fatalf("callback without an operator: %+v, %v", c, err)
			}
			return
		}
		if c.EventID != e.EventV2Base.Header.EventID || c.Operator != e.Event.Operator.OpenID {
			t.Fatalf("click %+v is not the body's event and operator", c)
		}
		if err != nil {
			if !errors.Is(err, card.ErrBadValue) || c.Value != (card.Value{}) {
				t.Fatalf("refused with %v (value %+v), want card.ErrBadValue alone", err, c.Value)
			}
			return
		}
		if !reflect.DeepEqual(c.Form, e.Event.Action.FormValue) {
			t.Fatalf("form %v, body's %v", c.Form, e.Event.Action.FormValue)
		}
		if back, err := card.ParseValue(map[string]any{"k": c.Value.K, "id": c.Value.ID, "v": float64(c.Value.V)}); err != nil || back != c.Value {
			t.Fatalf("value %+v does not survive a card: %+v, %v", c.Value, back, err)
		}
		again, err := json.Marshal(&e)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var e2 callback.CardActionTriggerEvent
		if err := json.Unmarshal(again, &e2); err != nil {
			t.Fatalf("re-decode %s: %v", again, err)
		}
		if c2, err := DecodeClick(&e2); err != nil || !reflect.DeepEqual(c2, c) {
			t.Fatalf("re-encoded callback decodes as %+v, %v; first %+v", c2, err, c)
		}
	})
}

// FuzzDecodeMessage decodes arbitrary message bodies, mentions included.
// Only a private chat's message with an id and a sender's open_id is for
// the bot; its text is a text message's, its command a valid one, and
// every mention it keeps is one the body lists, by a key and an open_id,
// the last listing of a key winning.
func FuzzDecodeMessage(f *testing.F) {
	const mention = `[{"key":"@_user_1","id":{"open_id":"ou_e2","user_id":"u2"},"name":"周二"}]`
	for _, s := range []string{
		messageBody("ou_e1", "om_1", "p2p", "text", `"{\"text\":\"待办\"}"`, `[]`),
		messageBody("ou_hr", "om_2", "p2p", "text", `"{\"text\":\"人员 @_user_1\"}"`, mention),
		messageBody("ou_e1", "om_3", "p2p", "text", `"{\"text\":\"委托 @_user_1 2026-11-12 2026-11-19 出差\"}"`, mention),
		messageBody("ou_e1", "om_4", "p2p", "text", `"{\"text\":\"委托 @_user_2 2026-11-12 2026-11-19\"}"`,
			`[{"key":"@_user_2","id":{"open_id":"ou_e3"}},{"key":"@_user_2","id":{"open_id":"ou_e2"}},null,{"key":"@_user_3"}]`),
		messageBody("ou_e1", "om_5", "group", "text", `"{\"text\":\"@_user_1 待办\"}"`, mention),
		messageBody("ou_e1", "om_6", "p2p", "post", `"{\"title\":\"待办\"}"`, `null`),
		messageBody("ou_e1", "om_7", "p2p", "text", `"{\"text\":\"\u202e办待 @_user_1\"}"`, `[{"key":"@_user_1","id":null}]`),
		messageBody("", "om_8", "p2p", "text", `"{\"text\":\"待办\"}"`, `[]`),
		messageBody("ou_e1", "", "p2p", "text", `"not json"`, `[]`),
		`{"event":{"sender":null,"message":{}}}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var e larkim.P2MessageReceiveV1
		if json.Unmarshal(body, &e) != nil {
			return
		}
		m, ok := DecodeMessage(&e)
		forBot := e.Event != nil && e.Event.Message != nil && e.Event.Sender != nil && e.Event.Sender.SenderId != nil &&
			str(e.Event.Message.ChatType) == "p2p" && str(e.Event.Sender.SenderId.OpenId) != "" && str(e.Event.Message.MessageId) != ""
		if ok != forBot {
			t.Fatalf("decoded %v, for the bot %v", ok, forBot)
		}
		if !ok {
			if !reflect.DeepEqual(m, Message{}) {
				t.Fatalf("a message not for the bot decoded as %+v", m)
			}
			return
		}
		msg := e.Event.Message
		if m.ID != str(msg.MessageId) || m.From != str(e.Event.Sender.SenderId.OpenId) {
			t.Fatalf("message %s from %s, body's %s from %s", m.ID, m.From, str(msg.MessageId), str(e.Event.Sender.SenderId.OpenId))
		}
		if m.Text != "" && str(msg.MessageType) != "text" {
			t.Fatalf("%s message has text %q", str(msg.MessageType), m.Text)
		}
		if !command.Valid(m.Command.Cmd) || !reflect.DeepEqual(m.Command, command.Parse(m.Text)) {
			t.Fatalf("command %+v is not the text's (%q)", m.Command, m.Text)
		}
		if m.Mentions == nil {
			t.Fatal("nil mentions")
		}
		for key, id := range m.Mentions {
			last := ""
			for _, mn := range msg.Mentions {
				if mn != nil && mn.Id != nil && str(mn.Key) == key && str(mn.Id.OpenId) != "" {
					last = str(mn.Id.OpenId)
				}
			}
			if key == "" || id == "" || id != last {
				t.Fatalf("mention %q → %q, the body's last listing names %q", key, id, last)
			}
		}
		for _, mn := range msg.Mentions {
			if mn != nil && mn.Id != nil && str(mn.Key) != "" && str(mn.Id.OpenId) != "" && m.Mentions[str(mn.Key)] == "" {
				t.Fatalf("mention %q of %q dropped", str(mn.Key), str(mn.Id.OpenId))
			}
		}
	})
}
