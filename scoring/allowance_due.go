package scoring

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// AllowanceDue is one money consequence of S2 五 stated against the
// person's own 月标准 instead of in yuan: the part of the month's allowance
// that is cut (Share), or a fixed sum (Yuan) where the rule names one.
//
// Decision: kaohe serve keeps no salary data. A person's 月标准 is payroll's
// (the seed has HR hand the consequences on), and a chat bot is no place to
// hold everyone's pay; so the chat table says what is cut and why, and
// payroll multiplies. `kaohe score --format allowance`, given the amounts,
// still computes the yuan (allowanceCuts); both read the same rules.
type AllowanceDue struct {
	Rule      string `json:"rule"`
	Allowance string `json:"allowance"`
	Month     string `json:"month"`
	// Share is the part of the month's 月标准 cut (0.3, 1, 2 ÷ 19); nil
	// when Yuan is set.
	Share *Dec `json:"share,omitempty"`
	// Yuan is a fixed sum cut (S2: 每超过一天扣减10元); nil when Share is set.
	Yuan *Dec `json:"yuan,omitempty"`
	// Basis is what brought the rule on: "平时考核58分", "病、事假合计5天",
	// "旷工1天".
	Basis string `json:"basis"`
	// Cut is the deduction in words: "减发30%", "扣减2天日津贴：月标准 × 2 ÷
	// (22 − 3)", "扣减20元", "扣发全部".
	Cut string `json:"cut"`
	// Cite is the rule's citation.
	Cite string `json:"cite"`
}

// AllowanceDues applies the scheme's allowance rules to one person's period:
// the period score (nil: none, so no score rule applies), the first month
// of the next period (for score cuts), the period's attendance by month
// and whether the person was absent for the whole period. Rules run in the
// scheme's order; months in the order given. It decides nothing the rules
// do not say and needs no amounts (AllowanceDue).
func (s *Scheme) AllowanceDues(score *Dec, nextPeriodStart string, months []MonthAttendance, absentWhole bool) ([]AllowanceDue, error) {
	var out []AllowanceDue
	for ri := range s.Allowances {
		r := &s.Allowances[ri]
		due := func(month string, share, yuan *decimal.Decimal, basis, cut string) {
			d := AllowanceDue{Rule: r.ID, Allowance: r.Allowance, Month: month, Basis: basis, Cut: cut, Cite: r.Cite}
			if share != nil {
				v := DecOf(*share)
				d.Share = &v
			}
			if yuan != nil {
				v := DecOf(money(*yuan))
				d.Yuan = &v
			}
			out = append(out, d)
		}
		switch r.Kind {
		case "score_cut":
			if score == nil || !r.Range.Contains(score.Decimal) {
				continue
			}
			for k := 0; k < r.Months; k++ {
				month, err := addMonths(nextPeriodStart, r.StartMonth-1+k)
				if err != nil {
					return nil, fmt.Errorf("rule %s: next period start: %w", r.ID, err)
				}
				rate := r.rate()
				cut := "减发" + r.rateText()
				if rate.Equal(decimal.NewFromInt(1)) {
					cut = "全部扣发"
				}
				due(month, &rate, nil, fmt.Sprintf("平时考核%s分（%s）", score, r.Range.Chinese()), cut)
			}
		case "leave_excess":
			free := decimal.NewFromInt(int64(r.FreeDays))
			for _, mo := range months {
				if !mo.LeaveDays.GreaterThan(free) {
					continue
				}
				extra := mo.LeaveDays.Sub(free)
				basis := fmt.Sprintf("病、事假合计%s天，超过%d天", mo.LeaveDays, r.FreeDays)
				if r.PerDay != nil {
					yuan := extra.Mul(r.PerDay.Decimal)
					due(mo.Month, nil, &yuan, basis, fmt.Sprintf("扣减%s元（%s天 × %s元）", money(yuan), extra, r.PerDay))
					continue
				}
				days := mo.WorkingDays - r.FreeDays
				if days <= 0 {
					return nil, fmt.Errorf("rule %s: month %s has %d working days, not more than %d", r.ID, mo.Month, mo.WorkingDays, r.FreeDays)
				}
				share := extra.DivRound(decimal.NewFromInt(int64(days)), divPrecision)
				if share.GreaterThan(decimal.NewFromInt(1)) {
					share = decimal.NewFromInt(1)
				}
				due(mo.Month, &share, nil, basis, fmt.Sprintf("扣减%s天日津贴：月标准 × %s ÷ (%d − %d)", extra, extra, mo.WorkingDays, r.FreeDays))
			}
		case "absence":
			for _, mo := range months {
				if mo.AbsentDays <= 0 {
					continue
				}
				basis := fmt.Sprintf("旷工%d天", mo.AbsentDays)
				if r.FullAt > 0 && mo.AbsentDays >= r.FullAt {
					one := decimal.NewFromInt(1)
					due(mo.Month, &one, nil, basis, fmt.Sprintf("累计%d天以上（含%d天），扣发全部", r.FullAt, r.FullAt))
					continue
				}
				share := r.rate().Mul(decimal.NewFromInt(int64(mo.AbsentDays)))
				if share.GreaterThan(decimal.NewFromInt(1)) {
					share = decimal.NewFromInt(1)
				}
				due(mo.Month, &share, nil, basis, fmt.Sprintf("扣发%d × %s", mo.AbsentDays, r.rateText()))
			}
		case "absent_period":
			if !absentWhole {
				continue
			}
			one := decimal.NewFromInt(1)
			for _, mo := range months {
				due(mo.Month, &one, nil, "整个考核期未按规定出勤", "扣发全部")
			}
		}
	}
	return out, nil
}

// ShareWords is a Share as a percentage for people: "30%", "10.53%"
// (rounded to hundredths of a percent; the exact share is in Cut).
func ShareWords(d Dec) string {
	return d.Mul(decimal.NewFromInt(100)).Round(2).String() + "%"
}
