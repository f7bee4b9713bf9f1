package scoring

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// scored is a person result with a score (and the grade the scores gave,
// which S4's bands recompute from the score anyway).
func scored(id, score string) PersonResult {
	d := D(score)
	return PersonResult{ID: id, Unit: "局机关", Score: &d, State: StateGraded}
}

// people makes p1, p2, … with the given scores; "" is a person without a
// score.
func people(scores ...string) []PersonResult {
	out := make([]PersonResult, len(scores))
	for i, sc := range scores {
		id := fmt.Sprintf("p%d", i+1)
		if sc == "" {
			out[i] = PersonResult{ID: id, Unit: "局机关", State: StateCommentOnly}
			continue
		}
		out[i] = scored(id, sc)
	}
	return out
}

func ids(ps []PersonResult) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// wantStat is a UniformStat's numbers as text; "-" is an absent number.
type wantStat struct {
	count            int
	mean, stdev, rng string
	graded, top      int
	pct              string
	crossed          []string
}

func decText(d *Dec) string {
	if d == nil {
		return "-"
	}
	return d.String()
}

func checkStat(t *testing.T, got UniformStat, w wantStat) {
	t.Helper()
	g := wantStat{count: got.Count, mean: decText(got.Mean), stdev: decText(got.Stdev), rng: decText(got.Range),
		graded: got.Graded, top: got.Top, pct: decText(got.TopPercent), crossed: got.Crossed}
	if g.count != w.count || g.mean != w.mean || g.stdev != w.stdev || g.rng != w.rng || g.graded != w.graded ||
		g.top != w.top || g.pct != w.pct || !slices.Equal(g.crossed, w.crossed) {
		t.Errorf("stat = %+v\nwant   %+v", g, w)
	}
	if got.Flagged() != (len(w.crossed) > 0) {
		t.Errorf("Flagged() = %v with crossed %v", got.Flagged(), got.Crossed)
	}
}

func TestUniformity(t *testing.T) {
	t.Parallel()
	s4 := builtin(t, "s4") // 好 ≥ 90, 较好 [75, 90), …
	all := []string{CrossedStdev, CrossedRange, CrossedTopShare}
	tests := []struct {
		name   string
		people []PersonResult
		rule   UniformRule
		want   wantStat
	}{
		// Σx = 545, Σx² = 49511: n²σ² = 6·49511 − 545² = 41, σ = √41/6 =
		// 1.0671…; 5 of 6 at 90 or more.
		{"UniformFlaggedOnAll", people("90", "91", "91", "92", "92", "89"), UniformRule{},
			wantStat{6, "90.83", "1.06", "3", 6, 5, "83", all}},
		// σ = 11.47…, 1 of 5 in 好.
		{"DifferentiatedNotFlagged", people("95", "85", "78", "70", "62"), UniformRule{},
			wantStat{5, "78", "11.47", "33", 5, 1, "20", nil}},
		// Deviations −4, 0 ×6, +4: σ² = 32/8 = 4, σ exactly 2, not under 2.
		{"StdevExactly2NotFlagged", people("84", "88", "88", "88", "88", "88", "88", "92"), UniformRule{},
			wantStat{8, "88", "2", "8", 8, 1, "13", nil}},
		// σ = 1.99750…: cut to 1.99, not rounded to 2.00, so the number
		// shown agrees with the flag. Mean 88.00125 rounds to 88.00.
		{"StdevJustUnder2Flagged", people("84.01", "88", "88", "88", "88", "88", "88", "92"), UniformRule{},
			wantStat{8, "88", "1.99", "7.99", 8, 1, "13", []string{CrossedStdev}}},
		// σ = 2.5, range exactly 5: not under 5.
		{"RangeExactly5NotFlagged", people("80", "80", "85", "85"), UniformRule{},
			wantStat{4, "82.5", "2.5", "5", 4, 0, "0", nil}},
		{"RangeUnder5Flagged", people("80", "80", "84.5", "84.5"), UniformRule{},
			wantStat{4, "82.25", "2.25", "4.5", 4, 0, "0", []string{CrossedRange}}},
		// Range 4.999 is cut to 4.99, not rounded to 5, and flagged; σ =
		// 2.4995 cut to 2.49; the mean 82.4995 rounds half up to 82.50.
		{"RangeJustUnder5Flagged", people("80", "80", "84.999", "84.999"), UniformRule{},
			wantStat{4, "82.5", "2.49", "4.99", 4, 0, "0", []string{CrossedRange}}},
		// 4 of 5 in 好 is exactly 80%: not over 80%.
		{"TopShareExactly80NotFlagged", people("90", "95", "100", "92", "70"), UniformRule{},
			wantStat{5, "89.4", "10.26", "30", 5, 4, "80", nil}},
		{"TopShareOver80Flagged", people("90", "95", "100", "92", "98", "70"), UniformRule{},
			wantStat{6, "90.83", "9.9", "30", 6, 5, "83", []string{CrossedTopShare}}},
		// Three equal scores: the numbers are shown, nothing is flagged.
		{"BelowMinSizeNotFlagged", people("90", "90", "90"), UniformRule{},
			wantStat{3, "90", "0", "0", 3, 3, "100", nil}},
		// Two of five have no score (comment only): three are left.
		{"WithoutScoreSkipped", people("88", "", "88", "", "88"), UniformRule{},
			wantStat{3, "88", "0", "0", 3, 0, "0", nil}},
		{"WithoutScoreSkippedStillFlagged", people("88", "88", "", "88", "88.5"), UniformRule{},
			wantStat{4, "88.13", "0.21", "0.5", 4, 0, "0", []string{CrossedStdev, CrossedRange}}},
		{"MinSizeConfigured", people("90", "90", "90"), UniformRule{MinSize: 3},
			wantStat{3, "90", "0", "0", 3, 3, "100", all}},
		// Tighter thresholds: σ 2.5 is under 3, range 5 under 6; 0 of 4 is
		// not over 0.01%.
		{"ThresholdsConfigured", people("80", "80", "85", "85"), UniformRule{StdevUnder: D("3"), RangeUnder: D("6"), TopShareOver: Pct("0.01%")},
			wantStat{4, "82.5", "2.5", "5", 4, 0, "0", []string{CrossedStdev, CrossedRange}}},
		{"TopShare100NeverFlags", people("91", "95", "99", "100"), UniformRule{TopShareOver: Pct("100%")},
			wantStat{4, "96.25", "3.56", "9", 4, 4, "100", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := &PeriodResult{People: tt.people}
			got := Uniformity(s4, res, []UniformGroup{{Kind: UniformScorer, Key: "l1", Label: "科长", People: ids(tt.people)}}, tt.rule)
			if len(got) != 1 {
				t.Fatalf("got %d stats, want 1", len(got))
			}
			if got[0].Kind != UniformScorer || got[0].Key != "l1" || got[0].Label != "科长" || got[0].TopGrade != "好" {
				t.Errorf("identity = %s %s %s %s", got[0].Kind, got[0].Key, got[0].Label, got[0].TopGrade)
			}
			checkStat(t, got[0], tt.want)
		})
	}
}

func TestUniformityGroups(t *testing.T) {
	t.Parallel()
	s4 := builtin(t, "s4")
	ps := people("90", "91", "91", "92", "92", "89", "70", "60")
	// p5 was directly determined 好 with a score of 85: under S4's bands
	// the score counts (较好), not the determination.
	ps[4] = scored("p5", "85")
	ps[4].ScoreGrade, ps[4].Flags = "好", []string{FlagDirect}
	res := &PeriodResult{People: ps}
	groups := []UniformGroup{
		{Kind: UniformScorer, Key: "l1", People: []string{"p1", "p2", "p3", "p4", "p5", "p6"}},
		// Unknown and repeated ids count once or not at all.
		{Kind: UniformUnit, Key: "u1", People: []string{"p1", "p1", "p2", "nobody", "p3", "p4"}},
		{Kind: UniformUnit, Key: "u2", People: []string{"p1", "p2", "p3", "p4", "p6", "p7", "p8"}},
		{Kind: UniformUnit, Key: "empty"},
	}
	got := Uniformity(s4, res, groups, UniformRule{})
	if len(got) != len(groups) {
		t.Fatalf("got %d stats, want %d", len(got), len(groups))
	}
	for i, g := range groups {
		if got[i].Key != g.Key || got[i].Kind != g.Kind {
			t.Errorf("stat %d is %s %s, want %s %s (input order)", i, got[i].Kind, got[i].Key, g.Kind, g.Key)
		}
	}
	// 90 91 91 92 85 89: Σx = 538, Σx² = 48272, n²σ² = 6·48272 − 538² = 188,
	// σ = √188/6 = 2.285…; p5's 85 is 较好, so 4 of 6 in 好.
	checkStat(t, got[0], wantStat{6, "89.67", "2.28", "7", 6, 4, "67", nil})
	// 90 91 91 92.
	checkStat(t, got[1], wantStat{4, "91", "0.7", "2", 4, 4, "100", []string{CrossedStdev, CrossedRange, CrossedTopShare}})
	checkStat(t, got[2], wantStat{7, "83.29", "11.9", "32", 7, 4, "57", nil})
	checkStat(t, got[3], wantStat{0, "-", "-", "-", 0, 0, "-", nil})

	if got := Uniformity(s4, res, groups, UniformRule{Off: true}); got != nil {
		t.Errorf("Off: got %d stats, want none", len(got))
	}
}

// TestUniformityWithoutBands: under S5 the leader sets the grade and there
// is no score: only the top share is judged, and a direct A is not the
// leader's grading.
func TestUniformityWithoutBands(t *testing.T) {
	t.Parallel()
	s5 := builtin(t, "s5")
	var ps []PersonResult
	for i, g := range []string{"A", "A", "A", "A", "B", "A"} {
		ps = append(ps, PersonResult{ID: fmt.Sprintf("p%d", i+1), Unit: "局", ScoreGrade: g, State: StateGraded})
	}
	ps[5].Flags = []string{FlagDirect}
	got := Uniformity(s5, &PeriodResult{People: ps}, []UniformGroup{{Kind: UniformUnit, Key: "u", People: ids(ps)}}, UniformRule{})
	// 4 of the 5 graded by the leader: exactly 80%, not over.
	checkStat(t, got[0], wantStat{0, "-", "-", "-", 5, 4, "80", nil})
	if got[0].TopGrade != "A" {
		t.Errorf("top grade %q, want A", got[0].TopGrade)
	}
	ps[4].ScoreGrade = "A"
	got = Uniformity(s5, &PeriodResult{People: ps}, []UniformGroup{{Kind: UniformUnit, Key: "u", People: ids(ps)}}, UniformRule{})
	checkStat(t, got[0], wantStat{0, "-", "-", "-", 5, 5, "100", []string{CrossedTopShare}})
	if !got[0].Has(CrossedTopShare) || got[0].Has(CrossedStdev) {
		t.Errorf("Has: crossed %v", got[0].Crossed)
	}
}

func TestUniformRuleValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule UniformRule
		ok   bool
	}{
		{"OK_Zero", UniformRule{}, true},
		{"OK_Off", UniformRule{Off: true}, true},
		{"OK_Set", UniformRule{MinSize: 6, StdevUnder: D("1.5"), RangeUnder: D("3"), TopShareOver: Pct("100%")}, true},
		{"ErrMinSizeNegative", UniformRule{MinSize: -1}, false},
		{"ErrMinSizeOne", UniformRule{MinSize: 1}, false},
		{"ErrStdevNegative", UniformRule{StdevUnder: D("-1")}, false},
		{"ErrRangeNegative", UniformRule{RangeUnder: D("-0.5")}, false},
		{"ErrShareOver100", UniformRule{TopShareOver: Pct("101%")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.rule.Validate()
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrBadUniformRule)) {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
	d := UniformRule{}.WithDefaults()
	if d.MinSize != 4 || d.StdevUnder.String() != "2" || d.RangeUnder.String() != "5" || d.TopShareOver.String() != "80%" {
		t.Errorf("defaults = %+v", d)
	}
}
