package bot

import "testing"

func TestParseCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want ParsedCommand
	}{
		{"Help", "帮助", ParsedCommand{Cmd: CmdHelp}},
		{"Todo", " 待办 ", ParsedCommand{Cmd: CmdTodo}},
		{"Mine", "我的考核", ParsedCommand{Cmd: CmdMine}},
		{"MineWithPeriod", "我的考核 2026-Q3", ParsedCommand{Cmd: CmdMine, Arg: "2026-Q3"}},
		{"Record", "记实。", ParsedCommand{Cmd: CmdRecord}},
		{"ProgressFullWidthSpace", "进度\u3000", ParsedCommand{Cmd: CmdProgress}},
		{"PublishPeriod", "公示 2026-Q3", ParsedCommand{Cmd: CmdPublish, Arg: "2026-Q3"}},
		{"SyncDryRun", "同步通讯录", ParsedCommand{Cmd: CmdSync}},
		{"SyncConfirm", "同步通讯录 确认", ParsedCommand{Cmd: CmdSync, Arg: "确认"}},
		{"SyncOtherArg", "同步通讯录 全部", ParsedCommand{Cmd: CmdHelp, Unknown: true}},
		{"MentionIgnored", "@_user_1 待办", ParsedCommand{Cmd: CmdTodo}},
		{"EnglishHelp", "HELP", ParsedCommand{Cmd: CmdHelp}},
		{"Unknown", "你好", ParsedCommand{Cmd: CmdHelp, Unknown: true}},
		{"ArgNotAllowed", "记实 下周", ParsedCommand{Cmd: CmdHelp, Unknown: true}},
		{"TooManyWords", "公示 2026-Q3 现在", ParsedCommand{Cmd: CmdHelp, Unknown: true}},
		{"Empty", "   ", ParsedCommand{Cmd: CmdHelp}},
		{"InvalidUTF8", "\xff\xfe", ParsedCommand{Cmd: CmdHelp, Unknown: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ParseCommand(tc.text); got != tc.want {
				t.Errorf("ParseCommand(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
		})
	}
}

func TestParseMessageContent(t *testing.T) {
	t.Parallel()
	if got, ok := ParseMessageContent("text", `{"text":"待办"}`); !ok || got != "待办" {
		t.Errorf("text: %q %v", got, ok)
	}
	if _, ok := ParseMessageContent("image", `{"image_key":"x"}`); ok {
		t.Error("image parsed as text")
	}
	if _, ok := ParseMessageContent("text", `{"text":`); ok {
		t.Error("broken JSON parsed")
	}
}

// FuzzParseCommand: no panic, and anything parsed is a known command.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"帮助", "公示 2026-Q3", "@_user_1 待办", "\u3000", "记实 !!", "？"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pc := ParseCommand(s)
		if pc.Cmd < CmdHelp || pc.Cmd > CmdSync {
			t.Fatalf("command %d out of range", pc.Cmd)
		}
		if pc.Unknown && pc.Cmd != CmdHelp {
			t.Fatal("unknown text must answer with help")
		}
		if len(pc.Arg) > 16 {
			t.Fatalf("argument too long: %q", pc.Arg)
		}
	})
}
