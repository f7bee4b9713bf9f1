package bot

import (
	"context"
	"errors"
	"fmt"
	"github.com/kaohe/kaohe/bot/command"
	"sort"
	"time"

	"github.com/kaohe/kaohe/bot/card"
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
		period := pc.Arg(0)
		if period == "" {
			period, err = b.latestPeriod(ctx, workflow.PeriodPublished, workflow.PeriodClosed)
			if err != nil {
				return card.NoticeCard(card.Notice{Title: "我的考核", Lines: []string{"暂无已公布的考核结果"}}), nil
			}
		}
		return b.resultCard(ctx, from, period)
	case command.Progress:
		if !me.HR {
			return nil, fmt.Errorf("%s is not HR: %w", from, workflow.ErrForbidden)
		}
		return b.progressCard(ctx, pc.Arg(0))
	case command.Publish:
		if !me.HR {
			return nil, fmt.Errorf("%s is not HR: %w", from, workflow.ErrForbidden)
		}
		period := pc.Arg(0)
		if period == "" {
			if period, err = b.latestPeriod(ctx, workflow.PeriodConfirmed); err != nil {
				return nil, fmt.Errorf("no confirmed period: %w", workflow.ErrInvalidTransition)
			}
		}
		if err := b.svc.Publish(idem(ctx, 1), from, period); err != nil {
			return nil, err
		}
		return card.NoticeCard(card.Notice{Title: "公示已发布", Colour: card.Green,
			Lines: []string{card.PeriodLabel(period) + "考核结果已发送至公示群，并逐人发送个人结果"}}), nil
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
	t.Items = append(t.Items, b.commentItems(ctx, op)...)
	t.Items = append(t.Items, b.targetItems(ctx, op)...)
	owed, err := b.svc.Owed(ctx, op)
	if err != nil {
		return nil, err
	}
	for _, d := range owed {
		t.Items = append(t.Items, owedItem(d, today))
	}
	return card.TodoCard(t), nil
}

// owedItem is one entry a person owes, as a 待办 row with the button that
// opens its form.
func owedItem(d workflow.Due, today calendar.Date) card.TodoItem {
	it := card.TodoItem{Due: d.Due.String(), Overdue: today.After(d.Due),
		Button: card.Button{Text: "立即填写", Primary: true, Value: card.Open(d.Kind, d.Entry)}}
	switch d.Kind {
	case workflow.EntryWeekly:
		it.Title = "周记实 " + card.PeriodLabel(d.Entry)
	case workflow.EntryMonthly:
		it.Title = "月小结 " + card.PeriodLabel(d.Entry)
	case workflow.EntryQuarterly:
		it.Title = "季度小结 " + card.PeriodLabel(d.Entry)
		it.Button.Value = card.Open(card.FormQuarterly, d.Entry)
	case workflow.EntryVote:
		it.Title = "民主测评 " + card.PeriodLabel(d.Entry)
		it.Button = card.Button{Text: "立即测评", Primary: true, Value: card.Open(card.FormVote, d.Entry)}
	}
	if d.Returned {
		it.Title += "（已退回，请修改）"
	}
	return it
}

// progressCard is HR's completion of the period's self-summaries by unit.
func (b *Bot) progressCard(ctx context.Context, period string) ([]byte, error) {
	if period == "" {
		var err error
		if period, err = b.latestPeriod(ctx, workflow.PeriodOpen, workflow.PeriodCommittee, workflow.PeriodConfirmed, workflow.PeriodPublished); err != nil {
			return card.NoticeCard(card.Notice{Title: "考核进度", Lines: []string{"当前没有进行中的考核"}}), nil
		}
	}
	p, err := b.svc.Period(ctx, period)
	if err != nil {
		return nil, err
	}
	today := b.cal.Date(b.clock.Now())
	prog := card.Progress{Period: period, Item: "季度小结", AsOf: today.String(), Chase: p.State == workflow.PeriodOpen}
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		units, err := tx.Units(ctx)
		if err != nil {
			return err
		}
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		entries, err := tx.Entries(ctx, workflow.EntryFilter{Kind: workflow.EntryQuarterly})
		if err != nil {
			return err
		}
		done := map[string]bool{}
		for _, e := range entries {
			if e.Period == period && e.State != workflow.EntryReturned {
				done[e.Person] = true
			}
		}
		byUnit := map[string]*card.UnitProgress{}
		names := map[string]string{}
		for _, u := range units {
			names[u.ID] = u.Name
		}
		for _, x := range people {
			if !x.Assessed || x.Status.Exempt {
				continue
			}
			up := byUnit[x.Unit]
			if up == nil {
				up = &card.UnitProgress{Unit: names[x.Unit]}
				byUnit[x.Unit] = up
			}
			up.Total++
			if done[x.ID] {
				up.Done++
			} else if !p.SummaryDue.IsZero() && today.After(p.SummaryDue) {
				prog.Overdue = append(prog.Overdue, card.Overdue{Name: x.Name, Unit: names[x.Unit], Item: "季度小结", Days: today.DaysSince(p.SummaryDue)})
			}
		}
		keys := make([]string, 0, len(byUnit))
		for k := range byUnit {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			prog.Units = append(prog.Units, *byUnit[k])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return card.ProgressCard(prog), nil
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
	what := "预览"
	if apply {
		what = "导入"
	}
	return card.NoticeCard(card.Notice{Title: "正在读取飞书通讯录", Colour: card.Wathet,
		Lines: []string{"正在读取飞书通讯录并比对本系统人员，完成后将另行发送" + what + "结果。"}}), nil
}

// syncCard runs the contact sync for HR — a dry run, or with apply the
// import itself — and renders its card. Lark refusing the directory for a
// scope or the contact data scope is a card that says which to grant, not
// an error.
func (b *Bot) syncCard(ctx context.Context, from string, apply bool) ([]byte, error) {
	if b.cfg.Lark == nil {
		return card.NoticeCard(card.Notice{Title: "通讯录同步", Colour: card.Orange, Lines: []string{"未配置飞书应用，无法读取通讯录"}}), nil
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
