package bot

import (
	"context"
	"fmt"
	"strings"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"

	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/workflow"
)

// FetchOrg reads every department under root ("0" for the whole tenant) and
// their direct members, page by page, into the organisation they describe:
// units from departments (their 主管 as the 科室负责人, the parent
// department's 主管 as the 分管领导) and people from department members.
// Person and unit ids are Lark's open_id and open_department_id.
func (l *Lark) FetchOrg(ctx context.Context, root string) (contact.Snapshot, error) {
	var org contact.Snapshot
	var depts []*larkcontact.Department
	token := ""
	for {
		b := larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId(root).FetchChild(true).
			UserIdType("open_id").DepartmentIdType("open_department_id").PageSize(50)
		if token != "" {
			b = b.PageToken(token)
		}
		resp, err := l.client.Contact.V3.Department.Children(ctx, b.Build())
		if err != nil {
			return org, fmt.Errorf("list departments: %w", err)
		}
		if !resp.Success() {
			return org, classify("list departments", resp.StatusCode, resp.Code, resp.Msg, resp.Header)
		}
		if resp.Data == nil {
			break // a success without data is an empty page, not a crash
		}
		depts = append(depts, resp.Data.Items...)
		if resp.Data.HasMore == nil || !*resp.Data.HasMore || resp.Data.PageToken == nil {
			break
		}
		token = *resp.Data.PageToken
	}
	members := map[string][]*larkcontact.User{}
	for _, id := range contact.DepartmentIDs(depts) {
		token := ""
		for {
			b := larkcontact.NewFindByDepartmentUserReqBuilder().DepartmentId(id).
				UserIdType("open_id").DepartmentIdType("open_department_id").PageSize(50)
			if token != "" {
				b = b.PageToken(token)
			}
			resp, err := l.client.Contact.V3.User.FindByDepartment(ctx, b.Build())
			if err != nil {
				return org, fmt.Errorf("list members of %s: %w", id, err)
			}
			if !resp.Success() {
				return org, classify("list members", resp.StatusCode, resp.Code, resp.Msg, resp.Header)
			}
			if resp.Data == nil {
				break
			}
			members[id] = append(members[id], resp.Data.Items...)
			if resp.Data.HasMore == nil || !*resp.Data.HasMore || resp.Data.PageToken == nil {
				break
			}
			token = *resp.Data.PageToken
		}
	}
	// The conversion is package contact's, where it is fuzzed.
	org.Units, org.People = contact.Org(depts, members)
	return org, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// SyncContacts reads the organisation from Lark's contact directory under
// root and compares it with kaohe's. With dryRun it only returns the
// changes, for HR to review first; otherwise it applies new and changed
// units, new people and moves in one Setup plus one move each (each its own
// audited transaction), and reports renames and people missing from Lark
// without changing them. by must be HR.
func (b *Bot) SyncContacts(ctx context.Context, l *Lark, by, root string, dryRun bool) ([]contact.Change, error) {
	next, err := l.FetchOrg(ctx, root)
	if err != nil {
		return nil, fmt.Errorf("fetch contacts: %w", err)
	}
	var cur contact.Snapshot
	var me workflow.Person
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		if me, err = tx.Person(ctx, by); err != nil {
			return err
		}
		if cur.Units, err = tx.Units(ctx); err != nil {
			return err
		}
		cur.People, err = tx.People(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read organisation: %w", err)
	}
	if !me.HR {
		return nil, fmt.Errorf("contact sync by %s: %w", by, workflow.ErrForbidden)
	}
	// A leader Lark names who is neither in kaohe nor in this sync (outside
	// the contact scope) cannot be stored as one. The unit is left without
	// that leader rather than keeping the one it had, whom Lark no longer
	// names: the service then sends the unit's pending steps up the chain
	// (workflow.Service.Setup), so a replaced leader never keeps them. It
	// is done before the diff so that the dry run shows HR what the import
	// will store, and says why.
	known := map[string]bool{}
	for _, p := range cur.People {
		known[p.ID] = true
	}
	for _, p := range next.People {
		known[p.ID] = true
	}
	unknown := map[string][]string{}
	for i := range next.Units {
		u := &next.Units[i]
		if u.Leader != "" && !known[u.Leader] {
			unknown[u.ID] = append(unknown[u.ID], "负责人")
			u.Leader = ""
		}
		if u.Supervisor != "" && !known[u.Supervisor] {
			unknown[u.ID] = append(unknown[u.ID], "分管领导")
			u.Supervisor = ""
		}
	}
	changes := contact.DiffOrg(cur, next)
	for i, c := range changes {
		if (c.Kind == contact.ChangeAddUnit || c.Kind == contact.ChangeUpdateUnit) && len(unknown[c.ID]) > 0 {
			changes[i].Text += "（飞书所列" + strings.Join(unknown[c.ID], "、") + "不在通讯录范围内，暂空缺，其待办转由上级领导办理）"
		}
	}
	if dryRun || len(changes) == 0 {
		return changes, nil
	}
	units := map[string]workflow.Unit{}
	for _, u := range next.Units {
		units[u.ID] = u
	}
	people := map[string]workflow.Person{}
	for _, p := range next.People {
		people[p.ID] = p
	}
	var newUnits []workflow.Unit
	var newPeople []workflow.Person
	var moves []workflow.Person
	for _, c := range changes {
		switch c.Kind {
		case contact.ChangeAddUnit, contact.ChangeUpdateUnit:
			newUnits = append(newUnits, units[c.ID])
		case contact.ChangeAddPerson:
			p := people[c.ID]
			p.Group = p.Unit
			newPeople = append(newPeople, p)
		case contact.ChangeMovePerson:
			moves = append(moves, people[c.ID])
		}
	}
	if len(newUnits) > 0 || len(newPeople) > 0 {
		if err := b.svc.Setup(idem(ctx, 1), by, workflow.Settings{}, newUnits, newPeople); err != nil {
			return changes, fmt.Errorf("apply contacts: %w", err)
		}
	}
	for i, p := range moves {
		if err := b.svc.MovePerson(idem(ctx, 2+i), by, p.ID, p.Unit, "通讯录同步"); err != nil {
			return changes, fmt.Errorf("move %s: %w", p.ID, err)
		}
	}
	return changes, nil
}
