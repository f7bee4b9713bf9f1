// Package schedule computes when reminders fire, as values with a Next
// method, so that reminder timing is tested by calling Next rather than by
// waiting.
//
// Specs are standard five-field cron specs or descriptors (@daily, @weekly,
// …) parsed by github.com/robfig/cron/v3, in Beijing time unless the spec
// starts with TZ=<location> or CRON_TZ=<location>. robfig/cron is used only
// to parse specs and compute Next: it keeps run state in memory and never
// catches up (docs/reliability.md §1), so firing, exactly-once and catch-up are
// the caller's, helped by Slots and LatestMissed.
//
// Reminders must not go out on holidays: WorkdayOnly wraps any Schedule so
// that it fires only on working days of a calendar.Calendar. Fixed is a
// one-off firing, for reminders computed from a deadline.
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// Schedule says when something fires. Next returns the first firing
// strictly after t, or the zero time if there is none. robfig/cron's
// Schedule has the same method, so its schedules are Schedules.
type Schedule interface {
	Next(t time.Time) time.Time
}

// ErrInvalidSpec is wrapped by every error Parse returns.
var ErrInvalidSpec = errors.New("invalid schedule spec")

// MaxSpecLen is the longest spec Parse accepts, in bytes. The longest
// sensible spec ("CRON_TZ=America/Argentina/ComodRivadavia" and five
// fields listing values) is well under it; the bound keeps hostile input
// away from the parser and out of logs.
const MaxSpecLen = 200

// shownSpecLen bounds how much of a rejected spec an error quotes.
const shownSpecLen = 64

// parser is robfig/cron's standard parser: minute, hour, day of month,
// month, day of week, and descriptors.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// probeFrom is where Parse looks for a first firing to refuse specs that
// never fire ("0 0 30 2 *"). robfig/cron looks five years ahead, which
// covers 29 February.
var probeFrom = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// Cron is a parsed cron spec with its location. It is immutable and safe
// for concurrent use.
type Cron struct {
	spec  string
	loc   *time.Location
	sched *cron.SpecSchedule
}

var _ Schedule = (*Cron)(nil)

// Parse parses a cron spec: five fields (minute hour day-of-month month
// day-of-week, with names such as MON or JAN) or one of the descriptors
// @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly. The
// spec is read in Asia/Shanghai unless it starts with "TZ=<name> " or
// "CRON_TZ=<name> " naming an IANA location ("Local" is refused, since the
// server's zone must not change when a reminder fires).
//
// "@every <duration>" is refused: its firings are counted from whenever
// Next is called, so replicas would disagree on the slots, and slot
// identity is what makes firing exactly-once (docs/reliability.md §1).
//
// Specs longer than MaxSpecLen, with bytes other than ASCII letters,
// digits, space, tab and "*,-/?@", or that never fire, are refused too.
// robfig/cron v3.0.1 panics on some specs ("TZ=0", "CRON_TZ=UTC"); Parse
// checks the time zone prefix itself and recovers from any panic left, so
// it never panics. Every error wraps ErrInvalidSpec, quotes the spec and
// says what is wrong.
func Parse(spec string) (*Cron, error) {
	bad := func(format string, args ...any) (*Cron, error) {
		shown := spec
		if len(shown) > shownSpecLen {
			shown = shown[:shownSpecLen] + "…"
		}
		return nil, fmt.Errorf("parse schedule %q: %w: %s", shown, ErrInvalidSpec, fmt.Sprintf(format, args...))
	}
	if len(spec) > MaxSpecLen {
		return bad("longer than %d bytes", MaxSpecLen)
	}
	body := strings.TrimSpace(spec)
	if body == "" {
		return bad("empty")
	}

	loc := calendar.DefaultLocation()
	if rest, ok := cutTZPrefix(body); ok {
		name, after := rest, ""
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			name, after = rest[:i], rest[i:]
		}
		if strings.TrimSpace(after) == "" {
			return bad("time zone %q must be followed by a space and a schedule", name)
		}
		l, err := loadLocation(name)
		if err != nil {
			return bad("%v", err)
		}
		loc, body = l, strings.TrimSpace(after)
	}

	for i, r := range body {
		if r >= utf8.RuneSelf || !specByte(byte(r)) {
			return bad("character %q at byte %d is not allowed; use digits, names such as MON or JAN, and * , - / ?", r, i)
		}
		if r == '@' && i > 0 {
			return bad("'@' may only start a descriptor such as @weekly")
		}
	}
	if strings.HasPrefix(body, "@every") {
		return bad("@every is not supported: its slots depend on when Next is called, so replicas would not agree on them; use a five-field spec")
	}

	s, err := safeParse(body)
	if err != nil {
		return bad("%v", err)
	}
	sched, ok := s.(*cron.SpecSchedule)
	if !ok {
		return bad("unsupported schedule type %T", s)
	}
	// Set the location on the parsed value rather than passing a TZ prefix
	// through: robfig/cron would otherwise default to time.Local, the
	// server's zone.
	sched.Location = loc
	c := &Cron{spec: spec, loc: loc, sched: sched}
	if c.Next(probeFrom).IsZero() {
		return bad("never fires (no such day, e.g. 30 February)")
	}
	return c, nil
}

// MustParse is Parse for literals in code and tests; it panics on error.
func MustParse(spec string) *Cron {
	c, err := Parse(spec)
	if err != nil {
		panic(err)
	}
	return c
}

// cutTZPrefix strips a TZ= or CRON_TZ= prefix.
func cutTZPrefix(s string) (string, bool) {
	if rest, ok := strings.CutPrefix(s, "CRON_TZ="); ok {
		return rest, true
	}
	return strings.CutPrefix(s, "TZ=")
}

// loadLocation loads an IANA location by name, refusing names that are not
// plain IANA names: time.LoadLocation would also accept "" (UTC) and
// "Local" (whatever the server is set to), and reads ZONEINFO from the
// environment.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q is not an IANA location name", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '+' || c == '/') {
			return nil, fmt.Errorf("time zone %q is not an IANA location name", name)
		}
	}
	if name[0] == '/' || strings.Contains(name, "//") || strings.HasSuffix(name, "/") {
		return nil, fmt.Errorf("time zone %q is not an IANA location name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}

// specByte reports whether b may appear in a spec after the time zone
// prefix: what five-field specs and descriptors need, and nothing else.
func specByte(b byte) bool {
	switch {
	case b >= '0' && b <= '9', b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
		return true
	}
	switch b {
	case ' ', '\t', '*', ',', '-', '/', '?', '@':
		return true
	}
	return false
}

// safeParse calls robfig/cron's parser, turning a panic into an error:
// v3.0.1 panics on inputs its own checks miss, and a spec typed by an
// administrator must never take the process down.
func safeParse(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cron parser panicked: %v", r)
		}
	}()
	return parser.Parse(spec)
}

// Next returns the first firing strictly after t, in t's location, or the
// zero time if the spec does not fire within five years of t.
func (c *Cron) Next(t time.Time) time.Time { return c.sched.Next(t) }

// String returns the spec as given to Parse.
func (c *Cron) String() string { return c.spec }

// Location returns the location the spec's fields are read in.
func (c *Cron) Location() *time.Location { return c.loc }

// Fixed fires once, at At, and then never: a reminder computed from a
// deadline ("the day before it is due, at 09:00"). The zero Fixed never
// fires.
type Fixed struct {
	// At is the only firing.
	At time.Time
}

var _ Schedule = Fixed{}

// Next returns At if t is before it, and the zero time otherwise.
func (f Fixed) Next(t time.Time) time.Time {
	if !f.At.IsZero() && t.Before(f.At) {
		return f.At
	}
	return time.Time{}
}

// workdayHorizon bounds how far WorkdayOnly looks for a firing on a working
// day. A schedule that fires only on weekends may find none for months (or
// ever, in years without 调休 weekends), and Next must not loop forever.
const workdayHorizon = 2 * 366 * 24 * time.Hour

// Workday is a Schedule that fires only on working days; see WorkdayOnly.
type Workday struct {
	s   Schedule
	cal *calendar.Calendar
}

var _ Schedule = Workday{}

// WorkdayOnly returns s without its firings on non-working days of cal
// (weekends, official holidays, the organisation's rest days), so a
// reminder never goes out on a holiday. A firing on a rest day is dropped,
// not moved: "0 15 * * 5" fires at 15:00 on working Fridays only, and the
// Friday of a holiday gets no reminder that week. Reminders that must
// still go out should be computed from the deadline (AddWorkdays, Fixed).
// Whether a firing is on a working day is decided in cal's location. cal
// must not be nil.
func WorkdayOnly(s Schedule, cal *calendar.Calendar) Workday {
	return Workday{s: s, cal: cal}
}

// Next returns the first firing of the wrapped schedule strictly after t
// that falls on a working day, or the zero time if the wrapped schedule
// stops firing or has no firing on a working day within two years of t.
func (w Workday) Next(t time.Time) time.Time {
	limit := t.Add(workdayHorizon)
	for n := w.s.Next(t); !n.IsZero(); {
		if n.After(limit) {
			return time.Time{}
		}
		day := w.cal.Date(n)
		if w.cal.IsWorkday(day) {
			return n
		}
		// Skip the rest of the day in one step rather than firing by
		// firing: an every-minute schedule would otherwise take 13,000
		// steps to cross the Spring Festival.
		nextDay := w.cal.NextWorkday(day.AddDays(1)).In(w.cal.Location())
		m := w.s.Next(nextDay.Add(-time.Nanosecond))
		if !m.After(n) {
			// A schedule whose Next does not move forward would loop.
			return time.Time{}
		}
		n = m
	}
	return time.Time{}
}
