package schedule

import (
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// every fires at every multiple of d since the zero time; its Next is cheap,
// for tests that walk millions of slots.
type every struct{ d time.Duration }

func (e every) Next(t time.Time) time.Time { return t.Truncate(e.d).Add(e.d) }

func sameTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func TestSlots(t *testing.T) {
	t.Parallel()
	daily := MustParse("0 9 * * *")
	tests := []struct {
		name     string
		s        Schedule
		from, to time.Time
		want     []time.Time
	}{
		{"ToInclusive", daily, at(2026, 10, 1, 0, 0), at(2026, 10, 3, 9, 0),
			[]time.Time{at(2026, 10, 1, 9, 0), at(2026, 10, 2, 9, 0), at(2026, 10, 3, 9, 0)}},
		{"FromExclusive", daily, at(2026, 10, 1, 9, 0), at(2026, 10, 3, 8, 59),
			[]time.Time{at(2026, 10, 2, 9, 0)}},
		{"WorkdaysAcrossNationalDay", WorkdayOnly(daily, calendar.Default()), at(2026, 9, 30, 0, 0), at(2026, 10, 9, 10, 0),
			[]time.Time{at(2026, 9, 30, 9, 0), at(2026, 10, 8, 9, 0), at(2026, 10, 9, 9, 0)}},
		{"Empty", daily, at(2026, 10, 1, 10, 0), at(2026, 10, 2, 8, 0), nil},
		{"Reversed", daily, at(2026, 10, 3, 0, 0), at(2026, 10, 1, 0, 0), nil},
		{"Fixed", Fixed{At: at(2026, 10, 8, 9, 0)}, at(2026, 10, 1, 0, 0), at(2026, 10, 31, 0, 0),
			[]time.Time{at(2026, 10, 8, 9, 0)}},
		{"Stuck", stuck{at: at(2026, 10, 8, 9, 0)}, at(2026, 10, 1, 0, 0), at(2026, 10, 31, 0, 0),
			[]time.Time{at(2026, 10, 8, 9, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Slots(tt.s, tt.from, tt.to); !sameTimes(got, tt.want) {
				t.Errorf("Slots = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSlotsCap(t *testing.T) {
	t.Parallel()
	from := at(2026, 1, 1, 0, 0)
	got := Slots(MustParse("* * * * *"), from, at(2026, 3, 1, 0, 0))
	if len(got) != MaxSlots {
		t.Fatalf("len(Slots) = %d, want MaxSlots = %d", len(got), MaxSlots)
	}
	if !got[0].Equal(from.Add(time.Minute)) || !got[MaxSlots-1].Equal(from.Add(MaxSlots*time.Minute)) {
		t.Errorf("Slots = %v … %v, want the earliest %d minutes", got[0], got[MaxSlots-1], MaxSlots)
	}
}

func TestLatestMissed(t *testing.T) {
	t.Parallel()
	daily := MustParse("0 9 * * *")
	workdays := WorkdayOnly(daily, calendar.Default())
	tests := []struct {
		name      string
		s         Schedule
		lastFired time.Time
		now       time.Time
		grace     time.Duration
		wantSlot  time.Time
		wantOK    bool
		missed    []time.Time
	}{
		{"OnTime", daily, at(2026, 10, 8, 9, 0), time.Date(2026, 10, 9, 9, 0, 0, 2e8, bj), time.Hour,
			at(2026, 10, 9, 9, 0), true, nil},
		{"NothingDue", daily, at(2026, 10, 8, 9, 0), at(2026, 10, 8, 20, 0), time.Hour,
			time.Time{}, false, nil},
		{"CatchUpWithinGrace", daily, at(2026, 10, 8, 9, 0), at(2026, 10, 10, 9, 30), time.Hour,
			at(2026, 10, 10, 9, 0), true, []time.Time{at(2026, 10, 9, 9, 0)}},
		{"AllBeyondGrace", daily, at(2026, 10, 8, 9, 0), at(2026, 10, 10, 11, 0), time.Hour,
			time.Time{}, false, []time.Time{at(2026, 10, 9, 9, 0), at(2026, 10, 10, 9, 0)}},
		{"GraceBoundaryInclusive", daily, at(2026, 10, 8, 9, 0), at(2026, 10, 9, 10, 0), time.Hour,
			at(2026, 10, 9, 9, 0), true, nil},
		{"NegativeGraceExact", daily, at(2026, 10, 8, 9, 0), at(2026, 10, 9, 9, 0), -time.Hour,
			at(2026, 10, 9, 9, 0), true, nil},
		{"NegativeGraceLate", daily, at(2026, 10, 8, 9, 0), time.Date(2026, 10, 9, 9, 0, 1, 0, bj), -time.Hour,
			time.Time{}, false, []time.Time{at(2026, 10, 9, 9, 0)}},
		{"NeverFiredInWindow", daily, time.Time{}, at(2026, 10, 8, 9, 10), 30 * time.Minute,
			at(2026, 10, 8, 9, 0), true, nil},
		{"NeverFiredOutsideWindow", daily, time.Time{}, at(2026, 10, 8, 10, 0), 30 * time.Minute,
			time.Time{}, false, nil},
		{"LastFiredInFuture", daily, at(2026, 10, 9, 9, 0), at(2026, 10, 8, 9, 0), time.Hour,
			time.Time{}, false, nil},
		// Down for all of 国庆: holidays had no slots, so nothing is missed.
		{"WorkdaysAcrossNationalDay", workdays, at(2026, 9, 30, 9, 0), at(2026, 10, 8, 9, 5), time.Hour,
			at(2026, 10, 8, 9, 0), true, nil},
		{"FixedDeadlineReminder", Fixed{At: at(2026, 10, 8, 9, 0)}, at(2026, 10, 1, 0, 0), at(2026, 10, 8, 9, 0), time.Minute,
			at(2026, 10, 8, 9, 0), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slot, missed, ok := LatestMissed(tt.s, tt.lastFired, tt.now, tt.grace)
			if ok != tt.wantOK || !slot.Equal(tt.wantSlot) {
				t.Errorf("LatestMissed slot = %v, %v; want %v, %v", slot, ok, tt.wantSlot, tt.wantOK)
			}
			if !sameTimes(missed, tt.missed) {
				t.Errorf("LatestMissed missed = %v, want %v", missed, tt.missed)
			}
		})
	}
}

func TestLatestMissedCap(t *testing.T) {
	t.Parallel()
	start := at(2026, 1, 1, 0, 0)
	tests := []struct {
		name       string
		s          Schedule
		now        time.Time
		walk       int
		wantMissed int
		lastMissed time.Time
	}{
		// 12,960 minutes: more than MaxSlots missed; the most recent are kept.
		{"EveryMinute", MustParse("* * * * *"), at(2026, 1, 10, 0, 0), maxWalk, MaxSlots, at(2026, 1, 9, 23, 59)},
		// More slots before the window than the walk allows: the walk jumps
		// to the window, the slot is still exact, and missed ends at the jump.
		{"EverySecondJump", every{time.Second}, start.Add(100 * time.Hour), 1000, 1000, start.Add(1000 * time.Second)},
		{"EverySecondJumpOverCap", every{time.Second}, start.Add(100 * time.Hour), 3 * MaxSlots, MaxSlots, start.Add(3 * MaxSlots * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slot, missed, ok := latestMissed(tt.s, start, tt.now, 0, tt.walk)
			if !ok || !slot.Equal(tt.now) {
				t.Errorf("slot = %v, %v; want %v, true", slot, ok, tt.now)
			}
			if len(missed) != tt.wantMissed {
				t.Fatalf("len(missed) = %d, want %d", len(missed), tt.wantMissed)
			}
			for i := 1; i < len(missed); i++ {
				if !missed[i].After(missed[i-1]) {
					t.Fatalf("missed not in order at %d: %v, %v", i, missed[i-1], missed[i])
				}
			}
			if last := missed[len(missed)-1]; !last.Equal(tt.lastMissed) {
				t.Errorf("last missed = %v, want %v", last, tt.lastMissed)
			}
		})
	}
}
