package workflow_test

import (
	"sync"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestHolidaysUnknownWarning: in December, while the calendar does not
// know the coming year's holidays, HR is warned on the first working day
// of December and again from the 15th, at 09:00, each exactly once though
// two replicas tick the same store; no warning when the year is known,
// either built in or because HR entered a holiday of it, and none outside
// December.
func TestHolidaysUnknownWarning(t *testing.T) {
	t.Parallel()
	// The built-in data carries 2027 but not 2028.
	if cal := calendar.Default(); !cal.HasOfficialData(2027) || cal.HasOfficialData(2028) {
		t.Skip("the built-in holiday data changed: move the years of this test")
	}
	entered, err := calendar.New(calendar.WithOverrides(calendar.Override{Date: calendar.NewDate(2028, 1, 1), Name: "元旦"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		cal      *calendar.Calendar
		from, to time.Time
		want     []time.Time // when each warning is written
	}{
		{name: "December2027", from: at(2027, 11, 30, 8, 0), to: at(2027, 12, 31, 23, 0),
			want: []time.Time{at(2027, 12, 1, 9, 0), at(2027, 12, 15, 9, 0)}},
		{name: "Known2027", from: at(2026, 11, 30, 8, 0), to: at(2026, 12, 31, 23, 0)},
		{name: "EnteredByHR", cal: entered, from: at(2027, 11, 30, 8, 0), to: at(2027, 12, 31, 23, 0)},
		{name: "NotInNovember", from: at(2027, 11, 1, 8, 0), to: at(2027, 11, 30, 23, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "s4", tt.from, func(c *workflow.Config) {
				if tt.cal != nil {
					c.Calendar = tt.cal
				}
			})
			h.org60()
			h.take()
			// A second replica on the same store and clock.
			sc, err := scoring.Builtin("s4")
			if err != nil {
				t.Fatal(err)
			}
			cal := workflow.Calendar(h.cal)
			if tt.cal != nil {
				cal = tt.cal
			}
			other, err := workflow.New(workflow.Config{Store: h.store, Clock: h.clk, Calendar: cal, Scheme: sc, ManualOpen: true})
			if err != nil {
				t.Fatal(err)
			}
			for now := tt.from; !now.After(tt.to); now = now.Add(30 * time.Minute) {
				h.clk.Set(now)
				var wg sync.WaitGroup
				for _, svc := range []*workflow.Service{h.svc, other} {
					wg.Go(func() {
						if _, err := svc.Tick(ctx); err != nil {
							t.Errorf("Tick at %s: %v", now, err)
						}
					})
				}
				wg.Wait()
			}
			var got []workflow.Notification
			for _, n := range h.take() {
				if n.Template == workflow.TplHolidaysUnknown {
					got = append(got, n)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d warnings %v, want %d", len(got), got, len(tt.want))
			}
			for i, n := range got {
				if n.To != "hr" || !n.CreatedAt.Equal(tt.want[i]) || n.Data["year"] != "2028" {
					t.Errorf("warning %d: to %s at %s, data %v; want to hr at %s for 2028", i, n.To, n.CreatedAt, n.Data, tt.want[i])
				}
			}
		})
	}
}
