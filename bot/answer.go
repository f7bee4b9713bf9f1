package bot

import (
	"context"
	"errors"
	"fmt"
	"github.com/kaohe/kaohe/bot/command"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// command answers a text command with a card.
func (b *Bot) command(ctx context.Context, from string, pc command.Parsed, text string, mentions map[string]string) ([]byte, error) {
	var me workflow.Person
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		me, err = tx.Person(ctx, from)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sender %s: %w", from, err)
	}
	switch pc.Cmd {
	case command.Todo:
		return b.todoCard(ctx, from)
	case command.Record:
		week := calendar.PeriodContaining(calendar.Week, b.cal.Date(b.clock.Now()))
		return b.weeklyForm(ctx, from, week.String())
	case command.Mine:
		period := workflow.CanonicalPeriodID(pc.Arg(0))
		if period == "" {
			period, err = b.latestPeriod(ctx, workflow.PeriodPublished, workflow.PeriodClosed)
			if err != nil {
				return card.NoResultCard(), nil
			}
		}
		return b.resultCard(ctx, from, period)
	case command.Progress:
		if !me.HR {
			return nil, fmt.Errorf("%s is not HR: %w", from, workflow.ErrForbidden)
		}
		return b.progressCard(ctx, from, workflow.CanonicalPeriodID(pc.Arg(0)))
	case command.Publish:
		if !me.HR {
			return nil, fmt.Errorf("%s is not HR: %w", from, workflow.ErrForbidden)
		}
		period := workflow.CanonicalPeriodID(pc.Arg(0))
		if period == "" {
			if period, err = b.latestPeriod(ctx, workflow.PeriodConfirmed); err != nil {
				return nil, fmt.Errorf("no confirmed period: %w", workflow.ErrInvalidTransition)
			}
		}
		if err := b.svc.Publish(idem(ctx, 1), from, period); err != nil {
			return nil, err
		}
		return card.PublishedCard(card.Published{Period: period, Chats: b.publicChats(ctx)}), nil
	case command.Sync:
		return b.startSync(ctx, me, pc.Arg(0) == command.SyncConfirm)
	case command.Open:
		return b.cmdOpen(ctx, me, pc)
	case command.Close:
		return b.cmdClose(ctx, me, pc)
	case command.Committee:
		return b.cmdCommittee(ctx, me, pc)
	case command.Filed:
		return b.cmdFiled(ctx, me, pc)
	case command.Tables:
		return b.cmdFilingTables(ctx, me, pc)
	case command.Reviews:
		return b.cmdReviews(ctx, me, pc)
	case command.Delegate:
		return b.cmdDelegate(ctx, me, pc, mentions)
	case command.Year:
		return b.cmdYear(ctx, me, pc)
	case command.People:
		return b.cmdPeople(ctx, me, pc, mentions)
	case command.Targets:
		return b.cmdTargets(ctx, me, pc)
	case command.Batch:
		return b.batchCommand(ctx, from, pc.Arg(0))
	case command.Outside:
		return b.cmdOutside(ctx, me, pc)
	case command.Allowance:
		return b.cmdAllowance(ctx, me, pc)
	}
	h := card.Help{HR: me.HR}
	if pc.Unknown {
		h.Unknown = text
	}
	return card.HelpCard(h), nil
}

// latestPeriod is the most recent period in one of the states.
func (b *Bot) latestPeriod(ctx context.Context, states ...string) (string, error) {
	var id string
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		ps, err := tx.Periods(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			for _, s := range states {
				if p.State == s {
					id = p.ID
				}
			}
		}
		return nil
	})
	if err == nil && id == "" {
		err = errNoPeriod
	}
	return id, err
}

// todoCard lists the operator's pending steps and missing entries.
func (b *Bot) todoCard(ctx context.Context, op string) ([]byte, error) {
	today := b.cal.Date(b.clock.Now())
	var t card.Todo
	steps, err := b.svc.MySteps(ctx, op)
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		t.Items = append(t.Items, card.TodoItem{Title: fmt.Sprintf("%s：%s", s.Name, b.name(ctx, s.Person)), Due: s.Due.String(),
			Overdue: today.After(s.Due), Button: card.Button{Text: "去审核", Primary: true, Value: card.Open(card.FormStep, s.ID)}})
	}
	if len(steps) > 1 {
		batch, err := b.batchItems(ctx, op)
		if err != nil {
			return nil, err
		}
		// After the steps, so the first row stays the first step, but
		// within the rows the card shows however many steps there are.
		at := max(0, min(len(t.Items), card.MaxTodoItems-len(batch)))
		t.Items = append(t.Items[:at], append(batch, t.Items[at:]...)...)
	}
	t.Items = append(t.Items, b.commentItems(ctx, op)...)
	t.Items = append(t.Items, b.targetItems(ctx, op)...)
	owed, err := b.svc.Owed(ctx, op)
	if err != nil {
		return nil, err
	}
	var rs scoring.Records
	if len(owed) > 0 {
		if rs, err = b.svc.Records(ctx, op); err != nil {
			return nil, err
		}
	}
	for _, d := range owed {
		t.Items = append(t.Items, owedItem(d, today, rs))
	}
	return card.TodoCard(t), nil
}

// batchItems are the 待办's 批量审核 rows: one per unit where the leader
// holds two steps or more, opening that unit's card.
func (b *Bot) batchItems(ctx context.Context, op string) ([]card.TodoItem, error) {
	groups, err := b.svc.StepsByUnit(ctx, op)
	if err != nil {
		return nil, err
	}
	var out []card.TodoItem
	for _, u := range batchUnits(groups) {
		if u.Count < 2 || u.UnitID == "" {
			continue
		}
		out = append(out, card.TodoItem{Title: fmt.Sprintf("批量审核：%s（%d人）", u.Unit, u.Count), Due: u.Earliest, Overdue: u.Overdue > 0,
			Button: card.Button{Text: "批量审核", Value: card.Value{K: card.KindBatch, ID: u.UnitID}}})
	}
	return out, nil
}

// recordName is what op's scheme calls a kind of record (S2 月记实, S7
// 个人工作日志); the usual name when it cannot be read.
func (b *Bot) recordName(ctx context.Context, op, kind string) string {
	rs, err := b.svc.Records(ctx, op)
	if err != nil {
		b.log.Warn("records of a person", "err", err)
	}
	return rs.Name(kind)
}

// owedItem is one entry a person owes, as a 待办 row with the button that
// opens its form; rs names the records as the person's scheme does.
func owedItem(d workflow.Due, today calendar.Date, rs scoring.Records) card.TodoItem {
	it := card.TodoItem{Due: d.Due.String(), Overdue: today.After(d.Due),
		Button: card.Button{Text: "立即填写", Primary: true, Value: card.Open(d.Kind, d.Entry)}}
	switch d.Kind {
	case workflow.EntryDaily:
		it.Title = rs.Name(d.Kind) + " " + d.Entry
	case workflow.EntryWeekly, workflow.EntryMonthly:
		it.Title = rs.Name(d.Kind) + " " + card.PeriodLabel(d.Entry)
	case workflow.EntryQuarterly:
		it.Title = rs.Name(d.Kind) + " " + card.PeriodLabel(d.Entry)
		it.Button.Value = card.Open(card.FormQuarterly, d.Entry)
	case workflow.EntryVote:
		it.Title = "民主测评 " + card.PeriodLabel(d.Entry)
		it.Button = card.Button{Text: "立即测评", Primary: true, Value: card.Open(card.FormVote, d.Entry)}
	case workflow.EntryYearRate:
		it.Title = d.Entry + "年度测评"
		it.Button = card.Button{Text: "立即测评", Primary: true, Value: card.Open(card.FormYearRate, d.Entry)}
	}
	if d.Returned {
		it.Title += "（已退回，请修改）"
	}
	return it
}

// progressCard is HR's 进度 of a period ("" for the current one): every
// item per unit, who is late, and who holds each pending step
// (workflow.Service.Progress decides all of it).
func (b *Bot) progressCard(ctx context.Context, op, period string) ([]byte, error) {
	p, err := b.svc.Progress(ctx, op, period)
	if period == "" && errors.Is(err, workflow.ErrNotFound) {
		return card.NoProgressCard(), nil
	}
	if err != nil {
		return nil, err
	}
	prog := card.Progress{Period: p.Period.ID, AsOf: b.clock.Now().In(b.cal.Location()).Format("2006-01-02 15:04"), Others: p.Open,
		State: map[string]string{workflow.PeriodCommittee: "进入考核委员会审定", workflow.PeriodConfirmed: "确认等次",
			workflow.PeriodPublished: "公示", workflow.PeriodClosed: "结束"}[p.Period.State]}
	overdue := 0
	for _, t := range p.Totals {
		prog.Items = append(prog.Items, progressItem(t))
		prog.Totals = append(prog.Totals, card.Tally(t.Tally))
		overdue += t.Overdue
	}
	for _, u := range p.Units {
		name := u.Unit.Name
		if name == "" {
			name = "未分配单位"
		}
		up := card.UnitProgress{Unit: name}
		for _, t := range u.Items {
			up.Cells = append(up.Cells, card.Tally(t.Tally))
		}
		prog.Units = append(prog.Units, up)
		// One line per person, their late items oldest first.
		last := ""
		for i, l := range u.Late {
			if i == 0 || l.Person != last {
				prog.Overdue = append(prog.Overdue, card.Overdue{Name: l.Name, Unit: u.Unit.Name, OnLeave: l.OnLeave})
				last = l.Person
			}
			o := &prog.Overdue[len(prog.Overdue)-1]
			o.Items = append(o.Items, lateItem(l))
			o.Days = max(o.Days, l.Days)
		}
	}
	for _, s := range p.Steps {
		unit := ""
		for _, u := range p.Units {
			if u.Unit.ID == s.Unit {
				unit = u.Unit.Name
			}
		}
		prog.Steps = append(prog.Steps, card.StepLine{Step: s.Step.Name, Person: s.Name, Holder: s.Holder, Unit: unit, Due: s.Step.Due.String(), Days: s.Days})
	}
	pendingRaters := 0
	for _, y := range p.YearRatings {
		yr := card.YearRating{Year: y.Round.Year, Due: y.Round.Due.String(), Raters: y.Raters, Rated: y.Rated}
		for _, x := range y.Pending {
			yr.Pending = append(yr.Pending, x.Name)
		}
		prog.YearRatings = append(prog.YearRatings, yr)
		pendingRaters += len(y.Pending)
	}
	// 催办 reaches the raters of an open 年度测评 whatever the period's
	// state (workflow.Service.Chase).
	prog.Chase = (p.Period.State == workflow.PeriodOpen && overdue > 0) || pendingRaters > 0
	if p.Period.State == workflow.PeriodPublished {
		prog.Publicity = b.publicityLines(ctx, p.Period.ID)
	}
	return card.ProgressCard(prog), nil
}

// publicityBudget bounds the read receipts' share of 进度: Lark is asked
// once per 公示 message, and the card must still answer a click within
// the callback's budget when Lark is slow.
const publicityBudget = time.Second

// publicityLines is the 公示 section of 进度 while the period is published
// (afterwards the 公示 is over, and Lark keeps receipts for 7 days only): a
// line per group, or per group and grade when every grade went out. Lark
// refusing says why on the line; nothing on record (not delivered yet)
// leaves the section out.
func (b *Bot) publicityLines(ctx context.Context, period string) []card.PublicityRead {
	ctx, cancel := context.WithTimeout(ctx, publicityBudget)
	defer cancel()
	rs, err := b.PublicityReads(ctx, period)
	if err != nil {
		if !errors.Is(err, ErrNoReadReceipts) {
			b.log.Warn("progress: read receipts of 公示", "period", period, "err", err)
		}
		return nil
	}
	perChat := map[string]int{}
	for _, r := range rs {
		perChat[r.Chat]++
	}
	out := make([]card.PublicityRead, 0, len(rs))
	for _, r := range rs {
		l := card.PublicityRead{Group: r.Group}
		if perChat[r.Chat] > 1 {
			l.Grade = r.Grade
		}
		var ae *APIError
		switch {
		case r.Err == nil:
			l.Read, l.Total, l.Unread, l.Others = len(r.Read), len(r.Read)+len(r.Unread), r.Unread, r.Others
		case errors.As(r.Err, &ae) && ae.Code == codeReadUsersTooOld:
			l.Note = "公示发出已超过7天，飞书不再提供已读情况"
		case errors.As(r.Err, &ae) && ae.Kind == KindScope:
			// The scope docs/lark-app.md asks for; Lark's 99991672 lists
			// every scope that would do.
			l.Note = "飞书应用未开通权限 im:message:readonly，无法查看已读情况"
		default:
			l.Note = "暂时无法获取已读情况，请稍后刷新"
		}
		out = append(out, l)
	}
	return out
}

// progressItem names a progress column.
func progressItem(t workflow.ItemTally) string {
	if t.Kind == workflow.ItemStep {
		return t.Step
	}
	return entryLabel(t.Kind)
}

// entryLabel names an entry kind (or the vote) on a card.
func entryLabel(kind string) string {
	return map[string]string{workflow.EntryDaily: "工作日志", workflow.EntryWeekly: "周记实", workflow.EntryMonthly: "月小结", workflow.EntryQuarterly: "季度小结",
		workflow.EntryVote: "民主测评"}[kind]
}

// lateItem is what a late person owes, as the progress card lists it.
func lateItem(l workflow.Late) string {
	s := entryLabel(l.Kind)
	if l.Kind == workflow.EntryWeekly || l.Kind == workflow.EntryMonthly {
		s += " " + card.PeriodLabel(l.Entry)
	}
	if l.Kind == workflow.EntryDaily {
		s += " " + l.Entry
	}
	if l.Returned {
		s += "（已退回）"
	}
	return s
}

// syncTimeout bounds a contact sync job: one directory call per
// department, paced by Lark's limits.
const syncTimeout = 5 * time.Minute

// startSync answers 同步通讯录 at once and reads the directory as a job:
// an event must be acknowledged within 3 s or Lark pushes it again
// (事件概述), and a directory of many departments takes longer. The
// result reaches HR as a second message, keyed by the event, so a re-push
// (already answered, and skipped) never runs the job twice. The job's
// request is recorded first (recordSync), so a job the process lost is
// run again by ResumeJobs, or else HR is told it did not finish.
func (b *Bot) startSync(ctx context.Context, me workflow.Person, apply bool) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	event, _ := ctx.Value(eventKey{}).(string)
	job, err := b.recordSync(ctx, syncJob{Event: event, By: me.ID, Apply: apply})
	if err != nil {
		return nil, err
	}
	b.runSync(context.WithoutCancel(ctx), job)
	return card.SyncStartedCard(apply), nil
}

// syncCard runs the contact sync for HR — a dry run, or with apply the
// import itself — and renders its card. Lark refusing the directory for a
// scope or the contact data scope is a card that says which to grant, not
// an error.
func (b *Bot) syncCard(ctx context.Context, from string, apply bool) ([]byte, error) {
	if b.cfg.Lark == nil {
		return card.SyncUnavailableCard(), nil
	}
	rep, err := b.SyncContacts(ctx, b.cfg.Lark, from, !apply)
	var ae *APIError
	switch {
	case errors.As(err, &ae) && ae.Kind == KindScope:
		scopes := ae.Scopes
		if len(scopes) == 0 { // Lark named none: the ones the contact API takes [D17][D18]
			scopes = []string{"contact:contact.base:readonly", "contact:department.organize:readonly"}
		}
		return card.SyncCard(card.Sync{MissingAPI: scopes}), nil
	case errors.Is(err, ErrContactRange):
		return card.SyncCard(card.Sync{Range: true}), nil
	case errors.Is(err, ErrFieldsMissing):
	case err != nil:
		return nil, err
	}
	s := card.Sync{Applied: apply, Warnings: rep.Warnings}
	for _, m := range rep.Missing {
		s.Missing = append(s.Missing, card.SyncScope{ID: m.ID, Label: m.Label, Fields: m.Fields})
	}
	s.Groups = syncGroups(rep.Changes)
	return card.SyncCard(s), nil
}

// publicChats counts the group chats 公示 goes to, for the answer to 公示.
func (b *Bot) publicChats(ctx context.Context) int {
	n := 0
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		st, err := tx.Settings(ctx)
		n = len(st.PublicChats)
		return err
	})
	return n
}
