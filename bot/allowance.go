package bot

import (
	"context"
	"fmt"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/filing"
	"github.com/kaohe/kaohe/workflow"
)

// cmdAllowance answers 津贴 [期] (HR): the period's allowance table (S2 五)
// as the domain works it out (Service.Allowances: HR only, from the
// attendance HR entered and the results), shown as a card and sent as an
// .xlsx like the 备案表. With no period, the latest one.
func (b *Bot) cmdAllowance(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	id := workflow.CanonicalPeriodID(pc.Arg(0))
	if id == "" {
		var err error
		if id, err = b.latestPeriod(ctx, workflow.PeriodOpen, workflow.PeriodCommittee, workflow.PeriodConfirmed,
			workflow.PeriodPublished, workflow.PeriodClosed); err != nil {
			return nil, fmt.Errorf("no period: %w", workflow.ErrNotFound)
		}
	}
	f, err := b.svc.Allowances(ctx, me.ID, id)
	if err != nil {
		return nil, err
	}
	r := f.Allowance
	a := card.Allowance{Period: r.Period, Note: filing.AllowanceNote(r)}
	people := map[string]bool{}
	for _, l := range r.Lines {
		people[l.Person] = true
		basis := l.Basis
		if l.Attendance != "" {
			basis = l.Attendance
		}
		a.Rows = append(a.Rows, card.AllowanceRow{Name: l.Name, Unit: l.Unit, Month: l.Month, Allowance: l.Allowance,
			Basis: basis, Cut: l.Cut, Amount: filing.AllowanceAmount(l.AllowanceDue)})
	}
	a.People = len(people)
	sent, err := b.sendFilingTables(ctx, me.ID, r.Period, []filing.Table{filing.Allowance})
	if why, ok := uploadWords(err); ok {
		a.FileWhy = why
	} else if err != nil {
		return nil, err
	} else if len(sent) > 0 {
		a.File = sent[0]
	}
	return card.AllowanceCard(a), nil
}
