package calendar

import (
	"errors"
	"sort"
	"testing"
	"time"
)

// d is a short date literal for tables.
func d(s string) Date { return MustParseDate(s) }

// newCal builds a calendar or stops the test.
func newCal(t *testing.T, opts ...Option) *Calendar {
	t.Helper()
	c, err := New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// notice2026 is the State Council's 2026 holiday arrangement (国务院办公厅关于
// 2026年部分节假日安排的通知, November 2025), written out by hand from the
// notice so that a change in lunar-go's data shows up here:
//
//	元旦   1月1日（周四）至3日（周六）放假，1月4日（周日）上班。
//	春节   2月15日（周日）至23日（周一）放假，2月14日（周六）、2月28日（周六）上班。
//	清明节 4月4日（周六）至6日（周一）放假。
//	劳动节 5月1日（周五）至5日（周二）放假，5月9日（周六）上班。
//	端午节 6月19日（周五）至21日（周日）放假。
//	中秋节 9月25日（周五）至27日（周日）放假。
//	国庆节 10月1日（周四）至7日（周三）放假，9月20日（周日）、10月10日（周六）上班。
var notice2026 = []struct {
	from, to string
	name     string
	work     bool
}{
	{"2026-01-01", "2026-01-03", "元旦节", false},
	{"2026-01-04", "2026-01-04", "元旦节", true},
	{"2026-02-14", "2026-02-14", "春节", true},
	{"2026-02-15", "2026-02-23", "春节", false},
	{"2026-02-28", "2026-02-28", "春节", true},
	{"2026-04-04", "2026-04-06", "清明节", false},
	{"2026-05-01", "2026-05-05", "劳动节", false},
	{"2026-05-09", "2026-05-09", "劳动节", true},
	{"2026-06-19", "2026-06-21", "端午节", false},
	{"2026-09-20", "2026-09-20", "国庆节", true},
	{"2026-09-25", "2026-09-27", "中秋节", false},
	{"2026-10-01", "2026-10-07", "国庆节", false},
	{"2026-10-10", "2026-10-10", "国庆节", true},
}

// TestOfficial2026MatchesNotice checks that lunar-go's table for 2026 holds
// exactly the days of the official notice, no more and no fewer.
func TestOfficial2026MatchesNotice(t *testing.T) {
	t.Parallel()
	want := map[Date]officialDay{}
	for _, r := range notice2026 {
		for x := d(r.from); !x.After(d(r.to)); x = x.AddDays(1) {
			want[x] = officialDay{name: r.name, work: r.work}
		}
	}
	got := map[Date]officialDay{}
	for day, o := range loadOfficial().days {
		if day.Year == 2026 {
			got[day] = o
		}
	}
	var days []Date
	for x := range want {
		days = append(days, x)
	}
	for x := range got {
		if _, ok := want[x]; !ok {
			days = append(days, x)
		}
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	for _, x := range days {
		w, inWant := want[x]
		g, inGot := got[x]
		switch {
		case !inGot:
			t.Errorf("%s: lunar-go has no entry, notice says %s work=%v", x, w.name, w.work)
		case !inWant:
			t.Errorf("%s: lunar-go has %s work=%v, the notice does not list the day", x, g.name, g.work)
		case g != w:
			t.Errorf("%s: lunar-go has %s work=%v, notice says %s work=%v", x, g.name, g.work, w.name, w.work)
		}
	}
}

func TestDay(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name string
		in   Date
		want Day
	}{
		{"NationalDayFirst", d("2026-10-01"), Day{d("2026-10-01"), false, Holiday, "国庆节"}},
		{"NationalDayLast", d("2026-10-07"), Day{d("2026-10-07"), false, Holiday, "国庆节"}},
		{"AfterNationalDay", d("2026-10-08"), Day{d("2026-10-08"), true, Weekday, ""}},
		{"MakeupSunday", d("2026-09-20"), Day{d("2026-09-20"), true, Makeup, "国庆节"}},
		{"MakeupSaturday", d("2026-10-10"), Day{d("2026-10-10"), true, Makeup, "国庆节"}},
		{"PlainSunday", d("2026-10-11"), Day{d("2026-10-11"), false, Weekend, ""}},
		{"MidAutumnSaturday", d("2026-09-26"), Day{d("2026-09-26"), false, Holiday, "中秋节"}},
		{"SpringFestivalMonday", d("2026-02-23"), Day{d("2026-02-23"), false, Holiday, "春节"}},
		{"SpringFestivalMakeup", d("2026-02-28"), Day{d("2026-02-28"), true, Makeup, "春节"}},
		{"NewYearMakeup", d("2026-01-04"), Day{d("2026-01-04"), true, Makeup, "元旦节"}},
		{"PlainMonday", d("2026-11-23"), Day{d("2026-11-23"), true, Weekday, ""}},
		// Normalised like time.Date: 2026-02-30 is 2 March, a Monday.
		{"Normalised", Date{2026, time.February, 30}, Day{d("2026-03-02"), true, Weekday, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := c.Day(tt.in); got != tt.want {
				t.Errorf("Day(%s) = %+v, want %+v", tt.in, got, tt.want)
			}
			if got := c.IsWorkday(tt.in); got != tt.want.Workday {
				t.Errorf("IsWorkday(%s) = %v, want %v", tt.in, got, tt.want.Workday)
			}
			name, ok := c.HolidayName(tt.in)
			if name != tt.want.Name || ok != (tt.want.Name != "") {
				t.Errorf("HolidayName(%s) = %q, %v, want %q", tt.in, name, ok, tt.want.Name)
			}
		})
	}
}

func TestNationalDay2026NotWorkdays(t *testing.T) {
	t.Parallel()
	c := Default()
	for x := d("2026-10-01"); !x.After(d("2026-10-07")); x = x.AddDays(1) {
		if c.IsWorkday(x) {
			t.Errorf("IsWorkday(%s) = true, want false (国庆 1–7 October 2026)", x)
		}
	}
}

func TestHasOfficialData(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name string
		year int
		want bool
	}{
		{"FirstYear", 2002, true},
		{"Current", 2026, true},
		{"NextPublished", 2027, true},
		{"Unpublished", 2030, false},
		{"BeforeTable", 2000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := c.HasOfficialData(tt.year); got != tt.want {
				t.Errorf("HasOfficialData(%d) = %v, want %v", tt.year, got, tt.want)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	c := newCal(t, WithOverrides(
		Override{Date: d("2026-10-09"), Work: false, Name: "单位集中调休"},
		Override{Date: d("2026-10-03"), Work: true, Name: "值班"},
	))
	tests := []struct {
		name string
		date string
		want Day
	}{
		{"OrgRestOnWeekday", "2026-10-09", Day{Workday: false, Kind: OrgRest, Name: "单位集中调休"}},
		{"OrgWorkOnHoliday", "2026-10-03", Day{Workday: true, Kind: OrgWork, Name: "值班"}},
		{"Untouched", "2026-10-08", Day{Workday: true, Kind: Weekday}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := tt.want
			want.Date = d(tt.date)
			if got := c.Day(d(tt.date)); got != want {
				t.Errorf("Day(%s) = %+v, want %+v", tt.date, got, want)
			}
		})
	}
	if got, want := c.AddWorkdays(d("2026-10-08"), 1), d("2026-10-10"); got != want {
		t.Errorf("AddWorkdays(2026-10-08, 1) with 10-09 off = %s, want %s", got, want)
	}
	if got, want := c.NextWorkday(d("2026-10-01")), d("2026-10-03"); got != want {
		t.Errorf("NextWorkday(2026-10-01) with 10-03 worked = %s, want %s", got, want)
	}
	// The default calendar is not changed by another calendar's overrides.
	if !Default().IsWorkday(d("2026-10-09")) {
		t.Errorf("Default().IsWorkday(2026-10-09) = false, want true")
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []Option
		wantErr error
	}{
		{"InvalidDate", []Option{WithOverrides(Override{Date: Date{2026, 2, 30}, Name: "x"})}, ErrInvalidOverride},
		{"ZeroDate", []Option{WithOverrides(Override{Name: "x"})}, ErrInvalidOverride},
		{"EmptyName", []Option{WithOverrides(Override{Date: d("2026-10-09")})}, ErrInvalidOverride},
		{"Duplicate", []Option{
			WithOverrides(Override{Date: d("2026-10-09"), Name: "a"}),
			WithOverrides(Override{Date: d("2026-10-09"), Work: true, Name: "b"}),
		}, ErrInvalidOverride},
		{"NilLocation", []Option{WithLocation(nil)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.opts...)
			if err == nil {
				t.Fatalf("New = %v, nil; want an error", c)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("New error = %v, want one wrapping %v", err, tt.wantErr)
			}
		})
	}
}

func TestNextPrevWorkday(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name       string
		date       string
		next, prev string
	}{
		{"Workday", "2026-10-08", "2026-10-08", "2026-10-08"},
		{"InNationalDay", "2026-10-03", "2026-10-08", "2026-09-30"},
		{"MakeupSaturday", "2026-10-10", "2026-10-10", "2026-10-10"},
		{"SundayAfterMakeup", "2026-10-11", "2026-10-12", "2026-10-10"},
		{"SpringFestival", "2026-02-18", "2026-02-24", "2026-02-14"},
		{"NewYearAcrossYear", "2027-01-01", "2027-01-04", "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := c.NextWorkday(d(tt.date)); got != d(tt.next) {
				t.Errorf("NextWorkday(%s) = %s, want %s", tt.date, got, tt.next)
			}
			if got := c.PrevWorkday(d(tt.date)); got != d(tt.prev) {
				t.Errorf("PrevWorkday(%s) = %s, want %s", tt.date, got, tt.prev)
			}
		})
	}
}

func TestAddWorkdays(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name string
		date string
		n    int
		want string
	}{
		{"ZeroOnWorkday", "2026-02-12", 0, "2026-02-12"},
		{"ZeroInHoliday", "2026-02-15", 0, "2026-02-24"},
		{"OntoMakeupSaturday", "2026-02-13", 1, "2026-02-14"},
		{"AcrossSpringFestival", "2026-02-14", 1, "2026-02-24"},
		{"TwoAcrossSpringFestival", "2026-02-13", 2, "2026-02-24"},
		{"FromInsideHoliday", "2026-02-17", 1, "2026-02-24"},
		{"BackAcrossSpringFestival", "2026-02-24", -1, "2026-02-14"},
		{"TwoBackAcrossSpringFestival", "2026-02-24", -2, "2026-02-13"},
		{"ThreeAfterQ3", "2026-09-30", 3, "2026-10-10"},
		{"FourAfterQ3", "2026-09-30", 4, "2026-10-12"},
		{"AcrossYearEnd", "2026-12-31", 1, "2027-01-04"},
		{"TenPlainDays", "2026-11-02", 10, "2026-11-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := c.AddWorkdays(d(tt.date), tt.n); got != d(tt.want) {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tt.date, tt.n, got, tt.want)
			}
		})
	}
}

func TestWorkdaysBetween(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name string
		a, b string
		want int
	}{
		// 8, 9, 10 (调休 Saturday), then three full weeks 12–30.
		{"October2026", "2026-10-01", "2026-10-31", 18},
		// 2–6, 9–13, 14 (调休), 24–27, 28 (调休).
		{"February2026", "2026-02-01", "2026-02-28", 16},
		{"NationalDayOnly", "2026-10-01", "2026-10-07", 0},
		{"SameWorkday", "2026-10-08", "2026-10-08", 1},
		{"SameHoliday", "2026-10-01", "2026-10-01", 0},
		{"Reversed", "2026-10-31", "2026-10-01", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := c.WorkdaysBetween(d(tt.a), d(tt.b)); got != tt.want {
				t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestLastWorkdayOfMonth(t *testing.T) {
	t.Parallel()
	c := Default()
	tests := []struct {
		name  string
		year  int
		month time.Month
		want  string
	}{
		{"EndsOnMakeupSaturday", 2026, time.February, "2026-02-28"},
		{"BeforeNationalDay", 2026, time.September, "2026-09-30"},
		{"EndsOnSunday", 2026, time.May, "2026-05-29"},
		{"EndsOnSaturday", 2026, time.January, "2026-01-30"},
		{"EndsInSpringFestival", 2025, time.January, "2025-01-27"},
		{"December", 2026, time.December, "2026-12-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := c.LastWorkdayOfMonth(tt.year, tt.month); got != d(tt.want) {
				t.Errorf("LastWorkdayOfMonth(%d, %d) = %s, want %s", tt.year, tt.month, got, tt.want)
			}
		})
	}
}

func TestInstants(t *testing.T) {
	t.Parallel()
	c := Default()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	if got := c.Location().String(); got != DefaultLocationName {
		t.Errorf("Location() = %s, want %s", got, DefaultLocationName)
	}
	if got, want := c.At(d("2026-10-08"), 9, 30), time.Date(2026, 10, 8, 9, 30, 0, 0, sh); !got.Equal(want) {
		t.Errorf("At(2026-10-08, 9, 30) = %v, want %v", got, want)
	}
	if got, want := c.EndOf(d("2026-10-08")), time.Date(2026, 10, 8, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("EndOf(2026-10-08) = %v, want %v (midnight Beijing)", got, want)
	}
	// 16:30 UTC on 7 October is 00:30 on 8 October in Beijing.
	if got, want := c.Date(time.Date(2026, 10, 7, 16, 30, 0, 0, time.UTC)), d("2026-10-08"); got != want {
		t.Errorf("Date(2026-10-07T16:30Z) = %s, want %s", got, want)
	}
	utc := newCal(t, WithLocation(time.UTC))
	if got, want := utc.Date(time.Date(2026, 10, 7, 16, 30, 0, 0, time.UTC)), d("2026-10-07"); got != want {
		t.Errorf("UTC calendar Date(2026-10-07T16:30Z) = %s, want %s", got, want)
	}
}
