package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"

	larkcontact "github.com/larksuite/oapi-sdk-go/v3/service/contact/v3"

	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/workflow"
)

// ErrContactRange is Lark refusing to list the root department: the app's
// contact data scope (通讯录权限范围) is not 全部成员, which listing the
// root's children and members needs [D17][D18]. HR has it changed in the
// developer console (docs/lark-app.md §3).
var ErrContactRange = errors.New("the app's contact data scope is not all members")

// Lark's answers for a department outside the contact data scope (40004)
// and for a parent department outside it (40014) [D17].
const (
	codeNoDeptAuthority   = 40004
	codeNoParentAuthority = 40014
)

// contactErr wraps a failed contact call; Lark refusing to list the root
// for want of authority is ErrContactRange too.
func contactErr(op, dept string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) && dept == contact.RootID && (ae.Code == codeNoDeptAuthority || ae.Code == codeNoParentAuthority) {
		return fmt.Errorf("%s: %w: %w", op, ErrContactRange, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// FetchOrg reads the whole directory: every department under the root
// (0), the direct members of each, and the root's own direct members —
// people placed in no department, often the 局领导 — page by page. Ids are
// Lark's open_id and open_department_id. A refused call is an *APIError
// (a missing API scope is KindScope, naming the scopes); the root refused
// is ErrContactRange too. A token Lark refused is dropped and the call
// made once more with a fresh one, as for sends.
func (l *Lark) FetchOrg(ctx context.Context) (contact.Directory, error) {
	dir := contact.Directory{Members: map[string][]*larkcontact.User{}}
	token := ""
	for {
		b := larkcontact.NewChildrenDepartmentReqBuilder().DepartmentId(contact.RootID).FetchChild(true).
			UserIdType("open_id").DepartmentIdType("open_department_id").PageSize(50)
		if token != "" {
			b = b.PageToken(token)
		}
		var resp *larkcontact.ChildrenDepartmentResp
		err := l.retryToken(func() error {
			var err error
			if resp, err = l.client.Contact.V3.Department.Children(ctx, b.Build()); err != nil {
				return err
			}
			if !resp.Success() {
				return classifyResp("list departments", resp.ApiResp, resp.CodeError)
			}
			return nil
		})
		if err != nil {
			return dir, contactErr("list departments", contact.RootID, err)
		}
		if resp.Data == nil {
			break // a success without data is an empty page, not a crash
		}
		dir.Departments = append(dir.Departments, resp.Data.Items...)
		if resp.Data.HasMore == nil || !*resp.Data.HasMore || resp.Data.PageToken == nil {
			break
		}
		token = *resp.Data.PageToken
	}
	for _, id := range append(contact.DepartmentIDs(dir.Departments), contact.RootID) {
		token := ""
		for {
			b := larkcontact.NewFindByDepartmentUserReqBuilder().DepartmentId(id).
				UserIdType("open_id").DepartmentIdType("open_department_id").PageSize(50)
			if token != "" {
				b = b.PageToken(token)
			}
			var resp *larkcontact.FindByDepartmentUserResp
			err := l.retryToken(func() error {
				var err error
				if resp, err = l.client.Contact.V3.User.FindByDepartment(ctx, b.Build()); err != nil {
					return err
				}
				if !resp.Success() {
					return classifyResp("list members", resp.ApiResp, resp.CodeError)
				}
				return nil
			})
			if err != nil {
				return dir, contactErr("list members of "+id, id, err)
			}
			if resp.Data == nil {
				break
			}
			dir.Members[id] = append(dir.Members[id], resp.Data.Items...)
			if resp.Data.HasMore == nil || !*resp.Data.HasMore || resp.Data.PageToken == nil {
				break
			}
			token = *resp.Data.PageToken
		}
	}
	return dir, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// SyncReport is what a contact sync found and, on 确认, did.
type SyncReport struct {
	// Changes are the differences, in DiffOrg's order; empty when Missing
	// is not (a directory with blanks is not compared).
	Changes []contact.Change
	// Missing are the field scopes the app lacks: Lark left fields out,
	// so nothing is imported until HR has them granted.
	Missing []contact.Scope
	// Warnings say, in Chinese, what the import will not settle by itself
	// (people without a tier, a custom field Lark does not return).
	Warnings []string
	// Applied is set when the changes were imported.
	Applied bool
}

// ErrFieldsMissing refuses an import from a directory with blanks:
// SyncReport.Missing names the scopes.
var ErrFieldsMissing = errors.New("contact fields missing: field scopes not granted")

// syncReason is the reason recorded with every change an import makes.
const syncReason = "通讯录同步"

// SyncContacts reads the organisation from Lark's contact directory and
// compares it with kaohe's. With dryRun it only reports, for HR to review
// first; otherwise it applies the changes, each its own audited change
// keyed by the event: renamed units, new and changed units and new people
// (one Setup), moves, renamed people and new tiers (Options.Tiers). People
// missing from Lark are reported, never changed. A directory that came
// back with blanks (MissingScopes) is not compared, and its import is
// refused (ErrFieldsMissing, audited) rather than storing the blanks. by
// must be HR.
func (b *Bot) SyncContacts(ctx context.Context, l *Lark, by string, dryRun bool) (SyncReport, error) {
	var rep SyncReport
	var cur contact.Snapshot
	var me workflow.Person
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
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
		return rep, fmt.Errorf("read organisation: %w", err)
	}
	// HR first: nobody else makes the bot read the directory.
	if !me.HR {
		return rep, fmt.Errorf("contact sync by %s: %w", by, workflow.ErrForbidden)
	}
	dir, err := l.FetchOrg(ctx)
	if err != nil {
		return rep, fmt.Errorf("fetch contacts: %w", err)
	}
	if rep.Missing = contact.MissingScopes(dir); len(rep.Missing) > 0 {
		if dryRun {
			return rep, nil
		}
		ids := make([]string, len(rep.Missing))
		for i, s := range rep.Missing {
			ids[i] = s.ID
		}
		err := fmt.Errorf("%w: %s", ErrFieldsMissing, strings.Join(ids, ", "))
		b.svc.RecordDenial(ctx, by, "contact.sync", "org", err)
		return rep, err
	}
	opts := b.cfg.Contact
	next := contact.Org(dir, opts)
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
	rep.Changes = contact.DiffOrg(cur, next)
	for i, c := range rep.Changes {
		if (c.Kind == contact.ChangeAddUnit || c.Kind == contact.ChangeUpdateUnit) && len(unknown[c.ID]) > 0 {
			rep.Changes[i].Text += "（飞书所列" + strings.Join(unknown[c.ID], "、") + "不在通讯录范围内，暂空缺，其待办转由上级领导办理）"
		}
	}
	rep.Warnings = tierWarnings(opts, cur, next)
	if dryRun || len(rep.Changes) == 0 {
		return rep, nil
	}
	if err := b.applyContacts(ctx, by, rep.Changes, next); err != nil {
		return rep, err
	}
	rep.Applied = true
	return rep, nil
}

// applyContacts makes the changes, each keyed by the event and by what it
// changes, so a job run again for the same event (a resumed job, a
// re-pushed event on another replica) repeats none.
func (b *Bot) applyContacts(ctx context.Context, by string, changes []contact.Change, next contact.Snapshot) error {
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
	var setup []string
	for _, c := range changes {
		switch c.Kind {
		case contact.ChangeRenameUnit:
			// Before the Setup that may store the unit whole, so that the
			// rename has its own audit row saying what it was.
			if err := b.svc.RenameUnit(syncIdem(ctx, c.Kind, c.ID), by, c.ID, units[c.ID].Name, syncReason); err != nil {
				return fmt.Errorf("rename unit %s: %w", c.ID, err)
			}
		case contact.ChangeAddUnit, contact.ChangeUpdateUnit:
			newUnits = append(newUnits, units[c.ID])
			setup = append(setup, c.Kind+":"+c.ID)
		case contact.ChangeAddPerson:
			p := people[c.ID]
			p.Group = p.Unit
			newPeople = append(newPeople, p)
			setup = append(setup, c.Kind+":"+c.ID)
		}
	}
	if len(newUnits) > 0 || len(newPeople) > 0 {
		// One Setup for all of them; its key names what it holds, so that
		// a second run that finds more to add is not taken for the first.
		sort.Strings(setup)
		sum := sha256.Sum256([]byte(strings.Join(setup, "\n")))
		if err := b.svc.Setup(syncIdem(ctx, "setup", hex.EncodeToString(sum[:8])), by, workflow.Settings{}, newUnits, newPeople); err != nil {
			return fmt.Errorf("apply contacts: %w", err)
		}
	}
	for _, c := range changes {
		p := people[c.ID]
		var err error
		switch c.Kind {
		case contact.ChangeMovePerson:
			err = b.svc.MovePerson(syncIdem(ctx, c.Kind, c.ID), by, c.ID, p.Unit, syncReason)
		case contact.ChangeRenamePerson:
			err = b.svc.RenamePerson(syncIdem(ctx, c.Kind, c.ID), by, c.ID, p.Name, syncReason)
		case contact.ChangeTier:
			err = b.svc.SetTier(syncIdem(ctx, c.Kind, c.ID), by, c.ID, p.Tier, syncReason)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", c.Kind, c.ID, err)
		}
	}
	return nil
}

// syncIdem keys one change of the import by the event that asked for it.
func syncIdem(ctx context.Context, kind, id string) context.Context {
	ev, _ := ctx.Value(eventKey{}).(string)
	if ev == "" {
		return ctx
	}
	return workflow.WithIdempotencyKey(ctx, "lark-card", ev+"#sync:"+kind+":"+id)
}

// maxTierWarnings bounds the people named without a tier; the rest are
// counted.
const maxTierWarnings = 10

// tierWarnings says who will be left without a tier when Options map
// tiers: people appraised, new to kaohe or without one in kaohe, whose
// value maps to none (a tier is required where the scheme has several, S2). A custom
// field nobody has is most likely one Lark does not return: the admin must
// allow API access to it ("允许开放平台 API 调用") [D18].
func tierWarnings(opts contact.Options, cur, next contact.Snapshot) []string {
	if opts.TierBy == "" {
		return nil
	}
	what := "职务"
	if attr, ok := strings.CutPrefix(opts.TierBy, contact.TierByCustomAttr); ok {
		what = "自定义字段 " + attr
	}
	stored := map[string]workflow.Person{}
	for _, p := range cur.People {
		stored[p.ID] = p
	}
	var out, names []string
	found := false
	for _, p := range next.People {
		v := next.TierValues[p.ID]
		found = found || v != ""
		if old, ok := stored[p.ID]; p.Tier != "" || old.Tier != "" || !p.Assessed && !(ok && old.Assessed) {
			continue
		}
		if v == "" {
			v = "未填写"
		}
		names = append(names, fmt.Sprintf("%s（%s）", p.Name, v))
	}
	if !found && len(next.People) > 0 && what != "职务" {
		out = append(out, "飞书未返回"+what+"：请企业管理员在管理后台为该字段开启「允许开放平台 API 调用」")
	}
	if len(names) > 0 {
		line := fmt.Sprintf("%d人的%s未对应职级，导入后职级为空，请在飞书中补充或调整职级对照：", len(names), what)
		if len(names) > maxTierWarnings {
			line += strings.Join(names[:maxTierWarnings], "、") + fmt.Sprintf("等%d人", len(names))
		} else {
			line += strings.Join(names, "、")
		}
		out = append(out, line)
	}
	return out
}
