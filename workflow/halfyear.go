package workflow

import (
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// 备案 by half-year (scoring.FilingRule, S8 四(三)6: "局人事科每半年将公务员
// 平时考核结果报同级公务员主管部门备案"). The two quarters of a half are
// filed together: both carry the half's deadline (Deadlines.FilingHalfYear),
// the first has no 备案 reminder of its own, the second's reminds HR of
// both, and marking the second filed marks the first too (MarkFiled).

// filingDue is the 备案 deadline of period cp under sc: its own
// (Deadlines.Filing) or, where sc files by half-year, the half's.
func (s *Service) filingDue(sc *scoring.Scheme, cp calendar.Period) calendar.Date {
	if sc.FilesHalfYearly() && cp.Kind() == calendar.Quarter {
		return s.cfg.Deadlines.FilingHalfYear(s.cal, calendar.PeriodContaining(calendar.Half, cp.End()))
	}
	return s.cfg.Deadlines.Filing(s.cal, cp)
}

// HalfYearFiling says whether period id is filed with the other quarter of
// its half (its scheme files by half-year), and if so the half's first and
// second quarters' ids ("2026-Q1", "2026-Q2"), in the form PeriodID gives.
func (s *Service) HalfYearFiling(id string) (first, second string, ok bool) {
	cp, scheme, err := parsePeriodID(id)
	if err != nil || cp.Kind() != calendar.Quarter || !s.schemeByID(scheme).FilesHalfYearly() {
		return "", "", false
	}
	if cp.Index()%2 == 1 {
		return s.PeriodID(cp, scheme), s.PeriodID(cp.Next(), scheme), true
	}
	return s.PeriodID(cp.Prev(), scheme), s.PeriodID(cp, scheme), true
}

// halfFirst reports whether period id is the first quarter of a half filed
// by half-year, which has no 备案 of its own.
func halfFirst(s *Service, id string) bool {
	first, _, half := s.HalfYearFiling(id)
	return half && first == id
}
