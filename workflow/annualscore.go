package workflow

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/scoring"
)

// The annual score a unit enters (S5 五(一)1's other 40% of the 年度考核总分,
// S6 四(六)'s other 40%): schemes whose year total weighs the periods below
// 100% and name no annual raters take the rest from one score per person
// that neither seed describes. Decision: HR enters it. Both seeds leave the
// year to the unit's 人事 office (S5 六(四)'s 人事管理机构, S6's 政工科
// runs the year as it runs the quarters), the score is the unit's year-end
// appraisal outside the periods, and HR is who composes the year from it;
// a leader's own view reaches HR through the unit, as for the 外部测评 tally.
//
// Storage: one entry per person (EntryAnnual, the year's id as both its
// period and cycle), so no migration is needed: entries already carry a
// JSON body, an author (CommentBy) and a time, and every change goes through
// the audit log like the attendance HR enters. The year's period itself
// does not exist before the first composition, so it cannot hold them.

// AnnualScoreNeeded reports whether the year's scheme takes a unit-entered
// annual score (S5, S6): a periodic weight below 100% and no annual raters.
func (s *Service) AnnualScoreNeeded(yearID string) bool {
	_, _, sc, _, err := s.yearOf(yearID)
	return err == nil && annualScored(sc)
}

func annualScored(sc *scoring.Scheme) bool {
	a := sc.Annual
	return a != nil && a.PeriodicWeight != nil && a.PeriodicWeight.LessThan(decimal.NewFromInt(1)) && len(a.Raters) == 0
}

// AnnualScoreSheet is HR's view of a year's annual scores.
type AnnualScoreSheet struct {
	// Year is the year's canonical id ("2026", "2026@s5").
	Year string
	// Scale is the highest score (the scheme's scale).
	Scale scoring.Dec
	// Weight is the annual score's share of the year's total ("40%").
	Weight string
	// Locked is set once the committee confirmed the year: the scores can
	// no longer change.
	Locked bool
	// People are the year's assessed people in stored order, each with
	// the score entered so far (nil for none).
	People []AnnualScoreRow
}

// AnnualScoreRow is one person's annual score.
type AnnualScoreRow struct {
	Person Person
	Score  *scoring.Dec
}

// Entered counts the people with a score.
func (sh AnnualScoreSheet) Entered() int {
	n := 0
	for _, r := range sh.People {
		if r.Score != nil {
			n++
		}
	}
	return n
}

// AnnualScores returns a year's annual scores for HR's card (HR only).
// Errors: ErrForbidden, ErrInvalidInput (no such year or scheme, or a
// scheme without a unit-entered annual score).
func (s *Service) AnnualScores(ctx context.Context, by, yearID string) (AnnualScoreSheet, error) {
	var sh AnnualScoreSheet
	id, _, sc, scheme, err := s.yearOf(yearID)
	if err != nil {
		return sh, err
	}
	if !annualScored(sc) {
		return sh, invalid("year", yearLabel(id)+"考核方案没有单位录入的年度评分")
	}
	err = s.view(ctx, func(tx Tx) error {
		sh = AnnualScoreSheet{Year: id, Scale: sc.Scale,
			Weight: scoring.Percent{Decimal: decimal.NewFromInt(1).Sub(sc.Annual.PeriodicWeight.Decimal)}.String()}
		me, err := tx.Person(ctx, by)
		if err != nil || !me.HR {
			return fmt.Errorf("%s may not see the annual scores of %s: %w", by, id, ErrForbidden)
		}
		if p, err := tx.Period(ctx, id); err == nil {
			sh.Locked = p.State != PeriodCommittee
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		scores, err := annualEntries(ctx, tx, id)
		if err != nil {
			return err
		}
		people, err := s.periodPeople(ctx, tx, Period{ID: id, Kind: KindYear, Scheme: scheme})
		if err != nil {
			return err
		}
		for _, p := range people {
			if !p.Assessed {
				continue
			}
			row := AnnualScoreRow{Person: p}
			if d, ok := scores[p.ID]; ok {
				row.Score = &d
			}
			sh.People = append(sh.People, row)
		}
		return nil
	})
	return sh, err
}

// annualEntries reads the annual scores stored for a year, by person.
func annualEntries(ctx context.Context, tx Tx, yearID string) (map[string]scoring.Dec, error) {
	es, err := tx.Entries(ctx, EntryFilter{Kind: EntryAnnual, Cycle: yearID})
	if err != nil {
		return nil, err
	}
	out := make(map[string]scoring.Dec, len(es))
	for _, e := range es {
		if e.Body.AnnualScore == "" {
			continue
		}
		d, err := scoring.ParseDec(e.Body.AnnualScore)
		if err != nil {
			return nil, fmt.Errorf("annual score of %s in %s: %w", e.Person, yearID, err)
		}
		out[e.Person] = d
	}
	return out, nil
}

// SetAnnualScores stores the annual scores HR entered for a year (HR only):
// person → score, 0 to the scheme's scale, replacing earlier ones. A score
// equal to the stored one writes nothing. They count from the next
// composition; once the committee confirmed the year they are refused.
// Errors: ErrForbidden, ErrInvalidInput (a score out of range, a person
// not of the year, a scheme without such a score), ErrInvalidTransition
// (the year confirmed).
func (s *Service) SetAnnualScores(ctx context.Context, by, yearID string, scores map[string]scoring.Dec) error {
	id, _, sc, scheme, err := s.yearOf(yearID)
	if err != nil {
		return err
	}
	if !annualScored(sc) {
		return invalid("year", yearLabel(id)+"考核方案没有单位录入的年度评分")
	}
	label := yearLabel(id)
	return s.change(ctx, by, "year.annual_score", id, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if p, err := o.tx.Period(o.ctx, id); err == nil && p.State != PeriodCommittee {
			return notYet(label+"考核结果已经考核委员会确认，不能再修改年度评分", "year %s is %s", id, p.State)
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		people, err := s.periodPeople(o.ctx, o.tx, Period{ID: id, Kind: KindYear, Scheme: scheme})
		if err != nil {
			return err
		}
		byID := map[string]Person{}
		for _, p := range people {
			if p.Assessed {
				byID[p.ID] = p
			}
		}
		n := 0
		for _, pid := range sortedKeys(scores) {
			d := scores[pid]
			p, ok := byID[pid]
			if !ok {
				return invalid("annual_score", "不是"+label+"的被考核人："+pid)
			}
			if d.IsNegative() || d.GreaterThan(sc.Scale.Decimal) {
				return invalid("annual_score", fmt.Sprintf("%s的年度评分须在0–%s分之间", p.Name, sc.Scale))
			}
			if !d.Equal(d.Round(2)) {
				return invalid("annual_score", p.Name+"的年度评分最多保留两位小数")
			}
			v := scoring.DecOf(d.Decimal).String()
			key := EntryKey{Kind: EntryAnnual, Person: pid, Period: id}
			e, err := o.tx.Entry(o.ctx, key)
			switch {
			case errors.Is(err, ErrNotFound):
				err = o.tx.CreateEntry(o.ctx, Entry{EntryKey: key, Cycle: id, State: EntrySubmitted,
					Body: EntryBody{AnnualScore: v}, SubmittedAt: o.now, CommentBy: by})
			case err != nil:
			case e.Body.AnnualScore == v:
				continue
			default:
				e.Body.AnnualScore, e.SubmittedAt, e.CommentBy = v, o.now, by
				e.Version++
				err = o.tx.UpdateEntry(o.ctx, e)
			}
			if err != nil {
				return err
			}
			n++
		}
		o.logf("%d annual scores", n)
		return nil
	})
}

// annualScoresIn fills spec.Annual with the scores HR entered for the
// year, for whoever the caller gave none (a caller's own scores win: the
// CLI's, or a recomposition's from the results' flags).
func annualScoresIn(o *op, yearID string, sc *scoring.Scheme, spec *YearSpec) error {
	if !annualScored(sc) {
		return nil
	}
	scores, err := annualEntries(o.ctx, o.tx, yearID)
	if err != nil {
		return err
	}
	if len(scores) == 0 {
		return nil
	}
	// A copy: the caller's map stays as it was given.
	annual := make(map[string]*scoring.AnnualInput, len(spec.Annual)+len(scores))
	for pid, a := range spec.Annual {
		annual[pid] = a
	}
	for pid, d := range scores {
		if annual[pid] == nil {
			d := d
			annual[pid] = &scoring.AnnualInput{Score: &d}
		}
	}
	spec.Annual = annual
	return nil
}
