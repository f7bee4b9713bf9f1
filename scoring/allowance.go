package scoring

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// parseFraction reads "1/3".
func parseFraction(s string) (decimal.Decimal, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return decimal.Zero, fmt.Errorf("%q is not a fraction such as 1/3", s)
	}
	n, err1 := strconv.Atoi(strings.TrimSpace(a))
	d, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || d <= 0 || n < 0 || n > d {
		return decimal.Zero, fmt.Errorf("%q is not a fraction between 0 and 1", s)
	}
	return decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(int64(d)), divPrecision), nil
}

// rate returns the rule's rate as a fraction.
func (r *AllowanceRule) rate() decimal.Decimal {
	if r.RateFraction != "" {
		f, _ := parseFraction(r.RateFraction)
		return f
	}
	if r.Rate != nil {
		return r.Rate.Decimal
	}
	return decimal.Zero
}

func (r *AllowanceRule) rateText() string {
	if r.RateFraction != "" {
		return r.RateFraction
	}
	if r.Rate != nil {
		return r.Rate.String()
	}
	return "0"
}

// money rounds yuan to fen.
func money(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

func addMonths(month string, n int) (string, error) {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return "", fmt.Errorf("%q is not a month such as 2026-10", month)
	}
	return t.AddDate(0, n, 0).Format("2006-01"), nil
}

// allowanceCuts computes the money consequences of S2 五 for one person.
// Every amount is exact to the fen, and each line says which rule and which
// numbers produced it.
func (s *Scheme) allowanceCuts(c *inputChecker, pid string, in *AllowanceInput, score *Dec) []AllowanceCut {
	var cuts []AllowanceCut
	monthly := func(r *AllowanceRule) (decimal.Decimal, bool) {
		m, ok := in.Monthly[r.Allowance]
		if !ok {
			c.add(pid, "allowance.monthly."+r.Allowance, "required by rule %s", r.ID)
			return decimal.Zero, false
		}
		if m.IsNegative() {
			c.add(pid, "allowance.monthly."+r.Allowance, "must not be negative")
			return decimal.Zero, false
		}
		return m.Decimal, true
	}
	for name := range in.Monthly {
		known := false
		for _, r := range s.Allowances {
			known = known || r.Allowance == name
		}
		if !known {
			c.add(pid, "allowance.monthly."+name, "unknown allowance %q", name)
		}
	}
	for i, m := range in.Months {
		if _, err := addMonths(m.Month, 0); err != nil {
			c.add(pid, fmt.Sprintf("allowance.months[%d].month", i), "%v", err)
		}
		if m.LeaveDays.IsNegative() || m.AbsentDays < 0 || m.WorkingDays < 0 || m.WorkingDays > 31 {
			c.add(pid, fmt.Sprintf("allowance.months[%d]", i), "days out of range")
		}
	}
	for ri := range s.Allowances {
		r := &s.Allowances[ri]
		switch r.Kind {
		case "score_cut":
			if score == nil || !r.Range.Contains(score.Decimal) {
				continue
			}
			m, ok := monthly(r)
			if !ok {
				continue
			}
			if in.NextPeriodStart == "" {
				c.add(pid, "allowance.next_period_start", "required: the score %s triggers rule %s", score, r.ID)
				continue
			}
			for k := 0; k < r.Months; k++ {
				month, err := addMonths(in.NextPeriodStart, r.StartMonth-1+k)
				if err != nil {
					c.add(pid, "allowance.next_period_start", "%v", err)
					break
				}
				amt := money(m.Mul(r.rate()))
				cuts = append(cuts, AllowanceCut{Rule: r.ID, Allowance: r.Allowance, Month: month, Amount: DecOf(amt),
					Explain: fmt.Sprintf("平时考核%s分（%s）：%s减发%s，即%s × %s = %s元（%s）", score, r.Range.Chinese(), r.Allowance, r.rateText(), m, r.rateText(), amt, r.Cite)})
			}
		case "leave_excess":
			m, ok := monthly(r)
			if !ok {
				continue
			}
			for _, mo := range in.Months {
				free := decimal.NewFromInt(int64(r.FreeDays))
				if !mo.LeaveDays.GreaterThan(free) {
					continue
				}
				extra := mo.LeaveDays.Sub(free)
				var amt decimal.Decimal
				var how string
				if r.PerDay != nil {
					amt = extra.Mul(r.PerDay.Decimal)
					how = fmt.Sprintf("%s天 × %s元", extra, r.PerDay)
				} else {
					days := mo.WorkingDays - r.FreeDays
					if days <= 0 {
						c.add(pid, "allowance.months", "month %s: working days must exceed %d", mo.Month, r.FreeDays)
						continue
					}
					daily := m.DivRound(decimal.NewFromInt(int64(days)), divPrecision)
					amt = extra.Mul(daily)
					how = fmt.Sprintf("%s天 × %s ÷ (%d − %d)", extra, m, mo.WorkingDays, r.FreeDays)
				}
				if amt.GreaterThan(m) {
					amt = m
				}
				amt = money(amt)
				cuts = append(cuts, AllowanceCut{Rule: r.ID, Allowance: r.Allowance, Month: mo.Month, Amount: DecOf(amt),
					Explain: fmt.Sprintf("%s病、事假合计%s天，超过%d天：扣减%s = %s元（%s）", mo.Month, mo.LeaveDays, r.FreeDays, how, amt, r.Cite)})
			}
		case "absence":
			m, ok := monthly(r)
			if !ok {
				continue
			}
			for _, mo := range in.Months {
				if mo.AbsentDays <= 0 {
					continue
				}
				var amt decimal.Decimal
				var how string
				if r.FullAt > 0 && mo.AbsentDays >= r.FullAt {
					amt, how = m, fmt.Sprintf("累计%d天以上（含%d天），扣发全部", r.FullAt, r.FullAt)
				} else {
					amt = m.Mul(r.rate()).Mul(decimal.NewFromInt(int64(mo.AbsentDays)))
					how = fmt.Sprintf("%d天 × %s × %s", mo.AbsentDays, r.rateText(), m)
				}
				amt = money(amt)
				cuts = append(cuts, AllowanceCut{Rule: r.ID, Allowance: r.Allowance, Month: mo.Month, Amount: DecOf(amt),
					Explain: fmt.Sprintf("%s旷工%d天：%s = %s元（%s）", mo.Month, mo.AbsentDays, how, amt, r.Cite)})
			}
		case "absent_period":
			if !in.AbsentWholePeriod {
				continue
			}
			m, ok := monthly(r)
			if !ok {
				continue
			}
			for _, mo := range in.Months {
				cuts = append(cuts, AllowanceCut{Rule: r.ID, Allowance: r.Allowance, Month: mo.Month, Amount: DecOf(money(m)),
					Explain: fmt.Sprintf("整个考核季度未按规定出勤，扣发%s全部%s = %s元（%s）", mo.Month, r.Allowance, money(m), r.Cite)})
			}
		}
	}
	return cuts
}

// AllowanceRow is one line of the allowance table HR hands to payroll: a
// person, a month, an allowance and what is cut, with the rule and the
// numbers that made it (S2 五).
type AllowanceRow struct {
	Person    string `json:"person"`
	Name      string `json:"name,omitempty"`
	Unit      string `json:"unit"`
	Month     string `json:"month"`
	Allowance string `json:"allowance"`
	Rule      string `json:"rule"`
	Amount    Dec    `json:"amount"`
	Explain   string `json:"explain"`
}

// AllowanceTable lists a period's allowance cuts one row per person, month,
// allowance and rule, ordered by unit, person, month and allowance, then
// the scheme's rule order: the table as payroll reads it, whatever order
// the input had. A person without cuts has no row.
func AllowanceTable(s *Scheme, res *PeriodResult) []AllowanceRow {
	order := make(map[string]int, len(s.Allowances))
	for i, r := range s.Allowances {
		order[r.ID] = i
	}
	var rows []AllowanceRow
	for _, p := range res.People {
		for _, c := range p.Allowance {
			rows = append(rows, AllowanceRow{Person: p.ID, Name: p.Name, Unit: p.Unit, Month: c.Month, Allowance: c.Allowance,
				Rule: c.Rule, Amount: c.Amount, Explain: c.Explain})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case a.Unit != b.Unit:
			return a.Unit < b.Unit
		case a.Person != b.Person:
			return a.Person < b.Person
		case a.Month != b.Month:
			return a.Month < b.Month
		case a.Allowance != b.Allowance:
			return a.Allowance < b.Allowance
		}
		return order[a.Rule] < order[b.Rule]
	})
	return rows
}
