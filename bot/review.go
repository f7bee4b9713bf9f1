package bot

import (
	"context"
	"fmt"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// reviewForm is the 复核 card for whoever opens it: HR handles a new
// request, the committee decides a forwarded one, and the person who asked
// (or any other HR or committee member) sees its state. Anyone else is
// refused before anything about the request is read out.
func (b *Bot) reviewForm(ctx context.Context, op, id string) (card.ReviewForm, error) {
	var me workflow.Person
	var rv workflow.Review
	var res workflow.Result
	var asker workflow.Person
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		if me, err = tx.Person(ctx, op); err != nil {
			return err
		}
		if !me.HR && !me.Committee {
			rv, err = tx.Review(ctx, id)
			if err != nil || rv.Person != op {
				return fmt.Errorf("review %s is not %s's: %w", id, op, workflow.ErrForbidden)
			}
		}
		if rv, err = tx.Review(ctx, id); err != nil {
			return err
		}
		if asker, err = tx.Person(ctx, rv.Person); err != nil {
			return err
		}
		res, err = tx.Result(ctx, rv.Period, rv.Person)
		return err
	})
	if err != nil {
		return card.ReviewForm{}, err
	}
	f := card.ReviewForm{ID: rv.ID, Version: rv.Version, Period: rv.Period, Person: asker.Name, Reason: rv.Reason,
		State: rv.State, Grade: rv.OldGrade, Opinion: rv.Opinion, Decision: rv.Decision, NewGrade: rv.NewGrade}
	if res.Score != nil {
		f.Score = res.Score.String()
	}
	if f.Grade == "" {
		f.Grade = res.Grade
	}
	own := rv.Person == op
	switch {
	case me.HR && !own && rv.State == workflow.ReviewRequested:
		f.Role = card.ReviewHandler
	case me.Committee && !own && rv.State == workflow.ReviewForwarded:
		f.Role = card.ReviewCommittee
		f.Explain = res.Explain
		for _, g := range b.svc.Scheme().Grades {
			f.Grades = append(f.Grades, g.Label)
		}
	}
	return f, nil
}

// handleReview is HR forwarding or rejecting a request and the committee
// deciding one, from the 复核 card.
func (b *Bot) handleReview(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	f, err := b.reviewForm(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	if f.Version != v.V {
		return nil, fmt.Errorf("review %s version %d, card %d: %w", v.ID, f.Version, v.V, workflow.ErrStale)
	}
	title := "复核申请：" + f.Person
	switch v.K {
	case card.KindReviewForward, card.KindReviewReject:
		h, err := card.ParseReviewHandling(fv)
		if err != nil {
			return nil, err
		}
		forward := v.K == card.KindReviewForward
		if err := b.svc.HandleReview(idem(ctx, 0), op, v.ID, v.V, forward, h.Opinion); err != nil {
			return nil, err
		}
		if forward {
			return done(title, "已转考核委员会审议", "意见："+h.Opinion), nil
		}
		return done(title, "已答复不予受理", "理由："+h.Opinion), nil
	default: // card.KindReviewDecide
		if f.Role != card.ReviewCommittee {
			return nil, fmt.Errorf("review %s is %s, not for %s to decide: %w", v.ID, f.State, op, workflow.ErrInvalidTransition)
		}
		d, err := card.ParseReviewDecision(fv, f.Grades)
		if err != nil {
			return nil, err
		}
		if err := b.svc.DecideReview(idem(ctx, 0), op, v.ID, v.V, d.Grade, d.Reason); err != nil {
			return nil, err
		}
		outcome := "维持「" + d.Grade + "」"
		if d.Grade != f.Grade {
			outcome = "等次由「" + f.Grade + "」调整为「" + d.Grade + "」"
		}
		return done(title, "已作出复核决定", outcome, "理由："+d.Reason), nil
	}
}
