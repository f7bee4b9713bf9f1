package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// CalendarConfig is the organisation's changes to the official calendar:
// what HR enters when the State Council publishes a year's holidays before
// kaohe's built-in data carries them, or for a day the unit alone rests or
// works. Each map goes from a date ("2027-01-01") or an inclusive range
// ("2027-02-11..2027-02-17") to the name people see ("春节").
type CalendarConfig struct {
	// Holidays are rest days (放假).
	Holidays map[string]string `yaml:"holidays"`
	// Workdays are working days, such as a weekend worked for 调休 (上班).
	Workdays map[string]string `yaml:"workdays"`
}

// maxRangeDays bounds one range: the longest official break is 春节's
// eight or nine days; a month is a typo, not a holiday.
const maxRangeDays = 31

// maxOverrideName bounds a day's name, shown on cards next to the date.
const maxOverrideName = 20

// Overrides reads the calendar setting into the calendar's overrides,
// sorted by date; the error is a *Error naming the entry
// (calendar.holidays."2027-02-11..2027-02-17").
func (c Config) Overrides() ([]calendar.Override, error) {
	var out []calendar.Override
	from := map[calendar.Date]string{} // the entry each day came from
	for _, part := range []struct {
		key  string
		m    map[string]string
		work bool
	}{{"calendar.holidays", c.Calendar.Holidays, false}, {"calendar.workdays", c.Calendar.Workdays, true}} {
		keys := make([]string, 0, len(part.m))
		for k := range part.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			at := fmt.Sprintf("%s.%q", part.key, clipText(k))
			days, err := parseDays(k)
			if err != nil {
				return nil, c.fieldError(at, err.Error())
			}
			name := strings.TrimSpace(part.m[k])
			switch {
			case name == "":
				return nil, c.fieldError(at, "no name: write the date and what it is, such as 2027-01-01: 元旦")
			case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
				return nil, c.fieldError(at, "the name has a control character")
			case utf8.RuneCountInString(name) > maxOverrideName:
				return nil, c.fieldError(at, fmt.Sprintf("name %q: at most %d characters", clipText(name), maxOverrideName))
			}
			for _, d := range days {
				if prev, dup := from[d]; dup {
					return nil, c.fieldError(at, fmt.Sprintf("%s is also in %s: a day is either a holiday or a working day", d, prev))
				}
				from[d] = at
				out = append(out, calendar.Override{Date: d, Work: part.work, Name: name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out, nil
}

// parseDays reads "2027-01-01" or "2027-02-11..2027-02-17".
func parseDays(k string) ([]calendar.Date, error) {
	k = strings.TrimSpace(k)
	first, last, isRange := strings.Cut(k, "..")
	a, err := parseConfigDate(first)
	if err != nil {
		return nil, err
	}
	if !isRange {
		return []calendar.Date{a}, nil
	}
	b, err := parseConfigDate(last)
	if err != nil {
		return nil, err
	}
	switch n := b.DaysSince(a) + 1; {
	case n < 1:
		return nil, fmt.Errorf("the range ends (%s) before it starts (%s)", b, a)
	case n > maxRangeDays:
		return nil, fmt.Errorf("a range of %d days: at most %d, list longer breaks in parts", n, maxRangeDays)
	}
	var out []calendar.Date
	for d := a; !d.After(b); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out, nil
}

func parseConfigDate(s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(strings.TrimSpace(s))
	if err != nil {
		return d, fmt.Errorf("%q: want a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD", clipText(s))
	}
	if d.Year < 2000 || d.Year > 2100 {
		return d, fmt.Errorf("%s: the year is out of 2000–2100", d)
	}
	return d, nil
}

// BuildCalendar is the official calendar with the calendar setting's
// overrides.
func (c Config) BuildCalendar() (*calendar.Calendar, error) {
	ov, err := c.Overrides()
	if err != nil {
		return nil, err
	}
	return calendar.New(calendar.WithOverrides(ov...))
}

// calendarText is the calendar setting for the log: how many days each
// map sets, not the names.
func (c Config) calendarText() string {
	if len(c.Calendar.Holidays)+len(c.Calendar.Workdays) == 0 {
		return ""
	}
	ov, err := c.Overrides()
	if err != nil {
		return "invalid"
	}
	rest := 0
	for _, o := range ov {
		if !o.Work {
			rest++
		}
	}
	return fmt.Sprintf("holidays=%d workdays=%d", rest, len(ov)-rest)
}

// Quiet hours are written "21-8" or "21:00-08:00" (whole hours, local
// time, from included, to excluded), or "none".
var quietRe = regexp.MustCompile(`^([0-9]{1,2})(?::00)?-([0-9]{1,2})(?::00)?$`)

// QuietHours reads quiet_hours into workflow.Config.QuietFrom and QuietTo:
// (0, 0) when unset, so the workflow's default (21 to 8) applies; equal
// non-zero hours when "none", which the workflow reads as no quiet hours.
func (c Config) QuietHours() (from, to int, err error) {
	s := strings.TrimSpace(c.QuietHoursSpec)
	switch s {
	case "":
		return 0, 0, nil
	case "none":
		return 12, 12, nil
	}
	m := quietRe.FindStringSubmatch(strings.ReplaceAll(s, " ", ""))
	if m == nil {
		return 0, 0, c.fieldError("quiet_hours", fmt.Sprintf("%q: want from-to in whole hours such as 21-8 or 21:00-08:00, or none", clipText(s)))
	}
	from, _ = strconv.Atoi(m[1])
	to, _ = strconv.Atoi(m[2])
	switch {
	case from > 23 || to > 23:
		return 0, 0, c.fieldError("quiet_hours", fmt.Sprintf("%q: hours are 0 to 23", s))
	case from == to:
		return 0, 0, c.fieldError("quiet_hours", fmt.Sprintf("%q: from and to are the same hour; write none for no quiet hours", s))
	}
	return from, to, nil
}

// Votes modes.
const (
	VotesAuto = "auto"
	VotesOn   = "on"
	VotesOff  = "off"
)

// VotesSetting reads votes into workflow.Config.Votes: nil (the scheme
// decides: on when it has a votes source) for auto or empty.
func (c Config) VotesSetting() (*bool, error) {
	var v bool
	switch strings.ToLower(strings.TrimSpace(c.Votes)) {
	case "", VotesAuto:
		return nil, nil
	case VotesOn, "true":
		v = true
	case VotesOff, "false":
		v = false
	default:
		return nil, c.fieldError("votes", fmt.Sprintf("%q: want auto (the scheme decides), on or off", clipText(c.Votes)))
	}
	return &v, nil
}
