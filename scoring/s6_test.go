package scoring

import (
	"fmt"
	"testing"
)

// S6 — 《局关于公务员平时考核工作方案》 (《财政局公务员平时考核工作方案7篇》篇四).

func s6Items(a, b, c, d, e string) map[string]Dec {
	return map[string]Dec{"目标任务完成情况": dec(a), "工作进度效率情况": dec(b), "工作质量情况": dec(c), "出勤参会考核情况": dec(d), "遵守廉洁自律情况": dec(e)}
}

func s6Person(s *Scheme, id, total string) PersonInput {
	return PersonInput{ID: id, Name: id, Unit: "局机关", Tier: "其他", Sources: leaderInd(fill(s, total))}
}

// 四(五): five items, each with its levels ("优秀(30-27分) 称职(26-23分)…").
// Scheme decision: a level runs up to the next level's lower bound (26.5 is
// 称职).
func TestS6ItemLevels(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s6")
	tests := []struct {
		name   string
		items  map[string]Dec
		levels map[string]string
		score  string
		grade  string
		want   map[string]string // item → level
		expl   []string
	}{
		{"各项优秀", s6Items("28", "19", "18", "10", "20"), nil, "95", "优秀",
			map[string]string{"目标任务完成情况": "优秀", "工作进度效率情况": "优秀", "工作质量情况": "优秀", "出勤参会考核情况": "超量", "遵守廉洁自律情况": "自觉遵守廉洁自律"},
			[]string{"目标任务完成情况28/30（优秀）", "出勤参会考核情况10/10（超量）", "合计95", "90分及以上"}},
		{"26.5分为称职_27分为优秀", s6Items("26.5", "18", "17.5", "8", "17"), nil, "87", "称职",
			map[string]string{"目标任务完成情况": "称职", "工作进度效率情况": "优秀", "工作质量情况": "称职", "出勤参会考核情况": "正常", "遵守廉洁自律情况": "基本能够遵守"},
			[]string{"目标任务完成情况26.5/30（称职）", "75分（含）至90分（不含）"}},
		{"下限边界", s6Items("18", "12", "12", "7", "12"), map[string]string{"目标任务完成情况": "基本称职", "出勤参会考核情况": "正常"}, "61", "基本称职",
			map[string]string{"目标任务完成情况": "基本称职", "工作进度效率情况": "基本称职", "工作质量情况": "基本称职", "出勤参会考核情况": "正常", "遵守廉洁自律情况": "基本能够遵守"},
			[]string{"60分（含）至75分（不含）"}},
		{"不称职与处分", s6Items("17", "11", "11.5", "6", "0"), nil, "45.5", "不称职",
			map[string]string{"目标任务完成情况": "不称职", "工作进度效率情况": "不称职", "工作质量情况": "不称职", "出勤参会考核情况": "较少", "遵守廉洁自律情况": "受到党纪政纪处分"},
			[]string{"遵守廉洁自律情况0/20（受到党纪政纪处分）", "低于60分"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := PersonInput{ID: "p", Unit: "u", Tier: "部门负责人", Sources: map[string]SourceInput{"leader": {Indicators: tt.items, Levels: tt.levels}}}
			res := score(t, s, &PeriodInput{People: []PersonInput{in}})
			p := personOf(t, res, "p")
			if p.Score == nil || !p.Score.Equal(D(tt.score).Decimal) || p.ScoreGrade != tt.grade {
				t.Errorf("score %v grade %q, want %s %q", p.Score, p.ScoreGrade, tt.score, tt.grade)
			}
			for _, it := range p.Items {
				if w, ok := tt.want[it.ID]; ok && it.Level != w {
					t.Errorf("%s level = %q, want %q", it.ID, it.Level, w)
				}
			}
			explainHas(t, "p", p.Explain, tt.expl...)
		})
	}
}

// An item's level must contain its score ("称职(26-23分)" cannot hold 28).
func TestS6LevelMismatch(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s6")
	tests := []struct {
		name, item, score, level, field string
	}{
		{"28分不是称职", "目标任务完成情况", "28", "称职", "sources.leader.indicators.目标任务完成情况"},
		{"26.5分不是优秀", "目标任务完成情况", "26.5", "优秀", "sources.leader.indicators.目标任务完成情况"},
		{"出勤没有优秀一档", "出勤参会考核情况", "10", "优秀", "sources.leader.levels.出勤参会考核情况"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			items := s6Items("27", "18", "18", "9", "18")
			items[tt.item] = dec(tt.score)
			in := PersonInput{ID: "p", Unit: "u", Tier: "其他", Sources: map[string]SourceInput{"leader": {Indicators: items, Levels: map[string]string{tt.item: tt.level}}}}
			res, err := ScorePeriod(s, &PeriodInput{People: []PersonInput{in}})
			if res != nil {
				t.Error("result with a bad level")
			}
			wantInputError(t, err, "p", tt.field)
		})
	}
}

// 四(七): "90分以上为优秀，75—89分之间为称职，60-74分之间为基本称职，59分以下为不称职".
func TestS6Bands(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s6")
	tests := []struct{ name, score, grade string }{
		{"优秀_90", "90", "优秀"}, {"称职_89.99", "89.99", "称职"}, {"称职_89.5", "89.5", "称职"}, {"称职_75", "75", "称职"},
		{"基本称职_74.5", "74.5", "基本称职"}, {"基本称职_60", "60", "基本称职"}, {"不称职_59.5", "59.5", "不称职"}, {"不称职_59", "59", "不称职"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := score(t, s, &PeriodInput{People: []PersonInput{s6Person(s, "p", tt.score)}})
			if p := personOf(t, res, "p"); p.ScoreGrade != tt.grade || !p.Score.Equal(D(tt.score).Decimal) {
				t.Errorf("score %s grade %q, want %s %q", p.Score, p.ScoreGrade, tt.score, tt.grade)
			}
		})
	}
}

// "平时考核优秀公务员比率控制在参加考核总人数的30%以内".
func TestS6Quota(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s6")
	scores := []string{"96", "95", "93", "92", "91", "88", "85", "80", "78", "70"}
	var ps []PersonInput
	for i, sc := range scores {
		ps = append(ps, s6Person(s, fmt.Sprintf("P%d", i+1), sc))
	}
	res := score(t, s, &PeriodInput{People: ps})
	// 30% × 10 = 3: P4 (92) and P5 (91) drop to 称职.
	for id, g := range map[string]string{"P3": "优秀", "P4": "称职", "P5": "称职"} {
		if p := personOf(t, res, id); p.Grade != g {
			t.Errorf("%s grade %q, want %q", id, p.Grade, g)
		}
	}
	q := quotaOf(t, res, "unit", "局机关")
	if *q.MaxCount != 3 || !sameSet(q.Demoted, []string{"P4", "P5"}) {
		t.Errorf("quota = %+v", q)
	}
	explainHas(t, "quota", []string{q.Explain}, "「优秀」不超过30%，即至多3人")
}

// 四(六): "公务员平时考核得分占年度考核得分60%" (scheme: the annual part is the
// other 40%, and the total is banded like a quarter).
func TestS6Annual(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s6")
	tests := []struct {
		name, annual, periodic, total, grade string
		periods                              []PeriodRecord
	}{
		// (92+88+90+94)/4 = 91; 91×60% + 85×40% = 54.6 + 34 = 88.6.
		{"平时91_年度85_称职", "85", "91", "88.6", "称职", records("优秀:92", "称职:88", "优秀:90", "优秀:94")},
		// 92×60% + 87.5×40% = 55.2 + 35 = 90.2.
		{"平时92_年度87.5_优秀", "87.5", "92", "90.2", "优秀", records("优秀:95", "优秀:93", "优秀:91", "称职:89")},
		// 90×60% + 90×40% = 90: 优秀 at the bound.
		{"恰好90分_优秀", "90", "90", "90", "优秀", records("优秀:90", "优秀:90", "优秀:90", "优秀:90")},
		// 89.75×60% + 89.5×40% = 53.85 + 35.8 = 89.65.
		{"89.65_称职", "89.5", "89.75", "89.65", "称职", records("称职:89", "优秀:90", "优秀:90", "优秀:90")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := scoreYear(t, s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Tier: "其他", Periods: tt.periods, Annual: &AnnualInput{Score: decp(tt.annual)}}}})
			p := yearOf(t, res, "p")
			if !p.Periodic.Equal(D(tt.periodic).Decimal) || !p.Total.Equal(D(tt.total).Decimal) || p.Grade != tt.grade {
				t.Errorf("periodic %s total %s grade %q, want %s %s %q", p.Periodic, p.Total, p.Grade, tt.periodic, tt.total, tt.grade)
			}
			explainHas(t, "p", p.Explain, "× 60%", "× 40% = "+p.Total.String())
		})
	}
}

// A graded quarter without its score cannot enter the 60% periodic part.
func TestS6AnnualNeedsScores(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s6")
	_, err := ScoreYear(s, &YearInput{People: []YearPerson{{ID: "p", Unit: "u", Tier: "其他",
		Periods: records("优秀:92", "称职", "优秀:90", "优秀:94"), Annual: &AnnualInput{Score: decp("85")}}}})
	wantInputError(t, err, "p", "periods[1].score")
}
