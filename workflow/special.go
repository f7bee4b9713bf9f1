package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// StepStates returns what the leader deciding a step should know before
// scoring: the special states HR recorded for the appraised person and
// what the scheme makes of each, one short Chinese line apiece ("试用期：只
// 写评语，不定等次"), in the order the scoring engine applies them (leave,
// probation, sanction, investigation), then a secondment. Nothing special
// is an empty list. The lines are the scheme's special rules
// (scoring.Special) read for this person now; the grade itself is still
// the engine's, when the appraisal closes, so a state HR changes before
// then changes the outcome too. Leave counts the period's working days to
// today's records, as the leave rule will at closing.
//
// by must hold the step (its assignee or their active delegate) or be
// allowed to see the chain (the person, HR, the committee). Errors:
// ErrNotFound (no such step), ErrForbidden.
func (s *Service) StepStates(ctx context.Context, by, stepID string) ([]string, error) {
	var out []string
	now := s.clock.Now()
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		_, p, period, err := s.stepView(ctx, tx, by, stepID, now)
		if err != nil {
			return err
		}
		leave, err := s.leaveDays(ctx, tx, p, period)
		if err != nil {
			return err
		}
		out = specialStates(s.schemeOf(period), p, leave, s.cal.WorkdaysBetween(period.Start, period.End), period.Start, period.End)
		if p.AssessedBy != "" && p.AssessedBy != p.Unit {
			home := "原科室"
			if u, err := tx.Unit(ctx, p.Unit); err == nil {
				home = u.Name
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			out = append(out, "借调、挂职人员：由本单位考核，结果送回"+home)
		}
		return nil
	})
	return out, err
}

// stepView reads a step for by, who must hold it (its assignee or their
// active delegate) or be allowed to see the chain (canSee), with the
// person appraised and the period. Errors: ErrNotFound, ErrForbidden.
func (s *Service) stepView(ctx context.Context, tx Tx, by, stepID string, now time.Time) (Step, Person, Period, error) {
	st, err := tx.Step(ctx, stepID)
	if err != nil {
		return Step{}, Person{}, Period{}, fmt.Errorf("step %s: %w", stepID, err)
	}
	can, err := actingFor(ctx, tx, by, now)
	if err != nil {
		return Step{}, Person{}, Period{}, err
	}
	if !contains(can, st.Assignee) {
		if err := s.canSee(ctx, tx, by, st.Person, []Step{st}); err != nil {
			return Step{}, Person{}, Period{}, err
		}
	}
	p, err := tx.Person(ctx, st.Person)
	if err != nil {
		return Step{}, Person{}, Period{}, err
	}
	period, err := tx.Period(ctx, st.Period)
	if err != nil {
		return Step{}, Person{}, Period{}, err
	}
	return st, p, period, nil
}

// StepAttendance returns the attendance of a step's person in the step's
// period, by month, for the scoring card (S10 四(二): the 分管领导 grades
// "根据公务员出勤、记实情况"; shown under every scheme, since every leader
// scores a period someone may have been away for): the leave on the
// person card in each month's working days and the month's attendance HR
// entered (leave, 迟到, 早退, 旷工), as the schemes' grade conditions read
// it (monthlyAttendance; 旷工 in whole days). Only months with something
// recorded are listed. by as for StepStates. Errors: ErrNotFound,
// ErrForbidden.
func (s *Service) StepAttendance(ctx context.Context, by, stepID string) ([]scoring.AttendanceMonth, error) {
	var out []scoring.AttendanceMonth
	now := s.clock.Now()
	err := s.view(ctx, func(tx Tx) error {
		out = nil // the store may run fn again
		_, p, period, err := s.stepView(ctx, tx, by, stepID, now)
		if err != nil {
			return err
		}
		ms, err := s.monthlyAttendance(ctx, tx, p, period)
		for _, m := range ms {
			if len(m.Leave) > 0 || m.Late > 0 || m.Early > 0 || m.Absent > 0 {
				out = append(out, m)
			}
		}
		return err
	})
	return out, err
}

// specialStates reads p's recorded states against the scheme's special
// rules; leave is the period's leave by kind in working days, of a period
// of workdays working days, from start to end (a sanction applies only
// when its term overlaps them, PersonStatus.SanctionIn). It mirrors scoring's applyStatus: a rule there
// that changes must change here, and TestStepStates holds both to the
// seeds' wording.
func specialStates(sc *scoring.Scheme, p Person, leave []scoring.LeaveInput, workdays int, start, end calendar.Date) []string {
	sp := sc.Special
	var out []string
	if p.Status.Exempt {
		out = append(out, "免于考核：本期不参加考核")
	}
	if l := sp.Leave; l != nil && len(leave) > 0 {
		counted, injury := scoring.IntDec(0).Decimal, scoring.IntDec(0).Decimal
		for _, lv := range leave {
			switch {
			case contains(l.Counted, lv.Kind):
				counted = counted.Add(lv.Days.Decimal)
			case l.WorkInjuryKind != "" && lv.Kind == l.WorkInjuryKind:
				injury = injury.Add(lv.Days.Decimal)
			}
		}
		// Half the period, compared exactly: 30.5 days of 61 is not over.
		half := scoring.IntDec(int64(workdays)).Decimal.Div(scoring.IntDec(2).Decimal)
		switch {
		case l.OverHalf && workdays > 0 && counted.GreaterThan(half):
			if l.NotAssessed {
				out = append(out, fmt.Sprintf("病、事假累计%s个工作日，超过考核期一半：不进行考核，不定等次", counted))
			} else {
				out = append(out, fmt.Sprintf("病、事假累计%s个工作日，超过考核期一半：只写评语，不定等次", counted))
			}
		case l.OverWorkdays != nil && counted.GreaterThan(scoring.IntDec(int64(*l.OverWorkdays)).Decimal):
			out = append(out, fmt.Sprintf("病、事假累计%s个工作日，超过%d个工作日：不进行考评，不定等次", counted, *l.OverWorkdays))
		case l.WorkInjuryGrade != "" && workdays > 0 && injury.GreaterThan(half):
			out = append(out, fmt.Sprintf("工伤假%s个工作日，超过考核期一半：一般确定为「%s」", injury, l.WorkInjuryGrade))
		}
	}
	if p.Status.Probation {
		if sp.Probation == "comment_only" {
			out = append(out, "试用期：只写评语，不定等次")
		} else {
			out = append(out, "试用期：本方案照常评定等次")
		}
	}
	if k := p.Status.Sanction; k != "" {
		effect := ""
		for _, r := range sp.Sanctions {
			if contains(r.Kinds, k) {
				effect = r.Effect
			}
		}
		who := "受" + k + "处分"
		if st := p.Status; !st.SanctionStart.IsZero() && !st.SanctionEnd.IsZero() {
			who += "（" + st.SanctionStart.String() + " 至 " + st.SanctionEnd.String() + "）"
		}
		switch {
		case p.Status.SanctionIn(start, end) == "":
			out = append(out, who+"：处分期不在本期，本期照常评定等次")
		case effect == "not_graded":
			out = append(out, who+"：处分期间不确定等次")
		case effect == "no_top":
			if len(sc.Grades) > 0 {
				out = append(out, who+"：处分期间不得确定为「"+sc.Grades[0].Label+"」")
			}
		case effect == "bottom":
			if len(sc.Grades) > 0 {
				out = append(out, who+"：直接确定为「"+sc.Grades[len(sc.Grades)-1].Label+"」")
			}
		default:
			out = append(out, who+"：本方案不影响等次")
		}
	}
	if p.Status.Investigation {
		if sp.Investigation == "withheld" {
			out = append(out, "立案调查中：照常评分，暂不确定等次，结案后补定")
		} else {
			// SetStatus takes it; the engine will refuse to score it, so the
			// leader should ask before scoring rather than find out at closing.
			out = append(out, "立案调查中：本方案未规定如何办理，请与政工科联系")
		}
	}
	return out
}
