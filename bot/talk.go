package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// talkForm is the leader's talk card for one person: only a leader whose
// 反馈 the person is (FeedbackDue) may open it, and only when the
// person's grade calls for a talk.
func (b *Bot) talkForm(ctx context.Context, op, id string) (card.TalkForm, error) {
	period, person, err := card.SplitTalkID(id)
	if err != nil {
		return card.TalkForm{}, err
	}
	items, err := b.feedbackDue(ctx, op, period)
	if err != nil && !errors.Is(err, workflow.ErrInvalidTransition) {
		return card.TalkForm{}, err
	}
	for _, it := range items {
		if it.Person.ID != person {
			continue
		}
		for _, tr := range b.svc.Scheme().Talks {
			for _, g := range tr.Grades {
				if g != it.Result.Grade {
					continue
				}
				f := card.TalkForm{Period: period, PersonID: person, Person: it.Person.Name, Kind: tr.Kind, Grade: g}
				if e, err := b.entry(ctx, workflow.EntryTalk, person, period); err == nil {
					f.Note = e.Body.Summary
				}
				return f, nil
			}
		}
		return card.TalkForm{}, fmt.Errorf("%s's grade calls for no talk: %w", person, workflow.ErrInvalidTransition)
	}
	return card.TalkForm{}, fmt.Errorf("%s has no talk with %s in %s: %w", op, person, period, workflow.ErrForbidden)
}

// talk records a talk from the talk card.
func (b *Bot) talk(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	f, err := b.talkForm(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	note, err := card.ParseTalk(fv)
	if err != nil {
		return nil, err
	}
	if err := b.svc.RecordTalk(idem(ctx, 0), op, f.Period, f.PersonID, f.Kind, note); err != nil {
		return nil, err
	}
	return done(f.Kind+"："+f.Person, "已记录", "谈话情况："+note), nil
}
