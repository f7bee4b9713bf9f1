package bot

import (
	"context"
	"fmt"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// entryReview is the leader's 点评 card of a 月小结; only its leader (or
// their delegate) may open it, and only 月小结 are reviewed this way.
func (b *Bot) entryReview(ctx context.Context, op, id string) (card.EntryReview, error) {
	kind, person, period, err := card.SplitEntryID(id)
	if err != nil {
		return card.EntryReview{}, err
	}
	if kind != workflow.EntryMonthly {
		return card.EntryReview{}, fmt.Errorf("entry kind %q: %w", kind, card.ErrBadValue)
	}
	e, err := b.svc.LeaderEntry(ctx, op, workflow.EntryKey{Kind: kind, Person: person, Period: period})
	if err != nil {
		return card.EntryReview{}, err
	}
	r := card.EntryReview{ID: id, Version: e.Version, Person: b.name(ctx, person), Period: period,
		Goals: e.Body.Goals, Completion: e.Body.Completion, Comment: e.Comment}
	for _, u := range e.Body.Unfinished {
		r.Unfinished = append(r.Unfinished, u.Item+"："+u.Reason)
	}
	return r, nil
}

// entryRemark writes the leader's 点评 or sends the entry back.
func (b *Bot) entryRemark(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	r, err := b.entryReview(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	if r.Version != v.V {
		return nil, fmt.Errorf("entry %s version %d, card %d: %w", v.ID, r.Version, v.V, workflow.ErrStale)
	}
	text, err := card.ParseRemark(fv)
	if err != nil {
		return nil, err
	}
	kind, person, period, _ := card.SplitEntryID(v.ID)
	key := workflow.EntryKey{Kind: kind, Person: person, Period: period}
	title := "月小结：" + r.Person
	if v.K == card.KindEntryReturn {
		if err := b.svc.Return(idem(ctx, 0), op, key, v.V, text); err != nil {
			return nil, err
		}
		return done(title, "已退回", "原因："+text), nil
	}
	if err := b.svc.Comment(idem(ctx, 0), op, key, v.V, text); err != nil {
		return nil, err
	}
	return done(title, "已点评", "点评："+text), nil
}

// commentItems are the leader's 待办 lines for 月小结 awaiting 点评.
func (b *Bot) commentItems(ctx context.Context, op string) []card.TodoItem {
	es, err := b.svc.ToComment(ctx, op)
	if err != nil {
		b.log.Warn("entries to comment", "operator", op, "err", err)
		return nil
	}
	var out []card.TodoItem
	for _, e := range es {
		out = append(out, card.TodoItem{Title: "点评月小结：" + b.name(ctx, e.Person) + " " + card.PeriodLabel(e.Period),
			Button: card.Button{Text: "去点评", Value: card.Open(card.FormEntry, card.EntryID(e.Kind, e.Person, e.Period))}})
	}
	return out
}
