package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// inScope reports whether p takes part in a period's appraisal.
func inScope(p Person) bool { return p.Assessed && !p.Status.Exempt }

// unfinished returns the names of people in scope whose chain has not
// reached its end.
func (s *Service) unfinished(ctx context.Context, tx Tx, period string, people []Person) ([]string, error) {
	var out []string
	for _, p := range people {
		if !inScope(p) {
			continue
		}
		if _, ok, err := s.finalAssessment(ctx, tx, period, p.ID); err != nil {
			return nil, err
		} else if !ok {
			out = append(out, p.Name)
		}
	}
	return out, nil
}

// finalAssessment returns the assessment of a finished chain.
func (s *Service) finalAssessment(ctx context.Context, tx Tx, period, person string) (Assessment, bool, error) {
	steps, err := tx.Steps(ctx, StepFilter{Period: period, Person: person})
	if err != nil || len(steps) == 0 {
		return Assessment{}, false, err
	}
	last := steps[len(steps)-1]
	if last.State != StepApproved {
		return Assessment{}, false, nil
	}
	return last.Assessment, true, nil
}

// scoreInput builds the scoring engine's input from stored state.
func (s *Service) scoreInput(ctx context.Context, tx Tx, period Period) (*scoring.PeriodInput, map[string]Person, error) {
	people, err := s.periodPeople(ctx, tx, period)
	if err != nil {
		return nil, nil, err
	}
	st, err := tx.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	ballots, err := tx.Ballots(ctx, period.ID)
	if err != nil {
		return nil, nil, err
	}
	votes := map[string][]scoring.Dec{}
	for _, b := range ballots {
		votes[b.Target] = append(votes[b.Target], b.Score)
	}
	in := &scoring.PeriodInput{Kind: "period", Period: scoring.PeriodInfo{ID: period.ID, WorkingDays: s.cal.WorkdaysBetween(period.Start, period.End)}}
	byID := map[string]Person{}
	for _, p := range people {
		if period.Statuses != nil {
			// Closed: the people and states of its own time.
			st, ok := period.Statuses[p.ID]
			if !ok {
				continue
			}
			p.Status = st
		}
		if !inScope(p) {
			continue
		}
		byID[p.ID] = p
		a, _, err := s.finalAssessment(ctx, tx, period.ID, p.ID)
		if err != nil {
			return nil, nil, err
		}
		unit := st.Name
		if s.cfg.QuotaPerUnit || unit == "" {
			unit = assessingUnit(p)
		}
		pi := scoring.PersonInput{ID: p.ID, Name: p.Name, Unit: unit, Group: p.Group, Tier: p.Tier, Frontline: p.Frontline,
			Sources: map[string]scoring.SourceInput{}, Adjustments: a.Adjustments, Grade: a.Grade}
		for _, src := range s.sources(s.schemeOf(period), p.Tier) {
			switch src.Kind {
			case "indicators":
				if len(a.Indicators) > 0 {
					pi.Sources[src.ID] = scoring.SourceInput{Indicators: a.Indicators}
				}
			case "score":
				if a.Score != nil {
					pi.Sources[src.ID] = scoring.SourceInput{Score: a.Score}
				}
			case "votes":
				// Always given, even with no ballot: zero ballots is below
				// the anonymity floor like one or two (the engine leaves the
				// source out and says only that the floor was not met),
				// where an absent source would be missing data that stops
				// the whole period and names who got no vote.
				si := scoring.SourceInput{Votes: votes[p.ID]}
				if t, ok := period.Outside[p.ID]; ok && src.OutsideRaters && t.Raters > 0 {
					si.Outside = &scoring.OutsideTally{Raters: t.Raters, Mean: t.Mean}
				}
				pi.Sources[src.ID] = si
			}
		}
		status := &scoring.Status{Probation: p.Status.Probation, Investigation: p.Status.Investigation, Sanction: p.Status.SanctionIn(period.Start, period.End), Direct: a.Direct, Refusal: a.Refusal}
		leave, err := s.leaveDays(ctx, tx, p, period)
		if err != nil {
			return nil, nil, err
		}
		if s.schemeOf(period).Special.Leave != nil {
			// Leave matters only where the scheme has a rule for it (S4,
			// S5, S10); elsewhere it is recorded for the reminders and the
			// record, and grading goes on as usual.
			status.Leave = leave
		}
		pi.Status = status
		if s.schemeOf(period).GradeConditions != nil {
			// Only a scheme whose grades ask for attendance (S1 第九条)
			// takes it; the engine refuses it elsewhere.
			if pi.Attendance, err = s.monthlyAttendance(ctx, tx, p, period); err != nil {
				return nil, nil, err
			}
		}
		in.People = append(in.People, pi)
	}
	if len(period.Decisions) > 0 {
		in.Committee = &scoring.Committee{Decisions: period.Decisions}
	}
	return in, byID, nil
}

// personNames maps the ids of people to their names, for messages.
func personNames(byID map[string]Person) map[string]string {
	out := make(map[string]string, len(byID))
	for id, p := range byID {
		out[id] = p.Name
	}
	return out
}

// sources returns the scheme's rater sources for a tier.
func (s *Service) sources(sc *scoring.Scheme, tier string) []scoring.Source {
	var def []scoring.Source
	for _, r := range sc.Raters {
		if len(r.Tiers) == 0 {
			def = r.Sources
		}
		if slices.Contains(r.Tiers, tier) {
			return r.Sources
		}
	}
	return def
}

// leaveDays sums a person's leave in the period by kind, in working days:
// recorded absences plus the leave HR entered with the monthly attendance.
func (s *Service) leaveDays(ctx context.Context, tx Tx, p Person, period Period) ([]scoring.LeaveInput, error) {
	days := map[string]int64{}
	var kinds []string
	add := func(kind string, n int64) {
		if _, ok := days[kind]; !ok {
			kinds = append(kinds, kind)
		}
		days[kind] += n
	}
	for _, a := range p.Absences {
		from, to := a.Start, a.End
		if from.Before(period.Start) {
			from = period.Start
		}
		if to.After(period.End) {
			to = period.End
		}
		if n := s.cal.WorkdaysBetween(from, to); n > 0 {
			add(a.Kind, int64(n))
		}
	}
	var out []scoring.LeaveInput
	for _, k := range kinds {
		out = append(out, scoring.LeaveInput{Kind: k, Days: scoring.IntDec(days[k])})
	}
	att, err := tx.Entries(ctx, EntryFilter{Kind: EntryAttendance, Person: p.ID, Cycle: period.ID})
	if err != nil {
		return nil, err
	}
	for _, e := range att {
		out = append(out, e.Body.Leave...)
	}
	return out, nil
}

// monthlyAttendance is a person's attendance by month of the period, for
// a scheme's grade conditions: the leave recorded on the person card, in
// the working days of each month inside the period, and the month's
// attendance HR entered (leave days, 迟到 and 早退). Only months with
// something recorded are listed; the engine takes a month not listed as
// full attendance (HR records the exceptions).
func (s *Service) monthlyAttendance(ctx context.Context, tx Tx, p Person, period Period) ([]scoring.AttendanceMonth, error) {
	byMonth := map[string]*scoring.AttendanceMonth{}
	month := func(id string) *scoring.AttendanceMonth {
		m, ok := byMonth[id]
		if !ok {
			m = &scoring.AttendanceMonth{Month: id}
			byMonth[id] = m
		}
		return m
	}
	addLeave := func(m *scoring.AttendanceMonth, l scoring.LeaveInput) {
		if l.Kind == AbsenceKind {
			// 旷工 is not leave; the conditions count it in whole days (a
			// half day away breaks 全勤 as a whole one does).
			m.Absent += int(l.Days.Ceil().IntPart())
			return
		}
		for i := range m.Leave {
			if m.Leave[i].Kind == l.Kind {
				m.Leave[i].Days = scoring.DecOf(m.Leave[i].Days.Add(l.Days.Decimal))
				return
			}
		}
		m.Leave = append(m.Leave, l)
	}
	for _, a := range p.Absences {
		from, to := a.Start, a.End
		if from.Before(period.Start) {
			from = period.Start
		}
		if to.After(period.End) {
			to = period.End
		}
		for m := calendar.PeriodContaining(calendar.Month, from); !to.Before(from) && !m.Start().After(to); m = m.Next() {
			a0, a1 := from, to
			if a0.Before(m.Start()) {
				a0 = m.Start()
			}
			if a1.After(m.End()) {
				a1 = m.End()
			}
			if n := s.cal.WorkdaysBetween(a0, a1); n > 0 {
				addLeave(month(m.String()), scoring.LeaveInput{Kind: a.Kind, Days: scoring.IntDec(int64(n))})
			}
		}
	}
	att, err := tx.Entries(ctx, EntryFilter{Kind: EntryAttendance, Person: p.ID, Cycle: period.ID})
	if err != nil {
		return nil, err
	}
	for _, e := range att {
		m := month(e.Period)
		for _, l := range e.Body.Leave {
			addLeave(m, l)
		}
		m.Late += e.Body.Late
		m.Early += e.Body.Early
	}
	ids := make([]string, 0, len(byMonth))
	for id := range byMonth {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]scoring.AttendanceMonth, 0, len(ids))
	for _, id := range ids {
		out = append(out, *byMonth[id])
	}
	return out, nil
}

// rescore runs the engine on the period and writes every result; the
// period gets the quotas and the groups whose scores are too uniform.
func (s *Service) rescore(o *op, period *Period) (*scoring.PeriodResult, map[string]Person, error) {
	in, byID, err := s.periodInput(o.ctx, o.tx, *period)
	if err != nil {
		return nil, nil, err
	}
	res, err := scoring.ScorePeriod(s.schemeOf(*period), in)
	if err != nil {
		return nil, nil, s.scoringError(s.schemeOf(*period), err, personNames(byID), "score "+period.ID)
	}
	period.Quotas = res.Quotas
	if period.Uniform, err = s.uniformity(o, period.ID, res); err != nil {
		return nil, nil, fmt.Errorf("uniformity of %s: %w", period.ID, err)
	}
	for _, pr := range res.People {
		r := Result{Period: period.ID, Person: pr.ID, Score: pr.Score, ScoreGrade: pr.ScoreGrade, Grade: pr.Grade,
			State: pr.State, Flags: pr.Flags, Explain: pr.Explain, Version: 1}
		old, err := o.tx.Result(o.ctx, period.ID, pr.ID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, nil, err
		default:
			r.Version, r.Feedback = old.Version+1, old.Feedback
		}
		if err := o.tx.PutResult(o.ctx, r); err != nil {
			return nil, nil, err
		}
	}
	return res, byID, nil
}

// CloseAppraisal ends the period's collecting at once (HR only), before
// Tick would (closing.go): every chain must have finished; the period is
// scored under the scheme with its quotas, and the committee is asked to
// decide the ties and confirm. A pending step is never skipped: the
// refusal names who is missing, at which step and with whom. Errors:
// ErrForbidden, ErrNotFound, ErrWindowClosed (not open), ErrIncomplete
// (chains still running), ErrInvalidInput (the engine refused the data).
func (s *Service) CloseAppraisal(ctx context.Context, by, periodID string) error {
	return s.change(ctx, by, "period.close", periodID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		period, err := s.openPeriod(o, periodID)
		if err != nil {
			return err
		}
		people, err := s.periodPeople(o.ctx, o.tx, period)
		if err != nil {
			return err
		}
		missing, err := s.missing(o.ctx, o.tx, period, people)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return &IncompleteError{What: "考核审核", Missing: missingTexts(missing)}
		}
		_, err = s.closeAppraisal(o, period, people)
		return err
	})
}

func (s *Service) notifyCommittee(o *op, people []Person, period Period, res *scoring.PeriodResult, byID map[string]Person) {
	var tied []string
	for _, q := range res.Quotas {
		for _, id := range q.Tied {
			tied = append(tied, byID[id].Name)
		}
	}
	for _, c := range committeePeople(people) {
		if len(tied) > 0 {
			o.note(c, TplCommitteeTie, map[string]string{"period": period.ID, "names": strings.Join(tied, "、"), "count": strconv.Itoa(len(tied))}, period.ID, strconv.Itoa(period.Version))
		} else {
			o.note(c, TplCommitteeConfirm, map[string]string{"period": period.ID}, period.ID, strconv.Itoa(period.Version))
		}
	}
}

// CommitteeDecide sets the grade of a person the quota left pending (a tie
// at the cap), with a reason (committee members only). It is
// CommitteeDecideAll with one decision.
func (s *Service) CommitteeDecide(ctx context.Context, by, periodID, person, grade, reason string) error {
	return s.CommitteeDecideAll(ctx, by, periodID, []scoring.Decision{{Person: person, Grade: grade, Reason: reason}})
}

// CommitteeDecideAll records the committee's grades for people the quota
// left pending, each with a reason, in one transaction, and scores the
// period again once with all of them: deciding a tie person by person would
// let the first decision settle the rest of the tie through the quota and
// refuse the others. The decisions may neither break a cap nor push out
// of a grade anyone they do not name (more people given a tie's grade
// than it has seats would demote a holder above the tie). Errors:
// ErrForbidden, ErrNotFound, ErrInvalidTransition (period not at the
// committee, a person not pending), ErrInvalidInput (no decisions,
// unknown grade, empty reason, a person twice, a cap broken, someone
// pushed out).
func (s *Service) CommitteeDecideAll(ctx context.Context, by, periodID string, ds []scoring.Decision) error {
	return s.change(ctx, by, "committee.decide", periodID, func(o *op) error {
		period, err := s.atCommittee(o, periodID, "审定")
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return invalid("decisions", "没有需要审定的人员")
		}
		seen := map[string]bool{}
		for _, d := range ds {
			if d.Person == by {
				return forbidden("不能审定本人的等次")
			}
			if seen[d.Person] {
				return invalid("decisions", "同一人员重复审定："+d.Person)
			}
			seen[d.Person] = true
			r, err := o.tx.Result(o.ctx, periodID, d.Person)
			if err != nil {
				return err
			}
			if r.State != scoring.StatePending {
				return fmt.Errorf("%s is %s, not pending: %w", d.Person, r.State, ErrInvalidTransition)
			}
			label := gradeLabel(s.schemeOf(period), d.Grade)
			if label == "" {
				return invalid("grade", "方案中没有此等次："+d.Grade)
			}
			if err := needText("reason", d.Reason); err != nil {
				return err
			}
			period.Decisions = append(period.Decisions, scoring.Decision{Person: d.Person, Grade: label, Reason: d.Reason})
			o.logf("%s -> %s: %s", d.Person, label, d.Reason)
		}
		if err := s.regrade(o, &period, seen, "审定后"); err != nil {
			return err
		}
		period.Version++
		return o.tx.UpdatePeriod(o.ctx, period)
	})
}

// quotaBroken refuses quotas held over their cap: by direct
// determinations or the committee's own decisions (scoring's
// FlagDirectOverCap). Nothing is confirmed while a quota is broken.
func quotaBroken(qs []scoring.QuotaResult, when string) error {
	for _, q := range qs {
		if q.MaxCount != nil && q.After > *q.MaxCount && len(q.Tied) == 0 {
			return invalid("decisions", fmt.Sprintf("%s%s「%s」%d人，超过名额%d人，请重新审定", when, q.Key, q.Grade, q.After, *q.MaxCount))
		}
	}
	return nil
}

// ConfirmResults confirms the period's grades (committee members only).
// Nothing is confirmed while a quota is broken: a cap exceeded, or a
// minimum share not met that the committee neither filled (CommitteeQuota
// QuotaRaise) nor kept with a reason (QuotaKeepShort). Afterwards HR is
// alerted for anyone with the bottom grade several periods in a row.
// Errors: ErrForbidden, ErrNotFound, ErrInvalidTransition (not at the
// committee, a minimum share open), ErrInvalidInput (a cap broken),
// ErrIncomplete (ties still undecided).
func (s *Service) ConfirmResults(ctx context.Context, by, periodID string) error {
	return s.change(ctx, by, "committee.confirm", periodID, func(o *op) error {
		period, err := s.atCommittee(o, periodID, "确认等次")
		if err != nil {
			return err
		}
		results, err := o.tx.Results(o.ctx, periodID)
		if err != nil {
			return err
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, p := range people {
			names[p.ID] = p.Name
		}
		var pending []string
		for _, r := range results {
			if r.State == scoring.StatePending {
				pending = append(pending, names[r.Person])
			}
		}
		if len(pending) > 0 {
			return &IncompleteError{What: "考核委员会审定", Missing: pending}
		}
		if err := quotaBroken(period.Quotas, ""); err != nil {
			return err
		}
		if err := s.floorsOpen(o, period); err != nil {
			return err
		}
		period.State = PeriodConfirmed
		period.Version++
		if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
			return err
		}
		return s.bottomAlerts(o, period, results, people, names)
	})
}

// bottomAlerts tells HR who has had the bottom grade as many
// periods in a row, ending with this one (S4 五、8: 诫勉); the alert names
// the person by id too, for its 记录谈话 button (bottomRun).
func (s *Service) bottomAlerts(o *op, period Period, results []Result, people []Person, names map[string]string) error {
	sc := s.schemeOf(period)
	bottom := sc.Grades[len(sc.Grades)-1].Label
	periods, err := o.tx.Periods(o.ctx)
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Grade != bottom {
			continue
		}
		run, err := s.bottomRun(o.ctx, o.tx, period, periods, r.Person)
		if err != nil {
			return err
		}
		if run == nil {
			continue
		}
		for _, hr := range hrPeople(people) {
			o.note(hr, TplBottomAlert, map[string]string{"person": names[r.Person], "person_id": r.Person, "period": period.ID, "grade": bottom,
				"periods": strings.Join(run, "、")}, period.ID, r.Person)
		}
		o.logf("bottom alert %s", r.Person)
	}
	return nil
}

// Publish starts 公示 (HR only): the top-grade list (or every grade with
// Config.PublishAll) goes to the public chats; each person is told their
// own result privately; a seconded person's result is sent back to their
// home unit's leader; leaders are asked for 反馈 talks; after the second
// and fourth quarter, with Config.HalfYearTalk, each 分管领导 is asked to
// talk with the lowest-ranked of the units they oversee. The 复核 window
// opens. Errors:
// ErrForbidden, ErrNotFound, ErrInvalidTransition (not confirmed).
func (s *Service) Publish(ctx context.Context, by, periodID string) error {
	return s.change(ctx, by, "period.publish", periodID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		period, err := o.tx.Period(o.ctx, periodID)
		if err != nil {
			return err
		}
		if period.State != PeriodConfirmed {
			return fmt.Errorf("period %s is %s: %w", periodID, period.State, ErrInvalidTransition)
		}
		today := s.today(o.now)
		period.State = PeriodPublished
		period.PublishedAt = o.now
		period.PublicityEnd = s.cal.AddWorkdays(today, s.cfg.PublicityWorkdays)
		period.ReviewEnd = today.AddDays(s.cfg.ReviewDays)
		period.Version++
		if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
			return err
		}
		st, err := o.tx.Settings(o.ctx)
		if err != nil {
			return err
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		byID := map[string]Person{}
		for _, p := range people {
			byID[p.ID] = p
		}
		units, err := unitMap(o.ctx, o.tx)
		if err != nil {
			return err
		}
		results, err := o.tx.Results(o.ctx, periodID)
		if err != nil {
			return err
		}
		if period.Kind == KindYear {
			s.publishYear(o, period, st, byID, results)
			return nil
		}
		// 公示: by grade, names in ID order.
		for gi, g := range s.schemeOf(period).Grades {
			if gi > 0 && !s.cfg.PublishAll {
				break
			}
			var names []string
			for _, r := range results {
				if r.Grade == g.Label {
					names = append(names, byID[r.Person].Name)
				}
			}
			for _, chat := range st.PublicChats {
				o.chat(chat, TplPublicity, map[string]string{"period": periodID, "grade": g.Label, "names": strings.Join(names, "、"),
					"count": strconv.Itoa(len(names)), "until": period.PublicityEnd.String(), "review_until": period.ReviewEnd.String()}, periodID, g.Label)
			}
		}
		feedback := map[string][]string{}
		for _, r := range results {
			p := byID[r.Person]
			score := ""
			if r.Score != nil {
				score = r.Score.String()
			}
			o.note(p.ID, TplResult, map[string]string{"period": periodID, "grade": r.Grade, "state": r.State, "score": score,
				"explain": strings.Join(r.Explain, "\n"), "review_until": period.ReviewEnd.String()}, periodID)
			if p.AssessedBy != "" && p.AssessedBy != p.Unit {
				if l := units[p.Unit].Leader; l != "" {
					o.note(l, TplSecondedResult, map[string]string{"period": periodID, "person": p.Name, "grade": r.Grade, "state": r.State}, periodID, p.ID)
				}
			}
			if l := leaderOf(p, units); l != "" {
				feedback[l] = append(feedback[l], p.Name)
				for _, tr := range s.schemeOf(period).Talks {
					if contains(tr.Grades, r.Grade) {
						o.note(l, TplTalkDue, map[string]string{"period": periodID, "person": p.Name, "person_id": p.ID,
							"kind": tr.Kind, "grade": r.Grade}, periodID, p.ID, tr.Kind)
					}
				}
			}
		}
		due := s.cal.AddWorkdays(today, s.cfg.FeedbackWorkdays)
		for l, names := range feedback {
			o.note(l, TplFeedbackDue, map[string]string{"period": periodID, "names": strings.Join(names, "、"), "count": strconv.Itoa(len(names)), "due": due.String()}, periodID)
		}
		if s.cfg.HalfYearTalk && halfYearEnd(period) {
			s.halfYearTalks(o, period, results, byID, units)
		}
		o.logf("publicity until %s, review until %s", period.PublicityEnd, period.ReviewEnd)
		return nil
	})
}

func halfYearEnd(p Period) bool { return p.End.Month == 6 || p.End.Month == 12 }

// halfYearTalks asks each 分管领导 to talk with the lowest-ranked people of
// the units they oversee (S8 四(三)5), naming them by id too for the
// notice's 记录谈话 buttons (halfYearLowest).
func (s *Service) halfYearTalks(o *op, period Period, results []Result, byID map[string]Person, units map[string]Unit) {
	lowest := s.halfYearLowest(s.schemeOf(period), results, byID, units)
	for _, t := range sortedKeys(lowest) {
		var names, ids []string
		for _, r := range lowest[t] {
			names, ids = append(names, byID[r.Person].Name), append(ids, r.Person)
		}
		o.note(t, TplHalfYearTalk, map[string]string{"period": period.ID, "names": strings.Join(names, "、"), "person_ids": strings.Join(ids, ",")}, period.ID, t)
	}
}

// compareResult orders results worst first: lower grade, then lower score.
func compareResult(a, b Result, rank map[string]int) int {
	if ra, rb := rank[a.Grade], rank[b.Grade]; ra != rb {
		if ra > rb {
			return -1
		}
		return 1
	}
	switch {
	case a.Score == nil || b.Score == nil:
		return 0
	default:
		return a.Score.Cmp(b.Score.Decimal)
	}
}

// RecordFeedback records the leader's 反馈 to a person after 公示 (the
// person's leader or their delegate). Errors: ErrForbidden, ErrNotFound,
// ErrInvalidTransition (not published), ErrInvalidInput.
func (s *Service) RecordFeedback(ctx context.Context, by, periodID, person string, f Feedback) error {
	return s.change(ctx, by, "result.feedback", periodID+"/"+person, func(o *op) error {
		p, err := s.person(o, person, "person")
		if err != nil {
			return err
		}
		if err := s.leaderCan(o, p); err != nil {
			return err
		}
		period, err := o.tx.Period(o.ctx, periodID)
		if err != nil {
			return err
		}
		if period.State != PeriodPublished && period.State != PeriodClosed {
			return fmt.Errorf("period %s is %s: %w", periodID, period.State, ErrInvalidTransition)
		}
		if err := needText("feedback", f.Strengths+f.Problems+f.Requests); err != nil {
			return err
		}
		r, err := o.tx.Result(o.ctx, periodID, person)
		if err != nil {
			return err
		}
		f.By, f.At = by, o.now
		r.Feedback = &f
		r.Version++
		// The person gets the leader's words (S4 五、7: 及时反馈考核结果).
		o.note(person, TplFeedback, map[string]string{"period": periodID, "strengths": f.Strengths, "problems": f.Problems,
			"requests": f.Requests}, periodID, strconv.Itoa(r.Version))
		return o.tx.PutResult(o.ctx, r)
	})
}

// FeedbackItem is one person a leader owes (or gave) 反馈 for a period.
type FeedbackItem struct {
	Person Person
	Result Result
}

// FeedbackDue lists the people of a published period whose 反馈 by
// belongs to (their leader, or a delegate of the leader), with their
// results, ordered by person. Errors: ErrInvalidTransition (not published).
func (s *Service) FeedbackDue(ctx context.Context, by, periodID string) ([]FeedbackItem, error) {
	var out []FeedbackItem
	now := s.clock.Now()
	err := s.view(ctx, func(tx Tx) error {
		out = nil
		period, err := tx.Period(ctx, periodID)
		if err != nil {
			return err
		}
		if period.State != PeriodPublished && period.State != PeriodClosed {
			return fmt.Errorf("period %s is %s: %w", periodID, period.State, ErrInvalidTransition)
		}
		leads, err := leadsFor(ctx, tx, by, now)
		if err != nil {
			return err
		}
		results, err := tx.Results(ctx, periodID)
		if err != nil {
			return err
		}
		people, err := personMap(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range results {
			p, ok := people[r.Person]
			if !ok {
				return fmt.Errorf("result of %s: person: %w", r.Person, ErrNotFound)
			}
			if leads(p) {
				out = append(out, FeedbackItem{Person: p, Result: r})
			}
		}
		return nil
	})
	return out, err
}

// Result returns a person's result. Only the person, the leaders of their
// chain, HR and the committee may see it; a refusal is audited. Errors:
// ErrForbidden, ErrNotFound.
func (s *Service) Result(ctx context.Context, by, periodID, person string) (Result, error) {
	var out Result
	err := s.view(ctx, func(tx Tx) error {
		steps, err := tx.Steps(ctx, StepFilter{Period: periodID, Person: person})
		if err != nil {
			return err
		}
		if err := s.canSee(ctx, tx, by, person, steps); err != nil {
			return err
		}
		out, err = tx.Result(ctx, periodID, person)
		return err
	})
	if errors.Is(err, ErrForbidden) {
		s.auditDenial(ctx, by, "result.read", periodID+"/"+person, err)
		err = audited{err}
	}
	return out, err
}

// RecordDenial audits a refusal decided outside a state change, such as an
// adapter refusing to open a form: every denial is in the audit log, with
// who, what and why (never form contents).
func (s *Service) RecordDenial(ctx context.Context, by, action, object string, cause error) {
	if Audited(cause) {
		return
	}
	s.auditDenial(ctx, by, action, object, cause)
}

// auditDenial records a refused read.
func (s *Service) auditDenial(ctx context.Context, by, action, object string, cause error) {
	now := s.clock.Now()
	ctx = withAuditIntent(ctx)
	if err := s.store.InTx(ctx, func(tx Tx) error {
		_, err := tx.AppendAudit(ctx, AuditEntry{At: now, Actor: by, Action: action, Object: object, Detail: "denied: " + cause.Error(), Denied: true})
		return err
	}); err != nil {
		s.log.Error("audit denial", "action", action, "err", err)
	}
}

// Period returns a period.
func (s *Service) Period(ctx context.Context, id string) (Period, error) {
	var out Period
	err := s.view(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Period(ctx, id)
		return err
	})
	return out, err
}

// MarkFiled records that the period's 备案 tables were filed (HR only),
// once the results are final: 公示 has ended, the 复核 window has ended
// and every 复核 is decided, which is when the period is closed (closeDue).
// Why not earlier: during 公示 anyone may still object, and a 复核 decided
// later can change a grade (DecideReview), so a result filed then could
// differ from the one that stands. A 备案 deadline set before the 复核
// window ends (S2's 次月6日 with a 15-day window) cannot be met; the
// refusal says until when to wait. Where the scheme files by half-year
// (halfyear.go), the half's first quarter is filed with the second:
// marking the second marks the first too, refused while the first is not
// closed, and the first is not marked on its own. Errors: ErrForbidden,
// ErrNotFound, ErrInvalidTransition (not closed yet, or already filed).
func (s *Service) MarkFiled(ctx context.Context, by, periodID string) error {
	return s.change(ctx, by, "period.filed", periodID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		period, err := o.tx.Period(o.ctx, periodID)
		if err != nil {
			return err
		}
		name := periodName(periodID)
		switch {
		case !period.FiledAt.IsZero():
			return notYet(fmt.Sprintf("%s考核结果已于%s备案", name, s.today(period.FiledAt)), "period %s already filed", periodID)
		case halfFirst(s, periodID):
			_, second, _ := s.HalfYearFiling(periodID)
			return notYet(fmt.Sprintf("本方案每半年备案一次：%s考核结果与%s一并备案，请在%s考核结果确定后发送「备案 %s」", name, periodName(second), periodName(second), second),
				"period %s is filed with %s", periodID, second)
		case period.State == PeriodPublished:
			return notYet(fmt.Sprintf("%s考核结果公示至%s、复核申请期至%s，期满且复核全部办结后才能备案", name, period.PublicityEnd, period.ReviewEnd),
				"period %s is %s: publicity until %s, reviews until %s", periodID, period.State, period.PublicityEnd, period.ReviewEnd)
		case period.State != PeriodClosed:
			return notYet(name+"考核结果尚未公示，不能备案", "period %s is %s", periodID, period.State)
		}
		if first, _, half := s.HalfYearFiling(periodID); half && first != periodID {
			q, err := o.tx.Period(o.ctx, first)
			switch {
			case errors.Is(err, ErrNotFound):
				// Not appraised here (the scheme came in mid-half): the
				// second quarter is filed alone.
			case err != nil:
				return err
			case !q.FiledAt.IsZero():
			case q.State != PeriodClosed:
				return notYet(fmt.Sprintf("本方案每半年备案一次，%s考核结果须与%s一并备案，但%s考核结果尚未确定（公示期、复核申请期满且复核全部办结后确定），暂不能备案",
					name, periodName(first), periodName(first)), "period %s is filed with %s, which is %s", periodID, first, q.State)
			default:
				q.FiledAt = o.now
				q.Version++
				if err := o.tx.UpdatePeriod(o.ctx, q); err != nil {
					return err
				}
			}
		}
		period.FiledAt = o.now
		period.Version++
		return o.tx.UpdatePeriod(o.ctx, period)
	})
}

// closeDue closes published periods whose 公示 and 复核 window have both
// ended with no review open, and tells HR that 备案 may go ahead; it is
// part of Tick, which runs it at any hour so the state follows the dates,
// while HR's notice waits for office hours (officeHours: not at midnight,
// not on a Sunday). (The 复核 window is normally the longer, but
// 5 working days of 公示 over a long holiday can outlast a short configured
// ReviewDays.)
func (s *Service) closeDue(ctx context.Context, today calendar.Date) error {
	var ids []string
	if err := s.view(ctx, func(tx Tx) error {
		ps, err := tx.Periods(ctx)
		for _, p := range ps {
			if p.State == PeriodPublished && today.After(p.ReviewEnd) && today.After(p.PublicityEnd) {
				ids = append(ids, p.ID)
			}
		}
		return err
	}); err != nil {
		return err
	}
	for _, id := range ids {
		err := s.change(ctx, "system", "period.close_review", id, func(o *op) error {
			p, err := o.tx.Period(o.ctx, id)
			if err != nil || p.State != PeriodPublished {
				return err
			}
			rs, err := o.tx.Reviews(o.ctx, id)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if r.State == ReviewRequested || r.State == ReviewForwarded {
					o.quiet = true
					return nil // closes once the last review is decided
				}
			}
			p.State = PeriodClosed
			p.Version++
			if err := o.tx.UpdatePeriod(o.ctx, p); err != nil {
				return err
			}
			people, err := o.tx.People(o.ctx)
			if err != nil {
				return err
			}
			for _, hr := range hrPeople(people) {
				d := map[string]string{"period": id, "until": p.PublicityEnd.String(), "review_until": p.ReviewEnd.String(),
					"reviews": strconv.Itoa(len(rs)), "filing_due": p.FilingDue.String()}
				if _, second, half := s.HalfYearFiling(id); half && second != id {
					d["with"] = second // filed with the half's second quarter
				}
				o.note(hr, TplPeriodClosed, d, id, "closed")
				o.notes[len(o.notes)-1].NotBefore = s.officeHours(o.now)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
