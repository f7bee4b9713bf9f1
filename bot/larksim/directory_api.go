package larksim

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Paging: Lark's page_token is opaque; larksim encodes the list and offset
// so that a token from another list (or a made-up one) is refused.

func pageToken(list string, offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("larksim|" + list + "|" + strconv.Itoa(offset)))
}

func parsePageToken(tok, list string) (int, bool) {
	if tok == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), "larksim|"+list+"|")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

// pageSize parses page_size: absent means def; out of [1,max] is invalid.
func pageSize(r *http.Request, def, max int) (int, bool) {
	v := r.URL.Query().Get("page_size")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= max
}

// pageOf cuts items[offset:offset+size] and renders has_more / page_token
// into data the way Lark does (page_token only when has_more). [D17]
func pageOf[T any](items []T, offset, size int, list string, data map[string]any) []T {
	if offset > len(items) {
		offset = len(items)
	}
	end := min(offset+size, len(items))
	more := end < len(items)
	data["has_more"] = more
	if more {
		data["page_token"] = pageToken(list, end)
	}
	return items[offset:end]
}

// handleChatList implements GET /open-apis/im/v1/chats: the groups the bot
// is in. Page size default 20, max 100.
func (s *Server) handleChatList(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	q := r.URL.Query()
	size, ok := pageSize(r, 20, 100)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeChatBadParam, "invalid page_size")
		return
	}
	off, ok := parsePageToken(q.Get("page_token"), "chats")
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeChatBadParam, "invalid page_token")
		return
	}
	idType := userIDType(q.Get("user_id_type"))
	s.mu.Lock()
	var ids []string
	for _, id := range s.chatOrder {
		c := s.chats[id]
		if c.Type == ChatGroup && c.BotMember && !c.Dissolved {
			ids = append(ids, id)
		}
	}
	data := map[string]any{}
	var items []map[string]any
	for _, id := range pageOf(ids, off, size, "chats", data) {
		c := s.chats[id]
		it := map[string]any{
			"chat_id": c.ChatID, "avatar": "", "name": c.Name, "description": "",
			"external": false, "tenant_key": s.opts.TenantKey, "chat_status": "normal",
		}
		if u := s.users[c.OwnerOpenID]; u != nil {
			it["owner_id"] = userIDAs(u, idType)
			it["owner_id_type"] = idType
		}
		items = append(items, it)
	}
	s.mu.Unlock()
	data["items"] = nonNil(items)
	writeOK(w, "success", data)
}

// handleChatCreate implements POST /open-apis/im/v1/chats. The bot joins
// the new group; without owner_id the bot owns it.
func (s *Server) handleChatCreate(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	var body struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		OwnerID     string   `json:"owner_id"`
		UserIDList  []string `json:"user_id_list"`
	}
	if !s.readJSON(w, r, &body) {
		return
	}
	idType := userIDType(r.URL.Query().Get("user_id_type"))
	s.mu.Lock()
	c := &Chat{ChatID: "oc_" + s.randHex(32), Type: ChatGroup, Name: body.Name, BotMember: true}
	if body.Name == "" {
		c.Name = "(无主题)"
	}
	ids := body.UserIDList
	if body.OwnerID != "" {
		ids = append([]string{body.OwnerID}, ids...)
	}
	for i, id := range ids {
		u := s.userByLocked(idType, id)
		if u == nil {
			s.mu.Unlock()
			s.writeError(w, http.StatusBadRequest, unknownUserCode(idType, id), id)
			return
		}
		if i == 0 && body.OwnerID != "" {
			c.OwnerOpenID = u.OpenID
		}
		if !slices.Contains(c.Members, u.OpenID) {
			c.Members = append(c.Members, u.OpenID)
		}
	}
	s.chats[c.ChatID] = c
	s.chatOrder = append(s.chatOrder, c.ChatID)
	data := map[string]any{
		"chat_id": c.ChatID, "avatar": "", "name": c.Name, "description": body.Description,
		"add_member_permission": "all_members", "share_card_permission": "allowed",
		"at_all_permission": "all_members", "edit_permission": "all_members",
		"group_message_type": "chat", "chat_mode": "group", "chat_type": "private",
		"chat_tag": "inner", "external": false, "tenant_key": s.opts.TenantKey,
		"join_message_visibility": "all_members", "leave_message_visibility": "all_members",
		"membership_approval": "no_approval_required", "moderation_permission": "all_members",
	}
	if u := s.users[c.OwnerOpenID]; u != nil {
		data["owner_id"] = userIDAs(u, idType)
		data["owner_id_type"] = idType
	}
	s.mu.Unlock()
	writeOK(w, "success", data)
}

// handleChatMembers implements GET /open-apis/im/v1/chats/:chat_id/members.
// Bots are not listed. Page size default 20, max 100. [DCM]
func (s *Server) handleChatMembers(w http.ResponseWriter, r *http.Request, p map[string]string) {
	q := r.URL.Query()
	chatID := p["chat_id"]
	size, ok := pageSize(r, 20, 100)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeChatBadParam, "invalid page_size")
		return
	}
	off, ok := parsePageToken(q.Get("page_token"), "members:"+chatID)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeChatBadParam, "invalid page_token")
		return
	}
	idType := userIDType(q.Get("member_id_type"))
	s.mu.Lock()
	c := s.chats[chatID]
	var e *apiError
	switch {
	case c == nil:
		e = imErr(CodeChatIDInvalid, "")
	case c.Dissolved:
		e = imErr(CodeChatDissolved, "")
	case !c.BotMember:
		e = imErr(CodeOperatorNotInChat, "")
	}
	if e != nil {
		s.mu.Unlock()
		s.writeAPIError(w, e)
		return
	}
	data := map[string]any{"member_total": len(c.Members)}
	var items []map[string]any
	for _, id := range pageOf(c.Members, off, size, "members:"+chatID, data) {
		it := map[string]any{"member_id_type": idType, "member_id": id, "tenant_key": s.opts.TenantKey}
		if u := s.users[id]; u != nil {
			it["member_id"] = userIDAs(u, idType)
			it["name"] = u.Name
		}
		items = append(items, it)
	}
	s.mu.Unlock()
	data["items"] = nonNil(items)
	writeOK(w, "success", data)
}

func userIDType(v string) string {
	if v == "user_id" || v == "union_id" {
		return v
	}
	return "open_id"
}

func deptIDType(v string) string {
	if v == "department_id" {
		return v
	}
	return "open_department_id"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// deptByLocked resolves a department id of the given type; "0" is the root
// (returned as nil, true).
//
// The root needs the contact data scope to be all members, and any other
// department must be in it (40004) [D17][D18].
func (s *Server) deptByLocked(idType, id string) (*Department, *apiError) {
	if id == "0" {
		return nil, s.rootRefusedLocked()
	}
	for _, d := range s.depts {
		if (idType == "department_id" && d.DepartmentID == id) || (idType != "department_id" && d.OpenDepartmentID == id) {
			if d.OutOfContactScope || !s.deptInRangeLocked(d) {
				return nil, &apiError{http.StatusForbidden, CodeNoDeptAuthority, ""}
			}
			return d, nil
		}
	}
	if idType == "department_id" {
		return nil, imErr(CodeDepartmentIDNotExist, id)
	}
	return nil, imErr(CodeOpenDepartmentIDNotExist, id)
}

func (d *Department) idAs(idType string) string {
	if idType == "department_id" {
		return d.DepartmentID
	}
	return d.OpenDepartmentID
}

// handleDeptChildren implements GET
// /open-apis/contact/v3/departments/:department_id/children. [D17]
func (s *Server) handleDeptChildren(w http.ResponseWriter, r *http.Request, p map[string]string) {
	q := r.URL.Query()
	dType, uType := deptIDType(q.Get("department_id_type")), userIDType(q.Get("user_id_type"))
	size, ok := pageSize(r, 10, 50)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeContactPageSizeInvalid, "")
		return
	}
	list := "children:" + dType + ":" + p["department_id"] + ":" + q.Get("fetch_child")
	off, ok := parsePageToken(q.Get("page_token"), list)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeContactPageTokenInvalid, "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parent, e := s.deptByLocked(dType, p["department_id"])
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	parentOpen := "0"
	if parent != nil {
		parentOpen = parent.OpenDepartmentID
	}
	var found []*Department
	queue := []string{parentOpen}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, id := range s.deptOrder {
			d := s.depts[id]
			if d.ParentID != cur || d.OutOfContactScope {
				continue
			}
			found = append(found, d)
			if q.Get("fetch_child") == "true" {
				queue = append(queue, d.OpenDepartmentID)
			}
		}
	}
	data := map[string]any{}
	var items []map[string]any
	for _, d := range pageOf(found, off, size, list, data) {
		items = append(items, s.deptDataLocked(d, dType, uType))
	}
	data["items"] = nonNil(items)
	writeOK(w, "success", data)
}

func (s *Server) deptDataLocked(d *Department, dType, uType string) map[string]any {
	parent := "0"
	if pd := s.depts[d.ParentID]; pd != nil {
		parent = pd.idAs(dType)
	}
	it := map[string]any{
		"name": d.Name, "i18n_name": map[string]any{"zh_cn": d.Name},
		"parent_department_id": parent, "department_id": d.DepartmentID,
		"open_department_id": d.OpenDepartmentID, "order": "0",
		"member_count": s.memberCountLocked(d.OpenDepartmentID),
		"status":       map[string]any{"is_deleted": false},
	}
	if d.ChatID != "" {
		it["chat_id"] = d.ChatID
	}
	if u := s.users[d.LeaderOpenID]; u != nil {
		it["leader_user_id"] = userIDAs(u, uType)
		it["leaders"] = []any{map[string]any{"leaderType": 1, "leaderID": userIDAs(u, uType)}}
	}
	s.blankFieldsLocked(it, deptFieldScopes)
	return it
}

// memberCountLocked counts the users in a department and its descendants.
func (s *Server) memberCountLocked(openDept string) int {
	inTree := map[string]bool{openDept: true}
	for changed := true; changed; {
		changed = false
		for id, d := range s.depts {
			if !inTree[id] && inTree[d.ParentID] {
				inTree[id], changed = true, true
			}
		}
	}
	n := 0
	for _, u := range s.users {
		for _, id := range u.DepartmentIDs {
			if inTree[id] {
				n++
				break
			}
		}
	}
	return n
}

// handleUserByDept implements GET
// /open-apis/contact/v3/users/find_by_department: direct members only. [D18]
func (s *Server) handleUserByDept(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	q := r.URL.Query()
	dType, uType := deptIDType(q.Get("department_id_type")), userIDType(q.Get("user_id_type"))
	deptID := q.Get("department_id")
	if deptID == "" {
		s.writeError(w, http.StatusBadRequest, CodeFieldValidation, "department_id is required")
		return
	}
	size, ok := pageSize(r, 10, 50)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeContactPageSizeInvalid, "")
		return
	}
	list := "users:" + dType + ":" + deptID
	off, ok := parsePageToken(q.Get("page_token"), list)
	if !ok {
		s.writeError(w, http.StatusBadRequest, CodeContactPageTokenInvalid, "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, e := s.deptByLocked(dType, deptID)
	if e != nil {
		s.writeAPIError(w, e)
		return
	}
	open := "0"
	if d != nil {
		open = d.OpenDepartmentID
	}
	var members []*User
	for _, u := range s.sortedUsersLocked() {
		if slices.Contains(u.DepartmentIDs, open) && !u.OutOfContactScope {
			members = append(members, u)
		}
	}
	data := map[string]any{}
	var items []map[string]any
	for _, u := range pageOf(members, off, size, list, data) {
		items = append(items, s.userDataLocked(u, dType, uType))
	}
	data["items"] = nonNil(items)
	writeOK(w, "success", data)
}

// sortedUsersLocked returns users ordered by open_id, so pages are stable.
func (s *Server) sortedUsersLocked() []*User {
	out := make([]*User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *User) int { return strings.Compare(a.OpenID, b.OpenID) })
	return out
}

// handleUserGet implements GET /open-apis/contact/v3/users/:user_id. [D20]
func (s *Server) handleUserGet(w http.ResponseWriter, r *http.Request, p map[string]string) {
	q := r.URL.Query()
	dType, uType := deptIDType(q.Get("department_id_type")), userIDType(q.Get("user_id_type"))
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByLocked(uType, p["user_id"])
	switch {
	case u == nil:
		s.writeError(w, http.StatusBadRequest, unknownUserCode(uType, p["user_id"]), p["user_id"])
		return
	case u.OutOfContactScope || !s.userInRangeLocked(u):
		s.writeError(w, http.StatusBadRequest, CodeNoUserAuthority, "")
		return
	}
	writeOK(w, "success", map[string]any{"user": s.userDataLocked(u, dType, uType)})
}

func (s *Server) userDataLocked(u *User, dType, uType string) map[string]any {
	depts := []string{}
	for _, id := range u.DepartmentIDs {
		if d := s.depts[id]; d != nil {
			depts = append(depts, d.idAs(dType))
		} else {
			depts = append(depts, id)
		}
	}
	// The first department is the primary one, as when the user is
	// created without orders [D30].
	orders := make([]map[string]any, len(depts))
	for i, id := range depts {
		orders[i] = map[string]any{"department_id": id, "user_order": 0, "department_order": 0, "is_primary_dept": i == 0}
	}
	it := map[string]any{
		"union_id": u.UnionID, "user_id": u.UserID, "open_id": u.OpenID,
		"name": u.Name, "en_name": "", "email": u.Email, "job_title": u.JobTitle,
		"department_ids": depts, "orders": orders, "employee_type": 1,
		"status": map[string]any{
			"is_frozen": false, "is_resigned": u.Resigned, "is_activated": !u.Resigned,
			"is_exited": false, "is_unjoin": false,
		},
	}
	if len(u.CustomAttrs) > 0 {
		ids := make([]string, 0, len(u.CustomAttrs))
		for id := range u.CustomAttrs {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		attrs := make([]map[string]any, len(ids))
		for i, id := range ids {
			attrs[i] = map[string]any{"type": "TEXT", "id": id, "value": map[string]any{"text": u.CustomAttrs[id]}}
		}
		it["custom_attrs"] = attrs
	}
	if l := s.users[u.LeaderOpenID]; l != nil {
		it["leader_user_id"] = userIDAs(l, uType)
	}
	s.blankFieldsLocked(it, userFieldScopes)
	return it
}
