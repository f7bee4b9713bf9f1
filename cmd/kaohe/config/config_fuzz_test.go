package config

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// isFileOnly reports an error field inside a file-only key.
func isFileOnly(field string) bool {
	for _, f := range fileOnly {
		if field == f || strings.HasPrefix(field, f+".") {
			return true
		}
	}
	return false
}

// fuzzEnv reads "KEY=value" lines into a getenv. Only KAOHE_* names are
// kept, so the fuzzer spends its time on the settings Load reads.
func fuzzEnv(lines string) func(string) string {
	env := map[string]string{}
	for _, l := range strings.Split(lines, "\n") {
		k, v, ok := strings.Cut(l, "=")
		if ok && strings.HasPrefix(k, "KAOHE_") && k != "KAOHE_CONFIG" {
			env[k] = v
		}
	}
	return func(k string) string { return env[k] }
}

// FuzzLoadConfig feeds Load a configuration file and KAOHE_* variables
// (docs/reliability.md G10). Whatever it accepts must be usable by serve
// without a second surprise: the deadline rules, reminder plans, log level
// and uniformity rule build, the durations are positive, the storage is
// one serve can open, and the masked form does not print a secret. What it
// refuses is an *Error naming a field and its variable, or a file error,
// never a usage error (there are no flags here) and never a panic.
func FuzzLoadConfig(f *testing.F) {
	creds := "KAOHE_APP_ID=cli_a\nKAOHE_APP_SECRET=app-secret-value\nKAOHE_STORAGE=memory\n"
	f.Add([]byte("listen: \":9000\"\ncallback: webhook\nrelay_interval: 500ms\n"), creds)
	f.Add([]byte("deadline_weekly: workdays-after-end:15\ndeadline_monthly: next-month-day:6\ndeadline_summary: last-week\ndeadline_filing: fixed-next-year:01-20\n"), creds)
	f.Add([]byte("remind_weekly: before:-1@16:30,due:0@09:00\nremind_vote: none\nreminder_grace: 1h\n"), creds)
	f.Add([]byte(`{"app_id": "cli_j", "app_secret": "s", "bench_fixture": 10, "storage": "memory"}`), "")
	f.Add([]byte(""), creds+"KAOHE_DEADLINE_FILING=fixed:02-29\nKAOHE_TICK_INTERVAL=0s\n")
	f.Add([]byte("database_url: postgres://kaohe:db-password@db.internal:5432/kaohe\nredis_url: redis://:pw@cache:6379/0\n"), "KAOHE_APP_ID=a\nKAOHE_APP_SECRET=b\n")
	f.Add([]byte("app_id: [1, 2]\nencryptkey: typo\n"), creds)
	f.Add([]byte("chains:\n  default: [unit_leader:初评, supervisor:审定, head:评鉴]\n  \"@leader\": [supervisor: 审定]\n  正科: [head:评鉴]\n"), creds)
	f.Add([]byte("calendar:\n  holidays:\n    2028-01-01: 元旦\n    2028-01-25..2028-01-31: 春节\n  workdays:\n    2028-01-22: 春节调休\n"), creds+"KAOHE_QUIET_HOURS=22-7\nKAOHE_VOTES=off\n")
	const path = "kaohe.yaml" // read from the input, never from disk
	cal := calendar.Default()
	periods := []calendar.Period{
		calendar.PeriodContaining(calendar.Week, calendar.NewDate(2026, 9, 30)),
		calendar.PeriodContaining(calendar.Month, calendar.NewDate(2026, 12, 31)),
		calendar.PeriodContaining(calendar.Quarter, calendar.NewDate(2026, 10, 1)),
	}
	f.Fuzz(func(t *testing.T, file []byte, env string) {
		c, err := load([]string{"--config", path}, fuzzEnv(env), io.Discard, func(string) ([]byte, error) { return file, nil })
		if err != nil {
			var ce *Error
			var ue UsageError
			switch {
			case errors.As(err, &ce):
				if ce.Field == "" || ce.Msg == "" || (ce.Env == "") != isFileOnly(ce.Field) {
					t.Fatalf("*Error without field, variable or message: %#v", ce)
				}
			case errors.As(err, &ue):
				t.Fatalf("usage error %v from a file and the environment", err)
			case !strings.HasPrefix(err.Error(), "config file "):
				t.Fatalf("error %q is neither an *Error nor about the file", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load accepted what Validate refuses: %v", err)
		}
		if c.Storage != StorageMemory && c.Storage != StoragePostgres {
			t.Fatalf("accepted storage %q", c.Storage)
		}
		for name, d := range map[string]Duration{"relay_interval": c.RelayInterval, "shutdown_timeout": c.ShutdownTimeout,
			"lark_timeout": c.LarkTimeout, "reminder_grace": c.ReminderGrace, "audit_head_interval": c.AuditHeadInterval} {
			if d <= 0 {
				t.Fatalf("accepted %s %v", name, time.Duration(d))
			}
		}
		if _, err := c.Plans(); err != nil {
			t.Fatalf("accepted reminder plans that do not build: %v", err)
		}
		if _, err := c.Level(); err != nil {
			t.Fatalf("accepted log level %q: %v", c.LogLevel, err)
		}
		if _, err := c.Uniformity(); err != nil {
			t.Fatalf("accepted a uniformity rule that does not build: %v", err)
		}
		if from, to, err := c.QuietHours(); err != nil || from < 0 || from > 23 || to < 0 || to > 23 {
			t.Fatalf("accepted quiet hours %q as %d-%d, %v", c.QuietHoursSpec, from, to, err)
		}
		if _, err := c.VotesSetting(); err != nil {
			t.Fatalf("accepted votes %q: %v", c.Votes, err)
		}
		if ch := c.WorkflowChains(); ch != nil {
			if len(ch[""]) == 0 {
				t.Fatalf("accepted chains without a default: %v", ch)
			}
			for tier, steps := range ch {
				for _, st := range steps {
					if st.Role != workflow.RoleUnitLeader && st.Role != workflow.RoleSupervisor && st.Role != workflow.RoleHead || st.Name == "" {
						t.Fatalf("accepted chain %q step %+v", tier, st)
					}
				}
			}
		}
		if _, err := c.BuildCalendar(); err != nil {
			t.Fatalf("accepted calendar overrides the calendar refuses: %v", err)
		}
		dl, err := c.Deadlines(cal)
		if err != nil {
			t.Fatalf("accepted deadlines that do not build: %v", err)
		}
		// Every deadline falls on or after its period's first day and
		// within about a year of its end, whatever the rule.
		for _, p := range periods {
			for name, due := range map[string]func() calendar.Date{
				"weekly": func() calendar.Date { return dl.Weekly(cal, p) }, "monthly": func() calendar.Date { return dl.Monthly(cal, p) },
				"summary": func() calendar.Date { return dl.Summary(cal, p) }, "filing": func() calendar.Date { return dl.Filing(cal, p) },
			} {
				d := due()
				if d.Before(p.Start()) || d.After(p.End().AddDays(400)) {
					t.Fatalf("deadline %s of %s is %s", name, p, d)
				}
			}
		}
		s := c.String()
		for _, secret := range []string{c.AppSecret, c.EncryptKey, c.VerificationToken} {
			if len(secret) >= 8 && strings.Contains(s, "="+secret) {
				t.Fatalf("masked config shows a secret: %s", s)
			}
		}
	})
}
