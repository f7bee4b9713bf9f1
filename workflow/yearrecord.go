package workflow

import (
	"slices"
	"strings"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// FlagReviewChanged is the result flag of a grade a 复核 changed
// (DecideReview); the engine's flags are scoring.Flag*.
const FlagReviewChanged = "review_changed"

// YearRecord is the result as the year reads it. Direct is set where the
// grade was not the score's band (a direct determination, the committee,
// a 复核), since the engine refuses a grade above the band otherwise; Refused
// where the period records a refusal to take part (S10 四(三): the year
// follows from it).
func (r Result) YearRecord() scoring.PeriodRecord {
	rec := scoring.PeriodRecord{Period: r.Period, Score: r.Score, Grade: r.Grade}
	for _, f := range r.Flags {
		switch f {
		case scoring.FlagDirect, scoring.FlagCommittee, FlagReviewChanged:
			rec.Direct = true
		case scoring.FlagRefused:
			rec.Refused = true
		}
	}
	return rec
}

// excludedNoResult is why a period of the year without a result for the
// person does not count: they were not appraised in it (not yet in the
// organisation, 免于考核, seconded to a unit outside kaohe that ran no
// appraisal — S9 五: "期间不参加平时考核，也不计入年度考核结果"), or kaohe did not
// run that period at all.
const excludedNoResult = "本期无考核结果，未参加平时考核"

// yearPeriodIDs are the ids of the periods of the year of scheme sc
// (canonical id scheme): its quarters, or months for a monthly scheme, as
// many as Annual.Periods (three where Q4 merges into the annual
// appraisal, S2 and S9), with the scheme's suffix as PeriodID gives them.
func (s *Service) yearPeriodIDs(sc *scoring.Scheme, scheme string, year int) []string {
	if sc.Annual == nil {
		return nil
	}
	out := make([]string, 0, sc.Annual.Periods)
	for i := 1; i <= sc.Annual.Periods; i++ {
		var cp calendar.Period
		if sc.Cycle == KindMonth {
			cp = calendar.PeriodContaining(calendar.Month, calendar.NewDate(year, time.Month(i), 1))
		} else {
			cp = calendar.PeriodContaining(calendar.Quarter, calendar.NewDate(year, time.Month(3*i-2), 1))
		}
		out = append(out, s.PeriodID(cp, scheme))
	}
	return out
}

// fillYear completes a person's records of year with every period of the
// year of scheme sc they have no result in, as excluded (the engine wants
// the whole year listed, so that a period missing by mistake is not taken
// for one the person sat out), in period order.
func (s *Service) fillYear(sc *scoring.Scheme, scheme string, year int, recs []scoring.PeriodRecord) []scoring.PeriodRecord {
	for _, id := range s.yearPeriodIDs(sc, scheme, year) {
		if !slices.ContainsFunc(recs, func(r scoring.PeriodRecord) bool { return r.Period == id }) {
			recs = append(recs, scoring.PeriodRecord{Period: id, Excluded: excludedNoResult})
		}
	}
	slices.SortStableFunc(recs, func(a, b scoring.PeriodRecord) int { return strings.Compare(a.Period, b.Period) })
	return recs
}
