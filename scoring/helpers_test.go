package scoring

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// Helpers shared by the per-scheme tests (s1_test.go … s10_test.go). The
// expected values in those tests are worked out by hand from the seed text;
// these helpers only build inputs and compare.

// builtin loads a seed scheme or fails the test.
func builtin(t *testing.T, id string) *Scheme {
	t.Helper()
	s, err := Builtin(id)
	if err != nil {
		t.Fatalf("Builtin(%q): %v", id, err)
	}
	return s
}

// score runs ScorePeriod and fails the test on an error.
func score(t *testing.T, s *Scheme, in *PeriodInput) *PeriodResult {
	t.Helper()
	res, err := ScorePeriod(s, in)
	if err != nil {
		t.Fatalf("ScorePeriod(%s): %v", s.ID, err)
	}
	return res
}

// scoreYear runs ScoreYear and fails the test on an error.
func scoreYear(t *testing.T, s *Scheme, in *YearInput) *YearResult {
	t.Helper()
	res, err := ScoreYear(s, in)
	if err != nil {
		t.Fatalf("ScoreYear(%s): %v", s.ID, err)
	}
	return res
}

// personOf finds a person in a period result.
func personOf(t *testing.T, res *PeriodResult, id string) *PersonResult {
	t.Helper()
	for i := range res.People {
		if res.People[i].ID == id {
			return &res.People[i]
		}
	}
	t.Fatalf("no person %q in the result", id)
	return nil
}

// yearOf finds a person in a year result.
func yearOf(t *testing.T, res *YearResult, id string) *YearPersonResult {
	t.Helper()
	for i := range res.People {
		if res.People[i].ID == id {
			return &res.People[i]
		}
	}
	t.Fatalf("no person %q in the year result", id)
	return nil
}

// quotaOf finds the quota result for a scope key.
func quotaOf(t *testing.T, res *PeriodResult, scope, key string) *QuotaResult {
	t.Helper()
	for i := range res.Quotas {
		if res.Quotas[i].Scope == scope && res.Quotas[i].Key == key {
			return &res.Quotas[i]
		}
	}
	t.Fatalf("no %s quota for %q in %+v", scope, key, res.Quotas)
	return nil
}

// checkPerson compares a person's score, grade, state and flags. An empty
// want.score means "no score"; flags are compared as a set.
type want struct {
	score      string
	scoreGrade string
	grade      string
	state      string
	flags      []string
	explain    []string // substrings that must appear in Explain
}

func checkPerson(t *testing.T, p *PersonResult, w want) {
	t.Helper()
	switch {
	case w.score == "" && p.Score != nil:
		t.Errorf("%s: score = %s, want none", p.ID, p.Score)
	case w.score != "" && p.Score == nil:
		t.Errorf("%s: no score, want %s", p.ID, w.score)
	case w.score != "" && !p.Score.Equal(decimal.RequireFromString(w.score)):
		t.Errorf("%s: score = %s, want %s", p.ID, p.Score, w.score)
	}
	if w.scoreGrade != "-" && p.ScoreGrade != w.scoreGrade {
		t.Errorf("%s: score grade = %q, want %q", p.ID, p.ScoreGrade, w.scoreGrade)
	}
	if p.Grade != w.grade {
		t.Errorf("%s: grade = %q, want %q", p.ID, p.Grade, w.grade)
	}
	st := w.state
	if st == "" {
		st = StateGraded
	}
	if p.State != st {
		t.Errorf("%s: state = %q, want %q", p.ID, p.State, st)
	}
	if !sameSet(p.Flags, w.flags) {
		t.Errorf("%s: flags = %v, want %v", p.ID, p.Flags, w.flags)
	}
	explainHas(t, p.ID, p.Explain, w.explain...)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// explainHas checks that the explanation mentions each substring.
func explainHas(t *testing.T, who string, lines []string, subs ...string) {
	t.Helper()
	all := strings.Join(lines, "\n")
	for _, s := range subs {
		if !strings.Contains(all, s) {
			t.Errorf("%s: explanation does not mention %q:\n%s", who, s, all)
		}
	}
}

// wantInputError checks that err is an input error naming person and field
// (field is matched as a substring of the error's field path).
func wantInputError(t *testing.T, err error, person, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one naming person %q field %q", person, field)
	}
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("errors.Is(%v, ErrInvalidInput) = false", err)
	}
	var es InputErrors
	if !errors.As(err, &es) {
		t.Fatalf("error %T is not InputErrors: %v", err, err)
	}
	for _, e := range es {
		if e.Person == person && strings.Contains(e.Field, field) {
			return
		}
	}
	t.Errorf("no error naming person %q field %q in:\n%v", person, field, err)
}

// dec parses a decimal literal for inputs.
func dec(s string) Dec { return D(s) }

func decp(s string) *Dec { d := D(s); return &d }

// fill scores a sum-combined indicator tree so that its total is exactly
// total: every leaf starts at its maximum and the deficit is taken from the
// leaves in scheme order. Used where a test cares about the total, not the
// split.
func fill(s *Scheme, total string) map[string]Dec {
	deficit := decimal.RequireFromString(total).Neg()
	var leaves []*Indicator
	var walk func(*Indicator)
	walk = func(ind *Indicator) {
		if len(ind.Children) == 0 {
			leaves = append(leaves, ind)
			deficit = deficit.Add(ind.Max.Decimal)
			return
		}
		for _, c := range ind.Children {
			walk(c)
		}
	}
	for _, ind := range s.Indicators {
		walk(ind)
	}
	if deficit.IsNegative() {
		panic(fmt.Sprintf("fill: total %s above the tree's maximum", total))
	}
	m := map[string]Dec{}
	for _, l := range leaves {
		take := decimal.Min(deficit, l.Max.Decimal)
		m[l.ID] = DecOf(l.Max.Sub(take))
		deficit = deficit.Sub(take)
	}
	return m
}

// leaderInd is a "leader" source holding indicator scores.
func leaderInd(m map[string]Dec) map[string]SourceInput {
	return map[string]SourceInput{"leader": {Indicators: m}}
}

// scoreSrc is a one-score source.
func scoreSrc(id, v string) map[string]SourceInput {
	return map[string]SourceInput{id: {Score: decp(v)}}
}

// votes makes a vote list from the seeds' small examples: the list is
// repeated until it reaches the anonymity floor (DefaultMinVoters), which
// keeps its average, so the arithmetic the seeds show is still what is
// tested. fewVotes makes a list as given.
func votes(vs ...string) []Dec {
	out := fewVotes(vs...)
	for len(vs) > 0 && len(out) < DefaultMinVoters {
		out = append(out, fewVotes(vs...)...)
	}
	return out
}

// fewVotes makes a vote list exactly as given.
func fewVotes(vs ...string) []Dec {
	out := make([]Dec, len(vs))
	for i, v := range vs {
		out[i] = D(v)
	}
	return out
}

// records makes period records from "grade" or "grade:score" strings; an
// empty grade is a period without a grade.
func records(items ...string) []PeriodRecord {
	out := make([]PeriodRecord, len(items))
	for i, it := range items {
		g, sc, _ := strings.Cut(it, ":")
		out[i] = PeriodRecord{Period: fmt.Sprintf("Q%d", i+1), Grade: g}
		if sc != "" {
			out[i].Score = decp(sc)
		}
	}
	return out
}

func intp(n int) *int { return &n }
