package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestHolidaysUnknownReachesHR: the December warning that next year's
// holidays are unknown reaches HR in Lark as a card naming the
// configuration keys to set.
func TestHolidaysUnknownReachesHR(t *testing.T) {
	if calendar.Default().HasOfficialData(2028) {
		t.Skip("the built-in holiday data carries 2028: move the year of this test")
	}
	w := newWorld(t, "cli_holidays", time.Date(2027, 12, 1, 8, 0, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true})
	w.clk.Set(time.Date(2027, 12, 1, 9, 0, 0, 0, calendar.DefaultLocation()))
	_, err := w.svc.Tick(w.ctx)
	w.must("tick", err)
	w.deliver()
	m := w.lastCard("ou_hr", "请录入2028年节假日安排")
	for _, want := range []string{"calendar.holidays", "calendar.workdays", "重启服务"} {
		if !strings.Contains(m.Content, want) {
			t.Errorf("card lacks %q: %s", want, m.Content)
		}
	}
}
