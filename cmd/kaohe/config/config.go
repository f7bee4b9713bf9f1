// Package config is the configuration of `kaohe serve`: its fields and
// defaults, how the file, the KAOHE_* environment and the flags fill it
// (Load), what is valid (Validate), and the workflow settings it turns
// into (Plans, Deadlines, Retention, UniformRule).
//
// It is a package of its own so that its fuzz target runs at full speed:
// in package main the instrumented test binary links the whole server and
// the fuzzing engine clears and compares every one of its coverage
// counters on each input (docs/reliability.md G10).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Config is everything `kaohe serve` needs. It is filled in this order,
// later sources winning: the defaults (Default), the file named by
// --config or KAOHE_CONFIG (YAML or JSON, keys as in the yaml tags), the
// KAOHE_* environment variables, then the command-line flags.
type Config struct {
	// Listen is the HTTP address (webhook, /healthz, /readyz). KAOHE_LISTEN.
	Listen string `yaml:"listen"`
	// AddrFile, if set, receives the bound address once the server listens
	// (useful with port 0). KAOHE_ADDR_FILE.
	AddrFile string `yaml:"addr_file"`

	// AppID and AppSecret are the Lark app's credentials. KAOHE_APP_ID,
	// KAOHE_APP_SECRET.
	AppID     string `yaml:"app_id"`
	AppSecret string `yaml:"app_secret"`
	// BaseURL is the Open Platform; a larksim address in tests. KAOHE_BASE_URL.
	BaseURL string `yaml:"base_url"`
	// VerificationToken and EncryptKey are the app's event settings,
	// required in webhook mode. KAOHE_VERIFICATION_TOKEN, KAOHE_ENCRYPT_KEY.
	VerificationToken string `yaml:"verification_token"`
	EncryptKey        string `yaml:"encrypt_key"`
	// Callback is how callbacks and events arrive: "long" (the long
	// connection, no public address needed) or "webhook" (POST
	// /lark/webhook). KAOHE_CALLBACK.
	Callback string `yaml:"callback"`

	// Scheme is a built-in scheme id (s1 … s10, s4-month) or a scheme
	// file: the organisation's default scheme. KAOHE_SCHEME.
	Scheme string `yaml:"scheme"`
	// Schemes puts units under other schemes than the default (file only):
	// unit id → a built-in scheme id or a scheme file ("q2: s5", "window:
	// s4-month"). Each scheme's units run their own periods, quotas and
	// committee card. It wins over the org file's scheme of a unit.
	Schemes map[string]string `yaml:"schemes"`
	// Storage is "postgres" or "memory". Empty means PostgreSQL when
	// DatabaseURL is set; the memory store, which loses everything on a
	// restart, is used only when asked for by name (--store memory), so a
	// forgotten database URL never runs a unit on it by accident.
	// KAOHE_STORAGE.
	Storage string `yaml:"storage"`
	// DatabaseURL is the PostgreSQL system of record
	// (postgres://user:pass@host:5432/db). KAOHE_DATABASE_URL.
	DatabaseURL string `yaml:"database_url"`
	// Migrate is "auto" (migrate the schema at start, behind a lock that
	// replicas share) or "check" (only check that the schema is the one
	// this binary knows: for serve running as the application role, which
	// may not change the schema). KAOHE_MIGRATE.
	Migrate string `yaml:"migrate"`
	// RedisURL is the Redis that replicas coordinate through (the shared
	// send limiter and the webhook nonce cache); empty keeps both in
	// process, which is right for one replica only. KAOHE_REDIS_URL.
	RedisURL string `yaml:"redis_url"`
	// Org is an optional bootstrap file (JSON, see package orgfile) loaded into an
	// empty store at start, once: a store that already has an organisation
	// keeps it. KAOHE_ORG.
	Org string `yaml:"org"`

	// AuditHeadFile, if set, receives a line with the audit log's head
	// (seq, hash, time) every AuditHeadInterval, so `kaohe audit verify
	// --heads FILE` can detect rows removed from the end of the log.
	// Point it where the database's administrators cannot write.
	// KAOHE_AUDIT_HEAD_FILE.
	AuditHeadFile string `yaml:"audit_head_file"`
	// AuditHeadChat, if set, is a chat id (a restricted admin group) that
	// gets the same head as a message. KAOHE_AUDIT_HEAD_CHAT.
	AuditHeadChat string `yaml:"audit_head_chat"`
	// AuditHeadInterval is how often the head is published.
	// KAOHE_AUDIT_HEAD_INTERVAL.
	AuditHeadInterval Duration `yaml:"audit_head_interval"`

	// RelayInterval is how often the outbox relay runs when nothing wakes
	// it sooner. KAOHE_RELAY_INTERVAL.
	RelayInterval Duration `yaml:"relay_interval"`
	// TickInterval is how often the reminder scheduler runs; 0 turns it
	// off. KAOHE_TICK_INTERVAL.
	TickInterval Duration `yaml:"tick_interval"`
	// ShutdownTimeout bounds the drain after SIGTERM. KAOHE_SHUTDOWN_TIMEOUT.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// LarkTimeout bounds one Open API call. KAOHE_LARK_TIMEOUT.
	LarkTimeout Duration `yaml:"lark_timeout"`

	// RetentionIdempotency is how long saved callback replies, service
	// idempotency keys and the records of answered messages are kept;
	// RetentionSent and RetentionDead, sent notifications and those given
	// up on. None may be shorter than Lark's re-delivery window
	// (workflow.RedeliveryWindow, about 7 h), or a re-pushed event could
	// run twice (docs/reliability.md §2). KAOHE_RETENTION_IDEMPOTENCY,
	// KAOHE_RETENTION_SENT, KAOHE_RETENTION_DEAD.
	RetentionIdempotency Duration `yaml:"retention_idempotency"`
	RetentionSent        Duration `yaml:"retention_sent"`
	RetentionDead        Duration `yaml:"retention_dead"`
	// PruneInterval is how often serve deletes what the retentions let
	// go. KAOHE_PRUNE_INTERVAL.
	PruneInterval Duration `yaml:"prune_interval"`

	// Deadlines are the cycle's due-date rules as calendar rule specs
	// ("next-month-day:6", "workdays-after-end:3", "last-workday" …, see
	// workflow/calendar.ParseRule); empty keeps the default.
	// KAOHE_DEADLINE_WEEKLY, _MONTHLY, _SUMMARY, _FILING,
	// _FILING_HALF_YEAR (the half-year's 备案 of a scheme that files by
	// half-year, S8; applied to the half, "2026-H1").
	DeadlineWeekly         string `yaml:"deadline_weekly"`
	DeadlineMonthly        string `yaml:"deadline_monthly"`
	DeadlineSummary        string `yaml:"deadline_summary"`
	DeadlineFiling         string `yaml:"deadline_filing"`
	DeadlineFilingHalfYear string `yaml:"deadline_filing_half_year"`

	// Remind* are the reminder plans ("stage:workdays@HH:MM,…", see
	// workflow.ParsePlan; "none" for no reminders); empty keeps the
	// default. KAOHE_REMIND_WEEKLY, _MONTHLY, _SUMMARY, _VOTE, _STEP,
	// _FEEDBACK, _FILING.
	RemindDaily    string `yaml:"remind_daily"`
	RemindWeekly   string `yaml:"remind_weekly"`
	RemindMonthly  string `yaml:"remind_monthly"`
	RemindSummary  string `yaml:"remind_summary"`
	RemindVote     string `yaml:"remind_vote"`
	RemindStep     string `yaml:"remind_step"`
	RemindFeedback string `yaml:"remind_feedback"`
	RemindFiling   string `yaml:"remind_filing"`
	// ReminderGrace is how late a reminder slot may still go out after the
	// service was down; older slots are recorded as missed, not sent.
	// KAOHE_REMINDER_GRACE.
	ReminderGrace Duration `yaml:"reminder_grace"`
	// ClockFile, for tests and demonstrations only, makes serve read the
	// time from a file (one RFC 3339 instant) that a script moves, so
	// several processes share a clock that runs weeks in seconds. Empty
	// (always, in production) is the system clock. KAOHE_CLOCK_FILE.
	ClockFile string `yaml:"clock_file"`
	// ClockURL, for tests and demonstrations only, makes serve take the
	// time from a Lark simulator (`kaohe sim`'s GET /_sim/clock, see
	// docs/sim.md), so a test or a playground moves serve's clock with
	// the simulator's. Never set unless named here: a clock from anywhere
	// but the system would date every record. KAOHE_CLOCK_URL.
	ClockURL string `yaml:"clock_url"`

	// LogLevel is debug, info, warn or error. KAOHE_LOG_LEVEL.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json. KAOHE_LOG_FORMAT.
	LogFormat string `yaml:"log_format"`

	// BenchFixture, when above 0, loads a benchmark organisation of that
	// many assessed people with the current quarter open, so that every
	// weekly-record callback is a real submission (BENCHMARKS.md).
	// KAOHE_BENCH_FIXTURE.
	BenchFixture int `yaml:"bench_fixture"`

	// OpenPeriods is "auto" (default: each cycle's period opens by itself
	// on its first working day and HR is told) or "manual" (HR opens each
	// with 开启考核). KAOHE_OPEN_PERIODS.
	OpenPeriods string `yaml:"open_periods"`
	// PublishAll publishes every grade in 公示 (S1 publishes scores);
	// by default only the top grade (S4, S8). KAOHE_PUBLISH_ALL.
	PublishAll bool `yaml:"publish_all"`
	// QuotaPerUnit applies unit-scope quotas per 科室 instead of to the
	// whole organisation. KAOHE_QUOTA_PER_UNIT.
	QuotaPerUnit bool `yaml:"quota_per_unit"`
	// HalfYearTalk asks each 分管领导 after Q2 and Q4 to talk with the
	// lowest-ranked of their units (S8 四(三)5). KAOHE_HALF_YEAR_TALK.
	HalfYearTalk bool `yaml:"half_year_talk"`
	// BottomAlertAfter alerts HR when someone has the bottom grade this
	// many periods in a row (S4: 2). KAOHE_BOTTOM_ALERT_AFTER.
	BottomAlertAfter int `yaml:"bottom_alert_after"`
	// StepWorkdays, FeedbackWorkdays and PublicityWorkdays are how many
	// working days a leader has for a step and for 反馈, and how long 公示
	// runs; ReviewDays the 复核 window in calendar days (S5: 15). 0 keeps
	// the workflow's defaults (3, 5, 5, 15).
	StepWorkdays      int `yaml:"step_workdays"`
	FeedbackWorkdays  int `yaml:"feedback_workdays"`
	PublicityWorkdays int `yaml:"publicity_workdays"`
	ReviewDays        int `yaml:"review_days"`
	// Uniform* say when the committee is shown that a scorer's or a unit's
	// scores are too uniform to tell people apart (大锅饭, see
	// scoring.UniformRule): UniformOff turns it off; UniformMinSize is the
	// smallest group judged (0 keeps 4); UniformStdevUnder and
	// UniformRangeUnder are points ("2", "5"), UniformTopShareOver a share
	// ("80%"); empty keeps the default. KAOHE_UNIFORM_OFF, _MIN_SIZE,
	// _STDEV_UNDER, _RANGE_UNDER, _TOP_SHARE_OVER.
	UniformOff          bool   `yaml:"uniform_off"`
	UniformMinSize      int    `yaml:"uniform_min_size"`
	UniformStdevUnder   string `yaml:"uniform_stdev_under"`
	UniformRangeUnder   string `yaml:"uniform_range_under"`
	UniformTopShareOver string `yaml:"uniform_top_share_over"`

	// QuietHoursSpec is when no reminder goes out, "21-8" (from 21:00 to
	// 08:00, local time) or "none"; empty keeps the workflow's 21-8. A slot
	// that falls in them waits for their end. KAOHE_QUIET_HOURS.
	QuietHoursSpec string `yaml:"quiet_hours"`
	// Votes is whether 民主测评 runs each period: auto (the default: when
	// the scheme has a votes source), on or off. KAOHE_VOTES.
	Votes string `yaml:"votes"`
	// Chains are the approval chains per role tier (file only, see
	// ChainStep): default for everyone, @leader for a person who leads
	// their unit (it wins over their tier), or a tier of the scheme (S2:
	// 正科, 副科, 其他). Set, it replaces the built-in chains (S4's 初评 →
	// 审定 → 评鉴) entirely, so default is required.
	Chains map[string][]ChainStep `yaml:"chains"`
	// Calendar is HR's changes to the official holidays (file only): the
	// State Council's notice for a year kaohe does not carry yet, or a
	// day the unit alone rests or works.
	Calendar CalendarConfig `yaml:"calendar"`
	// Contact is how 同步通讯录 sets each person's role tier (file only;
	// S2 appraises 正科, 副科 and 其他 each with its own raters and
	// chain): read from Lark's job title or a custom attribute, mapped to
	// the scheme's tiers.
	Contact ContactConfig `yaml:"contact"`
}

// ContactConfig maps what Lark's directory says to role tiers.
type ContactConfig struct {
	// TierBy is where the tier is read: job_title, or custom_attr:<the
	// field's id> (管理后台 → 组织架构 → 成员字段管理). Empty: tiers are not
	// synced.
	TierBy string `yaml:"tier_by"`
	// Tiers maps the value read to a tier of the scheme; "*" maps every
	// other non-empty value (S2's 其他).
	Tiers map[string]string `yaml:"tiers"`
}

// fileOnly are the keys with a structure no environment variable carries;
// their errors name no variable.
var fileOnly = []string{"chains", "calendar", "contact", "schemes"}

// Stores and migration modes.
const (
	StoragePostgres = "postgres"
	StorageMemory   = "memory"
	MigrateAuto     = "auto"
	MigrateCheck    = "check"
)

// Callback modes.
const (
	CallbackLong    = "long"
	CallbackWebhook = "webhook"
)

// Default returns the defaults.
func Default() Config {
	return Config{
		Listen:            ":8080",
		BaseURL:           "https://open.feishu.cn",
		Callback:          CallbackLong,
		Scheme:            "s4",
		Migrate:           MigrateAuto,
		AuditHeadInterval: Duration(time.Hour),
		ReminderGrace:     Duration(12 * time.Hour),
		RelayInterval:     Duration(2 * time.Second),
		TickInterval:      Duration(time.Minute),
		ShutdownTimeout:   Duration(10 * time.Second),
		LarkTimeout:       Duration(10 * time.Second),
		LogLevel:          "info",
		LogFormat:         "text",

		// Retention defaults: workflow.DefaultRetention says why.
		RetentionIdempotency: Duration(workflow.DefaultRetention.Idempotency),
		RetentionSent:        Duration(workflow.DefaultRetention.Sent),
		RetentionDead:        Duration(workflow.DefaultRetention.Dead),
		PruneInterval:        Duration(time.Hour),
	}
}

// Duration is a time.Duration written as "2s", "1m" in files and the
// environment.
type Duration time.Duration

// UnmarshalText parses a Go duration ("500ms", "1m"); a bare "0" is zero.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: want a value like 2s or 1m", b)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalYAML is UnmarshalText for the file. Its refusal is a
// *yaml.TypeError, which the decoder collects and goes on from, so a bad
// duration is reported with every other bad value of the file instead of
// hiding them.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a duration like 2s or 1m", n.Line)}}
	}
	if err := d.UnmarshalText([]byte(n.Value)); err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	return nil
}

// String formats it as time.Duration does.
func (d Duration) String() string { return time.Duration(d).String() }

// Error is a bad setting; Field is its file key and Env its variable.
type Error struct {
	Field, Env, Msg string
}

// Error names the field and its environment variable; a key set only in
// the file (chains, calendar) has none.
func (e *Error) Error() string {
	if e.Env == "" {
		return fmt.Sprintf("config %s (in the config file): %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("config %s (%s): %s", e.Field, e.Env, e.Msg)
}

// UsageError is a mistake in serve's command line itself (an unknown flag,
// an extra argument), as opposed to a bad setting: kaohe prints its usage
// and exits with status 2.
type UsageError struct{ Msg string }

// Error is the message.
func (e UsageError) Error() string { return e.Msg }

// setting describes one field for the environment and for errors.
type setting struct {
	key, env string
	str      *string
	dur      *Duration
	num      *int
	flag     *bool
	secret   bool
	// url is a connection URL: it is logged with its password masked.
	url bool
}

func (c *Config) settings() []setting {
	return []setting{
		{key: "listen", env: "KAOHE_LISTEN", str: &c.Listen},
		{key: "addr_file", env: "KAOHE_ADDR_FILE", str: &c.AddrFile},
		{key: "app_id", env: "KAOHE_APP_ID", str: &c.AppID},
		{key: "app_secret", env: "KAOHE_APP_SECRET", str: &c.AppSecret, secret: true},
		{key: "base_url", env: "KAOHE_BASE_URL", str: &c.BaseURL},
		{key: "verification_token", env: "KAOHE_VERIFICATION_TOKEN", str: &c.VerificationToken, secret: true},
		{key: "encrypt_key", env: "KAOHE_ENCRYPT_KEY", str: &c.EncryptKey, secret: true},
		{key: "callback", env: "KAOHE_CALLBACK", str: &c.Callback},
		{key: "scheme", env: "KAOHE_SCHEME", str: &c.Scheme},
		{key: "storage", env: "KAOHE_STORAGE", str: &c.Storage},
		{key: "database_url", env: "KAOHE_DATABASE_URL", str: &c.DatabaseURL, url: true},
		{key: "migrate", env: "KAOHE_MIGRATE", str: &c.Migrate},
		{key: "redis_url", env: "KAOHE_REDIS_URL", str: &c.RedisURL, url: true},
		{key: "org", env: "KAOHE_ORG", str: &c.Org},
		{key: "audit_head_file", env: "KAOHE_AUDIT_HEAD_FILE", str: &c.AuditHeadFile},
		{key: "audit_head_chat", env: "KAOHE_AUDIT_HEAD_CHAT", str: &c.AuditHeadChat},
		{key: "audit_head_interval", env: "KAOHE_AUDIT_HEAD_INTERVAL", dur: &c.AuditHeadInterval},
		{key: "relay_interval", env: "KAOHE_RELAY_INTERVAL", dur: &c.RelayInterval},
		{key: "tick_interval", env: "KAOHE_TICK_INTERVAL", dur: &c.TickInterval},
		{key: "shutdown_timeout", env: "KAOHE_SHUTDOWN_TIMEOUT", dur: &c.ShutdownTimeout},
		{key: "lark_timeout", env: "KAOHE_LARK_TIMEOUT", dur: &c.LarkTimeout},
		{key: "retention_idempotency", env: "KAOHE_RETENTION_IDEMPOTENCY", dur: &c.RetentionIdempotency},
		{key: "retention_sent", env: "KAOHE_RETENTION_SENT", dur: &c.RetentionSent},
		{key: "retention_dead", env: "KAOHE_RETENTION_DEAD", dur: &c.RetentionDead},
		{key: "prune_interval", env: "KAOHE_PRUNE_INTERVAL", dur: &c.PruneInterval},
		{key: "deadline_weekly", env: "KAOHE_DEADLINE_WEEKLY", str: &c.DeadlineWeekly},
		{key: "deadline_monthly", env: "KAOHE_DEADLINE_MONTHLY", str: &c.DeadlineMonthly},
		{key: "deadline_summary", env: "KAOHE_DEADLINE_SUMMARY", str: &c.DeadlineSummary},
		{key: "deadline_filing", env: "KAOHE_DEADLINE_FILING", str: &c.DeadlineFiling},
		{key: "deadline_filing_half_year", env: "KAOHE_DEADLINE_FILING_HALF_YEAR", str: &c.DeadlineFilingHalfYear},
		{key: "remind_daily", env: "KAOHE_REMIND_DAILY", str: &c.RemindDaily},
		{key: "remind_weekly", env: "KAOHE_REMIND_WEEKLY", str: &c.RemindWeekly},
		{key: "remind_monthly", env: "KAOHE_REMIND_MONTHLY", str: &c.RemindMonthly},
		{key: "remind_summary", env: "KAOHE_REMIND_SUMMARY", str: &c.RemindSummary},
		{key: "remind_vote", env: "KAOHE_REMIND_VOTE", str: &c.RemindVote},
		{key: "remind_step", env: "KAOHE_REMIND_STEP", str: &c.RemindStep},
		{key: "remind_feedback", env: "KAOHE_REMIND_FEEDBACK", str: &c.RemindFeedback},
		{key: "remind_filing", env: "KAOHE_REMIND_FILING", str: &c.RemindFiling},
		{key: "reminder_grace", env: "KAOHE_REMINDER_GRACE", dur: &c.ReminderGrace},
		{key: "clock_file", env: "KAOHE_CLOCK_FILE", str: &c.ClockFile},
		{key: "clock_url", env: "KAOHE_CLOCK_URL", str: &c.ClockURL},
		{key: "log_level", env: "KAOHE_LOG_LEVEL", str: &c.LogLevel},
		{key: "log_format", env: "KAOHE_LOG_FORMAT", str: &c.LogFormat},
		{key: "bench_fixture", env: "KAOHE_BENCH_FIXTURE", num: &c.BenchFixture},
		{key: "open_periods", env: "KAOHE_OPEN_PERIODS", str: &c.OpenPeriods},
		{key: "publish_all", env: "KAOHE_PUBLISH_ALL", flag: &c.PublishAll},
		{key: "quota_per_unit", env: "KAOHE_QUOTA_PER_UNIT", flag: &c.QuotaPerUnit},
		{key: "half_year_talk", env: "KAOHE_HALF_YEAR_TALK", flag: &c.HalfYearTalk},
		{key: "bottom_alert_after", env: "KAOHE_BOTTOM_ALERT_AFTER", num: &c.BottomAlertAfter},
		{key: "step_workdays", env: "KAOHE_STEP_WORKDAYS", num: &c.StepWorkdays},
		{key: "feedback_workdays", env: "KAOHE_FEEDBACK_WORKDAYS", num: &c.FeedbackWorkdays},
		{key: "publicity_workdays", env: "KAOHE_PUBLICITY_WORKDAYS", num: &c.PublicityWorkdays},
		{key: "review_days", env: "KAOHE_REVIEW_DAYS", num: &c.ReviewDays},
		{key: "uniform_off", env: "KAOHE_UNIFORM_OFF", flag: &c.UniformOff},
		{key: "uniform_min_size", env: "KAOHE_UNIFORM_MIN_SIZE", num: &c.UniformMinSize},
		{key: "uniform_stdev_under", env: "KAOHE_UNIFORM_STDEV_UNDER", str: &c.UniformStdevUnder},
		{key: "uniform_range_under", env: "KAOHE_UNIFORM_RANGE_UNDER", str: &c.UniformRangeUnder},
		{key: "uniform_top_share_over", env: "KAOHE_UNIFORM_TOP_SHARE_OVER", str: &c.UniformTopShareOver},
		{key: "quiet_hours", env: "KAOHE_QUIET_HOURS", str: &c.QuietHoursSpec},
		{key: "votes", env: "KAOHE_VOTES", str: &c.Votes},
	}
}

// fieldError is a *Error for key: a setting, or a path inside a file-only
// one ("chains.正科[2]", "calendar.holidays").
func (c *Config) fieldError(key, msg string) *Error {
	for _, s := range c.settings() {
		if s.key == key {
			return &Error{Field: key, Env: s.env, Msg: msg}
		}
	}
	for _, f := range fileOnly {
		if key == f || strings.HasPrefix(key, f+".") {
			return &Error{Field: key, Msg: msg}
		}
	}
	return &Error{Field: key, Env: "-", Msg: msg}
}

// set parses v into the setting.
func (s setting) set(v string) error {
	switch {
	case s.str != nil:
		*s.str = v
	case s.dur != nil:
		if err := s.dur.UnmarshalText([]byte(v)); err != nil {
			return err
		}
	case s.num != nil:
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*s.num = n
	case s.flag != nil:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*s.flag = b
	}
	return nil
}

// Load builds the configuration from the defaults, the file, the
// environment (getenv) and the serve flags in args, and validates it.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	return load(args, getenv, stderr, os.ReadFile)
}

// load is Load with the file read by readFile: the fuzz target hands it
// the file's bytes, since a disk write and read per input would be most of
// its time.
func load(args []string, getenv func(string) string, stderr io.Writer, readFile func(string) ([]byte, error)) (Config, error) {
	cfg := Default()
	fs, fl := newFlags(getenv)
	fs.SetOutput(stderr)
	file, listen, addrFile, callbackMode, fixture, store := fl.file, fl.listen, fl.addrFile, fl.callback, fl.fixture, fl.store
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, flag.ErrHelp
		}
		return cfg, UsageError{"serve: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, UsageError{fmt.Sprintf("serve: unexpected argument %q", fs.Arg(0))}
	}
	// Every mistake is reported at once: the file's values of the wrong
	// shape, the variables that do not parse, then what Validate finds in
	// the rest (a key already reported is not reported again).
	var errs Errors
	bad := map[string]bool{}
	if *file != "" {
		data, err := readFile(*file)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			named, keys := nameKeys(data, err)
			var lines fileLines
			if !errors.As(named, &lines) {
				// Not YAML at all: nothing in the file can be trusted.
				return cfg, fmt.Errorf("config file %s: %w", *file, named)
			}
			sep := " "
			if len(lines) > 1 {
				sep = "" // the lines start on their own
			}
			errs = append(errs, fmt.Errorf("config file %s:%s%w", *file, sep, named))
			for _, k := range keys {
				bad[k] = true
			}
		}
	}
	for _, s := range cfg.settings() {
		if v, ok := lookup(getenv, s.env); ok {
			if err := s.set(v); err != nil {
				errs = append(errs, &Error{Field: s.key, Env: s.env, Msg: err.Error()})
				bad[s.key] = true
			}
		}
	}
	if *listen != "" {
		cfg.Listen = *listen
	}
	if *addrFile != "" {
		cfg.AddrFile = *addrFile
	}
	if *callbackMode != "" {
		cfg.Callback = *callbackMode
	}
	if *fixture >= 0 {
		cfg.BenchFixture = *fixture
	}
	if *store != "" {
		cfg.Storage = *store
	}
	if cfg.Storage == "" && cfg.DatabaseURL != "" {
		cfg.Storage = StoragePostgres
	}
	if err := cfg.Validate(); err != nil {
		var all Errors
		if !errors.As(err, &all) {
			all = Errors{err}
		}
		for _, e := range all {
			var ce *Error
			if errors.As(e, &ce) && reported(bad, ce.Field) {
				continue
			}
			errs = append(errs, e)
		}
	}
	return cfg, errs.err()
}

// reported tells whether field, or the key it is inside, was already
// reported as unreadable.
func reported(bad map[string]bool, field string) bool {
	for k := range bad {
		if field == k || strings.HasPrefix(field, k+".") || strings.HasPrefix(field, k+"[") || strings.HasPrefix(k, field+".") {
			return true
		}
	}
	return false
}

// serveFlags are the values serve's flags set.
type serveFlags struct {
	file, listen, addrFile, callback, store *string
	fixture                                 *int
}

func newFlags(getenv func(string) string) (*flag.FlagSet, serveFlags) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var f serveFlags
	f.file = fs.String("config", getenv("KAOHE_CONFIG"), "configuration file (YAML or JSON)")
	f.listen = fs.String("listen", "", "HTTP listen address (overrides listen)")
	f.addrFile = fs.String("addr-file", "", "write the bound address to this file")
	f.callback = fs.String("callback", "", `"long" or "webhook"`)
	f.fixture = fs.Int("bench-fixture", -1, "load a benchmark organisation of N people")
	f.store = fs.String("store", "", `"postgres" (needs database_url) or "memory" (nothing survives a restart)`)
	return fs, f
}

// Flags is serve's flag set, for its help.
func Flags() *flag.FlagSet {
	fs, _ := newFlags(func(string) string { return "" })
	return fs
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// Validate checks every field and returns every bad one at once (an
// Errors of *Error, in the order of the fields), so an operator fixes a
// file in one round instead of one restart per mistake. The encrypt key
// and token of webhook mode are checked by the bot itself when the
// webhook starts.
func (c Config) Validate() error {
	var errs Errors
	if c.Listen == "" {
		errs = append(errs, c.fieldError("listen", "required"))
	}
	if c.AppID == "" {
		errs = append(errs, c.fieldError("app_id", "required: the Lark app id (cli_…)"))
	}
	if c.AppSecret == "" {
		errs = append(errs, c.fieldError("app_secret", "required: the Lark app secret"))
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, c.fieldError("base_url", fmt.Sprintf("%q is not an http(s) URL", c.BaseURL)))
	}
	switch c.Callback {
	case CallbackLong, CallbackWebhook:
	default:
		errs = append(errs, c.fieldError("callback", fmt.Sprintf("%q: want %q or %q", c.Callback, CallbackLong, CallbackWebhook)))
	}
	switch c.Storage {
	case StorageMemory:
	case StoragePostgres:
		if err := CheckURL(c.DatabaseURL, "postgres", "postgresql"); err != nil {
			errs = append(errs, c.fieldError("database_url", err.Error()))
		}
	case "":
		errs = append(errs, c.fieldError("storage", "no database: set database_url (KAOHE_DATABASE_URL) to a PostgreSQL URL, "+
			"or ask for the in-memory store with --store memory (nothing it holds survives a restart)"))
	default:
		errs = append(errs, c.fieldError("storage", fmt.Sprintf("%q: want %q or %q", c.Storage, StoragePostgres, StorageMemory)))
	}
	if c.Migrate != MigrateAuto && c.Migrate != MigrateCheck {
		errs = append(errs, c.fieldError("migrate", fmt.Sprintf("%q: want %q or %q", c.Migrate, MigrateAuto, MigrateCheck)))
	}
	if c.RedisURL != "" {
		if err := CheckURL(c.RedisURL, "redis", "rediss"); err != nil {
			errs = append(errs, c.fieldError("redis_url", err.Error()))
		}
	}
	if c.AuditHeadInterval <= 0 {
		errs = append(errs, c.fieldError("audit_head_interval", "must be above 0"))
	}
	if c.Scheme == "" {
		errs = append(errs, c.fieldError("scheme", "required: a built-in id such as s4, or a scheme file"))
	}
	if c.RelayInterval <= 0 {
		errs = append(errs, c.fieldError("relay_interval", "must be above 0"))
	}
	if c.TickInterval < 0 {
		errs = append(errs, c.fieldError("tick_interval", "must not be negative (0 turns the scheduler off)"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, c.fieldError("shutdown_timeout", "must be above 0"))
	}
	if c.LarkTimeout <= 0 {
		errs = append(errs, c.fieldError("lark_timeout", "must be above 0"))
	}
	for _, r := range []struct {
		key string
		d   Duration
	}{{"retention_idempotency", c.RetentionIdempotency}, {"retention_sent", c.RetentionSent}, {"retention_dead", c.RetentionDead}} {
		if time.Duration(r.d) < workflow.RedeliveryWindow {
			errs = append(errs, c.fieldError(r.key, fmt.Sprintf("%s is shorter than Lark's re-delivery window of %s: "+
				"a record pruned sooner lets a re-pushed event run twice", r.d, workflow.RedeliveryWindow)))
		}
	}
	if c.PruneInterval < Duration(time.Minute) {
		errs = append(errs, c.fieldError("prune_interval", "must be at least 1m"))
	}
	for _, d := range []struct{ key, spec string }{{"deadline_weekly", c.DeadlineWeekly}, {"deadline_monthly", c.DeadlineMonthly},
		{"deadline_summary", c.DeadlineSummary}, {"deadline_filing", c.DeadlineFiling}, {"deadline_filing_half_year", c.DeadlineFilingHalfYear}} {
		key, spec := d.key, d.spec
		if spec == "" {
			continue
		}
		if _, err := calendar.ParseRule(spec); err != nil {
			errs = append(errs, c.fieldError(key, err.Error()))
		}
	}
	if _, err := c.Plans(); err != nil {
		var pe *planError
		if errors.As(err, &pe) {
			errs = append(errs, c.fieldError(pe.key, pe.err.Error()))
		}
		errs = append(errs, err)
	}
	switch c.OpenPeriods {
	case "", "auto", "manual":
	default:
		errs = append(errs, c.fieldError("open_periods", fmt.Sprintf("%q: want auto or manual", c.OpenPeriods)))
	}
	for _, n := range []struct {
		key string
		v   int
		max int
	}{{"bottom_alert_after", c.BottomAlertAfter, 12}, {"step_workdays", c.StepWorkdays, 30}, {"feedback_workdays", c.FeedbackWorkdays, 30},
		{"publicity_workdays", c.PublicityWorkdays, 30}, {"review_days", c.ReviewDays, 60}} {
		if n.v < 0 || n.v > n.max {
			errs = append(errs, c.fieldError(n.key, fmt.Sprintf("%d: want 0 (the default) to %d", n.v, n.max)))
		}
	}
	if c.ReminderGrace <= 0 {
		errs = append(errs, c.fieldError("reminder_grace", "must be above 0"))
	}
	if _, err := c.Uniformity(); err != nil {
		errs = append(errs, err)
	}
	if _, _, err := c.QuietHours(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.VotesSetting(); err != nil {
		errs = append(errs, err)
	}
	if err := c.checkChains(); err != nil {
		errs = append(errs, err)
	}
	for _, unit := range slices.Sorted(maps.Keys(c.Schemes)) {
		switch ref := c.Schemes[unit]; {
		case strings.TrimSpace(unit) == "" || strings.TrimSpace(unit) != unit:
			errs = append(errs, c.fieldError("schemes."+unit, fmt.Sprintf("unit id %q: no spaces around it", unit)))
		case strings.TrimSpace(ref) == "":
			errs = append(errs, c.fieldError("schemes."+unit, "empty: a built-in scheme id such as s5 or s4-month, or a scheme file"))
		}
	}
	if _, err := c.Overrides(); err != nil {
		errs = append(errs, err)
	}
	switch tb := c.Contact.TierBy; {
	case tb == "" && len(c.Contact.Tiers) > 0:
		errs = append(errs, c.fieldError("contact.tier_by", "tiers are given but not where to read them: job_title or custom_attr:<字段ID>"))
	case tb != "" && tb != "job_title" && (!strings.HasPrefix(tb, "custom_attr:") || strings.TrimPrefix(tb, "custom_attr:") == ""):
		errs = append(errs, c.fieldError("contact.tier_by", fmt.Sprintf("%q: want job_title or custom_attr:<字段ID>", tb)))
	case tb != "" && len(c.Contact.Tiers) == 0:
		errs = append(errs, c.fieldError("contact.tiers", "tier_by is set but no value is mapped to a tier"))
	}
	if c.ClockURL != "" {
		if c.ClockFile != "" {
			errs = append(errs, c.fieldError("clock_url", "set clock_url or clock_file, not both: serve has one clock"))
		}
		if err := CheckURL(c.ClockURL, "http", "https"); err != nil {
			errs = append(errs, c.fieldError("clock_url", err.Error()))
		}
		if h := hostOf(u); strings.HasSuffix(h, "feishu.cn") || strings.HasSuffix(h, "larksuite.com") {
			errs = append(errs, c.fieldError("clock_url", "the clock of a simulator, but base_url is Lark itself ("+c.BaseURL+")"))
		}
	}
	if _, err := c.Level(); err != nil {
		errs = append(errs, c.fieldError("log_level", err.Error()))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, c.fieldError("log_format", fmt.Sprintf("%q: want text or json", c.LogFormat)))
	}
	if c.BenchFixture < 0 {
		errs = append(errs, c.fieldError("bench_fixture", "must not be negative"))
	}
	return errs.err()
}

// hostOf is u's host in lower case, "" for a URL that did not parse.
func hostOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// Errors are several bad settings, reported together. errors.As finds
// each *Error in it.
type Errors []error

// Error lists them, one a line.
func (e Errors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	var b strings.Builder
	b.WriteString("the configuration is not valid:")
	for _, err := range e {
		b.WriteString("\n  " + strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As see each one.
func (e Errors) Unwrap() []error { return e }

// err is nil for none, the one error for one, e for several.
func (e Errors) err() error {
	switch len(e) {
	case 0:
		return nil
	case 1:
		return e[0]
	}
	return e
}

// CheckURL reports why raw is not a URL with one of schemes and a host.
func CheckURL(raw string, schemes ...string) error {
	if raw == "" {
		return fmt.Errorf("required: a %s:// URL", schemes[0])
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL (%s://user@host:port/name)", schemes[0])
	}
	for _, s := range schemes {
		if u.Scheme == s && u.Host != "" {
			return nil
		}
	}
	return fmt.Errorf("%s: want a %s:// URL with a host", RedactURL(raw), schemes[0])
}

// RedactURL hides a URL's password, so a logged URL still says where it
// points.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return mask(raw)
	}
	return u.Redacted()
}

// Level is the log_level setting as slog's level.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, fmt.Errorf("%q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// mask hides a secret but shows whether it is set.
func mask(s string) string {
	if s == "" {
		return ""
	}
	return "***"
}

// LogValue lets slog print the configuration with its secrets masked.
func (c Config) LogValue() slog.Value {
	var attrs []slog.Attr
	for _, s := range c.settings() {
		var v string
		switch {
		case s.str != nil:
			v = *s.str
		case s.dur != nil:
			v = s.dur.String()
		case s.num != nil:
			v = strconv.Itoa(*s.num)
		case s.flag != nil:
			v = strconv.FormatBool(*s.flag)
		}
		if s.secret {
			v = mask(v)
		}
		if s.url && v != "" {
			v = RedactURL(v)
		}
		attrs = append(attrs, slog.String(s.key, v))
	}
	attrs = append(attrs, slog.String("chains", c.chainsText()), slog.String("calendar", c.calendarText()), slog.Any("schemes", c.Schemes))
	return slog.GroupValue(attrs...)
}

// String is the masked form, so that printing a Config never leaks a secret.
func (c Config) String() string { return c.LogValue().String() }

// planError is a bad remind_* setting.
type planError struct {
	key string
	err error
}

func (e *planError) Error() string { return e.key + ": " + e.err.Error() }

// Plans turns the remind_* settings into the workflow's plans; a plan not
// set is left out, so the workflow's default applies.
func (c Config) Plans() (map[string][]workflow.Nudge, error) {
	specs := map[string]string{"daily": c.RemindDaily, "weekly": c.RemindWeekly, "monthly": c.RemindMonthly, "summary": c.RemindSummary, "vote": c.RemindVote,
		"step": c.RemindStep, "feedback": c.RemindFeedback, "filing": c.RemindFiling}
	out := map[string][]workflow.Nudge{}
	for _, kind := range workflow.PlanKinds {
		spec := specs[kind]
		if spec == "" {
			continue
		}
		p, err := workflow.ParsePlan(spec)
		if err != nil {
			return nil, &planError{key: "remind_" + kind, err: err}
		}
		out[kind] = p
	}
	return out, nil
}

// Retention is what the retention_* settings keep.
func (c Config) Retention() workflow.Retention {
	return workflow.Retention{Idempotency: time.Duration(c.RetentionIdempotency), Sent: time.Duration(c.RetentionSent),
		Dead: time.Duration(c.RetentionDead)}
}

// Deadlines turns the deadline settings into the workflow's rules.
func (c Config) Deadlines(cal *calendar.Calendar) (workflow.Deadlines, error) {
	return workflow.DeadlineSpecs{Weekly: c.DeadlineWeekly, Monthly: c.DeadlineMonthly,
		Summary: c.DeadlineSummary, Filing: c.DeadlineFiling, FilingHalfYear: c.DeadlineFilingHalfYear}.Deadlines(cal)
}
