package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/workflow"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	const db = "postgres://kaohe@127.0.0.1:5432/kaohe"
	creds := map[string]string{"KAOHE_APP_ID": "cli_a", "KAOHE_APP_SECRET": "sec", "KAOHE_DATABASE_URL": db}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range creds {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name      string
		file      string // YAML config file body; "" for none
		env       map[string]string
		args      []string
		wantField string // the Error field, "" for success
		check     func(t *testing.T, c Config)
	}{
		{name: "OK_Defaults", env: creds, check: func(t *testing.T, c Config) {
			if c.Listen != ":8080" || c.Callback != CallbackLong || c.Storage != StoragePostgres || c.DatabaseURL != db ||
				c.Migrate != MigrateAuto || c.Scheme != "s4" ||
				c.BaseURL != "https://open.feishu.cn" || time.Duration(c.TickInterval) != time.Minute {
				t.Errorf("defaults: %v", c)
			}
		}},
		{name: "OK_FileThenEnvThenFlags",
			file: "app_id: cli_file\napp_secret: s\ncallback: webhook\nrelay_interval: 500ms\nlisten: \":9000\"\nstorage: memory\n",
			env:  map[string]string{"KAOHE_CALLBACK": "long", "KAOHE_TICK_INTERVAL": "30s"},
			args: []string{"--listen", "127.0.0.1:0"},
			check: func(t *testing.T, c Config) {
				if c.AppID != "cli_file" || c.Callback != CallbackLong || time.Duration(c.RelayInterval) != 500*time.Millisecond ||
					time.Duration(c.TickInterval) != 30*time.Second || c.Listen != "127.0.0.1:0" {
					t.Errorf("merged config: %v", c)
				}
			}},
		{name: "OK_WorkflowOptions", file: "open_periods: manual\npublish_all: true\nreview_days: 15\nhalf_year_talk: true\n",
			env: with(map[string]string{"KAOHE_QUOTA_PER_UNIT": "true", "KAOHE_BOTTOM_ALERT_AFTER": "3"}), check: func(t *testing.T, c Config) {
				if c.OpenPeriods != "manual" || !c.PublishAll || c.ReviewDays != 15 || !c.HalfYearTalk || !c.QuotaPerUnit || c.BottomAlertAfter != 3 {
					t.Errorf("workflow options: %+v", c)
				}
			}},
		{name: "BadOpenPeriods", env: with(map[string]string{"KAOHE_OPEN_PERIODS": "weekly"}), wantField: "open_periods"},
		{name: "BadFlag", env: with(map[string]string{"KAOHE_PUBLISH_ALL": "maybe"}), wantField: "publish_all"},
		{name: "ReviewDaysTooLong", env: with(map[string]string{"KAOHE_REVIEW_DAYS": "400"}), wantField: "review_days"},
		{name: "OK_Uniform", file: "uniform_min_size: 5\nuniform_stdev_under: 1.5\nuniform_top_share_over: 90%\n",
			env: with(map[string]string{"KAOHE_UNIFORM_RANGE_UNDER": "4"}), check: func(t *testing.T, c Config) {
				r := c.UniformRule()
				if r.Off || r.MinSize != 5 || r.StdevUnder.String() != "1.5" || r.RangeUnder.String() != "4" || r.TopShareOver.String() != "90%" {
					t.Errorf("uniformity rule: %+v", r)
				}
			}},
		{name: "OK_UniformOff", env: with(map[string]string{"KAOHE_UNIFORM_OFF": "true"}), check: func(t *testing.T, c Config) {
			if r := c.UniformRule(); !r.Off || r.MinSize != 0 || !r.StdevUnder.IsZero() {
				t.Errorf("uniformity rule: %+v, want off with defaults left to scoring", r)
			}
		}},
		{name: "ErrUniformMinSize", env: with(map[string]string{"KAOHE_UNIFORM_MIN_SIZE": "1"}), wantField: "uniform_min_size"},
		{name: "ErrUniformStdev", env: with(map[string]string{"KAOHE_UNIFORM_STDEV_UNDER": "2分"}), wantField: "uniform_stdev_under"},
		{name: "ErrUniformRange", env: with(map[string]string{"KAOHE_UNIFORM_RANGE_UNDER": "-5"}), wantField: "uniform_range_under"},
		{name: "ErrUniformShare", env: with(map[string]string{"KAOHE_UNIFORM_TOP_SHARE_OVER": "120%"}), wantField: "uniform_top_share_over"},
		{name: "ErrUniformShareNoSign", env: with(map[string]string{"KAOHE_UNIFORM_TOP_SHARE_OVER": "0.8"}), wantField: "uniform_top_share_over"},
		{name: "OK_MemoryOnlyByName", env: map[string]string{"KAOHE_APP_ID": "cli_a", "KAOHE_APP_SECRET": "sec"},
			args: []string{"--store", "memory"}, check: func(t *testing.T, c Config) {
				if c.Storage != StorageMemory {
					t.Errorf("storage = %q, want memory", c.Storage)
				}
			}},
		{name: "ErrNoDatabase", env: map[string]string{"KAOHE_APP_ID": "cli_a", "KAOHE_APP_SECRET": "sec"}, wantField: "storage"},
		{name: "ErrPostgresWithoutURL", env: map[string]string{"KAOHE_APP_ID": "cli_a", "KAOHE_APP_SECRET": "sec", "KAOHE_STORAGE": "postgres"},
			wantField: "database_url"},
		{name: "ErrDatabaseURLScheme", env: with(map[string]string{"KAOHE_DATABASE_URL": "mysql://db/kaohe"}), wantField: "database_url"},
		{name: "ErrRedisURL", env: with(map[string]string{"KAOHE_REDIS_URL": "127.0.0.1:6379"}), wantField: "redis_url"},
		{name: "ErrMigrate", env: with(map[string]string{"KAOHE_MIGRATE": "sometimes"}), wantField: "migrate"},
		{name: "ErrRemindWeekly", env: with(map[string]string{"KAOHE_REMIND_WEEKLY": "boss:1@09:00"}), wantField: "remind_weekly"},
		{name: "ErrRemindStep", env: with(map[string]string{"KAOHE_REMIND_STEP": "due:0@25:00"}), wantField: "remind_step"},
		{name: "ErrReminderGrace", env: with(map[string]string{"KAOHE_REMINDER_GRACE": "0s"}), wantField: "reminder_grace"},
		{name: "OK_RemindNone", env: with(map[string]string{"KAOHE_REMIND_VOTE": "none", "KAOHE_REMIND_WEEKLY": "before:-1@16:30"}),
			check: func(t *testing.T, c Config) {
				p, err := c.Plans()
				if err != nil || len(p["vote"]) != 0 || p["weekly"][0].Hour != 16 || p["weekly"][0].Minute != 30 || p["monthly"] != nil {
					t.Errorf("plans = %v, %v", p, err)
				}
			}},
		{name: "ErrAuditHeadInterval", env: with(map[string]string{"KAOHE_AUDIT_HEAD_INTERVAL": "0s"}), wantField: "audit_head_interval"},
		{name: "OK_JSONFile", file: `{"app_id": "cli_j", "app_secret": "s", "bench_fixture": 10, "storage": "memory"}`, check: func(t *testing.T, c Config) {
			if c.AppID != "cli_j" || c.BenchFixture != 10 {
				t.Errorf("json config: %v", c)
			}
		}},
		{name: "ErrAppID", env: map[string]string{}, wantField: "app_id"},
		{name: "ErrCallback", env: with(map[string]string{"KAOHE_CALLBACK": "poll"}), wantField: "callback"},
		{name: "ErrStorageUnknown", env: with(map[string]string{"KAOHE_STORAGE": "mongo"}), wantField: "storage"},
		{name: "ErrBaseURL", env: with(map[string]string{"KAOHE_BASE_URL": "open.feishu.cn"}), wantField: "base_url"},
		{name: "ErrRelayInterval", env: with(map[string]string{"KAOHE_RELAY_INTERVAL": "0s"}), wantField: "relay_interval"},
		{name: "ErrDurationSyntax", env: with(map[string]string{"KAOHE_TICK_INTERVAL": "soon"}), wantField: "tick_interval"},
		{name: "ErrLogLevel", env: with(map[string]string{"KAOHE_LOG_LEVEL": "loud"}), wantField: "log_level"},
		{name: "ErrBenchFixture", env: with(map[string]string{"KAOHE_BENCH_FIXTURE": "many"}), wantField: "bench_fixture"},
		{name: "OK_Retention", file: "retention_dead: 2160h\n", env: with(map[string]string{"KAOHE_RETENTION_SENT": "336h"}),
			check: func(t *testing.T, c Config) {
				want := workflow.Retention{Idempotency: 72 * time.Hour, Sent: 336 * time.Hour, Dead: 2160 * time.Hour}
				if c.Retention() != want || time.Duration(c.PruneInterval) != time.Hour {
					t.Errorf("retention %+v every %s, want %+v every 1h", c.Retention(), c.PruneInterval, want)
				}
			}},
		// 7 h is just inside Lark's last re-push (7 h 5 min 15 s).
		{name: "ErrRetentionIdempotency", env: with(map[string]string{"KAOHE_RETENTION_IDEMPOTENCY": "7h"}), wantField: "retention_idempotency"},
		{name: "ErrRetentionSent", env: with(map[string]string{"KAOHE_RETENTION_SENT": "1h"}), wantField: "retention_sent"},
		{name: "ErrRetentionDead", file: "retention_dead: 0s\n", env: creds, wantField: "retention_dead"},
		{name: "ErrPruneInterval", env: with(map[string]string{"KAOHE_PRUNE_INTERVAL": "10s"}), wantField: "prune_interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if tt.file != "" {
				args = append([]string{"--config", writeFile(t, "kaohe.yaml", tt.file)}, args...)
			}
			c, err := Load(args, envOf(tt.env), io.Discard)
			if tt.wantField != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Field != tt.wantField {
					t.Fatalf("err = %v, want a Error for %s", err, tt.wantField)
				}
				if !strings.Contains(err.Error(), tt.wantField) || !strings.Contains(err.Error(), "KAOHE_") {
					t.Errorf("error %q does not name the field and its variable", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadConfigUnknownFileKey(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "kaohe.yaml", "app_id: a\napp_secret: s\nencryptkey: typo\n")
	_, err := Load([]string{"--config", p}, envOf(nil), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "encryptkey") {
		t.Fatalf("err = %v, want one naming the unknown key", err)
	}
}

func TestConfigMasksSecrets(t *testing.T) {
	t.Parallel()
	c := Default()
	c.AppID, c.AppSecret, c.EncryptKey, c.VerificationToken = "cli_visible", "app-secret-value", "encrypt-key-value", "token-value"
	c.DatabaseURL, c.RedisURL = "postgres://kaohe:db-password@db.internal:5432/kaohe", "redis://:redis-password@cache.internal:6379/0"
	s := c.String()
	if !strings.Contains(s, "db.internal") || !strings.Contains(s, "cache.internal") {
		t.Errorf("config string %s: want the database and Redis hosts shown", s)
	}
	for _, secret := range []string{"app-secret-value", "encrypt-key-value", "token-value", "db-password", "redis-password"} {
		if strings.Contains(s, secret) {
			t.Errorf("config string leaks %q: %s", secret, s)
		}
	}
	if !strings.Contains(s, "cli_visible") || !strings.Contains(s, "app_secret=***") {
		t.Errorf("config string %s: want the app id shown and the secret masked", s)
	}
}
