package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer bad.Close()
	if _, _, err := runCmd(t, "", "healthcheck", ok.URL); err != nil {
		t.Errorf("healthy: %v", err)
	}
	if _, _, err := runCmd(t, "", "healthcheck", bad.URL); err == nil {
		t.Error("503 passed the health check")
	}
}

// composeFile is deploy/compose.yaml as the deploy tests read it: merge
// keys (<<) resolved, ${VAR:-default} left as written.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       map[string]string `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	StopGracePeriod string `yaml:"stop_grace_period"`
}

// interpolate fills ${VAR:-default} with its default and ${VAR:?msg} and
// ${VAR} with "x", as compose would with those variables set to x.
func interpolate(s string) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		expr := s[i+2 : i+j]
		v := "x"
		if _, def, ok := strings.Cut(expr, ":-"); ok {
			v = def
		}
		s = s[:i] + v + s[i+j+1:]
	}
}

// TestDeployCompose: the compose file's services fit together — no Docker
// engine runs here, so this is how it stays correct. PostgreSQL keeps its
// data in a volume, Redis is there, both with health checks; the schema
// owner migrates once before serve starts; two replicas check the schema
// as the application role, share Redis, are healthy only when ready
// (/readyz), get more time to drain than shutdown_timeout, and publish
// their ports on the loopback interface unless KAOHE_BIND says otherwise;
// every file mounted exists in deploy/.
func TestDeployCompose(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"db", "redis", "migrate", "kaohe-1", "kaohe-2"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("compose has no %s service", name)
		}
	}
	for _, name := range []string{"db", "redis"} {
		if len(c.Services[name].Healthcheck.Test) == 0 {
			t.Errorf("service %s has no health check", name)
		}
		if len(c.Services[name].Ports) > 0 {
			t.Errorf("service %s publishes ports %v: only the replicas are reached from the host", name, c.Services[name].Ports)
		}
	}
	if !slices.Contains(c.Services["db"].Volumes, "pgdata:/var/lib/postgresql/data") || c.Volumes == nil || !mapHas(c.Volumes, "pgdata") {
		t.Errorf("PostgreSQL's data is not in the named volume pgdata: %v", c.Services["db"].Volumes)
	}
	mig := c.Services["migrate"]
	if strings.Join(mig.Command, " ") != "migrate up" || !strings.Contains(mig.Environment["KAOHE_DATABASE_URL"], "kaohe_owner") ||
		mig.DependsOn["db"].Condition != "service_healthy" {
		t.Errorf("migrate service: command %v, url %q, depends on %v; want `migrate up` as the schema owner once db is healthy",
			mig.Command, mig.Environment["KAOHE_DATABASE_URL"], mig.DependsOn)
	}
	ports := map[string]bool{}
	for _, name := range []string{"kaohe-1", "kaohe-2"} {
		srv := c.Services[name]
		if srv.Image != mig.Image || srv.Build["dockerfile"] != "deploy/Dockerfile" {
			t.Errorf("%s: image %q build %v, want the migrate service's image built from deploy/Dockerfile", name, srv.Image, srv.Build)
		}
		if srv.DependsOn["migrate"].Condition != "service_completed_successfully" || srv.DependsOn["redis"].Condition != "service_healthy" {
			t.Errorf("%s depends_on = %+v; want migrate completed and redis healthy", name, srv.DependsOn)
		}
		if srv.Environment["KAOHE_MIGRATE"] != MigrateCheck || !strings.Contains(srv.Environment["KAOHE_DATABASE_URL"], "kaohe_serve") ||
			srv.Environment["KAOHE_REDIS_URL"] == "" {
			t.Errorf("%s environment %v: want migrate check, the kaohe_serve role and a Redis URL", name, srv.Environment)
		}
		if err := checkURL(interpolate(srv.Environment["KAOHE_DATABASE_URL"]), "postgres"); err != nil {
			t.Errorf("%s database URL: %v", name, err)
		}
		if hc := strings.Join(srv.Healthcheck.Test, " "); !strings.HasSuffix(hc, "healthcheck http://127.0.0.1:8080/readyz") {
			t.Errorf("%s health check %q: want kaohe healthcheck on /readyz", name, hc)
		}
		if d, err := time.ParseDuration(srv.StopGracePeriod); err != nil || d <= time.Duration(DefaultConfig().ShutdownTimeout) {
			t.Errorf("%s stop_grace_period %q: want more than shutdown_timeout (%s)", name, srv.StopGracePeriod, DefaultConfig().ShutdownTimeout)
		}
		if len(srv.Ports) != 1 {
			t.Fatalf("%s ports %v: want one", name, srv.Ports)
		}
		p := interpolate(srv.Ports[0])
		host, _, _ := strings.Cut(p, ":")
		if host != "127.0.0.1" || !strings.HasPrefix(srv.Ports[0], "${KAOHE_BIND:-127.0.0.1}:") || !strings.HasSuffix(p, ":8080") {
			t.Errorf("%s publishes %q (%q by default): want 127.0.0.1:PORT:8080 unless KAOHE_BIND is set", name, srv.Ports[0], p)
		}
		if ports[p] {
			t.Errorf("both replicas publish %s", p)
		}
		ports[p] = true
	}
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, "./") {
				if !mapHas(c.Volumes, src) {
					t.Errorf("service %s mounts the undeclared volume %s", name, src)
				}
				continue
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

func mapHas(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// TestDeployDockerfile: the image is built in two stages, the binary
// static (CGO off) on a distroless static base, runs as a numeric
// non-root user (so Kubernetes' runAsNonRoot can check it), checks its
// own health with the binary, and starts serve; the .dockerignore at the
// build context's root keeps tests, docs, .git and local secrets out and
// keeps what go build reads.
func TestDeployDockerfile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	instr := map[string][]string{}
	for _, l := range strings.Split(strings.ReplaceAll(string(raw), "\\\n", " "), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		cmd, rest, _ := strings.Cut(l, " ")
		instr[cmd] = append(instr[cmd], strings.TrimSpace(rest))
		if cmd == "FROM" {
			froms = append(froms, rest)
		}
	}
	if len(froms) != 2 || !strings.HasSuffix(froms[0], " AS build") || !strings.HasPrefix(froms[1], "gcr.io/distroless/static") {
		t.Errorf("FROM %v: want a build stage and a distroless static runtime", froms)
	}
	if !slices.ContainsFunc(instr["RUN"], func(r string) bool {
		return strings.Contains(r, "CGO_ENABLED=0") && strings.Contains(r, "go build") && strings.Contains(r, "./cmd/kaohe")
	}) {
		t.Errorf("RUN %v: no static build of ./cmd/kaohe (CGO_ENABLED=0)", instr["RUN"])
	}
	if !slices.ContainsFunc(instr["COPY"], func(c string) bool { return strings.HasPrefix(c, "--from=build ") }) {
		t.Errorf("COPY %v: the runtime stage does not take the binary from the build stage", instr["COPY"])
	}
	if u := instr["USER"]; len(u) != 1 || u[0] != "65532:65532" {
		t.Errorf("USER %v: want the numeric non-root 65532:65532", u)
	}
	if hc := strings.Join(instr["HEALTHCHECK"], " "); !strings.Contains(hc, `"/usr/local/bin/kaohe", "healthcheck", "http://127.0.0.1:8080/healthz"`) {
		t.Errorf("HEALTHCHECK %q: want kaohe healthcheck on /healthz", hc)
	}
	if e := strings.Join(instr["ENTRYPOINT"], "") + strings.Join(instr["CMD"], ""); e != `["/usr/local/bin/kaohe"]["serve"]` {
		t.Errorf("ENTRYPOINT and CMD %q: want kaohe serve", e)
	}

	raw, err = os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatalf(".dockerignore at the build context's root: %v", err)
	}
	ignore := map[string]bool{}
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			ignore[l] = true
		}
	}
	for _, want := range []string{".git", "**/*_test.go", "**/testdata", "docs", ".env", "*.env"} {
		if !ignore[want] {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
	// What go build reads is never excluded: the sources, go.mod and the
	// embedded schemes and migrations.
	for p := range ignore {
		for _, keep := range []string{"go.mod", "go.sum", "cmd", "scoring", "storage", "workflow", "bot", "clock", "demo"} {
			if p == keep || p == "/"+keep || p == "*" {
				t.Errorf(".dockerignore excludes %s, which go build needs", p)
			}
		}
		if strings.Contains(p, "schemes") || strings.Contains(p, "migrations") || p == "*.yaml" || p == "**/*.sql" {
			t.Errorf(".dockerignore excludes %s: the binary embeds the schemes and migrations", p)
		}
	}
}

// TestDeployHelmChart renders deploy/helm/kaohe (helmTemplate's decision
// says how) and checks what an operator relies on: two replicas with
// liveness on /healthz and readiness on /readyz, resource limits, a
// non-root read-only container, the Lark credentials and the database URL
// from the Secret, the configuration from the ConfigMap (a change rolls
// the replicas), the migration as a pre-install/pre-upgrade hook with its
// own hook Secret, serve then only checking the schema, and a refusal to
// render without the secrets or with two replicas and no Redis.
func TestDeployHelmChart(t *testing.T) {
	t.Parallel()
	const dir = "../../deploy/helm/kaohe"
	set := map[string]any{"secrets.appSecret": "lark-secret", "secrets.databaseURL": "postgres://kaohe_serve:pw@db:5432/kaohe",
		"secrets.migrateDatabaseURL": "postgres://kaohe_owner:pw@db:5432/kaohe", "config.app_id": "cli_x"}
	out, err := renderChart(dir, "prod", set)
	if err != nil {
		t.Fatal(err)
	}
	checkChart(t, out)
	if real := helmTemplate(t, dir, "prod", set); real != nil {
		t.Log("checking helm's own rendering too")
		checkChart(t, real)
	}

	for name, tc := range map[string]struct {
		set  map[string]any
		want string
	}{
		"NoSecret":       {map[string]any{"config.app_id": "cli_x", "secrets.databaseURL": "postgres://x@db/k"}, "secrets.appSecret is required"},
		"NoRedis":        {map[string]any{"secrets.appSecret": "s", "secrets.databaseURL": "postgres://x@db/k", "config.redis_url": ""}, "config.redis_url is required"},
		"WebhookNoKeys":  {map[string]any{"secrets.appSecret": "s", "secrets.databaseURL": "postgres://x@db/k", "config.callback": "webhook"}, "webhook mode needs"},
		"NoMigrationURL": {map[string]any{"secrets.appSecret": "s", "secrets.databaseURL": ""}, "required"},
	} {
		if _, err := renderChart(dir, "prod", tc.set); !errors.Is(err, errFail) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want the chart to refuse with %q", name, err, tc.want)
		}
	}
	// An existing Secret: the chart writes none and every reference names it.
	out, err = renderChart(dir, "prod", map[string]any{"secrets.existingSecret": "kaohe-creds", "config.app_id": "cli_x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out["kaohe/templates/secret.yaml"]) != 0 || len(out["kaohe/templates/migrate-job.yaml"]) != 1 {
		t.Errorf("with an existing Secret: secret.yaml %d docs, migrate-job.yaml %d; want none and the Job alone",
			len(out["kaohe/templates/secret.yaml"]), len(out["kaohe/templates/migrate-job.yaml"]))
	}
	job := out["kaohe/templates/migrate-job.yaml"][0]
	if ref := dig(job, "spec", "template", "spec", "containers", 0, "env", 0, "valueFrom", "secretKeyRef", "name"); ref != "kaohe-creds" {
		t.Errorf("the Job reads its URL from %v, want kaohe-creds", ref)
	}
}

// checkChart checks a release "prod" rendered with the secrets given.
func checkChart(t *testing.T, out map[string][]map[string]any) {
	t.Helper()
	one := func(file, kind string) map[string]any {
		t.Helper()
		for _, m := range out["kaohe/templates/"+file] {
			if m["kind"] == kind {
				return m
			}
		}
		t.Fatalf("no %s in %s (rendered: %v)", kind, file, slices.Sorted(maps.Keys(out)))
		return nil
	}
	dep := one("deployment.yaml", "Deployment")
	if r := dig(dep, "spec", "replicas"); fmt.Sprint(r) != "2" {
		t.Errorf("replicas = %v, want 2", r)
	}
	pod := dig(dep, "spec", "template", "spec").(map[string]any)
	c := dig(pod, "containers", 0).(map[string]any)
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"} {
		if p := dig(c, probe, "httpGet", "path"); p != path {
			t.Errorf("%s path = %v, want %s", probe, p, path)
		}
	}
	for _, lim := range []string{"cpu", "memory"} {
		if dig(c, "resources", "limits", lim) == nil || dig(c, "resources", "requests", lim) == nil {
			t.Errorf("no %s request and limit: %v", lim, c["resources"])
		}
	}
	if dig(pod, "securityContext", "runAsNonRoot") != true || fmt.Sprint(dig(pod, "securityContext", "runAsUser")) != "65532" ||
		dig(c, "securityContext", "allowPrivilegeEscalation") != false || dig(c, "securityContext", "readOnlyRootFilesystem") != true ||
		fmt.Sprint(dig(c, "securityContext", "capabilities", "drop")) != "[ALL]" {
		t.Errorf("security contexts: pod %v, container %v", pod["securityContext"], c["securityContext"])
	}
	if pod["automountServiceAccountToken"] != false {
		t.Error("the pod mounts a service account token it never uses")
	}
	env := map[string]map[string]any{}
	for _, e := range c["env"].([]any) {
		e := e.(map[string]any)
		env[e["name"].(string)] = e
	}
	secret := one("secret.yaml", "Secret")
	secretName := dig(secret, "metadata", "name")
	for variable, key := range map[string]string{"KAOHE_APP_SECRET": "app_secret", "KAOHE_ENCRYPT_KEY": "encrypt_key",
		"KAOHE_VERIFICATION_TOKEN": "verification_token", "KAOHE_DATABASE_URL": "database_url"} {
		ref := dig(env[variable], "valueFrom", "secretKeyRef")
		if dig(ref, "name") != secretName || dig(ref, "key") != key {
			t.Errorf("%s from %v, want key %s of Secret %v", variable, ref, key, secretName)
		}
		if dig(secret, "data", key) == nil {
			t.Errorf("the Secret has no %s", key)
		}
	}
	if got, _ := base64.StdEncoding.DecodeString(fmt.Sprint(dig(secret, "data", "app_secret"))); string(got) != "lark-secret" {
		t.Errorf("app_secret in the Secret = %q", got)
	}
	if dig(env["KAOHE_MIGRATE"], "value") != MigrateCheck {
		t.Errorf("KAOHE_MIGRATE = %v, want check: the Job migrates", env["KAOHE_MIGRATE"])
	}
	cm := one("configmap.yaml", "ConfigMap")
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(fmt.Sprint(dig(cm, "data", "kaohe.yaml"))), &cfg); err != nil || cfg["app_id"] != "cli_x" || cfg["listen"] != ":8080" {
		t.Errorf("kaohe.yaml in the ConfigMap: %v %v", cfg, err)
	}
	// The ConfigMap's kaohe.yaml with the Secret's variables is a
	// configuration serve accepts.
	vars := map[string]string{"KAOHE_APP_SECRET": "s", "KAOHE_DATABASE_URL": "postgres://kaohe_serve@db:5432/kaohe", "KAOHE_MIGRATE": "check"}
	if _, err := LoadConfig([]string{"--config", writeFile(t, "kaohe.yaml", fmt.Sprint(dig(cm, "data", "kaohe.yaml")))},
		func(k string) string { return vars[k] }, io.Discard); err != nil {
		t.Errorf("serve refuses the chart's configuration: %v", err)
	}
	for k := range cfg {
		if slices.Contains([]string{"app_secret", "encrypt_key", "verification_token", "database_url"}, k) {
			t.Errorf("the ConfigMap carries the secret %s", k)
		}
	}
	if dig(pod, "volumes", 0, "configMap", "name") != dig(cm, "metadata", "name") {
		t.Errorf("the pod mounts %v, not the ConfigMap", pod["volumes"])
	}
	if sum := dig(dep, "spec", "template", "metadata", "annotations", "checksum/config"); len(fmt.Sprint(sum)) != 64 {
		t.Errorf("checksum/config = %v: a changed configuration would not roll the replicas", sum)
	}
	if dig(dep, "spec", "template", "metadata", "annotations", "prometheus.io/path") != "/metrics" {
		t.Error("the pods are not annotated for scraping /metrics")
	}
	var job, hookSecret map[string]any
	for _, m := range out["kaohe/templates/migrate-job.yaml"] {
		switch m["kind"] {
		case "Job":
			job = m
		case "Secret":
			hookSecret = m
		}
	}
	if job == nil || hookSecret == nil {
		t.Fatalf("migrate-job.yaml renders %v, want a Job and its Secret", out["kaohe/templates/migrate-job.yaml"])
	}
	for _, m := range []map[string]any{job, hookSecret} {
		if dig(m, "metadata", "annotations", "helm.sh/hook") != "pre-install,pre-upgrade" ||
			!strings.Contains(fmt.Sprint(dig(m, "metadata", "annotations", "helm.sh/hook-delete-policy")), "before-hook-creation") {
			t.Errorf("%s %v is not a pre-install/pre-upgrade hook: %v", m["kind"], dig(m, "metadata", "name"), dig(m, "metadata", "annotations"))
		}
	}
	if w := fmt.Sprint(dig(hookSecret, "metadata", "annotations", "helm.sh/hook-weight")); w >= fmt.Sprint(dig(job, "metadata", "annotations", "helm.sh/hook-weight")) && w != "-10" {
		t.Errorf("the hook Secret's weight %s does not come before the Job's", w)
	}
	jc := dig(job, "spec", "template", "spec", "containers", 0).(map[string]any)
	if fmt.Sprint(jc["args"]) != "[migrate up]" || dig(jc, "env", 0, "valueFrom", "secretKeyRef", "name") != dig(hookSecret, "metadata", "name") ||
		dig(job, "spec", "template", "spec", "restartPolicy") != "Never" {
		t.Errorf("the Job runs %v with %v", jc["args"], jc["env"])
	}
	if got, _ := base64.StdEncoding.DecodeString(fmt.Sprint(dig(hookSecret, "data", "migrate_database_url"))); !strings.Contains(string(got), "kaohe_owner") {
		t.Errorf("the Job migrates as %q, want the schema owner", got)
	}
	svc := one("service.yaml", "Service")
	if dig(svc, "spec", "ports", 0, "targetPort") != "http" || fmt.Sprint(dig(svc, "spec", "selector")) != fmt.Sprint(dig(dep, "spec", "selector", "matchLabels")) {
		t.Errorf("the Service does not select the replicas' http port: %v", svc["spec"])
	}
	if fmt.Sprint(dig(one("pdb.yaml", "PodDisruptionBudget"), "spec", "minAvailable")) != "1" {
		t.Error("no disruption budget keeping one replica")
	}
}

// dig walks maps by key and lists by index; nil when a step is missing.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// TestDeploySystemd: the unit runs serve with its secrets from an
// environment file, a dynamic user and the hardening an operator expects,
// gives serve more time to drain than shutdown_timeout, and, where
// systemd-analyze is installed, verifies.
func TestDeploySystemd(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../deploy/systemd/kaohe.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string][]string{}
	section := ""
	for _, l := range strings.Split(string(raw), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "["):
			section = l
		default:
			k, v, _ := strings.Cut(l, "=")
			unit[section+k] = append(unit[section+k], v)
		}
	}
	for key, want := range map[string]string{
		"[Service]ExecStart": "/usr/local/bin/kaohe serve", "[Service]EnvironmentFile": "/etc/kaohe/kaohe.env",
		"[Service]DynamicUser": "yes", "[Service]NoNewPrivileges": "yes", "[Service]ProtectSystem": "strict",
		"[Service]PrivateTmp": "yes", "[Service]ProtectHome": "yes", "[Service]PrivateDevices": "yes", "[Service]KillSignal": "SIGTERM",
		"[Service]CapabilityBoundingSet": "", "[Service]StateDirectory": "kaohe", "[Install]WantedBy": "multi-user.target",
	} {
		if got := unit[key]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if d, err := time.ParseDuration(unit["[Service]TimeoutStopSec"][0] + "s"); err != nil || d <= time.Duration(DefaultConfig().ShutdownTimeout) {
		t.Errorf("TimeoutStopSec %v: want more than shutdown_timeout", unit["[Service]TimeoutStopSec"])
	}
	if !slices.Contains(unit["[Service]Environment"], "KAOHE_CONFIG=/etc/kaohe/kaohe.yaml") {
		t.Errorf("Environment %v does not point serve at /etc/kaohe/kaohe.yaml", unit["[Service]Environment"])
	}
	// The sample environment file sets only variables serve reads.
	envRaw, err := os.ReadFile("../../deploy/systemd/kaohe.env.example")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, s := range strings.Fields(strings.Join(configEnvNames(), " ")) {
		known[s] = true
	}
	for _, l := range strings.Split(string(envRaw), "\n") {
		if k, _, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") && !known[k] {
			t.Errorf("kaohe.env.example sets %s, which serve does not read", k)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		return
	}
	bin, err := buildKaohe()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kaohe.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(raw), "/usr/local/bin/kaohe", bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput(); err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
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
// configuration (the S2, S6 and S10 chains, the calendar, the units under
// other schemes, the contact tier mapping) load when uncommented, each chain fits its scheme's tiers and starts as the
// example says (TestServeAppliesWorkflowConfig shows a person of a tier
// gets their tier's chain).
func TestDeployExampleCommented(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../deploy/kaohe.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A block is "#chains:", "#calendar:", "#schemes:" or "#contact:" and
	// the "#  " lines after it;
	// the comment line above a chains block names its scheme (S2 …).
	type block struct{ scheme, body string }
	var blocks []block
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if l != "#chains:" && l != "#calendar:" && l != "#schemes:" && l != "#contact:" {
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
		if strings.HasPrefix(b.body, "schemes:") {
			seen["schemes"] = true
			if cfg.Schemes["u2"] != "s5" || cfg.Schemes["window"] != "s4-month" {
				t.Errorf("schemes example: %v", cfg.Schemes)
			}
			continue
		}
		if strings.HasPrefix(b.body, "contact:") {
			seen["contact"] = true
			if cfg.Contact.TierBy != "job_title" || cfg.Contact.Tiers["*"] != "其他" {
				t.Errorf("contact example: %+v", cfg.Contact)
			}
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
	for _, want := range []string{"s2", "s6", "s10", "calendar", "schemes", "contact"} {
		if !seen[want] {
			t.Errorf("no commented example for %s in the sample", want)
		}
	}
}

// configEnvNames are the variables serve reads: KAOHE_ and each setting's
// key in capitals.
func configEnvNames() []string {
	var out []string
	for _, a := range DefaultConfig().LogValue().Group() {
		out = append(out, "KAOHE_"+strings.ToUpper(a.Key))
	}
	return out
}
