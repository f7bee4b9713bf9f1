package scoring

import (
	"fmt"
	"testing"
)

// benchQuarter builds n people over units offices under S4, with scores
// spread so that every unit has more 好 than its 40% quota allows and some
// ties at the cap.
func benchQuarter(b *testing.B, n, units int) (*Scheme, *PeriodInput) {
	b.Helper()
	s, err := Builtin("s4")
	if err != nil {
		b.Fatal(err)
	}
	leaves := map[string]string{
		"思想政治素质": "6", "职业道德": "4", "社会公德": "6", "家庭美德": "4",
		"岗位执行能力": "5", "综合业务能力": "6", "开拓创新能力": "5", "沟通协作能力": "4",
		"工作责任心": "5", "工作作风": "5", "出勤情况": "5",
		"工作负荷": "15", "工作效率": "10", "工作成效": "10",
		"遵章守纪情况": "4", "艰苦奋斗勤俭节约情况": "3", "日常信访举报情况": "3",
	}
	in := &PeriodInput{Kind: "period", Period: PeriodInfo{ID: "2026-Q3", WorkingDays: 66}, People: make([]PersonInput, n)}
	for i := range in.People {
		ind := make(map[string]Dec, len(leaves))
		for k, v := range leaves {
			ind[k] = D(v)
		}
		ind["工作负荷"] = IntDec(int64(15 - i%16)) // totals 85…100
		in.People[i] = PersonInput{
			ID: fmt.Sprintf("p%06d", i), Unit: fmt.Sprintf("unit%03d", i%units), Frontline: i%7 == 0,
			Sources: map[string]SourceInput{"leader": {Indicators: ind}},
		}
	}
	return s, in
}

func BenchmarkScorePeriod100k(b *testing.B) {
	s, in := benchQuarter(b, 100_000, 500)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ScorePeriod(s, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScoreYear100k(b *testing.B) {
	s, err := Builtin("s4")
	if err != nil {
		b.Fatal(err)
	}
	// Each grade is its score's band (or below it, as a quota leaves one):
	// a grade above the band is refused.
	band := func(n int) string {
		switch {
		case n >= 90:
			return "好"
		case n >= 75:
			return "较好"
		case n >= 60:
			return "一般"
		}
		return "较差"
	}
	in := &YearInput{Kind: "year", Year: 2026, People: make([]YearPerson, 100_000)}
	for i := range in.People {
		p := YearPerson{ID: fmt.Sprintf("p%06d", i), Unit: fmt.Sprintf("unit%03d", i%500)}
		for q := 1; q <= 4; q++ {
			n := 55 + (i*q)%46
			sc := IntDec(int64(n))
			p.Periods = append(p.Periods, PeriodRecord{Period: fmt.Sprintf("2026-Q%d", q), Score: &sc, Grade: band(n)})
		}
		in.People[i] = p
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ScoreYear(s, in); err != nil {
			b.Fatal(err)
		}
	}
}
