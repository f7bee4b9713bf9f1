package scoring

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// S1 — 《xx乡机关干部平时考核试点工作实施细则（试行）》, xx乡 (《财政局公务员平时考核工作方案7篇》篇一（一）).
// Scheme decision: 德15 能15 勤15 绩40 廉15; 绩's two parts are each scored
// out of 40 and combined 70/30; 民主测评 is 30% of the score.

func s1Leaves(de, neng, qin, yewu, lianxi, lian string) map[string]Dec {
	return map[string]Dec{"德": dec(de), "能": dec(neng), "勤": dec(qin), "业务工作": dec(yewu), "联系村和中心工作": dec(lianxi), "廉": dec(lian)}
}

// s1Person has a leader total of x and one 民主测评 vote of x, so that the
// score is exactly x: 绩's parts are equal (so 绩 = that part), and the
// deficit is taken from 绩 first, then 德 能 勤 廉.
func s1Person(id, x string) PersonInput {
	deficit := decimal.NewFromInt(100).Sub(decimal.RequireFromString(x))
	take := func(max int64) string {
		m := decimal.NewFromInt(max)
		d := decimal.Min(deficit, m)
		deficit = deficit.Sub(d)
		return m.Sub(d).String()
	}
	ji := take(40)
	de, neng, qin, lian := take(15), take(15), take(15), take(15)
	return PersonInput{ID: id, Name: id, Unit: "乡机关", Sources: map[string]SourceInput{
		"leader":     {Indicators: s1Leaves(de, neng, qin, ji, ji, lian)},
		"democratic": {Votes: votes(x)},
	}}
}

// 第九条: "'绩'一项中业务工作占70%，联系村工作和中心工作占30%。民主测评结果在量化考核
// 中占30%权重。"
func TestS1WeightedScore(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s1")
	in := PersonInput{ID: "p", Unit: "乡机关", Sources: map[string]SourceInput{
		"leader":     {Indicators: s1Leaves("14", "13", "14", "36", "32", "14")},
		"democratic": {Votes: votes("90", "95", "88", "92")},
	}}
	res := score(t, s, &PeriodInput{People: []PersonInput{in, s1Person("q", "80"), s1Person("r", "80")}})
	p := personOf(t, res, "p")
	// 绩 = 36 × 70% + 32 × 30% = 25.2 + 9.6 = 34.8; leader 14+13+14+34.8+14 = 89.8;
	// votes (90+95+88+92)/4 = 91.25; 89.8 × 70% + 91.25 × 30% = 62.86 + 27.375
	// = 90.235 → 90.24 (四舍五入 to two places) → 优 (90分以上).
	checkPerson(t, p, want{score: "90.24", scoreGrade: "优秀", grade: "优秀", explain: []string{
		"绩34.8/40", "合计89.8 × 70% = 62.86", "民主测评：8票平均91.25 × 30% = 27.38", "总分 90.24", "90分及以上"}})
	items := map[string]string{}
	for _, it := range p.Items {
		items[it.ID] = it.Score.String()
	}
	if items["绩"] != "34.8" || items["德"] != "14" || len(items) != 5 {
		t.Errorf("items = %v", items)
	}
}

// 第九条: 优 "90分以上"; 良 "70~90分不含90分"; 中 "60~70分不含70分"; 差 "60分以下".
func TestS1Bands(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s1")
	tests := []struct{ name, score, grade, explain string }{
		{"优_90分以上含90", "90", "优秀", "90分及以上"},
		{"优_90.00", "90.00", "优秀", "90分及以上"},
		{"良_89.99_不含90", "89.99", "称职", "70分（含）至90分（不含）"},
		{"良_89.5", "89.5", "称职", "70分（含）至90分（不含）"},
		{"良_70", "70", "称职", "70分（含）"},
		{"中_69.99_不含70", "69.99", "基本称职", "60分（含）至70分（不含）"},
		{"中_60", "60", "基本称职", "60分（含）"},
		{"差_59.99", "59.99", "不称职", "低于60分"},
		{"差_59.5", "59.5", "不称职", "低于60分"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := score(t, s, &PeriodInput{People: []PersonInput{s1Person("p", tt.score)}})
			p := personOf(t, res, "p")
			if p.Score == nil || !p.Score.Equal(D(tt.score).Decimal) || p.ScoreGrade != tt.grade {
				t.Errorf("score %v grade %q, want %s %q", p.Score, p.ScoreGrade, tt.score, tt.grade)
			}
			explainHas(t, "p", p.Explain, tt.explain)
		})
	}
}

// 第九条: "优秀等次人数一般应控制在参加考核人数的40%以内，最多不超过50%". Scheme:
// cap floor(40% × n); the committee may raise it up to floor(50% × n).
func TestS1Quota(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s1")
	unit := func() []PersonInput {
		scores := []string{"97", "96", "95", "94", "93", "85", "80", "78", "75", "65"}
		ps := make([]PersonInput, len(scores))
		for i, sc := range scores {
			ps[i] = s1Person(fmt.Sprintf("P%d", i+1), sc)
		}
		return ps
	}
	t.Run("40%以内_第5名降为称职", func(t *testing.T) {
		t.Parallel()
		res := score(t, s, &PeriodInput{People: unit()})
		checkPerson(t, personOf(t, res, "P5"), want{score: "93", scoreGrade: "优秀", grade: "称职", flags: []string{FlagDemoted},
			explain: []string{"「优秀」超出名额（至多4人），按93分排第5位，降为「称职」"}})
		q := quotaOf(t, res, "unit", "乡机关")
		if *q.MaxCount != 4 || q.After != 4 {
			t.Errorf("quota = %+v", q)
		}
	})
	t.Run("委员会核定至50%", func(t *testing.T) {
		t.Parallel()
		res := score(t, s, &PeriodInput{People: unit(), Committee: &Committee{Overrides: []QuotaOverride{
			{Scope: "unit", Key: "乡机关", Grade: "优秀", MaxCount: 5, Reason: "本季度承担防汛抢险任务"}}}})
		checkPerson(t, personOf(t, res, "P5"), want{score: "93", scoreGrade: "优秀", grade: "优秀"})
		q := quotaOf(t, res, "unit", "乡机关")
		if *q.MaxCount != 5 || q.After != 5 {
			t.Errorf("quota = %+v", q)
		}
		explainHas(t, "quota", []string{q.Explain}, "考核委员会核定名额5人：本季度承担防汛抢险任务")
	})
	t.Run("超过50%不允许", func(t *testing.T) {
		t.Parallel()
		res, err := ScorePeriod(s, &PeriodInput{People: unit(), Committee: &Committee{Overrides: []QuotaOverride{
			{Scope: "unit", Key: "乡机关", Grade: "优秀", MaxCount: 6, Reason: "r"}}}})
		if res != nil {
			t.Errorf("result with a bad override")
		}
		wantInputError(t, err, "", "committee.overrides")
	})
	t.Run("委员会审定可用简称优", func(t *testing.T) {
		t.Parallel()
		ps := unit()
		ps[4] = s1Person("P5", "94") // ties P4 at the cap
		res := score(t, s, &PeriodInput{People: ps})
		for _, id := range []string{"P4", "P5"} {
			checkPerson(t, personOf(t, res, id), want{score: "94", scoreGrade: "优秀", state: StatePending, flags: []string{FlagTieAtCap}})
		}
		res2 := score(t, s, &PeriodInput{People: ps, Committee: &Committee{Decisions: []Decision{
			{Person: "P4", Grade: "良", Reason: "名额已满"}, {Person: "P5", Grade: "优", Reason: "联系村工作突出"}}}})
		checkPerson(t, personOf(t, res2, "P4"), want{score: "94", scoreGrade: "优秀", grade: "称职", flags: []string{FlagCommittee}})
		checkPerson(t, personOf(t, res2, "P5"), want{score: "94", scoreGrade: "优秀", grade: "优秀", flags: []string{FlagCommittee}})
	})
}

// 第十条: "年度考核等次根据平时考核情况综合确定" — the mean of the quarters is
// shown; no formula is invented.
func TestS1Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s1")
	res := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: records("优秀:92", "称职:88", "优:90.5", "称职:85.25"), Proposed: "称职"}}})
	p := yearOf(t, res, "p")
	// (92 + 88 + 90.5 + 85.25) / 4 = 88.9375 → 88.94.
	if p.Periodic == nil || p.Periodic.String() != "88.94" || p.Total != nil || p.Grade != "称职" {
		t.Errorf("periodic %v total %v grade %q", p.Periodic, p.Total, p.Grade)
	}
	if p.Counts["优秀"] != 2 || p.Counts["称职"] != 2 {
		t.Errorf("counts = %v", p.Counts)
	}
	explainHas(t, "p", p.Explain, "优秀2次，称职2次", "355.75 ÷ 4 = 88.94")
}

// 第八条(二): "参加群众评议人员为全体机关部、部分村组干部、服务对象代表". The raters
// outside the chat come as one tally per person (how many, their average),
// weighted by their number against the ballots cast in chat; each part
// meets the anonymity floor on its own.
func TestS1OutsideRaters(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s1")
	tally := func(n int, mean string) *OutsideTally { return &OutsideTally{Raters: n, Mean: dec(mean)} }
	tests := []struct {
		name    string
		votes   []Dec
		outside *OutsideTally
		score   string
		flagged bool
		explain string
	}{
		// (5 × 80 + 10 × 95) ÷ 15 = 90; 80 × 70% + 90 × 30% = 83.
		{"Both", fewVotes("80", "80", "80", "80", "80"), tally(10, "95"), "83", false, "民主测评：机关内5票、外部测评10人平均95，合计15人平均90 × 30% = 27"},
		// Two ballots in chat would be read back from the sum by HR, who
		// knows the tally: only the tally counts.
		{"FewInChat", fewVotes("60", "60"), tally(5, "90"), "83", false, "民主测评：机关内参评人数不足5人，不显示、不计入，只计外部测评"},
		// Three and three make six, yet either part could be read back.
		{"BothFew", fewVotes("60", "60", "60"), tally(3, "90"), "80", true, "民主测评：参评人数不足5人，不显示、不计入"},
		{"OnlyOutside", nil, tally(5, "88"), "82.4", false, "民主测评：外部测评5人平均88 × 30% = 26.4"},
		{"FewOutside", fewVotes("80", "80", "80", "80", "80"), tally(2, "100"), "80", false, "民主测评：外部测评人数不足5人，不显示、不计入"},
		{"EmptyTally", fewVotes("80", "80", "80", "80", "80"), tally(0, "0"), "80", false, "民主测评：5票平均80 × 30% = 24"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := s1Person("p", "80")
			p.Sources["democratic"] = SourceInput{Votes: tc.votes, Outside: tc.outside}
			res := score(t, s, &PeriodInput{People: []PersonInput{p, s1Person("q", "80"), s1Person("r", "80")}})
			r := personOf(t, res, "p")
			if r.Score == nil || r.Score.String() != tc.score {
				t.Errorf("score = %v, want %s", r.Score, tc.score)
			}
			if got := contains(r.Flags, FlagFewVoters); got != tc.flagged {
				t.Errorf("few_voters flag = %v, want %v", got, tc.flagged)
			}
			explainHas(t, "p", r.Explain, tc.explain)
			if tc.name == "FewInChat" && strings.Contains(strings.Join(r.Explain, "\n"), "60") {
				t.Errorf("explanation shows the dropped ballots:\n%s", strings.Join(r.Explain, "\n"))
			}
		})
	}
}

// A tally out of range, or given to a source without raters outside,
// is refused naming the field.
func TestOutsideTallyRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scheme, field string
		outside       OutsideTally
	}{
		{"s1", "democratic.outside.mean", OutsideTally{Raters: 5, Mean: dec("100.5")}},
		{"s1", "democratic.outside.mean", OutsideTally{Raters: 5, Mean: dec("-1")}},
		{"s1", "democratic.outside.raters", OutsideTally{Raters: -1, Mean: dec("80")}},
		{"s8", "democratic.outside", OutsideTally{Raters: 5, Mean: dec("80")}},
	}
	for _, tc := range tests {
		s := builtin(t, tc.scheme)
		var p PersonInput
		if tc.scheme == "s1" {
			p = s1Person("p", "80")
		} else {
			p = PersonInput{ID: "p", Unit: "u", Sources: leaderInd(fill(s, "80"))}
		}
		out := tc.outside
		p.Sources["democratic"] = SourceInput{Votes: votes("80"), Outside: &out}
		_, err := ScorePeriod(s, &PeriodInput{People: []PersonInput{p}})
		wantInputError(t, err, "p", tc.field)
	}
}
