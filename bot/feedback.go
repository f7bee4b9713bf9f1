package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// feedbackForm is a leader's 反馈 card for a period: the people whose
// 反馈 is theirs. Someone with nobody to give 反馈 to is refused.
func (b *Bot) feedbackForm(ctx context.Context, op, period string) (card.FeedbackForm, error) {
	items, err := b.feedbackDue(ctx, op, period)
	if err != nil {
		return card.FeedbackForm{}, err
	}
	if len(items) == 0 {
		return card.FeedbackForm{}, fmt.Errorf("%s gives no 反馈 in %s: %w", op, period, workflow.ErrForbidden)
	}
	f := card.FeedbackForm{Period: period}
	for _, it := range items[:min(len(items), card.MaxFeedbackPeople)] {
		grade := it.Result.Grade
		if grade == "" {
			grade = it.Result.State
		}
		f.People = append(f.People, card.FeedbackPerson{ID: it.Person.ID, Name: it.Person.Name, Grade: grade, Done: it.Result.Feedback != nil})
	}
	return f, nil
}

// feedbackDue is FeedbackDue for a click: an operator outside the
// organisation is refused before the period is looked at, and a period
// that does not exist is answered as one with nobody to give 反馈 to (无权),
// so a forged card learns nothing. A period not yet published still says
// so: its stage is announced to everyone, not a secret of anyone's.
func (b *Bot) feedbackDue(ctx context.Context, op, period string) ([]workflow.FeedbackItem, error) {
	if _, err := b.operator(ctx, op); err != nil {
		return nil, err
	}
	items, err := b.svc.FeedbackDue(ctx, op, period)
	if errors.Is(err, workflow.ErrNotFound) {
		return nil, fmt.Errorf("%s gives no 反馈 in %s: %w", op, period, workflow.ErrForbidden)
	}
	return items, err
}

// feedback sends one person's 反馈 and answers with the card updated.
func (b *Bot) feedback(ctx context.Context, op string, v card.Value, fv map[string]any) (*callback.CardActionTriggerResponse, error) {
	f, err := b.feedbackForm(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(f.People))
	for i, p := range f.People {
		ids[i] = p.ID
	}
	in, err := card.ParseFeedback(fv, ids)
	if err != nil {
		return nil, err
	}
	// The same 反馈 sent again (a double tap, the card pressed twice) is
	// the same success, sent once: the person would otherwise get it
	// twice. A changed one is sent as the new 反馈.
	fb := workflow.Feedback{Strengths: in.Strengths, Problems: in.Problems, Requests: in.Requests}
	if !b.feedbackSent(ctx, op, v.ID, in.Person, fb) {
		if err := b.svc.RecordFeedback(idem(ctx, 0), op, v.ID, in.Person, fb); err != nil {
			return nil, err
		}
	}
	if f, err = b.feedbackForm(ctx, op, v.ID); err != nil {
		return nil, err
	}
	c, err := card.FeedbackCard(f)
	if err != nil {
		return nil, err
	}
	return reply("success", "已向"+b.name(ctx, in.Person)+"发送反馈", c), nil
}

// feedbackSent reports whether person's result in period already carries
// this 反馈.
func (b *Bot) feedbackSent(ctx context.Context, op, period, person string, f workflow.Feedback) bool {
	items, err := b.feedbackDue(ctx, op, period)
	if err != nil {
		return false
	}
	for _, it := range items {
		if old := it.Result.Feedback; it.Person.ID == person && old != nil {
			return old.Strengths == f.Strengths && old.Problems == f.Problems && old.Requests == f.Requests
		}
	}
	return false
}
