package scoring

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// S9 — 《开展公务员平时考核工作的实施方案（试行）》, XX, 2015 (《财政局公务员平时考核工作方案7篇》篇七).

// 三(二)3: the 主管或分管领导 sets the quarter's grade; "评定为称职及以下等次的要有
// 一定的比例": s9.yaml's minimum of 10% at 称职 or below, flagged to the
// committee when short and never filled by moving anyone down.
func TestS9Period(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s9")
	tests := []struct {
		name    string
		grades  []string
		min     int
		after   int
		flagged bool
	}{
		// ceil(10% × 3) = 1: the one 称职 meets it.
		{"三人一人称职", []string{"优秀", "优秀", "称职"}, 1, 1, false},
		// 基本称职 and 不称职 count too ("及以下").
		{"基本称职也计入", []string{"优秀", "优秀", "基本称职"}, 1, 1, false},
		{"全部优秀_提请委员会", []string{"优秀", "优秀", "优秀"}, 1, 0, true},
		// ceil(10% × 12) = 2: one 称职 is short.
		{"十二人仅一人称职", []string{"优秀", "优秀", "优秀", "优秀", "优秀", "优秀", "优秀", "优秀", "优秀", "优秀", "优秀", "称职"}, 2, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var people []PersonInput
			for i, g := range tt.grades {
				people = append(people, PersonInput{ID: fmt.Sprintf("p%d", i+1), Unit: "u", Grade: g})
			}
			res := score(t, s, &PeriodInput{People: people})
			checkPerson(t, personOf(t, res, "p1"), want{scoreGrade: "优秀", grade: "优秀", explain: []string{"领导评鉴确定档次「优秀」"}})
			q := quotaOf(t, res, "unit", "u")
			if !q.AndBelow || q.Grade != "称职" || q.MinCount == nil || *q.MinCount != tt.min || q.After != tt.after {
				t.Errorf("quota = %+v, want 称职 and below, min %d, %d held", q, tt.min, tt.after)
			}
			if got := contains(q.Flags, FlagBelowMinShare); got != tt.flagged {
				t.Errorf("flags = %v, want below_min_share %v", q.Flags, tt.flagged)
			}
			if tt.flagged && !strings.Contains(q.Explain, "「称职」及以下等次") {
				t.Errorf("explain = %q", q.Explain)
			}
			for _, p := range res.People {
				if p.Grade != p.ScoreGrade {
					t.Errorf("%s moved from %s to %s: a minimum is flagged, never filled", p.ID, p.ScoreGrade, p.Grade)
				}
			}
		})
	}
}

// 四: "年度考核优秀率=平时考核优秀率(得优秀次数÷3×100%)×40%+年终考核测评优秀率(优秀票
// ÷参加测评总人数×100%)×60%"; "有1次被确定为基本称职的，年度考核不能确定为优秀等次…
// 有2次及以上被确定为基本称职或1次被确定为不称职的，年度考核不能确定为称职及以上等次".
func TestS9Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s9")
	tests := []struct {
		name     string
		periods  []PeriodRecord
		votes    VoteCount
		proposed string
		rate     string
		max      string
		grade    string
		explain  []string
	}{
		// 2/3 × 40% + 15/20 × 60% = 0.266667 + 0.45 = 0.716667 → 0.7167.
		{"优秀2次_15票", records("优秀", "优秀", "称职"), VoteCount{15, 20}, "优秀", "0.7167", "", "优秀",
			[]string{"年度考核优秀率 = (优秀2次 ÷ 3) × 40% + (优秀票15 ÷ 测评20人) × 60% = 71.67%"}},
		// 3/3 × 40% + 20/20 × 60% = 1.
		{"全优全票", records("优秀", "优秀", "优秀"), VoteCount{20, 20}, "优秀", "1", "", "优秀", []string{"= 100%"}},
		// 0 + 0.
		{"无优秀无票", records("称职", "称职", "称职"), VoteCount{0, 18}, "称职", "0", "", "称职", nil},
		// 1/3 × 40% + 7/21 × 60% = 0.133333 + 0.2 = 0.333333 → 0.3333.
		{"1次基本称职_不能优秀", records("优秀", "基本称职", "称职"), VoteCount{7, 21}, "优秀", "0.3333", "称职", "称职",
			[]string{"季度考评有1次基本称职，年度不能确定为优秀"}},
		{"2次基本称职_不能称职", records("基本称职", "基本称职", "称职"), VoteCount{2, 20}, "称职", "0.06", "基本称职", "基本称职",
			[]string{"2次及以上基本称职，年度不能确定为称职及以上"}},
		{"1次不称职_不能称职", records("不称职", "称职", "称职"), VoteCount{0, 20}, "称职", "0", "基本称职", "基本称职",
			[]string{"1次不称职，年度不能确定为称职及以上"}},
		// Below the 测评's anonymity floor (min_voters 5) the vote part is
		// left out and the rate is the 平时 part alone: 2/3 = 0.6667.
		{"4人测评_不计入", records("优秀", "优秀", "称职"), VoteCount{1, 4}, "优秀", "0.6667", "", "优秀",
			[]string{"年终考核测评：参评人数不足5人，不显示、不计入", "年度考核优秀率 = 优秀2次 ÷ 3（按平时考核优秀率折算）= 66.67%"}},
		// Nobody voted: below the floor too, not an error.
		{"无人测评_不计入", records("优秀", "称职", "称职"), VoteCount{0, 0}, "称职", "0.3333", "", "称职",
			[]string{"参评人数不足5人，不显示、不计入"}},
		// At the floor the votes count: 1/3 × 40% + 5/5 × 60% = 0.7333.
		{"5人测评_计入", records("优秀", "称职", "称职"), VoteCount{5, 5}, "优秀", "0.7333", "", "优秀",
			[]string{"(优秀票5 ÷ 测评5人) × 60%"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.votes
			res := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: tt.periods, Votes: &v, Proposed: tt.proposed}}})
			p := yearOf(t, res, "p")
			if p.ExcellenceRate == nil || !p.ExcellenceRate.Equal(D(tt.rate).Decimal) {
				t.Errorf("rate = %v, want %s", p.ExcellenceRate, tt.rate)
			}
			if p.MaxGrade != tt.max || p.Grade != tt.grade {
				t.Errorf("max, grade = %q, %q; want %q, %q", p.MaxGrade, p.Grade, tt.max, tt.grade)
			}
			explainHas(t, "p", p.Explain, tt.explain...)
			if tt.votes.Total < DefaultMinVoters {
				for _, line := range p.Explain {
					if strings.Contains(line, "优秀票") || strings.Contains(line, "测评"+strconv.Itoa(tt.votes.Total)+"人") {
						t.Errorf("below the floor the 测评 is shown: %q", line)
					}
				}
			}
		})
	}
}

// 五: "挂职、抽调单位没有开展平时考核的，期间不参加平时考核，也不计入年度考核结果" beside
// 四's "平时考核优秀率(得优秀次数÷3×100%)": a quarter that does not count in the
// year leaves the divisor (÷2, as S7's "/4" becomes ÷3), so it is not a
// quarter without 优秀 in disguise.
func TestS9ExcludedQuarterLeavesDivisor(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s9")
	tests := []struct {
		name     string
		excluded []int // indexes of the quarters not counted
		grades   []string
		votes    VoteCount
		rate     string // "" for no rate
		explain  []string
	}{
		// (2÷2)×40% + (15÷20)×60% = 0.4 + 0.45 = 0.85; ÷3 would give 0.7167.
		{"一季不计入_优秀2次", []int{1}, []string{"优秀", "", "优秀"}, VoteCount{15, 20}, "0.85",
			[]string{"年度考核优秀率 = (优秀2次 ÷ 2（1期不计入年度考核）) × 40% + (优秀票15 ÷ 测评20人) × 60% = 85%"}},
		// (1÷2)×40% + (7÷21)×60% = 0.2 + 0.2 = 0.4.
		{"一季不计入_优秀1次", []int{0}, []string{"", "优秀", "称职"}, VoteCount{7, 21}, "0.4",
			[]string{"(优秀1次 ÷ 2（1期不计入年度考核）) × 40%"}},
		// Below the 测评's floor: the 平时 part alone, 1÷1 = 100%.
		{"两季不计入_测评不足5人", []int{0, 1}, []string{"", "", "优秀"}, VoteCount{1, 4}, "1",
			[]string{"年度考核优秀率 = 优秀1次 ÷ 1（2期不计入年度考核）（按平时考核优秀率折算）= 100%"}},
		// No quarter counts: the 测评 part alone, 12÷20 = 60%.
		{"全年不计入_仅测评", []int{0, 1, 2}, []string{"", "", ""}, VoteCount{12, 20}, "0.6",
			[]string{"年度考核优秀率 = 优秀票12 ÷ 测评20人（平时考核各期均不计入年度考核，按测评优秀率折算）= 60%"}},
		// Neither part can be counted: no rate.
		{"全年不计入_测评不足5人", []int{0, 1, 2}, []string{"", "", ""}, VoteCount{2, 3}, "",
			[]string{"平时考核各期均不计入年度考核，无年度考核优秀率"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := records(tt.grades...)
			for _, i := range tt.excluded {
				ps[i] = PeriodRecord{Period: ps[i].Period, Excluded: "挂职半年以上，挂职单位未开展平时考核"}
			}
			v := tt.votes
			res := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Periods: ps, Votes: &v}}})
			p := yearOf(t, res, "p")
			switch {
			case tt.rate == "" && p.ExcellenceRate != nil:
				t.Errorf("rate = %v, want none", p.ExcellenceRate)
			case tt.rate != "" && (p.ExcellenceRate == nil || !p.ExcellenceRate.Equal(D(tt.rate).Decimal)):
				t.Errorf("rate = %v, want %s", p.ExcellenceRate, tt.rate)
			}
			explainHas(t, "p", p.Explain, tt.explain...)
		})
	}
}

// TestS9MinVotersValidated: the year-end 测评's floor cannot be set below 3.
func TestS9MinVotersValidated(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s9")
	s.Annual.ExcellenceRate.MinVoters = 2
	if errs := s.validate(); !strings.Contains(fmt.Sprint(errs), "excellence_rate.min_voters") {
		t.Fatalf("min_voters 2 accepted: %v", errs)
	}
}

func TestS9AnnualErrors(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s9")
	tests := []struct {
		name, field string
		p           YearPerson
	}{
		{"缺少测评", "votes", YearPerson{ID: "p", Unit: "u", Periods: records("优秀")}},
		{"优秀票多于测评人数", "votes", YearPerson{ID: "p", Unit: "u", Periods: records("优秀"), Votes: &VoteCount{21, 20}}},
		{"测评人数为负", "votes", YearPerson{ID: "p", Unit: "u", Periods: records("优秀"), Votes: &VoteCount{0, -1}}},
		{"第四季度不单独考评_至多3期", "periods", YearPerson{ID: "p", Unit: "u", Periods: records("优秀", "优秀", "优秀", "优秀"), Votes: &VoteCount{1, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ScoreYear(s, &YearInput{People: []YearPerson{tt.p}})
			wantInputError(t, err, "p", tt.field)
		})
	}
}
