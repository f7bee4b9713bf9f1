package workflow

import (
	"fmt"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// DeadlineSpecs are the cycle's deadlines as data: calendar.Rule specs such
// as "last-workday", "next-month-day:6" or "workdays-after-end:3" (see
// calendar.ParseRule). An empty spec keeps the default.
type DeadlineSpecs struct {
	Weekly  string `yaml:"weekly" json:"weekly,omitempty"`
	Monthly string `yaml:"monthly" json:"monthly,omitempty"`
	Summary string `yaml:"summary" json:"summary,omitempty"`
	Filing  string `yaml:"filing" json:"filing,omitempty"`
	// FilingHalfYear is the half-year's 备案 of a scheme that files by
	// half-year (S8), applied to the half ("2026-H1"): "fixed:07-31",
	// "next-month-day:20" …
	FilingHalfYear string `yaml:"filing_half_year" json:"filing_half_year,omitempty"`
}

// Deadlines parses the specs against cal, so a unit sets its deadlines in
// configuration (S2: 次月6日; S10: 3个工作日内) without code. A bad spec is
// an *InputError naming the field.
func (d DeadlineSpecs) Deadlines(cal *calendar.Calendar) (Deadlines, error) {
	out := DefaultDeadlines()
	for _, f := range []struct {
		name string
		spec string
		dst  *DueFunc
	}{
		{"deadlines.weekly", d.Weekly, &out.Weekly},
		{"deadlines.monthly", d.Monthly, &out.Monthly},
		{"deadlines.summary", d.Summary, &out.Summary},
		{"deadlines.filing", d.Filing, &out.Filing},
		{"deadlines.filing_half_year", d.FilingHalfYear, &out.FilingHalfYear},
	} {
		if f.spec == "" {
			continue
		}
		rule, err := calendar.ParseRule(f.spec)
		if err != nil {
			return Deadlines{}, &InputError{Field: f.name, Msg: fmt.Sprintf("无法识别的期限规则 %q：%v", f.spec, err)}
		}
		*f.dst = func(_ Calendar, p calendar.Period) calendar.Date {
			dl, err := rule.Apply(cal, p)
			if err != nil {
				// Apply fails only for a rule that does not fit the period
				// kind; fall back to the period's end rather than no deadline.
				return p.End()
			}
			return dl.Due
		}
	}
	return out, nil
}
