package bot

import (
	"context"
	"fmt"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// The 年度评分 card (workflow/annualscore.go): HR enters each person's
// one annual score where the year's scheme takes it (S5, S6: the other 40%
// of the total), opened from the 年度 card.

// annualForm draws the card's model: the year's people with the scores
// entered so far, their ids in order, and the scale in hundredths.
func (b *Bot) annualForm(ctx context.Context, op, yearID string) (card.AnnualForm, []string, error) {
	sh, err := b.svc.AnnualScores(ctx, op, yearID)
	if err != nil {
		return card.AnnualForm{}, nil, err
	}
	f := card.AnnualForm{Year: sh.Year, Scale: sh.Scale.Mul(scoring.D("100").Decimal).IntPart(), Weight: sh.Weight, Locked: sh.Locked}
	units := map[string]string{}
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		us, err := tx.Units(ctx)
		for _, u := range us {
			units[u.ID] = u.Name
		}
		return err
	})
	ids := make([]string, 0, len(sh.People))
	for _, r := range sh.People {
		unit := r.Person.Unit
		if r.Person.AssessedBy != "" {
			unit = r.Person.AssessedBy
		}
		p := card.AnnualPerson{ID: r.Person.ID, Name: r.Person.Name, Unit: units[unit]}
		if r.Score != nil {
			p.Score = r.Score.String()
		}
		f.People = append(f.People, p)
		ids = append(ids, r.Person.ID)
	}
	if len(f.People) > card.MaxAnnualPeople {
		return f, nil, &workflow.InputError{Field: "year", Msg: fmt.Sprintf("被考核人较多（%d人），超出卡片上限%d人", len(f.People), card.MaxAnnualPeople)}
	}
	return f, ids, nil
}

// annualCard is HR's 年度评分 card ("year_annual/2026@s5").
func (b *Bot) annualCard(ctx context.Context, op, yearID string) ([]byte, error) {
	f, _, err := b.annualForm(ctx, op, yearID)
	if err != nil {
		return nil, err
	}
	return card.AnnualCard(f)
}

// saveAnnual saves the 年度评分 form: only the scores that differ from
// what is stored are sent, so the same form again (a double click) is the
// same success and writes nothing; the answer is the card as it now
// stands.
func (b *Bot) saveAnnual(ctx context.Context, op string, v card.Value, fv map[string]any) (*callback.CardActionTriggerResponse, error) {
	if _, _, err := workflow.ParseYearID(v.ID); err != nil {
		return nil, fmt.Errorf("year %q: %w", v.ID, card.ErrBadValue)
	}
	if err := b.requireHR(ctx, op); err != nil {
		return nil, err
	}
	f, ids, err := b.annualForm(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	in, err := card.ParseAnnual(fv, ids, f.Scale)
	if err != nil {
		return nil, err
	}
	cur := map[string]string{}
	for _, p := range f.People {
		cur[p.ID] = p.Score
	}
	changed := map[string]scoring.Dec{}
	for id, s := range in {
		if s == cur[id] {
			continue
		}
		d, err := decOf(s)
		if err != nil {
			return nil, &workflow.InputError{Field: "annual_score." + id, Msg: "分数格式不正确"}
		}
		changed[id] = d
	}
	if len(changed) > 0 || f.Locked {
		// Locked: the service says so, whatever the form held.
		if err := b.svc.SetAnnualScores(idem(ctx, 0), op, v.ID, changed); err != nil {
			return nil, err
		}
	}
	c, err := b.annualCard(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	return reply("success", "年度评分已保存", c), nil
}
