package scoring

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// InputError is one problem in an input, naming the person and the field.
type InputError struct {
	Person string
	Field  string
	Msg    string
}

func (e *InputError) Error() string {
	if e.Person == "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("person %s: %s: %s", e.Person, e.Field, e.Msg)
}

// InputErrors is every problem found in one input; nothing is scored when
// there is any.
type InputErrors []*InputError

func (es InputErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// ErrInvalidInput is matched (errors.Is) by every input error.
var ErrInvalidInput = errors.New("invalid input")

// Is makes errors.Is(err, ErrInvalidInput) true.
func (es InputErrors) Is(target error) bool { return target == ErrInvalidInput }

type inputChecker struct{ errs InputErrors }

func (c *inputChecker) add(person, field, format string, args ...any) {
	c.errs = append(c.errs, &InputError{Person: person, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// round applies a scheme rounding.
func (r Rounding) round(d decimal.Decimal) decimal.Decimal {
	places := int32(2)
	if r.Places != nil {
		places = *r.Places
	}
	if d.Exponent() >= -places {
		return d // already within the places: nothing to round
	}
	switch r.Mode {
	case "down":
		return d.Truncate(places)
	case "half_even":
		return d.RoundBank(places)
	default:
		return d.Round(places)
	}
}

var one = decimal.NewFromInt(1)

// divPrecision is the scale kept in intermediate divisions (means, ratios)
// before the scheme's rounding; far beyond any score's meaningful digits.
const divPrecision = 12

// ScorePeriod scores one period for every person in the input and applies
// the scheme's quotas and the committee's decisions. It is pure. An input
// with any problem returns InputErrors listing all of them and no result.
func ScorePeriod(s *Scheme, in *PeriodInput) (*PeriodResult, error) {
	c := &inputChecker{}
	if in.Kind != "" && in.Kind != "period" {
		c.add("", "kind", "must be \"period\" for a period input, not %q", in.Kind)
	}
	if len(in.People) == 0 {
		c.add("", "people", "no people to score")
	}
	res := &PeriodResult{Scheme: s.ID, Period: in.Period.ID, People: make([]PersonResult, 0, len(in.People)), Quotas: []QuotaResult{}}
	ids := make(map[string]int, len(in.People))
	for i := range in.People {
		p := &in.People[i]
		if p.ID == "" {
			c.add(fmt.Sprintf("#%d", i+1), "id", "required")
			continue
		}
		if _, dup := ids[p.ID]; dup {
			c.add(p.ID, "id", "appears twice")
			continue
		}
		ids[p.ID] = i
		res.People = append(res.People, s.scorePerson(c, p, in.Period))
	}
	if in.Committee != nil {
		for i, d := range in.Committee.Decisions {
			f := fmt.Sprintf("committee.decisions[%d]", i)
			if _, ok := ids[d.Person]; !ok {
				c.add(d.Person, f+".person", "unknown person %q: not among the people scored", d.Person)
			}
			if _, ok := s.periodGrade(d.Grade); !ok {
				c.add(d.Person, f+".grade", "unknown grade %q", d.Grade)
			}
			if strings.TrimSpace(d.Reason) == "" {
				c.add(d.Person, f+".reason", "the committee must give a reason")
			}
		}
	}
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	if err := s.applyQuotas(res, in.Committee); err != nil {
		return nil, err
	}
	for i := range res.People {
		p := &res.People[i]
		if p.State == StateGraded && p.Grade == "" {
			p.Grade = p.ScoreGrade
		}
	}
	return res, nil
}

func (s *Scheme) topGrade() string    { return s.Grades[0].Label }
func (s *Scheme) bottomGrade() string { return s.Grades[len(s.Grades)-1].Label }

func (s *Scheme) gradeIndex(g string) int {
	for i, x := range s.Grades {
		if x.Label == g {
			return i
		}
	}
	return -1
}

// raterRule finds the sources for a tier.
func raterRule(rules []RaterRule, tier string) *RaterRule {
	var def *RaterRule
	for i := range rules {
		if len(rules[i].Tiers) == 0 {
			def = &rules[i]
		}
		if contains(rules[i].Tiers, tier) {
			return &rules[i]
		}
	}
	return def
}

func (s *Scheme) scorePerson(c *inputChecker, p *PersonInput, period PeriodInfo) PersonResult {
	r := PersonResult{ID: p.ID, Name: p.Name, Unit: p.Unit, Group: p.Group, State: StateGraded, frontline: p.Frontline, Explain: make([]string, 0, 6)}
	pid := p.ID
	if p.Unit == "" {
		c.add(pid, "unit", "required")
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
	if s.hasGroupQuota() && p.Group == "" {
		c.add(pid, "group", "required: the scheme applies a quota per 考核单元")
	}
	for id := range p.Sources {
		if rule := raterRule(s.Raters, tier); rule == nil || !hasSource(rule, id) {
			c.add(pid, "sources."+id, "unknown rater source %q for tier %q", id, tier)
		}
	}

	// Score, when the scheme makes one.
	if len(s.Raters) > 0 {
		if rule := raterRule(s.Raters, tier); rule != nil {
			needed := !s.scoreOptional(p.Status, period)
			if total, ok := s.ruleScore(c, pid, "sources", rule, p.Sources, &r, needed); ok {
				bonus, ded, lines := s.adjust(c, pid, p.Adjustments)
				r.Bonus, r.Deduction = DecOf(bonus), DecOf(ded)
				r.Explain = append(r.Explain, lines...)
				final := total
				if !bonus.IsZero() || !ded.IsZero() {
					final = total.Add(bonus).Sub(ded)
				}
				if final.IsNegative() {
					final = decimal.Zero
					r.Explain = append(r.Explain, "总分不低于0分")
				}
				if a := s.Adjustments; a != nil && a.MaxTotal != nil && final.GreaterThan(a.MaxTotal.Decimal) {
					r.Explain = append(r.Explain, fmt.Sprintf("加分后总分%s超过上限%s分，按%s分计", s.Rounding.round(final), a.MaxTotal, a.MaxTotal))
					r.Flags = appendFlag(r.Flags, FlagTotalCapped)
					final = a.MaxTotal.Decimal
				}
				final = s.Rounding.round(final)
				d := DecOf(final)
				r.Score = &d
				r.rank, r.ranked = toFixed(final)
				if bonus.IsPositive() || ded.IsPositive() {
					r.Explain = append(r.Explain, fmt.Sprintf("总分 = %s + 加分%s − 减分%s = %s", s.Rounding.round(total), bonus, ded, final))
				} else {
					r.Explain = append(r.Explain, "总分 "+final.String())
				}
			}
		}
	} else if len(p.Adjustments) > 0 {
		c.add(pid, "adjustments", "this scheme has no score, so bonus and deduction do not apply")
	}

	// Grade from bands, or from the leader.
	if len(s.Bands) > 0 {
		if p.Grade != "" {
			c.add(pid, "grade", "this scheme grades by score bands; a direct grade goes in status.direct with a reason")
		}
		if r.Score != nil {
			for _, b := range s.Bands {
				if b.Range.Contains(r.Score.Decimal) {
					r.ScoreGrade = b.Grade
					r.Explain = append(r.Explain, r.Score.String()+"分属于「"+b.Grade+"」（"+b.zh+"）")
					break
				}
			}
		}
	} else if p.Grade != "" {
		g, ok := s.periodGrade(p.Grade)
		if !ok {
			c.add(pid, "grade", "unknown grade %q", p.Grade)
		} else {
			r.ScoreGrade = g
			r.Explain = append(r.Explain, fmt.Sprintf("领导评鉴确定档次「%s」", g))
		}
	} else if !s.scoreOptional(p.Status, period) && (p.Status == nil || (p.Status.Direct == nil && p.Status.Refusal == nil)) {
		c.add(pid, "grade", "required: this scheme has no score bands, so the leader sets the grade")
	}

	// The attendance conditions come before the special cases and the
	// quotas (GradeConditions says why).
	s.applyConditions(c, p, &r)
	s.applyStatus(c, p, &r, period)
	// Allowance data is optional: a unit may score without payroll data.
	if p.Allowance != nil {
		r.Allowance = s.allowanceCuts(c, pid, p.Allowance, r.Score)
	}
	return r
}

func hasSource(rule *RaterRule, id string) bool {
	for _, s := range rule.Sources {
		if s.ID == id {
			return true
		}
	}
	return false
}

func (s *Scheme) hasGroupQuota() bool {
	for _, q := range s.Quotas {
		if q.Scope == "group" {
			return true
		}
	}
	return false
}

// scoreOptional: states in which no grade is given need no score data.
func (s *Scheme) scoreOptional(st *Status, period PeriodInfo) bool {
	if st == nil {
		return false
	}
	if st.Probation && s.Special.Probation == "comment_only" {
		return true
	}
	if st.Refusal != nil || st.Direct != nil {
		return true
	}
	if st.Sanction != "" {
		for _, r := range s.Special.Sanctions {
			if contains(r.Kinds, st.Sanction) && r.Effect != "no_top" && r.Effect != "none" {
				return true
			}
		}
	}
	if l := s.Special.Leave; l != nil && len(st.Leave) > 0 {
		// Only a leave long enough to take the person out of grading (or to
		// set the grade, work injury) makes the score optional; a short leave
		// is graded as usual and needs its data.
		counted, injury := decimal.Zero, decimal.Zero
		for _, lv := range st.Leave {
			switch {
			case contains(l.Counted, lv.Kind):
				counted = counted.Add(lv.Days.Decimal)
			case l.WorkInjuryKind != "" && lv.Kind == l.WorkInjuryKind:
				injury = injury.Add(lv.Days.Decimal)
			}
		}
		half := decimal.NewFromInt(int64(period.WorkingDays)).Div(decimal.NewFromInt(2))
		if l.OverHalf && period.WorkingDays > 0 && counted.GreaterThan(half) {
			return true
		}
		if l.OverWorkdays != nil && counted.GreaterThan(decimal.NewFromInt(int64(*l.OverWorkdays))) {
			return true
		}
		if l.WorkInjuryGrade != "" && period.WorkingDays > 0 && injury.GreaterThan(half) {
			return true
		}
	}
	return false
}

// ruleScore combines a rater rule's sources. ok is false when no score can
// be made (missing data in an optional case, or an error).
func (s *Scheme) ruleScore(c *inputChecker, pid, field string, rule *RaterRule, in map[string]SourceInput, r *PersonResult, needed bool) (decimal.Decimal, bool) {
	total := decimal.Zero
	ok := true
	parts := make([]string, 0, len(rule.Sources))
	if r != nil && r.Sources == nil {
		r.Sources = make([]SourceScore, 0, len(rule.Sources))
	}
	left := one // the weight of the sources counted
	for _, src := range rule.Sources {
		si, present := in[src.ID]
		f := field + "." + src.ID
		if present && si.Outside != nil {
			if bad := s.badOutside(c, pid, f, src, si.Outside); bad {
				ok = false
				continue
			}
		}
		if present && src.Kind == "votes" {
			si = s.aboveFloor(src, si, &parts)
		}
		if present && src.Kind == "votes" && voters(si) < src.minVoters() {
			// Below the anonymity floor nothing about the ballots is
			// shown or counted, not even how many there were. (An absent
			// source is missing data, reported below.)
			left = left.Sub(src.Weight.Decimal)
			parts = append(parts, fmt.Sprintf("%s：参评人数不足%d人，不显示、不计入", src.Name, src.minVoters()))
			if r != nil && !contains(r.Flags, FlagFewVoters) {
				r.Flags = append(r.Flags, FlagFewVoters)
			}
			continue
		}
		if !present {
			if src.Weight.IsZero() {
				continue
			}
			if needed {
				c.add(pid, f, "missing rater group %q (%s)", src.ID, src.Name)
			}
			ok = false
			continue
		}
		var val decimal.Decimal
		var desc string
		switch src.Kind {
		case "indicators":
			var items []ItemScore
			var good bool
			val, items, desc, good = s.indicatorScore(c, pid, f, si)
			if !good {
				ok = false
				continue
			}
			if r != nil {
				r.Items = items
			}
		case "votes":
			min := src.MinVotes
			if min < 1 {
				min = 1
			}
			if voters(si) < min {
				c.add(pid, f+".votes", "needs at least %d votes, got %d", min, voters(si))
				ok = false
				continue
			}
			sum := decimal.Zero
			bad := false
			for i, v := range si.Votes {
				if v.IsNegative() || v.GreaterThan(s.Scale.Decimal) {
					c.add(pid, fmt.Sprintf("%s.votes[%d]", f, i), "%s is outside 0–%s", v, s.Scale)
					bad = true
				}
				sum = sum.Add(v.Decimal)
			}
			if bad {
				ok = false
				continue
			}
			if si.Outside == nil {
				val = sum.DivRound(decimal.NewFromInt(int64(len(si.Votes))), divPrecision)
				desc = fmt.Sprintf("%d票平均%s", len(si.Votes), s.Rounding.round(val))
				break
			}
			// Every rater weighs the same, in chat or on paper: the seed
			// (S1) gives the 群众评议 one weight and no split inside it.
			out := si.Outside
			n := len(si.Votes) + out.Raters
			val = sum.Add(out.Mean.Mul(decimal.NewFromInt(int64(out.Raters)))).DivRound(decimal.NewFromInt(int64(n)), divPrecision)
			if len(si.Votes) == 0 {
				desc = fmt.Sprintf("外部测评%d人平均%s", out.Raters, s.Rounding.round(out.Mean.Decimal))
			} else {
				desc = fmt.Sprintf("机关内%d票、外部测评%d人平均%s，合计%d人平均%s", len(si.Votes), out.Raters,
					s.Rounding.round(out.Mean.Decimal), n, s.Rounding.round(val))
			}
		case "score":
			if si.Score == nil {
				c.add(pid, f+".score", "required")
				ok = false
				continue
			}
			if si.Score.IsNegative() || si.Score.GreaterThan(s.Scale.Decimal) {
				c.add(pid, f+".score", "%s is outside 0–%s", si.Score, s.Scale)
				ok = false
				continue
			}
			val = si.Score.Decimal
			desc = fmt.Sprintf("评分%s", val)
		}
		contrib := val
		if !src.Weight.Equal(one) {
			contrib = val.Mul(src.Weight.Decimal)
		}
		if total.IsZero() {
			total = contrib
		} else {
			total = total.Add(contrib)
		}
		if r != nil {
			r.Sources = append(r.Sources, SourceScore{ID: src.ID, Name: src.Name, Weight: src.Weight, Value: DecOf(s.Rounding.round(val))})
		}
		if src.Weight.IsZero() {
			parts = append(parts, fmt.Sprintf("%s：%s（仅供参考，不计入总分）", src.Name, desc))
		} else if src.Weight.Equal(one) {
			parts = append(parts, src.Name+"："+desc)
		} else {
			parts = append(parts, fmt.Sprintf("%s：%s × %s = %s", src.Name, desc, src.Weight, s.Rounding.round(contrib)))
		}
	}
	if ok && left.LessThan(one) {
		if !left.IsPositive() {
			c.add(pid, field, "no weighted source is left once sources below their anonymity floor (min_voters) are left out")
			ok = false
		} else {
			scaled := total.DivRound(left, divPrecision)
			parts = append(parts, fmt.Sprintf("按计入部分折算：%s ÷ %s = %s", s.Rounding.round(total), Percent{left}, s.Rounding.round(scaled)))
			total = scaled
		}
	}
	if r != nil && len(parts) > 0 {
		r.Explain = append(r.Explain, parts...)
	}
	return total, ok
}

// indicatorScore scores the indicator tree on the scheme's scale.
func (s *Scheme) indicatorScore(c *inputChecker, pid, f string, si SourceInput) (decimal.Decimal, []ItemScore, string, bool) {
	// The fixed-point path checks every value itself and gives up on
	// anything unusual; the general path below then finds and reports it.
	if total, items, desc, ok := s.indicatorScoreFixed(si); ok {
		return total, items, desc, true
	}
	known := s.indicatorIndex
	okAll := true
	for id, v := range si.Indicators {
		ind, ok := known[id]
		if !ok {
			c.add(pid, f+".indicators."+id, "unknown indicator %q", id)
			okAll = false
			continue
		}
		if len(ind.Children) > 0 {
			c.add(pid, f+".indicators."+id, "%q has sub-items; score them instead", id)
			okAll = false
			continue
		}
		if v.IsNegative() || v.GreaterThan(ind.Max.Decimal) {
			c.add(pid, f+".indicators."+id, "%s is outside 0–%s", v, ind.Max)
			okAll = false
		}
	}
	for id, lvl := range si.Levels {
		ind, ok := known[id]
		if !ok || len(ind.Bands) == 0 {
			c.add(pid, f+".levels."+id, "indicator %q has no levels", id)
			okAll = false
			continue
		}
		v, has := si.Indicators[id]
		if !has {
			continue
		}
		found := false
		for _, b := range ind.Bands {
			if b.Label == lvl {
				found = true
				if !b.Range.Contains(v.Decimal) {
					c.add(pid, f+".indicators."+id, "%s is not within level %q (%s)", v, lvl, b.Range.Chinese())
					okAll = false
				}
			}
		}
		if !found {
			c.add(pid, f+".levels."+id, "unknown level %q", lvl)
			okAll = false
		}
	}
	items := make([]ItemScore, 0, len(s.Indicators))
	var score func(ind *Indicator) (decimal.Decimal, bool)
	score = func(ind *Indicator) (decimal.Decimal, bool) {
		if len(ind.Children) == 0 {
			v, ok := si.Indicators[ind.ID]
			if !ok {
				c.add(pid, f+".indicators."+ind.ID, "missing score for %q (max %s)", ind.ID, ind.Max)
				return decimal.Zero, false
			}
			return v.Decimal, true
		}
		sum := decimal.Zero
		good := true
		for _, ch := range ind.Children {
			v, ok := score(ch)
			good = good && ok
			if ind.Combine == "weighted" {
				v = v.Div(ch.Max.Decimal).Mul(ch.Weight.Decimal).Mul(ind.Max.Decimal)
			}
			sum = sum.Add(v)
		}
		return sum, good
	}
	total, max := decimal.Zero, decimal.Zero
	var parts []string
	for _, ind := range s.Indicators {
		v, ok := score(ind)
		okAll = okAll && ok
		total = total.Add(v)
		it := ItemScore{ID: ind.ID, Score: DecOf(s.Rounding.round(v)), Max: ind.Max}
		for _, band := range ind.Bands {
			if band.Range.Contains(v) {
				it.Level = band.Label
			}
		}
		items = append(items, it)
		max = max.Add(ind.Max.Decimal)
		part := fmt.Sprintf("%s%s/%s", ind.Name, s.Rounding.round(v), ind.Max)
		for _, b := range ind.Bands {
			if ok && b.Range.Contains(v) {
				part += fmt.Sprintf("（%s）", b.Label)
			}
		}
		parts = append(parts, part)
	}
	if !okAll {
		return decimal.Zero, nil, "", false
	}
	desc := strings.Join(parts, "，")
	if !max.Equal(s.Scale.Decimal) {
		scaled := total.Mul(s.Scale.Decimal).DivRound(max, divPrecision)
		desc += fmt.Sprintf("，合计%s/%s，折合%s分", s.Rounding.round(total), max, s.Rounding.round(scaled))
		total = scaled
	} else {
		desc += fmt.Sprintf("，合计%s", s.Rounding.round(total))
	}
	return total, items, desc, true
}

// adjust sums bonus and deduction entries under the scheme's caps and the
// same-event rule.
func (s *Scheme) adjust(c *inputChecker, pid string, adj []AdjustmentInput) (bonus, ded decimal.Decimal, lines []string) {
	if len(adj) == 0 {
		return decimal.Zero, decimal.Zero, nil
	}
	a := s.Adjustments
	if a == nil {
		c.add(pid, "adjustments", "this scheme has no bonus or deduction")
		return decimal.Zero, decimal.Zero, nil
	}
	type key struct{ event, kind string }
	best := map[key]int{}
	var order []key
	for i, e := range adj {
		f := fmt.Sprintf("adjustments[%d]", i)
		if e.Kind != "bonus" && e.Kind != "deduction" {
			c.add(pid, f+".kind", "must be bonus or deduction, not %q", e.Kind)
			continue
		}
		if !e.Points.IsPositive() {
			c.add(pid, f+".points", "must be positive")
			continue
		}
		if strings.TrimSpace(e.Reason) == "" {
			c.add(pid, f+".reason", "a bonus or deduction needs a reason")
			continue
		}
		ev := e.Event
		if ev == "" || !a.SameEventOnce {
			ev = fmt.Sprintf("\x00%d", i) // distinct: counts on its own
		}
		k := key{ev, e.Kind}
		j, seen := best[k]
		if !seen {
			best[k] = i
			order = append(order, k)
			continue
		}
		keep, drop := j, i
		if e.Points.GreaterThan(adj[j].Points.Decimal) {
			keep, drop = i, j
		}
		best[k] = keep
		lines = append(lines, fmt.Sprintf("同一件事加减分不累计：「%s」%s分不计，取%s分", adj[drop].Reason, adj[drop].Points, adj[keep].Points))
	}
	for _, k := range order {
		e := adj[best[k]]
		if e.Kind == "bonus" {
			bonus = bonus.Add(e.Points.Decimal)
			lines = append(lines, fmt.Sprintf("加分：%s +%s", e.Reason, e.Points))
		} else {
			ded = ded.Add(e.Points.Decimal)
			lines = append(lines, fmt.Sprintf("减分：%s −%s", e.Reason, e.Points))
		}
	}
	if a.BonusCap != nil && bonus.GreaterThan(a.BonusCap.Decimal) {
		lines = append(lines, fmt.Sprintf("加分合计%s分，超过上限%s分，按%s分计", bonus, a.BonusCap, a.BonusCap))
		bonus = a.BonusCap.Decimal
	}
	if a.DeductionCap != nil && ded.GreaterThan(a.DeductionCap.Decimal) {
		lines = append(lines, fmt.Sprintf("减分合计%s分，超过上限%s分，按%s分计", ded, a.DeductionCap, a.DeductionCap))
		ded = a.DeductionCap.Decimal
	}
	return bonus, ded, lines
}

// applyStatus applies the special cases, in order of precedence: states
// that take a person out of grading first, then direct determinations,
// then caps.
func (s *Scheme) applyStatus(c *inputChecker, p *PersonInput, r *PersonResult, period PeriodInfo) {
	st := p.Status
	if st == nil {
		return
	}
	sp := s.Special
	pid := p.ID
	// A refusal is checked and flagged first, so that the year sees it
	// whatever else takes the period out of grading (PeriodRecord.Refused).
	if rf := st.Refusal; rf != nil {
		if _, err := time.Parse(time.DateOnly, rf.Warned); err != nil {
			c.add(pid, "status.refusal.warned", "the date of the warning (批评教育), as 2026-07-10, is required: the seeds allow this only after one, not %q", rf.Warned)
		}
		if strings.TrimSpace(rf.Reason) == "" {
			c.add(pid, "status.refusal.reason", "say how the person refused")
		}
		switch sp.Refusal {
		case "":
			c.add(pid, "status.refusal", "this scheme has no rule for a refusal to take part")
		case RefusalNotGraded:
			r.Flags = appendFlag(r.Flags, FlagRefused)
			s.notGraded(r, StateNotGraded, fmt.Sprintf("%s经批评教育后仍拒绝参加平时考核（%s），本期不定等次，年度考核结果按方案规定确定", rf.Warned, rf.Reason))
			return
		default:
			r.Flags = appendFlag(r.Flags, FlagRefused)
		}
	}
	// Leave.
	if len(st.Leave) > 0 {
		if sp.Leave == nil {
			c.add(pid, "status.leave", "this scheme has no leave rule")
		} else {
			counted, injury := decimal.Zero, decimal.Zero
			for i, l := range st.Leave {
				f := fmt.Sprintf("status.leave[%d]", i)
				if l.Days.IsNegative() {
					c.add(pid, f+".days", "must not be negative")
				}
				switch {
				case contains(sp.Leave.Counted, l.Kind):
					counted = counted.Add(l.Days.Decimal)
				case contains(sp.Leave.Excluded, l.Kind):
				case sp.Leave.Absence != "" && l.Kind == sp.Leave.Absence:
					// 旷工: recorded, not leave (LeaveRule.Absence).
				case sp.Leave.WorkInjuryKind != "" && l.Kind == sp.Leave.WorkInjuryKind:
					injury = injury.Add(l.Days.Decimal)
				default:
					c.add(pid, f+".kind", "unknown leave kind %q (counted: %v; not counted: %v)", l.Kind, sp.Leave.Counted, sp.Leave.Excluded)
				}
			}
			if sp.Leave.OverHalf && period.WorkingDays <= 0 {
				c.add("", "period.working_days", "required to apply the leave rule")
				return
			}
			half := decimal.NewFromInt(int64(period.WorkingDays)).Div(decimal.NewFromInt(2))
			switch {
			case sp.Leave.OverHalf && counted.GreaterThan(half):
				if sp.Leave.NotAssessed {
					r.notAssessed = true
					s.notGraded(r, StateNotGraded, fmt.Sprintf("病、事假累计%s个工作日，超过考核周期%d个工作日的一半，不进行考核，不计入参加考核人数（国家规定的假期不计入）", counted, period.WorkingDays))
				} else {
					s.notGraded(r, StateNotGraded, fmt.Sprintf("病、事假累计%s个工作日，超过考核周期%d个工作日的一半，只写评语，不确定等次（国家规定的假期不计入）", counted, period.WorkingDays))
				}
				return
			case sp.Leave.OverWorkdays != nil && counted.GreaterThan(decimal.NewFromInt(int64(*sp.Leave.OverWorkdays))):
				s.notGraded(r, StateNotGraded, fmt.Sprintf("病、事假累计%s个工作日，超过%d个工作日，不进行考评，不定等次", counted, *sp.Leave.OverWorkdays))
				return
			case sp.Leave.WorkInjuryGrade != "" && injury.GreaterThan(half):
				r.ScoreGrade = sp.Leave.WorkInjuryGrade
				r.direct = true
				r.Flags = append(r.Flags, FlagDirect)
				r.Explain = append(r.Explain, fmt.Sprintf("工伤病假%s个工作日，超过考核周期一半，确定为「%s」", injury, sp.Leave.WorkInjuryGrade))
			}
		}
	}
	if st.Probation {
		if sp.Probation == "comment_only" {
			s.notGraded(r, StateCommentOnly, "试用期内参加平时考核，只写评语，不确定等次")
			return
		}
	}
	var sanction *SanctionRule
	if st.Sanction != "" {
		for i := range sp.Sanctions {
			if contains(sp.Sanctions[i].Kinds, st.Sanction) {
				sanction = &sp.Sanctions[i]
			}
		}
		if sanction == nil {
			c.add(pid, "status.sanction", "unknown sanction %q for this scheme", st.Sanction)
		} else if sanction.Effect == "not_graded" {
			s.notGraded(r, StateNotGraded, fmt.Sprintf("受%s处分期间，不确定等次", st.Sanction))
			return
		}
	}
	if st.Investigation {
		if sp.Investigation != "withheld" {
			c.add(pid, "status.investigation", "this scheme has no rule for people under investigation")
		} else {
			prov := r.ScoreGrade
			s.notGraded(r, StateWithheld, "涉嫌违法违纪被立案调查尚未结案，参加平时考核，暂不确定等次，结案后按规定补定")
			r.ScoreGrade = prov
			return
		}
	}
	if rf := st.Refusal; rf != nil && sp.Refusal != "" && sp.Refusal != RefusalNotGraded {
		r.ScoreGrade = sp.Refusal
		r.direct = true
		r.Flags = appendFlag(r.Flags, FlagDirect)
		r.Explain = append(r.Explain, fmt.Sprintf("%s经批评教育后仍拒不参加平时考核（%s），直接确定为「%s」", rf.Warned, rf.Reason, sp.Refusal))
	}
	if d := st.Direct; d != nil {
		if strings.TrimSpace(d.Reason) == "" {
			c.add(pid, "status.direct.reason", "a direct determination needs a reason")
		}
		switch d.Grade {
		case "top":
			if len(sp.DirectTop) == 0 {
				c.add(pid, "status.direct.grade", "this scheme has no direct top grade")
			}
			r.ScoreGrade = s.topGrade()
		case "bottom":
			if len(sp.DirectBottom) == 0 {
				c.add(pid, "status.direct.grade", "this scheme has no direct bottom grade")
			}
			r.ScoreGrade = s.bottomGrade()
		default:
			c.add(pid, "status.direct.grade", "must be top or bottom, not %q", d.Grade)
		}
		r.direct = true
		r.Flags = append(r.Flags, FlagDirect)
		r.Explain = append(r.Explain, fmt.Sprintf("直接确定为「%s」：%s", r.ScoreGrade, d.Reason))
	}
	if sanction != nil {
		switch sanction.Effect {
		case "bottom":
			r.ScoreGrade = s.bottomGrade()
			r.direct = true
			r.Flags = append(r.Flags, FlagDirect)
			r.Explain = append(r.Explain, fmt.Sprintf("受%s处分，直接确定为「%s」", st.Sanction, r.ScoreGrade))
		case "no_top":
			if r.ScoreGrade == s.topGrade() {
				r.ScoreGrade = s.Grades[1].Label
				r.Flags = append(r.Flags, FlagCapped)
				r.Explain = append(r.Explain, fmt.Sprintf("受%s处分期间不得确定为「%s」，定为「%s」", st.Sanction, s.topGrade(), r.ScoreGrade))
			}
		}
	}
}

func (s *Scheme) notGraded(r *PersonResult, state, why string) {
	r.State = state
	r.ScoreGrade = ""
	r.Grade = ""
	r.Explain = append(r.Explain, why)
}

// applyQuotas enforces each quota per scope, in scheme order.
func (s *Scheme) applyQuotas(res *PeriodResult, com *Committee) error {
	decided := map[string]Decision{}
	if com != nil {
		for _, d := range com.Decisions {
			g, _ := s.periodGrade(d.Grade)
			d.Grade = g
			decided[d.Person] = d
		}
	}
	// The committee's decisions are applied before the quotas, so that a
	// grade the committee gives counts against the quota like any other
	// (it is fixed there, as a direct determination is).
	for i := range res.People {
		p := &res.People[i]
		if d, ok := decided[p.ID]; ok && p.State == StateGraded {
			p.Grade = d.Grade
			p.Flags = appendFlag(p.Flags, FlagCommittee)
			p.Explain = append(p.Explain, fmt.Sprintf("考核委员会审定为「%s」：%s", d.Grade, d.Reason))
		}
	}
	for qi := range s.Quotas {
		q := &s.Quotas[qi]
		scopes := map[string][]int{}
		var keys []string
		for i := range res.People {
			p := &res.People[i]
			k := p.Unit
			if q.Scope == "group" {
				k = p.Unit + "/" + p.Group
			}
			if _, ok := scopes[k]; !ok {
				keys = append(keys, k)
			}
			scopes[k] = append(scopes[k], i)
		}
		sort.Strings(keys)
		for _, k := range keys {
			qr, err := s.applyQuota(res, q, k, scopes[k], decided, com)
			if err != nil {
				return err
			}
			res.Quotas = append(res.Quotas, qr)
		}
	}
	return nil
}

func capCount(share decimal.Decimal, n int, mode string) int {
	v := share.Mul(decimal.NewFromInt(int64(n)))
	switch mode {
	case "ceil":
		v = v.Ceil()
	case "round":
		v = v.Round(0)
	default:
		v = v.Floor()
	}
	return int(v.IntPart())
}

func appendFlag(flags []string, f string) []string {
	if contains(flags, f) {
		return flags
	}
	return append(flags, f)
}

// current returns a person's grade as it stands during quota application.
func current(p *PersonResult) string {
	if p.Grade != "" {
		return p.Grade
	}
	return p.ScoreGrade
}

func (s *Scheme) applyQuota(res *PeriodResult, q *Quota, key string, members []int, decided map[string]Decision, com *Committee) (QuotaResult, error) {
	n := 0
	for _, i := range members {
		if !res.People[i].notAssessed {
			n++
		}
	}
	qr := QuotaResult{Grade: q.Grade, AndBelow: q.AndBelow, Scope: q.Scope, Key: key, Participants: n}
	scopeName := "本单位"
	if q.Scope == "group" {
		scopeName = "本考核单元"
	}
	// holds: the grade the quota counts (with AndBelow, that grade or a
	// lower one).
	idx := s.gradeIndex(q.Grade)
	holds := func(g string) bool {
		if q.AndBelow {
			return g != "" && s.gradeIndex(g) >= idx
		}
		return g == q.Grade
	}
	label := "「" + q.Grade + "」"
	if q.AndBelow {
		label += "及以下等次"
	}
	var holders []int
	for _, i := range members {
		p := &res.People[i]
		if p.State == StateGraded && holds(current(p)) {
			holders = append(holders, i)
		}
	}
	qr.Before = len(holders)
	var explain []string
	if q.MinShare != nil {
		min := capCount(q.MinShare.Decimal, n, "ceil")
		qr.MinCount = &min
		if q.MaxShare == nil {
			explain = append(explain, fmt.Sprintf("%s参加考核%d人，%s不少于%s，即至少%d人", scopeName, n, label, q.MinShare, min))
		}
	}
	if q.MaxShare != nil {
		max := capCount(q.MaxShare.Decimal, n, q.CapRounding)
		explain = append(explain, fmt.Sprintf("%s参加考核%d人，「%s」不超过%s，即至多%d人", scopeName, n, q.Grade, q.MaxShare, max))
		if com != nil {
			for _, o := range com.Overrides {
				if o.Scope == q.Scope && o.Key == key && o.Grade == q.Grade {
					hard := max
					if q.HardMaxShare != nil {
						hard = capCount(q.HardMaxShare.Decimal, n, q.CapRounding)
					}
					if o.MaxCount > hard || o.MaxCount < 0 {
						return qr, InputErrors{{Field: "committee.overrides", Msg: fmt.Sprintf("%s「%s」名额%d超过最高限额%d", key, q.Grade, o.MaxCount, hard)}}
					}
					if strings.TrimSpace(o.Reason) == "" {
						return qr, InputErrors{{Field: "committee.overrides", Msg: "the committee must give a reason"}}
					}
					max = o.MaxCount
					explain = append(explain, fmt.Sprintf("考核委员会核定名额%d人：%s", max, o.Reason))
				}
			}
		}
		qr.MaxCount = &max
		if len(holders) > max {
			s.cut(res, &qr, holders, max, decided, &explain)
		}
	}
	after := 0
	for _, i := range members {
		p := &res.People[i]
		if (p.State == StateGraded || p.State == StatePending) && holds(current(p)) {
			after++
		}
	}
	qr.After = after
	if qr.MinCount != nil && after < *qr.MinCount {
		qr.Flags = append(qr.Flags, FlagBelowMinShare)
		explain = append(explain, fmt.Sprintf("%s%d人，少于%s的下限%d人，提请考核委员会研究", label, after, q.MinShare, *qr.MinCount))
	}
	qr.Explain = strings.Join(explain, "；")
	return qr, nil
}

// cut keeps the best max holders. Direct determinations and the committee's
// decisions are fixed; the rest are ranked by score (front-line first at an
// equal score when the quota prefers them). People tied across the cut are
// flagged for the committee, not decided here.
func (s *Scheme) cut(res *PeriodResult, qr *QuotaResult, holders []int, max int, decided map[string]Decision, explain *[]string) {
	var fixed, direct, ranked []int
	for _, i := range holders {
		p := &res.People[i]
		if _, ok := decided[p.ID]; ok {
			fixed = append(fixed, i) // a holder by the committee's decision
			continue
		}
		if p.direct {
			direct = append(direct, i)
			continue
		}
		ranked = append(ranked, i)
	}
	slots := max - len(fixed) - len(direct)
	if slots < 0 {
		qr.Flags = append(qr.Flags, FlagDirectOverCap)
		*explain = append(*explain, fmt.Sprintf("直接确定或审定的「%s」%d人已超过名额，提请考核委员会研究", qr.Grade, len(fixed)+len(direct)))
		// The committee decides who of the directly determined keeps the
		// grade within the cap (a direct determination does not lift the
		// quota: S8 四(四) caps 好 at 40% whatever the route to it); its
		// decisions may not break the cap either (Service.CommitteeDecideAll).
		for _, i := range direct {
			p := &res.People[i]
			p.State = StatePending
			p.Grade = ""
			p.Flags = appendFlag(p.Flags, FlagDirectOverCap)
			p.Explain = append(p.Explain, fmt.Sprintf("直接确定为「%s」的人数超过名额（至多%d人），提请考核委员会审定", qr.Grade, max))
			qr.Tied = append(qr.Tied, p.ID)
		}
		slots = 0
	}
	if len(ranked) <= slots {
		return
	}
	less := func(a, b *PersonResult) int { // -1: a ranks ahead
		switch {
		case a.ranked && b.ranked:
			if a.rank != b.rank {
				if a.rank > b.rank {
					return -1
				}
				return 1
			}
		case a.Score != nil && b.Score != nil:
			if c := a.Score.Cmp(b.Score.Decimal); c != 0 {
				return -c
			}
		}
		if s.preferFrontline(qr.Grade) && a.frontline != b.frontline {
			if a.frontline {
				return -1
			}
			return 1
		}
		return 0
	}
	sort.SliceStable(ranked, func(x, y int) bool { return less(&res.People[ranked[x]], &res.People[ranked[y]]) < 0 })
	// The tie group spans the cut when the last kept equals the first dropped.
	tieLo, tieHi := slots, slots // [tieLo, tieHi) are tied across the cut
	if slots > 0 && less(&res.People[ranked[slots-1]], &res.People[ranked[slots]]) == 0 {
		for tieLo > 0 && less(&res.People[ranked[tieLo-1]], &res.People[ranked[slots]]) == 0 {
			tieLo--
		}
	}
	if slots == 0 || tieLo < slots {
		tieHi = slots
		for tieHi < len(ranked) && less(&res.People[ranked[tieHi]], &res.People[ranked[tieLo]]) == 0 {
			tieHi++
		}
	}
	if slots == 0 {
		tieLo, tieHi = 0, 0
	}
	lower := s.Grades[s.gradeIndex(qr.Grade)+1].Label
	if tieHi > tieLo {
		var names []string
		for _, i := range ranked[tieLo:tieHi] {
			p := &res.People[i]
			p.State = StatePending
			p.Grade = ""
			p.Flags = appendFlag(p.Flags, FlagTieAtCap)
			p.Explain = append(p.Explain, fmt.Sprintf("与他人并列于「%s」名额线，剩余名额%d个，提请考核委员会审定", qr.Grade, slots-tieLo))
			qr.Tied = append(qr.Tied, p.ID)
			names = append(names, p.ID)
		}
		*explain = append(*explain, fmt.Sprintf("%s并列于名额线，争夺%d个名额，提请考核委员会审定", strings.Join(names, "、"), slots-tieLo))
	}
	dropFrom := slots
	if tieHi > tieLo {
		dropFrom = tieHi
	}
	for rank, i := range ranked[dropFrom:] {
		p := &res.People[i]
		p.Grade = lower
		p.Flags = appendFlag(p.Flags, FlagDemoted)
		score := "无分数"
		if p.Score != nil {
			score = p.Score.String() + "分"
		}
		p.Explain = append(p.Explain, fmt.Sprintf("「%s」超出名额（至多%d人），按%s排第%d位，降为「%s」", qr.Grade, *qr.MaxCount, score, len(fixed)+len(direct)+dropFrom+rank+1, lower))
		if dropFrom > 0 {
			last := &res.People[ranked[dropFrom-1]]
			if last.Score != nil && p.Score != nil && last.Score.Equal(p.Score.Decimal) && last.frontline && !p.frontline {
				p.Explain = append(p.Explain, fmt.Sprintf("与%s同分，名额向基层一线和艰苦岗位倾斜", last.ID))
			}
		}
		qr.Demoted = append(qr.Demoted, p.ID)
	}
	if len(qr.Demoted) > 0 {
		*explain = append(*explain, fmt.Sprintf("超出名额者降一个等次：%s", strings.Join(qr.Demoted, "、")))
	}
}

func (s *Scheme) preferFrontline(grade string) bool {
	for _, q := range s.Quotas {
		if q.Grade == grade && q.PreferFrontline {
			return true
		}
	}
	return false
}

// fixedScale is the fixed-point unit of the fast path: millionths.
const fixedScale = 6

// toFixed converts d to millionths when that is exact and far from
// overflow; scores have one or two decimals, so it nearly always is.
func toFixed(d decimal.Decimal) (int64, bool) {
	exp := d.Exponent()
	if exp < -fixedScale || exp > 6 {
		return 0, false
	}
	c := d.CoefficientInt64()
	if c > 1e9 || c < -1e9 {
		return 0, false
	}
	for ; exp > -fixedScale; exp-- {
		c *= 10
	}
	return c, true
}

// indicatorScoreFixed is indicatorScore for the common case (sum-only trees,
// leaves with few decimals) in exact int64 arithmetic: a 100,000-person
// quarter would otherwise spend most of its time allocating big integers.
// ok is false when the tree or a value needs the general path.
func (s *Scheme) indicatorScoreFixed(si SourceInput) (decimal.Decimal, []ItemScore, string, bool) {
	if len(si.Levels) > 0 || len(si.Indicators) != s.leafCount {
		return decimal.Zero, nil, "", false // unknown or missing ids, levels to check
	}
	items := make([]ItemScore, 0, len(s.Indicators))
	var score func(ind *Indicator) (int64, bool)
	score = func(ind *Indicator) (int64, bool) {
		if len(ind.Children) == 0 {
			v, present := si.Indicators[ind.ID]
			if !present {
				return 0, false // the general path reports the missing score
			}
			f, ok := toFixed(v.Decimal)
			if !ok || f < 0 || f > ind.maxFixed {
				return 0, false // out of range: reported by the general path
			}
			return f, true
		}
		if ind.Combine != "sum" {
			return 0, false
		}
		var sum int64
		for _, ch := range ind.Children {
			v, ok := score(ch)
			if !ok {
				return 0, false
			}
			sum += v
		}
		return sum, true
	}
	var total int64
	var b strings.Builder
	for i, ind := range s.Indicators {
		v, ok := score(ind)
		if !ok {
			return decimal.Zero, nil, "", false
		}
		total += v
		it := ItemScore{ID: ind.ID, Score: DecOf(fromFixed(v)), Max: ind.Max}
		if len(ind.Children) == 0 {
			it.Score = si.Indicators[ind.ID] // keep the input's own spelling
		}
		for _, band := range ind.Bands {
			if band.Range.Contains(it.Score.Decimal) {
				it.Level = band.Label
			}
		}
		items = append(items, it)
		if i > 0 {
			b.WriteString("，")
		}
		b.WriteString(ind.Name)
		if len(ind.Children) == 0 {
			b.WriteString(it.Score.String())
		} else {
			b.WriteString(formatFixed(v))
		}
		b.WriteByte('/')
		b.WriteString(ind.Max.String())
		if it.Level != "" {
			b.WriteString("（" + it.Level + "）")
		}
	}
	if !s.indicatorTotal.Equal(s.Scale.Decimal) {
		return decimal.Zero, nil, "", false
	}
	t := fromFixed(total)
	b.WriteString("，合计")
	b.WriteString(formatFixed(total))
	return t, items, b.String(), true
}

// fromFixed makes a decimal from millionths with the fewest decimal places,
// so that a whole score needs no rounding later.
func fromFixed(v int64) decimal.Decimal {
	exp := int32(-fixedScale)
	for exp < 0 && v%10 == 0 {
		v /= 10
		exp++
	}
	return decimal.New(v, exp)
}

// formatFixed writes a millionths value as a decimal without trailing zeros.
func formatFixed(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	ip, fp := v/1_000_000, v%1_000_000
	out := strconv.FormatInt(ip, 10)
	if fp != 0 {
		frac := strconv.FormatInt(fp+1_000_000, 10)[1:]
		out += "." + strings.TrimRight(frac, "0")
	}
	if neg {
		out = "-" + out
	}
	return out
}

// voters is how many rated a person in a votes source: the ballots cast
// in chat and the raters outside it.
func voters(si SourceInput) int {
	n := len(si.Votes)
	if si.Outside != nil {
		n += si.Outside.Raters
	}
	return n
}

// badOutside checks an outside tally: only a source with OutsideRaters
// takes one, with a count not below zero and a mean on the scale.
func (s *Scheme) badOutside(c *inputChecker, pid, f string, src Source, out *OutsideTally) bool {
	switch {
	case !src.OutsideRaters:
		c.add(pid, f+".outside", "source %q takes no raters outside the chat", src.ID)
	case out.Raters < 0:
		c.add(pid, f+".outside.raters", "%d raters is impossible", out.Raters)
	case out.Mean.IsNegative() || out.Mean.GreaterThan(s.Scale.Decimal):
		c.add(pid, f+".outside.mean", "%s is outside 0–%s", out.Mean, s.Scale)
	default:
		return false
	}
	return true
}

// aboveFloor keeps the parts of a votes source that meet its anonymity
// floor on their own. The ballots cast in chat and an outside tally are
// held to the floor apart: HR, who entered the tally, could take it out
// of the combined average and read the in-chat ballots back, and the
// in-chat voters could do the same to a tally of two. A part dropped is
// said to be below the floor, with no count. When neither part meets
// the floor the source is below it as a whole (the caller's rule).
func (s *Scheme) aboveFloor(src Source, si SourceInput, parts *[]string) SourceInput {
	if si.Outside == nil || si.Outside.Raters == 0 {
		si.Outside = nil
		return si
	}
	floor := src.minVoters()
	inOK := len(si.Votes) >= floor
	outOK := si.Outside.Raters >= floor
	switch {
	case inOK && outOK:
	case !inOK && !outOK:
		// Below the floor as a whole, however many the two make
		// together: either part could be read back from the sum.
		si.Votes, si.Outside = nil, nil
	case !inOK && len(si.Votes) > 0:
		*parts = append(*parts, fmt.Sprintf("%s：机关内参评人数不足%d人，不显示、不计入，只计外部测评", src.Name, floor))
		si.Votes = nil
	case !inOK:
		// No ballot in chat: the tally alone.
	default:
		*parts = append(*parts, fmt.Sprintf("%s：外部测评人数不足%d人，不显示、不计入", src.Name, floor))
		si.Outside = nil
	}
	return si
}
