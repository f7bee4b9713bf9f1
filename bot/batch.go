package bot

import (
	"context"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// batchCommand answers 审核 [单位]: with one unit of pending steps (or the
// unit named) its 批量审核 card, with several the list of units, each with
// a button to its card (a message gets one reply card).
func (b *Bot) batchCommand(ctx context.Context, op, unit string) ([]byte, error) {
	if unit != "" {
		return b.batchCard(ctx, op, b.unitID(ctx, unit))
	}
	groups, err := b.svc.StepsByUnit(ctx, op)
	if err != nil {
		return nil, err
	}
	if len(groups) == 1 {
		return card.BatchCard(batchOf(groups[0])), nil
	}
	return card.BatchIndexCard(batchUnits(groups)), nil
}

// batchCard is the 批量审核 card of one unit (KindBatch).
func (b *Bot) batchCard(ctx context.Context, op, unit string) ([]byte, error) {
	us, err := b.svc.StepsOfUnit(ctx, op, unit)
	if err != nil {
		return nil, err
	}
	return card.BatchCard(batchOf(us)), nil
}

// unitID resolves a unit typed in a command, by name or id; an unknown
// one stays as typed (StepsOfUnit refuses it like any unit not the
// sender's).
func (b *Bot) unitID(ctx context.Context, s string) string {
	var id string
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		id = ""
		us, err := tx.Units(ctx)
		for _, u := range us {
			if u.Name == s || u.ID == s {
				id = u.ID
			}
		}
		return err
	})
	if id == "" {
		return s
	}
	return id
}

func batchOf(us workflow.UnitSteps) card.Batch {
	bt := card.Batch{UnitID: us.Unit.ID, Unit: us.Unit.Name}
	for _, s := range us.Steps {
		bt.Rows = append(bt.Rows, card.BatchRow{StepID: s.Step.ID, Step: s.Step.Name, Period: s.Step.Period, Person: s.Name,
			Summary: s.Summary, Due: s.Step.Due.String(), Days: s.Days})
	}
	return bt
}

func batchUnits(groups []workflow.UnitSteps) []card.BatchUnit {
	var out []card.BatchUnit
	for _, g := range groups {
		u := card.BatchUnit{UnitID: g.Unit.ID, Unit: g.Unit.Name, Count: len(g.Steps)}
		for i, s := range g.Steps {
			if s.Overdue {
				u.Overdue++
			}
			if i == 0 {
				u.Earliest = s.Step.Due.String()
			}
		}
		out = append(out, u)
	}
	return out
}
