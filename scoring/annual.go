package scoring

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// ScoreYear composes each person's year from their period results and the
// annual part, under the scheme's annual rules. It is pure; an input with
// any problem returns InputErrors and no result.
func ScoreYear(s *Scheme, in *YearInput) (*YearResult, error) {
	c := &inputChecker{}
	a := s.Annual
	if a == nil {
		return nil, InputErrors{{Field: "scheme", Msg: fmt.Sprintf("scheme %s has no annual composition", s.ID)}}
	}
	if in.Kind != "" && in.Kind != "year" {
		c.add("", "kind", "must be \"year\" for a year input, not %q", in.Kind)
	}
	if len(in.People) == 0 {
		c.add("", "people", "no people to score")
	}
	res := &YearResult{Scheme: s.ID, Year: in.Year}
	seen := map[string]bool{}
	for i := range in.People {
		p := &in.People[i]
		if p.ID == "" {
			c.add(fmt.Sprintf("#%d", i+1), "id", "required")
			continue
		}
		if seen[p.ID] {
			c.add(p.ID, "id", "appears twice")
			continue
		}
		seen[p.ID] = true
		res.People = append(res.People, s.yearPerson(c, p))
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return res, nil
}

func (s *Scheme) annualIndex(g string) int {
	for i, x := range s.Annual.Grades {
		if x == g {
			return i
		}
	}
	return -1
}

func (s *Scheme) yearPerson(c *inputChecker, p *YearPerson) YearPersonResult {
	a := s.Annual
	pid := p.ID
	r := YearPersonResult{ID: p.ID, Name: p.Name, Unit: p.Unit, Counts: make(map[string]int, len(s.Grades)), Explain: make([]string, 0, 6)}
	// Every period of the year is listed, even one the person was not
	// appraised in (Excluded, with the reason): a missing period is then
	// a mistake in the data rather than a year silently made of fewer
	// periods.
	if len(p.Periods) != a.Periods {
		c.add(pid, "periods", "has %d periods; the scheme's year has %d (list a period the person was not appraised in with \"excluded\" and the reason)", len(p.Periods), a.Periods)
	}
	tier := p.Tier
	if tier == "" {
		tier = s.Tiers[0]
		if len(s.Tiers) > 1 {
			c.add(pid, "tier", "required: one of %v", s.Tiers)
		}
	} else if !contains(s.Tiers, tier) {
		c.add(pid, "tier", "unknown tier %q (tiers: %v)", tier, s.Tiers)
	}
	graded := 0
	sum := decimal.Zero
	nval := 0
	refused := false
	var excluded []string
	periodSeen := map[string]bool{}
	for i, pr := range p.Periods {
		f := fmt.Sprintf("periods[%d]", i)
		if pr.Period == "" || periodSeen[pr.Period] {
			c.add(pid, f+".period", "period %q is empty or repeated", pr.Period)
		}
		periodSeen[pr.Period] = true
		if strings.TrimSpace(pr.Excluded) != "" {
			if pr.Grade != "" || pr.Score != nil || pr.Refused || pr.Direct {
				c.add(pid, f+".excluded", "a period not counted in the year has no score, grade or other mark")
			}
			excluded = append(excluded, pr.Period+"（"+pr.Excluded+"）")
			continue
		}
		refused = refused || pr.Refused
		if pr.Grade != "" {
			g, ok := s.periodGrade(pr.Grade)
			if !ok {
				c.add(pid, f+".grade", "unknown grade %q", pr.Grade)
				continue
			}
			s.checkRecordGrade(c, pid, f, pr, g)
			graded++
			r.Counts[g]++
			if a.PeriodicValue == "grade_points" {
				sum = sum.Add(s.Grades[s.gradeIndex(g)].Points.Decimal)
				nval++
			}
		}
		switch {
		case pr.Score != nil:
		case a.RequireScores:
			c.add(pid, f+".score", "required: the periodic score is the sum of the year's period scores divided by their number")
		case pr.Grade != "" && a.PeriodicValue == "score" && a.PeriodicWeight != nil:
			c.add(pid, f+".score", "required: the annual total is made from the period scores")
		}
		if pr.Score != nil {
			if pr.Score.IsNegative() {
				c.add(pid, f+".score", "must not be negative")
			}
			if a.PeriodicValue == "score" {
				sum = sum.Add(pr.Score.Decimal)
				nval++
			}
		}
	}
	var parts []string
	for _, g := range s.Grades {
		if n := r.Counts[g.Label]; n > 0 {
			parts = append(parts, g.Label+strconv.Itoa(n)+"次")
		}
	}
	if len(parts) > 0 {
		r.Explain = append(r.Explain, "平时考核"+strconv.Itoa(graded)+"期定等次："+strings.Join(parts, "，"))
	} else {
		r.Explain = append(r.Explain, "平时考核无定等次记录")
	}
	if len(excluded) > 0 {
		r.Explain = append(r.Explain, "不计入年度考核的考核期："+strings.Join(excluded, "、"))
	}

	// Periodic score.
	if nval > 0 {
		mean := a.Rounding.round(sum.DivRound(decimal.NewFromInt(int64(nval)), divPrecision))
		d := DecOf(mean)
		r.Periodic = &d
		what := "各期得分"
		if a.PeriodicValue == "grade_points" {
			what = "各期档次分值"
		}
		r.Explain = append(r.Explain, "平时考核成绩 = "+what+"之和"+sum.String()+" ÷ "+strconv.Itoa(nval)+" = "+mean.String())
	}

	// Annual part and total.
	if a.PeriodicWeight != nil && r.Periodic != nil {
		w := a.PeriodicWeight.Decimal
		one := decimal.NewFromInt(1)
		total := r.Periodic.Mul(w)
		ok := true
		if w.LessThan(one) {
			var part decimal.Decimal
			switch {
			case len(a.Raters) > 0:
				rule := raterRule(a.Raters, tier)
				var srcs map[string]SourceInput
				if p.Annual != nil {
					srcs = p.Annual.Sources
				}
				if rule == nil {
					c.add(pid, "tier", "no annual rater rule for tier %q", tier)
					ok = false
				} else {
					for id := range srcs {
						if !hasSource(rule, id) {
							c.add(pid, "annual.sources."+id, "unknown rater source %q for tier %q", id, tier)
						}
					}
					tmp := PersonResult{}
					part, ok = s.ruleScore(c, pid, "annual.sources", rule, srcs, &tmp, true)
					r.Explain = append(r.Explain, tmp.Explain...)
				}
			case p.Annual != nil && p.Annual.Score != nil:
				part = p.Annual.Score.Decimal
				if part.IsNegative() || part.GreaterThan(s.Scale.Decimal) {
					c.add(pid, "annual.score", "%s is outside 0–%s", part, s.Scale)
					ok = false
				}
			default:
				c.add(pid, "annual.score", "required: the annual part makes up %s of the total", Percent{one.Sub(w)})
				ok = false
			}
			if ok {
				part = a.Rounding.round(part)
				d := DecOf(part)
				r.AnnualPart = &d
				total = total.Add(part.Mul(one.Sub(w)))
				r.Explain = append(r.Explain, fmt.Sprintf("年度考核总分 = 平时%s × %s + 年度%s × %s = %s", r.Periodic, a.PeriodicWeight, part, Percent{one.Sub(w)}, a.Rounding.round(total)))
			}
		}
		if ok {
			t := DecOf(a.Rounding.round(total))
			r.Total = &t
		}
	}

	// S9's excellence rate. Its "得优秀次数÷3" divides by the quarters of a
	// year; a quarter that does not count in the year (S9 五: "也不计入年度考
	// 核结果") leaves the divisor, as it leaves S7's "/4", rather than
	// counting as a quarter without 优秀.
	if e := a.ExcellenceRate; e != nil {
		top := r.Counts[s.topGrade()]
		divisor := max(e.Divisor-len(excluded), 0)
		periodic := func() (decimal.Decimal, string) {
			pr := decimal.NewFromInt(int64(top)).DivRound(decimal.NewFromInt(int64(divisor)), divPrecision)
			if divisor == e.Divisor {
				return pr, fmt.Sprintf("%s%d次 ÷ %d", s.topGrade(), top, divisor)
			}
			return pr, fmt.Sprintf("%s%d次 ÷ %d（%d期不计入年度考核）", s.topGrade(), top, divisor, e.Divisor-divisor)
		}
		switch {
		case p.Votes == nil:
			c.add(pid, "votes", "required: the excellence rate needs the year-end 测评 (excellent, total)")
		case p.Votes.Total < 0 || p.Votes.Excellent < 0 || p.Votes.Excellent > p.Votes.Total:
			c.add(pid, "votes", "excellent %d of total %d is impossible", p.Votes.Excellent, p.Votes.Total)
		case p.Votes.Total < e.minVoters() && divisor == 0:
			// Neither part can be counted: no quarter counts in the year and
			// the 测评 is below its anonymity floor.
			r.Explain = append(r.Explain, fmt.Sprintf("年终考核测评：参评人数不足%d人，不显示、不计入", e.minVoters()),
				"平时考核各期均不计入年度考核，无年度考核优秀率")
		case p.Votes.Total < e.minVoters():
			// Below the anonymity floor (none voting included) the 测评 part
			// is neither shown nor counted, and the periodic part is scaled
			// to the whole, as a period's "votes" source is: with two
			// voters, "1 of 2 voted 优秀" tells each whom the other chose.
			pr, how := periodic()
			rate := pr.Round(4)
			d := DecOf(rate)
			r.ExcellenceRate = &d
			r.Explain = append(r.Explain, fmt.Sprintf("年终考核测评：参评人数不足%d人，不显示、不计入", e.minVoters()),
				fmt.Sprintf("年度考核优秀率 = %s（按平时考核优秀率折算）= %s%%", how, rate.Mul(hundred).Round(2)))
		case divisor == 0:
			// No quarter counts in the year: the 测评 part alone, scaled to
			// the whole as the periodic part is below the vote floor.
			vr := decimal.NewFromInt(int64(p.Votes.Excellent)).DivRound(decimal.NewFromInt(int64(p.Votes.Total)), divPrecision)
			rate := vr.Round(4)
			d := DecOf(rate)
			r.ExcellenceRate = &d
			r.Explain = append(r.Explain, fmt.Sprintf("年度考核优秀率 = 优秀票%d ÷ 测评%d人（平时考核各期均不计入年度考核，按测评优秀率折算）= %s%%",
				p.Votes.Excellent, p.Votes.Total, rate.Mul(hundred).Round(2)))
		default:
			pr, how := periodic()
			vr := decimal.NewFromInt(int64(p.Votes.Excellent)).DivRound(decimal.NewFromInt(int64(p.Votes.Total)), divPrecision)
			rate := pr.Mul(e.PeriodicWeight.Decimal).Add(vr.Mul(e.VoteWeight.Decimal)).Round(4)
			d := DecOf(rate)
			r.ExcellenceRate = &d
			r.Explain = append(r.Explain, fmt.Sprintf("年度考核优秀率 = (%s) × %s + (优秀票%d ÷ 测评%d人) × %s = %s%%",
				how, e.PeriodicWeight, p.Votes.Excellent, p.Votes.Total, e.VoteWeight, rate.Mul(hundred).Round(2)))
		}
	}

	// Proposed grade: input, else band.
	if r.Total != nil && len(a.Bands) > 0 {
		for _, b := range a.Bands {
			if b.Range.Contains(r.Total.Decimal) {
				r.BandGrade = b.Grade
				r.Explain = append(r.Explain, fmt.Sprintf("年度考核总分%s属于「%s」（%s）", r.Total, b.Grade, b.Range.Chinese()))
			}
		}
	}
	proposed := r.BandGrade
	if p.Proposed == AnnualNotGraded {
		// 不定等次 is a result only a one_of rule allows (S10 四(三)),
		// checked below once the rules are read.
		proposed = p.Proposed
	} else if p.Proposed != "" {
		if s.annualIndex(p.Proposed) < 0 {
			c.add(pid, "proposed", "unknown annual grade %q (grades: %v)", p.Proposed, a.Grades)
			return r
		}
		proposed = p.Proposed
		r.Explain = append(r.Explain, fmt.Sprintf("单位拟定年度等次「%s」", proposed))
	}

	// Rules.
	var set string
	var oneOf []string // the first one_of rule in force
	for _, rule := range a.Rules {
		if !s.holds(&rule.When, r, graded, refused) {
			continue
		}
		if rule.NoCommendation {
			r.NoCommendation = true
			r.Explain = append(r.Explain, rule.Cite+"：当年不得参加各类评比表彰")
		}
		switch {
		case len(rule.OneOf) > 0:
			if oneOf == nil && set == "" {
				oneOf = rule.OneOf
			}
			r.Explain = append(r.Explain, fmt.Sprintf("%s：年度考核结果为「%s」之一", rule.Cite, strings.Join(rule.OneOf, "」或「")))
		case rule.Grade != "":
			if set == "" {
				set = rule.Grade
			}
			r.Explain = append(r.Explain, fmt.Sprintf("%s：年度考核确定为「%s」", rule.Cite, rule.Grade))
		case rule.MaxGrade != "":
			if r.MaxGrade == "" || s.annualIndex(rule.MaxGrade) > s.annualIndex(r.MaxGrade) {
				r.MaxGrade = rule.MaxGrade
			}
			r.Explain = append(r.Explain, rule.Cite+"：年度等次最高为「"+rule.MaxGrade+"」")
		case rule.Priority != "":
			r.Priority = append(r.Priority, rule.Priority)
			r.Explain = append(r.Explain, fmt.Sprintf("%s：优先确定为「%s」", rule.Cite, rule.Priority))
		}
	}
	if proposed == AnnualNotGraded && !contains(oneOf, AnnualNotGraded) {
		c.add(pid, "proposed", "%s is allowed only where an annual rule gives it as a choice (one_of)", AnnualNotGraded)
		return r
	}
	switch {
	case set != "":
		r.Grade = set
	case oneOf != nil:
		r.Grade = oneOf[0]
		if contains(oneOf, proposed) {
			r.Grade = proposed
		} else if p.Proposed != "" {
			r.Explain = append(r.Explain, fmt.Sprintf("拟定「%s」不在规定的结果之中，定为「%s」", p.Proposed, r.Grade))
		}
		if r.Grade == AnnualNotGraded {
			r.Grade, r.NotGraded = "", true
			r.Explain = append(r.Explain, "年度考核不定等次")
			return r
		}
	case proposed != "":
		r.Grade = proposed
		if r.MaxGrade != "" && s.annualIndex(proposed) < s.annualIndex(r.MaxGrade) {
			r.Grade = r.MaxGrade
			r.Explain = append(r.Explain, fmt.Sprintf("拟定「%s」超过规则允许的最高等次，定为「%s」", proposed, r.MaxGrade))
		}
	}
	if r.Grade != "" {
		r.Explain = append(r.Explain, fmt.Sprintf("年度考核等次：%s", r.Grade))
	}
	return r
}

// holds evaluates an annual condition; share tests divide by the periods
// that have a grade.
func (s *Scheme) holds(w *AnnualCondition, r YearPersonResult, graded int, refused bool) bool {
	if w.Refused && !refused {
		return false
	}
	n := 0
	for _, g := range w.Grades {
		n += r.Counts[g]
	}
	if w.CountAtLeast != nil && n < *w.CountAtLeast {
		return false
	}
	if w.ShareOver != nil || w.ShareBelow != nil || w.All {
		if graded == 0 {
			return false
		}
		share := decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(int64(graded)), divPrecision)
		if w.ShareOver != nil && !share.GreaterThan(w.ShareOver.Decimal) {
			return false
		}
		if w.ShareBelow != nil && !share.LessThan(w.ShareBelow.Decimal) {
			return false
		}
		if w.All && n != graded {
			return false
		}
	}
	if w.PeriodicBelow != nil {
		if r.Periodic == nil || !r.Periodic.LessThan(w.PeriodicBelow.Decimal) {
			return false
		}
	}
	return true
}

// checkRecordGrade refuses a period grade better than its score's band
// unless the record says the grade was set otherwise (Direct): a
// quota, a sanction or the committee may leave a grade below the band,
// but only a direct determination, the work-injury rule or the committee
// puts one above it, and a year built from such data would count grades
// the period never gave.
func (s *Scheme) checkRecordGrade(c *inputChecker, pid, f string, pr PeriodRecord, g string) {
	if pr.Score == nil || pr.Direct || len(s.Bands) == 0 {
		return
	}
	for _, b := range s.Bands {
		if b.Range.Contains(pr.Score.Decimal) {
			if s.gradeIndex(g) < s.gradeIndex(b.Grade) {
				c.add(pid, f+".grade", "%s contradicts the score %s, which is %s (%s); a grade set directly or by the committee is marked \"direct\"", g, pr.Score, b.Grade, b.zh)
			}
			return
		}
	}
}
