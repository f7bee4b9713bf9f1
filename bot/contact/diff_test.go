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
		},
	}
	next := Snapshot{
		Units: []workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l3", Supervisor: "ou_s1"}, {ID: "u2", Name: "财务科", Leader: "ou_l2"},
			{ID: "u3", Name: "法规科"}},
		People: []workflow.Person{
			{ID: "ou_l1", Name: "钱科长", Unit: "u1"}, {ID: "ou_e1", Name: "孙一", Unit: "u2", Assessed: true},
			{ID: "ou_e2", Name: "周贰", Unit: "u1", Assessed: true}, {ID: "ou_e3", Name: "吴三", Unit: "u3", Assessed: true},
			{ID: "ou_l3", Name: "陈科长", Unit: "u1"},
		},
	}
	want := []Change{
		{ChangeUpdateUnit, "u1", "科室「办公室」：负责人 ou_l1 → ou_l3，分管领导 ou_s1 → ou_s1"},
		{ChangeAddUnit, "u3", "新增科室「法规科」，负责人 —"},
		{ChangeMovePerson, "ou_e1", "孙一 调动：u1 → u2"},
		{ChangeRenamePerson, "ou_e2", "周二 更名为 周贰"},
		// ou_e3 is seconded (AssessedBy): a move in Lark is not theirs to follow.
		{ChangeAddPerson, "ou_l3", "新增人员 陈科长（u1）"},
		{ChangeMissing, "ou_e4", "郑四 已不在通讯录中（未删除，请人事科确认）"},
		// ou_x is missing too, but not assessed: nothing to confirm.
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
// at most one change per unit and per person, each with its Chinese text,
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
		unitChanged, personChanged := map[string]bool{}, map[string]bool{}
		for _, c := range changes {
			if c.Text == "" {
				t.Fatalf("change %+v without text", c)
			}
			_, inCur := curPeople[c.ID]
			np, inNext := nextPeople[c.ID]
			switch c.Kind {
			case ChangeAddUnit, ChangeUpdateUnit:
				if unitChanged[c.ID] {
					t.Fatalf("unit %q changed twice: %q", c.ID, changes)
				}
				unitChanged[c.ID] = true
				old, was := curUnits[c.ID]
				u, is := nextUnits[c.ID]
				if !is || was != (c.Kind == ChangeUpdateUnit) || was && old == u {
					t.Fatalf("%+v: not a unit of Lark's that is new or changed", c)
				}
				continue
			case ChangeAddPerson:
				if inCur || !inNext {
					t.Fatalf("%+v: not someone new in Lark", c)
				}
			case ChangeMovePerson:
				if old := curPeople[c.ID]; !inNext || old.Unit == np.Unit || old.AssessedBy != "" {
					t.Fatalf("%+v: not a move of someone appraised at home", c)
				}
			case ChangeRenamePerson:
				if !inCur || !inNext || curPeople[c.ID].Name == np.Name {
					t.Fatalf("%+v: not a rename", c)
				}
			case ChangeMissing:
				if !inCur || inNext || !curPeople[c.ID].Assessed {
					t.Fatalf("%+v: not someone appraised who left Lark", c)
				}
			default:
				t.Fatalf("unknown change %+v", c)
			}
			if personChanged[c.ID] {
				t.Fatalf("person %q changed twice: %q", c.ID, changes)
			}
			personChanged[c.ID] = true
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
