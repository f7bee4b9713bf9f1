package bot

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/workflow"
)

// cmdYear shows HR the state of a year's periods with the button that
// composes the annual appraisal ("年度 2026"; without a year, the year
// just ended in its first quarter and the current one after).
func (b *Bot) cmdYear(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	today := b.cal.Date(b.clock.Now())
	year := today.Year
	if today.Month <= 3 {
		year--
	}
	if a := pc.Arg(0); a != "" {
		y, err := strconv.Atoi(strings.TrimSuffix(a, "年"))
		if err != nil || y < 2000 || y > 2100 {
			return nil, &workflow.InputError{Field: "year", Msg: "年份无效，如「年度 2026」"}
		}
		year = y
	}
	y := card.Year{Year: year}
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		y.Periods = nil
		ps, err := tx.Periods(ctx)
		for _, p := range ps {
			if p.Start.Year == year && p.Kind != workflow.KindYear {
				y.Periods = append(y.Periods, card.PeriodLine{ID: p.ID, State: p.State})
			}
		}
		return err
	})
	return card.YearCard(y), nil
}

// composeYear runs the annual composition from HR's button and answers
// with the count per grade.
func (b *Bot) composeYear(ctx context.Context, op string, v card.Value, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	year, err := strconv.Atoi(v.ID)
	if err != nil {
		return nil, fmt.Errorf("year %q: %w", v.ID, card.ErrBadValue)
	}
	res, err := b.svc.ComposeYear(idem(ctx, 0), op, year, workflow.YearSpec{})
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, a := range res {
		g := a.Grade
		if g == "" {
			g = "不定等次"
		}
		count[g]++
	}
	grades := make([]string, 0, len(count))
	for g := range count {
		grades = append(grades, g)
	}
	sort.Strings(grades)
	lines := []string{fmt.Sprintf("共%d人，已提交考核委员会审定。拟定等次：", len(res))}
	for _, g := range grades {
		lines = append(lines, fmt.Sprintf("%s：%d人", g, count[g]))
	}
	return done(fmt.Sprintf("%d年度考核", year), "已生成", lines...), nil
}
