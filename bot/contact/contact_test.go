package contact

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"

	"github.com/kaohe/kaohe/bot/textclean"
	"github.com/kaohe/kaohe/workflow"
)

// decode reads a Directory written as the contact API's JSON (the SDK's
// types): the fuzz input, pages of the two contact API calls.
func decode(t *testing.T, s string) Directory {
	t.Helper()
	var d Directory
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOrg(t *testing.T) {
	t.Parallel()
	d := decode(t, `{"departments": [
		{"open_department_id": "od-ju", "name": "局领导", "leader_user_id": "ou_head"},
		{"open_department_id": "od-bgs", "name": " 办公室\u202e ", "parent_department_id": "od-ju", "leader_user_id": "ou_lead"},
		null, {"name": "无编号"}, {"open_department_id": "od-bgs", "name": "重复", "leader_user_id": "ou_x"},
		{"open_department_id": "od-new", "name": "\u200b", "parent_department_id": "od-gone"}],
	  "members": {
		"od-bgs": [{"open_id": "ou_lead", "name": "主任"}, {"open_id": "ou_a", "name": "甲\n乙"}, null,
			{"open_id": "ou_gone", "name": "离职", "status": {"is_resigned": true}}, {"open_id": "ou_\u200bb", "name": "假"}],
		"od-ju": [{"open_id": "ou_head", "name": "局长"}, {"open_id": "ou_a", "name": "甲"}, {"name": "无编号"}]}}`)
	org := Org(d, Options{})
	units, people := org.Units, org.People
	wantUnits := []workflow.Unit{
		{ID: "od-bgs", Name: "办公室", Leader: "ou_lead", Supervisor: "ou_head"},
		{ID: "od-ju", Name: "局领导", Leader: "ou_head"},
		{ID: "od-new", Name: "od-new"},
	}
	// ou_a is in 局领导 first, in depts' order, though 办公室 lists them too;
	// the leaders lead and are not appraised with the members.
	wantPeople := []workflow.Person{
		{ID: "ou_a", Name: "甲", Unit: "od-ju", Assessed: true},
		{ID: "ou_head", Name: "局长", Unit: "od-ju", Assessed: false},
		{ID: "ou_lead", Name: "主任", Unit: "od-bgs", Assessed: false},
	}
	if !reflect.DeepEqual(units, wantUnits) {
		t.Errorf("units = %+v\nwant %+v", units, wantUnits)
	}
	if !reflect.DeepEqual(people, wantPeople) {
		t.Errorf("people = %+v\nwant %+v", people, wantPeople)
	}
	if got := DepartmentIDs(d.Departments); !reflect.DeepEqual(got, []string{"od-ju", "od-bgs", "od-new"}) {
		t.Errorf("DepartmentIDs = %q", got)
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	tests := []struct {
		name string
		in   *string
		want string
	}{
		{name: "OK", in: s("孙一"), want: "孙一"},
		{name: "OK_Missing", in: nil, want: "ou_1"},
		{name: "OK_OnlyInvisible", in: s("\u200b\u202e "), want: "ou_1"},
		{name: "OK_Override", in: s("\u202e一孙"), want: "一孙"},
		{name: "OK_LineBreak", in: s("孙\r\n一"), want: "孙  一"},
		{name: "OK_Long", in: s(strings.Repeat("长", MaxName+5)), want: strings.Repeat("长", MaxName)},
		{name: "OK_BadUTF8", in: s("孙\xff一"), want: "孙一"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Name(tt.in, "ou_1"); got != tt.want {
				t.Errorf("Name = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzOrg converts arbitrary directory pages (docs/reliability.md G10): no
// panic, and the units and people refer only to ids in the input, each
// once, with clean names.
func FuzzOrg(f *testing.F) {
	for _, s := range []string{
		`{"departments":[{"open_department_id":"od-a","name":"办公室","leader_user_id":"ou_l","parent_department_id":"od-b"},` +
			`{"open_department_id":"od-b","name":"局","leader_user_id":"ou_h","parent_department_id":"0"}],` +
			`"members":{"od-a":[{"open_id":"ou_l","name":"钱"},{"open_id":"ou_e","name":"孙一","status":{"is_resigned":false}}],` +
			`"od-b":[{"open_id":"ou_h","name":"王"},{"open_id":"ou_e","name":"孙一"}]}}`,
		`{"departments":[null,{"open_department_id":"od-a"},{"open_department_id":"od-a","leader_user_id":" "}],` +
			`"members":{"od-a":[null,{"open_id":"ou_x","name":"\u202e\u0000","status":{"is_resigned":true}},{"open_id":"ou_x","name":"\n"}]}}`,
		`{"departments":[{"open_department_id":"od-\u200b","parent_department_id":"od-\u200b"}],"members":{"":[{"open_id":""}]}}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Directory
		if json.Unmarshal(data, &d) != nil {
			return
		}
		opts := Options{TierBy: TierByJobTitle, Tiers: map[string]string{"科长": "正科", TierOther: "其他"}}
		org := Org(d, opts)
		units, people := org.Units, org.People
		MissingScopes(d) // no panic
		leaders := map[string]bool{}
		depts := map[string]*larkcontact.Department{}
		for _, dep := range d.Departments {
			if dep == nil || dep.OpenDepartmentId == nil {
				continue
			}
			if dep.LeaderUserId != nil {
				leaders[*dep.LeaderUserId] = true
			}
			if depts[*dep.OpenDepartmentId] == nil {
				depts[*dep.OpenDepartmentId] = dep
			}
		}
		if !sort.SliceIsSorted(units, func(i, j int) bool { return units[i].ID < units[j].ID }) ||
			!sort.SliceIsSorted(people, func(i, j int) bool { return people[i].ID < people[j].ID }) {
			t.Fatalf("not sorted by id: %+v %+v", units, people)
		}
		got := map[string]bool{}
		for _, u := range units {
			dep := depts[u.ID]
			if dep == nil || got[u.ID] || ID(&u.ID) != u.ID {
				t.Fatalf("unit %+v: not in the input, repeated or a bad id", u)
			}
			got[u.ID] = true
			checkName(t, u.Name, u.ID)
			if u.Leader != "" && (dep.LeaderUserId == nil || *dep.LeaderUserId != u.Leader) {
				t.Fatalf("unit %+v: leader is not its department's", u)
			}
			if u.Supervisor != "" && !leaders[u.Supervisor] {
				t.Fatalf("unit %+v: supervisor is no department's leader", u)
			}
		}
		if len(units) != len(DepartmentIDs(d.Departments)) {
			t.Fatalf("%d units from departments %q", len(units), DepartmentIDs(d.Departments))
		}
		unitLeaders := map[string]bool{}
		for _, u := range units {
			if u.Leader != "" {
				unitLeaders[u.Leader] = true
			}
		}
		seen := map[string]bool{}
		for _, p := range people {
			// Root members (Unit "") and leaders are not appraised by default.
			if seen[p.ID] || ID(&p.ID) != p.ID || (p.Unit != "" && !got[p.Unit]) || p.Assessed != (!unitLeaders[p.ID] && p.Unit != "") {
				t.Fatalf("person %+v: repeated, a bad id, in no unit or wrongly appraised", p)
			}
			seen[p.ID] = true
			checkName(t, p.Name, p.ID)
			if want, _ := opts.Tier(org.TierValues[p.ID]); p.Tier != want {
				t.Fatalf("person %+v: tier from %q, want %q", p, org.TierValues[p.ID], want)
			}
			list := p.Unit
			if list == "" {
				list = RootID
			}
			listed := false
			for _, m := range d.Members[list] {
				if m != nil && m.OpenId != nil && *m.OpenId == p.ID && (m.Status == nil || m.Status.IsResigned == nil || !*m.Status.IsResigned) {
					listed = true
				}
			}
			if !listed {
				t.Fatalf("person %+v: not a current member of their unit", p)
			}
		}
		// Nobody current is lost: every listed member with a usable id of a
		// department that became a unit is someone.
		for id, ms := range d.Members {
			if !got[id] && id != RootID {
				continue
			}
			for _, m := range ms {
				if m == nil || ID(m.OpenId) == "" || m.Status != nil && m.Status.IsResigned != nil && *m.Status.IsResigned {
					continue
				}
				if !seen[*m.OpenId] {
					t.Fatalf("member %s of %s is missing", *m.OpenId, id)
				}
			}
		}
	})
}

// checkName fails unless name is fit for a card: not empty (the id when
// the directory gives none), trimmed, short, and free of control and
// invisible characters.
func checkName(t *testing.T, name, id string) {
	t.Helper()
	if name == "" || name != strings.TrimSpace(name) || !utf8.ValidString(name) || utf8.RuneCountInString(name) > max(MaxName, utf8.RuneCountInString(id)) {
		t.Fatalf("name %q of %s: empty, untrimmed, invalid or too long", name, id)
	}
	for _, r := range name {
		if unicode.IsControl(r) || textclean.Invisible(r) || r == '\u2028' || r == '\u2029' {
			t.Fatalf("name %q of %s holds %U", name, id, r)
		}
	}
}

// TestOrgPrimaryDepartment: a person in two departments goes to the one
// their orders mark primary, even when another lists them first.
func TestOrgPrimaryDepartment(t *testing.T) {
	t.Parallel()
	d := decode(t, `{"departments": [
		{"open_department_id": "od-a", "name": "甲科"}, {"open_department_id": "od-b", "name": "乙科"}],
	  "members": {
		"od-a": [{"open_id": "ou_x", "name": "某", "orders": [{"department_id": "od-a", "is_primary_dept": false}, {"department_id": "od-b", "is_primary_dept": true}]}],
		"od-b": [{"open_id": "ou_x", "name": "某"}]}}`)
	people := Org(d, Options{}).People
	if len(people) != 1 || people[0].Unit != "od-b" {
		t.Errorf("people = %+v, want ou_x in od-b, their primary department", people)
	}
}
