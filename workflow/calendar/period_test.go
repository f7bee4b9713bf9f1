package calendar

import (
	"errors"
	"testing"
)

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         string
		kind       PeriodKind
		start, end string
	}{
		{"Week", "2026-W40", Week, "2026-09-28", "2026-10-04"},
		{"FirstWeekStartsInDecember", "2026-W01", Week, "2025-12-29", "2026-01-04"},
		{"Week53", "2026-W53", Week, "2026-12-28", "2027-01-03"},
		{"Week53Of2020", "2020-W53", Week, "2020-12-28", "2021-01-03"},
		{"Month", "2026-09", Month, "2026-09-01", "2026-09-30"},
		{"February", "2024-02", Month, "2024-02-01", "2024-02-29"},
		{"Quarter", "2026-Q3", Quarter, "2026-07-01", "2026-09-30"},
		{"Q4", "2026-Q4", Quarter, "2026-10-01", "2026-12-31"},
		{"Half", "2026-H2", Half, "2026-07-01", "2026-12-31"},
		{"H1", "2026-H1", Half, "2026-01-01", "2026-06-30"},
		{"Year", "2026", Year, "2026-01-01", "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePeriod(tt.in)
			if err != nil {
				t.Fatalf("ParsePeriod(%q): %v", tt.in, err)
			}
			if p.Kind() != tt.kind || p.Start() != d(tt.start) || p.End() != d(tt.end) {
				t.Errorf("ParsePeriod(%q) = %v %s..%s, want %v %s..%s", tt.in, p.Kind(), p.Start(), p.End(), tt.kind, tt.start, tt.end)
			}
			if got := p.String(); got != tt.in {
				t.Errorf("String() = %q, want %q", got, tt.in)
			}
			for _, x := range []Date{p.Start(), p.End()} {
				if got := PeriodContaining(tt.kind, x); got != p {
					t.Errorf("PeriodContaining(%v, %s) = %s, want %s", tt.kind, x, got, p)
				}
			}
			if !p.Contains(p.End()) || p.Contains(p.End().AddDays(1)) || p.Contains(p.Start().AddDays(-1)) {
				t.Errorf("Contains is wrong at the edges of %s", p)
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"", "26", "0000", "2026-", "2026-W", "2026-W1", "2026-W001", "2026-W00", "2025-W53",
		"2026-9", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-Q03", "2026-H3", "2026-q3",
		"2026-h2", "2026-w40", "2026_Q3", "+026", "2026 ", " 2026", "2026-Q-1", "2026-W+1",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePeriod(in)
			if !errors.Is(err, ErrInvalidPeriod) {
				t.Errorf("ParsePeriod(%q) = %v, %v; want an error wrapping ErrInvalidPeriod", in, p, err)
			}
		})
	}
}

func TestPeriodContainingWeek(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		date string
		want string
	}{
		{"NationalDay", "2026-10-01", "2026-W40"},
		{"LastDayOf2026", "2026-12-31", "2026-W53"},
		{"NewYear2027IsStill2026", "2027-01-01", "2026-W53"},
		{"SundayEndsW53", "2027-01-03", "2026-W53"},
		{"Monday2027W01", "2027-01-04", "2027-W01"},
		{"December2024IsIn2025", "2024-12-30", "2025-W01"},
		{"January2021IsIn2020", "2021-01-03", "2020-W53"},
		{"LastWeekOf2025", "2025-12-28", "2025-W52"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := PeriodContaining(Week, d(tt.date)).String(); got != tt.want {
				t.Errorf("PeriodContaining(Week, %s) = %s, want %s", tt.date, got, tt.want)
			}
		})
	}
	if p := PeriodContaining(PeriodKind(99), d("2026-01-01")); !p.IsZero() {
		t.Errorf("PeriodContaining(bad kind) = %v, want the zero Period", p)
	}
}

func TestPeriodNextPrev(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, next, prev string
	}{
		{"Week53", "2026-W53", "2027-W01", "2026-W52"},
		{"Week1", "2025-W01", "2025-W02", "2024-W52"},
		{"Week52To53", "2020-W52", "2020-W53", "2020-W51"},
		{"December", "2026-12", "2027-01", "2026-11"},
		{"January", "2026-01", "2026-02", "2025-12"},
		{"Q4", "2026-Q4", "2027-Q1", "2026-Q3"},
		{"Q1", "2026-Q1", "2026-Q2", "2025-Q4"},
		{"H2", "2026-H2", "2027-H1", "2026-H1"},
		{"Year", "2026", "2027", "2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := MustParsePeriod(tt.in)
			if got := p.Next().String(); got != tt.next {
				t.Errorf("%s.Next() = %s, want %s", tt.in, got, tt.next)
			}
			if got := p.Prev().String(); got != tt.prev {
				t.Errorf("%s.Prev() = %s, want %s", tt.in, got, tt.prev)
			}
			if got := p.Next().Prev(); got != p {
				t.Errorf("%s.Next().Prev() = %s", tt.in, got)
			}
			if p.Next().Start() != p.End().AddDays(1) {
				t.Errorf("%s.Next() does not start the day after %s ends", tt.in, tt.in)
			}
		})
	}
}

func TestKindText(t *testing.T) {
	t.Parallel()
	for k := Week; k <= Year; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText: %v", k, err)
		}
		var back PeriodKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("round trip of %v = %v, %v", k, back, err)
		}
	}
	if _, err := ParsePeriodKind("季度"); !errors.Is(err, ErrInvalidPeriod) {
		t.Errorf("ParsePeriodKind(季度) error = %v, want ErrInvalidPeriod", err)
	}
}
