package workflow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Closing the appraisal and the windows after it (docs/design.md §2,
// "Closing the appraisal"). The appraisal closes by itself once there is
// nothing left to wait for: the period has ended, every self-summary is in
// and every chain has reached its end, and the 民主测评 is over (its due date
// passed, or everyone who votes has voted). A chain step still pending is
// never skipped: at the appraisal's deadline (AppraisalDue) HR is told who
// is missing, at which step and with whom, and closing by hand is refused
// with the same list until each is done, moved (转办) or the person is
// exempted with a reason.

// Missing is a person in the appraisal whose chain has not reached its end,
// and where it stands.
type Missing struct {
	Person string
	Name   string
	// What is the pending step's name (初评, 审定 …), or "季度小结" when the
	// chain has not started: the self-summary is not in, or was sent back.
	What string
	// With is the name of who holds the step ("" when nobody may decide it,
	// or for the self-summary); Step its id, for 转办.
	With string
	Step string
	// Due is the step's or the self-summary's due date.
	Due calendar.Date
	// Returned: the self-summary was sent back and not yet filed again.
	Returned bool
}

// Text is the line HR reads: "张三：初评（科长钱，2026-10-12截止）",
// "李四：季度小结未提交".
func (m Missing) Text() string {
	switch {
	case m.Step == "" && m.Returned:
		return m.Name + "：季度小结被退回，待重新提交"
	case m.Step == "":
		return m.Name + "：季度小结未提交"
	case m.With == "":
		return m.Name + "：" + m.What + "（暂无人办理，需转办）"
	}
	return fmt.Sprintf("%s：%s（%s，%s截止）", m.Name, m.What, m.With, m.Due)
}

// missing lists who in the appraisal has no finished chain, in id order.
func (s *Service) missing(ctx context.Context, tx Tx, period Period, people []Person) ([]Missing, error) {
	names := map[string]string{}
	for _, p := range people {
		names[p.ID] = p.Name
	}
	var out []Missing
	for _, p := range people {
		if !inScope(p) {
			continue
		}
		steps, err := tx.Steps(ctx, StepFilter{Period: period.ID, Person: p.ID})
		if err != nil {
			return nil, err
		}
		if n := len(steps); n > 0 && steps[n-1].State == StepApproved {
			continue
		}
		m := Missing{Person: p.ID, Name: p.Name, What: "季度小结", Due: period.SummaryDue}
		if n := len(steps); n > 0 && steps[n-1].State == StepPending {
			st := steps[n-1]
			m.What, m.Step, m.With, m.Due = st.Name, st.ID, names[st.Assignee], st.Due
		} else {
			e, err := tx.Entry(ctx, EntryKey{Kind: EntryQuarterly, Person: p.ID, Period: period.ID})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
			m.Returned = err == nil && e.State == EntryReturned
		}
		out = append(out, m)
	}
	return out, nil
}

func missingTexts(ms []Missing) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text()
	}
	return out
}

// Unfinished returns who in the period's appraisal is not finished and
// where each stands (HR only), for the closing card. Errors:
// ErrForbidden, ErrNotFound.
func (s *Service) Unfinished(ctx context.Context, by, periodID string) ([]Missing, error) {
	var out []Missing
	err := s.view(ctx, func(tx Tx) error {
		out = nil
		me, err := tx.Person(ctx, by)
		if err != nil || !me.HR {
			return fmt.Errorf("%s may not see the appraisal's progress: %w", by, ErrForbidden)
		}
		period, err := tx.Period(ctx, periodID)
		if err != nil {
			return err
		}
		people, err := s.periodPeople(ctx, tx, period)
		if err != nil {
			return err
		}
		out, err = s.missing(ctx, tx, period, people)
		return err
	})
	return out, err
}

// AppraisalDue is the day by which a period's chains should be done: the
// self-summary's due date plus the longest configured chain at
// Config.StepWorkdays working days a step (S4's 初评 → 审定 → 评鉴 at 3 days:
// 9 working days). It is not a cut-off: HR is told after it who is
// missing.
func (s *Service) AppraisalDue(p Period) calendar.Date {
	longest := 1
	for _, c := range s.cfg.Chains {
		longest = max(longest, len(c))
	}
	return s.cal.AddWorkdays(p.SummaryDue, longest*s.cfg.StepWorkdays)
}

// votesOpen reports whether the 民主测评 may still bring ballots: before its
// due date, while someone who votes has not (a 考核单元 of one has nobody
// to vote for).
func (s *Service) votesOpen(ctx context.Context, tx Tx, p Period, people []Person, today calendar.Date) (bool, error) {
	if !s.votesIn(s.schemeOf(p)) || today.After(p.SummaryDue) {
		return false, nil
	}
	vs, err := tx.Voters(ctx, p.ID)
	if err != nil {
		return false, err
	}
	voted := map[string]bool{}
	for _, v := range vs {
		voted[v] = true
	}
	units, err := unitMap(ctx, tx)
	if err != nil {
		return false, err
	}
	votes := s.newVoteIndex(s.schemeOf(p), people, units)
	for _, x := range people {
		if !voted[x.ID] && votes.hasVote(x) {
			return true, nil
		}
	}
	return false, nil
}

// closeAppraisal scores an open period with nothing missing and hands it
// to the committee: the state change CloseAppraisal and Tick share.
func (s *Service) closeAppraisal(o *op, period Period, people []Person) (*scoring.PeriodResult, error) {
	// The states of the people as they stand now are the period's from
	// here on (Period.Statuses).
	period.Statuses = map[string]PersonStatus{}
	for _, p := range people {
		if p.Assessed {
			period.Statuses[p.ID] = p.Status
		}
	}
	res, byID, err := s.rescore(o, &period)
	if err != nil {
		return nil, err
	}
	period.State = PeriodCommittee
	period.Version++
	if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
		return nil, err
	}
	s.notifyCommittee(o, people, period, res, byID)
	o.logf("scored %d people", len(res.People))
	return res, nil
}

// periodsDue is Tick's part for the periods, on working days outside the
// quiet hours (nobody is called to the committee or told of a deadline on
// a Sunday or during 国庆): it
// closes each appraisal with nothing left to wait for and tells HR; tells
// HR once, after a period's AppraisalDue, who is still missing; and tells
// HR once when 公示 has ended and when the 复核 window ended with requests
// still open. An appraisal the engine cannot score is left open, HR told
// once why; it never stops Tick.
func (s *Service) periodsDue(ctx context.Context, today calendar.Date) error {
	if !s.cal.IsWorkday(today) {
		return nil
	}
	type due struct {
		period Period
		close  bool
		late   []Missing
	}
	var dues []due
	if err := s.view(ctx, func(tx Tx) error {
		dues = nil
		ps, err := tx.Periods(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			switch p.State {
			case PeriodOpen:
				people, err := s.periodPeople(ctx, tx, p)
				if err != nil {
					return err
				}
				ms, err := s.missing(ctx, tx, p, people)
				if err != nil {
					return err
				}
				open, err := s.votesOpen(ctx, tx, p, people, today)
				if err != nil {
					return err
				}
				_, err = tx.Fire(ctx, p.ID+"/close_failed", epoch)
				failed := err == nil
				if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				switch {
				case len(ms) == 0 && !open && !failed && today.After(p.End) && slicesAny(people, inScope):
					// Once it failed, HR closes by hand after putting
					// the data right; Tick does not try every few minutes.
					dues = append(dues, due{period: p, close: true})
				case len(ms) > 0 && today.After(s.AppraisalDue(p)):
					dues = append(dues, due{period: p, late: ms})
				}
			case PeriodPublished:
				dues = append(dues, due{period: p})
			}
		}
		return nil
	}); err != nil {
		return err
	}
	// One period's failure does not keep the others waiting.
	var errs []error
	for _, d := range dues {
		var err error
		switch {
		case d.close:
			err = s.autoClose(ctx, d.period.ID)
		case d.late != nil:
			err = s.appraisalOverdue(ctx, d.period, d.late)
		default:
			err = s.windowsEnded(ctx, d.period, today)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("period %s: %w", d.period.ID, err))
		}
	}
	return errors.Join(errs...)
}

// officeHours is when a notice that is not urgent may go out: at once
// (zero) on a working day outside the quiet hours, else when the quiet
// hours end on the next working day. The relay holds a notification
// until its NotBefore.
func (s *Service) officeHours(now time.Time) time.Time {
	today := s.today(now)
	if s.cal.IsWorkday(today) && !s.quiet(now) {
		return time.Time{}
	}
	d := today
	if !s.cal.IsWorkday(d) || now.In(s.cal.Location()).Hour() >= s.cfg.QuietTo {
		d = s.cal.AddWorkdays(d, 1)
	}
	return s.at(d, s.cfg.QuietTo, 0)
}

// epoch is the slot of a notice that has no date of its own.
var epoch = time.Unix(0, 0).UTC()

func slicesAny(ps []Person, f func(Person) bool) bool {
	for _, p := range ps {
		if f(p) {
			return true
		}
	}
	return false
}

// autoClose closes an appraisal by itself, checking again in its own
// transaction; HR is told. A scoring refusal leaves it open and tells HR
// once (a Fire record, so it is not repeated every Tick).
func (s *Service) autoClose(ctx context.Context, id string) error {
	err := s.change(ctx, "system", "period.close", id, func(o *op) error {
		period, err := o.tx.Period(o.ctx, id)
		if err != nil || period.State != PeriodOpen {
			o.quiet = true
			return err
		}
		people, err := s.periodPeople(o.ctx, o.tx, period)
		if err != nil {
			return err
		}
		if ms, err := s.missing(o.ctx, o.tx, period, people); err != nil || len(ms) > 0 {
			o.quiet = true
			return err
		}
		res, err := s.closeAppraisal(o, period, people)
		if err != nil {
			return err
		}
		ties := 0
		for _, q := range res.Quotas {
			ties += len(q.Tied)
		}
		for _, hr := range hrPeople(people) {
			o.note(hr, TplAppraisalClosed, map[string]string{"period": id, "count": strconv.Itoa(len(res.People)), "ties": strconv.Itoa(ties)}, id)
		}
		o.logf("closed by itself: every chain done")
		return nil
	})
	switch {
	case err == nil || errCode(err) == "internal":
		return err
	case !errors.Is(err, ErrInvalidInput):
		// The period moved on meanwhile (another replica closed it):
		// nothing to tell.
		s.log.Warn("appraisal did not close by itself", "period", id, "err", err)
		return nil
	}
	// The engine refused the data: HR closes by hand once it is put right,
	// and hears why once.
	s.log.Warn("appraisal did not close by itself", "period", id, "err", err)
	return s.once(ctx, id+"/close_failed", epoch, "period.close_failed", id, func(o *op, people []Person) error {
		for _, hr := range hrPeople(people) {
			o.note(hr, TplAppraisalStuck, map[string]string{"period": id, "reason": Message(err)}, id, "stuck")
		}
		return nil
	})
}

// appraisalOverdue tells HR once, after the period's AppraisalDue, who is
// still missing.
func (s *Service) appraisalOverdue(ctx context.Context, p Period, ms []Missing) error {
	due := s.AppraisalDue(p)
	return s.once(ctx, p.ID+"/appraisal_due", s.at(due.AddDays(1), 0, 0), "period.overdue", p.ID, func(o *op, people []Person) error {
		// Fresh state: someone may have finished since the view.
		period, err := o.tx.Period(o.ctx, p.ID)
		if err != nil {
			return err
		}
		ms, err := s.missing(o.ctx, o.tx, period, people)
		if err != nil || len(ms) == 0 {
			return err
		}
		for _, hr := range hrPeople(people) {
			o.note(hr, TplAppraisalOverdue, map[string]string{"period": p.ID, "due": due.String(), "count": strconv.Itoa(len(ms)),
				"lines": strings.Join(missingTexts(ms), "\n")}, p.ID, "overdue")
		}
		o.logf("%d people missing after %s", len(ms), due)
		return nil
	})
}

// windowsEnded tells HR once that a published period's 公示 has ended, and
// once that its 复核 window ended with requests still open (a period with
// none is closed by closeDue, which tells HR itself).
func (s *Service) windowsEnded(ctx context.Context, p Period, today calendar.Date) error {
	if today.After(p.PublicityEnd) {
		err := s.once(ctx, p.ID+"/publicity_end", s.at(p.PublicityEnd.AddDays(1), 0, 0), "period.publicity_end", p.ID, func(o *op, people []Person) error {
			rs, err := o.tx.Reviews(o.ctx, p.ID)
			if err != nil {
				return err
			}
			for _, hr := range hrPeople(people) {
				o.note(hr, TplPublicityEnded, map[string]string{"period": p.ID, "until": p.PublicityEnd.String(),
					"review_until": p.ReviewEnd.String(), "reviews": strconv.Itoa(len(rs))}, p.ID, "publicity_end")
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if !today.After(p.ReviewEnd) {
		return nil
	}
	return s.once(ctx, p.ID+"/review_end", s.at(p.ReviewEnd.AddDays(1), 0, 0), "period.review_end", p.ID, func(o *op, people []Person) error {
		cur, err := o.tx.Period(o.ctx, p.ID)
		if err != nil || cur.State != PeriodPublished {
			return err
		}
		rs, err := o.tx.Reviews(o.ctx, p.ID)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, x := range people {
			names[x.ID] = x.Name
		}
		var open []string
		for _, r := range rs {
			if r.State == ReviewRequested || r.State == ReviewForwarded {
				open = append(open, names[r.Person]+"（"+reviewStateName(r.State)+"）")
			}
		}
		if len(open) == 0 {
			return nil
		}
		for _, hr := range hrPeople(people) {
			o.note(hr, TplReviewWindowEnded, map[string]string{"period": p.ID, "review_until": p.ReviewEnd.String(),
				"count": strconv.Itoa(len(open)), "names": strings.Join(open, "、")}, p.ID, "review_end")
		}
		return nil
	})
}

func reviewStateName(state string) string {
	switch state {
	case ReviewRequested:
		return "待政工科办理"
	case ReviewForwarded:
		return "待考核委员会审议"
	}
	return state
}

// once runs fn as a system notice at most once for (schedule, slot),
// whatever Tick runs it: the Fire record and fn's notifications commit
// together, as a reminder's do (docs/reliability.md §1). Like a
// reminder, it is recorded in Fire rather than the audit log.
func (s *Service) once(ctx context.Context, schedule string, slot time.Time, action, object string, fn func(o *op, people []Person) error) error {
	var done bool
	if err := s.view(ctx, func(tx Tx) error {
		_, err := tx.Fire(ctx, schedule, slot)
		done = err == nil
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}); err != nil || done {
		return err
	}
	return s.change(ctx, "system", action, object, func(o *op) error {
		o.quiet = true
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		if err := fn(o, people); err != nil {
			return err
		}
		f := Fire{ScheduleID: schedule, SlotAt: slot, Outcome: FireFired, Sent: len(o.notes), FiredAt: o.now}
		if err := o.tx.RecordFire(o.ctx, f); errors.Is(err, ErrConflict) {
			o.notes = nil // another replica or an earlier Tick told them
			return nil
		} else if err != nil {
			return err
		}
		return nil
	})
}
