package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/workflow"
)

// A 同步通讯录 job outlives the event that asked for it, and the process
// may stop before it ends. Lark will not push the event again — it was
// acknowledged — so the request is kept in the store: as a pending outbox
// row to HR (the job's watch) that says the sync did not finish, not to be
// sent before syncGrace after the job's deadline. The job, when it ends,
// queues its result and settles the watch (marks it sent: it stood for
// the result, which went out as its own row). A job the process lost
// leaves the watch pending: ResumeJobs, at start, runs it again while
// there is time; otherwise the relay sends the watch once it is due, and
// HR sends the command again. The outbox is the store's one table a
// process can list by state, which is why the request lives there.

// syncGrace is how long after a job's deadline its watch waits before it
// is sent: a job that ran to its deadline has queued its failure by then.
const syncGrace = 5 * time.Minute

// Data keys of a watch row, besides the card it sends.
const (
	jobKind     = "job"
	jobSync     = "sync"
	jobEvent    = "event"
	jobBy       = "by"
	jobApply    = "apply"
	jobWatchKey = "sync-job"
)

// syncJob is one 同步通讯录 request.
type syncJob struct {
	Event string
	By    string
	Apply bool
	// watch is the id of its watch row, 0 when not known.
	watch int64
}

// recordSync stores the job's watch. A repeat of the event (Lark's re-push
// of one that was not answered) finds it stored and runs the job again:
// every change of the import is keyed by the event.
func (b *Bot) recordSync(ctx context.Context, j syncJob) (syncJob, error) {
	now := b.clock.Now()
	apply := ""
	if j.Apply {
		apply = "1"
	}
	lost := card.SyncLostCard()
	n := workflow.Notification{Key: workflow.DedupeKey(jobWatchKey, j.Event), To: j.By, Template: TplCard,
		Data:      map[string]string{"card": string(lost), jobKind: jobSync, jobEvent: j.Event, jobBy: j.By, jobApply: apply},
		CreatedAt: now, NotBefore: now.Add(syncTimeout + syncGrace), State: workflow.NotePending}
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		id, err := tx.Enqueue(ctx, n)
		j.watch = id
		return err
	})
	if errors.Is(err, workflow.ErrConflict) {
		j.watch = 0
		return j, nil
	}
	if err != nil {
		return j, fmt.Errorf("record contact sync: %w", err)
	}
	return j, nil
}

// runSync runs the job in the background: the contact sync, then its
// result queued to HR with the watch settled, in one transaction.
func (b *Bot) runSync(ctx context.Context, j syncJob) {
	ctx = context.WithValue(ctx, eventKey{}, j.Event)
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		jctx, cancel := context.WithTimeout(ctx, syncTimeout)
		defer cancel()
		c, err := b.syncCard(jctx, j.By, j.Apply)
		if err != nil {
			b.log.Warn("contact sync failed", "event", j.Event, "err", err)
			c = card.SyncFailedCard(workflow.Message(err))
		}
		// The result is written even when the job's own time ran out.
		wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer wcancel()
		now := b.clock.Now()
		err = b.store.InTx(wctx, func(tx workflow.Tx) error {
			if _, err := tx.Enqueue(wctx, workflow.Notification{Key: workflow.DedupeKey("sync", j.Event), To: j.By, Template: TplCard,
				Data: map[string]string{"card": string(c)}, CreatedAt: now, State: workflow.NotePending}); err != nil && !errors.Is(err, workflow.ErrConflict) {
				return err
			}
			id := j.watch
			if id == 0 {
				var err error
				if id, err = findWatch(wctx, tx, workflow.DedupeKey(jobWatchKey, j.Event)); err != nil {
					return err
				}
			}
			if id == 0 {
				return nil // settled by another run
			}
			return tx.MarkNotification(wctx, id, workflow.NoteSent, now)
		})
		if err != nil {
			b.log.Error("queue contact sync result", "event", j.Event, "err", err)
		}
	}()
}

// findWatch returns the id of the pending watch row with key, 0 if there
// is none.
func findWatch(ctx context.Context, tx workflow.Tx, key string) (int64, error) {
	var after int64
	for {
		rows, err := tx.Outbox(ctx, workflow.NotePending, after, 200)
		if err != nil {
			return 0, err
		}
		for _, n := range rows {
			if n.Key == key {
				return n.ID, nil
			}
			after = n.ID
		}
		if len(rows) < 200 {
			return 0, nil
		}
	}
}

// ResumeJobs runs again the 同步通讯录 jobs a stopped process left
// unfinished whose watch is not yet due; it returns how many. Call it once
// at start, before serving events. A job whose watch is due is left to
// the relay, which tells HR it did not finish. Two replicas resuming the
// same job at once read the directory twice but import once (each change
// is keyed by the event) and send one result.
func (b *Bot) ResumeJobs(ctx context.Context) (int, error) {
	now := b.clock.Now()
	var jobs []syncJob
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		jobs = nil
		var after int64
		for {
			rows, err := tx.Outbox(ctx, workflow.NotePending, after, 200)
			if err != nil {
				return err
			}
			for _, n := range rows {
				after = n.ID
				if n.Template == TplCard && n.Data[jobKind] == jobSync && now.Before(n.NotBefore) {
					jobs = append(jobs, syncJob{Event: n.Data[jobEvent], By: n.Data[jobBy], Apply: n.Data[jobApply] == "1", watch: n.ID})
				}
			}
			if len(rows) < 200 {
				return nil
			}
		}
	})
	if err != nil {
		return 0, fmt.Errorf("resume jobs: %w", err)
	}
	for _, j := range jobs {
		b.log.Info("resuming contact sync", "event", j.Event)
		b.runSync(context.WithoutCancel(ctx), j)
	}
	return len(jobs), nil
}

// syncGroups sorts a sync's changes into the card's groups, in the order
// HR reads them: units, then people, then who left.
func syncGroups(changes []contact.Change) []card.SyncGroup {
	order := []struct{ kind, title string }{
		{contact.ChangeAddUnit, "新增科室"},
		{contact.ChangeRenameUnit, "科室更名"},
		{contact.ChangeUpdateUnit, "科室负责人、分管领导变更"},
		{contact.ChangeAddPerson, "新增人员"},
		{contact.ChangeMovePerson, "人员调动"},
		{contact.ChangeRenamePerson, "人员更名"},
		{contact.ChangeTier, "职级"},
		{contact.ChangeMissing, "已不在通讯录中"},
	}
	var out []card.SyncGroup
	for _, o := range order {
		g := card.SyncGroup{Title: o.title, Report: o.kind == contact.ChangeMissing}
		for _, c := range changes {
			if c.Kind == o.kind {
				g.Lines = append(g.Lines, c.Text)
			}
		}
		if len(g.Lines) > 0 {
			out = append(out, g)
		}
	}
	return out
}
