package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRun plays the whole demo and checks the story's key moments.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"周记实", "已提交", "退回", "公示群 收到卡片", "复核", "孙一  100分  好", "周二  95分  较好", "吴三  95分  好", "周二让出名额"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}
