package bot

import (
	"context"
	"fmt"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// yearForm is the committee's card of a composed year ("year/2026",
// "year/2026@s5").
func (b *Bot) yearForm(ctx context.Context, op, id string) (card.YearForm, error) {
	if _, _, err := workflow.ParseYearID(id); err != nil {
		return card.YearForm{}, fmt.Errorf("year %q: %w", id, card.ErrBadValue)
	}
	v, err := b.svc.Year(ctx, op, id)
	if err != nil {
		return card.YearForm{}, err
	}
	units := map[string]string{}
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		us, err := tx.Units(ctx)
		for _, u := range us {
			units[u.ID] = u.Name
		}
		return err
	})
	f := card.YearForm{Year: v.Period.ID, Version: v.Period.Version, Grades: v.Grades, Confirmed: v.Period.State != workflow.PeriodCommittee}
	for _, r := range v.Rows {
		row := card.YearRow{ID: r.Person.ID, Name: r.Person.Name, Unit: units[r.Person.Unit], Periods: r.Periods,
			Grade: r.Result.Grade, MaxGrade: r.MaxGrade, Priority: r.Priority, Rate: r.ExcellenceRate}
		if r.Result.Score != nil {
			row.Total = r.Result.Score.String()
		}
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

// confirmYear is the committee's submitted year card: it reads the card as
// the committee member sees it now (so the rows and the version are the
// stored ones, not the click's), then confirms.
func (b *Bot) confirmYear(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	f, err := b.yearForm(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	d, err := card.ParseYear(fv, f)
	if err != nil {
		return nil, err
	}
	if err := b.svc.ConfirmYear(idem(ctx, 0), op, v.ID, v.V, d.Grades, d.Reason); err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, g := range d.Grades {
		count[g]++
	}
	var lines []string
	for _, g := range f.Grades {
		if count[g] > 0 {
			lines = append(lines, fmt.Sprintf("%s：%d人", g, count[g]))
		}
	}
	return done(card.PeriodLabel(v.ID)+"考核等次", "已确认", lines...), nil
}
