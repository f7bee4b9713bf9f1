package workflow

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"context"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// OpenPeriod opens an appraisal period ("2026-Q3", or "2026-09" for a
// monthly scheme; "2026-Q3@s5" for a scheme other than the default, see
// schemes.go) with its deadlines (HR only). Errors: ErrForbidden,
// ErrInvalidInput (malformed id, wrong kind), ErrConflict (already open).
func (s *Service) OpenPeriod(ctx context.Context, by, id string) (Period, error) {
	var out Period
	err := s.change(ctx, by, "period.open", id, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		var err error
		out, err = s.createPeriod(o, id)
		return err
	})
	return out, err
}

// NextPeriod is the period HR would open next: the default scheme's
// (NextPeriods lists every scheme's).
func (s *Service) NextPeriod(ctx context.Context) (string, error) {
	ids, err := s.nextPeriods(ctx, []string{s.defaultSchemeID()})
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// NextPeriods lists, for every scheme someone is appraised under (the
// default first), the period HR would open next: the cycle's period that
// today falls in if it is not open yet, otherwise the one after the
// scheme's latest period.
func (s *Service) NextPeriods(ctx context.Context) ([]string, error) {
	var schemes []string
	if err := s.view(ctx, func(tx Tx) error {
		var err error
		schemes, err = s.activeSchemes(ctx, tx)
		return err
	}); err != nil {
		return nil, err
	}
	if len(schemes) == 0 {
		schemes = []string{s.defaultSchemeID()}
	}
	return s.nextPeriods(ctx, schemes)
}

func (s *Service) nextPeriods(ctx context.Context, schemes []string) ([]string, error) {
	today := s.today(s.clock.Now())
	var out []string
	err := s.view(ctx, func(tx Tx) error {
		out = nil
		ps, err := tx.Periods(ctx)
		if err != nil {
			return err
		}
		for _, id := range schemes {
			kind := cycleKindOf(s.schemeByID(id))
			next := s.PeriodID(calendar.PeriodContaining(kind, today), id)
			var last string
			exists := false
			for _, p := range ps {
				if p.Kind == KindYear || s.periodSchemeID(p) != id {
					continue
				}
				last = p.ID
				exists = exists || p.ID == next
			}
			if exists {
				lp, _, err := parsePeriodID(last)
				if err != nil {
					return fmt.Errorf("period %s: %w", last, err)
				}
				next = s.PeriodID(calendar.PeriodContaining(kind, lp.End().AddDays(1)), id)
			}
			out = append(out, next)
		}
		return nil
	})
	return out, err
}

// openDue opens, for every scheme someone is appraised under, the period
// today falls in, by itself, on the cycle's first working day or later,
// unless it exists already or the organisation has no one to appraise
// yet; HR is told. Part of Tick.
func (s *Service) openDue(ctx context.Context, today calendar.Date) error {
	if s.cfg.ManualOpen {
		return nil
	}
	var schemes []string
	if err := s.view(ctx, func(tx Tx) error {
		var err error
		schemes, err = s.activeSchemes(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	for _, id := range schemes {
		if err := s.openDueScheme(ctx, today, id); err != nil {
			return fmt.Errorf("open the period of scheme %s: %w", id, err)
		}
	}
	return nil
}

// openDueScheme is openDue for one scheme.
func (s *Service) openDueScheme(ctx context.Context, today calendar.Date, scheme string) error {
	sc := s.schemeByID(scheme)
	kind := cycleKindOf(sc)
	cur := calendar.PeriodContaining(kind, today)
	if beyondYear(sc, cur) {
		return nil
	}
	curID := s.PeriodID(cur, scheme)
	var exists, ready bool
	var hr []string
	if err := s.view(ctx, func(tx Tx) error {
		hr = nil
		_, err := tx.Period(ctx, curID)
		if err == nil {
			exists = true
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		people, err := s.periodPeopleID(ctx, tx, curID)
		for _, p := range people {
			ready = ready || p.Assessed
			if p.HR {
				hr = append(hr, p.ID)
			}
		}
		return err
	}); err != nil {
		return err
	}
	if exists || !ready || !s.cal.IsWorkday(today) {
		return nil
	}
	err := s.change(ctx, "system", "period.open", curID, func(o *op) error {
		p, err := s.createPeriod(o, curID)
		if err != nil {
			return err
		}
		next := s.PeriodID(calendar.PeriodContaining(kind, cur.End().AddDays(1)), scheme)
		for _, id := range hr {
			o.note(id, TplPeriodOpened, map[string]string{"period": p.ID, "summary_due": p.SummaryDue.String(),
				"filing_due": p.FilingDue.String(), "next": next}, p.ID)
		}
		return nil
	})
	if errors.Is(err, ErrConflict) {
		return nil // another replica opened it
	}
	return err
}

// beyondYear reports whether p lies past the periods of sc's year: S2
// 四(四) and S9 appraise Q1–Q3 and fold the fourth quarter into the annual
// appraisal (annual.periods: 3). Decision: such a quarter does not open by
// itself, since the year would wait for its 公示 and then count a period
// its rules have no place for; HR can still open one by hand.
func beyondYear(sc *scoring.Scheme, p calendar.Period) bool {
	if sc == nil || sc.Annual == nil || sc.Annual.Periods <= 0 {
		return false
	}
	n := int(p.Start().Month)
	if p.Kind() == calendar.Quarter {
		n = (n-1)/3 + 1
	}
	return n > sc.Annual.Periods
}

// createPeriod creates the period id with its deadlines, under the scheme
// its id names (schemes.go).
func (s *Service) createPeriod(o *op, id string) (Period, error) {
	cp, scheme, perr := parsePeriodID(id)
	if scheme != "" && !s.HasScheme(scheme) {
		return Period{}, invalid("period", "未配置考核方案 "+scheme+"（已配置："+strings.Join(s.SchemeIDs(), "、")+"）")
	}
	sc := s.schemeByID(scheme)
	kind := cycleKindOf(sc)
	if perr != nil || cp.Kind() != kind {
		return Period{}, invalid("period", fmt.Sprintf("须为%s，如 %s", map[calendar.PeriodKind]string{calendar.Quarter: "季度", calendar.Month: "月份"}[kind],
			s.PeriodID(calendar.MustParsePeriod(map[calendar.PeriodKind]string{calendar.Quarter: "2026-Q3", calendar.Month: "2026-09"}[kind]), scheme)))
	}
	if scheme == "" {
		scheme = s.defaultSchemeID()
	}
	out := Period{ID: s.PeriodID(cp, scheme), Kind: periodKindOf(sc), Scheme: scheme, Start: cp.Start(), End: cp.End(), State: PeriodOpen,
		SummaryDue: s.cfg.Deadlines.Summary(s.cal, cp), FilingDue: s.filingDue(sc, cp), Version: 1}
	o.logf("scheme %s, summary due %s, filing due %s", scheme, out.SummaryDue, out.FilingDue)
	return out, o.tx.CreatePeriod(o.ctx, out)
}

// entryCycle returns the appraisal period an entry of a person under
// scheme (canonical id) belongs to: its calendar period and its period
// id, and the entry's canonical period id. A week belongs to the period
// holding its Thursday (the ISO rule), so every week is in exactly one
// period.
func (s *Service) entryCycle(scheme, kind, period string) (cycle calendar.Period, periodID, entry string, err error) {
	bad := func(msg string) (calendar.Period, string, string, error) {
		return calendar.Period{}, "", "", invalid("period", msg)
	}
	kindOf := cycleKindOf(s.schemeByID(scheme))
	in := func(cp calendar.Period, entry string) (calendar.Period, string, string, error) {
		return cp, s.PeriodID(cp, scheme), entry, nil
	}
	switch kind {
	case EntryDaily:
		d, err := calendar.ParseDate(period)
		if err != nil {
			return bad("日期须为 YYYY-MM-DD")
		}
		return in(calendar.PeriodContaining(kindOf, d), d.String())
	case EntryWeekly:
		p, err := calendar.ParsePeriod(period)
		if err != nil || p.Kind() != calendar.Week {
			return bad("须为周次，如 2026-W40")
		}
		return in(calendar.PeriodContaining(kindOf, p.Start().AddDays(3)), p.String())
	case EntryMonthly, EntryAttendance:
		p, err := calendar.ParsePeriod(period)
		if err != nil || p.Kind() != calendar.Month {
			return bad("须为月份，如 2026-09")
		}
		return in(calendar.PeriodContaining(kindOf, p.Start()), p.String())
	case EntryQuarterly:
		p, sc, err := parsePeriodID(period)
		if err != nil || p.Kind() != kindOf {
			return bad("须为考核期，如 " + s.PeriodID(calendar.MustParsePeriod(map[calendar.PeriodKind]string{calendar.Quarter: "2026-Q3", calendar.Month: "2026-09"}[kindOf]), scheme))
		}
		if sc == "" {
			sc = s.defaultSchemeID()
		}
		if sc != scheme {
			return bad("该考核期不属于本人所在科室的考核方案（" + scheme + "）")
		}
		id := s.PeriodID(p, scheme)
		return p, id, id, nil
	}
	return calendar.Period{}, "", "", invalid("kind", "未知的记实类型："+kind)
}

// weeksOf returns the weeks that belong to a cycle.
func weeksOf(cp calendar.Period) []calendar.Period {
	var out []calendar.Period
	w := calendar.PeriodContaining(calendar.Week, cp.Start())
	for ; !w.Start().After(cp.End()); w = w.Next() {
		if cp.Contains(w.Start().AddDays(3)) {
			out = append(out, w)
		}
	}
	return out
}

// monthsOf returns the months of a cycle.
func monthsOf(cp calendar.Period) []calendar.Period {
	var out []calendar.Period
	for m := calendar.PeriodContaining(calendar.Month, cp.Start()); !m.Start().After(cp.End()); m = m.Next() {
		out = append(out, m)
	}
	return out
}

// EntryInput is what an employee submits.
type EntryInput struct {
	Kind   string
	Period string // the entry's own period id (see EntryKey.Period)
	Body   EntryBody
}

// Submit stores by's own entry. A returned entry may be submitted again;
// submitting the period's self-summary (EntryQuarterly) starts by's
// approval chain.
//
// Windows: an entry is taken from the day its own period starts until the
// appraisal is closed (CloseAppraisal), also after its due date (the
// Deadlines), and a late one is marked late in the audit log; a late
// self-summary is also flagged to the leader who gets the first step.
// Why late ones are taken: the self-summary needs every weekly record of
// the period (checkWeeklies) and the leader's chain cannot start without
// the self-summary (S4 三(三): 每下一季度初 the person fills the 登记表, then
// the leaders score it), so refusing either would leave the person
// unappraised and the period unable to close; the deadline drives the
// reminders and the chasing instead. Once the appraisal is closed the
// scores are made and nothing more is taken.
//
// Errors: ErrForbidden (not an assessed person),
// ErrInvalidInput naming the field, ErrNotFound (no such period open),
// ErrWindowClosed (the period is past collecting), ErrConflict (already
// submitted), ErrIncomplete (weekly records of the period missing).
func (s *Service) Submit(ctx context.Context, by string, in EntryInput) error {
	return s.change(ctx, by, "entry.submit", in.Kind+"/"+in.Period, func(o *op) error {
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		if !me.Assessed || in.Kind == EntryAttendance {
			return fmt.Errorf("%s may not submit %s: %w", by, in.Kind, ErrForbidden)
		}
		sc, scheme, err := s.personScheme(o.ctx, o.tx, me)
		if err != nil {
			return err
		}
		if rs := sc.Records; !rs.Keeps(in.Kind) {
			// A record the scheme does not keep is asked for by no
			// reminder and no 待办, and read by nobody.
			return invalid("kind", "本考核方案不填写"+rs.Name(in.Kind))
		}
		cp, periodID, pid, err := s.entryCycle(scheme, in.Kind, in.Period)
		if err != nil {
			return err
		}
		if err := ValidateBody(in.Kind, in.Body, sc.Scale); err != nil {
			return err
		}
		period, err := s.openPeriod(o, periodID)
		if err != nil {
			return err
		}
		today := s.today(o.now)
		if in.Kind != EntryQuarterly {
			ep, _ := calendar.ParsePeriod(pid)
			start := ep.Start()
			if in.Kind == EntryDaily {
				start = calendar.MustParseDate(pid)
			}
			if start.After(today) {
				return invalid("period", "尚未开始")
			}
		}
		key := EntryKey{Kind: in.Kind, Person: by, Period: pid}
		e, err := o.tx.Entry(o.ctx, key)
		switch {
		case errors.Is(err, ErrNotFound):
			e = Entry{EntryKey: key, Cycle: period.ID, Version: 1}
		case err != nil:
			return err
		case e.State != EntryReturned:
			return fmt.Errorf("entry %v is %s: %w", key, e.State, ErrConflict)
		default:
			e.Version++
		}
		if in.Kind == EntryQuarterly && sc.Records.Keeps(EntryWeekly) {
			if err := s.checkWeeklies(o, by, cp, today); err != nil {
				return err
			}
		}
		if in.Kind == EntryMonthly {
			if err := s.checkUnfinished(o, by, pid, in.Body.Unfinished); err != nil {
				return err
			}
		}
		due, hasDue := s.entryDue(in.Kind, pid, period)
		late := hasDue && today.After(due)
		e.State, e.Body, e.SubmittedAt, e.Reason = EntrySubmitted, in.Body, o.now, ""
		if e.Version == 1 {
			err = o.tx.CreateEntry(o.ctx, e)
		} else {
			err = o.tx.UpdateEntry(o.ctx, e)
		}
		if err != nil {
			return err
		}
		if err := s.markTargets(o, by, in.Body.Tasks, today); err != nil {
			return err
		}
		o.logf("version %d", e.Version)
		if late {
			o.logf("late: due %s", due)
		}
		if in.Kind == EntryQuarterly {
			n := len(o.notes)
			if err := s.startChain(o, me, period); err != nil {
				return err
			}
			// The leader learns that the self-summary came late; a
			// summary sent back by the chain and submitted again is not
			// late, the chain asked for it.
			if late && e.Version == 1 {
				for _, nt := range o.notes[n:] {
					if nt.Template == TplStepAssigned {
						nt.Data["summary_late"] = due.String()
					}
				}
			}
		}
		return nil
	})
}

// entryDue is the due date of an entry of kind for its own period pid
// (Config.Deadlines; the self-summary's is the period's SummaryDue); ok is
// false for a kind without one (the daily log).
func (s *Service) entryDue(kind, pid string, period Period) (due calendar.Date, ok bool) {
	switch kind {
	case EntryQuarterly:
		return period.SummaryDue, !period.SummaryDue.IsZero()
	case EntryWeekly, EntryMonthly:
		ep, err := calendar.ParsePeriod(pid)
		if err != nil {
			return calendar.Date{}, false
		}
		if kind == EntryWeekly {
			return s.cfg.Deadlines.Weekly(s.cal, ep), true
		}
		return s.cfg.Deadlines.Monthly(s.cal, ep), true
	}
	return calendar.Date{}, false
}

// EntryDue is the due date shown on an entry's card, by the same rules the
// service marks a late entry with (Submit): kind and the entry's own
// period id ("2026-W40", "2026-09", "2026-Q3"). ok is false for a kind
// without a due date or a period not opened.
func (s *Service) EntryDue(ctx context.Context, kind, period string) (due calendar.Date, ok bool, err error) {
	scheme := s.defaultSchemeID()
	if kind == EntryQuarterly {
		if _, sc, err := parsePeriodID(period); err == nil && sc != "" {
			scheme = sc
		}
	}
	_, periodID, pid, err := s.entryCycle(scheme, kind, period)
	if err != nil {
		return calendar.Date{}, false, err
	}
	err = s.view(ctx, func(tx Tx) error {
		p, err := tx.Period(ctx, periodID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		due, ok = s.entryDue(kind, pid, p)
		return nil
	})
	return due, ok, err
}

// openPeriod returns the period id while it is collecting (open);
// afterwards every entry, vote, waiver and 点评 is refused with the reason.
func (s *Service) openPeriod(o *op, id string) (Period, error) {
	p, err := o.tx.Period(o.ctx, id)
	if errors.Is(err, ErrNotFound) {
		return p, fmt.Errorf("period %s not opened: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, err
	}
	if p.State != PeriodOpen {
		return p, windowClosed(periodName(id)+"考核已结束填报和审核（已提交考核委员会审定），不能再提交或修改",
			"period %s is %s", id, p.State)
	}
	return p, nil
}

// checkWeeklies refuses a self-summary while weekly records of the period
// that have ended are missing and not waived. Only a person whose scheme
// keeps weekly records is held to it (Submit): S2's 月记实, S6's 登记表
// and S7's 日志 are not 周记实, and no seed makes the quarter's summary
// wait for them.
func (s *Service) checkWeeklies(o *op, person string, cp calendar.Period, today calendar.Date) error {
	var missing []string
	for _, w := range weeksOf(cp) {
		if !w.End().Before(today) {
			continue
		}
		_, err := o.tx.Entry(o.ctx, EntryKey{Kind: EntryWeekly, Person: person, Period: w.String()})
		if errors.Is(err, ErrNotFound) {
			missing = append(missing, w.String())
		} else if err != nil {
			return err
		}
	}
	if len(missing) > 0 {
		return &IncompleteError{What: "周记实", Missing: missing}
	}
	return nil
}

// checkUnfinished refuses a 月小结 that leaves out an item its month's
// 周记实 show due and not done (MonthlyDraft.uncovered): S1 第八条 and S3
// ask the 月小结 to give the reason for every unfinished task
// (对未完成的工作说明理由), so the month's records decide what needs one.
func (s *Service) checkUnfinished(o *op, person, month string, rows []Unfinished) error {
	m, err := calendar.ParsePeriod(month)
	if err != nil {
		return invalid("period", "须为月份，如 2026-09")
	}
	d, err := monthlyDraft(o.ctx, o.tx, person, m)
	if err != nil {
		return err
	}
	miss := d.uncovered(rows)
	if len(miss) == 0 {
		return nil
	}
	var names []string
	for _, t := range miss[:min(len(miss), 3)] {
		if r := []rune(t); len(r) > 30 {
			t = string(r[:29]) + "…"
		}
		names = append(names, "「"+t+"」")
	}
	list := strings.Join(names, "、")
	if len(miss) > 3 {
		list += fmt.Sprintf(" 等%d项", len(miss))
	}
	return invalid("unfinished", "周记实中本月到期未完成的事项须在「未完成事项及原因」中逐项说明原因，尚缺："+list)
}

// markTargets marks approved (审定) targets done when a weekly task reports
// 100%; a draft, reviewed or returned target was never agreed and stays as
// it is.
func (s *Service) markTargets(o *op, person string, tasks []Task, today calendar.Date) error {
	for _, t := range tasks {
		if t.Target == "" || t.Progress < 100 {
			continue
		}
		year, owner, ok := splitTargetID(t.Target)
		if !ok || owner != person {
			continue
		}
		ts, err := o.tx.Targets(o.ctx, person, year)
		if err != nil {
			return err
		}
		for _, tg := range ts {
			if tg.ID == t.Target && tg.State == TargetApproved {
				tg.State, tg.DoneOn = TargetDone, today
				tg.Version++
				if err := o.tx.UpdateTarget(o.ctx, tg); err != nil {
					return err
				}
				late := ""
				if today.After(tg.Deadline) {
					late = " (late)"
				}
				o.logf("target %s done%s", tg.ID, late)
			}
		}
	}
	return nil
}

// leaderCan checks that by (or someone by acts for) leads the person.
func (s *Service) leaderCan(o *op, p Person) error {
	leads, err := leadsFor(o.ctx, o.tx, o.actor, o.now)
	if err != nil {
		return err
	}
	if !leads(p) {
		return fmt.Errorf("%s does not lead %s: %w", o.actor, p.ID, ErrForbidden)
	}
	return nil
}

// ToComment lists the 月小结 waiting for by's 点评: submitted, neither
// commented nor returned, of the people by leads (or stands in for),
// oldest first. The leader's 待办 shows them.
func (s *Service) ToComment(ctx context.Context, by string) ([]Entry, error) {
	var out []Entry
	now := s.clock.Now()
	err := s.view(ctx, func(tx Tx) error {
		out = nil
		leads, err := leadsFor(ctx, tx, by, now)
		if err != nil {
			return err
		}
		es, err := tx.Entries(ctx, EntryFilter{Kind: EntryMonthly})
		if err != nil {
			return err
		}
		led := map[string]bool{}
		for _, e := range es {
			if e.State != EntrySubmitted || e.Person == by {
				continue
			}
			mine, seen := led[e.Person]
			if !seen {
				p, err := tx.Person(ctx, e.Person)
				if err != nil {
					return err
				}
				mine = leads(p)
				led[e.Person] = mine
			}
			if mine {
				out = append(out, e)
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period < out[j].Period })
	return out, err
}

// LeaderEntry returns an entry for its leader's 点评 card: only the
// person's leader (or their delegate) may read it. Errors: ErrNotFound,
// ErrForbidden.
func (s *Service) LeaderEntry(ctx context.Context, by string, key EntryKey) (Entry, error) {
	var out Entry
	now := s.clock.Now()
	err := s.view(ctx, func(tx Tx) error {
		leads, err := leadsFor(ctx, tx, by, now)
		if err != nil {
			return err
		}
		p, err := tx.Person(ctx, key.Person)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("entry of %s: %w", key.Person, ErrForbidden)
		}
		if err != nil {
			return err
		}
		if !leads(p) || key.Person == by {
			return fmt.Errorf("%s does not lead %s: %w", by, key.Person, ErrForbidden)
		}
		out, err = tx.Entry(ctx, key)
		return err
	})
	return out, err
}

// Comment records the leader's 点评 on an entry (the person's leader or
// their delegate). Errors: ErrNotFound, ErrForbidden, ErrStale,
// ErrInvalidInput, ErrInvalidTransition (a waived or returned entry).
func (s *Service) Comment(ctx context.Context, by string, key EntryKey, version int, comment string) error {
	return s.change(ctx, by, "entry.comment", key.Kind+"/"+key.Person+"/"+key.Period, func(o *op) error {
		e, p, err := s.leaderEntry(o, key, version)
		if err != nil {
			return err
		}
		if err := needText("comment", comment); err != nil {
			return err
		}
		e.State, e.Comment, e.CommentBy = EntryCommented, comment, by
		e.Version++
		if err := o.tx.UpdateEntry(o.ctx, e); err != nil {
			return err
		}
		o.note(p.ID, TplEntryCommented, map[string]string{"kind": key.Kind, "period": key.Period, "comment": comment}, key.Kind, key.Period, strconv.Itoa(e.Version))
		return nil
	})
}

// Return sends a weekly or monthly entry back to its owner with a reason
// (the person's leader or delegate). Errors as Comment.
func (s *Service) Return(ctx context.Context, by string, key EntryKey, version int, reason string) error {
	return s.change(ctx, by, "entry.return", key.Kind+"/"+key.Person+"/"+key.Period, func(o *op) error {
		if key.Kind == EntryQuarterly {
			return fmt.Errorf("self-summaries are returned through the chain: %w", ErrInvalidTransition)
		}
		e, p, err := s.leaderEntry(o, key, version)
		if err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		e.State, e.Reason = EntryReturned, reason
		e.Version++
		if err := o.tx.UpdateEntry(o.ctx, e); err != nil {
			return err
		}
		o.note(p.ID, TplEntryReturned, map[string]string{"kind": key.Kind, "period": key.Period, "reason": reason}, key.Kind, key.Period, strconv.Itoa(e.Version))
		return nil
	})
}

func (s *Service) leaderEntry(o *op, key EntryKey, version int) (Entry, Person, error) {
	e, err := o.tx.Entry(o.ctx, key)
	if err != nil {
		return e, Person{}, err
	}
	p, err := o.tx.Person(o.ctx, key.Person)
	if err != nil {
		return e, p, err
	}
	if err := s.leaderCan(o, p); err != nil {
		return e, p, err
	}
	if e.Version != version {
		return e, p, fmt.Errorf("entry version %d, card %d: %w", e.Version, version, ErrStale)
	}
	if e.State != EntrySubmitted && e.State != EntryCommented {
		return e, p, fmt.Errorf("entry is %s: %w", e.State, ErrInvalidTransition)
	}
	if _, err := s.openPeriod(o, e.Cycle); err != nil {
		return e, p, err
	}
	return e, p, nil
}

// Waive lets a leader, or HR, excuse a missing weekly record with a
// reason, so the person's self-summary is accepted. HR may because it is
// HR who records the leave, trips and secondments that explain a missing
// week (the person card offers it); the leader knows the work. Errors:
// ErrForbidden, ErrInvalidInput, ErrConflict (the record exists),
// ErrWindowClosed.
func (s *Service) Waive(ctx context.Context, by, person, week, reason string) error {
	return s.change(ctx, by, "entry.waive", person+"/"+week, func(o *op) error {
		p, err := s.person(o, person, "person")
		if err != nil {
			return err
		}
		if by == person {
			// Nobody excuses themself (docs/reliability.md G8), HR included.
			return forbidden("不能为本人免填")
		}
		if err := s.leaderCan(o, p); err != nil {
			if _, hr := s.requireHR(o); hr != nil {
				return err
			}
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		_, scheme, err := s.personScheme(o.ctx, o.tx, p)
		if err != nil {
			return err
		}
		_, periodID, pid, err := s.entryCycle(scheme, EntryWeekly, week)
		if err != nil {
			return err
		}
		if _, err := s.openPeriod(o, periodID); err != nil {
			return err
		}
		return o.tx.CreateEntry(o.ctx, Entry{EntryKey: EntryKey{Kind: EntryWeekly, Person: person, Period: pid},
			Cycle: periodID, State: EntryWaived, Reason: reason, CommentBy: by, SubmittedAt: o.now})
	})
}

// SetAttendance records a month's attendance for a person (HR only):
// leave days by kind, late and early counts. It replaces an earlier record.
// Errors: ErrForbidden, ErrInvalidInput, ErrNotFound (period not opened).
func (s *Service) SetAttendance(ctx context.Context, by, person, month string, body EntryBody) error {
	return s.change(ctx, by, "attendance.set", person+"/"+month, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		p, err := s.person(o, person, "person")
		if err != nil {
			return err
		}
		sc, scheme, err := s.personScheme(o.ctx, o.tx, p)
		if err != nil {
			return err
		}
		_, periodID, pid, err := s.entryCycle(scheme, EntryAttendance, month)
		if err != nil {
			return err
		}
		if err := ValidateBody(EntryAttendance, body, sc.Scale); err != nil {
			return err
		}
		if _, err := o.tx.Period(o.ctx, periodID); err != nil {
			return err
		}
		key := EntryKey{Kind: EntryAttendance, Person: person, Period: pid}
		e, err := o.tx.Entry(o.ctx, key)
		if errors.Is(err, ErrNotFound) {
			return o.tx.CreateEntry(o.ctx, Entry{EntryKey: key, Cycle: periodID, State: EntrySubmitted, Body: body, SubmittedAt: o.now, CommentBy: by})
		} else if err != nil {
			return err
		}
		e.Body, e.SubmittedAt, e.CommentBy = body, o.now, by
		e.Version++
		return o.tx.UpdateEntry(o.ctx, e)
	})
}

// Vote casts by's 民主测评: one score (0 to the scheme's scale) for every
// person by rates (voteTargets: the other members of by's 考核单元, and of
// those by votes in as an extra voter). The ballots are stored without the
// voter; only the fact that by voted is kept. Errors: ErrForbidden
// (nobody to rate, votes off), ErrInvalidInput (a score out of range, a
// stranger, a colleague left out), ErrConflict (already voted),
// ErrWindowClosed.
func (s *Service) Vote(ctx context.Context, by, periodID string, scores map[string]scoring.Dec) error {
	return s.change(ctx, by, "vote.cast", periodID, func(o *op) error {
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		period, err := s.openPeriod(o, periodID)
		if err != nil {
			return err
		}
		sc := s.schemeOf(period)
		people, err := s.periodPeople(o.ctx, o.tx, period)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(people, func(p Person) bool { return p.ID == by }); i >= 0 {
			me = people[i] // not assessed in a period of another scheme
		}
		units, err := unitMap(o.ctx, o.tx)
		if err != nil {
			return err
		}
		targets := s.voteTargets(sc, me, people, units)
		if len(targets) == 0 {
			return fmt.Errorf("%s has no vote: %w", by, ErrForbidden)
		}
		// The tally closes with the self-summaries: a vote cast later
		// could still move a result the leaders are already scoring.
		if s.today(o.now).After(period.SummaryDue) {
			return windowClosed(fmt.Sprintf("%s民主测评已于%s截止，不能再提交", periodName(periodID), period.SummaryDue),
				"votes of %s closed %s", periodID, period.SummaryDue)
		}
		peers := map[string]bool{}
		for _, p := range targets {
			peers[p.ID] = true
		}
		var ballots []Ballot
		for id, v := range scores {
			if !peers[id] {
				return invalid("votes."+id, "不是本考核单元的同事")
			}
			if v.Sign() < 0 || v.GreaterThan(sc.Scale.Decimal) {
				return invalid("votes."+id, "须在 0 至 "+sc.Scale.String()+" 之间")
			}
			ballots = append(ballots, Ballot{Period: periodID, Target: id, Score: v})
		}
		if len(scores) != len(peers) {
			return invalid("votes", fmt.Sprintf("请为全部 %d 位同事评分", len(peers)))
		}
		if err := o.tx.MarkVoted(o.ctx, periodID, by); err != nil {
			return err
		}
		return o.tx.AddBallots(o.ctx, ballots)
	})
}
