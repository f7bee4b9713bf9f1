package workflow_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// uniformQuarter scores an S8 quarter in which 综合科's leader l1 gives
// a01..a09 scores of 86 to 88 (大锅饭) while 执法科's leader l2 spreads
// b01..b06 from 62 to 95; the 分管领导 score l1 87 and l2 80.
func uniformQuarter(id string) *workflow.Assessment {
	scores := map[string]int{
		"a01": 88, "a02": 87, "a03": 88, "a04": 86, "a05": 87, "a06": 88, "a07": 87, "a08": 86, "a09": 88, "l1": 87,
		"b01": 95, "b02": 85, "b03": 78, "b04": 70, "b05": 62, "b06": 90, "l2": 80,
	}
	return &workflow.Assessment{Indicators: s8Scores(scores[id]), Comment: "工作认真"}
}

// TestUniformFlaggedAtClose: CloseAppraisal keeps on the period the scorer
// and the unit whose scores cannot tell people apart, with their numbers,
// and not the differentiated ones nor groups too small to judge; with
// Config.Uniformity.Off nothing is kept.
func TestUniformFlaggedAtClose(t *testing.T) {
	t.Parallel()
	const q = "2026-Q3"
	tests := []struct {
		name string
		rule scoring.UniformRule
		want []scoring.UniformStat
	}{
		{"Flagged", scoring.UniformRule{}, []scoring.UniformStat{
			// l1 scored a01..a09: Σx = 785, n²σ² = 9·68475 − 785² = 50,
			// σ = √50/9 = 0.785…
			{Kind: scoring.UniformScorer, Key: "l1", Label: "干部l1（综合科）", Count: 9, TopGrade: "好", Graded: 9,
				Crossed: []string{scoring.CrossedStdev, scoring.CrossedRange}},
			// 综合科 with l1's own 87 (scored by s1, a group of one).
			{Kind: scoring.UniformUnit, Key: "u1", Label: "综合科", Count: 10, TopGrade: "好", Graded: 10,
				Crossed: []string{scoring.CrossedStdev, scoring.CrossedRange}},
		}},
		{"Off", scoring.UniformRule{Off: true}, nil},
	}
	numbers := map[string][4]string{"l1": {"87.22", "0.78", "2", "0"}, "u1": {"87.2", "0.74", "2", "0"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "s8", at(2026, 7, 1, 9, 0), func(c *workflow.Config) { c.Uniformity = tt.rule })
			h.orgS8()
			h.s8Appraise(q, at(2026, 10, 9, 10, 0), nil, uniformQuarter)
			h.must("close", h.svc.CloseAppraisal(ctx, "hr", q))
			p, err := h.svc.Period(ctx, q)
			h.must("period", err)
			check := func(when string, got []scoring.UniformStat) {
				t.Helper()
				if len(got) != len(tt.want) {
					t.Fatalf("%s: %d groups flagged, want %d: %+v", when, len(got), len(tt.want), got)
				}
				for i, w := range tt.want {
					g := got[i]
					if g.Kind != w.Kind || g.Key != w.Key || g.Label != w.Label || g.Count != w.Count || g.TopGrade != w.TopGrade ||
						g.Graded != w.Graded || g.Top != w.Top || !slices.Equal(g.Crossed, w.Crossed) {
						t.Errorf("%s: group %d = %+v, want %+v", when, i, g, w)
					}
					n := numbers[w.Key]
					if g.Mean == nil || g.Stdev == nil || g.Range == nil || g.TopPercent == nil ||
						g.Mean.String() != n[0] || g.Stdev.String() != n[1] || g.Range.String() != n[2] || g.TopPercent.String() != n[3] {
						t.Errorf("%s: %s mean %v σ %v range %v top %v%%, want %v", when, w.Key, g.Mean, g.Stdev, g.Range, g.TopPercent, n)
					}
				}
			}
			check("after close", p.Uniform)
			// The flags stay with the period while the committee confirms.
			h.must("confirm", h.svc.ConfirmResults(ctx, "c1", q))
			p, err = h.svc.Period(ctx, q)
			h.must("period", err)
			check("after confirm", p.Uniform)
		})
	}
}

func TestUniformityConfig(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "s8", at(2026, 7, 1, 9, 0), nil)
	sc := h.svc.Scheme()
	_, err := workflow.New(workflow.Config{Store: h.store, Clock: h.clk, Calendar: h.cal, Scheme: sc,
		Uniformity: scoring.UniformRule{RangeUnder: scoring.D("-1")}})
	if !errors.Is(err, scoring.ErrBadUniformRule) {
		t.Errorf("New with a negative range threshold: %v, want ErrBadUniformRule", err)
	}
}
