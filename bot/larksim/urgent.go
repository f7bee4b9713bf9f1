package larksim

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// 加急 (in-app urgent) and read receipts: PATCH
// /open-apis/im/v1/messages/:message_id/urgent_app [D25] and GET
// /open-apis/im/v1/messages/:message_id/read_users [D26], with the read
// state they rest on. A user reads a message by Read (control: POST
// /_sim/read), by clicking its card (the client shows the card to click
// it) and by typing in its chat (the chat is open, so everything in it is
// on screen). A read mark does not move the control interface's cursor: it
// is the reader's state, not a change to the message; an urgent mark does,
// since the chat shows it.

// Defaults of the urgent limits. [D25]
const (
	// DefaultUrgentUnreadCap is how many unread urgent messages a user may
	// have: "加急用户的未读加急总数不能超过 200 条" (230023 beyond).
	DefaultUrgentUnreadCap = 200
	// MaxUrgentUsers bounds user_id_list: "列表长度不能大于 200".
	MaxUrgentUsers = 200
	// ReadUsersWindow is how long after sending read_users answers:
	// "只能查询…发送时间不超过 7 天的消息已读信息" (230033 after). [D26]
	ReadUsersWindow = 7 * 24 * time.Hour
)

// Mark is a user's having read a message, first at At.
type Mark struct {
	OpenID string
	At     time.Time
}

// UrgentMark is a message's being urgent for a user since At; ReadAt is
// when they read it after that (zero while it is unread, which is what
// the cap of 230023 counts).
type UrgentMark struct {
	OpenID string
	At     time.Time
	ReadAt time.Time
}

// Read marks the message read by the user, as the client does when the
// message is on the user's screen. Reading twice keeps the first time.
// ErrNotFound for an unknown user or message, ErrNotMember when the user
// is not in the message's chat.
func (s *Server) Read(openID, messageID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[messageID]
	switch {
	case m == nil:
		return fmt.Errorf("read %s: %w", messageID, ErrNotFound)
	case s.users[openID] == nil:
		return fmt.Errorf("read by %s: %w", openID, ErrNotFound)
	case !isMember(s.chats[m.ChatID], openID):
		return fmt.Errorf("read %s by %s: %w", messageID, openID, ErrNotMember)
	}
	s.readLocked(m, openID)
	return nil
}

// readLocked marks m read by openID unless it is theirs or read already.
// The caller holds s.mu.
func (s *Server) readLocked(m *Message, openID string) {
	if m.SenderType == SenderUser && m.SenderID == openID {
		return
	}
	now := s.opts.Clock.Now()
	if markIndex(m.ReadBy, openID) < 0 {
		m.ReadBy = append(m.ReadBy, Mark{OpenID: openID, At: now})
	}
	if i := urgentIndex(m.Urgent, openID); i >= 0 && m.Urgent[i].ReadAt.IsZero() {
		m.Urgent[i].ReadAt = now
	}
}

// readChatLocked marks every message of chat read by openID. The caller
// holds s.mu.
func (s *Server) readChatLocked(chatID, openID string) {
	for _, id := range s.msgOrder {
		if m := s.messages[id]; m.ChatID == chatID && !m.Deleted {
			s.readLocked(m, openID)
		}
	}
}

func markIndex(ms []Mark, openID string) int {
	return slices.IndexFunc(ms, func(k Mark) bool { return k.OpenID == openID })
}

func urgentIndex(ms []UrgentMark, openID string) int {
	return slices.IndexFunc(ms, func(k UrgentMark) bool { return k.OpenID == openID })
}

// UnreadUrgent returns how many messages are urgent for the user and not
// read by them: what the cap of 230023 counts.
func (s *Server) UnreadUrgent(openID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unreadUrgentLocked(openID)
}

func (s *Server) unreadUrgentLocked(openID string) int {
	n := 0
	for _, m := range s.messages {
		if i := urgentIndex(m.Urgent, openID); i >= 0 && !m.Deleted && m.Urgent[i].ReadAt.IsZero() {
			n++
		}
	}
	return n
}

// SetUrgentQuota gives the tenant n more in-app urgent marks (one per
// user a call makes urgent), after which urgent_app answers 230024 "Reach
// the upper limit of urgent message" (加急额度超限). The doc lists the code
// without saying what the allowance is for in-app urgent, so larksim has
// none until a test sets one; a negative n removes it again. [D25]
func (s *Server) SetUrgentQuota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.urgentLeft = n
	if n < 0 {
		s.urgentLeft = -1
	}
}

// handleUrgentApp implements PATCH
// /open-apis/im/v1/messages/:message_id/urgent_app. Checks, in order: the
// parameters (user_id_type required, 1–200 ids: 230001), the message
// (unknown 99992354, a batch message bm_… 230001, deleted 230110, not the
// bot's own 230012), its chat (dissolved 232009, the bot not in the group
// 230002); ids of users outside the chat come back in
// invalid_user_id_list, all of them invalid is 230001; a valid user outside
// the availability scope or resigned is 230013, one with
// Options.UrgentUnreadCap unread urgent messages 230023, a used-up
// allowance 230024 — each refuses
// the whole call. A user already urged for this message and not yet
// reading it stays marked once: Lark counts unread urgent messages, and
// this is one. Groups' "who may urge" setting (230052) is not modelled.
// [D25]
func (s *Server) handleUrgentApp(w http.ResponseWriter, r *http.Request, p map[string]string) {
	idType := r.URL.Query().Get("user_id_type")
	if idType != "open_id" && idType != "union_id" && idType != "user_id" {
		s.writeError(w, http.StatusBadRequest, CodeIMBadParam, "user_id_type must be one of open_id, union_id, user_id")
		return
	}
	var body struct {
		UserIDList []string `json:"user_id_list"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	switch {
	case len(body.UserIDList) == 0:
		s.writeError(w, http.StatusBadRequest, CodeIMBadParam, "user_id_list is required")
		return
	case len(body.UserIDList) > MaxUrgentUsers:
		s.writeError(w, http.StatusBadRequest, CodeIMBadParam, fmt.Sprintf("user_id_list: at most %d ids", MaxUrgentUsers))
		return
	}
	s.mu.Lock()
	invalid, e := s.urgentLocked(p["message_id"], idType, body.UserIDList)
	s.mu.Unlock()
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	writeOK(w, "success", map[string]any{"invalid_user_id_list": nonNil(invalid)})
}

func (s *Server) urgentLocked(id, idType string, ids []string) ([]string, *apiError) {
	if strings.HasPrefix(id, "bm_") {
		return nil, imErr(CodeIMBadParam, "batch messages cannot be urgent")
	}
	m, e := s.ownMessageLocked(id)
	if e != nil {
		return nil, e
	}
	c := s.chats[m.ChatID]
	var valid []*User
	var invalid []string
	for _, uid := range ids {
		u := s.userByLocked(idType, uid)
		if u == nil || !isMember(c, u.OpenID) {
			invalid = append(invalid, uid)
			continue
		}
		if !slices.Contains(valid, u) {
			valid = append(valid, u)
		}
	}
	if len(valid) == 0 {
		return nil, imErr(CodeIMBadParam, "no user in user_id_list is in the chat")
	}
	var fresh []*User // not yet urgent, or urgent and read: this call counts for them
	for _, u := range valid {
		if u.Resigned || u.OutOfScope {
			return nil, imErr(CodeNoAvailability, "")
		}
		if i := urgentIndex(m.Urgent, u.OpenID); i >= 0 && m.Urgent[i].ReadAt.IsZero() {
			continue
		}
		if s.unreadUrgentLocked(u.OpenID) >= s.opts.UrgentUnreadCap {
			return nil, imErr(CodeUrgentUnreadLimit, "")
		}
		fresh = append(fresh, u)
	}
	if s.urgentLeft >= 0 && len(fresh) > s.urgentLeft {
		return nil, imErr(CodeUrgentQuota, "")
	}
	now := s.opts.Clock.Now()
	for _, u := range fresh {
		if s.urgentLeft > 0 {
			s.urgentLeft--
		}
		// Urged again after reading it: unread urgent for them once more.
		if i := urgentIndex(m.Urgent, u.OpenID); i >= 0 {
			m.Urgent[i] = UrgentMark{OpenID: u.OpenID, At: now}
			continue
		}
		m.Urgent = append(m.Urgent, UrgentMark{OpenID: u.OpenID, At: now})
	}
	if len(fresh) > 0 {
		s.touchLocked(m)
	}
	return invalid, nil
}

// ownMessageLocked finds a message the bot may act on: unknown 99992354,
// deleted 230110, not the bot's 230012; its chat dissolved 232009, or a
// group without the bot 230002. [D25][D26]
func (s *Server) ownMessageLocked(id string) (*Message, *apiError) {
	m := s.messages[id]
	switch {
	case m == nil:
		return nil, imErr(CodeMessageIDNotExist, id)
	case m.Deleted:
		return nil, imErr(CodeMessageDeleted, "")
	case m.SenderType != SenderApp:
		return nil, imErr(CodeNotMessageSender, "")
	}
	c := s.chats[m.ChatID]
	switch {
	case c == nil:
		return nil, imErr(CodeMessageIDNotExist, id)
	case c.Dissolved:
		return nil, imErr(CodeChatDissolved, "")
	case c.Type != ChatP2P && !c.BotMember:
		return nil, imErr(CodeBotNotInChat, "")
	}
	return m, nil
}

// handleReadUsers implements GET
// /open-apis/im/v1/messages/:message_id/read_users: the users who have
// read one of the bot's messages, in the order they read it, each with the
// time in milliseconds; page_size 1–100 (default 20), page_token as
// larksim's other lists. Checks as urgent_app's, then 230033 for a message
// sent more than 7 days ago. Only readers are listed, never those who have
// not read it. [D26]
func (s *Server) handleReadUsers(w http.ResponseWriter, r *http.Request, p map[string]string) {
	q := r.URL.Query()
	idType := q.Get("user_id_type")
	if idType != "open_id" && idType != "union_id" && idType != "user_id" {
		s.writeError(w, http.StatusBadRequest, CodeIMBadParam, "user_id_type must be one of open_id, union_id, user_id")
		return
	}
	size, ok := pageSize(r, 20, 100)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeIMBadParam, "page_size must be from 1 to 100")
		return
	}
	id := p["message_id"]
	off, ok := parsePageToken(q.Get("page_token"), "read:"+id)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeIMBadParam, "invalid page_token")
		return
	}
	s.mu.Lock()
	m, e := s.ownMessageLocked(id)
	if e == nil && s.opts.Clock.Now().Sub(m.CreateTime) > ReadUsersWindow {
		e = imErr(CodeReadUsersTooOld, "")
	}
	if e != nil {
		s.mu.Unlock()
		s.writeAPIError(w, e)
		return
	}
	data := map[string]any{}
	var items []map[string]any
	for _, rd := range pageOf(slices.Clone(m.ReadBy), off, size, "read:"+id, data) {
		uid := rd.OpenID
		if u := s.users[rd.OpenID]; u != nil {
			uid = userIDAs(u, idType)
		}
		items = append(items, map[string]any{"user_id_type": idType, "user_id": uid,
			"timestamp": strconv.FormatInt(rd.At.UnixMilli(), 10), "tenant_key": s.opts.TenantKey})
	}
	s.mu.Unlock()
	data["items"] = nonNil(items)
	writeOK(w, "success", data)
}
