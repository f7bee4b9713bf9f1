package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// AllowanceReport is a period's allowance consequences (S2 五: "减发…工作性
// 津贴", "扣减…区县津补贴"), worked out by the scheme's allowance rules
// (scoring.Scheme.AllowanceDues) from the period's results and the
// attendance HR entered each month. It is the table HR hands to payroll:
// every cut says the share of the person's own 月标准 (or the fixed sum)
// and why; the amounts in yuan are payroll's (scoring.AllowanceDue says
// why kaohe keeps no pay).
type AllowanceReport struct {
	// Period is the period id; Label the period in words.
	Period, Label string
	// Lines are the cuts, by person (Filing.People's order), then the
	// scheme's rule order; people without a cut have none.
	Lines []AllowanceLine
	// Recorded are the months of the period HR entered attendance for
	// (anyone's), in order; Unrecorded the others. A month nobody has a
	// record of counts as full attendance, as for the grade conditions.
	Recorded, Unrecorded []string
	// Scored: the period has results, so score-based cuts are in. Before
	// the results only attendance-based cuts can be listed.
	Scored bool
}

// AllowanceLine is one cut of one person.
type AllowanceLine struct {
	Person, Name, Unit string
	// Attendance is the person's attendance of the line's month in words
	// ("病假2天、事假3天、旷工1天"; "全勤" with nothing recorded).
	Attendance string
	scoring.AllowanceDue
}

// allowanceReport applies the scheme's allowance rules to f's period.
func allowanceReport(sc *scoring.Scheme, cal Calendar, f Filing) (*AllowanceReport, error) {
	fp := f.Periods[0]
	out := &AllowanceReport{Period: fp.Period.ID, Label: fp.Label}
	next := fp.Period.End.AddDays(1)
	nextStart := fmt.Sprintf("%04d-%02d", next.Year, int(next.Month))
	recorded := map[string]bool{}
	for _, p := range f.People {
		r := fp.Records[p.ID]
		if r == nil {
			continue
		}
		var months []scoring.MonthAttendance
		words := map[string]string{}
		for _, m := range r.Months {
			if m.Attendance != nil {
				recorded[m.Month] = true
			}
			mp, err := calendar.ParsePeriod(m.Month)
			if err != nil {
				return nil, fmt.Errorf("month %s: %w", m.Month, err)
			}
			ma := scoring.MonthAttendance{Month: m.Month, WorkingDays: cal.WorkdaysBetween(mp.Start(), mp.End()),
				LeaveDays: scoring.DecOf(decimal.Zero),
				// Decision: S2 counts 旷工 "每累计一天"; a part day (HR may
				// enter 0.5) does not make a day until the month's total does.
				AbsentDays: int(m.Absent.IntPart())}
			var w []string
			for _, l := range m.Leave {
				// S2 五: "病、事假合计" — only these two count; other leave
				// (年休假, 婚假…) is a right, not an absence.
				if l.Kind == "病假" || l.Kind == "事假" {
					ma.LeaveDays = scoring.DecOf(ma.LeaveDays.Add(l.Days.Decimal))
				}
				w = append(w, l.Kind+l.Days.String()+"天")
			}
			if m.Absent.IsPositive() {
				w = append(w, "旷工"+m.Absent.String()+"天")
			}
			if len(w) == 0 {
				w = []string{"全勤"}
			}
			words[m.Month] = strings.Join(w, "、")
			months = append(months, ma)
		}
		var score *scoring.Dec
		if r.Result != nil {
			score = r.Result.Score
			out.Scored = true
		}
		dues, err := sc.AllowanceDues(score, nextStart, months, false)
		if err != nil {
			return nil, fmt.Errorf("allowance of %s: %w", p.ID, err)
		}
		for _, d := range dues {
			att := words[d.Month]
			if strings.HasPrefix(d.Basis, "平时考核") {
				att = "" // a score cut falls in the next period's months
			}
			out.Lines = append(out.Lines, AllowanceLine{Person: p.ID, Name: p.Name, Unit: p.UnitName, Attendance: att, AllowanceDue: d})
		}
	}
	for d := fp.Period.Start; !d.After(fp.Period.End); {
		m := calendar.PeriodContaining(calendar.Month, d)
		if recorded[m.String()] {
			out.Recorded = append(out.Recorded, m.String())
		} else {
			out.Unrecorded = append(out.Unrecorded, m.String())
		}
		d = m.End().AddDays(1)
	}
	return out, nil
}

// Allowances returns the allowance table of a period (HR only; a refusal
// is audited, like FilingData): the filing data of the period with its
// Allowance filled. Errors: ErrForbidden; ErrNotFound (no such period);
// *InputError when the period's scheme has no allowance rule or nobody's
// attendance of the period is recorded yet (the table would say only
// "全勤").
func (s *Service) Allowances(ctx context.Context, by, periodID string) (Filing, error) {
	if _, whole, err := ParseFilingID(periodID); err != nil {
		return Filing{}, err
	} else if whole {
		return Filing{}, invalid("period", "津贴扣减按考核期计算，请指定考核期，如 "+periodID+"-Q3")
	}
	sc := s.schemeOfID(periodID)
	if len(sc.Allowances) == 0 {
		// Checked before reading, but after who asks: a stranger learns
		// nothing about the scheme.
		if err := s.view(ctx, func(tx Tx) error {
			me, err := tx.Person(ctx, by)
			if errors.Is(err, ErrNotFound) || (err == nil && !me.HR) {
				return fmt.Errorf("%s is not HR: %w", by, ErrForbidden)
			}
			return err
		}); err != nil {
			if errors.Is(err, ErrForbidden) {
				s.auditDenial(ctx, by, "allowance.read", periodID, err)
				err = audited{err}
			}
			return Filing{}, err
		}
		return Filing{}, invalid("period", "考核方案「"+sc.Name+"」没有津贴扣减规则，无需计算津贴")
	}
	f, err := s.FilingData(ctx, by, periodID)
	if err != nil {
		return f, err
	}
	if f.Allowance == nil || len(f.Allowance.Recorded) == 0 {
		return f, invalid("period", periodName(f.Periods[0].Period.ID)+"尚未登记考勤，请先在人员卡片上逐月登记考勤后再计算津贴")
	}
	return f, nil
}
