package bot_test

import (
	"context"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
)

// TestStrangerBadFormLearnsNothing: someone who may not act on a card's
// object, pressing its button with an empty or broken form, hears the same
// 无权 answer whether the object exists, is pending or was decided, and
// never a form message ("思想政治素质：必填") that would show the button
// reached the object; each attempt is one audited denial. Authorization
// comes before any form value is read.
func TestStrangerBadFormLearnsNothing(t *testing.T) {
	t.Parallel()
	a := newApprovals(t, 2, memory.New())
	ctx := context.Background()
	pending, decided := a.steps[0], a.steps[1]
	if r, _ := a.bot.OnCardAction(ctx, clickEvent("ok-1", "ou_l1", card.KindApprove, decided, fullS4("12"))); toastOf(r) != "success:已通过" {
		t.Fatalf("approve: %s", toastOf(r))
	}
	// A 复核 request of ou_e00000 and a committee member who is not HR,
	// seeded directly: the bot's checks, not the period's flow, are tested.
	review := "2026-Q3/" + pending.Person
	if err := a.store.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePerson(ctx, workflow.Person{ID: "ou_c1", Name: "委员甲", Committee: true}); err != nil {
			return err
		}
		if err := tx.PutResult(ctx, workflow.Result{Period: "2026-Q3", Person: pending.Person, Version: 1, Grade: "称职", State: "final"}); err != nil {
			return err
		}
		return tx.CreateReview(ctx, workflow.Review{ID: review, Period: "2026-Q3", Person: pending.Person, Reason: "不服", State: workflow.ReviewRequested, OldGrade: "称职"})
	}); err != nil {
		t.Fatal(err)
	}
	const outsider = "ou_outsider" // a Lark user of the tenant, not in the organisation
	ghost := "2026-Q3/ou_nobody/1"
	empty := map[string]any{}
	tests := []struct {
		name, op, kind, id string
		v                  int
	}{
		{"ApprovePending", "ou_l2", card.KindApprove, pending.ID, pending.Version},
		{"ReturnPending", "ou_l2", card.KindReturn, pending.ID, pending.Version},
		{"AdjustPending", "ou_l2", card.KindAdjust, pending.ID, pending.Version},
		{"ApproveDecided", "ou_l2", card.KindApprove, decided.ID, decided.Version},
		{"ReturnDecided", "ou_l2", card.KindReturn, decided.ID, decided.Version},
		{"ApproveMissing", "ou_l2", card.KindApprove, ghost, 1},
		{"ReturnMissing", "ou_l2", card.KindReturn, ghost, 1},
		{"ApproveByOutsider", outsider, card.KindApprove, pending.ID, pending.Version},
		{"ApprovedByThePerson", pending.Person, card.KindApprove, pending.ID, pending.Version},
		{"CommitteeDecideByOutsider", outsider, card.KindDecide, "2026-Q3", 1},
		{"CommitteeDecideByEmployee", pending.Person, card.KindDecide, "2026-Q3", 1},
		{"CommitteeConfirmByOutsider", outsider, card.KindConfirm, "2026-Q3", 1},
		{"ReviewForwardByAsker", pending.Person, card.KindReviewForward, review, 1},
		{"ReviewRejectByCommitteeNotHR", "ou_c1", card.KindReviewReject, review, 1},
		{"ReviewDecideByAsker", pending.Person, card.KindReviewDecide, review, 1},
		{"ReviewForwardByOutsider", outsider, card.KindReviewForward, review, 1},
		{"ReviewForwardMissing", outsider, card.KindReviewForward, "2026-Q3/ou_nobody", 1},
		{"PersonStatusByLeader", "ou_l2", card.KindPersonStatus, pending.Person, 1},
		{"AbsenceByOutsider", outsider, card.KindAbsence, pending.Person, 1},
		{"FeedbackByOutsider", outsider, card.KindFeedback, "2026-Q3", 0},
		{"FeedbackMissingPeriod", "ou_l2", card.KindFeedback, "2031-Q1", 0},
		{"TalkMissingPeriod", "ou_l2", card.KindTalk, card.TalkID("2031-Q1", pending.Person), 0},
		{"TalkByOutsider", outsider, card.KindTalk, card.TalkID("2026-Q3", pending.Person), 0},
		{"ReassignByLeader", "ou_l1", card.KindReassign, pending.ID, pending.Version},
		{"ReassignMissingByOutsider", outsider, card.KindReassign, ghost, 1},
		{"TargetsProposeByOutsider", outsider, card.KindTargetsPropose, "2026", 0},
		{"TargetsProposeByHR", "ou_hr", card.KindTargetsPropose, "2026", 0},
		{"CommentByOtherLeader", "ou_l2", card.KindEntryComment, card.EntryID(workflow.EntryMonthly, pending.Person, "2026-07"), 1},
		{"ReturnEntryByOutsider", outsider, card.KindEntryReturn, card.EntryID(workflow.EntryMonthly, "ou_nobody", "2026-07"), 1},
	}
	forbidden := "error:" + workflow.Message(workflow.ErrForbidden)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := deniedRows(t, a)
			ev := clickEvent("bad-form-"+tc.name, tc.op, tc.kind, workflow.Step{}, empty)
			ev.Event.Action.Value = map[string]any{"k": tc.kind, "id": tc.id, "v": float64(tc.v)}
			r, _ := a.bot.OnCardAction(ctx, ev)
			if got := toastOf(r); got != forbidden {
				t.Errorf("case %d: %q, want %q", i, got, forbidden)
			}
			after := deniedRows(t, a)
			if len(after) != len(before)+1 {
				t.Fatalf("%d new audited denials, want exactly 1: %+v", len(after)-len(before), after[len(before):])
			}
			if d := after[len(after)-1]; d.Actor != tc.op {
				t.Errorf("audited actor %s, want %s", d.Actor, tc.op)
			}
		})
	}
}

// deniedRows are the audit log's denials.
func deniedRows(t *testing.T, a *approvals) []workflow.AuditEntry {
	t.Helper()
	ctx := context.Background()
	var out []workflow.AuditEntry
	if err := a.store.InTx(ctx, func(tx workflow.Tx) error {
		out = nil
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
