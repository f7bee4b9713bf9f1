package card

import (
	"strings"
	"testing"
)

// uniformLines are the 评分区分度 lines of the committee_uniform golden card:
// a scorer who crossed every threshold, a unit with a narrow range only,
// and a unit of a scheme without scores (S5: the leader sets the grade).
func uniformLines() []UniformLine {
	return []UniformLine{
		{Who: "科长钱（综合科）", Scorer: true, Count: 6, Mean: "88.5", Stdev: "0.96", Range: "3", TopGrade: "好", TopShare: "83%",
			LowStdev: true, LowRange: true, HighTop: true},
		{Who: "综合科", Count: 10, Mean: "86.2", Stdev: "2.1", Range: "4.5", TopGrade: "好", TopShare: "30%", LowRange: true},
		{Who: "执法大队", Count: 9, TopGrade: "A", TopShare: "89%", HighTop: true},
	}
}

func TestUniformText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line UniformLine
		want string
	}{
		{"Scorer", uniformLines()[0], "科长钱（综合科）评定6人：平均88.5分，**标准差0.96分**，**极差3分**，**「好」占83%**——区分度不足"},
		{"Unit", uniformLines()[1], "综合科共10人：平均86.2分，标准差2.1分，**极差4.5分**，「好」占30%——区分度不足"},
		{"NoScores", uniformLines()[2], "执法大队共9人：**「A」占89%**——区分度不足"},
		{"Escaped", UniformLine{Who: "*科长*", Scorer: true, Count: 4, Mean: "90", Stdev: "0", Range: "0", LowStdev: true},
			"&#42;科长&#42;评定4人：平均90分，**标准差0分**，极差0分——区分度不足"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := uniformText(tt.line); got != tt.want {
				t.Errorf("uniformText = %q\nwant            %q", got, tt.want)
			}
		})
	}
}

func TestUniformSection(t *testing.T) {
	t.Parallel()
	if got := uniformSection(nil); got != nil {
		t.Errorf("no lines: %d elements, want none", len(got))
	}
	var lines []UniformLine
	for i := 0; i < MaxUniformLines+3; i++ {
		lines = append(lines, uniformLines()[0])
	}
	els := uniformSection(lines)
	if len(els) != 2 {
		t.Fatalf("%d elements, want the list and the note", len(els))
	}
	text := els[0]["content"].(string)
	if n := strings.Count(text, "\n· "); n != MaxUniformLines {
		t.Errorf("%d lines listed, want %d", n, MaxUniformLines)
	}
	if !strings.Contains(text, "以下23处") || !strings.HasSuffix(text, "另有3处未列出。") {
		t.Errorf("section = %q", text)
	}
}
