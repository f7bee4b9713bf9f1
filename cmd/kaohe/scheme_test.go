package main

import (
	"strings"
	"testing"

	"github.com/kaohe/kaohe/scoring"
)

// TestSchemeShowDocuments: `kaohe scheme show sN` is how an operator reads a
// scheme's rules, so it prints the file as written — the seed quoted by
// section next to each rule and every "Decision:" — and neither it nor
// `scheme list` points into the seed files, which a clone does not have.
func TestSchemeShowDocuments(t *testing.T) {
	t.Parallel()
	for _, id := range scoring.BuiltinIDs() {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			out, _, err := runCmd(t, "", "scheme", "show", id)
			if err != nil {
				t.Fatalf("show %s: %v", id, err)
			}
			want, err := scoring.BuiltinSource(id)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("show %s does not print the scheme file as written", id)
			}
			if !strings.Contains(out, "Decision") || !strings.Contains(out, "# Issuer: ") {
				t.Errorf("show %s lacks the issuer or the decisions", id)
			}
			if strings.Contains(out, "seeds/") || strings.Contains(out, "../shared") {
				t.Errorf("show %s points into the seed files", id)
			}
		})
	}
	t.Run("list", func(t *testing.T) {
		t.Parallel()
		out, _, err := runCmd(t, "", "scheme", "list")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"西城区司法局；《财政局公务员平时考核工作方案7篇》篇一（二）", "（原文不全）", "晋城市生态环境局"} {
			if !strings.Contains(out, want) {
				t.Errorf("list lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "seeds/") {
			t.Errorf("list points into the seed files:\n%s", out)
		}
	})
}
