package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
)

// TestNewCallbacksRefuseStrangersAndStaleCards: every button of the
// cycle's cards, clicked by someone who may not (an employee), is refused
// in Chinese and changes nothing but the one denial in the audit log; the
// versioned ones, clicked by HR on an old card, are refused as stale.
func TestNewCallbacksRefuseStrangersAndStaleCards(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 1, memory.New())
	ctx := context.Background()
	const stranger = "ou_e00000"
	counts := func() (audit, outbox, denied int) {
		_ = a.store.InTx(ctx, func(tx workflow.Tx) error {
			rows, _ := tx.Audit(ctx, 0, 0)
			for _, r := range rows {
				if r.Denied {
					denied++
				}
			}
			ns, _ := tx.Outbox(ctx, "", 0, 0)
			audit, outbox = len(rows), len(ns)
			return nil
		})
		return
	}
	click := func(event, op, kind, id string, v int, form map[string]any) string {
		ev := clickEvent(event, op, kind, workflow.Step{}, form)
		ev.Event.Action.Value = map[string]any{"k": kind, "id": id, "v": float64(v)}
		r, _ := a.bot.OnCardAction(ctx, ev)
		return toastOf(r)
	}
	status := map[string]any{card.FieldProbation: "yes", card.FieldInvestigation: "no", card.FieldSanction: "none",
		card.FieldExempt: "no", card.FieldStatusReason: "x"}
	strangers := []struct {
		kind, id string
		v        int
		form     map[string]any
	}{
		{card.KindOpenPeriod, "2026-Q4", 0, nil},
		{card.KindClosePeriod, "2026-Q3", 0, nil},
		{card.KindFiled, "2026-Q3", 0, nil},
		{card.KindEndDelegation, "d1", 0, nil},
		{card.KindComposeYear, "2026", 0, nil},
		{card.KindChase, "", 0, nil},
		{card.KindProgress, "2026-Q3", 0, nil},
		{card.KindReviewForward, "2026-Q3/ou_e00000", 1, map[string]any{card.FieldReviewOpinion: "x"}},
		{card.KindReviewReject, "2026-Q3/ou_e00000", 1, map[string]any{card.FieldReviewOpinion: "x"}},
		{card.KindReviewDecide, "2026-Q3/ou_e00000", 1, map[string]any{card.FieldReviewGrade: "好", card.FieldReviewDecision: "x"}},
		{card.KindPersonStatus, "ou_l1", 1, status},
		{card.KindAbsence, "ou_l1", 1, map[string]any{card.FieldLeaveKind: "病假", card.FieldLeaveStart: "2026-07-06", card.FieldLeaveEnd: "2026-07-07"}},
		{card.KindFeedback, "2026-Q3", 0, map[string]any{card.FieldFeedbackPerson: "ou_l1", card.FieldFeedbackStrengths: "x"}},
		{card.KindEntryComment, card.EntryID("monthly", "ou_l1", "2026-07"), 1, map[string]any{card.FieldRemark: "x"}},
		{card.KindEntryReturn, card.EntryID("monthly", "ou_l1", "2026-07"), 1, map[string]any{card.FieldRemark: "x"}},
		{card.KindTalk, card.TalkID("2026-Q3", "ou_l1"), 0, map[string]any{card.FieldTalkNote: "x"}},
		{card.KindReassign, a.steps[0].ID, a.steps[0].Version, map[string]any{card.FieldReassignTo: "ou_s1", card.FieldReassignReason: "x"}},
	}
	for i, s := range strangers {
		audit, outbox, denied := counts()
		toast := click("stranger-"+s.kind+string(rune('a'+i)), stranger, s.kind, s.id, s.v, s.form)
		if !strings.HasPrefix(toast, "error:") {
			t.Errorf("%s by an employee: %q, want a refusal", s.kind, toast)
		}
		a2, o2, d2 := counts()
		if o2 != outbox || a2-audit > 1 || a2-audit != d2-denied {
			t.Errorf("%s by an employee wrote audit %d→%d (denied %d→%d), outbox %d→%d", s.kind, audit, a2, denied, d2, outbox, o2)
		}
	}
	// HR on an old card: the period and the person have moved on.
	p, err := a.svc.Period(ctx, "2026-Q3")
	if err != nil {
		t.Fatal(err)
	}
	stale := []struct {
		kind, id string
		v        int
		form     map[string]any
	}{
		{card.KindClosePeriod, "2026-Q3", p.Version + 5, nil},
		{card.KindPersonStatus, "ou_e00000", 99, status},
	}
	for _, s := range stale {
		if toast := click("stale-"+s.kind, "ou_hr", s.kind, s.id, s.v, s.form); toast != "error:"+workflow.Message(workflow.ErrStale) {
			t.Errorf("%s on an old card: %q, want the stale message", s.kind, toast)
		}
	}
}

// TestNewCallbacksDoubleClick: the same click delivered twice (Lark's
// redelivery, a double tap) gets the same answer and acts once.
func TestNewCallbacksDoubleClick(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 1, memory.New())
	ctx := context.Background()
	click := func(event, kind, id string, v int, form map[string]any) string {
		ev := clickEvent(event, "ou_hr", kind, workflow.Step{}, form)
		ev.Event.Action.Value = map[string]any{"k": kind, "id": id, "v": float64(v)}
		r, _ := a.bot.OnCardAction(ctx, ev)
		return toastOf(r)
	}
	audit := func(action, object string) int {
		n := 0
		_ = a.store.InTx(ctx, func(tx workflow.Tx) error {
			rows, err := tx.Audit(ctx, 0, 0)
			for _, r := range rows {
				if r.Action == action && r.Object == object && !r.Denied {
					n++
				}
			}
			return err
		})
		return n
	}
	var person workflow.Person
	_ = a.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		person, err = tx.Person(ctx, "ou_e00000")
		return err
	})
	status := map[string]any{card.FieldProbation: "yes", card.FieldInvestigation: "no", card.FieldSanction: "none",
		card.FieldExempt: "no", card.FieldStatusReason: "新录用"}
	tests := []struct {
		name, kind, id string
		v              int
		form           map[string]any
		action, object string
	}{
		{"OpenPeriod", card.KindOpenPeriod, "2026-Q4", 0, nil, "period.open", "2026-Q4"},
		{"Chase", card.KindChase, "", 0, nil, "reminder.chase", "overdue"},
		{"PersonStatus", card.KindPersonStatus, "ou_e00000", person.Version, status, "person.status", "ou_e00000"},
	}
	for _, tc := range tests {
		first := click("double-"+tc.name, tc.kind, tc.id, tc.v, tc.form)
		second := click("double-"+tc.name, tc.kind, tc.id, tc.v, tc.form)
		if first != second {
			t.Errorf("%s: answers %q then %q", tc.name, first, second)
		}
		if strings.HasPrefix(first, "error:") {
			t.Errorf("%s: %q", tc.name, first)
		}
		if n := audit(tc.action, tc.object); n != 1 {
			t.Errorf("%s acted %d times, want once", tc.name, n)
		}
	}
}

// TestReassignByCard: HR moves a stuck step to another leader from the 转办
// card; the new assignee gets it, the old one no longer can act, and a
// choice the card did not offer is refused.
func TestReassignByCard(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 1, memory.New())
	ctx := context.Background()
	st := a.steps[0]
	open := clickEvent("ra-open", "ou_hr", card.KindOpen, st, nil)
	open.Event.Action.Value = map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormReassign, st.ID), "v": float64(0)}
	r, _ := a.bot.OnCardAction(ctx, open)
	if r == nil || r.Card == nil || !strings.Contains(toJSON(t, r.Card.Data), "赵") && !strings.Contains(toJSON(t, r.Card.Data), "分管") {
		t.Fatalf("转办 card: %+v %s", r, toastOf(r))
	}
	send := func(event, to string) string {
		ev := clickEvent(event, "ou_hr", card.KindReassign, st, map[string]any{card.FieldReassignTo: to, card.FieldReassignReason: "科长外出学习"})
		r, _ := a.bot.OnCardAction(ctx, ev)
		return toastOf(r)
	}
	if got := send("ra-bad", "ou_e00000"); !strings.HasPrefix(got, "error:") {
		t.Errorf("to the person themselves: %q, want a refusal", got)
	}
	if got := send("ra-ok", "ou_s1"); !strings.HasPrefix(got, "success:") {
		t.Fatalf("转办 to ou_s1: %q", got)
	}
	now := a.stepsOf(t, "ou_e00000")
	if len(now) != 1 || now[0].Assignee != "ou_s1" {
		t.Fatalf("steps after 转办: %+v", now)
	}
	r, _ = a.bot.OnCardAction(ctx, clickEvent("ra-old", "ou_l1", card.KindApprove, now[0], fullS4("12")))
	if !strings.HasPrefix(toastOf(r), "error:") {
		t.Errorf("the old assignee approving after 转办: %q", toastOf(r))
	}
}
