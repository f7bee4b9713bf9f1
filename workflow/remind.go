package workflow

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TickReport says what one Tick did.
type TickReport struct {
	Fired  int // slots fired by this call
	Missed int // slots older than the grace window, recorded as missed
	Sent   int // notifications written
}

// item is one open thing with a deadline and a reminder plan.
type item struct {
	schedule string // schedule id prefix; the stage is appended
	kind     string // plan name
	period   string // the appraisal period
	entry    string // the entry's period id (weekly, monthly) or the step id
	due      calendar.Date
	// nudges, when set, replace the plan of kind: an item no plan setting
	// covers (holidays).
	nudges []Nudge
}

// TplHolidaysUnknown tells HR in December that the calendar does not know
// the coming year's official holidays, so that they enter them when the
// State Council publishes them (the notice usually comes in November or
// December); until then every deadline and reminder of that year counts
// only weekends as rest days. Data: year (the coming year), due (the day
// the warning is for).
const TplHolidaysUnknown = "holidays_unknown"

// planHolidays is the December warning's item kind. It has no plan
// setting: its two slots are fixed (holidayNudges).
const planHolidays = "holidays"

// holidayNudges: 09:00 on the day, to HR. The item is due on the first
// working day of December and again on the first working day from 15
// December: twice, so that a notice published after the first warning,
// or a first slot missed while serve was down, still gets a word to HR
// before the year turns.
var holidayNudges = []Nudge{{StageHR, 0, 9, 0}}

// holidayCalendar is the part of *calendar.Calendar that says where a
// year's rest days come from. A Calendar without it (a test's) is taken
// to know every year.
type holidayCalendar interface {
	HasOfficialData(year int) bool
	Day(d calendar.Date) calendar.Day
}

// holidaysKnown reports whether year's holidays are known: the built-in
// official data carries the year, or HR has entered at least one rest day
// of it as an override (calendar.holidays in serve's configuration).
// Decision: any entered rest day counts, since kaohe cannot tell a whole
// notice from part of one, and HR who entered any has seen the warning's
// point; warning again would only teach them to ignore it.
func (s *Service) holidaysKnown(year int) bool {
	hc, ok := s.cal.(holidayCalendar)
	if !ok || hc.HasOfficialData(year) {
		return true
	}
	for d := calendar.NewDate(year, time.January, 1); d.Year == year; d = d.AddDays(1) {
		if hc.Day(d).Kind == calendar.OrgRest {
			return true
		}
	}
	return false
}

// holidayItems are the December warnings while next year's holidays are
// unknown: none outside December.
func (s *Service) holidayItems(today calendar.Date) []item {
	next := today.Year + 1
	if today.Month != time.December || s.holidaysKnown(next) {
		return nil
	}
	var out []item
	for _, slot := range []struct {
		name string
		day  int
	}{{"first", 1}, {"mid", 15}} {
		due := s.cal.AddWorkdays(calendar.NewDate(today.Year, time.December, slot.day), 0)
		out = append(out, item{schedule: fmt.Sprintf("holidays/%d/%s", next, slot.name), kind: planHolidays,
			entry: strconv.Itoa(next), due: due, nudges: holidayNudges})
	}
	return out
}

// Tick fires every reminder slot that is due at the clock's now: for each
// open item (a missing entry, a vote not cast, a pending step, feedback not
// given, a filing not done; in December, next year's holidays not known)
// each nudge of its plan fires once, at its time,
// to those who have not acted — or, for an escalation, to their leader or
// HR. Each slot is recorded in the store (Tx.RecordFire) in the same
// transaction as its notifications, so concurrent or repeated Ticks fire it
// exactly once; a slot older than Config.Grace is recorded as missed and not
// sent. In quiet hours Tick sends nothing (slots wait, within the grace).
// Tick also closes each appraisal with nothing left to wait for, and
// periods whose 复核 window has ended, telling HR (closing.go). Call it
// every few minutes from a scheduler, or after moving a fake clock.
func (s *Service) Tick(ctx context.Context) (TickReport, error) {
	var rep TickReport
	now := s.clock.Now()
	today := s.today(now)
	if err := s.closeDue(ctx, today); err != nil {
		return rep, fmt.Errorf("close periods: %w", err)
	}
	if s.quiet(now) {
		return rep, nil
	}
	if err := s.openDue(ctx, today); err != nil {
		return rep, fmt.Errorf("open period: %w", err)
	}
	// A period that cannot be handled now does not hold up the reminders;
	// its error is returned after them.
	perr := s.periodsDue(ctx, today)
	if perr != nil {
		perr = fmt.Errorf("periods: %w", perr)
	}
	type slot struct {
		it    item
		nudge Nudge
		id    string
		at    time.Time
	}
	var due []slot
	err := s.view(ctx, func(tx Tx) error {
		due = nil // the store may run fn again
		items, err := s.items(ctx, tx, today)
		if err != nil {
			return err
		}
		for _, it := range items {
			nudges := s.cfg.Plans[it.kind]
			if it.nudges != nil {
				nudges = it.nudges
			}
			for _, n := range nudges {
				at, ok := s.slotTime(it.due, n)
				if !ok || at.After(now) {
					continue
				}
				id := it.schedule + "/" + n.Stage
				if _, err := tx.Fire(ctx, id, at); err == nil {
					continue
				} else if !errors.Is(err, ErrNotFound) {
					return err
				}
				due = append(due, slot{it, n, id, at})
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, sl := range due {
		missed := now.Sub(sl.at) > s.cfg.Grace
		sent := 0
		fired := false
		err := s.store.InTx(ctx, func(tx Tx) error {
			fired, sent = false, 0 // the store may run fn again
			f := Fire{ScheduleID: sl.id, SlotAt: sl.at, Outcome: FireFired, FiredAt: now}
			var notes []Notification
			if missed {
				f.Outcome = FireMissed
			} else {
				var err error
				notes, err = s.recipients(ctx, tx, sl.it, sl.nudge, now, today)
				if err != nil {
					return err
				}
				if sl.nudge.Stage == StageUrgent {
					markUrgent(notes)
				}
				f.Sent = len(notes)
			}
			if err := tx.RecordFire(ctx, f); errors.Is(err, ErrConflict) {
				return nil // another replica or an earlier Tick fired it
			} else if err != nil {
				return err
			}
			for _, n := range notes {
				n.Key = DedupeKey(sl.id, sl.at.UTC().Format(time.RFC3339), n.To, n.Template)
				n.CreatedAt = now
				if _, err := tx.Enqueue(ctx, n); err != nil && !errors.Is(err, ErrConflict) {
					return err
				}
			}
			fired, sent = true, len(notes)
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("fire %s at %s: %w", sl.id, sl.at.Format(time.RFC3339), err)
		}
		switch {
		case fired && missed:
			rep.Missed++
			s.log.Warn("reminder slot missed", "schedule", sl.id, "slot", sl.at)
		case fired:
			rep.Fired++
			rep.Sent += sent
		}
	}
	return rep, perr
}

// quiet reports whether t falls in the quiet hours.
func (s *Service) quiet(t time.Time) bool {
	h := t.In(s.cal.Location()).Hour()
	from, to := s.cfg.QuietFrom, s.cfg.QuietTo
	if from == to {
		return false
	}
	if from > to {
		return h >= from || h < to
	}
	return h >= from && h < to
}

// slotTime is when a nudge of an item due on due fires; false when the
// plan skips it (an on-the-day nudge for a due date that is not a working
// day). A time in the quiet hours moves to their end.
func (s *Service) slotTime(due calendar.Date, n Nudge) (time.Time, bool) {
	d := due
	switch {
	case n.Workdays == 0:
		if !s.cal.IsWorkday(due) {
			return time.Time{}, false
		}
	default:
		d = s.cal.AddWorkdays(due, n.Workdays)
	}
	t := s.at(d, n.Hour, n.Minute)
	if s.quiet(t) {
		if n.Hour >= s.cfg.QuietTo {
			d = d.AddDays(1)
		}
		t = s.at(d, s.cfg.QuietTo, 0)
	}
	return t, true
}

// dailyOwedWorkdays is how long a missing daily log is asked for: on its
// day and the five working days after it (a week), on the 待办, 进度 and
// by its reminder. Decision: a log is the day's own record (S7: 每个工作
// 日完成《个人工作日志》); weeks later it would be written from memory, and a
// 待办 listing every missed day of a quarter would bury the rest. A late
// log is still taken (Submit) until the appraisal closes.
const dailyOwedWorkdays = 5

// items lists every open item with a reminder plan.
func (s *Service) items(ctx context.Context, tx Tx, today calendar.Date) ([]item, error) {
	periods, err := tx.Periods(ctx)
	if err != nil {
		return nil, err
	}
	var out []item
	for _, p := range periods {
		if p.Kind == KindYear {
			continue // the year has no entries, steps, 反馈 or 备案 of its own to chase
		}
		cp, _, err := parsePeriodID(p.ID)
		if err != nil {
			return nil, err
		}
		// Only the records the period's scheme keeps are listed and fired.
		kept := s.schemeOf(p).Records
		switch p.State {
		case PeriodOpen:
			if kept.Keeps(EntryDaily) {
				from := s.cal.AddWorkdays(today, -dailyOwedWorkdays)
				if from.Before(cp.Start()) {
					from = cp.Start()
				}
				for d := from; !d.After(today) && !d.After(cp.End()); d = d.AddDays(1) {
					if s.cal.IsWorkday(d) {
						out = append(out, item{schedule: p.ID + "/daily/" + d.String(), kind: planDaily, period: p.ID, entry: d.String(), due: d})
					}
				}
			}
			for _, w := range weeksOf(cp) {
				if w.Start().After(today) || !kept.Keeps(EntryWeekly) {
					break
				}
				out = append(out, item{schedule: p.ID + "/weekly/" + w.String(), kind: planWeekly, period: p.ID, entry: w.String(), due: s.cfg.Deadlines.Weekly(s.cal, w)})
			}
			for _, m := range monthsOf(cp) {
				if m.Start().After(today) || !kept.Keeps(EntryMonthly) {
					break
				}
				out = append(out, item{schedule: p.ID + "/monthly/" + m.String(), kind: planMonthly, period: p.ID, entry: m.String(), due: s.cfg.Deadlines.Monthly(s.cal, m)})
			}
			out = append(out, item{schedule: p.ID + "/summary", kind: planSummary, period: p.ID, entry: p.ID, due: p.SummaryDue})
			if s.votesIn(s.schemeOf(p)) {
				out = append(out, item{schedule: p.ID + "/vote", kind: planVote, period: p.ID, entry: p.ID, due: p.SummaryDue})
			}
			steps, err := tx.Steps(ctx, StepFilter{Period: p.ID, State: StepPending})
			if err != nil {
				return nil, err
			}
			for _, st := range steps {
				out = append(out, item{schedule: "step/" + st.ID, kind: planStep, period: p.ID, entry: st.ID, due: st.Due})
			}
		case PeriodPublished, PeriodClosed:
			if p.State == PeriodPublished {
				pub := s.today(p.PublishedAt)
				out = append(out, item{schedule: p.ID + "/feedback", kind: planFeedback, period: p.ID, due: s.cal.AddWorkdays(pub, s.cfg.FeedbackWorkdays)})
			}
			// A first quarter filed by half-year goes with the second's
			// reminder (halfyear.go).
			if first, _, half := s.HalfYearFiling(p.ID); p.FiledAt.IsZero() && (!half || first != p.ID) {
				out = append(out, item{schedule: p.ID + "/filing", kind: planFiling, period: p.ID, due: p.FilingDue})
			}
		}
	}
	out = append(out, s.yearRateItems(ctx, tx, today)...)
	return append(out, s.holidayItems(today)...), nil
}

// recipients computes, from fresh state inside the firing transaction, who
// a nudge goes to: only those who still have not acted.
func (s *Service) recipients(ctx context.Context, tx Tx, it item, n Nudge, now time.Time, today calendar.Date) ([]Notification, error) {
	people, err := tx.People(ctx)
	if it.period != "" && !IsYear(it.period) {
		// Only the people of the period's scheme owe its entries.
		people, err = s.periodPeopleID(ctx, tx, it.period)
	}
	if err != nil {
		return nil, err
	}
	units, err := unitMap(ctx, tx)
	if err != nil {
		return nil, err
	}
	byID := map[string]Person{}
	for _, p := range people {
		byID[p.ID] = p
	}
	hr := hrPeople(people)
	data := func() map[string]string {
		return map[string]string{"item": it.kind, "period": it.period, "entry": it.entry, "due": it.due.String(), "stage": n.Stage}
	}
	var pending []Person // people who have to act
	var out []Notification
	switch it.kind {
	case planDaily, planWeekly, planMonthly, planSummary, planVote:
		var voters map[string]bool
		var votes voteIndex
		if it.kind == planVote {
			vs, err := tx.Voters(ctx, it.period)
			if err != nil {
				return nil, err
			}
			voters = map[string]bool{}
			for _, v := range vs {
				voters[v] = true
			}
			votes = s.newVoteIndex(s.schemeOfID(it.period), people, units)
		}
		kind := entryOfPlan[it.kind]
		for _, p := range people {
			if it.kind == planVote {
				// Extra voters (a 分管领导, people HR named) are reminded
				// too, though not assessed.
				if !onLeave(p, today) && !voters[p.ID] && votes.hasVote(p) {
					pending = append(pending, p)
				}
				continue
			}
			if !inScope(p) || onLeave(p, today) {
				continue
			}
			if !s.schemeOfID(it.period).Records.Keeps(kind) {
				continue // not a record p's scheme keeps
			}
			e, err := tx.Entry(ctx, EntryKey{Kind: kind, Person: p.ID, Period: it.entry})
			if errors.Is(err, ErrNotFound) || (err == nil && e.State == EntryReturned) {
				pending = append(pending, p)
			} else if err != nil {
				return nil, err
			}
		}
	case planStep:
		st, err := tx.Step(ctx, it.entry)
		if err != nil {
			return nil, err
		}
		if st.State != StepPending {
			return nil, nil
		}
		d := data()
		d["step"], d["person"], d["name"] = st.ID, byID[st.Person].Name, st.Name
		switch n.Stage {
		case StageLeader, StageHR:
			to := hr
			if n.Stage == StageLeader {
				sup, err := superior(ctx, tx, st.Assignee)
				if err != nil {
					return nil, err
				}
				if sup != "" {
					to = []string{sup}
				}
			}
			d["names"], d["count"] = byID[st.Assignee].Name, "1"
			for _, r := range to {
				out = append(out, Notification{To: r, Template: TplEscalate, Data: d})
			}
		default:
			to := []string{}
			if a, ok := byID[st.Assignee]; ok && !onLeave(a, today) {
				to = append(to, a.ID)
			}
			dels, err := delegatesOf(ctx, tx, st.Assignee, now)
			if err != nil {
				return nil, err
			}
			for _, r := range append(to, dels...) {
				out = append(out, Notification{To: r, Template: TplRemind, Data: d})
			}
		}
		return out, nil
	case planFeedback:
		results, err := tx.Results(ctx, it.period)
		if err != nil {
			return nil, err
		}
		byLeader := map[string][]string{}
		var all []string
		for _, r := range results {
			if r.Feedback != nil {
				continue
			}
			p := byID[r.Person]
			l := leaderOf(p, units)
			byLeader[l] = append(byLeader[l], p.Name)
			all = append(all, p.Name)
		}
		if n.Stage == StageHR {
			if len(all) > 0 {
				for _, h := range hr {
					d := data()
					d["names"], d["count"] = strings.Join(all, "、"), strconv.Itoa(len(all))
					out = append(out, Notification{To: h, Template: TplEscalate, Data: d})
				}
			}
			return out, nil
		}
		for _, l := range sortedKeys(byLeader) {
			if l == "" || onLeave(byID[l], today) {
				continue
			}
			d := data()
			d["names"], d["count"] = strings.Join(byLeader[l], "、"), strconv.Itoa(len(byLeader[l]))
			out = append(out, Notification{To: l, Template: TplFeedbackDue, Data: d})
		}
		return out, nil
	case planYearRate:
		year, err := strconv.Atoi(it.entry)
		if err != nil {
			return nil, err
		}
		pr, err := s.yearRatingProgress(ctx, tx, year, "")
		if err != nil {
			return nil, err
		}
		for _, p := range pr.Pending {
			if !onLeave(p, today) {
				out = append(out, Notification{To: p.ID, Template: TplRemind, Data: data()})
			}
		}
		return out, nil
	case planHolidays:
		year, err := strconv.Atoi(it.entry)
		if err != nil || s.holidaysKnown(year) {
			return nil, err
		}
		for _, h := range hr {
			out = append(out, Notification{To: h, Template: TplHolidaysUnknown,
				Data: map[string]string{"year": it.entry, "due": it.due.String(), "stage": n.Stage}})
		}
		return out, nil
	case planFiling:
		p, err := tx.Period(ctx, it.period)
		if err != nil {
			return nil, err
		}
		if !p.FiledAt.IsZero() {
			return nil, nil
		}
		d := data()
		if first, _, half := s.HalfYearFiling(p.ID); half && first != p.ID {
			// The half's first quarter, when it was appraised and is not
			// filed yet, is named on the card with the second.
			q, err := tx.Period(ctx, first)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			if err == nil && q.FiledAt.IsZero() {
				d["with"] = first
			}
		}
		for _, h := range hr {
			dd := maps.Clone(d)
			out = append(out, Notification{To: h, Template: TplFilingDue, Data: dd})
		}
		return out, nil
	}
	if len(pending) == 0 {
		return nil, nil
	}
	// A record the scheme names its own way (S2 月记实, S7 个人工作日志) is
	// called so on the reminder ("record"); the notice falls back to the
	// item's usual name. An escalation lists several people and takes the
	// first's name.
	named := func(d map[string]string, p Person) map[string]string {
		if kind := entryOfPlan[it.kind]; kind != EntryVote {
			if name := s.schemeOfID(it.period).Records.Name(kind); name != scoring.UsualName(kind) {
				d["record"] = name
			}
		}
		return d
	}
	switch n.Stage {
	case StageLeader:
		byLeader := map[string][]string{}
		for _, p := range pending {
			byLeader[leaderOf(p, units)] = append(byLeader[leaderOf(p, units)], p.Name)
		}
		for _, l := range sortedKeys(byLeader) {
			to := []string{l}
			if l == "" {
				to = hr
			}
			for _, r := range to {
				d := named(data(), pending[0])
				d["names"], d["count"] = strings.Join(byLeader[l], "、"), strconv.Itoa(len(byLeader[l]))
				out = append(out, Notification{To: r, Template: TplEscalate, Data: d})
			}
		}
	case StageHR:
		var names []string
		for _, p := range pending {
			names = append(names, p.Name)
		}
		for _, h := range hr {
			d := named(data(), pending[0])
			d["names"], d["count"] = strings.Join(names, "、"), strconv.Itoa(len(names))
			out = append(out, Notification{To: h, Template: TplEscalate, Data: d})
		}
	default:
		for _, p := range pending {
			out = append(out, Notification{To: p.ID, Template: TplRemind, Data: named(data(), p)})
		}
	}
	return out, nil
}

// markUrgent asks for each of an urgent nudge's notifications to be sent
// as 加急 (DataUrgent). recipients builds them like a due nudge's: to the
// person, the step's assignee and delegates, the leaders owing 反馈, or HR
// for 备案; some share one Data map, so each gets its own copy.
func markUrgent(notes []Notification) {
	for i := range notes {
		d := maps.Clone(notes[i].Data)
		if d == nil {
			d = map[string]string{}
		}
		d[DataUrgent] = "1"
		notes[i].Data = d
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
