package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    Date
		wantErr bool
	}{
		{"OK", "2026-10-01", Date{2026, time.October, 1}, false},
		{"LeapDay", "2024-02-29", Date{2024, time.February, 29}, false},
		{"NotLeapYear", "2026-02-29", Date{}, true},
		{"Unpadded", "2026-1-05", Date{}, true},
		{"TwoDigitYear", "26-01-05", Date{}, true},
		{"Trailing", "2026-01-05T00:00", Date{}, true},
		{"Slashes", "2026/01/05", Date{}, true},
		{"Empty", "", Date{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidDate) {
					t.Errorf("ParseDate(%q) error = %v, want one wrapping ErrInvalidDate", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if s := got.String(); s != tt.in {
				t.Errorf("String() = %q, want %q", s, tt.in)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"Zero", "2026-10-01", 0, "2026-10-01"},
		{"AcrossMonth", "2026-09-28", 7, "2026-10-05"},
		{"AcrossYear", "2026-12-28", 7, "2027-01-04"},
		{"LeapFebruary", "2024-02-28", 1, "2024-02-29"},
		{"Backwards", "2026-03-01", -1, "2026-02-28"},
		{"LongSpan", "2001-01-01", 9131, "2026-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := d(tt.from).AddDays(tt.n)
			if got != d(tt.want) {
				t.Fatalf("%s.AddDays(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
			if back := got.DaysSince(d(tt.from)); back != tt.n {
				t.Errorf("%s.DaysSince(%s) = %d, want %d", got, tt.from, back, tt.n)
			}
		})
	}
	if got := d("9999-12-31").DaysSince(d("0001-01-01")); got != 3652058 {
		t.Errorf("DaysSince over the whole range = %d, want 3652058", got)
	}
}

func TestDateCompareAndWeekday(t *testing.T) {
	t.Parallel()
	a, b := d("2026-09-30"), d("2026-10-01")
	if !a.Before(b) || a.After(b) || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Errorf("comparisons of %s and %s are wrong", a, b)
	}
	if d("2025-12-31").Compare(d("2026-01-01")) != -1 || d("2026-02-01").Compare(d("2026-01-31")) != 1 {
		t.Errorf("comparisons across year or month are wrong")
	}
	if got := d("2026-10-01").Weekday(); got != time.Thursday {
		t.Errorf("2026-10-01 weekday = %v, want Thursday", got)
	}
}

func TestDateValidity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    Date
		valid bool
	}{
		{"OK", Date{2026, 10, 1}, true},
		{"Zero", Date{}, false},
		{"February30", Date{2026, 2, 30}, false},
		{"Month13", Date{2026, 13, 1}, false},
		{"Year0", Date{0, 1, 1}, false},
		{"Year10000", Date{10000, 1, 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.in.IsValid(); got != tt.valid {
				t.Errorf("%+v.IsValid() = %v, want %v", tt.in, got, tt.valid)
			}
		})
	}
	if !(Date{}).IsZero() || d("2026-01-01").IsZero() {
		t.Errorf("IsZero is wrong")
	}
	if got := NewDate(2026, 2, 30); got != d("2026-03-02") {
		t.Errorf("NewDate(2026, 2, 30) = %s, want 2026-03-02", got)
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		Due Date `json:"due"`
	}
	b, err := json.Marshal(doc{Due: d("2026-10-08")})
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if got, want := string(b), `{"due":"2026-10-08"}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back.Due != d("2026-10-08") {
		t.Errorf("Unmarshal = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &back); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("Unmarshal of 2026-02-30 error = %v, want ErrInvalidDate", err)
	}
	if _, err := json.Marshal(doc{}); err == nil {
		t.Errorf("Marshal of the zero date succeeded, want an error")
	}
}
