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
	"github.com/kaohe/kaohe/workflow/calendar"
)

// cmdTargets answers 目标 [年]: the sender's 年初分解 for the year (this
// year by default) with the form to propose more.
func (b *Bot) cmdTargets(ctx context.Context, me workflow.Person, pc command.Parsed) ([]byte, error) {
	year := b.cal.Date(b.clock.Now()).Year
	if a := pc.Arg(0); a != "" {
		y, ok := parseTargetYear(strings.TrimSuffix(a, "年"))
		if !ok {
			return nil, &workflow.InputError{Field: "year", Msg: "年份无效，请发送如「目标 " + strconv.Itoa(year) + "」"}
		}
		year = y
	}
	return b.targetsCard(ctx, me, year)
}

// parseTargetYear reads a four-digit year this century.
func parseTargetYear(s string) (int, bool) {
	if len(s) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(s)
	return y, err == nil && y >= 2000 && y <= 2099
}

// targetsCard is the person's own card for a year.
func (b *Bot) targetsCard(ctx context.Context, me workflow.Person, year int) ([]byte, error) {
	ts, err := b.svc.Targets(ctx, me.ID, year)
	if err != nil {
		return nil, err
	}
	return card.TargetsCard(card.TargetsForm{Year: year, Name: me.Name, Targets: b.targetLines(ctx, ts),
		Today: b.cal.Date(b.clock.Now()).String(), Propose: me.Assessed})
}

// confirmCard is the leader's card for a person's targets; the service
// decides who may see it.
func (b *Bot) confirmCard(ctx context.Context, op, person string, year int) ([]byte, error) {
	ts, err := b.svc.TargetsOf(ctx, op, person, year)
	if err != nil {
		return nil, err
	}
	return card.TargetConfirmCard(card.TargetConfirmForm{Year: year, Person: person, Name: b.name(ctx, person),
		Targets: b.targetLines(ctx, ts), Today: b.cal.Date(b.clock.Now()).String()})
}

// openTargets answers FormTargets: the person's own card when they open
// it, the confirmation card for anyone else.
func (b *Bot) openTargets(ctx context.Context, op, entity string) ([]byte, error) {
	year, person, ok := card.SplitTargetsID(entity)
	if !ok {
		return nil, fmt.Errorf("targets id %q: %w", entity, card.ErrBadValue)
	}
	if person != op {
		return b.confirmCard(ctx, op, person, year)
	}
	me, err := b.operator(ctx, op)
	if err != nil {
		return nil, err
	}
	return b.targetsCard(ctx, me, year)
}

// targetLines orders targets by their number (ids end in /1, /2 … /10,
// which the store orders as text) and names whoever confirmed them.
func (b *Bot) targetLines(ctx context.Context, ts []workflow.Target) []card.TargetLine {
	ts = append([]workflow.Target(nil), ts...)
	sort.SliceStable(ts, func(i, j int) bool { return targetSeq(ts[i].ID) < targetSeq(ts[j].ID) })
	names := map[string]string{}
	out := make([]card.TargetLine, 0, len(ts))
	for _, t := range ts {
		l := card.TargetLine{ID: t.ID, Version: t.Version, Title: t.Title, Quantity: t.Quantity, Standard: t.Standard,
			Lead: t.Lead, State: t.State}
		if !t.Deadline.IsZero() {
			l.Deadline = t.Deadline.String()
		}
		if !t.DoneOn.IsZero() {
			l.DoneOn = t.DoneOn.String()
		}
		if t.ConfirmedBy != "" {
			n, ok := names[t.ConfirmedBy]
			if !ok {
				n = b.name(ctx, t.ConfirmedBy)
				names[t.ConfirmedBy] = n
			}
			l.ConfirmedBy = n
		}
		out = append(out, l)
	}
	return out
}

// targetSeq is the number at the end of a target id ("2026/ou_1/3" → 3).
func targetSeq(id string) int {
	n, _ := strconv.Atoi(id[strings.LastIndexByte(id, '/')+1:])
	return n
}

// targetOwner reads the year and person of a target id
// ("<year>/<person>/<n>").
func targetOwner(id string) (int, string, bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 || parts[1] == "" {
		return 0, "", false
	}
	y, ok := parseTargetYear(parts[0])
	return y, parts[1], ok
}

// targetsAction handles the target cards' clicks: a proposal, one
// confirmation, or all of a person's drafts. Each answers with the card
// as it now stands.
func (b *Bot) targetsAction(ctx context.Context, op string, v card.Value, fv map[string]any) (*callback.CardActionTriggerResponse, error) {
	switch v.K {
	case card.KindTargetsPropose:
		year, ok := parseTargetYear(v.ID)
		if !ok {
			return nil, fmt.Errorf("targets year %q: %w", v.ID, card.ErrBadValue)
		}
		// Only an assessed person proposes targets (the service's rule,
		// checked again in ProposeTargets): anyone else is refused before
		// the form is read.
		me, err := b.operator(ctx, op)
		if err != nil {
			return nil, err
		}
		if !me.Assessed {
			return nil, fmt.Errorf("%s proposes no targets: %w", op, workflow.ErrForbidden)
		}
		have, err := b.svc.Targets(ctx, op, year)
		if err != nil {
			return nil, err
		}
		// The count stands in for a version: the same card submitted twice
		// would otherwise add its rows twice.
		if len(have) != v.V {
			return nil, fmt.Errorf("targets of %s for %d: %d, card %d: %w", op, year, len(have), v.V, workflow.ErrStale)
		}
		rows, err := card.ParseTargets(fv, year)
		if err != nil {
			return nil, err
		}
		in := make([]workflow.TargetInput, len(rows))
		for i, r := range rows {
			d, err := calendar.ParseDate(r.Deadline)
			if err != nil {
				return nil, &card.FieldError{Field: card.TargetField(i+1, card.PartDeadline), Label: "完成时限", Msg: "日期格式不正确"}
			}
			in[i] = workflow.TargetInput{Title: r.Title, Quantity: r.Quantity, Deadline: d, Standard: r.Standard, Lead: r.Lead}
		}
		if err := b.svc.ProposeTargets(idem(ctx, 0), op, year, in); err != nil {
			return nil, err
		}
		c, err := b.targetsCard(ctx, me, year)
		if err != nil {
			return nil, err
		}
		return reply("success", fmt.Sprintf("已提交%d项年度目标，请等待领导确认", len(in)), c), nil
	case card.KindTargetConfirm:
		year, person, ok := targetOwner(v.ID)
		if !ok {
			return nil, fmt.Errorf("target id %q: %w", v.ID, card.ErrBadValue)
		}
		if err := b.svc.ConfirmTarget(idem(ctx, 0), op, v.ID, v.V); err != nil {
			return nil, err
		}
		c, err := b.confirmCard(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		return reply("success", "已确认", c), nil
	case card.KindTargetsConfirmAll:
		year, person, ok := card.SplitTargetsID(v.ID)
		if !ok {
			return nil, fmt.Errorf("targets id %q: %w", v.ID, card.ErrBadValue)
		}
		ts, err := b.svc.TargetsOf(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		// Drafts are never edited, so the same count means the drafts are
		// the ones the leader read on the card.
		if len(ts) != v.V {
			return nil, fmt.Errorf("targets of %s for %d: %d, card %d: %w", person, year, len(ts), v.V, workflow.ErrStale)
		}
		n := 0
		for _, t := range ts {
			if t.State != workflow.TargetDraft {
				continue
			}
			if err := b.svc.ConfirmTarget(idem(ctx, n), op, t.ID, t.Version); err != nil {
				return nil, fmt.Errorf("confirm %s after %d: %w", t.ID, n, err)
			}
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("no draft targets of %s for %d: %w", person, year, workflow.ErrStale)
		}
		c, err := b.confirmCard(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		return reply("success", fmt.Sprintf("已确认%d项", n), c), nil
	}
	return nil, fmt.Errorf("kind %q: %w", v.K, card.ErrBadValue)
}

// targetItems are the leader's 待办 lines for this year's drafts to
// confirm; a failure leaves them out rather than failing the list.
func (b *Bot) targetItems(ctx context.Context, op string) []card.TodoItem {
	year := b.cal.Date(b.clock.Now()).Year
	ps, err := b.svc.TargetsAwaiting(ctx, op, year)
	if err != nil {
		b.log.Warn("targets to confirm", "operator", op, "err", err)
		return nil
	}
	var out []card.TodoItem
	for _, p := range ps {
		out = append(out, card.TodoItem{Title: fmt.Sprintf("确认年度目标：%s（%d项）", p.Name, p.Drafts),
			Button: card.Button{Text: "去确认", Primary: true, Value: card.Open(card.FormTargets, card.TargetsID(year, p.Person))}})
	}
	return out
}

// periodTargets are the person's confirmed targets due within the period,
// for the result card; drafts were never agreed and are left out. A
// failure leaves the section out rather than the result.
func (b *Bot) periodTargets(ctx context.Context, op string, p workflow.Period) []card.TargetLine {
	if p.Start.IsZero() || p.End.IsZero() {
		return nil
	}
	var due []workflow.Target
	for y := p.Start.Year; y <= p.End.Year; y++ {
		ts, err := b.svc.Targets(ctx, op, y)
		if err != nil {
			b.log.Warn("targets of the period", "operator", op, "period", p.ID, "err", err)
			return nil
		}
		for _, t := range ts {
			if t.State != workflow.TargetDraft && !t.Deadline.Before(p.Start) && !t.Deadline.After(p.End) {
				due = append(due, t)
			}
		}
	}
	return b.targetLines(ctx, due)
}
