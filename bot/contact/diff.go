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
}

// Change kinds of a contact sync.
const (
	ChangeAddUnit      = "add_unit"
	ChangeUpdateUnit   = "update_unit"
	ChangeAddPerson    = "add_person"
	ChangeMovePerson   = "move_person"
	ChangeMissing      = "missing_person"
	ChangeRenamePerson = "rename_person"
)

// Change is one difference between kaohe's organisation and Lark's.
type Change struct {
	Kind string
	ID   string
	// Text says it in Chinese for the HR dry-run card.
	Text string
}

// DiffOrg lists what a sync would change, in a stable order. People missing
// from Lark are reported, never deleted: their history stays, and HR
// decides (they may be seconded elsewhere).
func DiffOrg(cur, next Snapshot) []Change {
	var out []Change
	units := map[string]workflow.Unit{}
	for _, u := range cur.Units {
		units[u.ID] = u
	}
	for _, u := range next.Units {
		old, ok := units[u.ID]
		switch {
		case !ok:
			out = append(out, Change{ChangeAddUnit, u.ID, fmt.Sprintf("新增科室「%s」，负责人 %s", u.Name, orDash(u.Leader))})
		case old.Name != u.Name || old.Leader != u.Leader || old.Supervisor != u.Supervisor:
			out = append(out, Change{ChangeUpdateUnit, u.ID, fmt.Sprintf("科室「%s」：负责人 %s → %s，分管领导 %s → %s", u.Name, orDash(old.Leader), orDash(u.Leader), orDash(old.Supervisor), orDash(u.Supervisor))})
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
		switch {
		case !ok:
			out = append(out, Change{ChangeAddPerson, p.ID, fmt.Sprintf("新增人员 %s（%s）", p.Name, p.Unit)})
		case old.Unit != p.Unit && old.AssessedBy == "":
			out = append(out, Change{ChangeMovePerson, p.ID, fmt.Sprintf("%s 调动：%s → %s", p.Name, old.Unit, p.Unit)})
		case old.Name != p.Name:
			out = append(out, Change{ChangeRenamePerson, p.ID, fmt.Sprintf("%s 更名为 %s", old.Name, p.Name)})
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
