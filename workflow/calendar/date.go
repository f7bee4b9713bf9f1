package calendar

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidDate is wrapped by every error about a malformed or impossible
// date, so callers can tell bad input from other failures.
var ErrInvalidDate = errors.New("invalid date")

// DateLayout is the only text form of a Date, used by ParseDate, String and
// the text (JSON, YAML) encoding.
const DateLayout = "2006-01-02"

// Date is a civil date: a day in the calendar with no time and no location.
// Deadlines are days in Beijing ("7月10日前"), and keeping them as days until
// the edge avoids the off-by-one-day errors that midnight instants in the
// wrong location cause.
//
// Date is comparable and may be used as a map key. The zero Date is not a
// valid date; see IsZero and IsValid. Methods that compute with a Date
// normalise an impossible one (February 30) the way time.Date does.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date year-month-day, normalised the way time.Date
// normalises: NewDate(2026, 2, 30) is 2 March 2026.
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date of t in t's location. Use Calendar.Date to get
// the date in the calendar's location instead.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses s in the form "2006-01-02". The error wraps
// ErrInvalidDate and quotes s.
func ParseDate(s string) (Date, error) {
	// With this layout time.Parse wants zero-padded fields and rejects
	// impossible days such as 2026-02-30, which is exactly our rule.
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w: want YYYY-MM-DD", s, ErrInvalidDate)
	}
	d := DateOf(t)
	if !d.IsValid() { // year 0000
		return Date{}, fmt.Errorf("parse date %q: %w: year must be 0001–9999", s, ErrInvalidDate)
	}
	return d, nil
}

// MustParseDate is ParseDate for literals in code and tests; it panics on
// error.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String formats d as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText implements encoding.TextMarshaler; the form is DateLayout.
func (d Date) MarshalText() ([]byte, error) {
	if !d.IsValid() {
		return nil, fmt.Errorf("marshal date %s: %w", d, ErrInvalidDate)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts what
// ParseDate accepts.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero reports whether d is the zero Date (no date set).
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a real day: month 1–12 and a day that
// exists in that month, in years 1–9999 (the years DateLayout can write).
func (d Date) IsValid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

// time returns midnight UTC at d; UTC has no daylight saving, so day
// arithmetic on it is exact.
func (d Date) time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// normal returns d normalised (February 30 → March 2).
func (d Date) normal() Date { return DateOf(d.time()) }

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days after d (before d if n is negative).
func (d Date) AddDays(n int) Date {
	return NewDate(d.Year, d.Month, d.Day+n)
}

// DaysSince returns the number of days from o to d: positive when d is
// after o.
func (d Date) DaysSince(o Date) int {
	// Unix seconds, not Sub: a Duration saturates after about 292 years.
	return int((d.time().Unix() - o.time().Unix()) / secondsPerDay)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

// Compare returns -1 if d is before o, 0 if they are the same day and +1 if
// d is after o.
func (d Date) Compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	default:
		return 0
	}
}

const secondsPerDay = 24 * 60 * 60

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// mondayOnOrBefore returns the Monday of the Monday–Sunday week holding d.
func mondayOnOrBefore(d Date) Date {
	// time.Weekday counts from Sunday = 0; shift so Monday = 0.
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}
