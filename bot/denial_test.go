package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
)

func textEvent(msgID, from, text string) *larkim.P2MessageReceiveV1 {
	s := func(v string) *string { return &v }
	raw, _ := json.Marshal(map[string]string{"text": text})
	b := string(raw)
	return &larkim.P2MessageReceiveV1{
		EventV2Base: &larkevent.EventV2Base{Schema: "2.0", Header: &larkevent.EventHeader{EventID: "ev-" + msgID, EventType: "im.message.receive_v1"}},
		Event: &larkim.P2MessageReceiveV1Data{
			Sender:  &larkim.EventSender{SenderId: &larkim.UserId{OpenId: s(from)}, SenderType: s("user")},
			Message: &larkim.EventMessage{MessageId: s(msgID), ChatType: s("p2p"), ChatId: s("oc_" + from), MessageType: s("text"), Content: s(b)},
		},
	}
}

// TestEveryDenialAuditedOnce: refusals the bot decides itself (an HR
// command from someone else, the committee form opened by a stranger, a
// step form that is not one's own, a leader approving outside their unit)
// and refusals the service decides (a leader pressing HR's 催办) are each
// in the audit log exactly once, with who and what but not the form's
// contents.
func TestEveryDenialAuditedOnce(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 1, memory.New())
	ctx := context.Background()
	st := a.steps[0]
	denials := func() []workflow.AuditEntry {
		var out []workflow.AuditEntry
		if err := a.store.InTx(ctx, func(tx workflow.Tx) error {
			rows, err := tx.Audit(ctx, 0, 0)
			for _, r := range rows {
				if r.Denied {
					out = append(out, r)
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name   string
		do     func()
		actor  string
		action string
	}{
		{"NonHRPublishes", func() {
			if err := a.bot.OnMessage(ctx, textEvent("m1", "ou_l1", "公示 2026-Q3")); err != nil {
				t.Fatal(err)
			}
		}, "ou_l1", "command"},
		{"StrangerOpensCommitteeForm", func() {
			ev := clickEvent("c1", "ou_e00000", card.KindOpen, st, nil)
			ev.Event.Action.Value = map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormCommittee, "2026-Q3"), "v": float64(0)}
			_, _ = a.bot.OnCardAction(ctx, ev)
		}, "ou_e00000", "card.open"},
		{"StrangerOpensStep", func() {
			ev := clickEvent("c2", "ou_l2", card.KindOpen, st, nil)
			ev.Event.Action.Value = map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormStep, st.ID), "v": float64(0)}
			_, _ = a.bot.OnCardAction(ctx, ev)
		}, "ou_l2", "card.open"},
		{"StrangerApproves", func() {
			// Refused by the bot before the form is read (TestStrangerBadFormLearnsNothing).
			_, _ = a.bot.OnCardAction(ctx, clickEvent("c3", "ou_l2", card.KindApprove, st, fullS4("12")))
		}, "ou_l2", "card.approve"},
		{"ServiceRefusesChase", func() {
			ev := clickEvent("c4", "ou_l2", card.KindChase, st, nil)
			ev.Event.Action.Value = map[string]any{"k": card.KindChase, "id": "", "v": float64(0)}
			_, _ = a.bot.OnCardAction(ctx, ev)
		}, "ou_l2", "reminder.chase"},
	}
	for _, tc := range tests {
		before := len(denials())
		tc.do()
		after := denials()
		if len(after) != before+1 {
			t.Errorf("%s: %d new audited denials, want exactly 1: %+v", tc.name, len(after)-before, after[before:])
			continue
		}
		d := after[len(after)-1]
		if d.Actor != tc.actor || !strings.HasPrefix(d.Action, tc.action) {
			t.Errorf("%s: audited %s %s, want %s %s…", tc.name, d.Actor, d.Action, tc.actor, tc.action)
		}
		if strings.Contains(d.Detail, "德") || strings.Contains(d.Detail, "12") {
			t.Errorf("%s: the audit row carries form contents: %q", tc.name, d.Detail)
		}
	}
}
