package bot

import (
	"slices"
	"testing"

	"github.com/kaohe/kaohe/scoring"
)

// TestCountedLeave: the attendance form asks for what the person's scheme
// weighs — the leave rule's kinds (S4, S10 with 旷工), the grade
// conditions' (S1: 病、事假 and 旷工, which breaks 全勤), the allowance
// rules' (S2 五: 病、事假合计 and 旷工) — and nothing where nothing weighs it.
func TestCountedLeave(t *testing.T) {
	for _, c := range []struct {
		scheme string
		want   []string
	}{
		{"s1", []string{"病假", "事假", "旷工"}},
		{"s2", []string{"病假", "事假", "旷工"}},
		{"s10", []string{"病假", "事假", "旷工"}},
		{"s7", nil},
	} {
		sc, err := scoring.Builtin(c.scheme)
		if err != nil {
			t.Fatal(err)
		}
		if got := countedLeave(sc); !slices.Equal(got, c.want) {
			t.Errorf("%s: the attendance form asks %q, want %q", c.scheme, got, c.want)
		}
	}
}
