package larksim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lifetimes. [D1][D4][D5b][D6]
const (
	// UUIDWindow is how long a send uuid de-duplicates.
	UUIDWindow = time.Hour
	// CardUpdateWindow is how long after sending a card may be patched or
	// (for JSON 2.0) interacted with.
	CardUpdateWindow = 14 * 24 * time.Hour
	// DelayTokenTTL is how long a callback's update token is valid.
	DelayTokenTTL = 30 * time.Minute
	// DelayTokenUses is how many times a callback's update token works.
	DelayTokenUses = 2
)

// Update sources recorded in Message.Updates.
const (
	UpdatePatch    = "patch"          // PATCH /open-apis/im/v1/messages/:id
	UpdateCallback = "callback"       // card returned in a callback answer
	UpdateDelayed  = "delayed_update" // POST /open-apis/interactive/v1/card/update
)

// Sender types.
const (
	SenderApp  = "app"
	SenderUser = "user"
)

// Message is a message the server accepted: sent by the bot through the API
// or by a user through SendText.
type Message struct {
	// MessageID is "om_…".
	MessageID string
	// ChatID and ChatType ("p2p" or "group") locate the message.
	ChatID, ChatType string
	// ToOpenID is the user of a p2p chat; "" in groups.
	ToOpenID string
	// MsgType is text, post, interactive or file.
	MsgType string
	// Content is the current content, a JSON string as Lark stores it; for
	// cards it reflects every applied update.
	Content string
	// SenderType is SenderApp or SenderUser; SenderID the app id or open_id.
	SenderType, SenderID string
	// RootID and ParentID are set on replies.
	RootID, ParentID string
	// UUID is the de-duplication key the sender gave, if any.
	UUID string
	// CreateTime and UpdateTime are on the server clock.
	CreateTime, UpdateTime time.Time
	// Deleted marks a recalled message.
	Deleted bool
	// Updates is the card's update history, oldest first.
	Updates []Update
	// Mentions are the people a user's text message @-mentions, in the
	// order of their keys (@_user_1, …).
	Mentions []Mention
	// Urgent lists the users the bot made the message urgent (加急) for
	// through urgent_app, once each, in order (urgent.go). [D25]
	Urgent []UrgentMark
	// ReadBy lists the users who have read the message, in the order they
	// first read it: what read_users answers (urgent.go). [D26]
	ReadBy []Mark

	v2          bool
	updateMulti bool
	seq         int64 // Server.seq at the message's last change
}

// Update is one change to a card.
type Update struct {
	// At is when the update was applied (server clock).
	At time.Time
	// Source is UpdatePatch, UpdateCallback or UpdateDelayed.
	Source string
	// Content is the card after the update.
	Content string
	// Operator is the clicking user's open_id for callback and delayed
	// updates.
	Operator string
	// Reverted is set when a delayed update was made before the callback
	// answer and was therefore undone, as Lark warns it will be. [D6]
	Reverted bool
}

func (m *Message) clone() Message {
	c := *m
	c.Updates = slices.Clone(m.Updates)
	c.Mentions = slices.Clone(m.Mentions)
	c.Urgent = slices.Clone(m.Urgent)
	c.ReadBy = slices.Clone(m.ReadBy)
	return c
}

// MessageFilter selects messages. Zero fields match everything.
type MessageFilter struct {
	// ChatID keeps messages in that chat.
	ChatID string
	// ToOpenID keeps messages in that user's p2p chat with the bot.
	ToOpenID string
	// MsgType keeps messages of that type.
	MsgType string
	// SenderType keeps messages from SenderApp or SenderUser.
	SenderType string
}

// Messages returns the accepted messages that match f, oldest first.
func (s *Server) Messages(f MessageFilter) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.msgOrder {
		m := s.messages[id]
		if (f.ChatID != "" && m.ChatID != f.ChatID) ||
			(f.ToOpenID != "" && m.ToOpenID != f.ToOpenID) ||
			(f.MsgType != "" && m.MsgType != f.MsgType) ||
			(f.SenderType != "" && m.SenderType != f.SenderType) {
			continue
		}
		out = append(out, m.clone())
	}
	return out
}

// MessagesTo returns what the bot sent to the user in their p2p chat.
func (s *Server) MessagesTo(openID string) []Message {
	return s.Messages(MessageFilter{ToOpenID: openID, SenderType: SenderApp})
}

// Message returns one message by id.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return m.clone(), true
}

// Recall marks a message recalled, as if a user or admin withdrew it.
func (s *Server) Recall(messageID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[messageID]
	if !ok {
		return fmt.Errorf("recall %s: %w", messageID, ErrNotFound)
	}
	m.Deleted = true
	s.touchLocked(m)
	return nil
}

// apiError is an answer other than success.
type apiError struct {
	status int
	code   int
	ext    string
}

func imErr(code int, ext string) *apiError { return &apiError{http.StatusBadRequest, code, ext} }

func (s *Server) writeAPIError(w http.ResponseWriter, e *apiError) {
	s.writeError(w, e.status, e.code, e.ext)
}

var receiveIDTypes = setOf("open_id", "union_id", "user_id", "email", "chat_id")

// handleCreate implements POST /open-apis/im/v1/messages. [D1]
func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	idType := r.URL.Query().Get("receive_id_type")
	if !receiveIDTypes[idType] {
		s.writeError(w, http.StatusBadRequest, CodeFieldValidation, "receive_id_type must be one of open_id, union_id, user_id, email, chat_id")
		return
	}
	var body struct {
		ReceiveID string `json:"receive_id"`
		MsgType   string `json:"msg_type"`
		Content   string `json:"content"`
		UUID      string `json:"uuid"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	if e := checkSendFields(body.MsgType, body.Content, body.UUID); e != nil {
		s.writeAPIError(w, e)
		return
	}
	if body.ReceiveID == "" {
		s.writeError(w, http.StatusBadRequest, CodeFieldValidation, "receive_id is required")
		return
	}
	s.mu.Lock()
	m, e := s.sendLocked(sendReq{
		dedupeKey: "create:" + body.UUID, uuid: body.UUID,
		msgType: body.MsgType, content: body.Content,
		resolve: func() (*Chat, *apiError) { return s.resolveReceiverLocked(idType, body.ReceiveID) },
	})
	var data map[string]any
	if e == nil {
		data = s.messageDataLocked(m)
	}
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	writeOK(w, "success", data)
}

// handleReply implements POST /open-apis/im/v1/messages/:message_id/reply. [D1r]
func (s *Server) handleReply(w http.ResponseWriter, r *http.Request, p map[string]string) {
	var body struct {
		MsgType       string `json:"msg_type"`
		Content       string `json:"content"`
		UUID          string `json:"uuid"`
		ReplyInThread bool   `json:"reply_in_thread"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	if e := checkSendFields(body.MsgType, body.Content, body.UUID); e != nil {
		s.writeAPIError(w, e)
		return
	}
	parentID := p["message_id"]
	s.mu.Lock()
	var parent *Message
	m, e := s.sendLocked(sendReq{
		dedupeKey: "reply:" + body.UUID, uuid: body.UUID,
		msgType: body.MsgType, content: body.Content,
		resolve: func() (*Chat, *apiError) {
			parent = s.messages[parentID]
			if parent == nil {
				return nil, imErr(CodeMessageIDNotExist, parentID)
			}
			if parent.Deleted {
				return nil, imErr(CodeMessageRecalled, "")
			}
			c := s.chats[parent.ChatID]
			if e := s.chatSendableLocked(c); e != nil {
				return nil, e
			}
			return c, nil
		},
		reply: func(m *Message) {
			m.ParentID = parent.MessageID
			m.RootID = parent.RootID
			if m.RootID == "" {
				m.RootID = parent.MessageID
			}
		},
	})
	var data map[string]any
	if e == nil {
		data = s.messageDataLocked(m)
	}
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	writeOK(w, "success", data)
}

// checkSendFields validates what does not depend on server state.
func checkSendFields(msgType, content, uuid string) *apiError {
	switch {
	case msgType == "":
		return imErr(CodeFieldValidation, "msg_type is required")
	case content == "":
		return imErr(CodeFieldValidation, "content is required")
	case len(uuid) > 50:
		return imErr(CodeFieldValidation, "uuid: the max length is 50")
	}
	return nil
}

// sendReq is one send or reply.
type sendReq struct {
	dedupeKey, uuid  string
	msgType, content string
	resolve          func() (*Chat, *apiError)
	reply            func(*Message)
}

// sendLocked runs the checks Lark makes on a send, in order: uuid
// de-duplication, receiver, per-chat frequency, content. The caller holds
// s.mu.
func (s *Server) sendLocked(req sendReq) (*Message, *apiError) {
	now := s.opts.Clock.Now()
	if req.uuid != "" {
		if e, ok := s.uuids[req.dedupeKey]; ok && now.Sub(e.at) < UUIDWindow {
			s.stats.Deduplicated++
			return s.messages[e.messageID], nil
		}
	}
	chat, e := req.resolve()
	if e != nil {
		return nil, e
	}
	if ok, _, _ := s.limits.allow("chat:"+chat.ChatID, now, window{time.Second, s.opts.ChatPerSecond}); !ok {
		s.stats.ChatRateLimited++
		return nil, imErr(CodeChatFrequencyLimit, "")
	}
	info, e := s.checkContentLocked(req.msgType, req.content)
	if e != nil {
		return nil, e
	}
	if s.dlp && dlpBlocks(req.content) {
		return nil, imErr(CodeDLPBlocked, "")
	}
	m := &Message{
		MessageID:  "om_" + s.randHex(32),
		ChatID:     chat.ChatID,
		ChatType:   chat.Type,
		MsgType:    req.msgType,
		Content:    req.content,
		SenderType: SenderApp,
		SenderID:   s.opts.AppID,
		UUID:       req.uuid,
		CreateTime: now,
		UpdateTime: now,
	}
	if chat.Type == ChatP2P {
		m.ToOpenID = chat.Members[0]
	}
	if info != nil {
		m.v2, m.updateMulti = info.v2, info.updateMulti
	}
	if req.reply != nil {
		req.reply(m)
	}
	s.storeLocked(m)
	if req.uuid != "" {
		s.uuids[req.dedupeKey] = uuidEntry{messageID: m.MessageID, at: now}
	}
	return m, nil
}

func (s *Server) storeLocked(m *Message) {
	s.messages[m.MessageID] = m
	s.msgOrder = append(s.msgOrder, m.MessageID)
	s.touchLocked(m)
}

// resolveReceiverLocked maps receive_id_type/receive_id to a chat and
// applies the receiver conditions. [D1]
func (s *Server) resolveReceiverLocked(idType, id string) (*Chat, *apiError) {
	if idType == "chat_id" {
		c := s.chats[id]
		if c == nil {
			// Reported answer for an id that is not a chat of this app
			// [I NousResearch/hermes-agent#7685].
			return nil, imErr(CodeIMBadParam, "invalid receive_id")
		}
		if e := s.chatSendableLocked(c); e != nil {
			return nil, e
		}
		return c, nil
	}
	u := s.userByLocked(idType, id)
	if u == nil {
		return nil, imErr(unknownUserCode(idType, id), id)
	}
	if code := userSendCode(u); code != 0 {
		return nil, imErr(code, "")
	}
	return s.p2pChatLocked(u.OpenID), nil
}

// chatSendableLocked applies the chat conditions, and the user's for a p2p
// chat.
func (s *Server) chatSendableLocked(c *Chat) *apiError {
	switch {
	case c.Dissolved:
		return imErr(CodeChatDissolved, "")
	case c.Type == ChatP2P:
		if u := s.users[c.Members[0]]; u != nil {
			if code := userSendCode(u); code != 0 {
				return imErr(code, "")
			}
		}
	case !c.BotMember:
		return imErr(CodeBotNotInChat, "")
	case c.BotCannotSpeak:
		return imErr(CodeNoSendPermission, "")
	case c.SettingsForbid:
		return imErr(CodeGroupSettingsForbid, "")
	}
	return nil
}

// userSendCode is the error Lark gives when sending to u, 0 if none. [D1]
func userSendCode(u *User) int {
	switch {
	case u.SendErrorCode != 0:
		return u.SendErrorCode
	case u.Resigned, u.OutOfScope:
		return CodeNoAvailability
	case u.StoppedBot:
		return CodeUserStoppedBot
	case u.Blocked:
		return CodeNoSendPermission
	}
	return 0
}

// checkContentLocked validates content for its msg_type. Cards return
// their parsed info.
func (s *Server) checkContentLocked(msgType, content string) (*cardInfo, *apiError) {
	switch msgType {
	case "text":
		if RequestBytes(content) > MaxTextBytes {
			return nil, imErr(CodeContentTooLong, "")
		}
		var t struct {
			Text *string `json:"text"`
		}
		if json.Unmarshal([]byte(content), &t) != nil || t.Text == nil {
			return nil, imErr(CodeIMBadParam, `invalid content: text content must be {"text":"…"}`)
		}
		return nil, nil
	case "post":
		if RequestBytes(content) > MaxCardBytes {
			return nil, imErr(CodeContentTooLong, "")
		}
		var v map[string]any
		if json.Unmarshal([]byte(content), &v) != nil {
			return nil, imErr(CodeIMBadParam, "invalid content: post content must be a JSON object")
		}
		return nil, nil
	case "file":
		return nil, s.checkFileContentLocked(content)
	case "interactive":
		info, err := s.checkCardLocked([]byte(content), true)
		if err != nil {
			s.stats.CardRejected++
			if err.Code == CodeContentTooLong {
				return nil, imErr(CodeContentTooLong, "")
			}
			return nil, imErr(CodeCardCreateFailed, err.Error())
		}
		return info, nil
	}
	return nil, imErr(CodeIMBadParam, "larksim does not simulate msg_type "+strconv.Quote(msgType))
}

// checkCardLocked runs ValidateCard's checks plus the ones that need the
// directory: every <at> and person must name a known user. [D1 100290]
// inString says the card arrived as a JSON string inside the request
// (send, reply, PATCH), whose escaped length is what the 30 KB limit
// measures; a delayed update or callback answer carries it as an object.
func (s *Server) checkCardLocked(card []byte, inString bool) (*cardInfo, *CardError) {
	info, err := parseCard(card, s.opts.AllowCardV1, inString)
	if err != nil {
		var ce *CardError
		errors.As(err, &ce)
		return nil, ce
	}
	for _, id := range mentionedIDs(info.root) {
		if id == "all" {
			continue
		}
		if s.userByAnyLocked(id) == nil {
			return nil, &CardError{Code: CardCodeInvalidUser,
				Msg: "There is an invalid user resource(at/person) in your card", Value: id}
		}
	}
	return info, nil
}

// messageDataLocked renders m as Lark's message object. [D1 response]
func (s *Server) messageDataLocked(m *Message) map[string]any {
	d := map[string]any{
		"message_id":  m.MessageID,
		"msg_type":    m.MsgType,
		"create_time": strconv.FormatInt(m.CreateTime.UnixMilli(), 10),
		"update_time": strconv.FormatInt(m.UpdateTime.UnixMilli(), 10),
		"deleted":     m.Deleted,
		"updated":     len(m.Updates) > 0,
		"chat_id":     m.ChatID,
		"body":        map[string]any{"content": m.Content},
	}
	if m.SenderType == SenderApp {
		d["sender"] = map[string]any{"id": m.SenderID, "id_type": "app_id", "sender_type": "app", "tenant_key": s.opts.TenantKey}
	} else {
		d["sender"] = map[string]any{"id": m.SenderID, "id_type": "open_id", "sender_type": "user", "tenant_key": s.opts.TenantKey}
	}
	if m.RootID != "" {
		d["root_id"] = m.RootID
	}
	if m.ParentID != "" {
		d["parent_id"] = m.ParentID
	}
	return d
}

// handlePatch implements PATCH /open-apis/im/v1/messages/:message_id. [D4]
func (s *Server) handlePatch(w http.ResponseWriter, r *http.Request, p map[string]string) {
	var body struct {
		Content string `json:"content"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	if body.Content == "" {
		s.writeError(w, http.StatusBadRequest, CodeFieldValidation, "content is required")
		return
	}
	s.mu.Lock()
	e := s.patchLocked(p["message_id"], body.Content)
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "data": map[string]any{}, "msg": "ok"})
}

func (s *Server) patchLocked(id, content string) *apiError {
	now := s.opts.Clock.Now()
	m := s.messages[id]
	switch {
	case m == nil:
		return imErr(CodeMessageIDNotExist, id)
	case m.Deleted:
		return imErr(CodeMessageRecalled, "")
	case m.SenderType != SenderApp:
		return imErr(CodeIMBadParam, "the caller must be the sender of the message")
	case m.MsgType != "interactive":
		// Reported wording [I go-lark/lark#48].
		return imErr(CodeIMBadParam, "This message is NOT a card")
	case now.Sub(m.CreateTime) > CardUpdateWindow:
		return imErr(CodePatchTooOld, "")
	}
	if c := s.chats[m.ChatID]; c != nil && c.Dissolved {
		return imErr(CodeChatDissolved, "")
	}
	if ok, _, _ := s.limits.allow("msg:"+id, now, window{time.Second, s.opts.MessagePatchPerSecond}); !ok {
		s.stats.ChatRateLimited++
		return imErr(CodeChatFrequencyLimit, "")
	}
	if m.v2 && s.locks[id] > 0 {
		return imErr(CodeCardCreateFailed, (&CardError{Code: CardCodeInvalid, Msg: "card action is lock"}).Error())
	}
	if !m.updateMulti {
		return imErr(CodeIMBadParam, `only shared cards can be updated: config.update_multi must be true before and after the update`)
	}
	info, ce := s.checkCardLocked([]byte(content), true)
	if ce != nil {
		s.stats.CardRejected++
		if ce.Code == CodeContentTooLong {
			return imErr(CodeContentTooLong, "")
		}
		return imErr(CodeCardCreateFailed, ce.Error())
	}
	if !info.updateMulti {
		return imErr(CodeIMBadParam, `only shared cards can be updated: config.update_multi must be true before and after the update`)
	}
	if s.dlp && dlpBlocks(content) {
		return imErr(CodeDLPBlocked, "")
	}
	s.applyUpdateLocked(m, info, content, UpdatePatch, "")
	return nil
}

// applyUpdateLocked replaces a card's content and records the update.
func (s *Server) applyUpdateLocked(m *Message, info *cardInfo, content, source, operator string) int {
	now := s.opts.Clock.Now()
	m.Content = content
	m.UpdateTime = now
	if info != nil {
		m.v2, m.updateMulti = info.v2, info.updateMulti
	}
	m.Updates = append(m.Updates, Update{At: now, Source: source, Content: content, Operator: operator})
	s.touchLocked(m)
	return len(m.Updates) - 1
}

// delayToken is a callback's card-update token. [D6]
type delayToken struct {
	messageID string
	operator  string
	created   time.Time
	uses      int
	// answered turns true when the callback answer arrived. Updates made
	// before that are undone when it does.
	answered bool
	early    []int // indexes in Message.Updates made before the answer
}

// handleCardUpdate implements POST /open-apis/interactive/v1/card/update.
// Errors come with HTTP 200 and the code in the body (this legacy endpoint's
// HTTP status is not documented). [D6]
func (s *Server) handleCardUpdate(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var body struct {
		Token string          `json:"token"`
		Card  json.RawMessage `json:"card"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	s.mu.Lock()
	e := s.cardUpdateLocked(body.Token, body.Card)
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "ok"})
}

func (s *Server) cardUpdateLocked(tok string, card json.RawMessage) *apiError {
	now := s.opts.Clock.Now()
	bad := func(code int, ext string) *apiError { return &apiError{http.StatusOK, code, ext} }
	if !strings.HasPrefix(tok, "c-") {
		return bad(CodeDelayTokenBadFormat, "")
	}
	dt := s.delayTokens[tok]
	switch {
	case dt == nil, now.Sub(dt.created) > DelayTokenTTL:
		return bad(CodeDelayTokenExpired, "")
	case dt.uses >= DelayTokenUses:
		return bad(CodeDelayTokenUsedUp, "")
	}
	if len(card) == 0 || string(card) == "null" {
		return bad(CodeDelayCardParam, "card is required")
	}
	var obj map[string]any
	if json.Unmarshal(card, &obj) != nil {
		return bad(CodeDelayCardParam, "card must be a JSON object")
	}
	m := s.messages[dt.messageID]
	if m == nil || m.Deleted {
		return bad(CodeDelayCardRecalled, "")
	}
	// open_ids is a request field for 1.0 exclusive cards, not card
	// content; without it the card is kept byte for byte.
	content := []byte(card)
	if _, ok := obj["open_ids"]; ok {
		delete(obj, "open_ids")
		content, _ = json.Marshal(obj)
	}
	info, ce := s.checkCardLocked(content, false)
	if ce != nil {
		s.stats.CardRejected++
		return bad(CodeDelayCardFormat, ce.Error())
	}
	dt.uses++
	i := s.applyUpdateLocked(m, info, string(content), UpdateDelayed, dt.operator)
	if !dt.answered {
		dt.early = append(dt.early, i)
	}
	return nil
}
