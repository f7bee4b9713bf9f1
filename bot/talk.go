package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// talkForm is the talk card for one person. A grade talk: only a leader
// whose 反馈 the person is (FeedbackDue) may open it, and only when the
// person's grade calls for a talk. The half-year 谈心谈话 and the 诫勉谈话
// after bottom grades in a row: whoever workflow.Service.TalkFor allows.
func (b *Bot) talkForm(ctx context.Context, op, id string) (card.TalkForm, error) {
	period, person, reason, err := card.SplitTalkID(id)
	if err != nil {
		return card.TalkForm{}, err
	}
	if reason != "" {
		return b.dueTalkForm(ctx, op, period, person, reason)
	}
	items, err := b.feedbackDue(ctx, op, period)
	if err != nil && !errors.Is(err, workflow.ErrInvalidTransition) {
		return card.TalkForm{}, err
	}
	for _, it := range items {
		if it.Person.ID != person {
			continue
		}
		for _, tr := range b.svc.SchemeOf(period).Talks {
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
	if f.Reason == "" {
		err = b.svc.RecordTalk(idem(ctx, 0), op, f.Period, f.PersonID, f.Kind, note)
	} else {
		err = b.svc.RecordTalkFor(idem(ctx, 0), op, f.Period, f.PersonID, f.Reason, note)
	}
	if err != nil {
		return nil, err
	}
	return done(f.Kind+"："+f.Person, "已记录", "谈话情况："+note), nil
}

// dueTalkForm is the card of a half-year 谈心谈话 or a 诫勉谈话.
func (b *Bot) dueTalkForm(ctx context.Context, op, period, person, reason string) (card.TalkForm, error) {
	t, err := b.svc.TalkFor(ctx, op, period, person, reason)
	if err != nil {
		return card.TalkForm{}, err
	}
	f := card.TalkForm{Period: period, PersonID: person, Person: t.Name, Kind: t.Kind, Grade: t.Grade, Reason: reason, Note: t.Note}
	switch reason {
	case workflow.TalkHalfYear:
		f.Why = card.PeriodLabel(period) + "考核结果在分管单位中排名靠后（「" + t.Grade + "」等次），请分管领导谈心谈话"
	case workflow.TalkBottom:
		ps := make([]string, len(t.Periods))
		for i, p := range t.Periods {
			ps[i] = card.PeriodLabel(p)
		}
		f.Why = strings.Join(ps, "、") + "的平时考核均为「" + t.Grade + "」等次"
	}
	for _, o := range t.Others {
		f.Others = append(f.Others, card.TalkOther{ID: o.ID, Name: o.Name})
	}
	return f, nil
}
