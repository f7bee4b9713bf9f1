package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/storage/memory"
)

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
