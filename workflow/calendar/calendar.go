package calendar

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	// Embed the time zone database so Asia/Shanghai loads on hosts and
	// minimal containers that ship no /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// ErrInvalidOverride is wrapped by New's error when an organisation override
// is malformed or conflicts with another one.
var ErrInvalidOverride = errors.New("invalid calendar override")

// DefaultLocationName is the IANA name of the location New uses unless
// WithLocation says otherwise: Chinese government offices work on Beijing
// time.
const DefaultLocationName = "Asia/Shanghai"

var defaultLocation = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(DefaultLocationName)
	if err != nil {
		// Unreachable while time/tzdata is linked in; kept so that a build
		// that drops the import still gets Beijing time (China has had no
		// daylight saving since 1991, so a fixed +8 is exact for our dates).
		return time.FixedZone("CST", 8*60*60)
	}
	return loc
})

// DefaultLocation returns Asia/Shanghai, or a fixed UTC+8 zone named "CST"
// if the time zone database cannot be loaded.
func DefaultLocation() *time.Location { return defaultLocation() }

// DayKind says why a day is or is not a working day.
type DayKind int

// The kinds of day, in the order Calendar.Day checks them: an organisation
// override beats the official notice, which beats the day of the week.
const (
	// Weekday is an ordinary Monday–Friday working day.
	Weekday DayKind = iota + 1
	// Weekend is an ordinary Saturday or Sunday.
	Weekend
	// Holiday is an official rest day (法定节假日 or a 调休 rest day).
	Holiday
	// Makeup is an official 调休 working day: a weekend day worked to make
	// up for a holiday bridge.
	Makeup
	// OrgWork is a day the organisation's override list makes a working day.
	OrgWork
	// OrgRest is a day the organisation's override list makes a rest day.
	OrgRest
)

var dayKindNames = map[DayKind]string{
	Weekday: "weekday",
	Weekend: "weekend",
	Holiday: "holiday",
	Makeup:  "makeup",
	OrgWork: "org-work",
	OrgRest: "org-rest",
}

// String returns a short English name such as "holiday" or "makeup".
func (k DayKind) String() string {
	if s, ok := dayKindNames[k]; ok {
		return s
	}
	return "DayKind(" + strconv.Itoa(int(k)) + ")"
}

// Day describes one date in a calendar.
type Day struct {
	// Date is the day described.
	Date Date
	// Workday reports whether offices work on Date.
	Workday bool
	// Kind says why.
	Kind DayKind
	// Name is the holiday the day belongs to (e.g. "国庆节", also for its
	// 调休 working weekend days) or the override's name; empty for ordinary
	// weekdays and weekends.
	Name string
}

// Override forces one date to be a working day or a rest day for one
// organisation, whatever the official notice says. Units use it for a local
// holiday, a day the unit works through, or an official arrangement that
// lunar-go does not carry yet.
type Override struct {
	// Date is the day overridden; it must be valid.
	Date Date
	// Work is true to make Date a working day, false to make it a rest day.
	Work bool
	// Name is shown to people ("单位集中调休"); it must not be empty.
	Name string
}

// Calendar answers working-day questions for one organisation. It is
// immutable once built and safe for concurrent use.
type Calendar struct {
	loc       *time.Location
	overrides map[Date]Override
	official  *officialData
}

// Option configures New.
type Option func(*Calendar) error

// WithLocation makes the calendar turn dates into instants (and instants
// into dates) in loc instead of Asia/Shanghai.
func WithLocation(loc *time.Location) Option {
	return func(c *Calendar) error {
		if loc == nil {
			return errors.New("calendar location is nil")
		}
		c.loc = loc
		return nil
	}
}

// WithOverrides adds organisation overrides. Every override needs a valid
// date and a name, and a date may be overridden only once across all
// WithOverrides options; New reports the first offending date.
func WithOverrides(overrides ...Override) Option {
	return func(c *Calendar) error {
		for i, o := range overrides {
			switch {
			case !o.Date.IsValid():
				return fmt.Errorf("override %d (%s): %w: date is not a real day", i, o.Date, ErrInvalidOverride)
			case o.Name == "":
				return fmt.Errorf("override %d (%s): %w: name is empty", i, o.Date, ErrInvalidOverride)
			}
			if _, dup := c.overrides[o.Date]; dup {
				return fmt.Errorf("override %d (%s): %w: date overridden twice", i, o.Date, ErrInvalidOverride)
			}
			c.overrides[o.Date] = o
		}
		return nil
	}
}

// New returns a calendar with China's official holidays, located in
// Asia/Shanghai, changed by opts. It returns an error wrapping
// ErrInvalidOverride when an override is malformed or repeated, or an
// error naming the problem when an option is given a nil value.
func New(opts ...Option) (*Calendar, error) {
	c := &Calendar{
		loc:       DefaultLocation(),
		overrides: make(map[Date]Override),
		official:  loadOfficial(),
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("new calendar: %w", err)
		}
	}
	return c, nil
}

// Default returns the official Chinese calendar in Asia/Shanghai with no
// overrides: the calendar every unit starts from.
func Default() *Calendar {
	c, err := New()
	if err != nil {
		// New without options has nothing that can fail.
		panic(err)
	}
	return c
}

// Location returns the location the calendar's days are reckoned in.
func (c *Calendar) Location() *time.Location { return c.loc }

// Date returns the day t falls on in the calendar's location.
func (c *Calendar) Date(t time.Time) Date { return DateOf(t.In(c.loc)) }

// At returns the instant hour:min on d in the calendar's location.
func (c *Calendar) At(d Date, hour, min int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, min, 0, 0, c.loc)
}

// EndOf returns the instant at which d ends: midnight starting the next day
// in the calendar's location. Something due on d is on time strictly before
// EndOf(d).
func (c *Calendar) EndOf(d Date) time.Time { return d.AddDays(1).In(c.loc) }

// HasOfficialData reports whether lunar-go carries the State Council's
// holiday arrangement for year. For years it does not (the notice for year
// Y is published around November of Y-1), the calendar knows only weekends
// and overrides, and an administrator should be told to enter the holidays
// as overrides or to upgrade lunar-go.
func (c *Calendar) HasOfficialData(year int) bool {
	return c.official.years[year]
}

// Day describes d: whether it is a working day, and why.
func (c *Calendar) Day(d Date) Day {
	d = d.normal()
	if o, ok := c.overrides[d]; ok {
		k := OrgRest
		if o.Work {
			k = OrgWork
		}
		return Day{Date: d, Workday: o.Work, Kind: k, Name: o.Name}
	}
	if h, ok := c.official.days[d]; ok {
		k := Holiday
		if h.work {
			k = Makeup
		}
		return Day{Date: d, Workday: h.work, Kind: k, Name: h.name}
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return Day{Date: d, Workday: false, Kind: Weekend}
	}
	return Day{Date: d, Workday: true, Kind: Weekday}
}

// IsWorkday reports whether offices work on d.
func (c *Calendar) IsWorkday(d Date) bool { return c.Day(d).Workday }

// HolidayName returns the name of the holiday or override that decides d
// ("国庆节" for 1 October and for the 调休 Sunday before it) and true, or ""
// and false when d is an ordinary weekday or weekend.
func (c *Calendar) HolidayName(d Date) (string, bool) {
	day := c.Day(d)
	return day.Name, day.Name != ""
}

// NextWorkday returns the first working day on or after d.
//
// It always ends: overrides and official data are finite, and beyond them
// every Monday is a working day.
func (c *Calendar) NextWorkday(d Date) Date {
	d = d.normal()
	for !c.IsWorkday(d) {
		d = d.AddDays(1)
	}
	return d
}

// PrevWorkday returns the last working day on or before d.
func (c *Calendar) PrevWorkday(d Date) Date {
	d = d.normal()
	for !c.IsWorkday(d) {
		d = d.AddDays(-1)
	}
	return d
}

// AddWorkdays counts n working days from d. For n > 0 it returns the n-th
// working day after d (d itself is not counted, so "3 working days after
// 30 September" counts from 1 October). For n == 0 it returns
// NextWorkday(d). For n < 0 it returns the |n|-th working day before d,
// which is how "remind two working days before the deadline" is computed.
func (c *Calendar) AddWorkdays(d Date, n int) Date {
	d = d.normal()
	switch {
	case n == 0:
		return c.NextWorkday(d)
	case n > 0:
		for ; n > 0; n-- {
			d = c.NextWorkday(d.AddDays(1))
		}
	default:
		for ; n < 0; n++ {
			d = c.PrevWorkday(d.AddDays(-1))
		}
	}
	return d
}

// WorkdaysBetween returns the number of working days from a to b, both
// included; 0 when b is before a.
func (c *Calendar) WorkdaysBetween(a, b Date) int {
	a, b = a.normal(), b.normal()
	n := 0
	for d := a; !d.After(b); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// LastWorkdayOfMonth returns the last working day of the month (S5, S7:
// 月小结 "每月最后一个工作日"). If no day of the month is a working day
// (possible only through overrides) it returns the last working day before
// the month.
func (c *Calendar) LastWorkdayOfMonth(year int, month time.Month) Date {
	return c.PrevWorkday(NewDate(year, month+1, 0))
}

// officialData is lunar-go's holiday table, decoded once: lunar-go answers
// each question with a linear scan of one long string, which is too slow
// for day-by-day loops.
type officialData struct {
	days  map[Date]officialDay
	years map[int]bool
}

type officialDay struct {
	name string
	work bool
}

// lunarYears bounds the years read from lunar-go. Its table starts at the
// end of 2001; the upper bound leaves room for many future releases.
const (
	lunarFirstYear = 2001
	lunarLastYear  = 2100
)

// loadOfficial reads lunar-go's table on first use. HolidayUtil.Fix changes
// that table globally and without locking, so kaohe never calls it: a unit's
// corrections go into overrides instead. A Fix made before the first use is
// still seen.
var loadOfficial = sync.OnceValue(func() *officialData {
	o := &officialData{days: make(map[Date]officialDay), years: make(map[int]bool)}
	for y := lunarFirstYear; y <= lunarLastYear; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h, ok := e.Value.(*HolidayUtil.Holiday)
			if !ok || h == nil {
				continue
			}
			d, err := ParseDate(h.GetDay())
			if err != nil {
				continue
			}
			o.days[d] = officialDay{name: h.GetName(), work: h.IsWork()}
			// A year counts as covered by the festivals its notice is
			// about (the target), so the late-December 调休 days that
			// belong to next year's New Year do not mark next year as known.
			if t, err := ParseDate(h.GetTarget()); err == nil {
				o.years[t.Year] = true
			}
		}
	}
	return o
})
