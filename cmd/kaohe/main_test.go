package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// runCmd runs the CLI as a user would and returns its output.
func runCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSchemeCheck(t *testing.T) {
	t.Parallel()
	good := writeFile(t, "good.yaml", "id: t\nname: t\ngrades: [{label: 好}, {label: 差}]\nraters:\n  - sources: [{id: l, weight: 100%, kind: score}]\nbands:\n  - {grade: 好, range: \"[60, +inf)\"}\n  - {grade: 差, range: \"(-inf, 60)\"}\n")
	bad := writeFile(t, "bad.yaml", "id: t\nname: t\ngrades: [{label: 好}, {label: 差}]\nraters:\n  - sources: [{id: l, weight: 100%, kind: score}]\nbands:\n  - {grade: 好, range: \"[60, +inf)\"}\n  - {grade: 差, range: \"(-inf, 59)\"}\n")
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		out, _, err := runCmd(t, "", "scheme", "check", good)
		if err != nil || !strings.Contains(out, "ok") {
			t.Fatalf("check good: out %q err %v", out, err)
		}
	})
	t.Run("ErrGap", func(t *testing.T) {
		t.Parallel()
		_, errOut, err := runCmd(t, "", "scheme", "check", good, bad)
		if !errors.Is(err, errFailed) || exitCode(err) != 1 {
			t.Fatalf("check bad: err %v", err)
		}
		want := bad + ":7: bands[0].range: gap between (-inf, 59) and [60, +inf)"
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	})
	t.Run("Builtins", func(t *testing.T) {
		t.Parallel()
		out, _, err := runCmd(t, "", "scheme", "list")
		// A header, the ten, and the monthly variant of S4 for window units.
		if err != nil || strings.Count(out, "\n") != 12 || !strings.Contains(out, "s4-month") || !strings.Contains(out, "按月") {
			t.Fatalf("list: %q %v", out, err)
		}
	})
	t.Run("Usage", func(t *testing.T) {
		t.Parallel()
		_, _, err := runCmd(t, "", "scheme", "check")
		if exitCode(err) != 2 {
			t.Fatalf("no files: err %v, want a usage error", err)
		}
	})
}

const s4Input = `{"kind":"period","period":{"id":"2026-Q3","working_days":66},"people":[
 {"id":"a","name":"甲","unit":"局","sources":{"leader":{"indicators":{
  "思想政治素质":6,"职业道德":4,"社会公德":6,"家庭美德":4,"岗位执行能力":5,"综合业务能力":6,"开拓创新能力":5,"沟通协作能力":4,
  "工作责任心":5,"工作作风":5,"出勤情况":5,"工作负荷":15,"工作效率":10,"工作成效":10,"遵章守纪情况":4,"艰苦奋斗勤俭节约情况":3,"日常信访举报情况":3}}}},
 {"id":"b","name":"乙","unit":"局","sources":{"leader":{"indicators":{
  "思想政治素质":6,"职业道德":4,"社会公德":6,"家庭美德":4,"岗位执行能力":5,"综合业务能力":6,"开拓创新能力":5,"沟通协作能力":4,
  "工作责任心":5,"工作作风":5,"出勤情况":5,"工作负荷":4.5,"工作效率":10,"工作成效":10,"遵章守纪情况":4,"艰苦奋斗勤俭节约情况":3,"日常信访举报情况":3}}}}
]}`

func TestScore(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "in.json", s4Input)
	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		out, errOut, err := runCmd(t, "", "score", "--scheme", "s4", "--input", in)
		if err != nil {
			t.Fatalf("score: %v %s", err, errOut)
		}
		var res struct {
			People []struct {
				ID, Score, Grade string
			}
			Quotas []struct {
				MaxCount int `json:"max_count"`
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		// a: 100 points, 好; b: 89.5 is not "90分及以上", so 较好 (s4.yaml).
		// Two people: the 40% cap is floor(0.8) = 0, so a drops to 较好 too.
		if res.People[0].Score != "100" || res.People[1].Score != "89.5" {
			t.Errorf("scores %+v", res.People)
		}
		if res.People[0].Grade != "较好" || res.People[1].Grade != "较好" || res.Quotas[0].MaxCount != 0 {
			t.Errorf("grades %+v quotas %+v", res.People, res.Quotas)
		}
	})
	t.Run("Table", func(t *testing.T) {
		t.Parallel()
		out, _, err := runCmd(t, s4Input, "score", "--scheme", "s4", "--input", "-", "--format", "table")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"89.5", "较好", "至多0人", "75分（含）至90分（不含）"} {
			if !strings.Contains(out, want) {
				t.Errorf("table lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("ErrScoreAboveMax", func(t *testing.T) {
		t.Parallel()
		bad := strings.Replace(s4Input, `"工作负荷":4.5`, `"工作负荷":16`, 1)
		out, errOut, err := runCmd(t, bad, "score", "--scheme", "s4", "--input", "-")
		if !errors.Is(err, errFailed) || out != "" {
			t.Fatalf("err %v out %q", err, out)
		}
		if !strings.Contains(errOut, "person b: sources.leader.indicators.工作负荷: 16 is outside 0–15") {
			t.Errorf("stderr %q does not name the person and field", errOut)
		}
	})
	t.Run("ErrUnknownField", func(t *testing.T) {
		t.Parallel()
		bad := strings.Replace(s4Input, `"name":"甲"`, `"nmae":"甲"`, 1)
		_, errOut, err := runCmd(t, bad, "score", "--scheme", "s4", "--input", "-")
		if !errors.Is(err, errFailed) || !strings.Contains(errOut, "nmae") {
			t.Fatalf("err %v stderr %q", err, errOut)
		}
	})
	// S2 五: the allowance cuts as CSV for payroll, from the example quarter.
	t.Run("Allowance", func(t *testing.T) {
		t.Parallel()
		out, errOut, err := runCmd(t, "", "score", "--scheme", "s2", "--input", "../../scoring/testdata/examples/s2-period.json", "--format", "allowance")
		if err != nil {
			t.Fatalf("score: %v %s", err, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
		if err != nil || !strings.HasPrefix(out, "\ufeff") {
			t.Fatalf("not CSV behind a BOM: %v\n%s", err, out)
		}
		if len(rows) != 21 || strings.Join(rows[0], ",") != "单位,编号,姓名,月份,津贴,减发金额（元）,规则,说明" {
			t.Fatalf("rows %d, header %v", len(rows), rows[0])
		}
		found := false
		for _, r := range rows[1:] {
			found = found || (r[2] == "林涛" && r[3] == "2026-11" && r[4] == "工作性津贴" && r[5] == "450.00" && r[6] == "work-allowance-cut")
		}
		if !found {
			t.Errorf("no row for 林涛's 30%% cut of 1500 in 2026-11:\n%s", out)
		}
		if _, _, err := runCmd(t, "", "score", "--scheme", "s4", "--input", writeFile(t, "y.json", `{"kind":"year","people":[{"id":"a","unit":"u","periods":[]}]}`), "--format", "allowance"); exitCode(err) != 2 {
			t.Errorf("a year input: %v, want a usage error", err)
		}
	})
	t.Run("ErrBadFormat", func(t *testing.T) {
		t.Parallel()
		_, _, err := runCmd(t, "", "score", "--scheme", "s4", "--input", in, "--format", "xml")
		if exitCode(err) != 2 {
			t.Fatalf("err %v, want usage error", err)
		}
	})
}

// TestDemo plays the first quarter of the story in one process, as
// `make demo` does (TestYearInChat plays the whole year with separate
// processes): the simulator and serve start, the people's clicks get
// through, and the story's own checks (the 公示 list, the tie) hold.
func TestDemo(t *testing.T) {
	t.Parallel()
	out, errOut, err := runCmd(t, "", "demo", "--story", "--quarters", "1")
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	for _, want := range []string{"2026年第一季度 开启", "并列于名额线", "公示「好」等次", "复核期满，政工科备案", "签名、加密与重放校验"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "level=") || strings.Contains(out, "[Info]") {
		t.Errorf("the demo prints server logs:\n%s", out)
	}
}

func TestDemoScoring(t *testing.T) {
	t.Parallel()
	out, _, err := runCmd(t, "", "demo", "--scoring")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"至多4人", "降为「较好」", "只写评语", "加分合计6分，超过上限5分", "名额向基层一线"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

func TestVersionLine(t *testing.T) {
	t.Parallel()
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T22:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionLine(bi, true), "kaohe v0.3.0 0123456789ab+dirty 2026-12-01T22:00:00Z go1.26.8"; got != want {
		t.Errorf("versionLine = %q, want %q", got, want)
	}
	if got := versionLine(nil, false); got != "kaohe (unknown build)" {
		t.Errorf("no build info: %q", got)
	}
}
