package scoring

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/shopspring/decimal"
)

// 大锅饭: scoring so uniform that it cannot tell people apart. The committee
// is shown, per scorer (the leader who made a chain's first scores) and per
// unit, how far the scores spread, so that it can send back a scorer whose
// numbers say nothing about who did better (the issue: "a leader's or a
// unit's scores so uniform that they cannot tell people apart").

// Kinds of UniformGroup.
const (
	// UniformScorer is the people one leader scored in the first step.
	UniformScorer = "scorer"
	// UniformUnit is the people a unit appraises.
	UniformUnit = "unit"
)

// Thresholds a UniformStat can cross (UniformStat.Crossed).
const (
	CrossedStdev    = "stdev"     // standard deviation under UniformRule.StdevUnder
	CrossedRange    = "range"     // max − min under UniformRule.RangeUnder
	CrossedTopShare = "top_share" // top band's share over UniformRule.TopShareOver
)

// UniformRule says when a group's scores are too uniform. The zero value is
// the default rule; Off turns the check off.
//
// The defaults are the examples, and each is small next to what
// the schemes' own numbers ask a scorer to tell apart:
//
//   - a standard deviation under 2 points: on a 100-point scale most of
//     the group then lies within about 2 points of the mean, finer than
//     one bonus item (S4 三(二) adds and deducts in whole points);
//   - a range under 5 points: the best and the worst are less than a third
//     of one S4 band apart (较好 is 75–89, 15 points), so the scores cannot
//     carry a grade difference for anyone but those at a boundary;
//   - over 80% in the top band: twice the usual quota (好 within 40%, S1
//     第九条, S4 四, S8 四(三)); the quota still cuts the grades back, but
//     by the order of nearly equal scores, not by the scorer's judgement.
//
// Groups of fewer than MinSize people (default 4) are never flagged: with
// three people or fewer, equal work scored equally is a likely and honest
// outcome, one person is already a third of the group's top share, and a
// spread of two or three numbers says more about chance than about the
// scorer.
type UniformRule struct {
	// Off turns the check off: Uniformity returns nothing.
	Off bool
	// MinSize is the smallest group that is judged; 0 means 4.
	MinSize int
	// StdevUnder flags a population standard deviation strictly under
	// this many points (exactly 2.00 is not flagged); 0 means 2.
	StdevUnder Dec
	// RangeUnder flags a range (highest − lowest score) strictly under this
	// many points; 0 means 5.
	RangeUnder Dec
	// TopShareOver flags a share of the top band strictly over this; 0
	// means 80%. 100% never flags.
	TopShareOver Percent
}

// The defaults of UniformRule; unexported so that nobody changes them for
// every caller.
var (
	defaultUniformStdev    = D("2")
	defaultUniformRange    = D("5")
	defaultUniformTopShare = Pct("80%")
)

// DefaultUniformMinSize is UniformRule.MinSize's default.
const DefaultUniformMinSize = 4

// WithDefaults returns r with its zero fields set to the defaults.
func (r UniformRule) WithDefaults() UniformRule {
	if r.MinSize == 0 {
		r.MinSize = DefaultUniformMinSize
	}
	if r.StdevUnder.IsZero() {
		r.StdevUnder = defaultUniformStdev
	}
	if r.RangeUnder.IsZero() {
		r.RangeUnder = defaultUniformRange
	}
	if r.TopShareOver.IsZero() {
		r.TopShareOver = defaultUniformTopShare
	}
	return r
}

// ErrBadUniformRule is returned by UniformRule.Validate, wrapped with the
// field's name.
var ErrBadUniformRule = errors.New("bad uniformity rule")

// Validate refuses negative sizes and thresholds and a share over 100%.
// Errors wrap ErrBadUniformRule and name the field.
func (r UniformRule) Validate() error {
	switch {
	case r.MinSize < 0:
		return fmt.Errorf("MinSize %d: must not be negative: %w", r.MinSize, ErrBadUniformRule)
	case r.MinSize > 0 && r.MinSize < 2:
		// One score has no spread at all: every single person would be flagged.
		return fmt.Errorf("MinSize %d: a group needs at least 2 people: %w", r.MinSize, ErrBadUniformRule)
	case r.StdevUnder.IsNegative():
		return fmt.Errorf("StdevUnder %s: must not be negative: %w", r.StdevUnder, ErrBadUniformRule)
	case r.RangeUnder.IsNegative():
		return fmt.Errorf("RangeUnder %s: must not be negative: %w", r.RangeUnder, ErrBadUniformRule)
	case r.TopShareOver.IsNegative() || r.TopShareOver.GreaterThan(decimal.NewFromInt(1)):
		return fmt.Errorf("TopShareOver %s: want 0%% to 100%%: %w", r.TopShareOver, ErrBadUniformRule)
	}
	return nil
}

// ParseDec reads a plain decimal literal ("1.5"), for configuration; it
// refuses exponents and units, as scheme files do.
func ParseDec(s string) (Dec, error) {
	v, err := parseDec(s)
	if err != nil {
		return Dec{}, err
	}
	return Dec{v}, nil
}

// ParsePercent reads a share written with a percent sign ("80%"), for
// configuration.
func ParsePercent(s string) (Percent, error) { return parsePercent(s) }

// UniformGroup is a set of people whose scores are compared with each
// other.
type UniformGroup struct {
	// Kind is UniformScorer or UniformUnit.
	Kind string
	// Key is the scorer's or the unit's id.
	Key string
	// Label is what the committee reads: "科长钱（综合科）", "综合科".
	Label string
	// People are person ids, as in PersonResult.ID.
	People []string
}

// UniformStat is how far one group's scores spread. Numbers are exact
// decimals, compared before they are shortened: Mean is rounded half up to
// 2 places; Stdev and Range are cut (not rounded) to 2 places, so that a
// shown 2.00 is never a flagged 1.996 (for thresholds of up to 2 places a
// cut number is under the threshold exactly when the full one is).
type UniformStat struct {
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	Label string `json:"label"`
	// Count is the number of the group's people with a score; the rest are
	// skipped.
	Count int `json:"count"`
	// Mean, Stdev (population) and Range (highest − lowest), in points;
	// absent without scores.
	Mean  *Dec `json:"mean,omitempty"`
	Stdev *Dec `json:"stdev,omitempty"`
	Range *Dec `json:"range,omitempty"`
	// TopGrade is the scheme's top grade; Graded is how many of the group
	// the scores (or, without bands, the leader) put in a band, Top how
	// many in the top one, TopPercent Top ÷ Graded as a whole percentage
	// (rounded half up; absent when Graded is 0).
	TopGrade   string `json:"top_grade"`
	Graded     int    `json:"graded"`
	Top        int    `json:"top"`
	TopPercent *Dec   `json:"top_percent,omitempty"`
	// Crossed lists the thresholds crossed (CrossedStdev, CrossedRange,
	// CrossedTopShare); empty for a group below the rule's MinSize.
	Crossed []string `json:"crossed,omitempty"`
}

// Flagged reports whether the group crossed any threshold.
func (u UniformStat) Flagged() bool { return len(u.Crossed) > 0 }

// Has reports whether the group crossed threshold c.
func (u UniformStat) Has(c string) bool { return contains(u.Crossed, c) }

// Uniformity measures each group's scores in res and marks the thresholds
// of rule they cross; it returns one UniformStat per group, in the order
// given, or nil when rule.Off. People absent from res, or listed twice, are
// counted once or not at all.
//
// The top band is the band of the score where the scheme has score bands,
// so that a direct determination or a sanction does not hide or add a
// uniform score; without bands it is the leader's grade (S5's A), people
// with a direct determination left out. Comparisons are exact: the
// standard deviation is compared through the variance (σ < t ⇔ n·Σx² −
// (Σx)² < n²·t²) and its square root taken on integers, never through
// float64.
func Uniformity(s *Scheme, res *PeriodResult, groups []UniformGroup, rule UniformRule) []UniformStat {
	if rule.Off {
		return nil
	}
	rule = rule.WithDefaults()
	byID := make(map[string]*PersonResult, len(res.People))
	for i := range res.People {
		byID[res.People[i].ID] = &res.People[i]
	}
	out := make([]UniformStat, 0, len(groups))
	for _, g := range groups {
		out = append(out, s.uniformStat(g, byID, rule))
	}
	return out
}

func (s *Scheme) uniformStat(g UniformGroup, byID map[string]*PersonResult, rule UniformRule) UniformStat {
	st := UniformStat{Kind: g.Kind, Key: g.Key, Label: g.Label, TopGrade: s.topGrade()}
	seen := make(map[string]bool, len(g.People))
	var sum, sumSq, lo, hi decimal.Decimal
	for _, id := range g.People {
		p, ok := byID[id]
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		if band := s.scoreBand(p); band != "" {
			st.Graded++
			if band == st.TopGrade {
				st.Top++
			}
		}
		if p.Score == nil {
			continue
		}
		x := p.Score.Decimal
		if st.Count == 0 || x.LessThan(lo) {
			lo = x
		}
		if st.Count == 0 || x.GreaterThan(hi) {
			hi = x
		}
		st.Count++
		sum = sum.Add(x)
		sumSq = sumSq.Add(x.Mul(x))
	}
	if st.Count > 0 {
		n := decimal.NewFromInt(int64(st.Count))
		nn := n.Mul(n)
		// dev = n²·variance, exact: only products and differences.
		dev := n.Mul(sumSq).Sub(sum.Mul(sum))
		spread := hi.Sub(lo)
		mean, rng := DecOf(sum.DivRound(n, 2)), DecOf(spread.Truncate(2))
		sd := DecOf(stdevCut2(dev, st.Count))
		st.Mean, st.Stdev, st.Range = &mean, &sd, &rng
		if st.Count >= rule.MinSize {
			t := rule.StdevUnder.Decimal
			if dev.LessThan(nn.Mul(t).Mul(t)) {
				st.Crossed = append(st.Crossed, CrossedStdev)
			}
			if spread.LessThan(rule.RangeUnder.Decimal) {
				st.Crossed = append(st.Crossed, CrossedRange)
			}
		}
	}
	if st.Graded > 0 {
		top, graded := decimal.NewFromInt(int64(st.Top)), decimal.NewFromInt(int64(st.Graded))
		pct := DecOf(top.Mul(hundred).DivRound(graded, 0))
		st.TopPercent = &pct
		if st.Graded >= rule.MinSize && top.GreaterThan(rule.TopShareOver.Mul(graded)) {
			st.Crossed = append(st.Crossed, CrossedTopShare)
		}
	}
	return st
}

// scoreBand is the band p's scores put them in: the score's band where the
// scheme has bands, else the leader's grade unless it was a direct
// determination.
func (s *Scheme) scoreBand(p *PersonResult) string {
	if len(s.Bands) == 0 {
		if contains(p.Flags, FlagDirect) {
			return ""
		}
		return p.ScoreGrade
	}
	if p.Score == nil {
		return ""
	}
	for _, b := range s.Bands {
		if b.Range.Contains(p.Score.Decimal) {
			return b.Grade
		}
	}
	return ""
}

// stdevCut2 returns √(dev ÷ n²) cut to 2 decimal places, dev ≥ 0 being
// n²·variance: ⌊100·√(dev/n²)⌋ = ⌊√⌊10⁴·dev/n²⌋⌋ (the floor of a square root
// equals that of the floor's), all on integers.
func stdevCut2(dev decimal.Decimal, n int) decimal.Decimal {
	if !dev.IsPositive() {
		return decimal.Zero
	}
	num := dev.Coefficient()
	num.Mul(num, big.NewInt(10000))
	den := big.NewInt(int64(n))
	den.Mul(den, den)
	if e := dev.Exponent(); e >= 0 {
		num.Mul(num, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
	} else {
		den.Mul(den, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil))
	}
	q := new(big.Int).Quo(num, den)
	return decimal.NewFromBigInt(q.Sqrt(q), -2)
}
