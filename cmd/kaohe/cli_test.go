package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestEveryCommandAnswersHelp: each command, asked -h (or --help, or
// through `kaohe help`), prints its own usage on stdout and exits 0 — it
// does not run, open a file called "-h" or call a URL "-h". The commands
// HR runs answer in Chinese, flags included; the operator's in English.
func TestEveryCommandAnswersHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string // all in stdout
	}{
		{[]string{"demo", "-h"}, []string{"kaohe demo"}},
		{[]string{"scheme", "-h"}, []string{"用法：kaohe scheme", "kaohe scheme check 文件"}},
		{[]string{"scheme", "list", "-h"}, []string{"用法：kaohe scheme list", "列出内置"}},
		{[]string{"scheme", "show", "-h"}, []string{"用法：kaohe scheme show 编号"}},
		{[]string{"scheme", "check", "-h"}, []string{"用法：kaohe scheme check 文件", "行号"}},
		{[]string{"score", "-h"}, []string{"用法：kaohe score", "选项：", "--scheme 方案", "--input 文件", "（默认 json）"}},
		{[]string{"score", "--help"}, []string{"用法：kaohe score"}},
		{[]string{"serve", "-h"}, []string{"usage: kaohe serve", "/metrics", "--config string", "--store string"}},
		{[]string{"sim", "-h"}, []string{"usage: kaohe sim", "--callback-url string"}},
		{[]string{"migrate", "-h"}, []string{"usage: kaohe migrate", "migrate status"}},
		{[]string{"migrate", "up", "-h"}, []string{"usage: kaohe migrate up", "--database-url string"}},
		{[]string{"migrate", "down", "-h"}, []string{"usage: kaohe migrate down [N|all]"}},
		{[]string{"migrate", "down", "2", "-h"}, []string{"usage: kaohe migrate down [N|all]"}},
		{[]string{"migrate", "status", "-h"}, []string{"usage: kaohe migrate status"}},
		{[]string{"audit", "-h"}, []string{"usage: kaohe audit", "audit export"}},
		{[]string{"audit", "verify", "-h"}, []string{"usage: kaohe audit verify", "--heads string"}},
		{[]string{"audit", "export", "-h"}, []string{"usage: kaohe audit export", "--period string", "(default csv)"}},
		{[]string{"healthcheck", "-h"}, []string{"usage: kaohe healthcheck URL"}},
		{[]string{"version", "-h"}, []string{"usage: kaohe version"}},
		{[]string{"load", "-h"}, []string{"usage: kaohe load", "--rate int"}},
		{[]string{"help", "score"}, []string{"用法：kaohe score"}},
		{[]string{"help", "audit", "verify"}, []string{"usage: kaohe audit verify"}},
		{[]string{"help"}, []string{"kaohe serve", "kaohe help [COMMAND]"}},
		{[]string{"-h"}, []string{"kaohe score"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, "_"), func(t *testing.T) {
			t.Parallel()
			out, errOut, err := runCmd(t, "", tt.args...)
			if err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("kaohe %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), err, out, errOut)
			}
			if exitCode := 0; err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Errorf("exit code %d", exitCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("kaohe %s: stdout lacks %q:\n%s", strings.Join(tt.args, " "), w, out)
				}
			}
			if errOut != "" {
				t.Errorf("kaohe %s wrote to stderr: %s", strings.Join(tt.args, " "), errOut)
			}
		})
	}
	// Every command the usage lists has a help.
	for key := range helps {
		if !strings.Contains(usage, "kaohe "+key) && !strings.Contains(usage, "kaohe "+strings.Fields(key)[0]) {
			t.Errorf("help for %q, which the usage does not list", key)
		}
	}
}

// TestCommandMistakesPointToHelp: a mistake in a command's own line names
// it and its synopsis, not the list of every command.
func TestCommandMistakesPointToHelp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"score", "--bogus"}, "用法：kaohe score"},
		{[]string{"audit", "verify", "extra"}, "usage: kaohe audit verify"},
		{[]string{"migrate", "sideways"}, "usage: kaohe migrate up|down"},
		{[]string{"scheme", "check"}, "详见 kaohe scheme check -h"},
		{[]string{"nonsense"}, "kaohe demo"}, // an unknown command: the whole list
	} {
		_, _, err := runCmd(t, "", tt.args...)
		if exitCode(err) != 2 {
			t.Errorf("kaohe %s: err %v, want a usage error", strings.Join(tt.args, " "), err)
			continue
		}
		if got := usageFor(tt.args); !strings.Contains(got, tt.want) {
			t.Errorf("kaohe %s: usage shown is %q, want it to contain %q", strings.Join(tt.args, " "), got, tt.want)
		}
	}
}

// TestSchemeCheckDashFile: after --, a file named -h is a file.
func TestSchemeCheckDashFile(t *testing.T) {
	t.Parallel()
	_, errOut, err := runCmd(t, "", "scheme", "check", "--", "-h")
	if !errors.Is(err, errFailed) || !strings.Contains(errOut, "-h") {
		t.Errorf("scheme check -- -h: err %v, stderr %q; want the file -h checked (and missing)", err, errOut)
	}
}

// TestUnknownSchemeListsBuiltins: --scheme s99 names the built-in ids
// rather than a missing file; show does too.
func TestUnknownSchemeListsBuiltins(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "in.json", s4Input)
	_, errOut, err := runCmd(t, "", "score", "--scheme", "s99", "--input", in)
	if err == nil || !strings.Contains(errOut, "s1, s2, s3") || strings.Contains(errOut, "no such file") {
		t.Errorf("score --scheme s99: err %v, stderr %q; want the built-in ids", err, errOut)
	}
	_, _, err = runCmd(t, "", "scheme", "show", "s99")
	if err == nil || !strings.Contains(err.Error(), "s10") {
		t.Errorf("scheme show s99: %v, want the built-in ids", err)
	}
}

// TestScoreInputProblems: every problem of an input at once, each naming
// the person and the path, and a whole number in quotes refused in words
// without Go's type names; a decimal in quotes stays valid (the schema
// documents it).
func TestScoreInputProblems(t *testing.T) {
	t.Parallel()
	bad := strings.NewReplacer(
		`"working_days":66`, `"working_days":"66"`,
		`{"id":"b","name":"乙","unit":"局","sources":{"leader":{"indicators"`, `{"id":"b","name":"乙","unit":"局","nickname":"小乙","sources":{"leader":{"indicatorz"`,
	).Replace(s4Input)
	if bad == s4Input {
		t.Fatal("the replacements did not apply")
	}
	_, errOut, err := runCmd(t, "", "score", "--scheme", "s4", "--input", writeFile(t, "in.json", bad))
	if !errors.Is(err, errFailed) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{
		`period.working_days: want a whole number, not the text "66"`,
		`person b: nickname: unknown field (known here: adjustments, allowance,`,
		`person b: sources.leader.indicatorz: unknown field (known here: indicators, levels, outside, score, votes)`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	for _, goName := range []string{"int", "scoring.", "map[", "json:"} {
		if strings.Contains(strings.ReplaceAll(errOut, "indicat", ""), goName) {
			t.Errorf("stderr shows Go's %q:\n%s", goName, errOut)
		}
	}
	quoted := strings.Replace(s4Input, `"工作负荷":4.5`, `"工作负荷":"4.5"`, 1)
	if out, errOut, err := runCmd(t, "", "score", "--scheme", "s4", "--input", writeFile(t, "q.json", quoted)); err != nil || !strings.Contains(out, `"4.5"`) && !strings.Contains(out, "4.5") {
		t.Errorf("a decimal in quotes: %v\n%s", err, errOut)
	}
	notNumber := strings.Replace(s4Input, `"工作负荷":4.5`, `"工作负荷":"4.5分"`, 1)
	_, errOut, err = runCmd(t, "", "score", "--scheme", "s4", "--input", writeFile(t, "n.json", notNumber))
	if err == nil || !strings.Contains(errOut, `person b: sources.leader.indicators.工作负荷: want a number, got the text "4.5分"`) {
		t.Errorf("a score with a unit: %v\n%s", err, errOut)
	}
}

// TestTableAlignsChinese: columns line up by display width, a Chinese
// character taking two columns, so the column after a Chinese name starts
// at the same screen column on every line.
func TestTableAlignsChinese(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]int{"abc": 3, "张三": 4, "（试行）": 8, "A·B": 3, "é": 1, "ｘ": 2} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, want)
		}
	}
	var b bytes.Buffer
	if err := writeTable(&b, []string{"编号", "姓名", "分数"}, [][]string{{"a", "欧阳修远", "95"}, {"bb", "甲", "88.5"}, {"c", "Li Lei", "70"}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	col := -1
	for _, l := range lines {
		i := strings.LastIndex(l, "  ")
		at := displayWidth(l[:i+2])
		if col >= 0 && at != col {
			t.Errorf("the last column starts at %d here and %d above:\n%s", at, col, b.String())
		}
		col = at
	}
	out, _, err := runCmd(t, "", "score", "--scheme", "s4", "--input", writeFile(t, "in.json", s4Input), "--format", "table")
	if err != nil {
		t.Fatal(err)
	}
	var starts []int
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "a ") || strings.HasPrefix(l, "b ") || strings.HasPrefix(l, "编号") {
			i := strings.Index(l, "局")
			if strings.HasPrefix(l, "编号") {
				i = strings.Index(l, "单位")
			}
			starts = append(starts, displayWidth(l[:i]))
		}
	}
	if len(starts) != 3 || starts[0] != starts[1] || starts[1] != starts[2] {
		t.Errorf("the unit column starts at %v:\n%s", starts, out)
	}
}
