package workflow

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// Step actions.
const (
	ActApprove  = "approve"   // pass the step on (the first step must carry an assessment)
	ActSendBack = "send_back" // return to the previous step, or to the employee from the first
)

// StepAction is a leader's decision on a step. A card carries only StepID
// and Version; the actor is the verified caller.
type StepAction struct {
	StepID  string
	Version int
	Action  string
	// Assessment: required on the first step; on a later step a changed
	// assessment is an adjustment and needs Reason.
	Assessment *Assessment
	Reason     string
}

// startChain creates the first step of p's chain for period (after the
// self-summary), or records the chain as empty when no leader resolves.
func (s *Service) startChain(o *op, p Person, period Period) error {
	pending, err := o.tx.Steps(o.ctx, StepFilter{Period: period.ID, Person: p.ID, State: StepPending})
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return nil // a send-back to the employee leaves no pending step; this is a repeat
	}
	return s.createStep(o, p, period.ID, 0, Assessment{})
}

// createStep creates the step at chain position index (skipping positions
// with no assignee), carrying a. When index is past the end the chain is done.
func (s *Service) createStep(o *op, p Person, period string, index int, a Assessment) error {
	u, err := o.tx.Unit(o.ctx, assessingUnit(p))
	if err != nil {
		return fmt.Errorf("unit of %s: %w", p.ID, err)
	}
	st, err := o.tx.Settings(o.ctx)
	if err != nil {
		return err
	}
	chain := s.chainFor(p, u)
	for ; index < len(chain); index++ {
		if resolve(chain[index].Role, p, u, st) != "" {
			break
		}
	}
	if index >= len(chain) {
		return s.chainDone(o, p, period)
	}
	all, err := o.tx.Steps(o.ctx, StepFilter{Period: period, Person: p.ID})
	if err != nil {
		return err
	}
	seq := len(all) + 1
	due := s.cal.AddWorkdays(s.today(o.now), s.cfg.StepWorkdays)
	step := Step{
		ID: fmt.Sprintf("%s/%s/%d", period, p.ID, seq), Period: period, Person: p.ID, Seq: seq, Index: index,
		Role: chain[index].Role, Name: chain[index].Name, Assignee: resolve(chain[index].Role, p, u, st),
		State: StepPending, Due: due, Assessment: a, Version: 1,
	}
	if err := o.tx.CreateStep(o.ctx, step); err != nil {
		return err
	}
	data := map[string]string{"step": step.ID, "person": p.Name, "name": step.Name, "due": due.String()}
	o.note(step.Assignee, TplStepAssigned, data, step.ID)
	dels, err := delegatesOf(o.ctx, o.tx, step.Assignee, o.now)
	if err != nil {
		return err
	}
	for _, d := range dels {
		o.note(d, TplStepAssigned, data, step.ID)
	}
	o.logf("step %s (%s) -> %s", step.ID, step.Name, step.Assignee)
	return nil
}

// chainDone tells HR a person's chain finished, and that the period is
// ready for the committee when it was the last one.
func (s *Service) chainDone(o *op, p Person, period string) error {
	people, err := o.tx.People(o.ctx)
	if err != nil {
		return err
	}
	o.logf("chain of %s done", p.ID)
	missing, err := s.unfinished(o.ctx, o.tx, period, people)
	if err != nil {
		return err
	}
	if len(missing) == 0 {
		for _, hr := range hrPeople(people) {
			o.note(hr, TplAppraisalReady, map[string]string{"period": period}, period)
		}
	}
	return nil
}

// Act is a leader's decision on a step: approve (with the assessment on
// the first step, or an adjustment with a reason later) or send back with a
// reason. Only the step's assignee or their active delegate may act, and
// only on the version their card shows; the check and the change are one
// compare-and-set. Errors: ErrNotFound, ErrForbidden, ErrStale (the step
// moved on or the card is old), ErrInvalidInput (missing assessment or
// reason, a score out of range), ErrWindowClosed (period past appraisal).
func (s *Service) Act(ctx context.Context, by string, a StepAction) error {
	return s.change(ctx, by, "step."+a.Action, a.StepID, func(o *op) error {
		step, err := o.tx.Step(o.ctx, a.StepID)
		if err != nil {
			return err
		}
		if step.Person == by {
			// However the step reached them (a delegation, a stale
			// assignment): nobody decides their own appraisal.
			return forbidden("不能审核本人的考核")
		}
		can, err := actingFor(o.ctx, o.tx, by, o.now)
		if err != nil {
			return err
		}
		// A step left with nobody (its role emptied all the way up the
		// chain) waits for HR's 转办; nobody acts on it meanwhile.
		if step.Assignee == "" || !contains(can, step.Assignee) {
			return fmt.Errorf("step %s belongs to %q: %w", step.ID, step.Assignee, ErrForbidden)
		}
		if step.State != StepPending || step.Version != a.Version {
			return fmt.Errorf("step %s is %s v%d, card v%d: %w", step.ID, step.State, step.Version, a.Version, ErrStale)
		}
		if _, err := s.openPeriod(o, step.Period); err != nil {
			return err
		}
		p, err := o.tx.Person(o.ctx, step.Person)
		if err != nil {
			return err
		}
		next := step
		next.Version++
		next.ActedBy, next.ActedAt = by, o.now
		if by != step.Assignee {
			o.logf("acting for %s", step.Assignee)
		}
		switch a.Action {
		case ActApprove:
			if a.Assessment == nil && step.Index == 0 && isEmpty(step.Assessment) {
				return invalid("scores", "初评须填写评分")
			}
			if a.Assessment != nil {
				if err := ValidateAssessment(s.schemeOfID(step.Period), *a.Assessment); err != nil {
					return err
				}
				if rf := a.Assessment.Refusal; rf != nil {
					if d, _ := calendar.ParseDate(rf.Warned); d.After(s.today(o.now)) {
						return invalid("refusal.warned", "批评教育的日期不能晚于今天")
					}
				}
				if !isEmpty(step.Assessment) && !reflect.DeepEqual(*a.Assessment, step.Assessment) {
					if err := needText("reason", a.Reason); err != nil {
						return err
					}
					o.logf("adjusted: %s", a.Reason)
				}
				next.Assessment = *a.Assessment
			}
			next.State, next.Reason = StepApproved, a.Reason
		case ActSendBack:
			if err := needText("reason", a.Reason); err != nil {
				return err
			}
			next.State, next.Reason = StepReturned, a.Reason
		default:
			return invalid("kind", "未知操作："+a.Action)
		}
		if err := o.tx.DecideStep(o.ctx, next, can); err != nil {
			return err
		}
		o.logf("%s v%d", next.State, next.Version)
		if a.Action == ActApprove {
			return s.createStep(o, p, step.Period, step.Index+1, next.Assessment)
		}
		return s.sendBack(o, p, step, a.Reason)
	})
}

// sendBack returns a step to the previous leader of the chain, or the
// self-summary to the employee when the first step sends back.
func (s *Service) sendBack(o *op, p Person, step Step, reason string) error {
	if step.Index > 0 {
		u, err := o.tx.Unit(o.ctx, assessingUnit(p))
		if err != nil {
			return err
		}
		st, err := o.tx.Settings(o.ctx)
		if err != nil {
			return err
		}
		chain := s.chainFor(p, u)
		prev := step.Index - 1
		for prev > 0 && resolve(chain[prev].Role, p, u, st) == "" {
			prev--
		}
		if resolve(chain[prev].Role, p, u, st) != "" {
			if err := s.createStep(o, p, step.Period, prev, step.Assessment); err != nil {
				return err
			}
			last := o.notes[len(o.notes)-1]
			o.note(last.To, TplStepReturned, map[string]string{"step": last.Data["step"], "person": p.Name, "reason": reason}, last.Data["step"])
			return nil
		}
	}
	key := EntryKey{Kind: EntryQuarterly, Person: p.ID, Period: step.Period}
	e, err := o.tx.Entry(o.ctx, key)
	if err != nil {
		return err
	}
	e.State, e.Reason = EntryReturned, reason
	e.Version++
	if err := o.tx.UpdateEntry(o.ctx, e); err != nil {
		return err
	}
	o.note(p.ID, TplEntryReturned, map[string]string{"kind": EntryQuarterly, "period": step.Period, "reason": reason}, step.ID)
	return nil
}

func isEmpty(a Assessment) bool { return reflect.DeepEqual(a, Assessment{}) }

// Reassign moves a pending step to another leader (HR only), e.g. when the
// assignee is away without a delegate and the step was escalated, or when
// an organisation change left it with nobody. The new assignee, the old
// one and the appraised person are told. Nobody chooses who decides
// about them: HR may not move their own step, nor give a step to the
// person it is about (refusals, audited). Errors: ErrForbidden,
// ErrNotFound, ErrStale, ErrInvalidInput.
func (s *Service) Reassign(ctx context.Context, by, stepID string, version int, to, reason string) error {
	return s.change(ctx, by, "step.reassign", stepID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		step, err := o.tx.Step(o.ctx, stepID)
		if err != nil {
			return err
		}
		if step.Person == by {
			return forbidden("不能转办本人的考核")
		}
		dest, err := s.person(o, to, "person")
		if err != nil {
			return err
		}
		if to == step.Person {
			return forbidden("不能由本人审核本人的考核")
		}
		if may, err := holdsSteps(o, dest); err != nil {
			return err
		} else if !may {
			return invalid("person", "只能转给负责考核审核的领导或考核委员会成员："+dest.Name)
		}
		if step.State != StepPending || step.Version != version {
			return fmt.Errorf("step %s is %s v%d: %w", stepID, step.State, step.Version, ErrStale)
		}
		p, err := o.tx.Person(o.ctx, step.Person)
		if err != nil {
			return err
		}
		o.logf("reassigned: %s", reason)
		return s.handOver(o, p, step, to, "政工科转办："+reason, "")
	})
}

// MySteps returns the pending steps by may act on: their own and those of
// leaders who delegated to them.
func (s *Service) MySteps(ctx context.Context, by string) ([]Step, error) {
	var out []Step
	now := s.clock.Now()
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		can, err := actingFor(ctx, tx, by, now)
		if err != nil {
			return err
		}
		for _, a := range can {
			st, err := tx.Steps(ctx, StepFilter{Assignee: a, State: StepPending})
			if err != nil {
				return err
			}
			out = append(out, st...)
		}
		return nil
	})
	return out, err
}

// Chain returns a person's steps for a period: the person, HR, and the
// leaders in the chain may see them. Errors: ErrForbidden.
func (s *Service) Chain(ctx context.Context, by, period, person string) ([]Step, error) {
	var out []Step
	err := s.view(ctx, func(tx Tx) error {
		steps, err := tx.Steps(ctx, StepFilter{Period: period, Person: person})
		if err != nil {
			return err
		}
		if err := s.canSee(ctx, tx, by, person, steps); err != nil {
			return err
		}
		out = steps
		return nil
	})
	return out, err
}

// canSee: results and chains are visible only to the person, their chain
// and HR (and the committee, which decides them).
func (s *Service) canSee(ctx context.Context, tx Tx, by, person string, steps []Step) error {
	if by == person {
		return nil
	}
	me, err := tx.Person(ctx, by)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("unknown caller %s: %w", by, ErrForbidden)
	} else if err != nil {
		return err
	}
	if me.HR || me.Committee {
		return nil
	}
	for _, st := range steps {
		if st.Assignee == by || st.ActedBy == by {
			return nil
		}
	}
	return fmt.Errorf("%s may not see %s: %w", by, person, ErrForbidden)
}
