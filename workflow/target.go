package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TargetsOf returns a person's 年初分解 for a year as the caller may see
// it: the person themselves, whoever confirms them (their leader or an
// active delegate) and HR. The leader's confirmation card is built from
// it. Errors: ErrNotFound (no such person), ErrForbidden.
func (s *Service) TargetsOf(ctx context.Context, by, person string, year int) ([]Target, error) {
	now := s.clock.Now()
	var out []Target
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		p, err := tx.Person(ctx, person)
		if err != nil {
			return fmt.Errorf("person %s: %w", person, err)
		}
		if by != person {
			me, err := tx.Person(ctx, by)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			ok := err == nil && me.HR
			if !ok {
				if ok, err = confirmsTargets(ctx, tx, by, p, now); err != nil {
					return err
				}
			}
			if !ok {
				return fmt.Errorf("%s may not see %s's targets: %w", by, person, forbidden("只有本人、其考核领导（或受托人）和政工科可以查看年度目标"))
			}
		}
		out, err = tx.Targets(ctx, person, year)
		return err
	})
	return out, err
}

// PendingTargets is one person whose draft targets the caller may confirm.
type PendingTargets struct {
	Person string // open_id
	Name   string
	Drafts int
}

// TargetsAwaiting lists the people whose 年初分解 for year has drafts that by
// (or someone by acts for) confirms, for the leader's 待办. It is empty,
// not an error, for someone who leads nobody.
func (s *Service) TargetsAwaiting(ctx context.Context, by string, year int) ([]PendingTargets, error) {
	now := s.clock.Now()
	var out []PendingTargets
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		leads, err := leadsFor(ctx, tx, by, now)
		if err != nil {
			return err
		}
		people, err := tx.People(ctx)
		if err != nil {
			return err
		}
		for _, p := range people {
			if !p.Assessed || !leads(p) {
				continue
			}
			ts, err := tx.Targets(ctx, p.ID, year)
			if err != nil {
				return err
			}
			n := 0
			for _, t := range ts {
				if t.State == TargetDraft {
					n++
				}
			}
			if n > 0 {
				out = append(out, PendingTargets{Person: p.ID, Name: p.Name, Drafts: n})
			}
		}
		return nil
	})
	return out, err
}

// confirmsTargets reports whether by may confirm p's targets: the same
// rule as ConfirmTarget (p's leader, or their active delegate).
func confirmsTargets(ctx context.Context, tx Tx, by string, p Person, now time.Time) (bool, error) {
	leads, err := leadsFor(ctx, tx, by, now)
	if err != nil {
		return false, err
	}
	return leads(p), nil
}
