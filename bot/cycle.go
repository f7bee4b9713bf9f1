package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// The cycle commands and buttons: HR opens and closes periods and records
// 备案; the committee opens its card; anyone who holds steps delegates.
// Each answers with a card whose buttons do the same as the command.

// requireHRSender refuses a command meant for HR.
func requireHRSender(me workflow.Person) error {
	if !me.HR {
		return fmt.Errorf("%s is not HR: %w", me.ID, workflow.ErrForbidden)
	}
	return nil
}

// cmdOpen opens the named period, or shows what would open next with a
// button to open it: every scheme in use's next period (NextPeriods), each
// scheme's units opening their own.
func (b *Bot) cmdOpen(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	if id := pc.Arg(0); id != "" {
		p, err := b.svc.OpenPeriod(idem(ctx, 0), me.ID, workflow.CanonicalPeriodID(id))
		if err != nil {
			return nil, err
		}
		return periodOpenedCard(p), nil
	}
	next, err := b.svc.NextPeriods(ctx)
	if err != nil {
		return nil, err
	}
	if len(next) == 0 {
		return nil, errors.New("no next period")
	}
	o := card.OpenPeriod{Next: next[0], More: next[1:]}
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		o.Open = nil
		ps, err := tx.Periods(ctx)
		for _, p := range ps {
			if p.State != workflow.PeriodClosed {
				o.Open = append(o.Open, card.PeriodLine{ID: p.ID, State: p.State})
			}
		}
		return err
	})
	return card.OpenPeriodCard(o), nil
}

func periodOpenedCard(p workflow.Period) []byte {
	return card.PeriodOpenedCard(card.PeriodOpened{ID: p.ID, Start: p.Start.String(), End: p.End.String(),
		SummaryDue: p.SummaryDue.String(), FilingDue: p.FilingDue.String()})
}

// cmdClose shows the open period's state: who is still missing, at which
// step and with whom (the appraisal cannot end before they are done, and
// it ends by itself once they are), or, with nothing missing, the button
// that ends it at once and sends it to the committee.
func (b *Bot) cmdClose(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	id := workflow.CanonicalPeriodID(pc.Arg(0))
	if id == "" {
		var err error
		if id, err = b.latestPeriod(ctx, workflow.PeriodOpen); err != nil {
			return nil, fmt.Errorf("no open period: %w", workflow.ErrInvalidTransition)
		}
	}
	p, err := b.svc.Period(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.State != workflow.PeriodOpen {
		return nil, fmt.Errorf("period %s is %s: %w", id, p.State, workflow.ErrWindowClosed)
	}
	ms, err := b.svc.Unfinished(ctx, me.ID, id)
	if err != nil {
		return nil, err
	}
	c := card.ClosePeriod{ID: id, Version: p.Version}
	for _, m := range ms {
		c.Missing = append(c.Missing, m.Text())
	}
	return card.ClosePeriodCard(c), nil
}

// cmdCommittee opens the committee card of a period waiting for it.
func (b *Bot) cmdCommittee(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	id := workflow.CanonicalPeriodID(pc.Arg(0))
	if id == "" {
		var err error
		if id, err = b.latestPeriod(ctx, workflow.PeriodCommittee); err != nil {
			if !me.Committee {
				return nil, fmt.Errorf("%s is not on the committee: %w", me.ID, workflow.ErrForbidden)
			}
			return card.NoCommitteeCard(), nil
		}
	}
	f, err := b.committeeForm(ctx, me.ID, id)
	if err != nil {
		return nil, err
	}
	return card.CommitteeCard(f)
}

// cmdFiled records 备案 for the named period, or the latest one waiting
// for it.
func (b *Bot) cmdFiled(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	id := workflow.CanonicalPeriodID(pc.Arg(0))
	if id == "" {
		var err error
		if id, err = b.unfiledPeriod(ctx); err != nil {
			return nil, err
		}
	}
	if err := b.svc.MarkFiled(idem(ctx, 0), me.ID, id); err != nil {
		return nil, err
	}
	return card.FiledCard(id), nil
}

// unfiledPeriod is the oldest published or closed period not yet filed,
// leaving out the first quarter of a half filed by half-year (S8), which is
// filed with the second.
func (b *Bot) unfiledPeriod(ctx context.Context) (string, error) {
	var id string
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		id = ""
		ps, err := tx.Periods(ctx)
		for _, p := range ps {
			if first, _, half := b.svc.HalfYearFiling(p.ID); half && first == p.ID {
				continue
			}
			if id == "" && p.FiledAt.IsZero() && (p.State == workflow.PeriodPublished || p.State == workflow.PeriodClosed) {
				id = p.ID
			}
		}
		return err
	})
	if err == nil && id == "" {
		err = fmt.Errorf("no period to file: %w", workflow.ErrInvalidTransition)
	}
	return id, err
}

// cmdReviews lists a period's 复核 requests with a button to each.
func (b *Bot) cmdReviews(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	id := workflow.CanonicalPeriodID(pc.Arg(0))
	if id == "" {
		var err error
		if id, err = b.latestPeriod(ctx, workflow.PeriodPublished, workflow.PeriodClosed); err != nil {
			id = ""
		}
	}
	rvs, err := b.svc.Reviews(ctx, me.ID, id)
	if err != nil {
		return nil, err
	}
	var t card.Todo
	for _, rv := range rvs {
		title := "复核申请：" + b.name(ctx, rv.Person) + "（" + card.ReviewStateName(rv.State) + "）"
		text := "查看"
		switch {
		case me.HR && rv.State == workflow.ReviewRequested:
			text = "去处理"
		case me.Committee && rv.State == workflow.ReviewForwarded:
			text = "去审议"
		}
		t.Items = append(t.Items, card.TodoItem{Title: title, Button: card.Button{Text: text, Primary: text != "查看", Value: card.Open(card.FormReview, rv.ID)}})
	}
	return card.TodoCard(t), nil
}

// cycleAction runs the buttons of the cycle cards.
func (b *Bot) cycleAction(ctx context.Context, op string, v card.Value, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	checkVersion := func() error {
		if v.V == 0 {
			return nil
		}
		p, err := b.svc.Period(ctx, v.ID)
		if err != nil {
			return err
		}
		if p.Version != v.V {
			return fmt.Errorf("period %s version %d, card %d: %w", v.ID, p.Version, v.V, workflow.ErrStale)
		}
		return nil
	}
	switch v.K {
	case card.KindOpenPeriod:
		p, err := b.svc.OpenPeriod(idem(ctx, 0), op, v.ID)
		if err != nil {
			return nil, err
		}
		return done(card.PeriodLabel(p.ID)+"考核", "已开启", "季度小结截止："+p.SummaryDue.String(), "备案截止："+p.FilingDue.String()), nil
	case card.KindClosePeriod:
		if err := checkVersion(); err != nil {
			return nil, err
		}
		if err := b.svc.CloseAppraisal(idem(ctx, 0), op, v.ID); err != nil {
			return nil, err
		}
		return done(card.PeriodLabel(v.ID)+"考核", "已结束并提交考核委员会审定"), nil
	case card.KindFiled:
		if err := checkVersion(); err != nil {
			return nil, err
		}
		if err := b.svc.MarkFiled(idem(ctx, 0), op, v.ID); err != nil {
			return nil, err
		}
		return done(card.PeriodLabel(v.ID)+"备案", "已记录报送"), nil
	default: // card.KindEndDelegation
		if err := b.svc.EndDelegation(idem(ctx, 0), op, v.ID, "提前结束"); err != nil {
			return nil, err
		}
		return done("考核审核委托", "已提前结束"), nil
	}
}

// cmdDelegate creates a delegation ("委托 @某人 2026-12-02 2026-12-09 事由")
// or, with no arguments, lists the sender's delegations with a button to
// end each early.
func (b *Bot) cmdDelegate(ctx context.Context, me workflow.Person, pc command.Parsed, mentions map[string]string) ([]byte, error) {
	if len(pc.Args) == 0 {
		return b.delegationsCard(ctx, me)
	}
	usage := "格式：委托 @代办人 开始日期 结束日期 事由，如「委托 @张三 2026-12-02 2026-12-09 外出培训」"
	if len(pc.Args) < 3 || pc.Rest == "" {
		return nil, &workflow.InputError{Field: "delegate", Msg: usage}
	}
	to, ok := mentions[pc.Args[0]]
	if !ok {
		return nil, &workflow.InputError{Field: "delegate", Msg: "请用 @ 选择代办人。" + usage}
	}
	today := b.cal.Date(b.clock.Now())
	from, err := parseDay(pc.Args[1], today)
	if err != nil {
		return nil, &workflow.InputError{Field: "start", Msg: "开始日期无效。" + usage}
	}
	until, err := parseDay(pc.Args[2], today)
	if err != nil {
		return nil, &workflow.InputError{Field: "end", Msg: "结束日期无效。" + usage}
	}
	start := b.cal.At(from, 0, 0)
	if from == today {
		start = b.clock.Now() // from now, not from midnight
	}
	end := b.cal.EndOf(until)
	if err := b.svc.Delegate(idem(ctx, 0), me.ID, to, start, end, pc.Rest); err != nil {
		return nil, err
	}
	return card.DelegatedCard(card.Delegated{To: b.name(ctx, to), From: from.String(), Until: until.String(), Reason: pc.Rest}), nil
}

// parseDay reads a YYYY-MM-DD or M-D date (this year, or next year when
// that day has passed: a delegation is about the days ahead).
func parseDay(s string, today calendar.Date) (calendar.Date, error) {
	s = strings.NewReplacer("月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	if d, err := calendar.ParseDate(s); err == nil {
		return d, nil
	}
	var m, d int
	if _, err := fmt.Sscanf(s, "%d-%d", &m, &d); err != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return calendar.Date{}, errors.New("bad date")
	}
	y := today.Year
	day, err := calendar.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, m, d))
	if err != nil {
		return calendar.Date{}, err
	}
	if day.Before(today) {
		return calendar.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y+1, m, d))
	}
	return day, nil
}

// delegationsCard lists the delegations the person gave or received that
// have not ended.
func (b *Bot) delegationsCard(ctx context.Context, me workflow.Person) ([]byte, error) {
	ds, err := b.svc.Delegations(ctx, me.ID)
	if err != nil {
		return nil, err
	}
	now := b.clock.Now()
	loc := b.cal.Location()
	var t card.Todo
	for _, d := range ds {
		if !d.End.After(now) || !d.End.After(d.Start) {
			continue // over, or ended before it began
		}
		what := "委托" + b.name(ctx, d.To) + "代办"
		if d.To == me.ID {
			what = b.name(ctx, d.From) + "委托我代办"
		}
		it := card.TodoItem{Title: what + "：" + d.Start.In(loc).Format("01-02 15:04") + " 至 " + d.End.In(loc).Format("01-02 15:04")}
		if d.From == me.ID || me.HR {
			it.Button = card.Button{Text: "提前结束", Value: card.Value{K: card.KindEndDelegation, ID: d.ID}}
		}
		t.Items = append(t.Items, it)
	}
	return card.TodoCard(t), nil
}
