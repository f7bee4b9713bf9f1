package workflow

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/kaohe/kaohe/scoring"
)

// fillIn grades (补定等次) every closed period whose grade was withheld
// while p was under investigation, now that HR has recorded the case
// closed with status st (its sanction, if any, applies: under S4 a
// sanction still means no grade, S5's warning bars only the top grade).
// The period is scored again under the states of its time with p's
// investigation ended; the grades already given to others stand (S4
// 注意事项11 fills in one person's grade, it does not reopen the
// committee's quota): when p's grade would push someone out of a capped
// grade, p is given the grade below it, and the explanation says so. p
// and HR are told. Called inside SetStatus's transaction.
func (s *Service) fillIn(o *op, p Person, st PersonStatus) error {
	periods, err := o.tx.Periods(o.ctx)
	if err != nil {
		return err
	}
	for _, per := range periods {
		prev, ok := per.Statuses[p.ID]
		if !ok || !prev.Investigation {
			continue
		}
		r, err := o.tx.Result(o.ctx, per.ID, p.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		if r.State != scoring.StateWithheld {
			continue
		}
		if err := s.fillInPeriod(o, per, p, prev, st); err != nil {
			return fmt.Errorf("fill in %s for %s: %w", per.ID, p.ID, err)
		}
	}
	return nil
}

func (s *Service) fillInPeriod(o *op, per Period, p Person, prev, st PersonStatus) error {
	before, err := o.tx.Results(o.ctx, per.ID)
	if err != nil {
		return err
	}
	was := map[string]string{}
	for _, x := range before {
		was[x.Person] = x.Grade
	}
	next := prev
	next.Investigation, next.Sanction, next.Reason = false, st.Sanction, st.Reason
	next.SanctionStart, next.SanctionEnd = st.SanctionStart, st.SanctionEnd
	if st.Sanction != "" && next.SanctionStart.After(per.End) {
		// The case's outcome decides the periods its investigation
		// withheld, whatever day the sanction itself starts: S4 注意事项11
		// fills a grade in only when the case ends with no sanction or a
		// warning.
		next.SanctionStart = per.Start
	}
	per.Statuses = maps.Clone(per.Statuses)
	per.Statuses[p.ID] = next

	in, byID, err := s.scoreInput(o.ctx, o.tx, per)
	if err != nil {
		return err
	}
	res, err := scoring.ScorePeriod(s.schemeOf(per), in)
	if err != nil {
		return s.scoringError(s.schemeOf(per), err, personNames(byID), "score "+per.ID)
	}
	note := ""
	if moved := othersMoved(res, was, p.ID); len(moved) > 0 {
		grade := ""
		for _, pr := range res.People {
			if pr.ID == p.ID {
				grade = pr.Grade
			}
		}
		i := s.gradeIndex(s.schemeOf(per), grade)
		if i < 0 || i+1 >= len(s.schemeOf(per).Grades) {
			return fmt.Errorf("fill-in grade %q of %s would move %v: %w", grade, p.ID, moved, ErrInvalidTransition)
		}
		lower := s.schemeOf(per).Grades[i+1].Label
		note = fmt.Sprintf("「%s」名额已由考核委员会确定，补定不改变他人等次，故补定为「%s」", grade, lower)
		per.Decisions = append(per.Decisions, scoring.Decision{Person: p.ID, Grade: lower, Reason: "补定：" + note})
	}
	res, _, err = s.rescore(o, &per)
	if err != nil {
		return err
	}
	if moved := othersMoved(res, was, p.ID); len(moved) > 0 {
		return fmt.Errorf("fill-in of %s still moves %v: %w", p.ID, moved, ErrInvalidTransition)
	}
	per.Version++
	if err := o.tx.UpdatePeriod(o.ctx, per); err != nil {
		return err
	}
	now, err := o.tx.Result(o.ctx, per.ID, p.ID)
	if err != nil {
		return err
	}
	why := "立案调查已结案"
	if st.Reason != "" {
		why += "（" + st.Reason + "）"
	}
	line := fmt.Sprintf("补定：%s，补定等次为「%s」", why, gradeOrNone(now.Grade))
	if note != "" {
		line += "；" + note
	}
	now.Explain = append(now.Explain, line)
	now.Flags = append(now.Flags, "filled_in")
	now.Version++
	if err := o.tx.PutResult(o.ctx, now); err != nil {
		return err
	}
	score := ""
	if now.Score != nil {
		score = now.Score.String()
	}
	data := map[string]string{"period": per.ID, "grade": now.Grade, "state": now.State, "score": score,
		"person": p.Name, "explain": strings.Join(now.Explain, "\n")}
	o.note(p.ID, TplGradeFilled, data, per.ID)
	people, err := o.tx.People(o.ctx)
	if err != nil {
		return err
	}
	for _, hr := range hrPeople(people) {
		o.note(hr, TplGradeFilled, map[string]string{"period": per.ID, "grade": now.Grade, "state": now.State, "person": p.Name}, per.ID, p.ID)
	}
	o.logf("filled in %s: %s", per.ID, gradeOrNone(now.Grade))
	return nil
}

// othersMoved names the people other than who whose grade in res differs
// from was.
func othersMoved(res *scoring.PeriodResult, was map[string]string, who string) []string {
	var out []string
	for _, pr := range res.People {
		if pr.ID != who && was[pr.ID] != pr.Grade {
			out = append(out, pr.ID)
		}
	}
	return out
}

// gradeOrNone is a grade, or 不定等次 when there is none.
func gradeOrNone(grade string) string {
	if grade == "" {
		return "不定等次"
	}
	return grade
}
