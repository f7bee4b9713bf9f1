package schedule

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// bj is Beijing time, the location of every spec without a TZ prefix.
var bj = calendar.DefaultLocation()

// at returns a Beijing instant.
func at(year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, bj)
}

// mustParse parses spec or stops the test.
func mustParse(t *testing.T, spec string) *Cron {
	t.Helper()
	c, err := Parse(spec)
	if err != nil {
		t.Fatalf("Parse(%q): %v", spec, err)
	}
	return c
}

// TestRobfigPanics reproduces docs/reliability.md §1: robfig/cron v3.0.1 panics
// on these specs, which is why Parse checks the prefix and recovers. If
// this test fails after an upgrade, the guard may be relaxed — not removed.
func TestRobfigPanics(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"TZ=0", "CRON_TZ=UTC"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			panicked := func() (p bool) {
				defer func() { p = recover() != nil }()
				_, _ = cron.ParseStandard(spec)
				return false
			}()
			if !panicked {
				t.Errorf("cron.ParseStandard(%q) did not panic", spec)
			}
			if _, err := Parse(spec); !errors.Is(err, ErrInvalidSpec) {
				t.Errorf("Parse(%q) error = %v, want ErrInvalidSpec", spec, err)
			}
		})
	}
}

func TestParseNext(t *testing.T) {
	t.Parallel()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	tests := []struct {
		name string
		spec string
		from time.Time
		want time.Time
		loc  *time.Location
	}{
		// DESIGN §2: the 周记实 reminder on Friday afternoon.
		{"FridayAfternoon", "0 15 * * 5", at(2026, 9, 21, 0, 0), at(2026, 9, 25, 15, 0), bj},
		{"FridayAfternoonFromUTC", "0 15 * * FRI", time.Date(2026, 9, 25, 6, 59, 0, 0, time.UTC), at(2026, 9, 25, 15, 0), bj},
		{"StrictlyAfter", "0 15 * * 5", at(2026, 9, 25, 15, 0), at(2026, 10, 2, 15, 0), bj},
		{"MondayChase", "30 8 * * 1", at(2026, 9, 25, 15, 0), at(2026, 9, 28, 8, 30), bj},
		{"Tabs", "30\t8 * *\t1", at(2026, 9, 25, 15, 0), at(2026, 9, 28, 8, 30), bj},
		{"Quarterly", "0 9 1 */3 *", at(2026, 9, 2, 0, 0), at(2026, 10, 1, 9, 0), bj},
		{"Weekly", "@weekly", at(2026, 9, 23, 12, 0), at(2026, 9, 27, 0, 0), bj},
		{"Daily", "@daily", at(2026, 9, 23, 12, 0), at(2026, 9, 24, 0, 0), bj},
		{"UTC", "CRON_TZ=UTC 0 1 * * *", at(2026, 9, 23, 12, 0), time.Date(2026, 9, 24, 1, 0, 0, 0, time.UTC), time.UTC},
		{"TZ", "TZ=Asia/Tokyo 0 9 * * MON-FRI", at(2026, 9, 25, 12, 0), time.Date(2026, 9, 28, 9, 0, 0, 0, tokyo), tokyo},
		{"LeapDay", "0 0 29 2 *", at(2026, 1, 1, 0, 0), at(2028, 2, 29, 0, 0), bj},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustParse(t, tt.spec)
			if got := c.Next(tt.from); !got.Equal(tt.want) {
				t.Errorf("Next(%v) = %v, want %v", tt.from, got, tt.want)
			}
			if c.String() != tt.spec {
				t.Errorf("String() = %q, want %q", c.String(), tt.spec)
			}
			if c.Location().String() != tt.loc.String() {
				t.Errorf("Location() = %v, want %v", c.Location(), tt.loc)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    string
		wantMsg string
	}{
		{"Empty", "", "empty"},
		{"Blank", "  \t", "empty"},
		{"TooLong", "0 9 * * " + strings.Repeat("1,", 100) + "1", "longer than 200 bytes"},
		{"TZNoSchedule", "TZ=0", "must be followed by a space and a schedule"},
		{"CronTZNoSchedule", "CRON_TZ=UTC", "must be followed by a space and a schedule"},
		{"TZTrailingSpace", "CRON_TZ=UTC   ", "must be followed"},
		{"TZEmpty", "TZ= 0 9 * * *", "not an IANA location name"},
		{"TZLocal", "TZ=Local 0 9 * * *", "not an IANA location name"},
		{"TZPath", "TZ=../../etc/passwd 0 9 * * *", "not an IANA location name"},
		{"TZAbsolute", "TZ=/etc/localtime 0 9 * * *", "not an IANA location name"},
		{"TZUnknown", "CRON_TZ=Mars/Olympus 0 9 * * *", `unknown time zone "Mars/Olympus"`},
		{"TZTwice", "TZ=UTC TZ=UTC 0 9 * * *", `character '='`},
		{"SixFields", "0 0 9 * * *", "expected exactly 5 fields"},
		{"FourFields", "0 9 * *", "expected exactly 5 fields"},
		{"MinuteRange", "60 9 * * *", "above maximum"},
		{"DowSeven", "0 9 * * 7", "above maximum"},
		{"BadName", "0 9 * * FUN", "failed to parse int"},
		{"Every", "@every 1h", "@every is not supported"},
		{"UnknownDescriptor", "@reboot", "unrecognized descriptor"},
		{"AtInside", "0 9 * * 1 @weekly", "'@' may only start"},
		{"NeverFires", "0 9 30 2 *", "never fires"},
		{"Chinese", "0 9 * * 周一", `character '周' at byte 8`},
		{"Semicolon", "0 9 * * MON;reboot", `character ';'`},
		{"Newline", "0 9 * *\n1", `character '\n'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(tt.spec)
			if !errors.Is(err, ErrInvalidSpec) {
				t.Fatalf("Parse(%q) = %v, %v; want an error wrapping ErrInvalidSpec", tt.spec, c, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not say %q", msg, tt.wantMsg)
			}
			shown := tt.spec
			if len(shown) > shownSpecLen {
				shown = shown[:shownSpecLen] + "…"
			}
			if !strings.Contains(msg, fmt.Sprintf("%q", shown)) {
				t.Errorf("error %q does not name the spec", msg)
			}
		})
	}
}

func TestWorkdayOnly(t *testing.T) {
	t.Parallel()
	cal := calendar.Default()
	tests := []struct {
		name string
		spec string
		from time.Time
		want time.Time
	}{
		// 2 October 2026 is a 国庆 holiday: the daily reminder resumes on the 8th.
		{"SkipsNationalDay", "0 9 * * *", at(2026, 10, 1, 12, 0), at(2026, 10, 8, 9, 0)},
		{"FiresOnMakeupSaturday", "0 9 * * *", at(2026, 10, 9, 10, 0), at(2026, 10, 10, 9, 0)},
		{"WeekdaySpecNeverAddsSaturday", "0 9 * * 1-5", at(2026, 10, 9, 10, 0), at(2026, 10, 12, 9, 0)},
		// Friday 25 September is 中秋 and Friday 2 October is 国庆.
		{"FridayReminderSkipsTwoFridays", "0 15 * * 5", at(2026, 9, 21, 0, 0), at(2026, 10, 9, 15, 0)},
		{"SundayOnlyOnMakeupSunday", "0 9 * * 0", at(2026, 9, 14, 0, 0), at(2026, 9, 20, 9, 0)},
		{"SundayOnlyNextYear", "0 9 * * 0", at(2026, 9, 20, 10, 0), at(2027, 1, 31, 9, 0)},
		{"SundayOnlyBeyondData", "0 9 * * 0", at(2027, 9, 26, 10, 0), time.Time{}},
		{"EveryMinuteAcrossSpringFestival", "* * * * *", time.Date(2026, 2, 14, 23, 59, 30, 0, bj), at(2026, 2, 24, 0, 0)},
		{"EveryMinuteOnMakeupSaturday", "* * * * *", at(2026, 2, 14, 17, 59), at(2026, 2, 14, 18, 0)},
		// 23:00 UTC is 07:00 the next morning in Beijing; the day is the calendar's.
		{"DayInCalendarLocation", "CRON_TZ=UTC 0 23 * * *", time.Date(2026, 9, 30, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 7, 23, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := WorkdayOnly(mustParse(t, tt.spec), cal)
			if got := w.Next(tt.from); !got.Equal(tt.want) {
				t.Errorf("Next(%v) = %v, want %v", tt.from, got, tt.want)
			}
		})
	}
}

func TestFixed(t *testing.T) {
	t.Parallel()
	due := at(2026, 10, 7, 9, 0) // a 国庆 holiday
	tests := []struct {
		name string
		s    Schedule
		from time.Time
		want time.Time
	}{
		{"Before", Fixed{At: due}, at(2026, 10, 1, 0, 0), due},
		{"At", Fixed{At: due}, due, time.Time{}},
		{"After", Fixed{At: due}, at(2026, 10, 8, 0, 0), time.Time{}},
		{"Zero", Fixed{}, at(2026, 10, 1, 0, 0), time.Time{}},
		{"OnHolidayWorkdayOnly", WorkdayOnly(Fixed{At: due}, calendar.Default()), at(2026, 10, 1, 0, 0), time.Time{}},
		{"OnWorkdayWorkdayOnly", WorkdayOnly(Fixed{At: at(2026, 10, 8, 9, 0)}, calendar.Default()), at(2026, 10, 1, 0, 0), at(2026, 10, 8, 9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.s.Next(tt.from); !got.Equal(tt.want) {
				t.Errorf("Next(%v) = %v, want %v", tt.from, got, tt.want)
			}
		})
	}
}

// stuck is a broken Schedule whose Next never moves forward.
type stuck struct{ at time.Time }

func (s stuck) Next(time.Time) time.Time { return s.at }

func TestWorkdayOnlyStuckSchedule(t *testing.T) {
	t.Parallel()
	w := WorkdayOnly(stuck{at: at(2026, 10, 1, 9, 0)}, calendar.Default())
	if got := w.Next(at(2026, 9, 1, 0, 0)); !got.IsZero() {
		t.Errorf("Next of a stuck schedule on a holiday = %v, want zero", got)
	}
}
