package larksim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Errors from ClickCard and ClickButton that mean no callback was sent.
var (
	// ErrCardExpired: a JSON 2.0 card older than 14 days (1.0: 30 days)
	// can no longer be interacted with. [D5b]
	ErrCardExpired = errors.New("larksim: card can no longer be interacted with")
	// ErrNotCard: the message is not an interactive card.
	ErrNotCard = errors.New("larksim: message is not a card")
	// ErrRecalled: the message was recalled.
	ErrRecalled = errors.New("larksim: message was recalled")
	// ErrNoCallback: the clicked component has no callback behaviour (e.g.
	// an open_url button, a reset button), so the client sends nothing.
	ErrNoCallback = errors.New("larksim: component does not call back")
	// ErrRequiredEmpty: a required form field is empty; the client
	// validates it locally and sends nothing. [D5c]
	ErrRequiredEmpty = errors.New("larksim: required form field is empty")
	// ErrUnknownField: the form value names a field the form does not have.
	ErrUnknownField = errors.New("larksim: form value names an unknown field")
	// ErrTooLong: an input's value is longer than its max_length (1,000
	// when unset), counted in characters; the client shows an error and
	// sends nothing ("当用户输入的文本字符数超过最大文本长度，组件将报错提示"). [D5d]
	ErrTooLong = errors.New("larksim: form value is longer than the input's max_length")
	// ErrNotAnOption: a select's (or multi select's) value is not among
	// the options the card offers; a person can only pick one of them.
	ErrNotAnOption = errors.New("larksim: form value is not an option the card offers")
	// ErrBadDate: a date picker's value is not a date as the picker sends
	// one ("2026-10-20 +0800"); a person can only pick a real day.
	ErrBadDate = errors.New("larksim: form value is not a date the picker sends")
)

// ClientError is a callback failure that the Lark client shows the user as
// an error, with the client-side code from the callback doc (200341 for a
// reply slower than 3 s, …). [D8]
type ClientError struct {
	// Code is one of the Client* constants.
	Code int
	// Msg explains it.
	Msg string
	// Reply holds what was received, if anything.
	Reply *CardReply
}

// Error formats the code and message.
func (e *ClientError) Error() string {
	return fmt.Sprintf("larksim: card callback failed, client error %d: %s", e.Code, e.Msg)
}

// Toast is the toast from a callback answer.
type Toast struct {
	// Type is info, success, error or warning.
	Type string `json:"type"`
	// Content is the text.
	Content string `json:"content"`
	// I18n holds per-locale texts.
	I18n map[string]string `json:"i18n,omitempty"`
}

// CardReply is what the Lark client got from a card callback.
type CardReply struct {
	// EventID is header.event_id of the callback.
	EventID string
	// Token is the delayed-update token (c-…) sent in the callback.
	Token string
	// StatusCode and Body are the raw HTTP answer.
	StatusCode int
	Body       []byte
	// Toast is the toast, if the answer had one.
	Toast *Toast
	// Card is the card the answer put on the message, if any ("raw" data).
	Card json.RawMessage
	// Latency is how long the answer took (real time).
	Latency time.Duration
}

// Action carries the optional parts of a card action. The zero value is a
// button click.
type Action struct {
	// Tag is the component tag; default "button".
	Tag string
	// Name is the component's name.
	Name string
	// Option is a single-select or picker value.
	Option string
	// Options are multi-select values.
	Options []string
	// InputValue is the text of an input outside a form.
	InputValue string
	// Checked is a checker's state.
	Checked bool
	// Timezone accompanies picker values.
	Timezone string
}

// ClickCard delivers a card.action.trigger callback as Lark does when user
// operatorOpenID interacts with card messageID: schema 2.0 envelope,
// encrypted and signed when an Encrypt Key is configured, POSTed to the
// callback URL, with Options.CallbackTimeout (3 s) to answer. value is the
// component's callback value; formValue, if non-nil, the submitted form.
// act may give the tag, name and other action fields.
//
// A toast or a raw card in the answer is parsed into the reply; the card
// is validated and applied to the message, as the client does. Failures
// the user would see are returned as *ClientError; conditions under which
// the client would send nothing as ErrCardExpired, ErrNotMember, etc.
func (s *Server) ClickCard(ctx context.Context, messageID, operatorOpenID string, value, formValue map[string]any, act ...Action) (*CardReply, error) {
	var a Action
	if len(act) > 0 {
		a = act[0]
	}
	var v any
	if value != nil {
		v = value
	}
	return s.click(ctx, messageID, operatorOpenID, v, formValue, a)
}

// ClickButton finds the button named name (or with that element_id) in the
// card as it currently is, and clicks it: the callback carries the value of
// its "callback" behaviour (or legacy value) exactly as the card defines
// it. For a form's submit button, formValue is the submitted form: its keys
// must be fields of that form, every required field must be non-empty and
// every value one the person could have entered — an input no longer than
// its max_length, a select's value among its options, a date picker's a
// date — or the client sends nothing (ErrUnknownField, ErrRequiredEmpty,
// ErrTooLong, ErrNotAnOption, ErrBadDate; formcheck.go).
func (s *Server) ClickButton(ctx context.Context, messageID, operatorOpenID, name string, formValue map[string]any) (*CardReply, error) {
	s.mu.Lock()
	m, ok := s.messages[messageID]
	var content string
	if ok {
		content = m.Content
	}
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("click %s: %w", messageID, ErrNotFound)
	}
	var root map[string]any
	if err := json.Unmarshal([]byte(content), &root); err != nil {
		return nil, fmt.Errorf("click %s: %w", messageID, ErrNotCard)
	}
	button, form := findComponent(root, name)
	if button == nil {
		return nil, fmt.Errorf("click %s: component %q: %w", messageID, name, ErrNotFound)
	}
	if t, _ := button["tag"].(string); t != "button" {
		return nil, fmt.Errorf("click %s: component %q is a %s, not a button", messageID, name, t)
	}
	var value any
	found := false
	if bs, ok := button["behaviors"].([]any); ok {
		for _, bv := range bs {
			if b, ok := bv.(map[string]any); ok && b["type"] == "callback" {
				value, found = b["value"], true
				break
			}
		}
	} else if lv, ok := button["value"]; ok {
		value, found = lv, true
	}
	submit := form != nil && isSubmit(button)
	if t, _ := button["form_action_type"].(string); t == "reset" || button["action_type"] == "form_reset" {
		return nil, fmt.Errorf("click %s: reset button %q: %w", messageID, name, ErrNoCallback)
	}
	if !found && !submit {
		return nil, fmt.Errorf("click %s: button %q: %w", messageID, name, ErrNoCallback)
	}
	if submit {
		fields := formFields(form)
		for k := range formValue {
			if _, ok := fields[k]; !ok {
				return nil, fmt.Errorf("click %s: field %q: %w", messageID, k, ErrUnknownField)
			}
		}
		// What the client submits for a field the person did not touch:
		// its default, as Lark's input, select and date picker docs say a
		// default counts as filled (an emptied field is sent as "").
		formValue = withDefaults(formValue, fields)
		for n, f := range fields {
			if req, _ := f["required"].(bool); req && isEmpty(formValue[n]) {
				return nil, fmt.Errorf("click %s: field %q: %w", messageID, n, ErrRequiredEmpty)
			}
		}
		if err := checkFormValues(formValue, fields); err != nil {
			return nil, fmt.Errorf("click %s: %w", messageID, err)
		}
		if formValue == nil {
			formValue = map[string]any{}
		}
	} else if formValue != nil {
		return nil, fmt.Errorf("click %s: button %q does not submit a form", messageID, name)
	}
	bn, _ := button["name"].(string)
	return s.click(ctx, messageID, operatorOpenID, value, formValue, Action{Tag: "button", Name: bn})
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case []string:
		return len(x) == 0
	}
	return false
}

func (s *Server) click(ctx context.Context, messageID, operator string, value any, formValue map[string]any, a Action) (*CardReply, error) {
	s.mu.Lock()
	now := s.opts.Clock.Now()
	m := s.messages[messageID]
	u := s.users[operator]
	var e error
	switch {
	case m == nil:
		e = fmt.Errorf("click %s: %w", messageID, ErrNotFound)
	case u == nil:
		e = fmt.Errorf("click by %s: %w", operator, ErrNotFound)
	case m.MsgType != "interactive":
		e = fmt.Errorf("click %s: %w", messageID, ErrNotCard)
	case m.Deleted:
		e = fmt.Errorf("click %s: %w", messageID, ErrRecalled)
	case !isMember(s.chats[m.ChatID], operator):
		e = fmt.Errorf("click %s by %s: %w", messageID, operator, ErrNotMember)
	case m.v2 && now.Sub(m.CreateTime) > CardUpdateWindow, !m.v2 && now.Sub(m.CreateTime) > 30*24*time.Hour:
		e = fmt.Errorf("click %s: %w", messageID, ErrCardExpired)
	}
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	s.readLocked(m, operator) // the card is on the clicking user's screen
	cfg := s.webhook
	if cfg.CallbackURL == "" && !cfg.LongConnection {
		s.mu.Unlock()
		return nil, &ClientError{Code: ClientNoCallbackURL, Msg: "no callback URL configured"}
	}
	eventID := s.randHex(32)
	tok := "c-" + s.randHex(40)
	dt := &delayToken{messageID: messageID, operator: operator, created: now}
	s.delayTokens[tok] = dt
	s.locks[messageID]++
	before := m.Content
	beforeInfo := &cardInfo{v2: m.v2, updateMulti: m.updateMulti}
	if a.Tag == "" {
		a.Tag = "button"
	}
	action := map[string]any{"value": value, "tag": a.Tag}
	if a.Name != "" {
		action["name"] = a.Name
	}
	if formValue != nil {
		action["form_value"] = formValue
	}
	if a.Option != "" {
		action["option"] = a.Option
	}
	if a.Options != nil {
		action["options"] = a.Options
	}
	if a.InputValue != "" {
		action["input_value"] = a.InputValue
	}
	if a.Checked {
		action["checked"] = true
	}
	if a.Timezone != "" {
		action["timezone"] = a.Timezone
	}
	payload := map[string]any{
		"schema": "2.0",
		"header": map[string]any{
			"event_id":    eventID,
			"token":       cfg.VerificationToken,
			"create_time": strconv.FormatInt(now.UnixMicro(), 10), // microseconds [D8]
			"event_type":  "card.action.trigger",
			"tenant_key":  s.opts.TenantKey,
			"app_id":      s.opts.AppID,
		},
		"event": map[string]any{
			"operator": map[string]any{
				"tenant_key": s.opts.TenantKey, "user_id": u.UserID,
				"open_id": u.OpenID, "union_id": u.UnionID,
			},
			"token":  tok,
			"action": action,
			"host":   "im_message",
			"context": map[string]any{
				"open_message_id": m.MessageID, "open_chat_id": m.ChatID,
			},
		},
	}
	s.mu.Unlock()

	plain, err := json.Marshal(payload)
	if err != nil {
		s.finishClick(messageID, dt, before, beforeInfo)
		return nil, fmt.Errorf("click %s: %w", messageID, err)
	}
	start := time.Now()
	d := s.post(ctx, cfg, cfg.CallbackURL, plain, s.opts.CallbackTimeout)
	reply := &CardReply{EventID: eventID, Token: tok, StatusCode: d.status, Body: d.body, Latency: time.Since(start)}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishClickLocked(messageID, dt, before, beforeInfo)
	switch {
	case d.err != nil && ctx.Err() != nil:
		return nil, ctx.Err()
	case d.timeout:
		return nil, &ClientError{Code: ClientTimeout, Msg: fmt.Sprintf("no answer within %v", s.opts.CallbackTimeout), Reply: reply}
	case d.connect:
		return nil, &ClientError{Code: ClientConnectFailed, Msg: d.err.Error(), Reply: reply}
	case d.err != nil:
		return nil, &ClientError{Code: ClientBadStatus, Msg: d.err.Error(), Reply: reply}
	case d.status != http.StatusOK:
		return nil, &ClientError{Code: ClientBadStatus, Msg: fmt.Sprintf("HTTP %d", d.status), Reply: reply}
	}
	return s.applyAnswerLocked(m, operator, reply)
}

// finishClick ends a click that never reached the network.
func (s *Server) finishClick(messageID string, dt *delayToken, before string, beforeInfo *cardInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishClickLocked(messageID, dt, before, beforeInfo)
}

// finishClickLocked unlocks the card and undoes delayed updates that were
// made before the callback was answered: Lark says such updates fail or
// are reverted at once. [D6]
func (s *Server) finishClickLocked(messageID string, dt *delayToken, before string, beforeInfo *cardInfo) {
	s.locks[messageID]--
	dt.answered = true
	if len(dt.early) == 0 {
		return
	}
	m := s.messages[messageID]
	for _, i := range dt.early {
		m.Updates[i].Reverted = true
	}
	m.Content = before
	m.v2, m.updateMulti = beforeInfo.v2, beforeInfo.updateMulti
	s.touchLocked(m)
}

// applyAnswerLocked parses a 200 answer: {} | {"toast":…} | {"card":…}. [D8]
func (s *Server) applyAnswerLocked(m *Message, operator string, reply *CardReply) (*CardReply, error) {
	bad := func(code int, msg string) (*CardReply, error) {
		return nil, &ClientError{Code: code, Msg: msg, Reply: reply}
	}
	var ans map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(reply.Body))
	if err := dec.Decode(&ans); err != nil || ans == nil {
		// "null" (an SDK handler returning nil, nil) is not the documented
		// "{}" answer.
		return bad(ClientBadBody, fmt.Sprintf("answer is not a JSON object: %q", reply.Body))
	}
	for k := range ans {
		if k != "toast" && k != "card" {
			return bad(ClientBadBody, "unknown field "+strconv.Quote(k)+" in callback answer")
		}
	}
	if raw, ok := ans["toast"]; ok {
		var t Toast
		if err := json.Unmarshal(raw, &t); err != nil {
			return bad(ClientBadBody, "toast: "+err.Error())
		}
		switch t.Type {
		case "info", "success", "error", "warning":
		default:
			return bad(ClientBadBody, "toast type must be info, success, error or warning, got "+strconv.Quote(t.Type))
		}
		reply.Toast = &t
	}
	if raw, ok := ans["card"]; ok {
		var c struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &c); err != nil {
			return bad(ClientBadCard, "card: "+err.Error())
		}
		if c.Type != "raw" {
			return bad(ClientBadCard, fmt.Sprintf("card type %q: larksim renders only raw cards", c.Type))
		}
		info, ce := s.checkCardLocked(c.Data, false)
		if ce != nil {
			s.stats.CardRejected++
			return bad(ClientBadCard, ce.Error())
		}
		if m.v2 && !info.v2 {
			return bad(ClientV2ToV1, "a JSON 2.0 card cannot be replaced by a 1.0 card")
		}
		s.applyUpdateLocked(m, info, string(c.Data), UpdateCallback, operator)
		reply.Card = c.Data
	}
	return reply, nil
}

// withDefaults returns fv with every field it lacks set to the field's
// default: an input's default_value, a select's initial_option, a multi
// select's selected_values, a date picker's initial_date (sent with the
// client's zone, "2026-10-20 +0800", as Lark sends a picked date) and a
// time picker's initial_time.
func withDefaults(fv map[string]any, fields map[string]map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fv {
		out[k] = v
	}
	for n, f := range fields {
		if _, ok := out[n]; ok {
			continue
		}
		switch f["tag"] {
		case "input":
			if v, ok := f["default_value"].(string); ok && v != "" {
				out[n] = v
			}
		case "select_static", "select_person":
			if v, ok := f["initial_option"].(string); ok && v != "" {
				out[n] = v
			}
		case "multi_select_static", "multi_select_person":
			if v, ok := f["selected_values"].([]any); ok && len(v) > 0 {
				out[n] = v
			}
		case "date_picker":
			if v, ok := f["initial_date"].(string); ok && v != "" {
				out[n] = v + " +0800"
			}
		case "picker_time":
			if v, ok := f["initial_time"].(string); ok && v != "" {
				out[n] = v
			}
		}
	}
	return out
}
