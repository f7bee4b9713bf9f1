package larksim

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Errors returned by the test-facing directory and interaction methods.
var (
	// ErrNotFound: no user, chat, department or message with that id.
	ErrNotFound = errors.New("larksim: not found")
	// ErrExists: a user, chat or department with that id already exists.
	ErrExists = errors.New("larksim: already exists")
	// ErrNotMember: the user is not in the chat, so cannot see or click.
	ErrNotMember = errors.New("larksim: user is not a member of the chat")
	// ErrNotConfigured: Configure has not set the needed URL.
	ErrNotConfigured = errors.New("larksim: webhook not configured")
)

// User is a person in the simulated tenant. The send conditions are the
// reasons Lark refuses a message to a user [D1]; set them with AddUser or
// UpdateUser.
type User struct {
	// OpenID is "ou_…"; generated when empty.
	OpenID string
	// UnionID is "on_…"; generated when empty.
	UnionID string
	// UserID is the tenant user id; generated when empty.
	UserID string
	// Name is the display name.
	Name string
	// Email, when set, lets receive_id_type=email address the user.
	Email string
	// DepartmentIDs are open_department_ids ("od-…"); "0" is the root,
	// whose direct members the contact API lists under department 0. The
	// first is the primary department (orders' is_primary_dept). A user
	// with none is in no department the contact API lists: larksim's
	// stand-in for someone outside the organisation being synced (in Lark
	// everyone is in at least the root).
	DepartmentIDs []string
	// LeaderOpenID is the direct leader (leader_user_id).
	LeaderOpenID string
	// JobTitle is returned by the contact API (job_title, 职务).
	JobTitle string
	// CustomAttrs are custom fields (自定义字段), by field id, returned as
	// TEXT fields by the contact API.
	CustomAttrs map[string]string

	// Resigned: sends answer 230013 (the doc says a resigned user gives
	// 230013 [D1]); the contact API reports status.is_resigned.
	Resigned bool
	// OutOfScope: the user is outside the bot's availability: 230013. [D1]
	OutOfScope bool
	// StoppedBot: the user stopped the bot: 230053. [D1]
	StoppedBot bool
	// Blocked: the user blocked the bot: 230035. [D1]
	Blocked bool
	// OutOfContactScope hides the user from the contact API (41050). [D20]
	OutOfContactScope bool
	// SendErrorCode, when non-zero, is answered (HTTP 400) to every send to
	// this user, for codes the flags above do not cover (e.g. 230029).
	SendErrorCode int
}

// Department is a node of the org tree.
type Department struct {
	// OpenDepartmentID is "od-…"; generated when empty.
	OpenDepartmentID string
	// DepartmentID is the custom id; defaults to OpenDepartmentID.
	DepartmentID string
	// Name is the department name.
	Name string
	// ParentID is the parent's open_department_id; "" or "0" is the root.
	ParentID string
	// LeaderOpenID is the department head.
	LeaderOpenID string
	// ChatID is the department group, if any.
	ChatID string
	// OutOfContactScope hides the department from the contact API (40004).
	OutOfContactScope bool
}

// Chat types.
const (
	ChatP2P   = "p2p"
	ChatGroup = "group"
)

// Chat is a conversation. A user's p2p chat with the bot is created on the
// first message either way.
type Chat struct {
	// ChatID is "oc_…"; generated when empty.
	ChatID string
	// Type is ChatP2P or ChatGroup (default).
	Type string
	// Name is the group name.
	Name string
	// OwnerOpenID is the group owner.
	OwnerOpenID string
	// Members are the users' open_ids (for p2p: the one user).
	Members []string
	// BotMember says whether the bot is in the group (230002 otherwise).
	// p2p chats always include the bot.
	BotMember bool
	// BotCannotSpeak: only owner/admins may speak and the bot is neither:
	// 230035. [D21]
	BotCannotSpeak bool
	// SettingsForbid: the group's settings forbid the bot's message, the
	// case 发送消息 gives 230018 for ("例如群聊设置了仅指定成员可以在此群发言";
	// D21 gives 230035 for the same setting, so larksim offers both). [D1]
	SettingsForbid bool
	// Dissolved: 232009. [D1]
	Dissolved bool
}

// AddUser adds u, generating missing ids, and returns the stored user.
func (s *Server) AddUser(u User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.OpenID == "" {
		u.OpenID = "ou_" + s.randHex(32)
	}
	if u.UnionID == "" {
		u.UnionID = "on_" + s.randHex(32)
	}
	if u.UserID == "" {
		u.UserID = s.randHex(8)
	}
	if _, ok := s.users[u.OpenID]; ok {
		return User{}, fmt.Errorf("add user %s: %w", u.OpenID, ErrExists)
	}
	u.DepartmentIDs = slices.Clone(u.DepartmentIDs)
	u.CustomAttrs = maps.Clone(u.CustomAttrs)
	s.users[u.OpenID] = &u
	return u, nil
}

// MustAddUser is AddUser for test setup; it panics on error.
func (s *Server) MustAddUser(u User) User {
	u, err := s.AddUser(u)
	if err != nil {
		panic(err)
	}
	return u
}

// User returns the user with that open_id.
func (s *Server) User(openID string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[openID]
	if !ok {
		return User{}, false
	}
	c := *u
	c.DepartmentIDs = slices.Clone(u.DepartmentIDs)
	c.CustomAttrs = maps.Clone(u.CustomAttrs)
	return c, true
}

// UpdateUser changes a user in place, e.g. to mark them resigned mid-test.
// The ids cannot change.
func (s *Server) UpdateUser(openID string, f func(*User)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[openID]
	if !ok {
		return fmt.Errorf("update user %s: %w", openID, ErrNotFound)
	}
	c := *u
	c.DepartmentIDs = slices.Clone(u.DepartmentIDs)
	c.CustomAttrs = maps.Clone(u.CustomAttrs)
	f(&c)
	c.OpenID, c.UnionID, c.UserID = u.OpenID, u.UnionID, u.UserID
	*u = c
	return nil
}

// AddDepartment adds d, generating a missing id, and returns it.
func (s *Server) AddDepartment(d Department) (Department, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.OpenDepartmentID == "" {
		d.OpenDepartmentID = "od-" + s.randHex(32)
	}
	if d.DepartmentID == "" {
		d.DepartmentID = d.OpenDepartmentID
	}
	if d.ParentID == "" {
		d.ParentID = "0"
	}
	if d.OpenDepartmentID == "0" {
		return Department{}, fmt.Errorf("add department: id 0 is the root")
	}
	if _, ok := s.depts[d.OpenDepartmentID]; ok {
		return Department{}, fmt.Errorf("add department %s: %w", d.OpenDepartmentID, ErrExists)
	}
	s.depts[d.OpenDepartmentID] = &d
	s.deptOrder = append(s.deptOrder, d.OpenDepartmentID)
	return d, nil
}

// MustAddDepartment is AddDepartment for test setup; it panics on error.
func (s *Server) MustAddDepartment(d Department) Department {
	d, err := s.AddDepartment(d)
	if err != nil {
		panic(err)
	}
	return d
}

// UpdateDepartment changes a department in place, e.g. to rename it or
// give it a new head mid-test. Its ids cannot change.
func (s *Server) UpdateDepartment(openDepartmentID string, f func(*Department)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.depts[openDepartmentID]
	if !ok {
		return fmt.Errorf("update department %s: %w", openDepartmentID, ErrNotFound)
	}
	c := *d
	f(&c)
	c.OpenDepartmentID, c.DepartmentID = d.OpenDepartmentID, d.DepartmentID
	*d = c
	return nil
}

// AddChat adds a group (or p2p) chat and returns it.
func (s *Server) AddChat(c Chat) (Chat, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ChatID == "" {
		c.ChatID = "oc_" + s.randHex(32)
	}
	if c.Type == "" {
		c.Type = ChatGroup
	}
	if _, ok := s.chats[c.ChatID]; ok {
		return Chat{}, fmt.Errorf("add chat %s: %w", c.ChatID, ErrExists)
	}
	if c.Type == ChatP2P {
		if len(c.Members) != 1 {
			return Chat{}, fmt.Errorf("add chat %s: a p2p chat has exactly one user", c.ChatID)
		}
		c.BotMember = true
		s.p2p[c.Members[0]] = c.ChatID
	}
	c.Members = slices.Clone(c.Members)
	s.chats[c.ChatID] = &c
	s.chatOrder = append(s.chatOrder, c.ChatID)
	return c, nil
}

// MustAddChat is AddChat for test setup; it panics on error.
func (s *Server) MustAddChat(c Chat) Chat {
	c, err := s.AddChat(c)
	if err != nil {
		panic(err)
	}
	return c
}

// Chat returns the chat with that id.
func (s *Server) Chat(chatID string) (Chat, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return Chat{}, false
	}
	out := *c
	out.Members = slices.Clone(c.Members)
	return out, true
}

// Chats returns every chat, in creation order.
func (s *Server) Chats() []Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Chat, 0, len(s.chatOrder))
	for _, id := range s.chatOrder {
		c := *s.chats[id]
		c.Members = slices.Clone(c.Members)
		out = append(out, c)
	}
	return out
}

// UpdateChat changes a chat in place (add members, dissolve, remove the
// bot…). The id and type cannot change.
func (s *Server) UpdateChat(chatID string, f func(*Chat)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chats[chatID]
	if !ok {
		return fmt.Errorf("update chat %s: %w", chatID, ErrNotFound)
	}
	n := *c
	n.Members = slices.Clone(c.Members)
	f(&n)
	n.ChatID, n.Type = c.ChatID, c.Type
	if n.Type == ChatP2P {
		n.BotMember = true
	}
	*c = n
	return nil
}

// P2PChatID returns the id of the user's p2p chat with the bot, creating
// the chat if it does not exist yet (as Lark does on first contact).
func (s *Server) P2PChatID(openID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[openID]; !ok {
		return "", fmt.Errorf("p2p chat for %s: %w", openID, ErrNotFound)
	}
	return s.p2pChatLocked(openID).ChatID, nil
}

func (s *Server) p2pChatLocked(openID string) *Chat {
	if id, ok := s.p2p[openID]; ok {
		return s.chats[id]
	}
	c := &Chat{ChatID: "oc_" + s.randHex(32), Type: ChatP2P, Members: []string{openID}, BotMember: true}
	s.chats[c.ChatID] = c
	s.chatOrder = append(s.chatOrder, c.ChatID)
	s.p2p[openID] = c.ChatID
	return c
}

// userByLocked finds a user by an id of the given type.
func (s *Server) userByLocked(idType, id string) *User {
	switch idType {
	case "open_id", "":
		return s.users[id]
	}
	for _, u := range s.users {
		switch idType {
		case "union_id":
			if u.UnionID == id {
				return u
			}
		case "user_id":
			if u.UserID == id {
				return u
			}
		case "email":
			if u.Email != "" && strings.EqualFold(u.Email, id) {
				return u
			}
		}
	}
	return nil
}

// userByAnyLocked finds a user by open_id, user_id, union_id or email.
func (s *Server) userByAnyLocked(id string) *User {
	for _, t := range []string{"open_id", "user_id", "union_id", "email"} {
		if u := s.userByLocked(t, id); u != nil {
			return u
		}
	}
	return nil
}

// userIDAs renders a user's id in the requested user_id_type.
func userIDAs(u *User, idType string) string {
	switch idType {
	case "user_id":
		return u.UserID
	case "union_id":
		return u.UnionID
	}
	return u.OpenID
}

// unknownUserCode is the gateway code for an id that resolves to no user.
// [D3b 9999235x][I zhayujie/bot-on-anything#436, larksuite/openclaw-lark#149]
func unknownUserCode(idType, id string) int {
	switch idType {
	case "user_id":
		return CodeUserIDNotExist
	case "union_id":
		return CodeUnionIDNotExist
	case "email":
		return CodeReceiveIDInvalid
	}
	if strings.HasPrefix(id, "ou_") {
		return CodeOpenIDCrossApp
	}
	return CodeOpenIDInvalid
}

func isMember(c *Chat, openID string) bool { return slices.Contains(c.Members, openID) }
