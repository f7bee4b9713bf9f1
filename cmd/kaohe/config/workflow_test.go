package config

import (
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// loadFile loads a configuration file body with just enough credentials.
func loadFile(t *testing.T, body string, env map[string]string) (Config, error) {
	t.Helper()
	e := map[string]string{"KAOHE_APP_ID": "cli_a", "KAOHE_APP_SECRET": "sec", "KAOHE_STORAGE": "memory"}
	for k, v := range env {
		e[k] = v
	}
	return Load([]string{"--config", writeFile(t, "kaohe.yaml", body)}, envOf(e), io.Discard)
}

// TestChainsConfig: the chains setting becomes workflow.Config.Chains, in
// either step form, with default as the workflow's "" chain; nothing set
// leaves the workflow its defaults.
func TestChainsConfig(t *testing.T) {
	t.Parallel()
	step := func(role, name string) workflow.ChainStep { return workflow.ChainStep{Role: role, Name: name} }
	tests := []struct {
		name string
		file string
		want map[string][]workflow.ChainStep
	}{
		{name: "Unset", file: "log_level: info\n", want: nil},
		{name: "S2Tiers", file: `chains:
  default: [unit_leader:初评, supervisor:审核, head:评鉴]
  正科: [head:评鉴]
  副科: [supervisor:审核, head:评鉴]
`, want: map[string][]workflow.ChainStep{
			"":   {step("unit_leader", "初评"), step("supervisor", "审核"), step("head", "评鉴")},
			"正科": {step("head", "评鉴")},
			"副科": {step("supervisor", "审核"), step("head", "评鉴")},
		}},
		{name: "S6LeaderBlockAndMapForms", file: `chains:
  default:
    - unit_leader: 评分
    - supervisor：审核
  "@leader": [supervisor: 评分]
`, want: map[string][]workflow.ChainStep{
			"":        {step("unit_leader", "评分"), step("supervisor", "审核")},
			"@leader": {step("supervisor", "评分")},
		}},
		{name: "S10JSON", file: `{"chains": {"": ["supervisor:评定"]}}`, want: map[string][]workflow.ChainStep{"": {step("supervisor", "评定")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := loadFile(t, tt.file, nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.WorkflowChains(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("chains = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestWorkflowConfigErrors: every bad chain, calendar entry, quiet hours
// or votes value is refused at load with an error naming the key (and the
// step or date inside it).
func TestWorkflowConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		file      string
		env       map[string]string
		wantField string
		wantMsg   string
	}{
		{name: "ChainNoDefault", file: "chains:\n  正科: [head:评鉴]\n", wantField: "chains", wantMsg: "no default chain"},
		{name: "ChainBothDefaults", file: "chains:\n  default: [head:评鉴]\n  \"\": [head:评鉴]\n", wantField: "chains", wantMsg: "same chain"},
		{name: "ChainEmpty", file: "chains:\n  default: [head:评鉴]\n  正科: []\n", wantField: "chains.正科", wantMsg: "empty chain"},
		{name: "ChainEmptyNull", file: "chains:\n  default:\n", wantField: "chains.default", wantMsg: "empty chain"},
		{name: "ChainUnknownRole", file: "chains:\n  default: [unit_leader:初评, boss:审定]\n", wantField: "chains.default[2]", wantMsg: `"boss"`},
		{name: "ChainChineseRole", file: "chains:\n  default: [分管领导:审定]\n", wantField: "chains.default[1]", wantMsg: "supervisor (分管领导)"},
		{name: "ChainNoName", file: "chains:\n  default: [\"head:\"]\n", wantField: "chains.default[1]", wantMsg: "no name"},
		{name: "ChainNoColon", file: "chains:\n  default: [head]\n", wantField: "chains.default[1]", wantMsg: "want role:name"},
		{name: "ChainNestedList", file: "chains:\n  default: [[head, 评鉴]]\n", wantField: "chains.default[1]", wantMsg: "a list"},
		{name: "ChainLongName", file: "chains:\n  default: [head:由主管领导进行最终的评鉴和审核]\n", wantField: "chains.default[1]", wantMsg: "at most 12"},
		{name: "ChainRoleTwice", file: "chains:\n  default: [head:评鉴, head:复评]\n", wantField: "chains.default[2]", wantMsg: "twice"},
		{name: "ChainUnknownAtKey", file: "chains:\n  default: [head:评鉴]\n  \"@leaders\": [head:评鉴]\n", wantField: "chains.@leaders", wantMsg: "@leader"},
		{name: "ChainNotAMap", file: "chains: [head:评鉴]\n", wantMsg: "line 1 (chains)"},
		{name: "WrongTypeNamesKey", file: "listen: \":80\"\nstep_workdays: three\n", wantMsg: "line 2 (step_workdays)"},
		{name: "WrongTypeNested", file: "calendar:\n  holidays:\n    2027-01-01: [元旦]\n", wantMsg: "line 3 (calendar.holidays.2027-01-01)"},
		{name: "HolidayBadDate", file: "calendar:\n  holidays:\n    2027-02-30: 春节\n", wantField: `calendar.holidays."2027-02-30"`, wantMsg: "YYYY-MM-DD"},
		{name: "HolidayNoName", file: "calendar:\n  holidays:\n    2027-01-01: \"\"\n", wantField: `calendar.holidays."2027-01-01"`, wantMsg: "no name"},
		{name: "HolidayBackwardRange", file: "calendar:\n  holidays:\n    2027-02-17..2027-02-11: 春节\n",
			wantField: `calendar.holidays."2027-02-17..2027-02-11"`, wantMsg: "before it starts"},
		{name: "HolidayHugeRange", file: "calendar:\n  holidays:\n    2027-01-01..2027-12-31: 全年\n",
			wantField: `calendar.holidays."2027-01-01..2027-12-31"`, wantMsg: "at most 31"},
		{name: "HolidayOddYear", file: "calendar:\n  holidays:\n    1927-01-01: 元旦\n", wantField: `calendar.holidays."1927-01-01"`, wantMsg: "2000–2100"},
		{name: "DayBothWays", file: "calendar:\n  holidays:\n    2027-02-11..2027-02-17: 春节\n  workdays:\n    2027-02-14: 春节调休\n",
			wantField: `calendar.workdays."2027-02-14"`, wantMsg: "either a holiday or a working day"},
		{name: "CalendarUnknownKey", file: "calendar:\n  holiday:\n    2027-01-01: 元旦\n", wantMsg: "holiday"},
		{name: "QuietHoursSyntax", env: map[string]string{"KAOHE_QUIET_HOURS": "晚上"}, wantField: "quiet_hours", wantMsg: "21-8"},
		{name: "QuietHoursRange", file: "quiet_hours: 22-25\n", wantField: "quiet_hours", wantMsg: "0 to 23"},
		{name: "QuietHoursMinutes", file: "quiet_hours: \"21:30-08:00\"\n", wantField: "quiet_hours", wantMsg: "whole hours"},
		{name: "QuietHoursSame", file: "quiet_hours: 8-8\n", wantField: "quiet_hours", wantMsg: "none"},
		{name: "Votes", env: map[string]string{"KAOHE_VOTES": "sometimes"}, wantField: "votes", wantMsg: "auto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := tt.file
			if file == "" {
				file = "log_level: info\n"
			}
			_, err := loadFile(t, file, tt.env)
			if err == nil {
				t.Fatal("loaded, want an error")
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if tt.wantField == "" {
				return // a YAML shape error: the decoder names the key and line
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Field != tt.wantField {
				t.Fatalf("err = %v, want an Error for %s", err, tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("error %q does not name %s", err, tt.wantField)
			}
			if strings.HasPrefix(tt.wantField, "chains") || strings.HasPrefix(tt.wantField, "calendar") {
				if ce.Env != "" || !strings.Contains(err.Error(), "in the config file") {
					t.Errorf("error %q: want it to say the key is set in the config file", err)
				}
			} else if !strings.Contains(err.Error(), "KAOHE_") {
				t.Errorf("error %q does not name the variable", err)
			}
		})
	}
}

// TestCheckChainTiers: a chain for a tier the scheme does not have is
// refused, naming the tier and the scheme's tiers; a scheme without tiers
// takes any.
func TestCheckChainTiers(t *testing.T) {
	t.Parallel()
	s2, err := scoring.Builtin("s2")
	if err != nil {
		t.Fatal(err)
	}
	s4, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	c, err := loadFile(t, "chains:\n  default: [head:评鉴]\n  \"@leader\": [head:评鉴]\n  正科: [head:评鉴]\n  正处: [head:评鉴]\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.CheckChainTiers(s2)
	var ce *Error
	if !errors.As(err, &ce) || ce.Field != "chains.正处" || !strings.Contains(err.Error(), "正科, 副科, 其他") {
		t.Errorf("S2: err = %v, want one naming chains.正处 and S2's tiers", err)
	}
	if len(s4.Tiers) == 0 {
		if err := c.CheckChainTiers(s4); err != nil {
			t.Errorf("S4 (no tiers): %v", err)
		}
	}
	delete(c.Chains, "正处")
	if err := c.CheckChainTiers(s2); err != nil {
		t.Errorf("S2 with its own tiers: %v", err)
	}
}

// TestCalendarConfig: holidays and 调休 working days, single or as
// ranges, become calendar overrides that change working days.
func TestCalendarConfig(t *testing.T) {
	t.Parallel()
	c, err := loadFile(t, `calendar:
  holidays:
    2028-01-01: 元旦
    "2028-01-25..2028-01-31": 春节
  workdays:
    2028-01-22: 春节调休
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	ov, err := c.Overrides()
	if err != nil || len(ov) != 9 {
		t.Fatalf("overrides = %v, %v; want 9 days", ov, err)
	}
	if ov[0].Date != calendar.NewDate(2028, 1, 1) || ov[0].Work || ov[0].Name != "元旦" {
		t.Errorf("first override %+v", ov[0])
	}
	cal, err := c.BuildCalendar()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		d    calendar.Date
		work bool
		name string
	}{
		{calendar.NewDate(2028, 1, 22), true, "春节调休"}, // a Saturday worked
		{calendar.NewDate(2028, 1, 25), false, "春节"},  // a Tuesday off
		{calendar.NewDate(2028, 1, 31), false, "春节"},
		{calendar.NewDate(2028, 2, 1), true, ""},
	} {
		day := cal.Day(tt.d)
		if day.Workday != tt.work || day.Name != tt.name {
			t.Errorf("%s: %+v, want workday %v named %q", tt.d, day, tt.work, tt.name)
		}
	}
	if s := c.String(); !strings.Contains(s, "holidays=8 workdays=1") {
		t.Errorf("logged config %s: want the calendar's counts", s)
	}
}

func TestQuietHoursAndVotes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, quiet, votes string
		from, to           int
		wantVotes          *bool
	}{
		{name: "Defaults", from: 0, to: 0},
		{name: "Short", quiet: "21-8", votes: "on", from: 21, to: 8, wantVotes: ptr(true)},
		{name: "Clock", quiet: "22:00-07:00", votes: "off", from: 22, to: 7, wantVotes: ptr(false)},
		{name: "Midnight", quiet: "0-6", votes: "auto", from: 0, to: 6},
		{name: "None", quiet: "none", from: 12, to: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := loadFile(t, "log_level: info\n", map[string]string{"KAOHE_QUIET_HOURS": tt.quiet, "KAOHE_VOTES": tt.votes})
			if err != nil {
				t.Fatal(err)
			}
			from, to, err := c.QuietHours()
			if err != nil || from != tt.from || to != tt.to {
				t.Errorf("quiet hours = %d-%d, %v; want %d-%d", from, to, err, tt.from, tt.to)
			}
			v, err := c.VotesSetting()
			if err != nil || (v == nil) != (tt.wantVotes == nil) || (v != nil && *v != *tt.wantVotes) {
				t.Errorf("votes = %v, %v; want %v", v, err, tt.wantVotes)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestSampleListsEveryKey: every key serve reads is in the sample
// configuration (set or commented out), so the sample stays the list of
// what can be set; a key added without it fails here.
func TestSampleListsEveryKey(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../deploy/kaohe.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c Config
	keys := append([]string{}, fileOnly...)
	for _, s := range c.settings() {
		keys = append(keys, s.key)
	}
	// Keys for tests, benchmarks and demonstrations stay out of a sample
	// meant for production; their Config fields say what they are for.
	devOnly := map[string]bool{"addr_file": true, "clock_file": true, "clock_url": true, "bench_fixture": true}
	for _, k := range keys {
		if devOnly[k] {
			continue
		}
		if !strings.Contains(string(data), "\n"+k+":") && !strings.Contains(string(data), "\n#"+k+":") && !strings.Contains(string(data), "\n# "+k+":") {
			t.Errorf("deploy/kaohe.example.yaml does not show %s", k)
		}
	}
}

// TestContactConfig: the tier mapping 同步通讯录 uses loads, and a mapping
// without a source, a source without a mapping or an unknown source is
// refused naming the key.
func TestContactConfig(t *testing.T) {
	t.Parallel()
	c, err := loadFile(t, "contact:\n  tier_by: job_title\n  tiers: {科长: 正科, 副科长: 副科, \"*\": 其他}\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Contact.TierBy != "job_title" || c.Contact.Tiers["*"] != "其他" {
		t.Errorf("contact = %+v", c.Contact)
	}
	for _, tc := range []struct{ name, yaml, key string }{
		{"NoSource", "contact:\n  tiers: {科长: 正科}\n", "contact.tier_by"},
		{"NoMapping", "contact:\n  tier_by: job_title\n", "contact.tiers"},
		{"UnknownSource", "contact:\n  tier_by: title\n  tiers: {科长: 正科}\n", "contact.tier_by"},
		{"EmptyField", "contact:\n  tier_by: \"custom_attr:\"\n  tiers: {科长: 正科}\n", "contact.tier_by"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadFile(t, tc.yaml, nil)
			var ce *Error
			if !errors.As(err, &ce) || ce.Field != tc.key {
				t.Errorf("err = %v, want one naming %s", err, tc.key)
			}
		})
	}
}
