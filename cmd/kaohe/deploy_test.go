package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/storage/postgres/pgtest"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestDeployExamples: the sample configuration and organisation in deploy/
// load and validate, so the documented files stay correct.
func TestDeployExamples(t *testing.T) {
	t.Parallel()
	env := map[string]string{"KAOHE_APP_SECRET": "s3cret", "KAOHE_ORG": "../../deploy/org.example.json",
		"KAOHE_DATABASE_URL": "postgres://kaohe_serve@db:5432/kaohe?sslmode=disable"}
	cfg, err := LoadConfig([]string{"--config", "../../deploy/kaohe.example.yaml"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if cfg.Callback != CallbackLong || cfg.Scheme != "s4" || cfg.Storage != StoragePostgres || cfg.RedisURL == "" {
		t.Errorf("example config = %+v", cfg)
	}
	sc, err := scoring.Builtin(cfg.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	cal := calendar.Default()
	dl, err := cfg.Deadlines(cal)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := workflow.New(workflow.Config{Store: memory.New(), Clock: clock.NewFake(time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation())),
		Calendar: cal, Scheme: sc, Deadlines: dl})
	if err != nil {
		t.Fatal(err)
	}
	if err := loadOrg(context.Background(), svc, cfg.Org); err != nil {
		t.Fatalf("example org: %v", err)
	}
	// The configured rule sets the opened period's 备案 date: 15 working
	// days after 31 December 2026.
	p, err := svc.Period(context.Background(), "2026-Q4")
	if err != nil {
		t.Fatal(err)
	}
	if want := cal.AddWorkdays(calendar.NewDate(2026, 12, 31), 15); p.FilingDue != want {
		t.Errorf("filing due %s, want %s", p.FilingDue, want)
	}
}

func TestDeadlineConfigErrors(t *testing.T) {
	t.Parallel()
	env := map[string]string{"KAOHE_APP_ID": "cli_x", "KAOHE_APP_SECRET": "s", "KAOHE_DEADLINE_FILING": "soon", "KAOHE_STORAGE": "memory"}
	_, err := LoadConfig(nil, func(k string) string { return env[k] }, io.Discard)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "deadline_filing" || ce.Env != "KAOHE_DEADLINE_FILING" {
		t.Fatalf("err = %v, want a ConfigError naming deadline_filing", err)
	}
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not ready\npostgres: ok\nlark: down: tenant token: no answer in time", http.StatusServiceUnavailable)
	}))
	defer bad.Close()
	if _, _, err := runCmd(t, "", "healthcheck", ok.URL); err != nil {
		t.Errorf("healthy: %v", err)
	}
	// The reason reaches Docker's health log.
	if _, _, err := runCmd(t, "", "healthcheck", bad.URL); err == nil || !strings.Contains(err.Error(), "lark: down: tenant token") {
		t.Errorf("503: %v; want a failure that carries /readyz's reason", err)
	}
}

// TestDeployCompose: the compose file's services fit together — no Docker
// engine runs here, so this is how it stays correct. PostgreSQL and Redis
// are there with health checks, the schema owner migrates once before
// serve starts, serve checks the schema as the application role, and
// every file it mounts exists in deploy/.
func TestDeployCompose(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck map[string]any `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"db", "redis", "migrate", "kaohe"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("compose has no %s service", name)
		}
	}
	for _, name := range []string{"db", "redis", "kaohe"} {
		if c.Services[name].Healthcheck == nil {
			t.Errorf("service %s has no health check", name)
		}
	}
	// kaohe's is readiness (/readyz: PostgreSQL and Lark reachable), which
	// compose reports but never restarts for; /healthz would call a
	// replica that cannot reach Lark healthy.
	hc := c.Services["kaohe"].Healthcheck
	if test := fmt.Sprint(hc["test"]); !strings.Contains(test, "healthcheck http://127.0.0.1:8080/readyz") {
		t.Errorf("kaohe health check %s; want `kaohe healthcheck` on /readyz", test)
	}
	if hc["start_period"] == nil {
		t.Error("kaohe health check has no start_period: a replica waiting for PostgreSQL at start would count as failing")
	}
	mig, srv := c.Services["migrate"], c.Services["kaohe"]
	if strings.Join(mig.Command, " ") != "migrate up" || !strings.Contains(mig.Environment["KAOHE_DATABASE_URL"], "kaohe_owner") {
		t.Errorf("migrate service: command %v, url %q; want `migrate up` as the schema owner", mig.Command, mig.Environment["KAOHE_DATABASE_URL"])
	}
	if srv.DependsOn["migrate"].Condition != "service_completed_successfully" || srv.DependsOn["redis"].Condition != "service_healthy" {
		t.Errorf("kaohe depends_on = %+v; want migrate completed and redis healthy", srv.DependsOn)
	}
	if srv.Environment["KAOHE_MIGRATE"] != MigrateCheck || !strings.Contains(srv.Environment["KAOHE_DATABASE_URL"], "kaohe_serve") ||
		srv.Environment["KAOHE_REDIS_URL"] == "" {
		t.Errorf("kaohe environment %v: want migrate check, the kaohe_serve role and a Redis URL", srv.Environment)
	}
	if err := checkURL(strings.NewReplacer("${KAOHE_DB_SERVE_PASSWORD:?set the serve role's password}", "x").Replace(srv.Environment["KAOHE_DATABASE_URL"]), "postgres"); err != nil {
		t.Errorf("kaohe database URL: %v", err)
	}
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, "./") {
				continue // a named volume
			}
			if _, err := os.Stat(filepath.Join("../../deploy", src)); err != nil {
				t.Errorf("service %s mounts %s: %v", name, src, err)
			}
		}
	}
	if st, err := os.Stat("../../deploy/initdb/10-roles.sh"); err != nil || st.Mode()&0o111 == 0 {
		t.Errorf("deploy/initdb/10-roles.sh must exist and be executable: %v", err)
	}
}

// TestDeployInitdbRoles runs deploy/initdb/10-roles.sh against the test
// PostgreSQL as the postgres image would, twice (it must be idempotent),
// and checks that the serve role can log in as a member of kaohe_app.
func TestDeployInitdbRoles(t *testing.T) {
	t.Parallel()
	base := pgtest.BaseURL(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql not installed")
	}
	for range 2 {
		cmd := exec.Command("sh", "../../deploy/initdb/10-roles.sh")
		cmd.Env = append(os.Environ(), "PGHOST="+u.Hostname(), "PGPORT="+u.Port(), "POSTGRES_USER="+u.User.Username(),
			"POSTGRES_DB="+strings.TrimPrefix(u.Path, "/"), "KAOHE_DB_SERVE_PASSWORD=initdb-test")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("10-roles.sh: %v\n%s", err, out)
		}
	}
	if n := pgtest.Int(t, base, `SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
		WHERE r.rolname = 'kaohe_app' AND u.rolname = 'kaohe_serve' AND u.rolcanlogin`); n != 1 {
		t.Errorf("kaohe_serve is not a login member of kaohe_app")
	}
}

// schemeLine is the comment above a sample chain naming its scheme.
var schemeLine = regexp.MustCompile(`^# (S[0-9]+) `)

// TestDeployExampleCommented: the commented examples of the sample
// configuration (the S2, S6 and S10 chains, the calendar) load when
// uncommented, each chain fits its scheme's tiers and starts as the
// example says (TestServeAppliesWorkflowConfig shows a person of a tier
// gets their tier's chain).
func TestDeployExampleCommented(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../deploy/kaohe.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A block is "#chains:" or "#calendar:" and the "#  " lines after it;
	// the comment line above a chains block names its scheme (S2 …).
	type block struct{ scheme, body string }
	var blocks []block
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if l != "#chains:" && l != "#calendar:" {
			continue
		}
		b := block{body: strings.TrimPrefix(l, "#") + "\n"}
		for j := i - 1; j >= 0 && strings.HasPrefix(lines[j], "# "); j-- {
			if m := schemeLine.FindStringSubmatch(lines[j]); m != nil {
				b.scheme = strings.ToLower(m[1])
				break
			}
		}
		for _, m := range lines[i+1:] {
			if !strings.HasPrefix(m, "#  ") {
				break
			}
			b.body += strings.TrimPrefix(m, "#") + "\n"
		}
		blocks = append(blocks, b)
	}
	wantChains := map[string]map[string]string{ // scheme → tier → first step
		"s2":  {"": "unit_leader:初评", "正科": "head:评鉴", "副科": "supervisor:审核"},
		"s6":  {"": "unit_leader:评分", "部门负责人": "supervisor:评分"},
		"s10": {"": "supervisor:评定"},
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		env := map[string]string{"KAOHE_APP_ID": "cli_x", "KAOHE_APP_SECRET": "s", "KAOHE_STORAGE": "memory"}
		cfg, err := LoadConfig([]string{"--config", writeFile(t, "kaohe.yaml", b.body)}, func(k string) string { return env[k] }, io.Discard)
		if err != nil {
			t.Errorf("example %s:\n%s\n%v", b.scheme, b.body, err)
			continue
		}
		if strings.HasPrefix(b.body, "calendar:") {
			seen["calendar"] = true
			if ov, err := cfg.Overrides(); err != nil || len(ov) < 3 {
				t.Errorf("calendar example: %v, %v", ov, err)
			}
			continue
		}
		seen[b.scheme] = true
		sc, err := scoring.Builtin(b.scheme)
		if err != nil {
			t.Fatalf("example for %q: %v", b.scheme, err)
		}
		if err := cfg.CheckChainTiers(sc); err != nil {
			t.Errorf("example %s: %v", b.scheme, err)
		}
		chains := cfg.WorkflowChains()
		for tier, first := range wantChains[b.scheme] {
			if c := chains[tier]; len(c) == 0 || c[0].Role+":"+c[0].Name != first {
				t.Errorf("example %s, tier %q: %v, want it to start with %s", b.scheme, tier, c, first)
			}
		}
	}
	for _, want := range []string{"s2", "s6", "s10", "calendar"} {
		if !seen[want] {
			t.Errorf("no commented example for %s in the sample", want)
		}
	}
}
