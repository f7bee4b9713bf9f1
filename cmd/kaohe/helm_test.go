package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// This file renders deploy/helm/kaohe as `helm template` does, for the
// deploy tests.
//
// Decision: no helm binary is to be had here (Debian does not package it),
// and pulling helm.sh/helm into go.mod for a test would bring in the
// Kubernetes client libraries, several hundred modules, for every build of
// the repository. So the test renders the chart with text/template — the
// engine Helm itself uses — and the handful of Sprig functions the
// templates are allowed (the list is in templates/_helpers.tpl): a
// template that calls anything else fails to parse, so the chart cannot
// drift outside what is checked. Where a helm binary is on PATH, the test
// also runs `helm lint` and `helm template` and checks helm's own output
// the same way (a maintainer can get one with `go run
// helm.sh/helm/v4/cmd/helm@v4.3.2`).

// chartMeta is what templates see as .Chart.
type chartMeta struct {
	Name, Version, AppVersion string
}

// renderChart renders every template of the chart at dir with the chart's
// values overlaid by set (a map of dotted keys, as --set takes them), for
// a release named release, and returns the manifests by template file
// (helm's "# Source:" names).
func renderChart(dir, release string, set map[string]any) (map[string][]map[string]any, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	var chart struct {
		Name       string `yaml:"name"`
		Version    string `yaml:"version"`
		AppVersion string `yaml:"appVersion"`
	}
	if err := yaml.Unmarshal(raw, &chart); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	raw, err = os.ReadFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return nil, err
	}
	values := map[string]any{}
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("values.yaml: %w", err)
	}
	for k, v := range set {
		setPath(values, strings.Split(k, "."), v)
	}
	files, err := filepath.Glob(filepath.Join(dir, "templates", "*"))
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	base := chart.Name + "/templates"
	root := template.New("").Option("missingkey=zero")
	root.Funcs(helmFuncs(root))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if _, err := root.New(base + "/" + filepath.Base(f)).Parse(string(b)); err != nil {
			return nil, err
		}
	}
	out := map[string][]map[string]any{}
	for _, f := range files {
		name := base + "/" + filepath.Base(f)
		if strings.HasPrefix(filepath.Base(f), "_") || strings.HasSuffix(f, "NOTES.txt") {
			continue
		}
		data := map[string]any{
			"Values":   values,
			"Release":  map[string]any{"Name": release, "Namespace": "default", "Service": "Helm", "IsInstall": true, "IsUpgrade": false},
			"Chart":    chartMeta{Name: chart.Name, Version: chart.Version, AppVersion: chart.AppVersion},
			"Template": map[string]any{"Name": name, "BasePath": base},
		}
		var b strings.Builder
		if err := root.ExecuteTemplate(&b, name, data); err != nil {
			return nil, err
		}
		// As helm does: a missing value prints nothing, not "<no value>".
		rendered := strings.ReplaceAll(b.String(), "<no value>", "")
		for _, doc := range strings.Split(rendered, "\n---") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			var m map[string]any
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				return nil, fmt.Errorf("%s renders invalid YAML: %w\n%s", name, err, doc)
			}
			if m != nil {
				out[name] = append(out[name], m)
			}
		}
	}
	return out, nil
}

func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// errFail is the `fail` and `required` functions' error.
var errFail = errors.New("chart refused the values")

// helmFuncs are the functions the chart may use, with Sprig's meaning.
func helmFuncs(root *template.Template) template.FuncMap {
	empty := func(v any) bool {
		if v == nil {
			return true
		}
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.String, reflect.Map, reflect.Slice:
			return rv.Len() == 0
		case reflect.Bool:
			return !rv.Bool()
		case reflect.Int, reflect.Int64:
			return rv.Int() == 0
		case reflect.Float64:
			return rv.Float() == 0
		}
		return false
	}
	return template.FuncMap{
		"include": func(name string, data any) (string, error) {
			var b strings.Builder
			err := root.ExecuteTemplate(&b, name, data)
			return b.String(), err
		},
		"toYaml": func(v any) (string, error) {
			b, err := yaml.Marshal(v)
			return strings.TrimSuffix(string(b), "\n"), err
		},
		"nindent": func(n int, s string) string {
			pad := strings.Repeat(" ", n)
			return "\n" + pad + strings.ReplaceAll(s, "\n", "\n"+pad)
		},
		"quote": func(v any) string { return fmt.Sprintf("%q", fmt.Sprint(v)) },
		"default": func(def any, v ...any) any {
			if len(v) == 0 || empty(v[0]) {
				return def
			}
			return v[0]
		},
		"required": func(msg string, v any) (any, error) {
			if empty(v) {
				return nil, fmt.Errorf("%w: %s", errFail, msg)
			}
			return v, nil
		},
		"fail":      func(msg string) (string, error) { return "", fmt.Errorf("%w: %s", errFail, msg) },
		"b64enc":    func(v any) string { return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v))) },
		"sha256sum": func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) },
		"trunc": func(n int, s string) string {
			if len(s) > n {
				return s[:n]
			}
			return s
		},
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"contains":   func(sub, s string) bool { return strings.Contains(s, sub) },
		"int": func(v any) int {
			switch x := v.(type) {
			case int:
				return x
			case float64:
				return int(x)
			}
			return 0
		},
	}
}

// helmTemplate runs a real helm, when there is one, and returns its
// manifests like renderChart.
func helmTemplate(t *testing.T, dir, release string, set map[string]any) map[string][]map[string]any {
	t.Helper()
	helm, err := exec.LookPath("helm")
	if err != nil {
		return nil
	}
	if out, err := exec.Command(helm, "lint", dir).CombinedOutput(); err != nil {
		t.Fatalf("helm lint: %v\n%s", err, out)
	}
	args := []string{"template", release, dir}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		args = append(args, "--set", fmt.Sprintf("%s=%v", k, set[k]))
	}
	raw, err := exec.Command(helm, args...).Output()
	if err != nil {
		t.Fatalf("helm template: %v", err)
	}
	out := map[string][]map[string]any{}
	source := ""
	for _, doc := range strings.Split(string(raw), "\n---") {
		for _, l := range strings.Split(doc, "\n") {
			if s, ok := strings.CutPrefix(l, "# Source: "); ok {
				source = s
			}
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("helm template output: %v", err)
		}
		if m != nil {
			out[source] = append(out[source], m)
		}
	}
	return out
}
