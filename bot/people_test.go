package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
)

// TestPersonCard: HR sets a special state and records leave from the
// person card; the change is made and audited, the card comes back
// updated; someone else, a stale card and a bad form change nothing.
func TestPersonCard(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 1, memory.New())
	ctx := context.Background()
	person := func() workflow.Person {
		var p workflow.Person
		if err := a.store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			p, err = tx.Person(ctx, "ou_e00000")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	click := func(id, op, kind string, version int, form map[string]any) (string, string) {
		ev := clickEvent(id, op, kind, workflow.Step{}, form)
		ev.Event.Action.Value = map[string]any{"k": kind, "id": "ou_e00000", "v": float64(version)}
		r, _ := a.bot.OnCardAction(ctx, ev)
		c := ""
		if r.Card != nil {
			c = toJSON(t, r.Card.Data)
		}
		return toastOf(r), c
	}
	status := map[string]any{card.FieldProbation: "yes", card.FieldInvestigation: "no", card.FieldSanction: "none",
		card.FieldExempt: "no", card.FieldStatusReason: "2026年7月新录用"}
	v := person().Version
	tests := []struct {
		name, op, kind string
		version        int
		form           map[string]any
		toast          string
	}{
		{"NotHR", "ou_l1", card.KindPersonStatus, v, status, "error:"},
		{"Stale", "ou_hr", card.KindPersonStatus, v - 1, status, "error:"},
		{"NoReason", "ou_hr", card.KindPersonStatus, v, map[string]any{card.FieldProbation: "yes", card.FieldInvestigation: "no",
			card.FieldSanction: "none", card.FieldExempt: "no"}, "error:事由"},
		{"UnknownSanction", "ou_hr", card.KindPersonStatus, v, map[string]any{card.FieldProbation: "no", card.FieldInvestigation: "no",
			card.FieldSanction: "开除", card.FieldExempt: "no", card.FieldStatusReason: "x"}, "error:处分"},
	}
	for _, tc := range tests {
		toast, _ := click("bad-"+tc.name, tc.op, tc.kind, tc.version, tc.form)
		if !strings.HasPrefix(toast, tc.toast) {
			t.Errorf("%s: toast %q, want %q…", tc.name, toast, tc.toast)
		}
		if p := person(); p.Version != v || p.Status.Probation {
			t.Fatalf("%s changed the person: %+v", tc.name, p)
		}
	}
	toast, c := click("ok-1", "ou_hr", card.KindPersonStatus, v, status)
	if toast != "success:特殊情况已保存" || !strings.Contains(c, "试用期") {
		t.Fatalf("save status: %q %s", toast, c)
	}
	p := person()
	if !p.Status.Probation || p.Status.Reason != "2026年7月新录用" {
		t.Fatalf("status = %+v", p.Status)
	}
	toast, c = click("ok-2", "ou_hr", card.KindAbsence, p.Version, map[string]any{card.FieldLeaveKind: "病假",
		card.FieldLeaveStart: "2026-07-06 +0800", card.FieldLeaveEnd: "2026-07-08 +0800"})
	if toast != "success:请假已登记" || !strings.Contains(c, "病假 2026-07-06 至 2026-07-08") {
		t.Fatalf("record leave: %q %s", toast, c)
	}
	toast, _ = click("bad-end", "ou_hr", card.KindAbsence, person().Version, map[string]any{card.FieldLeaveKind: "病假",
		card.FieldLeaveStart: "2026-07-08", card.FieldLeaveEnd: "2026-07-06"})
	if !strings.Contains(toast, "不能早于开始日期") {
		t.Errorf("end before start: %q", toast)
	}
	var actions []string
	_ = a.store.InTx(ctx, func(tx workflow.Tx) error {
		rows, err := tx.Audit(ctx, 0, 0)
		for _, r := range rows {
			if r.Object == "ou_e00000" && strings.HasPrefix(r.Action, "person.") && !r.Denied {
				actions = append(actions, r.Action)
			}
		}
		return err
	})
	if strings.Join(actions, ",") != "person.status,person.absence" {
		t.Errorf("audited %v", actions)
	}
}

// toJSON is a callback card's data as JSON text.
func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
