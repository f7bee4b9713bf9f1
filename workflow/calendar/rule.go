package calendar

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidRule is wrapped by every error about a malformed rule spec, and
// by Rule.Apply when given the zero Rule.
var ErrInvalidRule = errors.New("invalid deadline rule")

// maxRuleSpecLen bounds a rule spec; the longest valid one is 22 bytes, and
// a bound keeps errors that quote the spec short.
const maxRuleSpecLen = 64

// maxRuleWorkdays bounds "workdays-after-end:N"; no scheme allows more than
// a few weeks, and a bound keeps Apply's day-by-day walk short.
const maxRuleWorkdays = 100

type ruleKind int

const (
	ruleNextMonday ruleKind = iota + 1
	ruleLastWorkday
	ruleNextMonthDay
	ruleWorkdaysAfterEnd
	ruleFirstWeekNext
	ruleLastWeek
	ruleFixed
	ruleFixedNextYear
)

var ruleNames = map[ruleKind]string{
	ruleNextMonday:       "next-monday",
	ruleLastWorkday:      "last-workday",
	ruleNextMonthDay:     "next-month-day",
	ruleWorkdaysAfterEnd: "workdays-after-end",
	ruleFirstWeekNext:    "first-week-next",
	ruleLastWeek:         "last-week",
	ruleFixed:            "fixed",
	ruleFixedNextYear:    "fixed-next-year",
}

const ruleSpecsHelp = "want next-monday, last-workday, last-week, first-week-next, " +
	"next-month-day:N, workdays-after-end:N, fixed:MM-DD or fixed-next-year:MM-DD"

// Rule is a deadline rule: data that says when a step of the cycle is due
// for a period. Rules are written as short specs so that a scheme in YAML
// carries them; ParseRule reads a spec and String writes it back.
//
// What a rule gives is a Deadline: Due is the last day on which the step is
// on time (inclusive; the cut-off instant is Calendar.EndOf(Due)), and
// Start the first day of the window the rule names. Chinese notices write
// deadlines as "X日前"/"以前", which offices read as "on or before X", so
// every rule's day is inclusive. A rule whose day is a calendar date (a
// Monday, the 6th, 10 July) moves to the next working day when that date
// is not one, because the step is an office act that cannot happen while
// the office is closed; rules counted in working days need no move.
//
// The specs, and the seed each comes from:
//
//   - "next-monday": due on the first Monday after the period ends, moved
//     to the next working day if that Monday is not one. 周记实 "在次周一以前
//     填写" (S1). We read 以前 as inclusive, like 日前 above, so the record
//     may still be written on Monday morning; this is also why DESIGN's
//     Monday-morning chase is a "due today" reminder, not an overdue one.
//     Start is the period's first day: the record is kept as the week goes
//     (日台账、周记实).
//   - "last-workday": due on the last working day of the period; Start is
//     the same day. 月小结 "每月最后一个工作日" (S5, S7).
//   - "last-week": the last week of the period, "每季度最后一周" (S5, S7).
//     Due is the period's last working day and Start is six days before
//     it (not before the period's start): seven days, so that a period
//     ending early in a calendar week still gets a working week's worth of
//     days, and counted back from the last working day so that a period
//     ending on a weekend does not lose two of them.
//   - "first-week-next": the first week of the next period, "于下一个季度第一
//     周内" (S5). Start is the next period's first working day and Due the
//     last working day of the seven days from Start. Counting from the
//     first working day matters: the first seven days of Q4 2026 (1–7
//     October) are all 国庆 holidays.
//   - "next-month-day:N": due on day N (1–31) of the month after the period
//     ends, moved to the next working day if needed; N beyond the month's
//     length means its last day. "每季度结束后的次月6日前" (S2) is
//     next-month-day:6. Start is the day after the period ends.
//   - "workdays-after-end:N": due on the N-th working day (0–100) after the
//     period's last day; N=0 means the last day itself if it is a working
//     day, else the next one. "每个季度结束后的3个工作日内" (S10) is
//     workdays-after-end:3. Start is the day after the period ends.
//   - "fixed:MM-DD": due on the first MM-DD after the period ends, moved to
//     the next working day if needed. "第一、二季度平时考核情况于每年7月10
//     前报" (S2) is fixed:07-10 on the half year 2026-H1 (or on Q1 or Q2).
//     Start is the day after the period ends.
//   - "fixed-next-year:MM-DD": due on MM-DD of the year after the year in
//     which the period ends, moved to the next working day if needed.
//     "在下一年度1月中旬上报" (S4): 中旬 is the 11th to the 20th, and a due
//     day is the last day on time, so S4 is fixed-next-year:01-20 (use
//     01-15 for a unit that wants the filing in by the middle of 中旬).
//     Start is the day after the period ends.
//
// 02-29 is refused in MM-DD because it does not exist in most years.
//
// The zero Rule is not a rule; Apply rejects it.
type Rule struct {
	kind  ruleKind
	n     int        // N for next-month-day and workdays-after-end
	month time.Month // MM for fixed and fixed-next-year
	day   int        // DD for fixed and fixed-next-year
}

// Deadline is what a Rule gives for one period.
type Deadline struct {
	// Start is the first day of the window the rule names: the last week's
	// first day for "last-week", the day after the period for rules that
	// fall after it (see Rule for each). It is never after Due; when a rule
	// would put it after Due, it is Due.
	Start Date
	// Due is the last day on which the step is on time. The cut-off instant
	// is Calendar.EndOf(Due).
	Due Date
}

// ParseRule parses a rule spec (see Rule for the list). Surrounding spaces
// are ignored; names are lower case. The error wraps ErrInvalidRule, quotes
// the spec and says what is wrong.
func ParseRule(spec string) (Rule, error) {
	bad := func(format string, args ...any) (Rule, error) {
		shown := spec
		if len(shown) > maxRuleSpecLen {
			shown = shown[:maxRuleSpecLen] + "…"
		}
		return Rule{}, fmt.Errorf("parse deadline rule %q: %w: %s", shown, ErrInvalidRule, fmt.Sprintf(format, args...))
	}
	if len(spec) > maxRuleSpecLen {
		return bad("longer than %d bytes", maxRuleSpecLen)
	}
	s := strings.TrimSpace(spec)
	if s == "" {
		return bad("empty; %s", ruleSpecsHelp)
	}
	name, arg, hasArg := strings.Cut(s, ":")
	var kind ruleKind
	for k, n := range ruleNames {
		if n == name {
			kind = k
			break
		}
	}
	if kind == 0 {
		return bad("unknown rule %q; %s", name, ruleSpecsHelp)
	}
	r := Rule{kind: kind}
	switch kind {
	case ruleNextMonday, ruleLastWorkday, ruleLastWeek, ruleFirstWeekNext:
		if hasArg {
			return bad("%s takes no argument", name)
		}
	case ruleNextMonthDay:
		n, ok := digits(arg)
		if !hasArg || !ok || n < 1 || n > 31 {
			return bad("%s needs a day of the month 1–31, as in %s:6", name, name)
		}
		r.n = n
	case ruleWorkdaysAfterEnd:
		n, ok := digits(arg)
		if !hasArg || !ok || n > maxRuleWorkdays {
			return bad("%s needs a number of working days 0–%d, as in %s:3", name, maxRuleWorkdays, name)
		}
		r.n = n
	case ruleFixed, ruleFixedNextYear:
		if !hasArg {
			return bad("%s needs a date MM-DD, as in %s:07-10", name, name)
		}
		m, d, err := parseMonthDay(arg)
		if err != nil {
			return bad("%s: %v", name, err)
		}
		r.month, r.day = m, d
	}
	return r, nil
}

// MustParseRule is ParseRule for literals in code and tests; it panics on
// error.
func MustParseRule(spec string) Rule {
	r, err := ParseRule(spec)
	if err != nil {
		panic(err)
	}
	return r
}

// parseMonthDay reads "MM-DD", two digits each, a day that exists in every
// year.
func parseMonthDay(s string) (time.Month, int, error) {
	if len(s) != 5 || s[2] != '-' {
		return 0, 0, fmt.Errorf("date %q is not MM-DD", s)
	}
	m, okM := digits(s[:2])
	d, okD := digits(s[3:])
	if !okM || !okD {
		return 0, 0, fmt.Errorf("date %q is not MM-DD", s)
	}
	if m < 1 || m > 12 {
		return 0, 0, fmt.Errorf("month %02d out of range 01–12", m)
	}
	if m == 2 && d == 29 {
		return 0, 0, errors.New("02-29 does not exist in most years")
	}
	// 2025 is not a leap year, so this is the month's length in every year
	// once 02-29 is refused.
	if d < 1 || d > daysIn(2025, time.Month(m)) {
		return 0, 0, fmt.Errorf("day %02d does not exist in month %02d", d, m)
	}
	return time.Month(m), d, nil
}

// String returns the rule's canonical spec, which ParseRule reads back to
// the same Rule; "" for the zero Rule.
func (r Rule) String() string {
	name := ruleNames[r.kind]
	switch r.kind {
	case ruleNextMonthDay, ruleWorkdaysAfterEnd:
		return name + ":" + strconv.Itoa(r.n)
	case ruleFixed, ruleFixedNextYear:
		return fmt.Sprintf("%s:%02d-%02d", name, int(r.month), r.day)
	}
	return name
}

// IsZero reports whether r is the zero Rule.
func (r Rule) IsZero() bool { return r == Rule{} }

// MarshalText implements encoding.TextMarshaler; the form is String's.
func (r Rule) MarshalText() ([]byte, error) {
	if r.IsZero() {
		return nil, fmt.Errorf("marshal zero rule: %w", ErrInvalidRule)
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts what
// ParseRule accepts.
func (r *Rule) UnmarshalText(b []byte) error {
	v, err := ParseRule(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Apply returns the deadline r gives for period p under calendar c. It
// returns an error wrapping ErrInvalidRule for the zero Rule, one wrapping
// ErrInvalidPeriod for the zero Period, and an error for a nil calendar.
func (r Rule) Apply(c *Calendar, p Period) (Deadline, error) {
	if r.IsZero() {
		return Deadline{}, fmt.Errorf("apply deadline rule: %w: zero rule", ErrInvalidRule)
	}
	if p.IsZero() {
		return Deadline{}, fmt.Errorf("apply deadline rule %s: %w: zero period", r, ErrInvalidPeriod)
	}
	if c == nil {
		return Deadline{}, fmt.Errorf("apply deadline rule %s to %s: nil calendar", r, p)
	}
	d := r.apply(c, p)
	if d.Start.After(d.Due) {
		// "workdays-after-end:0" on a period that ends on a working day is
		// due on that day, before the day after the period.
		d.Start = d.Due
	}
	return d, nil
}

func (r Rule) apply(c *Calendar, p Period) Deadline {
	start, end := p.Start(), p.End()
	after := end.AddDays(1)
	switch r.kind {
	case ruleNextMonday:
		d := after
		for d.Weekday() != time.Monday {
			d = d.AddDays(1)
		}
		return Deadline{Start: start, Due: c.NextWorkday(d)}

	case ruleLastWorkday:
		due := c.lastWorkdayIn(start, end)
		return Deadline{Start: due, Due: due}

	case ruleLastWeek:
		due := c.lastWorkdayIn(start, end)
		from := due.AddDays(-6)
		if from.Before(start) {
			from = start
		}
		return Deadline{Start: from, Due: due}

	case ruleFirstWeekNext:
		from := c.NextWorkday(after)
		due := c.PrevWorkday(from.AddDays(6)) // ≥ from, which is a working day
		return Deadline{Start: from, Due: due}

	case ruleNextMonthDay:
		first := NewDate(end.Year, end.Month+1, 1)
		day := min(r.n, daysIn(first.Year, first.Month))
		return Deadline{Start: after, Due: c.NextWorkday(Date{first.Year, first.Month, day})}

	case ruleWorkdaysAfterEnd:
		return Deadline{Start: after, Due: c.AddWorkdays(end, r.n)}

	case ruleFixed:
		d := Date{end.Year, r.month, r.day}
		if !d.After(end) {
			d.Year++
		}
		return Deadline{Start: after, Due: c.NextWorkday(d)}

	case ruleFixedNextYear:
		return Deadline{Start: after, Due: c.NextWorkday(Date{end.Year + 1, r.month, r.day})}
	}
	// Unreachable: ParseRule makes only the kinds above, and the zero Rule
	// is refused by Apply.
	panic(fmt.Sprintf("calendar: rule kind %d has no meaning", int(r.kind)))
}

// lastWorkdayIn returns the last working day in [start, end]; if there is
// none (a week of holidays), the first working day after end, since a step
// due within a span the office is closed for can only be done on return.
func (c *Calendar) lastWorkdayIn(start, end Date) Date {
	d := c.PrevWorkday(end)
	if d.Before(start) {
		return c.NextWorkday(end)
	}
	return d
}
