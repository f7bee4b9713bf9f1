package scoring

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// citeRe matches a comment that cites the seed: the section it names, then
// the seed's own words in quotes, as `第九条: "…"`, `四(三)2: "…"`,
// `五、4: "…"`, `三、考核方法: "…"`, `注意事项11: "…"`, `附件2 …: "…"` or, for S7's
// headed summary, `「注重结果运用」: "…"`. S3's preamble has no number and is
// cited as 引言.
var citeRe = regexp.MustCompile(`^\s*#\s+(?:第[一二三四五六七八九十]+条|[一二三四五六七八九十]+(?:、[\p{Han}\d]+)?(?:[（(][一二三四五六七八九十]+[)）])?\d*|注意事项\d+|附件\d+|「\p{Han}+」|引言)[^"“]{0,40}?[:：]\s*["“]`)

// citedSections are the top-level keys a built-in scheme must cite its
// seed for, where present.
var citedSections = []string{"grades", "tiers", "indicators", "raters", "adjustments", "bands", "grade_conditions", "quotas", "special", "annual", "allowances", "talks", "records"}

// decisionRe matches a written decision: "Decision:", or S3's
// "Decision (assumed):" where the seed's text is missing altogether.
var decisionRe = regexp.MustCompile(`Decision(?: \(assumed\))?:`)

// seedFileNames are what a built-in scheme must never mention: the seeds
// live outside the repository, so a path into them means nothing to a
// reader of `kaohe scheme show` or a clone.
var seedFileNames = []string{"seeds/", "../shared", "000_", "004_", "851a482a", "082b9936", ".txt", "file 000", "file 004", "DESIGN.md"}

// sections splits a scheme's YAML into its top-level keys, each with the
// lines that document it: the comment block right above the key and every
// line up to the next key's comment block.
func sections(src string) map[string][]string {
	lines := strings.Split(src, "\n")
	out := map[string][]string{}
	key := ""
	topKey := regexp.MustCompile(`^([a-z_]+):`)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "#") {
			// A column-0 comment block belongs to the key it precedes.
			j := i
			for j < len(lines) && strings.HasPrefix(lines[j], "#") {
				j++
			}
			if j < len(lines) {
				if m := topKey.FindStringSubmatch(lines[j]); m != nil {
					key = m[1]
					out[key] = append(out[key], lines[i:j+1]...)
					i = j
					continue
				}
			}
			out[key] = append(out[key], lines[i:j]...)
			i = j - 1
			continue
		}
		if m := topKey.FindStringSubmatch(l); m != nil {
			key = m[1]
		}
		out[key] = append(out[key], l)
	}
	return out
}

// TestBuiltinCitations: `kaohe scheme show sN` prints the scheme's YAML, so
// the file is the documentation of its rules. Every section a scheme
// encodes quotes its seed by section, every rounding (which no seed gives)
// is a written decision, and no file points into the seeds by path.
func TestBuiltinCitations(t *testing.T) {
	t.Parallel()
	ids := BuiltinIDs()
	if len(ids) != 10 {
		t.Fatalf("built-in schemes %v, want s1 … s10", ids)
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			data, err := BuiltinSource(id)
			if err != nil {
				t.Fatal(err)
			}
			src := string(data)
			for _, bad := range seedFileNames {
				if strings.Contains(src, bad) {
					t.Errorf("mentions %q: cite the seed by title and section", bad)
				}
			}
			s, err := Builtin(id)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range seedFileNames {
				if strings.Contains(s.Source, bad) {
					t.Errorf("source %q mentions %q", s.Source, bad)
				}
			}
			if !strings.Contains(s.Source, "；") || strings.TrimSpace(s.Name) == "" {
				t.Errorf("name %q, source %q: want a title and an issuer；where published", s.Name, s.Source)
			}
			if !strings.HasPrefix(src, "# "+strings.ToUpper(id)+" — 《") || !strings.Contains(src, "\n# Issuer: ") {
				t.Errorf("the header must open with the title in 《》 and name the issuer")
			}
			secs := sections(src)
			for _, key := range citedSections {
				lines, ok := secs[key]
				if !ok {
					continue
				}
				cited := false
				for _, l := range lines {
					if citeRe.MatchString(l) {
						cited = true
						break
					}
				}
				if !cited {
					t.Errorf("%s: no citation of the seed (a comment such as `四(三)2: \"…\"`)", key)
				}
			}
			if r, ok := secs["rounding"]; ok && !decisionRe.MatchString(strings.Join(r, "\n")) {
				t.Errorf("rounding: no seed gives one, so it needs a \"Decision:\" comment")
			}
			if !decisionRe.MatchString(src) {
				t.Errorf("no \"Decision:\" at all: every seed leaves something open")
			}
		})
	}
}

// TestCitationChecker: the checker finds a section without a citation and a
// path into the seeds (a test that cannot fail proves nothing).
func TestCitationChecker(t *testing.T) {
	t.Parallel()
	src := "# S1 — 《x》\n# Issuer: y\nid: s1\n# 第九条: \"四个档次\"\ngrades:\n  - label: 优秀\n# Decision: none\nbands:\n  - {grade: 优秀, range: \"[0, +inf)\"}\n"
	secs := sections(src)
	if !citeRe.MatchString(secs["grades"][0]) {
		t.Errorf("grades' citation not found: %q", secs["grades"])
	}
	for _, l := range secs["bands"] {
		if citeRe.MatchString(l) {
			t.Errorf("bands has no citation, but %q matched", l)
		}
	}
	for _, tc := range []struct {
		line string
		want bool
	}{
		{`# 四(三)2: "主管领导"`, true},
		{`  # 五、4: "对全年平时考核结果"`, true},
		{`# 三、考核方法: "平时考核原则上按季度进行"`, true},
		{`# 附件2 公务员平时考核量化指标: "德（20分）"`, true},
		{`# 「注重结果运用」: "按'4个季度评分总和/4'"`, true},
		{`# Decision: "以内" is at most`, false},
		{`# 第九条 no quote`, false},
	} {
		if got := citeRe.MatchString(tc.line); got != tc.want {
			t.Errorf("%q: cited %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestNoSeedPathsInScoring: the package's own sources and tests cite the
// seeds by title and section too.
func TestNoSeedPathsInScoring(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob: %v %v", files, err)
	}
	for _, f := range files {
		if f == "citations_test.go" {
			continue // the list of names to refuse
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"seeds/", "../shared", "851a482a", "082b9936"} {
			if strings.Contains(string(data), bad) {
				t.Errorf("%s mentions %q: cite the seed by title and section", f, bad)
			}
		}
	}
}
