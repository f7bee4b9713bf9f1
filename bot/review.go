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
	f, _, _, err := b.reviewFor(ctx, op, id)
	return f, err
}

// reviewFor is reviewForm with the operator and whether the request is
// their own, which decide the buttons they may press.
func (b *Bot) reviewFor(ctx context.Context, op, id string) (f card.ReviewForm, me workflow.Person, own bool, err error) {
	if me, err = b.operator(ctx, op); err != nil {
		return f, me, false, err
	}
	var rv workflow.Review
	var res workflow.Result
	var asker workflow.Person
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		rv, err = tx.Review(ctx, id)
		if !me.HR && !me.Committee && (err != nil || rv.Person != op) {
			// Nothing about a request, not even whether it exists, to
			// anyone but the person, HR and the committee.
			return fmt.Errorf("review %s is not %s's: %w", id, op, workflow.ErrForbidden)
		}
		if err != nil {
			return err
		}
		if asker, err = tx.Person(ctx, rv.Person); err != nil {
			return err
		}
		res, err = tx.Result(ctx, rv.Period, rv.Person)
		return err
	})
	if err != nil {
		return f, me, false, err
	}
	f = card.ReviewForm{ID: rv.ID, Version: rv.Version, Period: rv.Period, Person: asker.Name, Reason: rv.Reason,
		Materials: rv.Materials, MaterialsNeed: b.svc.SchemeOf(rv.Period).ReviewMaterials,
		State: rv.State, Grade: rv.OldGrade, Opinion: rv.Opinion, Decision: rv.Decision, NewGrade: rv.NewGrade}
	if res.Score != nil {
		f.Score = res.Score.String()
	}
	if f.Grade == "" {
		f.Grade = res.Grade
	}
	own = rv.Person == op
	switch {
	case me.HR && !own && rv.State == workflow.ReviewRequested:
		f.Role = card.ReviewHandler
	case me.Committee && !own && rv.State == workflow.ReviewForwarded:
		f.Role = card.ReviewCommittee
		f.Explain = res.Explain
		f.Grades = b.svc.GradesOf(rv.Period)
		if !workflow.IsYear(rv.Period) { // the year has no quota to give way in
			f.Holders = b.cappedHolders(ctx, rv.Period, rv.Person)
		}
	}
	return f, me, own, nil
}

// cappedHolders are the people of a period, other than person, who hold
// a grade a quota caps: the committee's choice of who gives way.
func (b *Bot) cappedHolders(ctx context.Context, period, person string) []card.Holder {
	capped := map[string]bool{}
	for _, q := range b.svc.SchemeOf(period).Quotas {
		if q.MaxShare != nil {
			capped[q.Grade] = true
		}
	}
	var out []card.Holder
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		out = nil
		rs, err := tx.Results(ctx, period)
		for _, r := range rs {
			if r.Person != person && capped[r.Grade] {
				out = append(out, card.Holder{ID: r.Person, Grade: r.Grade})
			}
		}
		return err
	})
	for i := range out { // names outside the transaction: b.name opens its own
		out[i].Name = b.name(ctx, out[i].ID)
	}
	return out
}

// handleReview is HR forwarding or rejecting a request and the committee
// deciding one, from the 复核 card.
func (b *Bot) handleReview(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	f, me, own, err := b.reviewFor(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	// Seeing the request (the asker, any HR or committee member) is not
	// deciding it: HR handles and the committee decides, never about
	// themselves (the service's rules, checked again there). Someone who
	// may not press the button is refused before the card's version or
	// form is looked at, so a forged click learns neither.
	may := me.HR
	if v.K == card.KindReviewDecide {
		may = me.Committee
	}
	if !may || own {
		return nil, fmt.Errorf("%s may not %s review %s: %w", op, v.K, v.ID, workflow.ErrForbidden)
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
		d, err := card.ParseReviewDecision(fv, f.Grades, f.Holders)
		if err != nil {
			return nil, err
		}
		if err := b.svc.DecideReviewDisplacing(idem(ctx, 0), op, v.ID, v.V, d.Grade, d.Reason, d.Displace); err != nil {
			return nil, err
		}
		lines := []string{"维持「" + d.Grade + "」"}
		if d.Grade != f.Grade {
			lines = []string{"等次由「" + f.Grade + "」调整为「" + d.Grade + "」"}
		}
		if d.Displace != "" {
			lines = append(lines, b.name(ctx, d.Displace)+"让出名额，等次降一等")
		}
		return done(title, "已作出复核决定", append(lines, "理由："+d.Reason)...), nil
	}
}
