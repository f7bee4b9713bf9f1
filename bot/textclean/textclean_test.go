package textclean

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStripInvisible(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"Plain", "完成了季度报告", "完成了季度报告"},
		{"RightToLeftOverride", "完成\u202e告报度季", "完成告报度季"},
		{"Isolates", "\u2066张三\u2069", "张三"},
		{"Marks", "a\u200eb\u200fc\u061c", "abc"},
		{"ZeroWidth", "张\u200b三\ufeff", "张三"},
		{"Tags", "ok\U000E0041\U000E007F", "ok"},
		{"JoinerKept", "👨\u200d👩", "👨\u200d👩"},
		{"SoftHyphen", "co\u00adop", "coop"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := StripInvisible(tc.in); got != tc.want {
				t.Errorf("StripInvisible(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzStripInvisible: the result has no invisible character, is never
// longer, and stripping twice changes nothing.
func FuzzStripInvisible(f *testing.F) {
	for _, s := range []string{"", "abc", "\u202e", "a\u2066b\u2069", "\xff\u200b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // callers refuse invalid UTF-8 before cleaning
		}
		got := StripInvisible(s)
		if len(got) > len(s) {
			t.Fatalf("grew: %q -> %q", s, got)
		}
		if strings.IndexFunc(got, Invisible) >= 0 {
			t.Fatalf("left an invisible character in %q", got)
		}
		if StripInvisible(got) != got {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}
