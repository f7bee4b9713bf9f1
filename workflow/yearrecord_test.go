package workflow

import (
	"testing"

	"github.com/kaohe/kaohe/scoring"
)

// TestYearRecord: a grade the committee, a direct determination or a 复核
// set is marked direct for the year (the engine refuses a grade above the
// score's band otherwise), and a refusal carries over (S10 四(三)).
func TestYearRecord(t *testing.T) {
	t.Parallel()
	d := scoring.D("65")
	tests := []struct {
		name            string
		flags           []string
		direct, refused bool
	}{
		{"Plain", nil, false, false},
		{"Demoted", []string{scoring.FlagDemoted}, false, false},
		{"Direct", []string{scoring.FlagDirect}, true, false},
		{"Committee", []string{scoring.FlagCommittee}, true, false},
		{"Review", []string{FlagReviewChanged}, true, false},
		{"Refused", []string{scoring.FlagRefused, scoring.FlagDirect}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := Result{Period: "2026-Q2", Score: &d, Grade: "较好", Flags: tc.flags}.YearRecord()
			if rec.Period != "2026-Q2" || rec.Grade != "较好" || rec.Score != &d || rec.Direct != tc.direct || rec.Refused != tc.refused {
				t.Errorf("record = %+v, want direct %v refused %v", rec, tc.direct, tc.refused)
			}
		})
	}
}

// TestFillYear: every period of the scheme's year is listed; one without a
// result is excluded with the reason, in period order.
func TestFillYear(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scheme string
		want   []string
	}{
		{"s4", []string{"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}},
		// Q4 merges into the annual appraisal; a scheme other than the
		// default (s4 here) has its periods' ids.
		{"s9", []string{"2026-Q1@s9", "2026-Q2@s9", "2026-Q3@s9"}},
	} {
		t.Run(tc.scheme, func(t *testing.T) {
			t.Parallel()
			sc, err := scoring.Builtin(tc.scheme)
			if err != nil {
				t.Fatal(err)
			}
			def, err := scoring.Builtin("s4")
			if err != nil {
				t.Fatal(err)
			}
			s := &Service{scheme: def}
			got := s.fillYear(sc, tc.scheme, 2026, []scoring.PeriodRecord{{Period: tc.want[2], Grade: sc.Grades[0].Label}})
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %v", got, tc.want)
			}
			for i, r := range got {
				if r.Period != tc.want[i] {
					t.Errorf("period %d = %s, want %s", i, r.Period, tc.want[i])
				}
				if (r.Period == tc.want[2]) == (r.Excluded != "") {
					t.Errorf("%s excluded %q", r.Period, r.Excluded)
				}
			}
		})
	}
}
