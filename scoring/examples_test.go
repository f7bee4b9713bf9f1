package scoring

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/examples/*.golden.json from the current engine")

// examples lists the example inputs: testdata/examples/sN-period.json and
// sN-year.json, each scored with the built-in scheme sN.
func examples(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "examples", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".golden.json") {
			out = append(out, f)
		}
	}
	if len(out) < 16 {
		t.Fatalf("found %d examples, want one per scheme and the year examples", len(out))
	}
	return out
}

// scoreExample decodes an example input and scores it with its scheme.
func scoreExample(t *testing.T, path string) any {
	t.Helper()
	id, _, _ := strings.Cut(filepath.Base(path), "-")
	s := builtin(t, id)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := DecodeInput(data)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	switch in := in.(type) {
	case *PeriodInput:
		return score(t, s, in)
	case *YearInput:
		return scoreYear(t, s, in)
	}
	t.Fatalf("decode %s: unexpected %T", path, in)
	return nil
}

func goldenPath(path string) string { return strings.TrimSuffix(path, ".json") + ".golden.json" }

// TestExamples scores every example and compares the result with its golden
// file. The golden files are the documentation of the output format; run
// `go test ./scoring -run TestExamples -update` after a deliberate change
// and read the diff.
func TestExamples(t *testing.T) {
	t.Parallel()
	for _, path := range examples(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			res := scoreExample(t, path)
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := goldenPath(path)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the engine's output; run with -update and review the diff\n%s", golden, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows the first differing line.
func firstDiff(got, want []byte) string {
	g := strings.Split(string(got), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
