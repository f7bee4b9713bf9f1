package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// The 外部测评 card: HR enters, per assessed person, the tally of the
// 民主测评 raters who have no account in the organisation's Lark (S1's
// 村组干部, 服务对象代表), collected on paper. "外部测评 [期] [科室]".

// cmdOutside answers "外部测评 [期] [科室]" with the card of the period (the
// latest open one when not named), limited to the 科室 when named.
func (b *Bot) cmdOutside(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	period := workflow.CanonicalPeriodID(pc.Arg(0))
	if period == "" {
		var err error
		if period, err = b.latestPeriod(ctx, workflow.PeriodOpen); err != nil {
			return nil, &workflow.InputError{Field: "period", Msg: "当前没有进行中的考核期"}
		}
	}
	unit := ""
	if name := pc.Arg(1); name != "" {
		var err error
		if unit, err = b.unitNamed(ctx, name); err != nil {
			return nil, err
		}
	}
	f, _, err := b.outsideForm(ctx, me.ID, period, unit)
	if err != nil {
		return nil, err
	}
	return card.OutsideCard(f)
}

// unitNamed finds a unit by name or id.
func (b *Bot) unitNamed(ctx context.Context, name string) (string, error) {
	var id string
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		id = ""
		us, err := tx.Units(ctx)
		for _, u := range us {
			if u.Name == name || u.ID == name {
				id = u.ID
			}
		}
		return err
	})
	if err == nil && id == "" {
		err = &workflow.InputError{Field: "unit", Msg: "没有找到科室「" + name + "」"}
	}
	return id, err
}

// outsideForm draws the card's model: the people in scope (of the unit
// when given) with the tallies entered so far, and their ids in order.
func (b *Bot) outsideForm(ctx context.Context, op, period, unitID string) (card.OutsideForm, []string, error) {
	tallies, err := b.svc.OutsideTallies(ctx, op, period)
	if err != nil {
		return card.OutsideForm{}, nil, err
	}
	p, err := b.svc.Period(ctx, period)
	if err != nil {
		return card.OutsideForm{}, nil, err
	}
	f := card.OutsideForm{Period: period, Due: p.SummaryDue.String(), UnitID: unitID}
	var ids []string
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		f.People, ids = nil, nil
		units, err := tx.Units(ctx)
		if err != nil {
			return err
		}
		name := map[string]string{}
		for _, u := range units {
			name[u.ID] = u.Name
		}
		f.Unit = name[unitID]
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		for _, x := range people {
			unit := x.Unit
			if x.AssessedBy != "" {
				unit = x.AssessedBy
			}
			if !x.Assessed || x.Status.Exempt || (unitID != "" && unit != unitID) {
				continue
			}
			op := card.OutsidePerson{ID: x.ID, Name: x.Name, Unit: name[unit]}
			if t, ok := tallies[x.ID]; ok && t.Raters > 0 {
				op.Raters, op.Mean = strconv.Itoa(t.Raters), t.Mean.String()
			}
			f.People = append(f.People, op)
			ids = append(ids, x.ID)
		}
		return nil
	})
	if err == nil && len(f.People) > card.MaxOutsidePeople {
		err = &workflow.InputError{Field: "unit", Msg: fmt.Sprintf("被考核人较多（%d人），请按科室录入，如「外部测评 %s 科室名称」", len(f.People), period)}
	}
	return f, ids, err
}

// outside saves the 外部测评 form: only the tallies that differ from what
// is stored are sent, so the same form again (a double click) is the same
// success and writes nothing; the answer is the card as it now stands.
func (b *Bot) outside(ctx context.Context, op string, v card.Value, fv map[string]any) (*callback.CardActionTriggerResponse, error) {
	{
		if err := b.requireHR(ctx, op); err != nil {
			return nil, err
		}
		period, unitID, _ := strings.Cut(v.ID, "/")
		f, ids, err := b.outsideForm(ctx, op, period, unitID)
		if err != nil {
			return nil, err
		}
		in, err := card.ParseOutside(fv, ids)
		if err != nil {
			return nil, err
		}
		cur := map[string]card.OutsidePerson{}
		for _, p := range f.People {
			cur[p.ID] = p
		}
		changed := map[string]scoring.OutsideTally{}
		for _, id := range ids {
			t, was := in[id], cur[id]
			if strconv.Itoa(t.Raters) == orZero(was.Raters) && t.Mean == was.Mean {
				continue
			}
			var mean scoring.Dec
			if t.Raters > 0 {
				if mean, err = decOf(t.Mean); err != nil {
					return nil, &workflow.InputError{Field: "outside." + id, Msg: "平均分格式不正确"}
				}
			}
			changed[id] = scoring.OutsideTally{Raters: t.Raters, Mean: mean}
		}
		if len(changed) > 0 {
			if err := b.svc.SetOutsideTallies(idem(ctx, 0), op, period, changed); err != nil {
				return nil, err
			}
		}
		f, _, err = b.outsideForm(ctx, op, period, unitID)
		if err != nil {
			return nil, err
		}
		c, err := card.OutsideCard(f)
		if err != nil {
			return nil, err
		}
		return reply("success", "外部测评已保存", c), nil
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}
