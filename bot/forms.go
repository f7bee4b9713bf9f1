package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

type doneFunc func(title, action string, lines ...string) *callback.CardActionTriggerResponse

// openForm renders the form a KindOpen button names, for the operator.
func (b *Bot) openForm(ctx context.Context, op, id string) ([]byte, error) {
	form, entity, err := card.SplitOpenID(id)
	if err != nil {
		return nil, err
	}
	switch form {
	case card.FormDaily:
		return b.dailyForm(ctx, op, entity)
	case card.FormWeekly:
		return b.weeklyForm(ctx, op, entity)
	case card.FormMonthly:
		return b.monthlyForm(ctx, op, entity)
	case card.FormQuarterly:
		e, _ := b.entry(ctx, workflow.EntryQuarterly, op, entity)
		p, err := b.svc.Period(ctx, entity)
		if err != nil {
			return nil, err
		}
		return card.QuarterlyCard(card.QuarterlyForm{Period: entity, Version: e.Version, Due: p.SummaryDue.String(),
			Summary: e.Body.Summary, Training: e.Body.Training, Returned: returned(e),
			Name: b.cardName(ctx, op, workflow.EntryQuarterly)}), nil
	case card.FormVote:
		return b.voteForm(ctx, op, entity)
	case card.FormYearRate:
		return b.yearRateForm(ctx, op, entity)
	case card.FormYearAnnual:
		return b.annualCard(ctx, op, entity)
	case card.FormStep:
		f, err := b.scoringForm(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.ScoringCard(f)
	case card.FormCommittee:
		f, err := b.committeeForm(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.CommitteeCard(f)
	case card.FormResult:
		return b.resultCard(ctx, op, entity)
	case card.FormYear:
		f, err := b.yearForm(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.YearCommitteeCard(f), nil
	case card.FormTargets:
		return b.openTargets(ctx, op, entity)
	case card.FormTargetReturn:
		return b.openTargetReturn(ctx, op, entity)
	case card.FormTargetRevise:
		return b.openTargetRevise(ctx, op, entity)
	case card.FormEntry:
		r, err := b.entryReview(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.EntryReviewCard(r)
	case card.FormReassign:
		f, err := b.reassignForm(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.ReassignCard(f)
	case card.FormTalk:
		f, err := b.talkForm(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.TalkCard(f)
	case card.FormFeedback:
		f, err := b.feedbackForm(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.FeedbackCard(f)
	case card.FormReview:
		f, err := b.reviewForm(ctx, op, entity)
		if err != nil {
			return nil, err
		}
		return card.ReviewCard(f)
	}
	return nil, fmt.Errorf("form %q: %w", form, card.ErrBadValue)
}

func returned(e workflow.Entry) string {
	if e.State == workflow.EntryReturned {
		return e.Reason
	}
	return ""
}

// entry reads one of the operator's own entries; a missing one is zero.
func (b *Bot) entry(ctx context.Context, kind, person, period string) (workflow.Entry, error) {
	var e workflow.Entry
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		e, err = tx.Entry(ctx, workflow.EntryKey{Kind: kind, Person: person, Period: period})
		return err
	})
	return e, err
}

// dailyForm is the 工作日志 of a day, named as op's scheme names it.
func (b *Bot) dailyForm(ctx context.Context, op, day string) ([]byte, error) {
	d, err := calendar.ParseDate(day)
	if err != nil {
		return nil, &workflow.InputError{Field: "day", Msg: "日期无效"}
	}
	rs, err := b.svc.Records(ctx, op)
	if err != nil {
		return nil, err
	}
	f := card.DailyForm{Day: d.String(), Name: rs.Name(workflow.EntryDaily)}
	if e, err := b.entry(ctx, workflow.EntryDaily, op, f.Day); err == nil {
		f.Version, f.Log, f.Returned = e.Version, e.Body.Log, returned(e)
	}
	return card.DailyCard(f), nil
}

func (b *Bot) weeklyForm(ctx context.Context, op, week string) ([]byte, error) {
	p, err := calendar.ParsePeriod(week)
	if err != nil || p.Kind() != calendar.Week {
		return nil, &workflow.InputError{Field: "week", Msg: "周次无效"}
	}
	f := card.WeeklyForm{Week: week, Start: p.Start().String(), End: p.End().String(), Due: p.End().String()}
	if e, err := b.entry(ctx, workflow.EntryWeekly, op, week); err == nil {
		f.Version = e.Version
		f.Returned = returned(e)
		f.Attendance, f.AttendanceNote = e.Body.Presence, e.Body.PresenceNote
		for _, t := range e.Body.Tasks {
			d := ""
			if !t.Deadline.IsZero() {
				d = t.Deadline.String()
			}
			f.Tasks = append(f.Tasks, card.WeeklyTask{Title: t.Title, Deadline: d, Progress: t.Progress, Target: t.Target})
		}
	}
	if ts, err := b.svc.Targets(ctx, op, p.Start().Year); err == nil {
		for _, t := range ts {
			// Only what both levels agreed (审定) is the person's to report
			// on; a done target stays on offer for the rest of the year.
			if t.State != workflow.TargetApproved && t.State != workflow.TargetDone {
				continue
			}
			d := ""
			if !t.Deadline.IsZero() {
				d = t.Deadline.String()
			}
			f.Targets = append(f.Targets, card.Target{ID: t.ID, Title: t.Title, Deadline: d})
		}
		if len(f.Tasks) == 0 {
			f.Tasks = card.WeeklyFromTargets(f.Targets)
		}
	}
	return card.WeeklyCard(f), nil
}

// monthlyForm is the operator's 月小结 card: the saved entry when there is
// one (a returned one to correct), otherwise a draft built from the
// month's 周记实 and annual targets (workflow.DraftMonthly).
func (b *Bot) monthlyForm(ctx context.Context, op, month string) ([]byte, error) {
	f := card.MonthlyForm{Month: month, Name: b.cardName(ctx, op, workflow.EntryMonthly)}
	if due, ok, err := b.svc.EntryDue(ctx, workflow.EntryMonthly, month); err == nil && ok {
		f.Due = due.String()
	}
	e, err := b.entry(ctx, workflow.EntryMonthly, op, month)
	switch {
	case err == nil:
		f.Version, f.Returned = e.Version, returned(e)
		f.Goals, f.Completion = e.Body.Goals, e.Body.Completion
		for _, u := range e.Body.Unfinished {
			f.Unfinished = append(f.Unfinished, card.Unfinished{Item: u.Item, Reason: u.Reason})
		}
	case errors.Is(err, workflow.ErrNotFound):
		d, err := b.svc.MonthlyDraft(ctx, op, month)
		if err != nil {
			return nil, err
		}
		f.FillDraft(d)
	default:
		return nil, err
	}
	return card.MonthlyCard(f), nil
}

// cardName is the name an entry card gives op's record: the scheme's own
// (S2 月记实, S6 记实登记表), or "" where the scheme keeps the usual name,
// so the card keeps its long-standing title (季度小结（登记表）).
func (b *Bot) cardName(ctx context.Context, op, kind string) string {
	if n := b.recordName(ctx, op, kind); n != scoring.UsualName(kind) {
		return n
	}
	return ""
}

// operator loads the person behind a click. Someone of the tenant who is
// not in the organisation is refused like any other stranger (无权), never
// told 未找到: the service's rule for an unknown caller.
func (b *Bot) operator(ctx context.Context, op string) (workflow.Person, error) {
	var me workflow.Person
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		me, err = tx.Person(ctx, op)
		return err
	})
	if errors.Is(err, workflow.ErrNotFound) {
		return me, fmt.Errorf("unknown operator %s: %w", op, workflow.ErrForbidden)
	}
	return me, err
}

func (b *Bot) voteForm(ctx context.Context, op, period string) ([]byte, error) {
	vb, err := b.svc.VoteTargets(ctx, op)
	if err != nil {
		return nil, err
	}
	p, err := b.svc.Period(ctx, period)
	if err != nil {
		return nil, err
	}
	f := card.VoteForm{Period: period, Group: strings.Join(vb.Groups, "、"), Due: p.SummaryDue.String()}
	for _, c := range vb.Targets {
		f.Colleagues = append(f.Colleagues, card.Colleague{ID: c.ID, Name: c.Name, Unit: c.Unit})
	}
	return card.VoteCard(f)
}

func (b *Bot) vote(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	// Who has a vote, and on whom, is the service's rule (checked again
	// in Vote) and is settled before the form is read: someone with none
	// is refused as such, not told the colleagues on the card are not
	// theirs to rate. Extra voters (a 分管领导, people HR named) rate the
	// 考核单元 they vote in.
	vb, err := b.svc.VoteTargets(ctx, op)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(vb.Targets))
	for i, p := range vb.Targets {
		ids[i] = p.ID
	}
	vt, err := card.ParseVote(fv, ids)
	if err != nil {
		return nil, err
	}
	scores := map[string]scoring.Dec{}
	for id, s := range vt.Scores {
		d, err := decOf(s)
		if err != nil {
			return nil, &workflow.InputError{Field: "votes." + id, Msg: "分数格式不正确"}
		}
		scores[id] = d
	}
	if err := b.svc.Vote(idem(ctx, 0), op, v.ID, scores); err != nil {
		return nil, err
	}
	return done("民主测评 "+card.PeriodLabel(v.ID), "已提交", "测评为无记名，结果无法追溯到个人"), nil
}

func decOf(s string) (scoring.Dec, error) {
	var d scoring.Dec
	err := d.UnmarshalJSON([]byte(`"` + s + `"`))
	return d, err
}

// myStep loads a step the operator may act on (assignee or delegate).
func (b *Bot) myStep(ctx context.Context, op, id string) (workflow.Step, error) {
	steps, err := b.svc.MySteps(ctx, op)
	if err != nil {
		return workflow.Step{}, err
	}
	for _, s := range steps {
		if s.ID == id {
			return s, nil
		}
	}
	// Not pending for this operator. Only someone the step was theirs to
	// decide learns what happened to it; anyone else — a forwarded card, a
	// guessed id — learns nothing, not even whether it exists, and the
	// attempt is audited.
	var st workflow.Step
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		st, err = tx.Step(ctx, id)
		return err
	})
	if err != nil && !errors.Is(err, workflow.ErrNotFound) {
		return workflow.Step{}, err
	}
	if err == nil && (st.Assignee == op || st.ActedBy == op) && st.State != workflow.StepPending {
		return workflow.Step{}, fmt.Errorf("step %s is %s: %w", id, st.State, workflow.ErrStale)
	}
	return workflow.Step{}, fmt.Errorf("step %s is not %s's to decide: %w", id, op, workflow.ErrForbidden)
}

func (b *Bot) scoringForm(ctx context.Context, op, stepID string) (card.ScoringForm, error) {
	st, err := b.myStep(ctx, op, stepID)
	if err != nil {
		return card.ScoringForm{}, err
	}
	return b.formOf(ctx, op, st), nil
}

// formOf is the scoring card's model for a step, as op (who may act on
// it) sees it.
func (b *Bot) formOf(ctx context.Context, op string, st workflow.Step) card.ScoringForm {
	s := b.svc.SchemeOf(st.Period)
	f := card.ScoringForm{Step: st.ID, Version: st.Version, StepName: st.Name, Period: st.Period,
		Person: b.name(ctx, st.Person), Due: st.Due.String(), Later: st.Index > 0, Returned: st.Reason, Comment: st.Assessment.Comment}
	// What a special state means is the scheme's, read by the service.
	// Without it the card still scores: the engine applies the states at
	// closing whatever the card said.
	states, err := b.svc.StepStates(ctx, op, st.ID)
	if err != nil {
		b.log.Warn("special states for the scoring card", "step", st.ID, "err", err)
	}
	f.States = states
	// The attendance is shown beside it, read-only; without it the card
	// still scores.
	months, err := b.svc.StepAttendance(ctx, op, st.ID)
	if err != nil {
		b.log.Warn("attendance for the scoring card", "step", st.ID, "err", err)
	}
	f.Attendance = attendanceLines(months)
	if sp := s.Special; len(s.Grades) > 0 {
		f.DirectTop, f.DirectBottom = sp.DirectTop, sp.DirectBottom
		f.TopGrade, f.BottomGrade = s.Grades[0].Label, s.Grades[len(s.Grades)-1].Label
	}
	switch s.Special.Refusal {
	case "":
	case scoring.RefusalNotGraded:
		f.Refusal = "本期不定等次，年度考核结果按方案规定确定"
	default:
		f.Refusal = "确定为「" + s.Special.Refusal + "」"
	}
	if rf := st.Assessment.Refusal; rf != nil && f.Refusal != "" {
		f.Direct, f.RefusalWarned, f.RefusalReason = card.DirectRefused, rf.Warned, rf.Reason
	}
	if d := st.Assessment.Direct; d != nil {
		list := f.DirectTop
		if d.Grade == "bottom" {
			list = f.DirectBottom
		}
		for i, r := range list {
			if r == d.Reason {
				f.Direct = fmt.Sprintf("%s:%d", d.Grade, i)
			}
		}
	}
	if e, err := b.entry(ctx, workflow.EntryQuarterly, st.Person, st.Period); err == nil {
		f.Summary = e.Body.Summary
	}
	var conv func(in []*scoring.Indicator) []card.Indicator
	conv = func(in []*scoring.Indicator) []card.Indicator {
		var out []card.Indicator
		for _, ind := range in {
			c := card.Indicator{ID: ind.ID, Name: ind.Name, Max: ind.Max.String(), Children: conv(ind.Children)}
			if v, ok := st.Assessment.Indicators[ind.ID]; ok {
				c.Value = v.String()
			}
			out = append(out, c)
		}
		return out
	}
	f.Indicators = conv(s.Indicators)
	// Schemes scored as one number, or graded by the leader, get those
	// inputs instead of (or beside) the indicator table.
	for _, r := range s.Raters {
		for _, src := range r.Sources {
			if src.Kind == "score" && src.Weight.IsPositive() && f.ScoreMax == "" {
				f.ScoreMax = s.Scale.String()
			}
		}
	}
	if st.Assessment.Score != nil {
		f.Score = st.Assessment.Score.String()
	}
	if len(s.Bands) == 0 {
		for _, g := range s.Grades {
			f.Grades = append(f.Grades, g.Label)
		}
		f.Grade = st.Assessment.Grade
	}
	if a := s.Adjustments; a != nil {
		if a.BonusCap != nil {
			f.BonusCap = a.BonusCap.String()
		}
		if a.DeductionCap != nil {
			f.DeductionCap = a.DeductionCap.String()
		}
		f.BonusRows, f.DeductionRows = 2, 2
	}
	for _, adj := range st.Assessment.Adjustments {
		row := card.Adjustment{Points: adj.Points.String(), Reason: adj.Reason, Event: adj.Event}
		if adj.Kind == "bonus" {
			f.Bonus = append(f.Bonus, row)
		} else {
			f.Deductions = append(f.Deductions, row)
		}
	}
	if len(st.Assessment.Indicators) > 0 {
		if sg := b.suggest(st); sg != nil {
			f.Suggestion = sg
		}
	}
	return f
}

// attendanceLines are the scoring card's attendance, a line per month:
// leave by kind, 迟到, 早退 and 旷工, each only when recorded.
func attendanceLines(ms []scoring.AttendanceMonth) []string {
	var out []string
	for _, m := range ms {
		var parts []string
		for _, l := range m.Leave {
			parts = append(parts, l.Kind+l.Days.String()+"天")
		}
		if m.Late > 0 {
			parts = append(parts, fmt.Sprintf("迟到%d次", m.Late))
		}
		if m.Early > 0 {
			parts = append(parts, fmt.Sprintf("早退%d次", m.Early))
		}
		if m.Absent > 0 {
			parts = append(parts, fmt.Sprintf("%s%d天", workflow.AbsenceKind, m.Absent))
		}
		if len(parts) > 0 {
			out = append(out, card.PeriodLabel(m.Month)+"："+strings.Join(parts, "，"))
		}
	}
	return out
}

// suggest scores the step's assessment alone, for the card's grade
// suggestion; the quota is applied later to the whole unit.
func (b *Bot) suggest(st workflow.Step) *card.Suggestion {
	s := b.svc.SchemeOf(st.Period)
	if len(s.Raters) == 0 || s.Raters[0].Sources[0].Kind != "indicators" {
		return nil
	}
	in := &scoring.PeriodInput{Kind: "period", Period: scoring.PeriodInfo{ID: st.Period, WorkingDays: 60}, People: []scoring.PersonInput{{
		ID: st.Person, Unit: "u", Group: "g", Tier: s.Tiers[0],
		Sources:     map[string]scoring.SourceInput{s.Raters[0].Sources[0].ID: {Indicators: st.Assessment.Indicators}},
		Adjustments: st.Assessment.Adjustments,
	}}}
	res, err := scoring.ScorePeriod(s, in)
	if err != nil || len(res.People) == 0 || res.People[0].Score == nil {
		return nil
	}
	p := res.People[0]
	return &card.Suggestion{Score: p.Score.String(), Grade: p.ScoreGrade, Explain: p.Explain}
}

func (b *Bot) step(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	// Who may act is settled before a single form value is read: a
	// stranger's empty form must not answer "必填" (the button reached a
	// step) and a step that does not exist must answer as one that is not
	// theirs (myStep, the check that opening the form makes). The service
	// decides again inside the state change (compare-and-set), with the
	// card's version.
	st, err := b.myStep(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	f := b.formOf(ctx, op, st)
	sc, err := card.ParseScoring(v.K, fv, f)
	if err != nil {
		return nil, err
	}
	act := workflow.StepAction{StepID: v.ID, Version: v.V, Action: workflow.ActApprove, Reason: sc.Reason}
	if v.K == card.KindReturn {
		act.Action = workflow.ActSendBack
	} else {
		a := &workflow.Assessment{Comment: sc.Comment, Grade: sc.Grade}
		if sc.DirectGrade != "" {
			a.Direct = &scoring.DirectInput{Grade: sc.DirectGrade, Reason: sc.DirectReason}
		}
		if sc.Refused {
			// The refusal sets the outcome; a grade chosen beside it would
			// only mislead the next step.
			a.Grade = ""
			a.Refusal = &scoring.Refusal{Warned: sc.RefusalWarned, Reason: sc.RefusalReason}
		}
		if len(sc.Scores) > 0 {
			a.Indicators = map[string]scoring.Dec{}
		}
		if sc.Score != "" {
			d, err := decOf(sc.Score)
			if err != nil {
				return nil, &workflow.InputError{Field: "score", Msg: "分数格式不正确"}
			}
			a.Score = &d
		}
		for id, s := range sc.Scores {
			d, err := decOf(s)
			if err != nil {
				return nil, &workflow.InputError{Field: "scores." + id, Msg: "分数格式不正确"}
			}
			a.Indicators[id] = d
		}
		for _, list := range []struct {
			kind string
			rows []card.Adjustment
		}{{"bonus", sc.Bonus}, {"deduction", sc.Deductions}} {
			for _, r := range list.rows {
				d, err := decOf(r.Points)
				if err != nil {
					return nil, &workflow.InputError{Field: list.kind, Msg: "分值格式不正确"}
				}
				a.Adjustments = append(a.Adjustments, scoring.AdjustmentInput{Event: r.Event, Kind: list.kind, Points: d, Reason: r.Reason})
			}
		}
		act.Assessment = a
	}
	if err := b.svc.Act(idem(ctx, 0), op, act); err != nil {
		return nil, err
	}
	title := f.StepName + " · " + f.Person
	switch v.K {
	case card.KindReturn:
		return done(title, "已退回", "理由："+sc.Reason), nil
	case card.KindAdjust:
		return done(title, "已调整并通过", "理由："+sc.Reason), nil
	}
	return done(title, "已通过"), nil
}

func (b *Bot) committeeForm(ctx context.Context, op, period string) (card.CommitteeForm, error) {
	f, _, err := b.committeeState(ctx, op, period)
	return f, err
}

// quotaRefs are the quotas behind a committee card's floors and caps, in
// the card's order: a quota action's position names one of them.
type quotaRefs struct {
	floors, caps []workflow.QuotaStanding
}

// committeeState builds the committee card of a period from the
// workflow's view of its quotas (workflow.Service.CommitteeQuotas) and
// results, for a committee member.
func (b *Bot) committeeState(ctx context.Context, op, period string) (card.CommitteeForm, quotaRefs, error) {
	var f card.CommitteeForm
	var refs quotaRefs
	// Committee first: nothing about the period is read for anyone else.
	me, err := b.operator(ctx, op)
	if err != nil {
		return f, refs, err
	}
	if !me.Committee {
		return f, refs, fmt.Errorf("%s is not on the committee: %w", op, workflow.ErrForbidden)
	}
	var results []workflow.Result
	var people []workflow.Person
	err = b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		if results, err = tx.Results(ctx, period); err != nil {
			return err
		}
		people, err = tx.People(ctx)
		return err
	})
	if err != nil {
		return f, refs, err
	}
	p, err := b.svc.Period(ctx, period)
	if err != nil {
		return f, refs, err
	}
	stands, err := b.svc.CommitteeQuotas(ctx, op, period)
	if err != nil {
		return f, refs, err
	}
	names := map[string]string{}
	for _, x := range people {
		names[x.ID] = x.Name
	}
	f.Period, f.Version = period, p.Version
	f.Uniform = uniformLines(p.Uniform)
	for _, g := range b.svc.SchemeOf(period).Grades {
		f.Grades = append(f.Grades, g.Label)
	}
	ties := map[string]*card.Tie{}
	for _, q := range stands {
		line := card.QuotaLine{Unit: q.ScopeName, Grade: q.Grade, Participants: q.Participants, Count: q.After,
			BelowMin: slices.Contains(q.Flags, scoring.FlagBelowMinShare)}
		if q.MaxCount != nil {
			line.Cap = *q.MaxCount
		}
		if q.MinCount != nil {
			line.Min = *q.MinCount
		}
		if o := q.Override; o != nil {
			line.Kept = o.Kind == workflow.OverrideShortfall
			line.Raised = o.Kind == workflow.OverrideCap
		}
		for _, d := range q.Demoted {
			line.Over = append(line.Over, names[d])
		}
		f.Quotas = append(f.Quotas, line)
		if q.Short > 0 {
			fl := card.Floor{Unit: q.ScopeName, Grade: q.Grade, Participants: q.Participants, Min: line.Min, Have: q.After}
			if sq := schemeQuota(b.svc.SchemeOf(period), q.Grade, q.Scope); sq != nil && sq.MinShare != nil {
				fl.Share = sq.MinShare.String()
			}
			for _, c := range q.Candidates[:min(len(q.Candidates), card.MaxFloorCandidates)] {
				fl.Candidates = append(fl.Candidates, card.Candidate{ID: c.Person, Name: c.Name, Score: decText(c.Score), Grade: c.Grade})
			}
			f.Floors = append(f.Floors, fl)
			refs.floors = append(refs.floors, q)
		}
		if q.HardMax > 0 && q.SchemeMax != nil && q.Before > *q.SchemeMax {
			c := card.CapRaise{Unit: q.ScopeName, Grade: q.Grade, Participants: q.Participants, Cap: *q.SchemeMax, Hard: q.HardMax}
			if sq := schemeQuota(b.svc.SchemeOf(period), q.Grade, q.Scope); sq != nil && sq.MaxShare != nil && sq.HardMaxShare != nil {
				c.Share, c.HardShare = sq.MaxShare.String(), sq.HardMaxShare.String()
			}
			if o := q.Override; o != nil && o.Kind == workflow.OverrideCap {
				c.Raised, c.Reason = o.MaxCount, o.Reason
			}
			for _, id := range append(slices.Clone(q.Demoted), q.Tied...) {
				c.Over = append(c.Over, names[id])
			}
			f.Caps = append(f.Caps, c)
			refs.caps = append(refs.caps, q)
		}
		if len(q.Tied) > 0 {
			t := &card.Tie{Unit: q.ScopeName, Grade: q.Grade}
			kept := q.After - len(q.Tied)
			if q.MaxCount != nil {
				t.Seats = *q.MaxCount - kept
			}
			ties[q.Key+"/"+q.Grade] = t
			for _, id := range q.Tied {
				score := ""
				for _, r := range results {
					if r.Person == id && r.Score != nil {
						score = r.Score.String()
					}
					if r.Person == id && slices.Contains(r.Flags, scoring.FlagDirectOverCap) {
						t.Direct = true
					}
				}
				t.People = append(t.People, card.TiedPerson{ID: id, Name: names[id], Score: score})
			}
		}
	}
	keys := make([]string, 0, len(ties))
	for k := range ties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// A tie already decided leaves no pending person.
		t := ties[k]
		var open []card.TiedPerson
		for _, tp := range t.People {
			for _, r := range results {
				if r.Person == tp.ID && r.State == scoring.StatePending {
					open = append(open, tp)
				}
			}
		}
		if len(open) > 0 {
			t.People = open
			f.Ties = append(f.Ties, *t)
		}
	}
	return f, refs, nil
}

// schemeQuota is the scheme's quota for a grade and scope, for the
// shares the card shows.
func schemeQuota(sc *scoring.Scheme, grade, scope string) *scoring.Quota {
	for i := range sc.Quotas {
		if q := &sc.Quotas[i]; q.Grade == grade && q.Scope == scope {
			return q
		}
	}
	return nil
}

func (b *Bot) committee(ctx context.Context, op string, v card.Value, fv map[string]any, done doneFunc) (*callback.CardActionTriggerResponse, error) {
	switch v.K {
	case card.KindQuotaRaise, card.KindQuotaKeep, card.KindQuotaCap:
		return b.committeeQuota(ctx, op, v, fv)
	}
	f, err := b.committeeForm(ctx, op, v.ID)
	if err != nil {
		return nil, err
	}
	if f.Version != v.V {
		return nil, fmt.Errorf("period %s version %d, card %d: %w", v.ID, f.Version, v.V, workflow.ErrStale)
	}
	if v.K == card.KindUniformReturn {
		ret, err := card.ParseReturn(fv, f)
		if err != nil {
			return nil, err
		}
		p, err := b.svc.Period(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		if p.Version != v.V || ret.Line >= len(p.Uniform) {
			return nil, fmt.Errorf("period %s moved on: %w", v.ID, workflow.ErrStale)
		}
		u := p.Uniform[ret.Line]
		if err := b.svc.CommitteeReturn(idem(ctx, 0), op, v.ID, u.Kind, u.Key, ret.Reason); err != nil {
			return nil, err
		}
		return done("考核委员会审定 "+card.PeriodLabel(v.ID), "已退回重评", "评分："+u.Label, "理由："+ret.Reason,
			"重评和审核完成后，考核将重新提交审定。"), nil
	}
	var lines []string
	if v.K == card.KindDecide {
		ds, err := card.ParseCommittee(fv, f)
		if err != nil {
			return nil, err
		}
		decisions := make([]scoring.Decision, len(ds))
		for i, d := range ds {
			decisions[i] = scoring.Decision{Person: d.Person, Grade: d.Grade, Reason: d.Reason}
			lines = append(lines, fmt.Sprintf("%s：%s（%s）", b.name(ctx, d.Person), d.Grade, d.Reason))
		}
		if err := b.svc.CommitteeDecideAll(idem(ctx, 1), op, v.ID, decisions); err != nil {
			return nil, err
		}
	}
	if err := b.svc.ConfirmResults(idem(ctx, 0), op, v.ID); err != nil {
		return nil, err
	}
	return done("考核委员会审定 "+card.PeriodLabel(v.ID), "已确认等次", lines...), nil
}

// committeeQuota is the committee's decision on a quota from its card (a
// minimum share filled or kept, a cap raised): the card is answered with
// the committee card as it now stands, which carries the next step.
func (b *Bot) committeeQuota(ctx context.Context, op string, v card.Value, fv map[string]any) (*callback.CardActionTriggerResponse, error) {
	period, i, err := card.SplitQuotaID(v.ID)
	if err != nil {
		return nil, err
	}
	f, refs, err := b.committeeState(ctx, op, period)
	if err != nil {
		return nil, err
	}
	if f.Version != v.V {
		return nil, fmt.Errorf("period %s version %d, card %d: %w", period, f.Version, v.V, workflow.ErrStale)
	}
	d, err := card.ParseQuota(v.K, i, fv, f)
	if err != nil {
		return nil, err
	}
	var q workflow.QuotaStanding
	a := workflow.QuotaAction{People: d.People, Cap: d.Cap, Reason: d.Reason}
	var msg string
	switch v.K {
	case card.KindQuotaRaise:
		q, a.Kind = refs.floors[i], workflow.QuotaRaise
		msg = fmt.Sprintf("已将%d人审定为「%s」", len(d.People), q.Grade)
	case card.KindQuotaKeep:
		q, a.Kind = refs.floors[i], workflow.QuotaKeepShort
		msg = "已决定维持「" + q.Grade + "」现有人数"
	default:
		q, a.Kind = refs.caps[i], workflow.QuotaRaiseCap
		msg = fmt.Sprintf("已将「%s」名额核定为%d人", q.Grade, d.Cap)
	}
	a.Grade, a.Scope, a.Key = q.Grade, q.Scope, q.Key
	if err := b.svc.CommitteeQuota(idem(ctx, 0), op, period, a); err != nil {
		return nil, err
	}
	nf, err := b.committeeForm(ctx, op, period)
	if err != nil {
		return nil, err
	}
	c, err := card.CommitteeCard(nf)
	if err != nil {
		return nil, err
	}
	return reply("success", msg, c), nil
}

func (b *Bot) resultCard(ctx context.Context, op, period string) ([]byte, error) {
	r, err := b.svc.Result(ctx, op, period, op)
	if err != nil {
		return nil, err
	}
	p, err := b.svc.Period(ctx, period)
	if err != nil {
		return nil, err
	}
	today := b.cal.Date(b.clock.Now())
	rc := card.Result{Period: period, Version: r.Version, Name: b.name(ctx, op), Grade: r.Grade, State: r.State, Explain: r.Explain,
		ReviewUntil: p.ReviewEnd.String(), ReviewOpen: p.State == workflow.PeriodPublished && !today.After(p.ReviewEnd),
		ReviewMaterials: b.svc.SchemeOf(period).ReviewMaterials}
	if r.Score != nil {
		rc.Score = r.Score.String()
	}
	if r.Feedback != nil {
		rc.Feedback = r.Feedback.Strengths
	}
	rc.Targets, rc.Today = b.periodTargets(ctx, op, p), today.String()
	var reviews []workflow.Review
	_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		reviews, err = tx.Reviews(ctx, period)
		return err
	})
	for _, rv := range reviews {
		if rv.Person == op {
			rc.ReviewState = rv.State
			rc.ReviewOpen = false
		}
	}
	return card.ResultCard(rc), nil
}

// resultNotice is the private result card sent after 公示.
func (b *Bot) resultNotice(n workflow.Notification) ([]byte, error) {
	rc := card.Result{Period: n.Data["period"], Name: b.name(context.Background(), n.To), Grade: n.Data["grade"], State: n.Data["state"],
		Score: n.Data["score"], ReviewUntil: n.Data["review_until"], ReviewMaterials: b.svc.SchemeOf(n.Data["period"]).ReviewMaterials}
	if e := n.Data["explain"]; e != "" {
		rc.Explain = strings.Split(e, "\n")
	}
	if d, err := calendar.ParseDate(rc.ReviewUntil); err == nil {
		rc.ReviewOpen = !b.cal.Date(b.clock.Now()).After(d)
	}
	return card.ResultCard(rc), nil
}

func (b *Bot) publicityCard(n workflow.Notification) ([]byte, error) {
	var names []string
	if s := n.Data["names"]; s != "" {
		names = strings.Split(s, "、")
	}
	org := ""
	_ = b.store.InTx(context.Background(), func(tx workflow.Tx) error {
		st, err := tx.Settings(context.Background())
		if err == nil {
			org = st.Name
		}
		return nil
	})
	return card.PublicityCard(card.Publicity{Org: org, Period: n.Data["period"], Groups: []card.PublicityGroup{{Grade: n.Data["grade"], Names: names}},
		Until: n.Data["until"], ReviewUntil: n.Data["review_until"], Contact: "政工科"}), nil
}

var errNoPeriod = errors.New("no period")
