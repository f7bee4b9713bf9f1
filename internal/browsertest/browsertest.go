// Package browsertest finds the headless browser the playground's tests
// drive (Debian's chromium, through chromedp).
package browsertest

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the chromium to run: $KAOHE_CHROMIUM, else Debian's.
// In CI (CI set) a missing browser fails t, since scripts/test.sh installs
// it; elsewhere t is skipped with the command that installs it.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("KAOHE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium: scripts/test.sh installs it in CI (apt-get install -y chromium)")
	}
	t.Skip("no chromium at /usr/bin/chromium: apt-get install -y chromium (or set KAOHE_CHROMIUM)")
	return ""
}
