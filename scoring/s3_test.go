package scoring

import (
	"fmt"
	"strings"
	"testing"
)

// S3 — 《2015 公务员平时考核实施方案》, 市体育局（定西） (《财政局公务员平时考核工作方案7篇》
// 篇一（三）). The seed stops inside 二、考核内容; the scheme takes S4's indicator weights and bands and a
// 70/30 leader/群众 split (一: "实行领导与群众相结合"), each marked a decision.

func s3Person(s *Scheme, id, leader string, vs ...string) PersonInput {
	return PersonInput{ID: id, Name: id, Unit: "体育局", Sources: map[string]SourceInput{
		"leader": {Indicators: fill(s, leader)},
		"masses": {Votes: votes(vs...)},
	}}
}

func TestS3Score(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s3")
	tests := []struct {
		name, leader string
		votes        []string
		score, grade string
		explain      []string
	}{
		// 90 × 70% + (85+88+91)/3 × 30% = 63 + 26.4 = 89.4 → 较好.
		{"领导90_群众88_较好", "90", []string{"85", "88", "91"}, "89.4", "较好",
			[]string{"领导评价：德10/20", "合计90 × 70% = 63", "群众评议：6票平均88 × 30% = 26.4", "75分（含）至90分（不含）"}},
		// 95 × 70% + 90 × 30% = 66.5 + 27 = 93.5 → 好.
		{"领导95_群众90_好", "95", []string{"90"}, "93.5", "好", []string{"90分及以上"}},
		// 90 × 70% + 90 × 30% = 90 → 好 (90分及以上).
		{"恰好90_好", "90", []string{"90"}, "90", "好", []string{"90分及以上"}},
		// 89.99 × 70% + 89.99 × 30% = 89.99 → 较好.
		{"89.99_较好", "89.99", []string{"89.99"}, "89.99", "较好", nil},
		// 60 × 70% + 59 × 30% = 42 + 17.7 = 59.7 → 较差.
		{"59.7_较差", "60", []string{"59"}, "59.7", "较差", []string{"低于60分"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := score(t, s, &PeriodInput{People: []PersonInput{s3Person(s, "p", tt.leader, tt.votes...)}})
			// S3 sets no quota (the seed text is cut off before any).
			checkPerson(t, personOf(t, res, "p"), want{score: tt.score, scoreGrade: tt.grade, grade: tt.grade, explain: tt.explain})
			if len(res.Quotas) != 0 {
				t.Errorf("quotas = %+v, want none", res.Quotas)
			}
		})
	}
}

func TestS3MissingMasses(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s3")
	p := s3Person(s, "p", "90", "90")
	delete(p.Sources, "masses")
	_, err := ScorePeriod(s, &PeriodInput{People: []PersonInput{p}})
	wantInputError(t, err, "p", "sources.masses")
}

// TestAnonymityFloor: below a source's min_voters the ballots are neither
// counted nor shown, not even their number, and the other sources are
// scaled to the whole; at the floor they count as usual.
func TestAnonymityFloor(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s3")
	tests := []struct {
		name    string
		votes   []Dec
		score   string
		flagged bool
		explain string
	}{
		// Nobody voted (a 考核单元 of one, or nobody cast a ballot): the
		// same as too few, not missing data.
		{"NoVoters", nil, "80", true, "群众评议：参评人数不足5人，不显示、不计入"},
		{"TwoVoters", fewVotes("66", "70"), "80", true, "群众评议：参评人数不足5人，不显示、不计入"},
		{"FourVoters", fewVotes("66", "70", "90", "100"), "80", true, "按计入部分折算：56 ÷ 70% = 80"},
		{"FiveVoters", fewVotes("60", "60", "60", "60", "60"), "74", false, "群众评议：5票平均60 × 30% = 18"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := s3Person(s, "p", "80")
			p.Sources["masses"] = SourceInput{Votes: tc.votes}
			res, err := ScorePeriod(s, &PeriodInput{People: []PersonInput{p}})
			if err != nil {
				t.Fatal(err)
			}
			r := res.People[0]
			if r.Score == nil || r.Score.String() != tc.score {
				t.Errorf("score = %v, want %s", r.Score, tc.score)
			}
			if got := contains(r.Flags, FlagFewVoters); got != tc.flagged {
				t.Errorf("few_voters flag = %v, want %v", got, tc.flagged)
			}
			text := strings.Join(r.Explain, "\n")
			if !strings.Contains(text, tc.explain) {
				t.Errorf("explanation lacks %q:\n%s", tc.explain, text)
			}
			if tc.flagged {
				for _, v := range tc.votes {
					if strings.Contains(text, "票") || strings.Contains(text, "平均"+v.String()) {
						t.Errorf("explanation reveals the ballots:\n%s", text)
					}
				}
				for _, src := range r.Sources {
					if src.ID == "masses" {
						t.Errorf("source value shown below the floor: %+v", src)
					}
				}
			}
		})
	}
}

func TestMinVotersValidated(t *testing.T) {
	t.Parallel()
	s := builtin(t, "s3")
	for i := range s.Raters {
		for j := range s.Raters[i].Sources {
			if s.Raters[i].Sources[j].Kind == "votes" {
				s.Raters[i].Sources[j].MinVoters = 2
			}
		}
	}
	if errs := s.validate(); !strings.Contains(fmt.Sprint(errs), "min_voters") {
		t.Fatalf("min_voters 2 accepted: %v", errs)
	}
}
