package larksim

import (
	"net/http"
	"slices"
)

// What the contact API lets the app see: its contact data scope
// (通讯录权限范围: all members, or chosen departments and users) and, field
// by field, the field scopes (字段权限) it was granted.

// ContactRange is the app's contact data scope when it is not all members
// [D31]: the departments listed, each with every department and user
// below it, and the users listed. Listing the root department (0), its
// children or its direct members, needs all members [D17][D18].
type ContactRange struct {
	// Departments are open_department_ids.
	Departments []string
	// Users are open_ids.
	Users []string
}

// SetContactRange limits the app's contact data scope to r; nil gives it
// all members again (the default). Departments and users outside it answer
// 40004 and 41050, as Department.OutOfContactScope and
// User.OutOfContactScope do for one item.
func (s *Server) SetContactRange(r *ContactRange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r == nil {
		s.contactRange = nil
		return
	}
	s.contactRange = &ContactRange{Departments: slices.Clone(r.Departments), Users: slices.Clone(r.Users)}
}

// rootRefusedLocked is the answer to a request about the root department
// when the contact data scope is not all members: 40004, HTTP 403 (no
// department authority, the error both docs give) [D17][D18].
func (s *Server) rootRefusedLocked() *apiError {
	if s.contactRange == nil {
		return nil
	}
	return &apiError{http.StatusForbidden, CodeNoDeptAuthority, "the contact scope is not all members"}
}

// deptInRangeLocked reports whether d is in the contact data scope: all
// members, or d or a department above it listed ("只要有一个部门的通讯录范围权限,
// 那么就拥有这个部门下所有子部门的权限") [D31].
func (s *Server) deptInRangeLocked(d *Department) bool {
	if s.contactRange == nil {
		return true
	}
	for seen := map[string]bool{}; d != nil && !seen[d.OpenDepartmentID]; d = s.depts[d.ParentID] {
		seen[d.OpenDepartmentID] = true
		if slices.Contains(s.contactRange.Departments, d.OpenDepartmentID) {
			return true
		}
	}
	return false
}

// userInRangeLocked reports whether u is in the contact data scope: all
// members, u listed, or u in a department in it [D31].
func (s *Server) userInRangeLocked(u *User) bool {
	if s.contactRange == nil || slices.Contains(s.contactRange.Users, u.OpenID) {
		return true
	}
	for _, id := range u.DepartmentIDs {
		if d := s.depts[id]; d != nil && s.deptInRangeLocked(d) {
			return true
		}
	}
	return false
}

// broadContactScopes return every contact field ("满足任一" lists them with
// each field's own scope). New apps can no longer obtain the last two
// [D19].
var broadContactScopes = []string{"contact:contact:access_as_app", "contact:contact:readonly", "contact:contact:readonly_as_app"}

// fieldScope names the scopes of which any one returns a field; broad adds
// broadContactScopes (most fields; a few, such as e-mail and mobile, only
// come with their own scope).
type fieldScope struct {
	scopes []string
	broad  bool
}

// deptFieldScopes is 获取子部门列表's response table: each department field
// and what returns it [D17].
var deptFieldScopes = map[string]fieldScope{
	"name":                 {[]string{"contact:department.base:readonly"}, true},
	"i18n_name":            {[]string{"contact:department.base:readonly"}, true},
	"department_id":        {[]string{"contact:department.base:readonly"}, true},
	"chat_id":              {[]string{"contact:department.base:readonly"}, true},
	"status":               {[]string{"contact:department.base:readonly"}, true},
	"parent_department_id": {[]string{"contact:department.organize:readonly"}, true},
	"leader_user_id":       {[]string{"contact:department.organize:readonly"}, true},
	"order":                {[]string{"contact:department.organize:readonly"}, true},
	"unit_ids":             {[]string{"contact:department.organize:readonly"}, true},
	"member_count":         {[]string{"contact:department.organize:readonly"}, true},
	"primary_member_count": {[]string{"contact:department.organize:readonly"}, true},
	// leaders[].leaderID is the field the doc lists; without it a leader
	// entry says nothing, so larksim drops the list.
	"leaders":          {[]string{"contact:department.organize:readonly"}, true},
	"department_hrbps": {[]string{"contact:department.hrbp:readonly"}, false},
}

// userFieldScopes is 获取部门直属用户列表's response table: each user field
// and what returns it [D18]; 获取单个用户信息 has the same [D20].
var userFieldScopes = map[string]fieldScope{
	"user_id":           {[]string{"contact:user.employee_id:readonly"}, false},
	"name":              {[]string{"contact:user.base:readonly"}, true},
	"en_name":           {[]string{"contact:user.base:readonly"}, true},
	"nickname":          {[]string{"contact:user.base:readonly"}, true},
	"avatar":            {[]string{"contact:user.base:readonly"}, true},
	"email":             {[]string{"contact:user.email:readonly"}, false},
	"mobile":            {[]string{"contact:user.phone:readonly"}, false},
	"gender":            {[]string{"contact:user.gender:readonly"}, true},
	"status":            {[]string{"contact:user.employee:readonly"}, true},
	"city":              {[]string{"contact:user.employee:readonly"}, true},
	"country":           {[]string{"contact:user.employee:readonly"}, true},
	"work_station":      {[]string{"contact:user.employee:readonly"}, true},
	"join_time":         {[]string{"contact:user.employee:readonly"}, true},
	"is_tenant_manager": {[]string{"contact:user.employee:readonly"}, true},
	"employee_no":       {[]string{"contact:user.employee_number:read", "contact:user.employee:readonly"}, true},
	"employee_type":     {[]string{"contact:user.employee:readonly"}, true},
	"custom_attrs":      {[]string{"contact:user.employee:readonly"}, true},
	"enterprise_email":  {[]string{"contact:user.employee:readonly"}, true},
	"job_title":         {[]string{"contact:user.employee:readonly"}, true},
	"department_ids":    {[]string{"contact:user.department:readonly"}, true},
	"leader_user_id":    {[]string{"contact:user.department:readonly"}, true},
	"orders":            {[]string{"contact:user.department:readonly"}, true},
}

// blankFieldsLocked removes from an item the fields the app's scopes do
// not return ("仅当开启对应的权限后才会返回"): Lark leaves them out, it does not
// fail the call [D17][D18]. With every scope (SetScopes(nil), the
// default) nothing is removed.
func (s *Server) blankFieldsLocked(item map[string]any, table map[string]fieldScope) {
	if s.scopes == nil {
		return
	}
	for field, fs := range table {
		if _, ok := item[field]; !ok {
			continue
		}
		granted := false
		for _, sc := range fs.scopes {
			granted = granted || s.scopes[sc]
		}
		if fs.broad {
			for _, sc := range broadContactScopes {
				granted = granted || s.scopes[sc]
			}
		}
		if !granted {
			delete(item, field)
		}
	}
}
