package calendar

import (
	"testing"
)

// fuzzPeriods are the periods every fuzzed rule is applied to: the 2026
// holiday-heavy ones and both ends of the year.
var fuzzPeriods = []string{"2026-W40", "2026-W53", "2026-02", "2026-09", "2026-Q3", "2026-Q4", "2026-H1", "2026", "2027-Q4"}

// FuzzParseRule checks that ParseRule never panics, that what it accepts
// writes back to a spec that parses to the same rule, and that applying an
// accepted rule never panics and gives Start ≤ Due with Due a working day.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		"next-monday", "last-workday", "last-week", "first-week-next",
		"next-month-day:6", "next-month-day:31", "workdays-after-end:3", "workdays-after-end:0",
		"fixed:07-10", "fixed-next-year:01-20", "fixed:02-29", "fixed:12-31",
		"", " ", ":", "next-month-day:", "next-month-day:-1", "next-month-day:99999999999999999999",
		"fixed:7-10", "fixed:07-10:", "workdays-after-end:1e3", "下一个季度第一周内", "fixed:\x0007-10",
	} {
		f.Add(s)
	}
	c := Default()
	periods := make([]Period, len(fuzzPeriods))
	for i, s := range fuzzPeriods {
		periods[i] = MustParsePeriod(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := ParseRule(spec)
		if err != nil {
			if !r.IsZero() {
				t.Fatalf("ParseRule(%q) returned %v with error %v", spec, r, err)
			}
			return
		}
		back, err := ParseRule(r.String())
		if err != nil || back != r {
			t.Fatalf("ParseRule(%q).String() = %q, which parses to %v, %v", spec, r.String(), back, err)
		}
		for _, p := range periods {
			dl, err := r.Apply(c, p)
			if err != nil {
				t.Fatalf("%s on %s: %v", r, p, err)
			}
			if dl.Start.After(dl.Due) {
				t.Fatalf("%s on %s: start %s after due %s", r, p, dl.Start, dl.Due)
			}
			if !c.IsWorkday(dl.Due) {
				t.Fatalf("%s on %s: due %s is not a working day", r, p, dl.Due)
			}
		}
	})
}

// FuzzParsePeriod checks that ParsePeriod never panics and that every id it
// accepts is canonical and names a period whose neighbours fit around it.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026-W40", "2026-W53", "2025-W53", "2026-09", "2026-Q3", "2026-H2", "2026", "0001-W01", "9999-12", "2026-", "2026-Q", "2026-W-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.String() != s {
			t.Fatalf("ParsePeriod(%q).String() = %q", s, p.String())
		}
		if p.Start().After(p.End()) {
			t.Fatalf("%s: start %s after end %s", s, p.Start(), p.End())
		}
		if PeriodContaining(p.Kind(), p.Start()) != p || PeriodContaining(p.Kind(), p.End()) != p {
			t.Fatalf("%s: PeriodContaining disagrees at its edges", s)
		}
		if p.Next().Prev() != p {
			t.Fatalf("%s: Next().Prev() = %s", s, p.Next().Prev())
		}
	})
}

// FuzzParseDate checks that ParseDate never panics and accepts only valid,
// canonical dates.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-10-01", "2024-02-29", "2026-02-29", "0000-01-01", "9999-12-31", "2026-1-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if !d.IsValid() || d.String() != s {
			t.Fatalf("ParseDate(%q) = %+v (valid %v, string %q)", s, d, d.IsValid(), d.String())
		}
	})
}
