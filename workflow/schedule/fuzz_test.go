package schedule

import (
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// FuzzParse checks docs/reliability.md G10 for cron specs: Parse never panics
// or hangs, refuses what is too long, and every schedule it accepts fires
// strictly after the instant it is asked about, also when wrapped by
// WorkdayOnly. The probe instants include daylight-saving changes at
// midnight (São Paulo, 4 November 2018), where cron libraries have looped.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0 15 * * 5", "30 8 * * 1", "0 9 * * 1-5", "*/15 9-17 * * MON-FRI", "0 9 1 */3 *", "0 0 29 2 *",
		"@weekly", "@daily", "@hourly", "@monthly", "@yearly", "@every 1h", "@reboot",
		"TZ=0", "CRON_TZ=UTC", "TZ=", "CRON_TZ=", "TZ= ", "TZ=UTC 0 9 * * *", "CRON_TZ=Asia/Shanghai 0 9 * * *",
		"CRON_TZ=America/Sao_Paulo 0 0 * * *", "CRON_TZ=America/Havana 30 0 * * *", "TZ=Local 0 9 * * *",
		"TZ=../../etc/passwd 0 9 * * *", "0 9 30 2 *", "0 9 31 4,6,9,11 *", "* * * * *", "? ? ? ? ?",
		"0-59/0 * * * *", "1-0 * * * *", "*/99999999999999999999 * * * *", "0 9 * * 7", "0 9 * * 1 @weekly",
		"", " ", "\t", "0 9 * * 周一", "\xff\xfe",
	} {
		f.Add(s)
	}
	cal := calendar.Default()
	saoPaulo, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		f.Fatalf("LoadLocation: %v", err)
	}
	probes := []time.Time{
		time.Date(2026, 9, 30, 23, 59, 59, 999999999, calendar.DefaultLocation()),
		time.Date(2026, 2, 14, 12, 0, 0, 0, time.UTC),
		time.Date(2018, 11, 3, 23, 30, 0, 0, saoPaulo),
		time.Date(2018, 2, 17, 23, 30, 0, 0, saoPaulo),
	}
	f.Fuzz(func(t *testing.T, spec string) {
		c, err := Parse(spec)
		if err != nil {
			if c != nil {
				t.Fatalf("Parse(%q) returned a schedule with error %v", spec, err)
			}
			return
		}
		if len(spec) > MaxSpecLen {
			t.Fatalf("Parse accepted a %d-byte spec", len(spec))
		}
		for _, p := range probes {
			for _, s := range []Schedule{c, WorkdayOnly(c, cal)} {
				if n := s.Next(p); !n.IsZero() && !n.After(p) {
					t.Fatalf("%q: Next(%v) = %v, not after it", spec, p, n)
				}
			}
		}
	})
}
