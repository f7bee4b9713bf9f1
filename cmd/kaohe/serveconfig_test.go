package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestServeAppliesWorkflowConfig: the workflow settings of a configuration
// file reach the service serve builds. Under S2 with a chain per tier, a
// 正科 (who also leads the unit) is scored by the 主管领导 alone, a 副科
// starts at the 分管领导 and everyone else at the unit leader; a holiday
// HR entered moves the summary deadline; quiet hours from 23:00 let
// reminders out at 22:00; votes on lets S2's people vote although its
// quarter has no votes source.
func TestServeAppliesWorkflowConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	loc := calendar.DefaultLocation()
	// Tuesday 29 September 2026, 22:00: September's 月小结 reminder (the
	// working day before, 15:00) is due and within the grace.
	now := time.Date(2026, 9, 29, 22, 0, 0, 0, loc)
	clockFile := writeFile(t, "clock", now.Format(time.RFC3339)+"\n")
	// HR makes the built-in summary deadline a holiday: it moves one
	// working day on.
	builtin := calendar.Default().AddWorkdays(calendar.NewDate(2026, 9, 30), 3)
	org := writeFile(t, "org.json", `{"hr": "ou_hr",
		"settings": {"name": "司法局", "head": "ou_head"},
		"units": [{"id": "u1", "name": "办公室", "leader": "ou_zk", "supervisor": "ou_sup"}],
		"people": [
			{"id": "ou_hr", "name": "政工科李", "hr": true},
			{"id": "ou_head", "name": "局长王"},
			{"id": "ou_sup", "name": "副局长赵"},
			{"id": "ou_zk", "name": "科长钱", "unit": "u1", "group": "g1", "tier": "正科", "assessed": true},
			{"id": "ou_fk", "name": "副科长孙", "unit": "u1", "group": "g1", "tier": "副科", "assessed": true},
			{"id": "ou_qt", "name": "科员周", "unit": "u1", "group": "g1", "tier": "其他", "assessed": true}
		],
		"periods": ["2026-Q3"]}`)
	file := fmt.Sprintf(`app_id: cli_cfg
app_secret: s
storage: memory
base_url: http://127.0.0.1:9
scheme: s2
org: %s
clock_file: %s
quiet_hours: "23-6"
votes: on
chains:
  default: [unit_leader:初评, supervisor:审核, head:评鉴]
  正科: [head:评鉴]
  副科: [supervisor:审核, head:评鉴]
calendar:
  holidays:
    %s: 单位调休
`, org, clockFile, builtin)
	cfg, err := LoadConfig([]string{"--config", writeFile(t, "kaohe.yaml", file)}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	s, err := newServer(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(string) {})
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	defer s.deps.close()
	const q = "2026-Q3"

	rep, err := s.svc.Tick(ctx)
	if err != nil || rep.Fired == 0 {
		t.Errorf("tick at 22:00 with quiet hours 23-6: %+v, %v; want reminders fired", rep, err)
	}

	p, err := s.svc.Period(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if want := builtin.AddDays(1); p.SummaryDue.Before(want) {
		t.Errorf("summary due %s, want after the configured holiday %s", p.SummaryDue, builtin)
	}

	err = s.svc.Vote(ctx, "ou_fk", q, map[string]scoring.Dec{"ou_zk": scoring.D("90"), "ou_qt": scoring.D("85")})
	if err != nil {
		t.Errorf("vote with votes on: %v", err)
	}

	for _, tt := range []struct{ person, role, name, assignee string }{
		{"ou_zk", workflow.RoleHead, "评鉴", "ou_head"},
		{"ou_fk", workflow.RoleSupervisor, "审核", "ou_sup"},
		{"ou_qt", workflow.RoleUnitLeader, "初评", "ou_zk"},
	} {
		// S2 keeps 月记实, not 周记实: the summary waits for no weekly record.
		in := workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: q, Body: workflow.EntryBody{Summary: "本季度工作小结", Training: "无"}}
		if err := s.svc.Submit(ctx, tt.person, in); err != nil {
			t.Fatalf("summary of %s: %v", tt.person, err)
		}
		var steps []workflow.Step
		if err := s.store.InTx(ctx, func(tx workflow.Tx) error {
			steps, err = tx.Steps(ctx, workflow.StepFilter{Period: q, Person: tt.person})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(steps) != 1 || steps[0].Role != tt.role || steps[0].Name != tt.name || steps[0].Assignee != tt.assignee {
			t.Errorf("%s's first step: %+v, want %s (%s) by %s", tt.person, steps, tt.name, tt.role, tt.assignee)
		}
	}
}

// TestServeRefusesChainForUnknownTier: a chain for a tier the scheme does
// not have stops serve at start with an error naming it.
func TestServeRefusesChainForUnknownTier(t *testing.T) {
	t.Parallel()
	file := "app_id: cli_cfg\napp_secret: s\nstorage: memory\nscheme: s2\nchains:\n  default: [head:评鉴]\n  正处: [head:评鉴]\n"
	cfg, err := LoadConfig([]string{"--config", writeFile(t, "kaohe.yaml", file)}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	_, err = newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(string) {})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "chains.正处" || !strings.Contains(err.Error(), "正科") {
		t.Fatalf("err = %v, want a ConfigError naming chains.正处 and S2's tiers", err)
	}
}

// TestServeConfigSchemes: the schemes key puts units under other schemes;
// an unknown scheme or a unit the organisation does not have stops serve
// at start with an error naming the key, and an empty value is refused
// when the file loads.
func TestServeConfigSchemes(t *testing.T) {
	t.Parallel()
	org := writeFile(t, "org.json", `{"hr": "ou_hr", "settings": {"name": "局", "head": "ou_head"},
		"units": [{"id": "u1", "name": "办公室"}, {"id": "u2", "name": "窗口"}],
		"people": [{"id": "ou_hr", "name": "李", "hr": true}, {"id": "ou_head", "name": "王"},
			{"id": "ou_a", "name": "甲", "unit": "u2", "assessed": true}]}`)
	base := "app_id: cli_cfg\napp_secret: s\nstorage: memory\nbase_url: http://127.0.0.1:9\nscheme: s4\norg: " + org + "\n"
	for _, tc := range []struct {
		name, schemes, field, want string
	}{
		{"UnknownScheme", "  u2: s99\n", "schemes.u2", "s10"},
		{"UnknownUnit", "  u9: s5\n", "schemes.u9", "u1, u2"},
		{"MissingFile", "  u2: ./nope.yaml\n", "schemes.u2", "nope.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := LoadConfig([]string{"--config", writeFile(t, "kaohe.yaml", base+"schemes:\n"+tc.schemes)}, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			_, err = newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(string) {})
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a ConfigError naming %s and %q", err, tc.field, tc.want)
			}
		})
	}
	t.Run("Empty", func(t *testing.T) {
		t.Parallel()
		_, err := LoadConfig([]string{"--config", writeFile(t, "kaohe.yaml", base+"schemes:\n  u2: \"\"\n")}, func(string) string { return "" }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "schemes.u2") {
			t.Fatalf("err = %v, want one naming schemes.u2", err)
		}
	})
	t.Run("Applies", func(t *testing.T) {
		t.Parallel()
		clockFile := writeFile(t, "clock", "2027-01-04T09:00:00+08:00\n")
		cfg, err := LoadConfig([]string{"--config", writeFile(t, "kaohe.yaml", base+"clock_file: "+clockFile+"\nschemes:\n  u2: s4-month\n")},
			func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatalf("config: %v", err)
		}
		s, err := newServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), func(string) {})
		if err != nil {
			t.Fatalf("newServer: %v", err)
		}
		defer s.deps.close()
		ids, err := s.svc.NextPeriods(context.Background())
		if err != nil || len(ids) != 1 || ids[0] != "2027-01@s4-month" {
			t.Errorf("next periods = %v, %v; want the window unit's month only", ids, err)
		}
	})
}
