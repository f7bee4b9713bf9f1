package contact

import (
	"fmt"

	"github.com/kaohe/kaohe/workflow"
)

// Snapshot is an organisation at one moment: kaohe's as stored, or Lark's
// as Org converts it.
type Snapshot struct {
	Units  []workflow.Unit
	People []workflow.Person
	// TierValues holds, for Lark's side when Options.TierBy is set, each
	// person's value the tier was read from ("" when they have none).
	TierValues map[string]string
}

// Change kinds of a contact sync.
const (
	ChangeAddUnit      = "add_unit"
	ChangeUpdateUnit   = "update_unit" // its 负责人 or 分管领导
	ChangeRenameUnit   = "rename_unit"
	ChangeAddPerson    = "add_person"
	ChangeMovePerson   = "move_person"
	ChangeMissing      = "missing_person"
	ChangeRenamePerson = "rename_person"
	ChangeTier         = "tier"
)

// Change is one difference between kaohe's organisation and Lark's.
type Change struct {
	Kind string
	ID   string
	// Text says it in Chinese for the HR dry-run card.
	Text string
}

// DiffOrg lists what a sync would change, in a stable order: units in
// Lark's order (new; renamed, new leaders), then people in Lark's order
// (new; moved, renamed, a new tier), then people gone from Lark. A unit or
// person has at most one change of each kind. People missing from Lark are reported, never deleted: their
// history stays, and HR decides (they may be seconded elsewhere). Nobody
// is moved to the root (Unit ""): Lark places them nowhere in particular,
// so the unit kaohe has stands. A tier changes only to one Lark's side
// names (a mapped value); people are named, not shown by id.
func DiffOrg(cur, next Snapshot) []Change {
	var out []Change
	units := map[string]workflow.Unit{}
	for _, u := range cur.Units {
		units[u.ID] = u
	}
	names := map[string]string{}
	for _, p := range cur.People {
		names[p.ID] = p.Name
	}
	for _, p := range next.People {
		names[p.ID] = p.Name
	}
	who := func(id string) string {
		if id == "" {
			return "—"
		}
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	unitNames := map[string]string{}
	for _, u := range cur.Units {
		unitNames[u.ID] = u.Name
	}
	for _, u := range next.Units {
		unitNames[u.ID] = u.Name
	}
	unit := func(id string) string {
		if id == "" {
			return "根部门，未分配科室"
		}
		if n := unitNames[id]; n != "" {
			return n
		}
		return id
	}
	for _, u := range next.Units {
		old, ok := units[u.ID]
		if !ok {
			out = append(out, Change{ChangeAddUnit, u.ID, fmt.Sprintf("新增科室「%s」，负责人 %s", u.Name, who(u.Leader))})
			continue
		}
		if old.Name != u.Name {
			out = append(out, Change{ChangeRenameUnit, u.ID, fmt.Sprintf("科室「%s」更名为「%s」", old.Name, u.Name)})
		}
		if old.Leader != u.Leader || old.Supervisor != u.Supervisor {
			out = append(out, Change{ChangeUpdateUnit, u.ID, fmt.Sprintf("科室「%s」：负责人 %s → %s，分管领导 %s → %s", u.Name, who(old.Leader), who(u.Leader), who(old.Supervisor), who(u.Supervisor))})
		}
	}
	people := map[string]workflow.Person{}
	for _, p := range cur.People {
		people[p.ID] = p
	}
	inLark := map[string]bool{}
	for _, p := range next.People {
		inLark[p.ID] = true
		old, ok := people[p.ID]
		if !ok {
			text := fmt.Sprintf("新增人员 %s（%s）", p.Name, unit(p.Unit))
			if p.Tier != "" {
				text = fmt.Sprintf("新增人员 %s（%s，职级 %s）", p.Name, unit(p.Unit), p.Tier)
			}
			if p.Unit == "" {
				text += "，默认不参加考核"
			}
			out = append(out, Change{ChangeAddPerson, p.ID, text})
			continue
		}
		if old.Unit != p.Unit && old.AssessedBy == "" && p.Unit != "" {
			out = append(out, Change{ChangeMovePerson, p.ID, fmt.Sprintf("%s 调动：%s → %s", p.Name, unit(old.Unit), unit(p.Unit))})
		}
		if old.Name != p.Name {
			out = append(out, Change{ChangeRenamePerson, p.ID, fmt.Sprintf("%s 更名为 %s", old.Name, p.Name)})
		}
		if p.Tier != "" && old.Tier != p.Tier {
			text := fmt.Sprintf("%s 职级：%s → %s", p.Name, orDash(old.Tier), p.Tier)
			if v := next.TierValues[p.ID]; v != "" {
				text += "（飞书：" + v + "）"
			}
			out = append(out, Change{ChangeTier, p.ID, text})
		}
	}
	for _, p := range cur.People {
		if !inLark[p.ID] && p.Assessed {
			out = append(out, Change{ChangeMissing, p.ID, fmt.Sprintf("%s 已不在通讯录中（未删除，请人事科确认）", p.Name)})
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
