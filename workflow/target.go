package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// Annual targets (年初分解) follow the 个人岗位职责和工作任务认定表: the
// person proposes them; the section head reviews them (审核, the form's
// 科室负责人认定意见) and the superior approves them (审定, the form's
// 单位主管领导意见). Who holds each level is read from the person's chain
// when the decision is taken: the chain's first two distinct leaders (for
// most people the unit's leader, then its supervisor; for a unit's leader
// the supervisor, then the head). Where the chain has a single leader above
// the person, that leader's 审核 is also the 审定. Either level may send a
// target back with a reason; the person revises it and it starts again at
// 审核, since the section head agreed to the old text, not the new one.
// Only approved targets may be picked by weekly records.

// TargetInput is one line of a person's 年初分解 as they propose it.
type TargetInput struct {
	Title    string
	Quantity string
	Deadline calendar.Date
	Standard string
	Lead     bool
}

// checkTargetInput checks one proposed or revised line; f names it.
func checkTargetInput(f string, t TargetInput, year int) error {
	if err := needText(f+".title", t.Title); err != nil {
		return err
	}
	if t.Deadline.Year != year {
		return invalid(f+".deadline", "须在本年度内")
	}
	return nil
}

// targetLevels returns who reviews (审核) and who approves (审定) p's
// targets: the first two distinct leaders of p's chain, "" where there is
// nobody (approver "" means the review is final).
func (s *Service) targetLevels(p Person, units map[string]Unit, st Settings) (reviewer, approver string) {
	u := units[assessingUnit(p)]
	var ls []string
	for _, step := range s.chainFor(p, u) {
		if a := resolve(step.Role, p, u, st); a != "" && !contains(ls, a) {
			ls = append(ls, a)
		}
	}
	switch len(ls) {
	case 0:
		return "", ""
	case 1:
		return ls[0], ""
	}
	return ls[0], ls[1]
}

// TargetDuty says what someone may do about a person's targets now.
type TargetDuty struct {
	// Review: they (or someone they act for) 审核 the person's drafts.
	Review bool
	// Approve: they (or someone they act for) 审定 the reviewed ones.
	Approve bool
	// Final: they hold the last level (Approve, or Review where the
	// review is final), so they mark a done target 超额完成.
	Final bool
}

// any reports whether the duty allows anything.
func (d TargetDuty) any() bool { return d.Review || d.Approve }

// targetCtx is what a decision on a person's targets needs: the person,
// who holds each level and whom the actor acts for.
type targetCtx struct {
	p                  Person
	reviewer, approver string
	can                []string
}

func (c targetCtx) duty(by string) TargetDuty {
	if by == c.p.ID {
		return TargetDuty{} // nobody decides their own targets, by delegation or not
	}
	d := TargetDuty{Review: c.reviewer != "" && contains(c.can, c.reviewer), Approve: c.approver != "" && contains(c.can, c.approver)}
	d.Final = d.Approve || (c.approver == "" && d.Review)
	return d
}

func (s *Service) loadTargetCtx(ctx context.Context, tx Tx, by, person string, now time.Time) (targetCtx, error) {
	var c targetCtx
	p, err := tx.Person(ctx, person)
	if err != nil {
		return c, fmt.Errorf("person %s: %w", person, err)
	}
	units, err := unitMap(ctx, tx)
	if err != nil {
		return c, err
	}
	st, err := tx.Settings(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return c, err
	}
	c.p = p
	c.reviewer, c.approver = s.targetLevels(p, units, st)
	if c.can, err = actingFor(ctx, tx, by, now); err != nil {
		return c, err
	}
	return c, nil
}

// TargetDuties says what by may do about person's targets now (for the
// leader's card). It is the zero TargetDuty for the person themselves and
// for anyone who holds neither level. Errors: ErrNotFound (no such person).
func (s *Service) TargetDuties(ctx context.Context, by, person string) (TargetDuty, error) {
	now := s.clock.Now()
	var d TargetDuty
	err := s.view(ctx, func(tx Tx) error {
		c, err := s.loadTargetCtx(ctx, tx, by, person, now)
		if err != nil {
			return err
		}
		d = c.duty(by)
		return nil
	})
	return d, err
}

// TargetsOf returns a person's 年初分解 for a year as the caller may see
// it: the person themselves, whoever reviews or approves them (or an
// active delegate) and HR. The leader's card is built from it. Errors:
// ErrNotFound (no such person), ErrForbidden.
func (s *Service) TargetsOf(ctx context.Context, by, person string, year int) ([]Target, error) {
	now := s.clock.Now()
	var out []Target
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		c, err := s.loadTargetCtx(ctx, tx, by, person, now)
		if err != nil {
			return err
		}
		if by != person && !c.duty(by).any() {
			me, err := tx.Person(ctx, by)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if err != nil || !me.HR {
				return fmt.Errorf("%s may not see %s's targets: %w", by, person, forbidden("只有本人、其审核或审定领导（或受托人）和政工科可以查看年度目标"))
			}
		}
		out, err = tx.Targets(ctx, person, year)
		return err
	})
	return out, err
}

// PendingTargets is one person whose targets wait for the caller.
type PendingTargets struct {
	Person string // open_id
	Name   string
	// Review counts the drafts waiting for the caller's 审核, Approve the
	// reviewed targets waiting for the caller's 审定.
	Review, Approve int
}

// TargetsAwaiting lists the people whose 年初分解 for year has targets
// waiting for by (or someone by acts for) at either level, for the
// leader's 待办. It is empty, not an error, for someone who leads nobody.
func (s *Service) TargetsAwaiting(ctx context.Context, by string, year int) ([]PendingTargets, error) {
	now := s.clock.Now()
	var out []PendingTargets
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		st, err := tx.Settings(ctx)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		can, err := actingFor(ctx, tx, by, now)
		if err != nil {
			return err
		}
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		for _, p := range people {
			if !p.Assessed {
				continue
			}
			c := targetCtx{p: p, can: can}
			c.reviewer, c.approver = s.targetLevels(p, units, st)
			d := c.duty(by)
			if !d.any() {
				continue
			}
			ts, err := tx.Targets(ctx, p.ID, year)
			if err != nil {
				return err
			}
			pt := PendingTargets{Person: p.ID, Name: p.Name}
			for _, t := range ts {
				switch {
				case t.State == TargetDraft && d.Review:
					pt.Review++
				case t.State == TargetReviewed && d.Approve && t.ReviewedBy != by:
					pt.Approve++
				}
			}
			if pt.Review+pt.Approve > 0 {
				out = append(out, pt)
			}
		}
		return nil
	})
	return out, err
}

// ProposeTargets adds by's own annual targets as drafts and asks whoever
// reviews them (审核). Errors: ErrForbidden (not assessed),
// ErrInvalidInput (empty title, deadline outside the year).
func (s *Service) ProposeTargets(ctx context.Context, by string, year int, ts []TargetInput) error {
	return s.change(ctx, by, "target.propose", by, func(o *op) error {
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		if !me.Assessed {
			return fmt.Errorf("%s is not assessed: %w", by, ErrForbidden)
		}
		if len(ts) == 0 || len(ts) > 100 {
			return invalid("targets", "须填写 1 至 100 项")
		}
		have, err := o.tx.Targets(o.ctx, by, year)
		if err != nil {
			return err
		}
		for i, t := range ts {
			if err := checkTargetInput(fmt.Sprintf("targets[%d]", i), t, year); err != nil {
				return err
			}
			id := fmt.Sprintf("%d/%s/%d", year, by, len(have)+i+1)
			if err := o.tx.CreateTarget(o.ctx, Target{ID: id, Person: by, Year: year, Title: t.Title, Quantity: t.Quantity,
				Deadline: t.Deadline, Standard: t.Standard, Lead: t.Lead, State: TargetDraft}); err != nil {
				return err
			}
		}
		c, err := s.loadTargetCtx(o.ctx, o.tx, by, by, o.now)
		if err != nil {
			return err
		}
		if c.reviewer != "" {
			o.note(c.reviewer, TplTargetsProposed, map[string]string{"person": me.Name, "person_id": by, "year": strconv.Itoa(year), "count": strconv.Itoa(len(ts))}, by, strconv.Itoa(year), strconv.Itoa(len(have)))
		} else {
			o.logf("nobody reviews %s's targets", by)
		}
		o.logf("%d targets for %d", len(ts), year)
		return nil
	})
}

// loadTarget reads a target through its owner's list (ids are
// "<year>/<person>/<n>").
func loadTarget(o *op, id string) (Target, error) {
	year, person, ok := splitTargetID(id)
	if ok {
		ts, err := o.tx.Targets(o.ctx, person, year)
		if err != nil {
			return Target{}, err
		}
		for _, t := range ts {
			if t.ID == id {
				return t, nil
			}
		}
	}
	return Target{}, fmt.Errorf("target %s: %w", id, ErrNotFound)
}

// decideTarget loads a target for a leader's decision: by must hold a
// level for its person (any level, so a double click on a card that has
// moved on is stale rather than refused) and the card's version must be
// the target's.
func (s *Service) decideTarget(o *op, id string, version int) (Target, targetCtx, error) {
	t, err := loadTarget(o, id)
	if err != nil {
		return t, targetCtx{}, err
	}
	if t.Person == o.actor {
		return t, targetCtx{}, forbidden("不能审核本人的年度目标")
	}
	c, err := s.loadTargetCtx(o.ctx, o.tx, o.actor, t.Person, o.now)
	if err != nil {
		return t, c, err
	}
	if !c.duty(o.actor).any() {
		return t, c, fmt.Errorf("%s neither reviews nor approves %s's targets: %w", o.actor, t.Person, ErrForbidden)
	}
	if t.Version != version {
		return t, c, fmt.Errorf("target %s version %d, card %d: %w", t.ID, t.Version, version, ErrStale)
	}
	return t, c, nil
}

// levelFor says which level t waits for and whether by may decide it:
// 审核 of a draft by its reviewer, 审定 of a reviewed target by its
// approver, never both levels by the same person.
func levelFor(t Target, c targetCtx, by string) (string, error) {
	d := c.duty(by)
	switch t.State {
	case TargetDraft:
		if !d.Review {
			return "", fmt.Errorf("%s does not review %s's targets: %w", by, t.Person, forbidden("该目标待科室负责人审核"))
		}
		return TargetLevelReview, nil
	case TargetReviewed:
		if !d.Approve {
			return "", fmt.Errorf("%s does not approve %s's targets: %w", by, t.Person, forbidden("该目标待分管领导审定"))
		}
		if t.ReviewedBy == by {
			// Two signatures on the form mean two people: whoever holds
			// both levels (a delegate of both leaders) leaves one to another.
			return "", forbidden("同一人不能既审核又审定同一项目标")
		}
		return TargetLevelApprove, nil
	}
	return "", fmt.Errorf("target %s is %s: %w", t.ID, t.State, ErrInvalidTransition)
}

// ConfirmTarget passes a target at the level it waits for: a draft's 审核
// by the person's reviewer (which also approves it where the review is
// final), a reviewed target's 审定 by the approver; an active delegate acts
// for either. The audit action is target.review or target.approve. Errors:
// ErrNotFound, ErrForbidden (not a level of by's, by's own target, or both
// levels by one person), ErrStale, ErrInvalidTransition.
func (s *Service) ConfirmTarget(ctx context.Context, by, targetID string, version int) error {
	return s.change(ctx, by, "target.confirm", targetID, func(o *op) error {
		t, c, err := s.decideTarget(o, targetID, version)
		if err != nil {
			return err
		}
		level, err := levelFor(t, c, by)
		if err != nil {
			return err
		}
		o.action = "target." + level
		switch {
		case level == TargetLevelReview && c.approver != "":
			t.State, t.ReviewedBy = TargetReviewed, by
		case level == TargetLevelReview:
			t.State, t.ReviewedBy, t.ApprovedBy = TargetApproved, by, by
			o.logf("review is final: nobody above %s", by)
		default:
			t.State, t.ApprovedBy = TargetApproved, by
		}
		t.Version++
		if err := o.tx.UpdateTarget(o.ctx, t); err != nil {
			return err
		}
		return s.targetsSettled(o, c, t, level)
	})
}

// ReturnTarget sends a target back to its person with a reason, at the
// level it waits for (the same rule as ConfirmTarget). The person is told
// and revises it (ReviseTarget). Errors: as ConfirmTarget, and
// ErrInvalidInput (no reason).
func (s *Service) ReturnTarget(ctx context.Context, by, targetID string, version int, reason string) error {
	return s.change(ctx, by, "target.return", targetID, func(o *op) error {
		t, c, err := s.decideTarget(o, targetID, version)
		if err != nil {
			return err
		}
		level, err := levelFor(t, c, by)
		if err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		t.State, t.ReturnedBy, t.ReturnLevel, t.ReturnReason, t.ReviewedBy = TargetReturned, by, level, reason, ""
		t.Version++
		if err := o.tx.UpdateTarget(o.ctx, t); err != nil {
			return err
		}
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		o.note(t.Person, TplTargetReturned, map[string]string{"target": t.ID, "title": t.Title, "reason": reason, "by": me.Name,
			"level": level, "year": strconv.Itoa(t.Year)}, t.ID, strconv.Itoa(t.Version))
		o.logf("returned at %s: %s", level, reason)
		return s.targetsSettled(o, c, t, level)
	})
}

// targetsSettled tells the next person once a level has finished with a
// person's targets for the year, so a leader deciding ten targets one by
// one sends one notice, not ten: when no draft is left, the approver is
// asked to 审定 what was reviewed and the person is told it passed 审核;
// when nothing is left at either level, the person is told their targets
// are approved.
func (s *Service) targetsSettled(o *op, c targetCtx, t Target, level string) error {
	ts, err := o.tx.Targets(o.ctx, t.Person, t.Year)
	if err != nil {
		return err
	}
	var drafts, reviewed, approved int
	for _, x := range ts {
		switch x.State {
		case TargetDraft:
			drafts++
		case TargetReviewed:
			reviewed++
		case TargetApproved:
			approved++
		}
	}
	year := strconv.Itoa(t.Year)
	key := []string{t.ID, strconv.Itoa(t.Version)}
	switch {
	case drafts > 0:
		// The reviewer is not done with this person yet.
	case level == TargetLevelReview && reviewed > 0 && c.approver != "":
		o.note(c.approver, TplTargetsReviewed, map[string]string{"person": c.p.Name, "person_id": c.p.ID, "year": year,
			"count": strconv.Itoa(reviewed)}, key...)
		o.note(t.Person, TplTargetsDecided, map[string]string{"level": TargetLevelReview, "year": year, "count": strconv.Itoa(reviewed)}, key...)
	case reviewed == 0 && approved > 0 && (level == TargetLevelApprove || c.approver == ""):
		o.note(t.Person, TplTargetsDecided, map[string]string{"level": TargetLevelApprove, "year": year, "count": strconv.Itoa(approved)}, key...)
	}
	return nil
}

// ReviseTarget is the person's revision of a target sent back to them: the
// new text replaces the old and the target is a draft again, waiting for
// 审核 (the reason it was sent back stays on it for the reviewer to read).
// Errors: ErrNotFound, ErrForbidden (not by's target), ErrStale,
// ErrInvalidTransition (not sent back), ErrInvalidInput.
func (s *Service) ReviseTarget(ctx context.Context, by, targetID string, version int, in TargetInput) error {
	return s.change(ctx, by, "target.revise", targetID, func(o *op) error {
		t, err := loadTarget(o, targetID)
		if err != nil {
			return err
		}
		if t.Person != by {
			return fmt.Errorf("%s revises %s's target: %w", by, t.Person, forbidden("只能修改本人的年度目标"))
		}
		if t.Version != version {
			return fmt.Errorf("target %s version %d, card %d: %w", t.ID, t.Version, version, ErrStale)
		}
		if t.State != TargetReturned {
			return fmt.Errorf("target %s is %s: %w", t.ID, t.State, ErrInvalidTransition)
		}
		if err := checkTargetInput("target", in, t.Year); err != nil {
			return err
		}
		t.Title, t.Quantity, t.Deadline, t.Standard, t.Lead = in.Title, in.Quantity, in.Deadline, in.Standard, in.Lead
		t.State, t.ReviewedBy = TargetDraft, ""
		t.Version++
		if err := o.tx.UpdateTarget(o.ctx, t); err != nil {
			return err
		}
		c, err := s.loadTargetCtx(o.ctx, o.tx, by, by, o.now)
		if err != nil {
			return err
		}
		if c.reviewer != "" {
			o.note(c.reviewer, TplTargetsProposed, map[string]string{"person": c.p.Name, "person_id": by, "year": strconv.Itoa(t.Year),
				"count": "1", "revised": "1"}, t.ID, strconv.Itoa(t.Version))
		}
		return nil
	})
}

// MarkTargetExceeded sets or clears 超额完成 on a done target. The leader of
// the final level decides it (the 审定 leader, or the reviewer where the
// review is final): the one who agreed the quantity judges whether it was
// exceeded, not the person. Errors: ErrNotFound, ErrForbidden, ErrStale,
// ErrInvalidTransition (not done).
func (s *Service) MarkTargetExceeded(ctx context.Context, by, targetID string, version int, exceeded bool) error {
	return s.change(ctx, by, "target.exceed", targetID, func(o *op) error {
		t, c, err := s.decideTarget(o, targetID, version)
		if err != nil {
			return err
		}
		if !c.duty(by).Final {
			return fmt.Errorf("%s is not the final level for %s: %w", by, t.Person, forbidden("超额完成由审定目标的领导认定"))
		}
		if t.State != TargetDone {
			return fmt.Errorf("target %s is %s: %w", t.ID, t.State, ErrInvalidTransition)
		}
		t.Exceeded = exceeded
		t.Version++
		o.logf("exceeded=%t", exceeded)
		return o.tx.UpdateTarget(o.ctx, t)
	})
}

// Targets returns by's targets for a year.
func (s *Service) Targets(ctx context.Context, by string, year int) ([]Target, error) {
	var out []Target
	err := s.view(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Targets(ctx, by, year)
		return err
	})
	return out, err
}
