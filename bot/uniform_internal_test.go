package bot

import (
	"reflect"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/scoring"
)

func TestUniformLines(t *testing.T) {
	t.Parallel()
	d := func(s string) *scoring.Dec { v := scoring.D(s); return &v }
	stats := []scoring.UniformStat{
		{Kind: scoring.UniformScorer, Key: "l1", Label: "科长钱（综合科）", Count: 6, Mean: d("88.5"), Stdev: d("0.96"), Range: d("3"),
			TopGrade: "好", Graded: 6, Top: 5, TopPercent: d("83"), Crossed: []string{scoring.CrossedStdev, scoring.CrossedRange, scoring.CrossedTopShare}},
		// S5: no scores, the leader's grades only.
		{Kind: scoring.UniformUnit, Key: "u2", Label: "执法大队", TopGrade: "A", Graded: 9, Top: 8, TopPercent: d("89"),
			Crossed: []string{scoring.CrossedTopShare}},
	}
	want := []card.UniformLine{
		{Who: "科长钱（综合科）", Scorer: true, Count: 6, Mean: "88.5", Stdev: "0.96", Range: "3", TopGrade: "好", TopShare: "83%",
			LowStdev: true, LowRange: true, HighTop: true},
		{Who: "执法大队", Count: 9, TopGrade: "A", TopShare: "89%", HighTop: true},
	}
	if got := uniformLines(stats); !reflect.DeepEqual(got, want) {
		t.Errorf("uniformLines =\n%+v\nwant\n%+v", got, want)
	}
}
