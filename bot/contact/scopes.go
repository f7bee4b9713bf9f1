package contact

// Scope is a Lark permission (权限) the sync needs, as HR finds it in the
// developer console: its label and its id.
type Scope struct {
	// ID is what the console's search and Lark's errors call it.
	ID string
	// Label is the console's name for it.
	Label string
	// Fields says in Chinese what comes back empty without it.
	Fields string
}

// The field scopes the sync needs. Without one, the contact API still
// succeeds but leaves the fields out ("仅当开启对应的权限后才会返回"), so the
// sync would import blanks [D17][D18]. Each field is also returned with
// any of the broad scopes contact:contact:access_as_app,
// contact:contact:readonly and contact:contact:readonly_as_app, which a
// new app can no longer obtain [D19]: HR is pointed at the narrow one.
var (
	ScopeDepartmentBase     = Scope{"contact:department.base:readonly", "获取部门基础信息", "部门名称"}
	ScopeDepartmentOrganize = Scope{"contact:department.organize:readonly", "获取通讯录部门组织架构信息", "部门负责人、上级部门"}
	ScopeUserBase           = Scope{"contact:user.base:readonly", "获取用户基本信息", "人员姓名"}
	ScopeUserEmployee       = Scope{"contact:user.employee:readonly", "获取用户受雇信息", "在职状态、职务、自定义字段"}
	ScopeUserDepartment     = Scope{"contact:user.department:readonly", "获取用户组织架构信息", "所属部门及主部门"}
)

// FieldScopes lists every field scope the sync needs, in the order a card
// shows them.
func FieldScopes() []Scope {
	return []Scope{ScopeDepartmentBase, ScopeDepartmentOrganize, ScopeUserBase, ScopeUserEmployee, ScopeUserDepartment}
}

// MissingScopes returns the field scopes the directory shows the app lacks,
// in FieldScopes' order. Lark fills some fields for every department and
// user — a department's name and parent (创建部门 requires both, the root's
// children have parent "0"), a user's name, department_ids and
// employee_type (创建用户 requires them) and status — so one item without
// such a field means the scope that returns it is missing, not that the
// value is blank [D17][D18][D29][D30]. An empty directory shows nothing.
func MissingScopes(d Directory) []Scope {
	missing := map[string]bool{}
	for _, dep := range d.Departments {
		if dep == nil || ID(dep.OpenDepartmentId) == "" {
			continue
		}
		if dep.Name == nil || *dep.Name == "" {
			missing[ScopeDepartmentBase.ID] = true
		}
		if dep.ParentDepartmentId == nil || *dep.ParentDepartmentId == "" {
			missing[ScopeDepartmentOrganize.ID] = true
		}
	}
	for _, ms := range d.Members {
		for _, m := range ms {
			if m == nil || ID(m.OpenId) == "" {
				continue
			}
			if m.Name == nil || *m.Name == "" {
				missing[ScopeUserBase.ID] = true
			}
			if m.Status == nil {
				missing[ScopeUserEmployee.ID] = true
			}
			if len(m.DepartmentIds) == 0 {
				missing[ScopeUserDepartment.ID] = true
			}
		}
	}
	var out []Scope
	for _, s := range FieldScopes() {
		if missing[s.ID] {
			out = append(out, s)
		}
	}
	return out
}
