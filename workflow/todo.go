package workflow

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Due is an entry a person still owes: what their 待办 lists and their
// reminders ask for.
type Due struct {
	// Kind is EntryDaily, EntryWeekly, EntryMonthly, EntryQuarterly,
	// EntryVote or EntryYearRate.
	Kind string
	// Period is the appraisal period the entry belongs to.
	Period string
	// Entry is the entry's own period: the day, the week, the month, or
	// Period for a summary or a vote.
	Entry string
	// Due is the deadline.
	Due calendar.Date
	// Returned marks an entry a leader sent back.
	Returned bool
}

// EntryVote names the 民主测评 ballot in a Due (votes are not entries).
const EntryVote = "vote"

// EntryYearRate names the year-end 年度测评 (S2's annual raters, S9's 优秀
// 票) in a Due: Period and Entry are the year ("2026"), Due the round's
// deadline.
const EntryYearRate = "year_rate"

// Owed returns what person still owes, oldest deadline first: every
// record person keeps (recordsOf: a daily log of the last week, weekly
// record, monthly summary, self-summary) and vote of an open period
// that is missing (or was sent back) and whose first reminder has gone
// out, so the 待办 asks for exactly what the reminders asked for and never
// for an item of a later period before its time. When two periods are
// open at once (the quarter just ended is being summarised while the next
// one runs) each item belongs to its own period. An open 年度测评 the
// person has somebody to rate in is owed too (yearRateDues).
func (s *Service) Owed(ctx context.Context, person string) ([]Due, error) {
	now := s.clock.Now()
	today := s.today(now)
	var out []Due
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		p, err := tx.Person(ctx, person)
		if errors.Is(err, ErrNotFound) {
			return nil // not in the organisation: owes nothing
		} else if err != nil {
			return err
		}
		// The year's round first: a superior outside the appraisal (the
		// head rating a unit's leader) owes it though nothing else.
		if out, err = s.yearRateDues(ctx, tx, p, today); err != nil {
			return err
		}
		sc, mine, err := s.personScheme(ctx, tx, p)
		if err != nil {
			return err
		}
		people, err := s.periodPeople(ctx, tx, Period{Scheme: mine})
		if err != nil {
			return err
		}
		units, err := unitMap(ctx, tx)
		if err != nil {
			return err
		}
		// An extra voter (a 分管领导, someone HR named) owes the vote only.
		canVote := s.newVoteIndex(sc, people, units).hasVote(p)
		if !inScope(p) && !canVote {
			return nil
		}
		items, err := s.items(ctx, tx, today)
		if err != nil {
			return err
		}
		periods := map[string]Period{}
		ps, err := tx.Periods(ctx)
		if err != nil {
			return err
		}
		for _, x := range ps {
			periods[x.ID] = x
		}
		voted := map[string]bool{} // by period, for person
		for _, it := range items {
			kind := entryOfPlan[it.kind]
			if per, ok := periods[it.period]; ok && s.periodSchemeID(per) != mine {
				continue // another scheme's period: not this person's
			}
			if kind == "" || !s.asked(it, now) || (kind != EntryVote && (!inScope(p) || !sc.Records.Keeps(kind))) {
				continue
			}
			var e *Entry
			if kind == EntryVote {
				if _, seen := voted[it.period]; !seen && canVote {
					vs, err := tx.Voters(ctx, it.period)
					if err != nil {
						return err
					}
					voted[it.period] = slices.Contains(vs, person)
				}
			} else {
				got, err := tx.Entry(ctx, EntryKey{Kind: kind, Person: person, Period: it.entry})
				switch {
				case err == nil:
					e = &got
				case !errors.Is(err, ErrNotFound):
					return err
				}
			}
			if owed, returned, ok := owes(p, kind, e, voted[it.period], canVote); ok && owed {
				out = append(out, Due{Kind: kind, Period: it.period, Entry: it.entry, Due: it.due, Returned: returned})
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Due) int { return a.Due.Compare(b.Due) })
	return out, err
}

// yearRateDues are the open 年度测评 rounds (this year's and last year's,
// as their reminders: yearRateItems) p has somebody to rate in and has not
// rated yet. A round is owed from its opening, when its card goes out,
// until its deadline (included): after it ratings are refused, so the 待办
// stops asking.
func (s *Service) yearRateDues(ctx context.Context, tx Tx, p Person, today calendar.Date) ([]Due, error) {
	var out []Due
	var people []Person
	var units map[string]Unit
	for _, it := range s.yearRateItems(ctx, tx, today) {
		year, err := strconv.Atoi(it.entry)
		if err != nil {
			return nil, err
		}
		if people == nil {
			if people, err = tx.People(ctx); err != nil {
				return nil, err
			}
			if units, err = unitMap(ctx, tx); err != nil {
				return nil, err
			}
		}
		if len(s.yearSheet(p, people, units, "")) == 0 {
			continue
		}
		done, err := tx.YearRaters(ctx, year)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(done, p.ID) {
			out = append(out, Due{Kind: EntryYearRate, Period: it.period, Entry: it.entry, Due: it.due})
		}
	}
	return out, nil
}

// asked reports whether an item is being asked for at now: its first
// reminder to the person (a before, due, overdue or urgent nudge) has
// gone out, or its due date has come, or, for a self-summary or a vote,
// the period's last week has begun. A plan without such nudges asks from
// the due date.
func (s *Service) asked(it item, now time.Time) bool {
	today := s.today(now)
	if !today.Before(it.due) {
		return true
	}
	if it.kind == planSummary || it.kind == planVote {
		// The self-summary and the vote may be written from the period's
		// last week: S5 四(三)1 and S7 ask for them in the last week of the
		// quarter, S4 三(三) at the start of the next.
		if cp, _, err := parsePeriodID(it.period); err == nil {
			last := calendar.PeriodContaining(calendar.Week, cp.End())
			if !today.Before(last.Start()) {
				return true
			}
		}
	}
	for _, n := range s.cfg.Plans[it.kind] {
		if n.Stage != StageBefore && n.Stage != StageDue && n.Stage != StageOverdue && n.Stage != StageUrgent {
			continue
		}
		if at, ok := s.slotTime(it.due, n); ok && !at.After(now) {
			return true
		}
	}
	return false
}

// Records returns the records person keeps (their scheme's), for the names
// their cards and 待办 give them; someone not in the organisation gets the
// default scheme's. Errors: the store's.
func (s *Service) Records(ctx context.Context, person string) (scoring.Records, error) {
	var out scoring.Records
	err := s.view(ctx, func(tx Tx) error {
		p, err := tx.Person(ctx, person)
		if errors.Is(err, ErrNotFound) {
			out = s.scheme.Records
			return nil
		} else if err != nil {
			return err
		}
		sc, _, err := s.personScheme(ctx, tx, p)
		if err != nil {
			return err
		}
		out = sc.Records
		return nil
	})
	return out, err
}
