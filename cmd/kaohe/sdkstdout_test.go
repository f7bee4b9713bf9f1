package main

import (
	"strings"
	"testing"
)

func TestDropLines(t *testing.T) {
	t.Parallel()
	in := "kaohe: listening on 127.0.0.1:1\n2026/12/07 10:00:00 [Info] [event-dispatch is ready]\n故事\nlast"
	var out strings.Builder
	dropLines(strings.NewReader(in), &out, func(l string) bool { return strings.Contains(l, sdkReadyLine) })
	if want := "kaohe: listening on 127.0.0.1:1\n故事\nlast"; out.String() != want {
		t.Errorf("dropLines = %q, want %q", out.String(), want)
	}
}
