package workflow

import (
	"context"
	"errors"
	"fmt"
)

// RecordTalk records that the talk a person's grade called for took place
// (the person's leader or their delegate; scheme talks): kind is the rule's
// (谈话, 诫勉谈话) and note what was said and agreed. It is kept as the
// person's EntryTalk of the period, audited, and can be recorded once.
// Errors: ErrForbidden, ErrNotFound (no result), ErrInvalidInput (no note,
// a kind the grade does not call for), ErrConflict (already recorded).
func (s *Service) RecordTalk(ctx context.Context, by, periodID, person, kind, note string) error {
	return s.change(ctx, by, "talk.record", periodID+"/"+person, func(o *op) error {
		p, err := s.person(o, person, "person")
		if err != nil {
			return err
		}
		if err := s.leaderCan(o, p); err != nil {
			return err
		}
		r, err := o.tx.Result(o.ctx, periodID, person)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("no result of %s in %s: %w", person, periodID, ErrNotFound)
		} else if err != nil {
			return err
		}
		called := false
		for _, tr := range s.scheme.Talks {
			called = called || (tr.Kind == kind && contains(tr.Grades, r.Grade))
		}
		if !called {
			return invalid("kind", "该等次不需要"+kind)
		}
		if err := needText("note", note); err != nil {
			return err
		}
		e := Entry{EntryKey: EntryKey{Kind: EntryTalk, Person: person, Period: periodID}, Cycle: periodID, State: EntryCommented,
			Body: EntryBody{Summary: note}, Comment: kind, CommentBy: by, SubmittedAt: o.now, Version: 1}
		if err := o.tx.CreateEntry(o.ctx, e); err != nil {
			return err
		}
		o.logf("%s recorded", kind)
		return nil
	})
}
