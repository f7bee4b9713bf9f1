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

// confirmCard is the leader's 认定 card for a person's targets; the
// service decides who may see it and what they may do.
func (b *Bot) confirmCard(ctx context.Context, op, person string, year int) ([]byte, error) {
	ts, err := b.svc.TargetsOf(ctx, op, person, year)
	if err != nil {
		return nil, err
	}
	d, err := b.svc.TargetDuties(ctx, op, person)
	if err != nil {
		return nil, err
	}
	lines := b.targetLines(ctx, ts)
	byID := map[string]workflow.Target{}
	sum := 0
	for _, t := range ts {
		byID[t.ID] = t
		sum += t.Version
	}
	for i := range lines {
		t := byID[lines[i].ID]
		lines[i].Act = canDecide(t, d, op)
		lines[i].Exceed = d.Final && t.State == workflow.TargetDone
	}
	return card.TargetConfirmCard(card.TargetConfirmForm{Year: year, Person: person, Name: b.name(ctx, person),
		Targets: lines, Sum: sum, Today: b.cal.Date(b.clock.Now()).String()})
}

// canDecide reports whether op may pass or send back t now: a draft at
// 审核, a reviewed target at 审定 unless op reviewed it (the service's rule;
// the card only offers what the service would accept).
func canDecide(t workflow.Target, d workflow.TargetDuty, op string) bool {
	switch t.State {
	case workflow.TargetDraft:
		return d.Review
	case workflow.TargetReviewed:
		return d.Approve && t.ReviewedBy != op
	}
	return false
}

// openTarget reads one target for its return or revise card: as the
// caller may see it (TargetsOf's rule) and its number on the list.
func (b *Bot) openTarget(ctx context.Context, op, id string) (workflow.Target, int, error) {
	year, person, ok := targetOwner(id)
	if !ok {
		return workflow.Target{}, 0, fmt.Errorf("target id %q: %w", id, card.ErrBadValue)
	}
	ts, err := b.svc.TargetsOf(ctx, op, person, year)
	if err != nil {
		return workflow.Target{}, 0, err
	}
	for _, t := range ts {
		if t.ID == id {
			return t, targetSeq(id), nil
		}
	}
	return workflow.Target{}, 0, fmt.Errorf("target %s: %w", id, workflow.ErrNotFound)
}

// openTargetReturn answers FormTargetReturn: the card to send a target
// back, for whoever may decide it now; anyone else, or a target that has
// moved on, is refused.
func (b *Bot) openTargetReturn(ctx context.Context, op, id string) ([]byte, error) {
	t, n, err := b.openTarget(ctx, op, id)
	if err != nil {
		return nil, err
	}
	d, err := b.svc.TargetDuties(ctx, op, t.Person)
	if err != nil {
		return nil, err
	}
	if !d.Review && !d.Approve {
		return nil, fmt.Errorf("%s decides nothing about %s: %w", op, t.Person, workflow.ErrForbidden)
	}
	if !canDecide(t, d, op) {
		return nil, fmt.Errorf("target %s is %s: %w", t.ID, t.State, workflow.ErrStale)
	}
	l := b.targetLines(ctx, []workflow.Target{t})[0]
	return card.TargetReturnCard(card.TargetReturnForm{Name: b.name(ctx, t.Person), Target: l, N: n})
}

// openTargetRevise answers FormTargetRevise: the person's card to revise a
// target sent back to them.
func (b *Bot) openTargetRevise(ctx context.Context, op, id string) ([]byte, error) {
	t, n, err := b.openTarget(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if t.Person != op {
		return nil, fmt.Errorf("%s revises %s's target: %w", op, t.Person, workflow.ErrForbidden)
	}
	if t.State != workflow.TargetReturned {
		return nil, fmt.Errorf("target %s is %s: %w", t.ID, t.State, workflow.ErrStale)
	}
	l := b.targetLines(ctx, []workflow.Target{t})[0]
	return card.TargetReviseCard(card.TargetReviseForm{Year: t.Year, Target: l, N: n})
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
// which the store orders as text) and names whoever decided them.
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
		name := func(id string) string {
			if id == "" {
				return ""
			}
			n, ok := names[id]
			if !ok {
				n = b.name(ctx, id)
				names[id] = n
			}
			return n
		}
		l.ReviewedBy, l.ApprovedBy, l.ReturnedBy = name(t.ReviewedBy), name(t.ApprovedBy), name(t.ReturnedBy)
		l.ReturnLevel, l.ReturnReason, l.Exceeded = t.ReturnLevel, t.ReturnReason, t.Exceeded
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
		return reply("success", fmt.Sprintf("已提交%d项年度目标，请等待科室负责人审核", len(in)), c), nil
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
		return reply("success", "已通过", c), nil
	case card.KindTargetReturn:
		year, person, ok := targetOwner(v.ID)
		if !ok {
			return nil, fmt.Errorf("target id %q: %w", v.ID, card.ErrBadValue)
		}
		// Who may decide is the service's to say before the form is read:
		// a stranger's click is refused as such, not for an empty reason.
		if _, err := b.svc.TargetsOf(ctx, op, person, year); err != nil {
			return nil, err
		}
		reason, err := card.ParseTargetReturn(fv)
		if err != nil {
			return nil, err
		}
		if err := b.svc.ReturnTarget(idem(ctx, 0), op, v.ID, v.V, reason); err != nil {
			return nil, err
		}
		c, err := b.confirmCard(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		return reply("success", "已退回，本人修改后将重新审核", c), nil
	case card.KindTargetRevise:
		year, person, ok := targetOwner(v.ID)
		if !ok {
			return nil, fmt.Errorf("target id %q: %w", v.ID, card.ErrBadValue)
		}
		if person != op {
			return nil, fmt.Errorf("%s revises %s's target: %w", op, person, workflow.ErrForbidden)
		}
		row, err := card.ParseTargetRevise(fv, year)
		if err != nil {
			return nil, err
		}
		d, err := calendar.ParseDate(row.Deadline)
		if err != nil {
			return nil, &card.FieldError{Field: card.TargetField(1, card.PartDeadline), Label: "完成时限", Msg: "日期格式不正确"}
		}
		in := workflow.TargetInput{Title: row.Title, Quantity: row.Quantity, Deadline: d, Standard: row.Standard, Lead: row.Lead}
		if err := b.svc.ReviseTarget(idem(ctx, 0), op, v.ID, v.V, in); err != nil {
			return nil, err
		}
		me, err := b.operator(ctx, op)
		if err != nil {
			return nil, err
		}
		c, err := b.targetsCard(ctx, me, year)
		if err != nil {
			return nil, err
		}
		return reply("success", "已重新提交，请等待科室负责人审核", c), nil
	case card.KindTargetExceed:
		year, person, ok := targetOwner(v.ID)
		if !ok {
			return nil, fmt.Errorf("target id %q: %w", v.ID, card.ErrBadValue)
		}
		ts, err := b.svc.TargetsOf(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		// The click asks for the opposite of what the card shows; the
		// service checks the version, so what the card showed is what
		// stands.
		exceeded := true
		for _, t := range ts {
			if t.ID == v.ID {
				exceeded = !t.Exceeded
			}
		}
		if err := b.svc.MarkTargetExceeded(idem(ctx, 0), op, v.ID, v.V, exceeded); err != nil {
			return nil, err
		}
		c, err := b.confirmCard(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		msg := "已标记超额完成"
		if !exceeded {
			msg = "已取消超额完成"
		}
		return reply("success", msg, c), nil
	case card.KindTargetsConfirmAll:
		year, person, ok := card.SplitTargetsID(v.ID)
		if !ok {
			return nil, fmt.Errorf("targets id %q: %w", v.ID, card.ErrBadValue)
		}
		ts, err := b.svc.TargetsOf(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		d, err := b.svc.TargetDuties(ctx, op, person)
		if err != nil {
			return nil, err
		}
		// Every proposal, revision and decision raises a version: the same
		// sum means the targets are the ones the leader read on the card.
		sum := 0
		for _, t := range ts {
			sum += t.Version
		}
		if sum != v.V {
			return nil, fmt.Errorf("targets of %s for %d: versions %d, card %d: %w", person, year, sum, v.V, workflow.ErrStale)
		}
		n := 0
		for _, t := range ts {
			if !canDecide(t, d, op) {
				continue
			}
			if err := b.svc.ConfirmTarget(idem(ctx, n), op, t.ID, t.Version); err != nil {
				return nil, fmt.Errorf("confirm %s after %d: %w", t.ID, n, err)
			}
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("no targets of %s for %d wait for %s: %w", person, year, op, workflow.ErrStale)
		}
		c, err := b.confirmCard(ctx, op, person, year)
		if err != nil {
			return nil, err
		}
		return reply("success", fmt.Sprintf("已通过%d项", n), c), nil
	}
	return nil, fmt.Errorf("kind %q: %w", v.K, card.ErrBadValue)
}

// targetItems are the 待办 lines about this year's targets: for a leader,
// each person with targets waiting for their 审核 or 审定; for the person,
// the targets sent back to revise. A failure leaves them out rather than
// failing the list.
func (b *Bot) targetItems(ctx context.Context, op string) []card.TodoItem {
	year := b.cal.Date(b.clock.Now()).Year
	var out []card.TodoItem
	if ts, err := b.svc.Targets(ctx, op, year); err != nil {
		b.log.Warn("targets sent back", "operator", op, "err", err)
	} else {
		for _, t := range ts {
			if t.State == workflow.TargetReturned {
				out = append(out, card.TodoItem{Title: "修改被退回的年度目标：" + t.Title,
					Button: card.Button{Text: "去修改", Primary: true, Value: card.Open(card.FormTargetRevise, t.ID)}})
			}
		}
	}
	ps, err := b.svc.TargetsAwaiting(ctx, op, year)
	if err != nil {
		b.log.Warn("targets to confirm", "operator", op, "err", err)
		return out
	}
	for _, p := range ps {
		open := card.Open(card.FormTargets, card.TargetsID(year, p.Person))
		if p.Review > 0 {
			out = append(out, card.TodoItem{Title: fmt.Sprintf("审核年度目标：%s（%d项）", p.Name, p.Review),
				Button: card.Button{Text: "去审核", Primary: true, Value: open}})
		}
		if p.Approve > 0 {
			out = append(out, card.TodoItem{Title: fmt.Sprintf("审定年度目标：%s（%d项）", p.Name, p.Approve),
				Button: card.Button{Text: "去审定", Primary: true, Value: open}})
		}
	}
	return out
}

// periodTargets are the person's approved (审定) targets due within the
// period, done or not, for the result card; the others were never agreed
// and are left out. A failure leaves the section out rather than the
// result.
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
			agreed := t.State == workflow.TargetApproved || t.State == workflow.TargetDone
			if agreed && !t.Deadline.Before(p.Start) && !t.Deadline.After(p.End) {
				due = append(due, t)
			}
		}
	}
	return b.targetLines(ctx, due)
}
