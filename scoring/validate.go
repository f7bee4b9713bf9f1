package scoring

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

type validator struct {
	s    *Scheme
	errs SchemeErrors
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, &SchemeError{
		File: v.s.file, Line: v.s.lines.line(field), Field: field, Msg: fmt.Sprintf(format, args...),
	})
}

// validate checks the scheme and fills defaults. It reports every problem.
func (s *Scheme) validate() SchemeErrors {
	v := &validator{s: s}
	if s.ID == "" {
		v.add("id", "required")
	}
	if s.Name == "" {
		v.add("name", "required")
	}
	switch s.Cycle {
	case "":
		s.Cycle = "quarter"
	case "quarter", "month":
	default:
		v.add("cycle", "must be quarter or month, not %q", s.Cycle)
	}
	if s.Filing != nil {
		switch s.Filing.Every {
		case "":
			s.Filing.Every = FilingEveryPeriod
		case FilingEveryPeriod:
		case FilingHalfYear:
			if s.Cycle != "quarter" {
				v.add("filing.every", "half_year needs cycle quarter, not %q", s.Cycle)
			}
		default:
			v.add("filing.every", "must be period or half_year, not %q", s.Filing.Every)
		}
	}
	if s.Scale.IsZero() {
		s.Scale = IntDec(100)
	} else if !s.Scale.IsPositive() {
		v.add("scale", "must be positive")
	}
	v.grades()
	if len(s.Tiers) == 0 {
		s.Tiers = []string{DefaultTier}
	}
	seen := map[string]bool{}
	for i, t := range s.Tiers {
		if t == "" || seen[t] {
			v.add(fmt.Sprintf("tiers[%d]", i), "tier %q is empty or repeated", t)
		}
		seen[t] = true
	}
	ids := map[string]bool{}
	for i, ind := range s.Indicators {
		v.indicator(fmt.Sprintf("indicators[%d]", i), ind, ids)
	}
	s.indicatorIndex = map[string]*Indicator{}
	var index func(*Indicator)
	index = func(ind *Indicator) {
		if ind == nil {
			return
		}
		s.indicatorIndex[ind.ID] = ind
		if f, ok := toFixed(ind.Max.Decimal); ok {
			ind.maxFixed = f
		} else {
			ind.maxFixed = -1 // never matches: the general path handles it
		}
		if len(ind.Children) == 0 {
			s.leafCount++
		}
		for _, c := range ind.Children {
			index(c)
		}
	}
	for _, ind := range s.Indicators {
		index(ind)
		if ind != nil {
			s.indicatorTotal = DecOf(s.indicatorTotal.Add(ind.Max.Decimal))
		}
	}
	v.raters("raters", s.Raters, true)
	if len(s.Bands) > 0 && len(s.Raters) == 0 {
		v.add("raters", "a scheme with score bands needs raters to make the score")
	}
	if a := s.Adjustments; a != nil {
		if a.BonusCap != nil && a.BonusCap.IsNegative() {
			v.add("adjustments.bonus_cap", "must not be negative")
		}
		if a.DeductionCap != nil && a.DeductionCap.IsNegative() {
			v.add("adjustments.deduction_cap", "must not be negative")
		}
		if a.MaxTotal != nil && a.MaxTotal.LessThan(s.Scale.Decimal) {
			v.add("adjustments.max_total", "must be at least the scale %s", s.Scale)
		}
	}
	if s.BottomAlertAfter < 0 || s.BottomAlertAfter > 12 {
		v.add("bottom_alert_after", "must be between 1 and 12 (0 for the default)")
	}
	v.rounding("rounding", &s.Rounding)
	v.bands("bands", s.Bands, s.periodGrade)
	v.quotas()
	v.gradeConditions()
	v.special()
	for i, t := range v.s.Talks {
		f := fmt.Sprintf("talks[%d]", i)
		if strings.TrimSpace(t.Kind) == "" {
			v.add(f+".kind", "required")
		}
		if len(t.Grades) == 0 {
			v.add(f+".grades", "required")
		}
		for _, g := range t.Grades {
			if _, ok := v.s.periodGrade(g); !ok {
				v.add(f+".grades", "unknown grade %q", g)
			}
		}
	}
	v.annual()
	v.allowances()
	v.records()
	return v.errs
}

// DefaultTier is the tier of people in a scheme without tiers, and the tier
// a rater rule without tiers applies to.
const DefaultTier = "default"

func (v *validator) grades() {
	s := v.s
	if len(s.Grades) < 2 {
		v.add("grades", "at least two grades are needed, best first")
	}
	seen := map[string]bool{}
	for i, g := range s.Grades {
		f := fmt.Sprintf("grades[%d]", i)
		if g.Label == "" {
			v.add(f+".label", "required")
		}
		for _, n := range append([]string{g.Label}, g.Aliases...) {
			if seen[n] {
				v.add(f, "grade name %q is used twice", n)
			}
			seen[n] = true
		}
		if g.Points != nil && g.Points.IsNegative() {
			v.add(f+".points", "must not be negative")
		}
	}
}

// periodGrade resolves a grade label or alias to its canonical label.
func (s *Scheme) periodGrade(name string) (string, bool) {
	for _, g := range s.Grades {
		if g.Label == name {
			return g.Label, true
		}
		for _, a := range g.Aliases {
			if a == name {
				return g.Label, true
			}
		}
	}
	return "", false
}

func (v *validator) indicator(f string, ind *Indicator, ids map[string]bool) {
	if ind == nil {
		v.add(f, "empty indicator")
		return
	}
	if ind.ID == "" {
		v.add(f+".id", "required")
	} else if ids[ind.ID] {
		v.add(f+".id", "indicator %q appears twice", ind.ID)
	}
	ids[ind.ID] = true
	if ind.Name == "" {
		ind.Name = ind.ID
	}
	if !ind.Max.IsPositive() {
		v.add(f+".max", "indicator %q needs a positive max", ind.ID)
	}
	switch ind.Combine {
	case "":
		ind.Combine = "sum"
	case "sum", "weighted":
	default:
		v.add(f+".combine", "must be sum or weighted, not %q", ind.Combine)
	}
	if len(ind.Children) > 0 {
		total := decimal.Zero
		wsum := decimal.Zero
		for i, c := range ind.Children {
			cf := fmt.Sprintf("%s.children[%d]", f, i)
			v.indicator(cf, c, ids)
			if c == nil {
				continue
			}
			total = total.Add(c.Max.Decimal)
			if ind.Combine == "weighted" {
				if c.Weight == nil {
					v.add(cf+".weight", "child of weighted %q needs a weight", ind.ID)
				} else {
					wsum = wsum.Add(c.Weight.Decimal)
				}
			} else if c.Weight != nil {
				v.add(cf+".weight", "weight is only for children of a weighted indicator")
			}
		}
		if ind.Combine == "sum" && !total.Equal(ind.Max.Decimal) {
			v.add(f+".max", "children of %q add up to %s, not its max %s", ind.ID, total, ind.Max)
		}
		if ind.Combine == "weighted" && !wsum.Equal(decimal.NewFromInt(1)) {
			v.add(f+".children", "weights of %q add up to %s, not 100%%", ind.ID, Percent{wsum})
		}
	}
	if len(ind.Bands) > 0 {
		bs := make([]Band, len(ind.Bands))
		for i, b := range ind.Bands {
			bs[i] = Band{Grade: b.Label, Range: b.Range}
		}
		v.tile(f+".bands", bs, &Interval{Lo: decimal.Zero, Hi: ind.Max.Decimal})
	}
}

func (v *validator) raters(f string, rules []RaterRule, period bool) {
	s := v.s
	covered := map[string]bool{}
	hasDefault := false
	for i, r := range rules {
		rf := fmt.Sprintf("%s[%d]", f, i)
		if len(r.Tiers) == 0 {
			if hasDefault {
				v.add(rf+".tiers", "only one rater rule may omit tiers")
			}
			hasDefault = true
		}
		for j, t := range r.Tiers {
			if !contains(s.Tiers, t) {
				v.add(fmt.Sprintf("%s.tiers[%d]", rf, j), "unknown tier %q (tiers: %v)", t, s.Tiers)
			}
			if covered[t] {
				v.add(fmt.Sprintf("%s.tiers[%d]", rf, j), "tier %q has two rater rules", t)
			}
			covered[t] = true
		}
		if len(r.Sources) == 0 {
			v.add(rf+".sources", "at least one source is needed")
		}
		sum := decimal.Zero
		seen := map[string]bool{}
		for j, src := range r.Sources {
			sf := fmt.Sprintf("%s.sources[%d]", rf, j)
			if src.ID == "" || seen[src.ID] {
				v.add(sf+".id", "source id %q is empty or repeated", src.ID)
			}
			seen[src.ID] = true
			if src.Name == "" {
				r.Sources[j].Name = src.ID
			}
			switch src.Kind {
			case "indicators":
				if !period {
					v.add(sf+".kind", "annual sources are votes or score")
				} else if len(s.Indicators) == 0 {
					v.add(sf+".kind", "source kind indicators needs an indicators tree")
				}
			case "votes", "score":
			default:
				v.add(sf+".kind", "must be indicators, votes or score, not %q", src.Kind)
			}
			if src.Weight.IsNegative() || src.Weight.GreaterThan(decimal.NewFromInt(1)) {
				v.add(sf+".weight", "must be between 0%% and 100%%")
			}
			if src.MinVoters != 0 && src.MinVoters < 3 {
				v.add(sf+".min_voters", "must be at least 3: with fewer, voters can recover each other's ballots")
			}
			if src.MinVotes < 0 {
				v.add(sf+".min_votes", "must not be negative")
			}
			if src.Kind != "votes" && src.SupervisorVotes {
				v.add(sf+".supervisor_votes", "only a votes source has voters")
			}
			if src.Kind != "votes" && src.OutsideRaters {
				v.add(sf+".outside_raters", "only a votes source has raters outside")
			}
			sum = sum.Add(src.Weight.Decimal)
		}
		if len(r.Sources) > 0 && !sum.Equal(decimal.NewFromInt(1)) {
			v.add(rf+".sources", "weights add up to %s, not 100%%", Percent{sum})
		}
	}
	if len(rules) > 0 && !hasDefault {
		for _, t := range s.Tiers {
			if !covered[t] {
				v.add(f, "tier %q has no rater rule", t)
			}
		}
	}
}

func (v *validator) rounding(f string, r *Rounding) {
	if r.Places == nil {
		p := int32(2)
		r.Places = &p
	} else if *r.Places < 0 || *r.Places > 6 {
		v.add(f+".places", "must be between 0 and 6")
	}
	switch r.Mode {
	case "":
		r.Mode = "half_up"
	case "half_up", "down", "half_even":
	default:
		v.add(f+".mode", "must be half_up, down or half_even, not %q", r.Mode)
	}
}

// bands checks that grade bands name known grades and tile the whole line.
func (v *validator) bands(f string, bands []Band, known func(string) (string, bool)) {
	for i := range bands {
		bands[i].zh = bands[i].Range.Chinese()
		g, ok := known(bands[i].Grade)
		if !ok {
			v.add(fmt.Sprintf("%s[%d].grade", f, i), "unknown grade %q", bands[i].Grade)
			continue
		}
		bands[i].Grade = g
	}
	if len(bands) > 0 {
		v.tile(f, bands, nil)
	}
}

// tile reports gaps and overlaps. With span nil the bands must cover every
// number; otherwise exactly the closed span.
func (v *validator) tile(f string, bands []Band, span *Interval) {
	idx := make([]int, len(bands))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bands[idx[a]].Range.below(bands[idx[b]].Range) })
	first := bands[idx[0]].Range
	if span == nil && !first.LoInf {
		v.add(fmt.Sprintf("%s[%d].range", f, idx[0]), "bands leave a gap below %s: the lowest band must start at -inf", first)
	}
	if span != nil && (first.LoInf || !first.Lo.Equal(span.Lo) || first.LoOpen) {
		v.add(fmt.Sprintf("%s[%d].range", f, idx[0]), "bands must start at %s", span.Lo)
	}
	for k := 1; k < len(idx); k++ {
		prev, cur := bands[idx[k-1]].Range, bands[idx[k]].Range
		cf := fmt.Sprintf("%s[%d].range", f, idx[k])
		if prev.HiInf {
			v.add(cf, "%s overlaps %s", cur, prev)
			continue
		}
		c := cur.Lo.Cmp(prev.Hi)
		switch {
		case cur.LoInf || c < 0 || (c == 0 && !prev.HiOpen && !cur.LoOpen):
			v.add(cf, "%s overlaps %s", cur, prev)
		case c > 0 || (prev.HiOpen && cur.LoOpen):
			v.add(cf, "gap between %s and %s", prev, cur)
		}
	}
	last := bands[idx[len(idx)-1]].Range
	if span == nil && !last.HiInf {
		v.add(fmt.Sprintf("%s[%d].range", f, idx[len(idx)-1]), "bands leave a gap above %s: the highest band must end at +inf", last)
	}
	if span != nil && (last.HiInf || !last.Hi.Equal(span.Hi) || last.HiOpen) {
		v.add(fmt.Sprintf("%s[%d].range", f, idx[len(idx)-1]), "bands must end at %s", span.Hi)
	}
}

func (v *validator) quotas() {
	s := v.s
	for i := range s.Quotas {
		q := &s.Quotas[i]
		f := fmt.Sprintf("quotas[%d]", i)
		if g, ok := s.periodGrade(q.Grade); ok {
			q.Grade = g
		} else {
			v.add(f+".grade", "unknown grade %q", q.Grade)
		}
		switch q.Scope {
		case "":
			q.Scope = "unit"
		case "unit", "group":
		default:
			v.add(f+".scope", "must be unit or group, not %q", q.Scope)
		}
		switch q.CapRounding {
		case "":
			q.CapRounding = "floor"
		case "floor", "round", "ceil":
		default:
			v.add(f+".cap_rounding", "must be floor, round or ceil, not %q", q.CapRounding)
		}
		one := decimal.NewFromInt(1)
		for name, p := range map[string]*Percent{"max_share": q.MaxShare, "min_share": q.MinShare, "hard_max_share": q.HardMaxShare} {
			if p != nil && (p.IsNegative() || p.GreaterThan(one)) {
				v.add(f+"."+name, "must be between 0%% and 100%%")
			}
		}
		if q.MaxShare == nil && q.MinShare == nil {
			v.add(f, "a quota needs max_share or min_share")
		}
		if q.MaxShare != nil && q.MinShare != nil && q.MinShare.GreaterThan(q.MaxShare.Decimal) {
			v.add(f+".min_share", "min_share %s contradicts max_share %s", q.MinShare, q.MaxShare)
		}
		if q.HardMaxShare != nil && (q.MaxShare == nil || q.HardMaxShare.LessThan(q.MaxShare.Decimal)) {
			v.add(f+".hard_max_share", "hard_max_share must be at least max_share")
		}
		if q.AndBelow && (q.MaxShare != nil || q.MinShare == nil) {
			// A cap over several grades would have to say which of them
			// gives way; no seed asks for one.
			v.add(f+".and_below", "and_below goes with min_share only")
		}
	}
}

func (v *validator) special() {
	s := v.s
	sp := &s.Special
	switch sp.Probation {
	case "", "comment_only":
	default:
		v.add("special.probation", "must be comment_only or empty, not %q", sp.Probation)
	}
	switch sp.Investigation {
	case "", "withheld":
	default:
		v.add("special.investigation", "must be withheld or empty, not %q", sp.Investigation)
	}
	if l := sp.Leave; l != nil {
		if len(l.Counted) == 0 {
			v.add("special.leave.counted", "name the leave kinds that count (病假, 事假)")
		}
		for i, k := range l.Counted {
			if contains(l.Excluded, k) {
				v.add(fmt.Sprintf("special.leave.counted[%d]", i), "%q is both counted and excluded", k)
			}
		}
		if l.Absence != "" && (contains(l.Counted, l.Absence) || contains(l.Excluded, l.Absence) || l.Absence == l.WorkInjuryKind) {
			v.add("special.leave.absence", "%q is also a leave kind", l.Absence)
		}
		if !l.OverHalf && l.OverWorkdays == nil {

			v.add("special.leave", "set over_half or over_workdays")
		}
		if l.OverWorkdays != nil && *l.OverWorkdays < 0 {
			v.add("special.leave.over_workdays", "must not be negative")
		}
		if l.WorkInjuryGrade != "" {
			if g, ok := s.periodGrade(l.WorkInjuryGrade); ok {
				l.WorkInjuryGrade = g
			} else {
				v.add("special.leave.work_injury_grade", "unknown grade %q", l.WorkInjuryGrade)
			}
			if l.WorkInjuryKind == "" {
				v.add("special.leave.work_injury_kind", "required with work_injury_grade")
			}
		}
	}
	seen := map[string]bool{}
	for i, r := range sp.Sanctions {
		f := fmt.Sprintf("special.sanctions[%d]", i)
		switch r.Effect {
		case "no_top", "not_graded", "bottom", "none":
		default:
			v.add(f+".effect", "must be no_top, not_graded, bottom or none, not %q", r.Effect)
		}
		if len(r.Kinds) == 0 {
			v.add(f+".kinds", "name the sanctions")
		}
		for _, k := range r.Kinds {
			if seen[k] {
				v.add(f+".kinds", "sanction %q appears twice", k)
			}
			seen[k] = true
		}
	}
	if sp.Refusal != "" && sp.Refusal != RefusalNotGraded {
		if g, ok := s.periodGrade(sp.Refusal); ok {
			sp.Refusal = g
		} else {
			v.add("special.refusal", "must be a grade or %s, not %q", RefusalNotGraded, sp.Refusal)
		}
	}
}

func (v *validator) annual() {
	a := v.s.Annual
	if a == nil {
		return
	}
	s := v.s
	if a.Periods <= 0 {
		v.add("annual.periods", "must be positive")
	}
	switch a.PeriodicValue {
	case "":
		a.PeriodicValue = "score"
	case "score":
	case "grade_points":
		for i, g := range s.Grades {
			if g.Points == nil {
				v.add(fmt.Sprintf("grades[%d].points", i), "grade %q needs points for periodic_value grade_points", g.Label)
			}
		}
	default:
		v.add("annual.periodic_value", "must be score or grade_points, not %q", a.PeriodicValue)
	}
	if a.RequireScores && a.PeriodicValue != "score" {
		v.add("annual.require_scores", "goes with periodic_value score")
	}
	if a.PeriodicWeight != nil && (a.PeriodicWeight.IsNegative() || a.PeriodicWeight.GreaterThan(decimal.NewFromInt(1))) {
		v.add("annual.periodic_weight", "must be between 0%% and 100%%")
	}
	v.raters("annual.raters", a.Raters, false)
	if len(a.Grades) < 2 {
		v.add("annual.grades", "at least two annual grades are needed, best first")
	}
	known := func(g string) (string, bool) { return g, contains(a.Grades, g) }
	v.bands("annual.bands", a.Bands, known)
	v.rounding("annual.rounding", &a.Rounding)
	if e := a.ExcellenceRate; e != nil {
		if e.Divisor <= 0 {
			v.add("annual.excellence_rate.divisor", "must be positive")
		}
		if !e.PeriodicWeight.Add(e.VoteWeight.Decimal).Equal(decimal.NewFromInt(1)) {
			v.add("annual.excellence_rate", "periodic_weight and vote_weight must add up to 100%%")
		}
		if e.MinVoters != 0 && e.MinVoters < 3 {
			v.add("annual.excellence_rate.min_voters", "must be at least 3: with fewer, voters can recover each other's votes")
		}
		if e.PeriodicWeight.IsZero() {
			v.add("annual.excellence_rate.periodic_weight", "must be above 0%%: below the 测评's min_voters the rate is made from the periodic part alone")
		}
	}
	for i := range a.Rules {
		r := &a.Rules[i]
		f := fmt.Sprintf("annual.rules[%d]", i)
		n := 0
		for _, g := range []string{r.MaxGrade, r.Grade, r.Priority} {
			if g != "" {
				n++
				if !contains(a.Grades, g) {
					v.add(f, "unknown annual grade %q", g)
				}
			}
		}
		if len(r.OneOf) > 0 {
			n++
			if len(r.OneOf) < 2 {
				v.add(f+".one_of", "name at least two results (one is grade)")
			}
			for j, g := range r.OneOf {
				if g != AnnualNotGraded && !contains(a.Grades, g) {
					v.add(fmt.Sprintf("%s.one_of[%d]", f, j), "unknown annual grade %q (or %s)", g, AnnualNotGraded)
				}
			}
		}
		if n > 1 || (n == 0 && !r.NoCommendation) {
			v.add(f, "set exactly one of max_grade, grade, priority, one_of (or only no_commendation)")
		}
		w := &r.When
		for j, g := range w.Grades {
			if c, ok := s.periodGrade(g); ok {
				w.Grades[j] = c
			} else {
				v.add(fmt.Sprintf("%s.when.grades[%d]", f, j), "unknown period grade %q", g)
			}
		}
		gradeTest := w.CountAtLeast != nil || w.ShareOver != nil || w.ShareBelow != nil || w.All
		if gradeTest && len(w.Grades) == 0 {
			v.add(f+".when.grades", "name the period grades the condition counts")
		}
		if !gradeTest && w.PeriodicBelow == nil && !w.Refused {
			v.add(f+".when", "the rule has no condition")
		}
	}
}

func (v *validator) allowances() {
	for i := range v.s.Allowances {
		r := &v.s.Allowances[i]
		f := fmt.Sprintf("allowances[%d]", i)
		if r.ID == "" {
			v.add(f+".id", "required")
		}
		if r.Allowance == "" {
			v.add(f+".allowance", "name the allowance")
		}
		hasRate := r.Rate != nil || r.RateFraction != ""
		if r.RateFraction != "" {
			if _, err := parseFraction(r.RateFraction); err != nil {
				v.add(f+".rate_fraction", "%v", err)
			}
		}
		switch r.Kind {
		case "score_cut":
			if !hasRate {
				v.add(f+".rate", "required")
			}
			if r.StartMonth < 1 || r.Months < 1 {
				v.add(f, "start_month and months must be at least 1")
			}
		case "leave_excess":
			if r.FreeDays < 0 {
				v.add(f+".free_days", "must not be negative")
			}
		case "absence":
			if !hasRate {
				v.add(f+".rate", "required")
			}
		case "absent_period":
		default:
			v.add(f+".kind", "must be score_cut, leave_excess, absence or absent_period, not %q", r.Kind)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
