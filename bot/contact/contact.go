// Package contact turns what Lark's contact directory returns — departments
// and the members of each, the root's own included, as the contact API's
// SDK types — into kaohe's units and people: a department's 主管 is the
// unit's 科室负责人 and its parent department's 主管 the 分管领导; ids are
// Lark's open_id and open_department_id. It also reads tiers through HR's
// mapping (Options), tells which field scopes the app lacks from the
// fields Lark left out (MissingScopes), and diffs two organisations
// (DiffOrg).
//
// The directory is outside input: any field may be missing, an item may be
// null, a department or person may come twice (across pages, or a person in
// two departments), and a name may hold invisible or direction-control
// characters that make it look like someone else's. The conversion is a
// package of its own, free of the bot's I/O, so that it is fuzzed at full
// speed (docs/reliability.md G10).
package contact

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"

	"github.com/kaohe/kaohe/bot/textclean"
	"github.com/kaohe/kaohe/workflow"
)

// MaxID bounds an id taken from the directory: Lark's ids are a few dozen
// bytes, and an id is a key everywhere it goes.
const MaxID = 128

// MaxName bounds a name, in runes; a longer one is cut. Lark's own limits
// are below it, so a real name is never cut.
const MaxName = 100

// RootID is the root department's id: its direct members are listed
// under it in Directory.Members. The root is not a unit.
const RootID = "0"

// Directory is what the contact API returned: every department under the
// root (获取子部门列表 with fetch_child) and the direct members of each
// (获取部门直属用户列表), by open_department_id, the root's under RootID.
type Directory struct {
	Departments []*larkcontact.Department      `json:"departments"`
	Members     map[string][]*larkcontact.User `json:"members"`
}

// DepartmentIDs returns the usable ids of depts in their order, each once:
// the departments whose members are to be read. The root is not among
// them, even if listed.
func DepartmentIDs(depts []*larkcontact.Department) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range depts {
		if d == nil {
			continue
		}
		id := ID(d.OpenDepartmentId)
		if id == "" || id == RootID || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// Org converts a directory into units and people, sorted by id, and reads
// each person's tier as opts say (Snapshot.TierValues). A department
// listed twice counts once (the first listing); a person in two
// departments belongs to the one their orders mark primary, else to the
// first in the departments' order; resigned people, and items without a
// usable id, are left out. Names are cleaned (Name). Leader and supervisor
// ids are taken as Lark gives them, or "" when unusable: whether they are
// people kaohe knows is the sync's to check.
//
// Members of the root department itself belong to no unit (Unit ""): the
// root is the whole organisation, not a 科室. In a 局 it holds the 局领导
// or people not yet placed, so they are not appraised by default
// (Assessed false) and HR places them; a person also listed in a
// department goes there, even if the root is marked primary.
func Org(d Directory, opts Options) Snapshot {
	byID := map[string]*larkcontact.Department{}
	for _, dep := range d.Departments {
		if dep == nil {
			continue
		}
		if id := ID(dep.OpenDepartmentId); id != "" && byID[id] == nil {
			byID[id] = dep
		}
	}
	var units []workflow.Unit
	leaders := map[string]bool{}
	ids := DepartmentIDs(d.Departments)
	for _, id := range ids {
		dep := byID[id]
		u := workflow.Unit{ID: id, Name: Name(dep.Name, id), Leader: ID(dep.LeaderUserId)}
		if p := ID(dep.ParentDepartmentId); p != "" && p != RootID && byID[p] != nil {
			u.Supervisor = ID(byID[p].LeaderUserId)
		}
		if u.Leader != "" {
			leaders[u.Leader] = true
		}
		units = append(units, u)
	}
	// The root's members come last, so that any department listing a
	// person places them before the root could.
	lists := append(ids[:len(ids):len(ids)], RootID)
	// Each person once, in their primary department (the user's orders
	// mark it, is_primary_dept), else the first that lists them.
	type placed struct {
		m       *larkcontact.User
		unit    string
		primary bool
	}
	primaryOf := map[string]string{} // open_id → the department id their orders mark primary
	for _, id := range lists {
		for _, m := range d.Members[id] {
			if m == nil {
				continue
			}
			for _, o := range m.Orders {
				if o != nil && o.IsPrimaryDept != nil && *o.IsPrimaryDept {
					if oid, dep := ID(m.OpenId), ID(o.DepartmentId); oid != "" && dep != "" {
						primaryOf[oid] = dep
					}
				}
			}
		}
	}
	at := map[string]*placed{}
	var order []string
	for _, id := range lists {
		root := id == RootID
		for _, m := range d.Members[id] {
			if m == nil {
				continue
			}
			oid := ID(m.OpenId)
			if oid == "" || (m.Status != nil && m.Status.IsResigned != nil && *m.Status.IsResigned) {
				continue
			}
			prim := false
			if pd := primaryOf[oid]; pd != "" && !root {
				prim = pd == id || pd == ID(byID[id].DepartmentId)
			}
			if p, ok := at[oid]; ok {
				if prim && !p.primary {
					p.m, p.unit, p.primary = m, id, true
				}
				continue
			}
			unit := id
			if root {
				unit = ""
			}
			at[oid] = &placed{m: m, unit: unit, primary: prim}
			order = append(order, oid)
		}
	}
	out := Snapshot{Units: units, People: make([]workflow.Person, 0, len(order))}
	if opts.TierBy != "" {
		out.TierValues = map[string]string{}
	}
	for _, oid := range order {
		p := at[oid]
		// Department leaders lead their unit and are not appraised with its
		// members by default (S4, S8: 考核对象 are the 非领导成员); HR sets
		// otherwise in the organisation file.
		person := workflow.Person{ID: oid, Name: Name(p.m.Name, oid), Unit: p.unit, Assessed: !leaders[oid] && p.unit != ""}
		if opts.TierBy != "" {
			v := opts.Value(p.m)
			out.TierValues[oid] = v
			person.Tier, _ = opts.Tier(v)
		}
		out.People = append(out.People, person)
	}
	sort.Slice(out.Units, func(i, j int) bool { return out.Units[i].ID < out.Units[j].ID })
	sort.Slice(out.People, func(i, j int) bool { return out.People[i].ID < out.People[j].ID })
	return out
}

// ID returns an id from the directory, or "" when it is missing or cannot
// be one: blank, longer than MaxID, not UTF-8, or holding spaces, control
// or invisible characters (an id is compared byte for byte with the
// verified identity of a click, so it is never altered, only refused).
func ID(p *string) string {
	if p == nil {
		return ""
	}
	s := *p
	if s == "" || len(s) > MaxID || !utf8.ValidString(s) {
		return ""
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || textclean.Invisible(r) {
			return ""
		}
	}
	return s
}

// Name returns a name from the directory fit for a card: invisible and
// direction-control characters dropped, other control characters and line
// breaks turned into spaces, trimmed and at most MaxName runes; fallback
// (the id) when nothing is left, because Setup requires a name.
func Name(p *string, fallback string) string {
	if p == nil {
		return fallback
	}
	s := strings.ToValidUTF8(*p, "")
	s = textclean.StripInvisible(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxName {
		s = strings.TrimSpace(string([]rune(s)[:MaxName]))
	}
	if s == "" {
		return fallback
	}
	return s
}
