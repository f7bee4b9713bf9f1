package larksim_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"

	"github.com/kaohe/kaohe/bot/larksim"
)

// TestContactRange: with a contact data scope of chosen departments the
// root and departments outside it answer 40004, users outside it 41050;
// a listed department's subtree and members are visible. [D17][D18][D31]
func TestContactRange(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	s := o.e.sim
	root := s.MustAddUser(larksim.User{Name: "根部门成员", DepartmentIDs: []string{"0"}})
	s.SetContactRange(&larksim.ContactRange{Departments: []string{o.office.OpenDepartmentID}, Users: []string{root.OpenID}})
	ctx := context.Background()
	children := func(dept string) (int, int, []string) {
		t.Helper()
		resp, err := o.e.client.Contact.Department.Children(ctx, larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId(dept).FetchChild(true).Build())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		if resp.Data != nil {
			for _, d := range resp.Data.Items {
				names = append(names, *d.Name)
			}
		}
		return resp.StatusCode, resp.Code, names
	}
	members := func(dept string) (int, int, []string) {
		t.Helper()
		resp, err := o.e.client.Contact.User.FindByDepartment(ctx, larkcontact.NewFindByDepartmentUserReqBuilder().DepartmentId(dept).Build())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		if resp.Data != nil {
			for _, u := range resp.Data.Items {
				names = append(names, *u.Name)
			}
		}
		return resp.StatusCode, resp.Code, names
	}
	if st, code, _ := children("0"); st != http.StatusForbidden || code != larksim.CodeNoDeptAuthority {
		t.Errorf("children of the root: HTTP %d code %d, want 403 40004", st, code)
	}
	if st, code, _ := members("0"); st != http.StatusForbidden || code != larksim.CodeNoDeptAuthority {
		t.Errorf("members of the root: HTTP %d code %d, want 403 40004", st, code)
	}
	if _, code, _ := children(o.police.OpenDepartmentID); code != larksim.CodeNoDeptAuthority {
		t.Errorf("children of 执法大队, outside the range: code %d, want 40004", code)
	}
	if _, code, names := children(o.office.OpenDepartmentID); code != 0 || !slices.Equal(names, []string{"综合科", "财务科"}) {
		t.Errorf("children of 办公室: code %d %v", code, names)
	}
	if _, code, names := members(o.general.OpenDepartmentID); code != 0 || !slices.Equal(names, []string{"科员"}) {
		t.Errorf("members of 综合科, below 办公室: code %d %v", code, names)
	}
	get := func(openID string) int {
		resp, err := o.e.client.Contact.User.Get(ctx, larkcontact.NewGetUserReqBuilder().UserId(openID).Build())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Code
	}
	outside := s.MustAddUser(larksim.User{Name: "大队队员", DepartmentIDs: []string{o.police.OpenDepartmentID}})
	if code := get(outside.OpenID); code != larksim.CodeNoUserAuthority {
		t.Errorf("a user outside the range: code %d, want 41050", code)
	}
	if code := get(root.OpenID); code != 0 {
		t.Errorf("a user listed in the range: code %d", code)
	}
	s.SetContactRange(nil)
	if _, code, names := members("0"); code != 0 || !slices.Equal(names, []string{"根部门成员"}) {
		t.Errorf("members of the root with all members: code %d %v", code, names)
	}
}

// TestFieldScopes: without a field scope the contact API succeeds and
// leaves that scope's fields out; a broad scope returns them all; without
// any of the API's scopes the call is refused with 99991672. [D17][D18]
func TestFieldScopes(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	s := o.e.sim
	ctx := context.Background()
	read := func() (*larkcontact.Department, *larkcontact.User, int) {
		t.Helper()
		d, err := o.e.client.Contact.Department.Children(ctx, larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId("0").Build())
		if err != nil {
			t.Fatal(err)
		}
		if !d.Success() {
			return nil, nil, d.Code
		}
		u, err := o.e.client.Contact.User.FindByDepartment(ctx, larkcontact.NewFindByDepartmentUserReqBuilder().DepartmentId(o.general.OpenDepartmentID).Build())
		if err != nil || !u.Success() {
			t.Fatalf("members: %v %+v", err, u)
		}
		return d.Data.Items[0], u.Data.Items[0], 0
	}
	tests := []struct {
		name   string
		scopes []string
		// want lists which of name, parent, leader, user name, status,
		// job title, departments and orders come back.
		want [8]bool
		code int
	}{
		{name: "Every", scopes: nil, want: [8]bool{true, true, true, true, true, true, true, true}},
		{name: "BaseOnly", scopes: []string{"contact:contact.base:readonly"}},
		{name: "Narrow", scopes: []string{"contact:contact.base:readonly", "contact:department.base:readonly", "contact:department.organize:readonly",
			"contact:user.base:readonly", "contact:user.employee:readonly", "contact:user.department:readonly"},
			want: [8]bool{true, true, true, true, true, true, true, true}},
		{name: "NoEmployee", scopes: []string{"contact:contact.base:readonly", "contact:department.base:readonly", "contact:department.organize:readonly",
			"contact:user.base:readonly", "contact:user.department:readonly"},
			want: [8]bool{true, true, true, true, false, false, true, true}},
		{name: "Broad", scopes: []string{"contact:contact:readonly_as_app"}, want: [8]bool{true, true, true, true, true, true, true, true}},
		{name: "OrganizeOnly", scopes: []string{"contact:department.organize:readonly"}, want: [8]bool{false, true, true, false, false, false, false, false}},
		{name: "NoAPIScope", scopes: []string{"contact:user.base:readonly"}, code: larksim.CodeScopeMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.SetScopes(tc.scopes)
			defer s.SetScopes(nil)
			d, u, code := read()
			if code != tc.code {
				t.Fatalf("code %d, want %d", code, tc.code)
			}
			if code != 0 {
				return
			}
			got := [8]bool{d.Name != nil, d.ParentDepartmentId != nil, d.LeaderUserId != nil, u.Name != nil, u.Status != nil,
				u.JobTitle != nil, u.DepartmentIds != nil, u.Orders != nil}
			if got != tc.want {
				t.Errorf("fields returned %v, want %v", got, tc.want)
			}
			if d.OpenDepartmentId == nil || u.OpenId == nil {
				t.Errorf("ids are always returned")
			}
		})
	}
}
