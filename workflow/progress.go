package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// ItemStep marks a chain step's tally in a Progress (ItemTally.Kind); its
// Step field names the step (初评, 审定, 评鉴).
const ItemStep = "step"

// Tally counts one item of a period: Done handed in (or voted, or the step
// decided), Owed asked for and not handed in (an entry sent back is owed
// again; a pending step is owed by its holder), Overdue those of Owed past
// their deadline.
type Tally struct {
	Done, Owed, Overdue int
}

// ItemTally is the tally of one item: an entry (EntryWeekly, EntryMonthly,
// EntryQuarterly), the vote (EntryVote), or a chain step (ItemStep, with
// Step its name).
type ItemTally struct {
	Kind string
	Step string
	Tally
}

// Late is one thing past its deadline: a person's entry or vote, or a
// chain step, whose holder is the one late.
type Late struct {
	// Person is who owes the entry, or whose step it is.
	Person, Name string
	// Kind and Entry are as in Due; for a step Kind is ItemStep and Entry
	// the step's name.
	Kind, Entry string
	Due         calendar.Date
	// Days is how many calendar days the deadline has passed.
	Days int
	// Returned: the entry was sent back and not handed in again.
	Returned bool
	// OnLeave: the person is on leave today, so reminders and HR's 催办
	// skip them (the item stays owed).
	OnLeave bool
}

// UnitProgress is one unit's progress: Items in the order of
// Progress.Totals (zero tallies included, so they line up as columns) and
// the people of the unit who are late with an entry or a vote.
type UnitProgress struct {
	Unit  Unit
	Items []ItemTally
	Late  []Late
}

// StepProgress is one pending chain step with the names a progress view
// shows: whose step it is and who holds it.
type StepProgress struct {
	Step Step
	// Name is the appraised person's, Holder the assignee's ("" for a step
	// left without one, which goes up the chain's escalation to HR).
	Name, Holder string
	// Unit is the appraised person's home unit.
	Unit    string
	Overdue bool
	Days    int
}

// Progress is HR's view of a period (进度): per unit and per item what is
// done, owed and overdue, who is late, and every pending chain step with
// its holder.
type Progress struct {
	Period Period
	AsOf   calendar.Date
	// Totals are the organisation's tallies, one per item asked for so far:
	// 周记实, 月小结, 季度小结, 民主测评, then each chain step in chain order.
	Totals []ItemTally
	Units  []UnitProgress
	// Steps are the pending steps, overdue first (most days first), then by
	// deadline.
	Steps []StepProgress
	// Open lists the other open periods (two are open while the quarter
	// just ended is summarised and the next one runs).
	Open []string
	// YearRatings are the open 年度测评 rounds (today on or before their
	// deadline), whatever the period: how many raters have rated and who
	// has not (names only: the ballots carry no rater, and a count of who
	// rated says nothing of how).
	YearRatings []YearRatingProgress
}

// Progress returns HR's progress of a period; "" picks the earliest open
// period (the one whose summaries and chains are due first), or, with none
// open, the latest period. Entries and votes are counted as the 待办 and
// the reminders ask for them (Owed's rules: the items of s.items, from
// their first reminder (asked), for people in scope; the vote for people
// in a 考核单元); each item is per person and instance, so a unit of ten
// in its fifth week asks for fifty 周记实. A person on leave still owes
// (as in their 待办) but is marked, since 催办 skips them. Steps are
// counted per person and step name by the latest of them: a step sent
// back and taken up again counts once. Only an open period has entries
// to count; a later one shows its steps. Errors: ErrForbidden (not HR),
// ErrNotFound (no such period, or none at all).
func (s *Service) Progress(ctx context.Context, by, period string) (Progress, error) {
	var out Progress
	now := s.clock.Now()
	today := s.today(now)
	err := s.view(ctx, func(tx Tx) error {
		out = Progress{AsOf: today} // the store may run fn again
		me, err := tx.Person(ctx, by)
		if errors.Is(err, ErrNotFound) || (err == nil && !me.HR) {
			return fmt.Errorf("%s is not HR: %w", by, ErrForbidden)
		} else if err != nil {
			return err
		}
		periods, err := tx.Periods(ctx)
		if err != nil {
			return err
		}
		slices.SortStableFunc(periods, func(a, b Period) int { return a.Start.Compare(b.Start) })
		if period == "" {
			for _, p := range periods {
				if p.State == PeriodOpen {
					period = p.ID
					break
				}
			}
			if period == "" && len(periods) > 0 {
				period = periods[len(periods)-1].ID
			}
		}
		found := false
		for _, p := range periods {
			switch {
			case p.ID == period:
				out.Period, found = p, true
			case p.State == PeriodOpen:
				out.Open = append(out.Open, p.ID)
			}
		}
		if !found {
			return fmt.Errorf("period %q: %w", period, ErrNotFound)
		}
		for _, it := range s.yearRateItems(ctx, tx, today) {
			year, err := strconv.Atoi(it.entry)
			if err != nil {
				return err
			}
			pr, err := s.yearRatingProgress(ctx, tx, year, "")
			if err != nil {
				return err
			}
			out.YearRatings = append(out.YearRatings, pr)
		}
		return s.progress(ctx, tx, &out, today)
	})
	if errors.Is(err, ErrForbidden) {
		s.auditDenial(ctx, by, "progress.read", period, err)
		err = audited{err}
	}
	return out, err
}

// progress fills p's tallies for p.Period.
func (s *Service) progress(ctx context.Context, tx Tx, p *Progress, today calendar.Date) error {
	now := s.clock.Now()
	people, err := s.periodPeople(ctx, tx, p.Period)
	if err != nil {
		return err
	}
	units, err := tx.Units(ctx)
	if err != nil {
		return err
	}
	byID := map[string]Person{}
	for _, x := range people {
		byID[x.ID] = x
	}
	// The units in store order, then any unit a person names that the
	// store does not hold (an empty Unit for people without one).
	var order []Unit
	seen := map[string]bool{}
	for _, u := range units {
		order = append(order, u)
		seen[u.ID] = true
	}
	for _, x := range people {
		if inScope(x) && !seen[x.Unit] {
			order = append(order, Unit{ID: x.Unit})
			seen[x.Unit] = true
		}
	}
	tallies := map[string]map[string]*Tally{} // unit → item key → tally
	late := map[string][]Late{}
	count := func(unit, key string, owed, overdue bool) {
		if tallies[unit] == nil {
			tallies[unit] = map[string]*Tally{}
		}
		t := tallies[unit][key]
		if t == nil {
			t = &Tally{}
			tallies[unit][key] = t
		}
		switch {
		case !owed:
			t.Done++
		case overdue:
			t.Owed++
			t.Overdue++
		default:
			t.Owed++
		}
	}

	// Entries and votes: the items of the period asked for so far.
	var asked []item
	if p.Period.State == PeriodOpen {
		items, err := s.items(ctx, tx, today)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.period == p.Period.ID && entryOfPlan[it.kind] != "" && s.asked(it, now) {
				asked = append(asked, it)
			}
		}
	}
	if len(asked) > 0 {
		entries, err := tx.Entries(ctx, EntryFilter{Cycle: p.Period.ID})
		if err != nil {
			return err
		}
		held := map[EntryKey]Entry{}
		for _, e := range entries {
			held[e.EntryKey] = e
		}
		vs, err := tx.Voters(ctx, p.Period.ID)
		if err != nil {
			return err
		}
		voted := map[string]bool{}
		for _, v := range vs {
			voted[v] = true
		}
		um := make(map[string]Unit, len(units))
		for _, u := range units {
			um[u.ID] = u
		}
		sc := s.schemeOf(p.Period)
		votes := s.newVoteIndex(sc, people, um)
		for _, x := range people {
			canVote := votes.hasVote(x)
			if !inScope(x) && !canVote {
				continue
			}
			for _, it := range asked {
				kind := entryOfPlan[it.kind]
				if kind != EntryVote && (!inScope(x) || !sc.Records.Keeps(kind)) {
					continue // an extra voter owes only the vote; a record the scheme does not keep is not owed
				}
				var e *Entry
				if got, ok := held[EntryKey{Kind: kind, Person: x.ID, Period: it.entry}]; ok {
					e = &got
				}
				owed, returned, ok := owes(x, kind, e, voted[x.ID], canVote)
				if !ok {
					continue
				}
				overdue := owed && today.After(it.due)
				count(x.Unit, kind, owed, overdue)
				if overdue {
					late[x.Unit] = append(late[x.Unit], Late{Person: x.ID, Name: x.Name, Kind: kind, Entry: it.entry, Due: it.due,
						Days: today.DaysSince(it.due), Returned: returned, OnLeave: onLeave(x, today)})
				}
			}
		}
	}

	// Chain steps: the latest of each person's step names.
	steps, err := tx.Steps(ctx, StepFilter{Period: p.Period.ID})
	if err != nil {
		return err
	}
	type pn struct{ person, name string }
	latest := map[pn]Step{}
	chainPos := map[string]int{}
	for _, st := range steps {
		k := pn{st.Person, st.Name}
		if cur, ok := latest[k]; !ok || st.Seq > cur.Seq {
			latest[k] = st
		}
		if i, ok := chainPos[st.Name]; !ok || st.Index < i {
			chainPos[st.Name] = st.Index
		}
	}
	for _, st := range latest {
		unit := byID[st.Person].Unit
		switch st.State {
		case StepApproved:
			count(unit, ItemStep+"/"+st.Name, false, false)
		case StepPending:
			overdue := today.After(st.Due)
			count(unit, ItemStep+"/"+st.Name, true, overdue)
			sp := StepProgress{Step: st, Name: byID[st.Person].Name, Holder: byID[st.Assignee].Name, Unit: unit, Overdue: overdue}
			if overdue {
				sp.Days = today.DaysSince(st.Due)
			}
			p.Steps = append(p.Steps, sp)
		}
	}
	sort.SliceStable(p.Steps, func(i, j int) bool {
		a, b := p.Steps[i], p.Steps[j]
		if a.Days != b.Days {
			return a.Days > b.Days
		}
		if c := a.Step.Due.Compare(b.Step.Due); c != 0 {
			return c < 0
		}
		return a.Step.ID < b.Step.ID
	})

	// The columns: entry items in their fixed order, then the steps in
	// chain order, each only when something was counted for it.
	keys := []string{EntryDaily, EntryWeekly, EntryMonthly, EntryQuarterly, EntryVote}
	names := make([]string, 0, len(chainPos))
	for n := range chainPos {
		names = append(names, n)
	}
	sort.SliceStable(names, func(i, j int) bool {
		if chainPos[names[i]] != chainPos[names[j]] {
			return chainPos[names[i]] < chainPos[names[j]]
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		keys = append(keys, ItemStep+"/"+n)
	}
	total := map[string]*Tally{}
	for _, m := range tallies {
		for k, t := range m {
			if total[k] == nil {
				total[k] = &Tally{}
			}
			total[k].Done += t.Done
			total[k].Owed += t.Owed
			total[k].Overdue += t.Overdue
		}
	}
	var cols []string
	for _, k := range keys {
		if t := total[k]; t != nil {
			cols = append(cols, k)
			p.Totals = append(p.Totals, itemTally(k, *t))
		}
	}
	for _, u := range order {
		if tallies[u.ID] == nil {
			continue
		}
		up := UnitProgress{Unit: u, Late: late[u.ID]}
		for _, k := range cols {
			var t Tally
			if x := tallies[u.ID][k]; x != nil {
				t = *x
			}
			up.Items = append(up.Items, itemTally(k, t))
		}
		slices.SortStableFunc(up.Late, func(a, b Late) int {
			if c := strings.Compare(a.Person, b.Person); c != 0 {
				return c
			}
			return a.Due.Compare(b.Due)
		})
		p.Units = append(p.Units, up)
	}
	return nil
}

// entryOfPlan maps the reminder plans of entries and the vote to the entry
// kinds of a Due, as Owed does.
var entryOfPlan = map[string]string{planDaily: EntryDaily, planWeekly: EntryWeekly, planMonthly: EntryMonthly, planSummary: EntryQuarterly, planVote: EntryVote}

// owes applies Owed's rule to one person and one asked item: a vote is
// owed by a person who has somebody to rate (canVote: voteIndex.hasVote,
// extra voters included) and has not voted (ok is false for anyone else:
// they are not asked), an entry when it is missing (e is nil) or was
// sent back.
func owes(p Person, kind string, e *Entry, voted, canVote bool) (owed, returned, ok bool) {
	if kind == EntryVote {
		if !canVote {
			return false, false, false
		}
		return !voted, false, true
	}
	if e == nil {
		return true, false, true
	}
	if e.State == EntryReturned {
		return true, true, true
	}
	return false, false, true
}

func itemTally(key string, t Tally) ItemTally {
	if name, ok := strings.CutPrefix(key, ItemStep+"/"); ok {
		return ItemTally{Kind: ItemStep, Step: name, Tally: t}
	}
	return ItemTally{Kind: key, Tally: t}
}

// UnitSteps is a leader's pending steps in one unit, for the 批量审核 card.
type UnitSteps struct {
	Unit  Unit
	Steps []PendingStep
}

// PendingStep is one pending step with what a leader reads before opening
// it.
type PendingStep struct {
	Step Step
	// Name is the appraised person's.
	Name string
	// Summary is the first non-empty line of the person's self-summary of
	// the step's period ("" when there is none).
	Summary string
	Overdue bool
	Days    int
}

// StepsByUnit returns the pending steps by may act on (their own and those
// of the leaders they stand in for, as MySteps), grouped by the unit whose
// leaders appraise the person (a seconded person's receiving unit), units
// in store order and steps by deadline, then name. Steps of people whose
// unit the store does not hold come last, by unit id.
func (s *Service) StepsByUnit(ctx context.Context, by string) ([]UnitSteps, error) {
	var out []UnitSteps
	err := s.view(ctx, func(tx Tx) error {
		var err error
		out, err = s.stepsByUnit(ctx, tx, by)
		return err
	})
	return out, err
}

// StepsOfUnit returns by's pending steps in one unit (the 批量审核 card).
// It may be empty for a leader of the unit who has decided them all: the
// unit's leader, its 分管领导, the 主管领导, or whoever stands in for one of
// them. Errors: ErrForbidden (anyone else, an unknown unit included, so
// the answer does not tell which units exist).
func (s *Service) StepsOfUnit(ctx context.Context, by, unit string) (UnitSteps, error) {
	var out UnitSteps
	now := s.clock.Now()
	err := s.view(ctx, func(tx Tx) error {
		all, err := s.stepsByUnit(ctx, tx, by)
		if err != nil {
			return err
		}
		for _, us := range all {
			if us.Unit.ID == unit {
				out = us
				return nil
			}
		}
		u, err := tx.Unit(ctx, unit)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%s: unit %q: %w", by, unit, forbidden("您不负责该单位的考核审核"))
		} else if err != nil {
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
		for _, a := range can {
			if a == u.Leader || a == u.Supervisor || a == st.Head {
				out = UnitSteps{Unit: u}
				return nil
			}
		}
		return fmt.Errorf("%s does not appraise unit %s: %w", by, unit, forbidden("您不负责该单位的考核审核"))
	})
	if errors.Is(err, ErrForbidden) {
		s.auditDenial(ctx, by, "steps.unit", unit, err)
		err = audited{err}
	}
	return out, err
}

// stepsByUnit is StepsByUnit inside a transaction.
func (s *Service) stepsByUnit(ctx context.Context, tx Tx, by string) ([]UnitSteps, error) {
	now := s.clock.Now()
	today := s.today(now)
	can, err := actingFor(ctx, tx, by, now)
	if err != nil {
		return nil, err
	}
	units, err := tx.Units(ctx)
	if err != nil {
		return nil, err
	}
	groups := map[string][]PendingStep{}
	for _, a := range can {
		steps, err := tx.Steps(ctx, StepFilter{Assignee: a, State: StepPending})
		if err != nil {
			return nil, err
		}
		for _, st := range steps {
			p, err := tx.Person(ctx, st.Person)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			ps := PendingStep{Step: st, Name: p.Name, Overdue: today.After(st.Due)}
			if ps.Overdue {
				ps.Days = today.DaysSince(st.Due)
			}
			e, err := tx.Entry(ctx, EntryKey{Kind: EntryQuarterly, Person: st.Person, Period: st.Period})
			if err == nil {
				ps.Summary = firstLine(e.Body.Summary)
			} else if !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			u := assessingUnit(p)
			groups[u] = append(groups[u], ps)
		}
	}
	var out []UnitSteps
	add := func(u Unit) {
		list := groups[u.ID]
		if len(list) == 0 {
			return
		}
		slices.SortStableFunc(list, func(a, b PendingStep) int {
			if c := a.Step.Due.Compare(b.Step.Due); c != 0 {
				return c
			}
			if c := strings.Compare(a.Name, b.Name); c != 0 {
				return c
			}
			return strings.Compare(a.Step.ID, b.Step.ID)
		})
		out = append(out, UnitSteps{Unit: u, Steps: list})
		delete(groups, u.ID)
	}
	for _, u := range units {
		add(u)
	}
	for _, id := range sortedKeys(groups) {
		add(Unit{ID: id})
	}
	return out, nil
}

// firstLine is the first non-blank line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
