package workflow_test

import (
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

// TestDirectoryChanges: HR renames a person and a unit and sets a tier,
// each audited once with what changed; a tier the scheme does not have
// and a non-HR caller are refused; a repeat of the same change is no
// change.
func TestDirectoryChanges(t *testing.T) {
	h := newHarness(t, "s2", at(2026, 7, 1, 9, 0), nil)
	h.org60()
	tests := []struct {
		name   string
		do     func(by string) error
		by     string
		target error
	}{
		{name: "OK_RenamePerson", by: "hr", do: func(by string) error { return h.svc.RenamePerson(ctx, by, "e01", "孙壹", "通讯录同步") }},
		{name: "OK_RenameUnit", by: "hr", do: func(by string) error { return h.svc.RenameUnit(ctx, by, "u1", "综合办公室", "通讯录同步") }},
		{name: "OK_SetTier", by: "hr", do: func(by string) error { return h.svc.SetTier(ctx, by, "e01", "正科", "通讯录同步") }},
		{name: "OK_Again", by: "hr", do: func(by string) error { return h.svc.SetTier(ctx, by, "e01", "正科", "通讯录同步") }},
		{name: "Err_UnknownTier", by: "hr", target: workflow.ErrInvalidInput, do: func(by string) error { return h.svc.SetTier(ctx, by, "e01", "处级", "通讯录同步") }},
		{name: "Err_NoTier", by: "hr", target: workflow.ErrInvalidInput, do: func(by string) error { return h.svc.SetTier(ctx, by, "e01", "", "通讯录同步") }},
		{name: "Err_EmptyName", by: "hr", target: workflow.ErrInvalidInput, do: func(by string) error { return h.svc.RenamePerson(ctx, by, "e01", " ", "通讯录同步") }},
		{name: "Err_UnknownUnit", by: "hr", target: workflow.ErrInvalidInput, do: func(by string) error { return h.svc.RenameUnit(ctx, by, "u9", "某科", "通讯录同步") }},
		{name: "Err_NotHR", by: "e02", target: workflow.ErrForbidden, do: func(by string) error { return h.svc.RenamePerson(ctx, by, "e01", "孙三", "通讯录同步") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.audit())
			err := tt.do(tt.by)
			if tt.target == nil {
				h.must(tt.name, err)
			} else {
				h.wantErr(tt.name, err, tt.target)
			}
			if rows := h.audit(); tt.target != workflow.ErrInvalidInput && len(rows) != before+1 {
				t.Errorf("%d audit rows, want 1", len(rows)-before)
			}
		})
	}
	h.must("check", h.store.InTx(ctx, func(tx workflow.Tx) error {
		p, err := tx.Person(ctx, "e01")
		if err != nil {
			return err
		}
		u, err := tx.Unit(ctx, "u1")
		if p.Name != "孙壹" || p.Tier != "正科" || u.Name != "综合办公室" {
			t.Errorf("after the changes: %+v, %+v", p, u)
		}
		return err
	}))
	var said bool
	for _, r := range h.audit() {
		said = said || (r.Action == "person.rename" && r.Object == "e01" && r.Detail == "name 干部01 -> 孙壹: 通讯录同步")
	}
	if !said {
		t.Errorf("the rename's audit row does not say what changed: %+v", h.audit())
	}
}
