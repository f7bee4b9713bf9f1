package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// cmdYear shows HR the state of a year's periods with the button that
// composes the annual appraisal ("年度 2026"; without a year, the year
// just ended in its first quarter and the current one after). Every
// scheme in use has its own year (workflow/annual.go): "年度 2026" shows
// each scheme's year that has periods, each with its own button;
// "年度 2026@s5" shows that scheme's alone.
func (b *Bot) cmdYear(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	today := b.cal.Date(b.clock.Now())
	year := today.Year
	if today.Month <= 3 {
		year--
	}
	only := "" // the one scheme asked for; "" for every scheme's year
	if a := pc.Arg(0); a != "" {
		y, scheme, err := workflow.ParseYearID(a)
		if err != nil {
			return nil, err
		}
		if scheme != "" && !b.svc.HasScheme(scheme) {
			return nil, &workflow.InputError{Field: "year", Msg: "没有此考核方案：" + scheme + "，如「年度 2026@s5」"}
		}
		year, only = y, scheme
	}
	var ratings *card.YearRatings
	if b.svc.YearRatesNeeded("") {
		pr, err := b.svc.YearRatings(ctx, me.ID, year)
		switch {
		case err == nil:
			ratings = &card.YearRatings{Due: pr.Round.Due.String(), Rated: pr.Rated, Raters: pr.Raters}
		case !errors.Is(err, workflow.ErrNotFound):
			return nil, err
		}
	}
	byYear := map[string][]card.PeriodLine{}
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		clear(byYear)
		ps, err := tx.Periods(ctx)
		for _, p := range ps {
			if p.Start.Year != year || p.Kind == workflow.KindYear {
				continue
			}
			scheme := p.Scheme
			if scheme == "" {
				_, scheme, _ = workflow.ParsePeriodID(p.ID)
			}
			id := b.svc.YearID(year, scheme)
			byYear[id] = append(byYear[id], card.PeriodLine{ID: p.ID, State: p.State})
		}
		return err
	})
	var ys []card.Year
	for _, scheme := range b.svc.SchemeIDs() {
		id := b.svc.YearID(year, scheme)
		if only != "" && scheme != only || only == "" && len(byYear[id]) == 0 && scheme != b.svc.SchemeIDs()[0] {
			continue // another scheme's year, or one without periods
		}
		y := card.Year{Year: year, Periods: byYear[id], RatingsNeeded: b.svc.YearRatesNeeded(id), Today: today.String()}
		if id != strconv.Itoa(year) {
			y.ID = id
		}
		if y.RatingsNeeded {
			y.Ratings = ratings
		}
		if b.svc.AnnualScoreNeeded(id) && len(byYear[id]) > 0 {
			sh, err := b.svc.AnnualScores(ctx, me.ID, id)
			if err != nil {
				return nil, err
			}
			y.Annual = &card.YearAnnual{Entered: sh.Entered(), People: len(sh.People)}
		}
		ys = append(ys, y)
	}
	if only == "" && len(ys) > 1 && len(ys[0].Periods) == 0 {
		ys = ys[1:] // the default scheme's units have no period this year
	}
	return card.YearsCard(ys), nil
}

// composeYear runs the annual composition from HR's button and answers
// with the count per grade.
func (b *Bot) composeYear(ctx context.Context, op string, v card.Value, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	if _, _, err := workflow.ParseYearID(v.ID); err != nil {
		return nil, fmt.Errorf("year %q: %w", v.ID, card.ErrBadValue)
	}
	res, err := b.svc.ComposeYear(idem(ctx, 0), op, v.ID, workflow.YearSpec{})
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
	return done(card.PeriodLabel(v.ID)+"考核", "已生成", lines...), nil
}

// openYearRatings opens the year's 年度测评 from HR's 年度 card with the
// deadline its form gives.
func (b *Bot) openYearRatings(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	year, err := strconv.Atoi(v.ID)
	if err != nil {
		return nil, fmt.Errorf("year %q: %w", v.ID, card.ErrBadValue)
	}
	due, err := card.ParseYearDue(fv)
	if err != nil {
		return nil, err
	}
	d, err := calendar.ParseDate(due)
	if err != nil {
		return nil, &workflow.InputError{Field: "due", Msg: "日期格式不正确"}
	}
	if err := b.svc.OpenYearRatings(idem(ctx, 0), op, year, d); err != nil {
		return nil, err
	}
	return done(fmt.Sprintf("%d年度测评", year), "已发起", "测评卡片已发送给每位测评人，截止日期："+due), nil
}

// yearRateGroups are the groups of op's 年度测评 card, as the service
// lists them.
func (b *Bot) yearRateGroups(ctx context.Context, op string, year int) (workflow.YearSheet, []card.YearRateGroup, error) {
	sh, err := b.svc.YearRatingSheet(ctx, op, year)
	if err != nil {
		return sh, nil, err
	}
	gs := make([]card.YearRateGroup, len(sh.Groups))
	for i, g := range sh.Groups {
		gs[i] = card.YearRateGroup{Source: g.Source, Name: g.Name, Excellent: g.Excellent}
		for _, p := range g.Targets {
			gs[i].People = append(gs[i].People, card.Colleague{ID: p.ID, Name: p.Name, Unit: p.Unit})
		}
	}
	return sh, gs, nil
}

// yearRateForm is op's 年度测评 card ("year_rate/2026").
func (b *Bot) yearRateForm(ctx context.Context, op, id string) ([]byte, error) {
	year, err := strconv.Atoi(id)
	if err != nil {
		return nil, fmt.Errorf("year %q: %w", id, card.ErrBadValue)
	}
	sh, gs, err := b.yearRateGroups(ctx, op, year)
	if err != nil {
		return nil, err
	}
	if sh.Rated {
		return card.NoticeCard(card.Notice{Title: id + "年度测评", Colour: card.Green, Lines: []string{"您已提交" + id + "年度测评，感谢参与。"}}), nil
	}
	return card.YearRateCard(card.YearRateForm{Year: year, Due: sh.Due.String(), Groups: gs})
}

// rateYear files op's 年度测评. Whom op rates is the service's rule, read
// before the form, so someone with no card is refused as such.
func (b *Bot) rateYear(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	year, err := strconv.Atoi(v.ID)
	if err != nil {
		return nil, fmt.Errorf("year %q: %w", v.ID, card.ErrBadValue)
	}
	sh, gs, err := b.yearRateGroups(ctx, op, year)
	if err != nil {
		return nil, err
	}
	if sh.Rated {
		// A double click: the service says so, before the form is read.
		return nil, b.svc.RateYear(idem(ctx, 0), op, year, nil)
	}
	parsed, err := card.ParseYearRate(fv, gs)
	if err != nil {
		return nil, err
	}
	scores := map[string]map[string]scoring.Dec{}
	for src, m := range parsed {
		scores[src] = map[string]scoring.Dec{}
		for id, s := range m {
			d, err := decOf(s)
			if err != nil {
				return nil, &workflow.InputError{Field: "scores." + src, Msg: "分数格式不正确"}
			}
			scores[src][id] = d
		}
	}
	if err := b.svc.RateYear(idem(ctx, 0), op, year, scores); err != nil {
		return nil, err
	}
	return done(fmt.Sprintf("%d年度测评", year), "已提交", "测评为无记名，结果无法追溯到个人"), nil
}
