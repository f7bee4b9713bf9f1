package contact

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

func TestDiffOrg(t *testing.T) {
	t.Parallel()
	cur := Snapshot{
		Units: []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}, {ID: "u2", Name: "财务科", Leader: "ou_l2"}},
		People: []workflow.Person{
			{ID: "ou_l1", Name: "钱科长", Unit: "u1"}, {ID: "ou_e1", Name: "孙一", Unit: "u1", Assessed: true},
			{ID: "ou_e2", Name: "周二", Unit: "u1", Assessed: true}, {ID: "ou_e3", Name: "吴三", Unit: "u2", Assessed: true, AssessedBy: "u1"},
			{ID: "ou_e4", Name: "郑四", Unit: "u2", Assessed: true}, {ID: "ou_x", Name: "冯局长", Unit: "u2"},
			{ID: "ou_e5", Name: "王五", Unit: "u2", Assessed: true, Tier: "副科"}, {ID: "ou_e6", Name: "赵六", Unit: "u2", Tier: "其他"},
			{ID: "ou_s1", Name: "李局长", Unit: "u2"},
		},
	}
	next := Snapshot{
		Units: []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l3", Supervisor: "ou_s1"}, {ID: "u2", Name: "财务审计科", Leader: "ou_l2"},
			{ID: "u3", Name: "法规科"}},
		People: []workflow.Person{
			{ID: "ou_l1", Name: "钱科长", Unit: "u1"}, {ID: "ou_e1", Name: "孙壹", Unit: "u2", Assessed: true},
			{ID: "ou_e2", Name: "周贰", Unit: "u1", Assessed: true}, {ID: "ou_e3", Name: "吴三", Unit: "u3", Assessed: true},
			{ID: "ou_l3", Name: "陈科长", Unit: "u1"}, {ID: "ou_e5", Name: "王五", Unit: "u2", Assessed: true, Tier: "正科"},
			{ID: "ou_e6", Name: "赵六", Unit: "u2"}, {ID: "ou_x", Name: "冯局长"}, {ID: "ou_s1", Name: "李局长", Unit: "u2"},
			{ID: "ou_n", Name: "新人"},
		},
		TierValues: map[string]string{"ou_e5": "科长"},
	}
	want := []Change{
		{ChangeUpdateUnit, "u1", "科室「办公室」：负责人 钱科长 → 陈科长，分管领导 李局长 → 李局长"},
		{ChangeRenameUnit, "u2", "科室「财务科」更名为「财务审计科」"},
		{ChangeAddUnit, "u3", "新增科室「法规科」，负责人 —"},
		// 孙一 moved and renamed at once: both changes.
		{ChangeMovePerson, "ou_e1", "孙壹 调动：办公室 → 财务审计科"},
		{ChangeRenamePerson, "ou_e1", "孙一 更名为 孙壹"},
		{ChangeRenamePerson, "ou_e2", "周二 更名为 周贰"},
		// ou_e3 is seconded (AssessedBy): a move in Lark is not theirs to follow.
		{ChangeAddPerson, "ou_l3", "新增人员 陈科长（办公室）"},
		{ChangeTier, "ou_e5", "王五 职级：副科 → 正科（飞书：科长）"},
		// 赵六's value maps to no tier: theirs stands. 冯局长 is now at the
		// root: not moved there.
		{ChangeAddPerson, "ou_n", "新增人员 新人（根部门，未分配科室），默认不参加考核"},
		{ChangeMissing, "ou_e4", "郑四 已不在通讯录中（未删除，请人事科确认）"},
	}
	if got := DiffOrg(cur, next); !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if got := DiffOrg(cur, cur); got != nil {
		t.Fatalf("an organisation differs from itself: %q", got)
	}
}

// unique keeps the first unit and the first person of each id, as a store
// and Org hold them.
func unique(s Snapshot) Snapshot {
	var out Snapshot
	seen := map[string]bool{}
	for _, u := range s.Units {
		if !seen[u.ID] {
			seen[u.ID] = true
			out.Units = append(out.Units, u)
		}
	}
	seen = map[string]bool{}
	for _, p := range s.People {
		if !seen[p.ID] {
			seen[p.ID] = true
			out.People = append(out.People, p)
		}
	}
	return out
}

// FuzzDiffOrg diffs arbitrary organisations (docs/reliability.md G10): no
// panic, even with an id listed twice; an organisation never differs from
// itself; and between two, every change is about an id of the right side,
// at most one change of each kind per unit and per person, each with its
// Chinese text, every rename and new tier reported,
// and nobody new in Lark or gone from it unreported.
func FuzzDiffOrg(f *testing.F) {
	org := `{"units":[{"id":"u1","name":"办公室","leader":"ou_l1","supervisor":"ou_s1"}],` +
		`"people":[{"id":"ou_l1","name":"钱","unit":"u1"},{"id":"ou_e1","name":"孙一","unit":"u1","assessed":true},` +
		`{"id":"ou_e2","name":"周二","unit":"u1","assessed":true,"assessedby":"u2"}]}`
	f.Add([]byte(org), []byte(org))
	f.Add([]byte(org), []byte(`{"units":[{"id":"u1","name":"办公室","leader":"ou_l2"},{"id":"u2","name":"科"}],`+
		`"people":[{"id":"ou_e1","name":"孙壹","unit":"u1"},{"id":"ou_e2","name":"周二","unit":"u2"},{"id":"ou_l2","name":"李","unit":"u1"}]}`))
	f.Add([]byte(`{"units":[{"id":"u1"},{"id":"u1","name":"x"}],"people":[{"id":""},{"id":""}]}`), []byte(`{"people":[null]}`))
	f.Add([]byte(`{}`), []byte(org))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var cur, next Snapshot
		if json.Unmarshal(a, &cur) != nil || json.Unmarshal(b, &next) != nil {
			return
		}
		DiffOrg(cur, next) // ids listed twice: no panic
		cur, next = unique(cur), unique(next)
		if same := DiffOrg(cur, cur); same != nil {
			t.Fatalf("an organisation differs from itself: %q", same)
		}
		changes := DiffOrg(cur, next)
		if again := DiffOrg(cur, next); !reflect.DeepEqual(again, changes) {
			t.Fatalf("two diffs differ: %q, %q", changes, again)
		}
		curUnits, nextUnits := map[string]workflow.Unit{}, map[string]workflow.Unit{}
		for _, u := range cur.Units {
			curUnits[u.ID] = u
		}
		for _, u := range next.Units {
			nextUnits[u.ID] = u
		}
		curPeople, nextPeople := map[string]workflow.Person{}, map[string]workflow.Person{}
		for _, p := range cur.People {
			curPeople[p.ID] = p
		}
		for _, p := range next.People {
			nextPeople[p.ID] = p
		}
		// At most one change of each kind per unit or person.
		unitChanged, personChanged, kinds := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, c := range changes {
			if c.Text == "" {
				t.Fatalf("change %+v without text", c)
			}
			if kinds[c.Kind+"|"+c.ID] {
				t.Fatalf("%s %q twice: %q", c.Kind, c.ID, changes)
			}
			kinds[c.Kind+"|"+c.ID] = true
			_, inCur := curPeople[c.ID]
			np, inNext := nextPeople[c.ID]
			switch c.Kind {
			case ChangeAddUnit, ChangeUpdateUnit, ChangeRenameUnit:
				unitChanged[c.ID] = true
				old, was := curUnits[c.ID]
				u, is := nextUnits[c.ID]
				switch {
				case !is || was != (c.Kind != ChangeAddUnit):
					t.Fatalf("%+v: not a unit of Lark's that is new or changed", c)
				case c.Kind == ChangeRenameUnit && old.Name == u.Name,
					c.Kind == ChangeUpdateUnit && old.Leader == u.Leader && old.Supervisor == u.Supervisor:
					t.Fatalf("%+v: nothing changed", c)
				}
				continue
			case ChangeAddPerson:
				if inCur || !inNext {
					t.Fatalf("%+v: not someone new in Lark", c)
				}
			case ChangeMovePerson:
				if old := curPeople[c.ID]; !inNext || old.Unit == np.Unit || old.AssessedBy != "" || np.Unit == "" {
					t.Fatalf("%+v: not a move of someone appraised at home to a unit", c)
				}
			case ChangeRenamePerson:
				if !inCur || !inNext || curPeople[c.ID].Name == np.Name {
					t.Fatalf("%+v: not a rename", c)
				}
			case ChangeTier:
				if !inCur || !inNext || np.Tier == "" || curPeople[c.ID].Tier == np.Tier {
					t.Fatalf("%+v: not a new tier", c)
				}
			case ChangeMissing:
				if !inCur || inNext || !curPeople[c.ID].Assessed {
					t.Fatalf("%+v: not someone appraised who left Lark", c)
				}
			default:
				t.Fatalf("unknown change %+v", c)
			}
			personChanged[c.ID] = true
		}
		// Nothing that differs goes unreported.
		for id, u := range nextUnits {
			if old, ok := curUnits[id]; ok && (old.Name != u.Name) != kinds[ChangeRenameUnit+"|"+id] {
				t.Fatalf("rename of unit %q: reported %v", id, kinds[ChangeRenameUnit+"|"+id])
			}
		}
		for id, p := range nextPeople {
			old, ok := curPeople[id]
			if ok && (old.Name != p.Name) != kinds[ChangeRenamePerson+"|"+id] {
				t.Fatalf("rename of %q: reported %v", id, kinds[ChangeRenamePerson+"|"+id])
			}
			if ok && (p.Tier != "" && old.Tier != p.Tier) != kinds[ChangeTier+"|"+id] {
				t.Fatalf("tier of %q: reported %v", id, kinds[ChangeTier+"|"+id])
			}
		}
		for id := range nextUnits {
			if _, ok := curUnits[id]; !ok && !unitChanged[id] {
				t.Fatalf("new unit %q not reported", id)
			}
		}
		for id := range nextPeople {
			if _, ok := curPeople[id]; !ok && !personChanged[id] {
				t.Fatalf("new person %q not reported", id)
			}
		}
		for id, p := range curPeople {
			if _, ok := nextPeople[id]; !ok && p.Assessed && !personChanged[id] {
				t.Fatalf("%q left Lark unreported", id)
			}
		}
	})
}
