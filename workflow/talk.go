package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kaohe/kaohe/scoring"
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
		for _, tr := range s.schemeOfID(periodID).Talks {
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

// Talks a period's results call for, besides the grade talks of the scheme
// (RecordTalk): each is recorded once per person and period, by the one
// the notice asked.
const (
	// TalkHalfYear is the 分管领导's 谈心谈话 with the lowest-ranked of
	// the units they oversee after the second and fourth quarter (S8
	// 四(三)5, Config.HalfYearTalk; TplHalfYearTalk).
	TalkHalfYear = "half_year"
	// TalkBottom is the 诫勉谈话 after Config.BottomAlertAfter bottom grades
	// in a row (S4 五、8; TplBottomAlert). The alert goes to HR, and HR
	// records it: no seed names who holds a 诫勉谈话 (S4 only says 及时进行
	// 谈话提醒和批评教育), and it is the 政工科 that arranges one and keeps
	// its record, whoever of the leaders holds it. Where the scheme's own
	// talks already ask the leader for a 诫勉谈话 after the bottom grade
	// (S5 五(二): 主管领导…诫勉谈话, alerted after one D), it is that one talk
	// and one record, which either of them may write (talkEntry).
	TalkBottom = "bottom"
)

// Talk kinds shown for the talks above.
const (
	talkKindHalfYear = "谈心谈话"
	talkKindBottom   = "诫勉谈话"
)

// TalkDue is a talk someone may record: who with, why, and whether it was
// recorded.
type TalkDue struct {
	// Reason is TalkHalfYear or TalkBottom; Kind the talk's name (谈心谈话,
	// 诫勉谈话).
	Reason, Kind string
	Period       string
	Person, Name string
	Grade        string
	// Periods is the run of bottom grades, oldest first (TalkBottom).
	Periods []string
	// Note and RecordedBy are set once the talk is recorded.
	Note, RecordedBy string
	// Others are the other people of the same talk list not yet recorded
	// (TalkHalfYear: the lowest-ranked tied with Person), by name.
	Others []TalkPerson
}

// TalkPerson names one person of a talk list.
type TalkPerson struct{ ID, Name string }

// TalkKey is the entry a talk is kept as: a grade talk under the period
// (RecordTalk), the others under "<period>/<reason>", so a person can have
// each once.
func TalkKey(period, person, reason string) EntryKey {
	if reason != "" {
		period += "/" + reason
	}
	return EntryKey{Kind: EntryTalk, Person: person, Period: period}
}

// talkEntry is the entry a talk of reason with person after period is
// kept as: TalkKey, except that HR's 诫勉谈话 is the grade talk's entry
// when the scheme already asks the leader for a 诫勉谈话 after the bottom
// grade, so the talk is recorded once by whichever of the two comes first
// and the other finds it recorded.
func (s *Service) talkEntry(period, person, reason string) EntryKey {
	if reason == TalkBottom {
		sc := s.schemeOfID(period)
		bottom := sc.Grades[len(sc.Grades)-1].Label
		for _, tr := range sc.Talks {
			if tr.Kind == talkKindBottom && contains(tr.Grades, bottom) {
				return TalkKey(period, person, "")
			}
		}
	}
	return TalkKey(period, person, reason)
}

// TalkFor returns the talk of reason (TalkHalfYear, TalkBottom) that by
// may record with person after period: the 谈心谈话 by the 分管领导 (or who
// stands in for them) of one of the lowest-ranked of the units they
// oversee, after a half-year's period is published; the 诫勉谈话 by HR of
// someone whose bottom grades in a row end with period, once it is
// confirmed. Errors: ErrForbidden (anyone else, or a talk that is not
// due: the answer does not tell which), ErrInvalidInput (another reason).
func (s *Service) TalkFor(ctx context.Context, by, period, person, reason string) (TalkDue, error) {
	var out TalkDue
	err := s.view(ctx, func(tx Tx) error {
		var err error
		out, err = s.talkFor(ctx, tx, by, period, person, reason, s.clock.Now())
		return err
	})
	if errors.Is(err, ErrForbidden) {
		s.auditDenial(ctx, by, "talk.read", period+"/"+person+"/"+reason, err)
		err = audited{err}
	}
	return out, err
}

// RecordTalkFor records the talk of reason that TalkFor allows: note is
// what was said and agreed. Kept as the person's TalkKey entry, audited,
// once. Errors: as TalkFor, ErrInvalidInput (no note), ErrConflict
// (already recorded).
func (s *Service) RecordTalkFor(ctx context.Context, by, periodID, person, reason, note string) error {
	return s.change(ctx, by, "talk.record", periodID+"/"+person+"/"+reason, func(o *op) error {
		t, err := s.talkFor(o.ctx, o.tx, by, periodID, person, reason, o.now)
		if err != nil {
			return err
		}
		if t.Note != "" {
			return fmt.Errorf("%s with %s in %s recorded: %w", t.Kind, person, periodID, ErrConflict)
		}
		if err := needText("note", note); err != nil {
			return err
		}
		e := Entry{EntryKey: s.talkEntry(periodID, person, reason), Cycle: periodID, State: EntryCommented,
			Body: EntryBody{Summary: note}, Comment: t.Kind, CommentBy: by, SubmittedAt: o.now, Version: 1}
		if err := o.tx.CreateEntry(o.ctx, e); err != nil {
			return err
		}
		o.logf("%s recorded", t.Kind)
		return nil
	})
}

func (s *Service) talkFor(ctx context.Context, tx Tx, by, periodID, person, reason string, now time.Time) (TalkDue, error) {
	no := fmt.Errorf("%s has no %s talk with %s in %s: %w", by, reason, person, periodID, ErrForbidden)
	out := TalkDue{Reason: reason, Period: periodID, Person: person}
	me, err := tx.Person(ctx, by)
	if errors.Is(err, ErrNotFound) {
		return out, no
	} else if err != nil {
		return out, err
	}
	period, err := tx.Period(ctx, periodID)
	if errors.Is(err, ErrNotFound) {
		return out, no
	} else if err != nil {
		return out, err
	}
	r, err := tx.Result(ctx, periodID, person)
	if errors.Is(err, ErrNotFound) {
		return out, no
	} else if err != nil {
		return out, err
	}
	out.Grade = r.Grade
	switch reason {
	case TalkHalfYear:
		out.Kind = talkKindHalfYear
		if !s.cfg.HalfYearTalk || !halfYearEnd(period) || (period.State != PeriodPublished && period.State != PeriodClosed) {
			return out, no
		}
		results, err := tx.Results(ctx, periodID)
		if err != nil {
			return out, err
		}
		people, err := tx.People(ctx)
		if err != nil {
			return out, err
		}
		byID := map[string]Person{}
		for _, p := range people {
			byID[p.ID] = p
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return out, err
		}
		can, err := actingFor(ctx, tx, by, now)
		if err != nil {
			return out, err
		}
		lowest := s.halfYearLowest(s.schemeOfID(periodID), results, byID, units)
		var list []Result
		for _, t := range can {
			if slices.ContainsFunc(lowest[t], func(r Result) bool { return r.Person == person }) {
				list = lowest[t]
				break
			}
		}
		if list == nil {
			return out, no
		}
		for _, o := range list {
			if o.Person == person {
				continue
			}
			if _, err := tx.Entry(ctx, TalkKey(periodID, o.Person, reason)); errors.Is(err, ErrNotFound) {
				out.Others = append(out.Others, TalkPerson{ID: o.Person, Name: byID[o.Person].Name})
			} else if err != nil {
				return out, err
			}
		}
	case TalkBottom:
		out.Kind = talkKindBottom
		sc := s.schemeOfID(periodID)
		bottom := sc.Grades[len(sc.Grades)-1].Label
		if !me.HR || r.Grade != bottom || period.State == PeriodOpen || period.State == PeriodCommittee {
			return out, no
		}
		periods, err := tx.Periods(ctx)
		if err != nil {
			return out, err
		}
		run, err := s.bottomRun(ctx, tx, period, periods, person)
		if err != nil {
			return out, err
		}
		if run == nil {
			return out, no
		}
		out.Periods = run
	default:
		return out, invalid("reason", "未知的谈话类型")
	}
	p, err := tx.Person(ctx, person)
	if err != nil {
		return out, err
	}
	out.Name = p.Name
	e, err := tx.Entry(ctx, s.talkEntry(periodID, person, reason))
	if err == nil {
		out.Note, out.RecordedBy = e.Body.Summary, e.CommentBy
	} else if !errors.Is(err, ErrNotFound) {
		return out, err
	}
	return out, nil
}

// halfYearLowest returns, for each 分管领导, the lowest-ranked graded
// people of the units they oversee, by name (S8 四(三)5: "分管领导每半年对
// 考核结果靠后的人员进行谈心谈话" — the talk is the 分管领导's, over the
// units they oversee; a unit without one falls back to its leader; nobody
// is asked to talk with themselves). Ties at the bottom are all listed.
func (s *Service) halfYearLowest(sc *scoring.Scheme, results []Result, byID map[string]Person, units map[string]Unit) map[string][]Result {
	rank := map[string]int{}
	for i, g := range sc.Grades {
		rank[g.Label] = i
	}
	talker := func(uid string) string {
		if u := units[uid]; u.Supervisor != "" {
			return u.Supervisor
		}
		return units[uid].Leader
	}
	lowest := map[string][]Result{}
	for _, r := range results {
		if r.State != scoring.StateGraded {
			continue
		}
		t := talker(assessingUnit(byID[r.Person]))
		if t == "" || t == r.Person {
			continue
		}
		cur := lowest[t]
		if len(cur) == 0 {
			lowest[t] = []Result{r}
			continue
		}
		switch c := compareResult(r, cur[0], rank); {
		case c < 0:
			lowest[t] = []Result{r}
		case c == 0:
			lowest[t] = append(cur, r)
		}
	}
	for _, list := range lowest {
		slices.SortStableFunc(list, func(a, b Result) int { return strings.Compare(byID[a.Person].Name, byID[b.Person].Name) })
	}
	return lowest
}

// bottomAlertAfter is how many bottom grades in a row alert HR under
// scheme sc: the deployment's setting, else the scheme's, else 2.
func (s *Service) bottomAlertAfter(sc *scoring.Scheme) int {
	switch {
	case s.bottomSet > 0:
		return s.bottomSet
	case sc.BottomAlertAfter > 0:
		return sc.BottomAlertAfter
	}
	return 2
}

// bottomRun returns the periods, oldest first, of person's bottom grades in
// a row ending with period when there are as many of them as the period's
// scheme alerts after (bottomAlertAfter), and nil otherwise. The run
// counts the periods of period's scheme and kind only (periods are all
// the store holds): another scheme's quarter or a year is not a link.
func (s *Service) bottomRun(ctx context.Context, tx Tx, period Period, periods []Period, person string) ([]string, error) {
	sc := s.schemeOf(period)
	bottom := sc.Grades[len(sc.Grades)-1].Label
	scheme := s.periodSchemeID(period)
	var before []Period
	for _, p := range periods {
		if p.Start.Before(period.Start) && p.Kind == period.Kind && s.periodSchemeID(p) == scheme {
			before = append(before, p)
		}
	}
	slices.SortStableFunc(before, func(a, b Period) int { return a.Start.Compare(b.Start) })
	after := s.bottomAlertAfter(sc)
	need := after - 1
	if len(before) < need {
		return nil, nil
	}
	run := []string{period.ID}
	for i := len(before) - 1; i >= len(before)-need; i-- {
		pr, err := tx.Result(ctx, before[i].ID, person)
		if errors.Is(err, ErrNotFound) || (err == nil && pr.Grade != bottom) {
			break
		} else if err != nil {
			return nil, err
		}
		run = append(run, before[i].ID)
	}
	if len(run) < after {
		return nil, nil
	}
	slices.Reverse(run)
	return run, nil
}
