package calendar

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrInvalidPeriod is wrapped by every error about a malformed period id or
// period kind.
var ErrInvalidPeriod = errors.New("invalid period")

// PeriodKind is the length of an appraisal period.
type PeriodKind int

// The period kinds. Schemes run quarterly by default; window units (窗口单位)
// may run monthly (S4 notes); records are weekly (S1) and the annual
// appraisal is yearly.
const (
	// Week is an ISO 8601 week, Monday to Sunday (周记实).
	Week PeriodKind = iota + 1
	// Month is a calendar month (月小结).
	Month
	// Quarter is a calendar quarter (季度考核), the usual appraisal period.
	Quarter
	// Half is a half year, January–June or July–December (S2 files Q1–Q2
	// together).
	Half
	// Year is a calendar year (年度考核).
	Year
)

var periodKindNames = [...]string{Week: "week", Month: "month", Quarter: "quarter", Half: "half", Year: "year"}

// String returns the kind's name as ParsePeriodKind accepts it: "week",
// "month", "quarter", "half" or "year".
func (k PeriodKind) String() string {
	if k >= Week && k <= Year {
		return periodKindNames[k]
	}
	return "PeriodKind(" + strconv.Itoa(int(k)) + ")"
}

// ParsePeriodKind parses a kind name as String writes it. The error wraps
// ErrInvalidPeriod.
func ParsePeriodKind(s string) (PeriodKind, error) {
	for k := Week; k <= Year; k++ {
		if periodKindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("parse period kind %q: %w: want week, month, quarter, half or year", s, ErrInvalidPeriod)
}

// MarshalText implements encoding.TextMarshaler.
func (k PeriodKind) MarshalText() ([]byte, error) {
	if k < Week || k > Year {
		return nil, fmt.Errorf("marshal period kind %d: %w", int(k), ErrInvalidPeriod)
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *PeriodKind) UnmarshalText(b []byte) error {
	v, err := ParsePeriodKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Period is one week, month, quarter, half year or year. Weeks are ISO 8601
// weeks (Monday to Sunday, numbered within the ISO week-numbering year), so
// a week never straddles two ids.
//
// Period is comparable and may be used as a map key. The zero Period is not
// a period; see IsZero.
type Period struct {
	kind PeriodKind
	year int // the ISO week-numbering year for weeks
	n    int // week 1–53, month 1–12, quarter 1–4, half 1–2; 0 for years
}

// PeriodContaining returns the period of the given kind that contains d, or
// the zero Period if kind is not a valid PeriodKind.
func PeriodContaining(kind PeriodKind, d Date) Period {
	d = d.normal()
	switch kind {
	case Week:
		y, w := d.time().ISOWeek()
		return Period{kind: Week, year: y, n: w}
	case Month:
		return Period{kind: Month, year: d.Year, n: int(d.Month)}
	case Quarter:
		return Period{kind: Quarter, year: d.Year, n: (int(d.Month)-1)/3 + 1}
	case Half:
		return Period{kind: Half, year: d.Year, n: (int(d.Month)-1)/6 + 1}
	case Year:
		return Period{kind: Year, year: d.Year}
	}
	return Period{}
}

// ParsePeriod parses a period id: "2026-W40" (ISO week, two digits),
// "2026-09", "2026-Q3", "2026-H2" or "2026". Years run from 0001 to 9999.
// The error wraps ErrInvalidPeriod and quotes s.
func ParsePeriod(s string) (Period, error) {
	bad := func(why string) (Period, error) {
		return Period{}, fmt.Errorf("parse period %q: %w: %s", s, ErrInvalidPeriod, why)
	}
	if len(s) < 4 {
		return bad(`want "2026", "2026-H2", "2026-Q3", "2026-09" or "2026-W40"`)
	}
	year, ok := digits(s[:4])
	if !ok || year < 1 {
		return bad("year must be four digits from 0001")
	}
	rest := s[4:]
	if rest == "" {
		return Period{kind: Year, year: year}, nil
	}
	if rest[0] != '-' || len(rest) < 3 {
		return bad(`want "2026", "2026-H2", "2026-Q3", "2026-09" or "2026-W40"`)
	}
	rest = rest[1:]
	var (
		p   = Period{year: year}
		max int
	)
	switch rest[0] {
	case 'W':
		p.kind, rest = Week, rest[1:]
		max = isoWeeksIn(year)
	case 'Q':
		p.kind, rest, max = Quarter, rest[1:], 4
	case 'H':
		p.kind, rest, max = Half, rest[1:], 2
	default:
		p.kind, max = Month, 12
	}
	want := 1
	if p.kind == Week || p.kind == Month {
		want = 2
	}
	n, ok := digits(rest)
	if !ok || len(rest) != want {
		return bad(fmt.Sprintf("%s number must be %d digit(s)", p.kind, want))
	}
	if n < 1 || n > max {
		return bad(fmt.Sprintf("%s number %d out of range 1–%d", p.kind, n, max))
	}
	p.n = n
	return p, nil
}

// MustParsePeriod is ParsePeriod for literals in code and tests; it panics
// on error.
func MustParsePeriod(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// digits parses s as an unsigned decimal of at most four digits.
func digits(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p == Period{} }

// Kind returns the period's kind.
func (p Period) Kind() PeriodKind { return p.kind }

// Year returns the period's year; for a week, the ISO week-numbering year,
// which differs from the calendar year for some days around 1 January.
func (p Period) Year() int { return p.year }

// Index returns the period's number within its year: week 1–53, month 1–12,
// quarter 1–4, half 1–2, and 0 for a year.
func (p Period) Index() int { return p.n }

// String returns the period id that ParsePeriod reads: "2026-W40",
// "2026-09", "2026-Q3", "2026-H2" or "2026"; "" for the zero Period.
func (p Period) String() string {
	switch p.kind {
	case Week:
		return fmt.Sprintf("%04d-W%02d", p.year, p.n)
	case Month:
		return fmt.Sprintf("%04d-%02d", p.year, p.n)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.year, p.n)
	case Half:
		return fmt.Sprintf("%04d-H%d", p.year, p.n)
	case Year:
		return fmt.Sprintf("%04d", p.year)
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler; the form is String's.
func (p Period) MarshalText() ([]byte, error) {
	if p.IsZero() {
		return nil, fmt.Errorf("marshal zero period: %w", ErrInvalidPeriod)
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts what
// ParsePeriod accepts.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Start returns the first day of the period (a Monday for weeks).
func (p Period) Start() Date {
	switch p.kind {
	case Week:
		return isoWeekOneMonday(p.year).AddDays(7 * (p.n - 1))
	case Month:
		return Date{p.year, time.Month(p.n), 1}
	case Quarter:
		return Date{p.year, time.Month(3*(p.n-1) + 1), 1}
	case Half:
		return Date{p.year, time.Month(6*(p.n-1) + 1), 1}
	case Year:
		return Date{p.year, time.January, 1}
	}
	return Date{}
}

// End returns the last day of the period (a Sunday for weeks).
func (p Period) End() Date {
	if p.IsZero() {
		return Date{}
	}
	return p.Next().Start().AddDays(-1)
}

// Contains reports whether d falls within the period.
func (p Period) Contains(d Date) bool {
	return !p.IsZero() && !d.Before(p.Start()) && !d.After(p.End())
}

// Next returns the period of the same kind that follows p.
func (p Period) Next() Period {
	switch p.kind {
	case Week:
		return PeriodContaining(Week, p.Start().AddDays(7))
	case Month:
		return PeriodContaining(Month, NewDate(p.year, time.Month(p.n)+1, 1))
	case Quarter:
		return PeriodContaining(Quarter, NewDate(p.year, time.Month(3*p.n)+1, 1))
	case Half:
		return PeriodContaining(Half, NewDate(p.year, time.Month(6*p.n)+1, 1))
	case Year:
		return Period{kind: Year, year: p.year + 1}
	}
	return Period{}
}

// Prev returns the period of the same kind that precedes p.
func (p Period) Prev() Period {
	if p.IsZero() {
		return Period{}
	}
	return PeriodContaining(p.kind, p.Start().AddDays(-1))
}

// isoWeekOneMonday returns the Monday of ISO week 1 of year: the week that
// holds 4 January.
func isoWeekOneMonday(year int) Date {
	return mondayOnOrBefore(Date{year, time.January, 4})
}

// isoWeeksIn returns 52 or 53, the number of ISO weeks in year; 28 December
// is always in the year's last week.
func isoWeeksIn(year int) int {
	_, w := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	return w
}
