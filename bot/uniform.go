package bot

import (
	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/scoring"
)

// uniformLines turns the period's 大锅饭 flags (workflow.Period.Uniform,
// decided by the workflow when it scored) into the committee card's lines.
func uniformLines(stats []scoring.UniformStat) []card.UniformLine {
	out := make([]card.UniformLine, 0, len(stats))
	for _, st := range stats {
		l := card.UniformLine{Who: st.Label, Scorer: st.Kind == scoring.UniformScorer, Count: st.Count, TopGrade: st.TopGrade,
			Mean: decText(st.Mean), Stdev: decText(st.Stdev), Range: decText(st.Range),
			LowStdev: st.Has(scoring.CrossedStdev), LowRange: st.Has(scoring.CrossedRange), HighTop: st.Has(scoring.CrossedTopShare)}
		if st.Count == 0 {
			// A scheme without scores (S5): the grades are all there is.
			l.Count = st.Graded
		}
		if st.TopPercent != nil {
			l.TopShare = st.TopPercent.String() + "%"
		}
		out = append(out, l)
	}
	return out
}

func decText(d *scoring.Dec) string {
	if d == nil {
		return ""
	}
	return d.String()
}
