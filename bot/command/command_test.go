package command

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want Parsed
	}{
		{"Help", "帮助", Parsed{Cmd: Help}},
		{"Todo", " 待办 ", Parsed{Cmd: Todo}},
		{"Mine", "我的考核", Parsed{Cmd: Mine}},
		{"MineWithPeriod", "我的考核 2026-Q3", Parsed{Cmd: Mine, Args: []string{"2026-Q3"}}},
		{"Record", "记实。", Parsed{Cmd: Record}},
		{"ProgressFullWidthSpace", "进度\u3000", Parsed{Cmd: Progress}},
		{"PublishPeriod", "公示 2026-Q3", Parsed{Cmd: Publish, Args: []string{"2026-Q3"}}},
		{"SyncDryRun", "同步通讯录", Parsed{Cmd: Sync}},
		{"SyncConfirm", "同步通讯录 确认", Parsed{Cmd: Sync, Args: []string{"确认"}}},
		{"SyncOtherArg", "同步通讯录 全部", Parsed{Cmd: Help, Unknown: true}},
		{"MentionIgnored", "@_user_1 待办", Parsed{Cmd: Todo}},
		{"EnglishHelp", "HELP", Parsed{Cmd: Help}},
		{"Unknown", "你好", Parsed{Cmd: Help, Unknown: true}},
		{"ArgNotAllowed", "记实 下周", Parsed{Cmd: Help, Unknown: true}},
		{"TooManyWords", "公示 2026-Q3 现在", Parsed{Cmd: Help, Unknown: true}},
		{"Empty", "   ", Parsed{Cmd: Help}},
		{"InvalidUTF8", "\xff\xfe", Parsed{Cmd: Help, Unknown: true}},
		{"Open", "开启考核 2027-Q1", Parsed{Cmd: Open, Args: []string{"2027-Q1"}}},
		{"OpenNext", "开启考核", Parsed{Cmd: Open}},
		{"Close", "结束考核", Parsed{Cmd: Close}},
		{"Committee", "审定 2026-Q4", Parsed{Cmd: Committee, Args: []string{"2026-Q4"}}},
		{"DelegateList", "委托", Parsed{Cmd: Delegate}},
		{"Batch", "审核", Parsed{Cmd: Batch}},
		{"BatchUnit", "批量审核 办公室", Parsed{Cmd: Batch, Args: []string{"办公室"}}},
		{"Delegate", "委托 @_user_1 2026-12-02 2026-12-09 外出 学习", Parsed{Cmd: Delegate,
			Args: []string{"@_user_1", "2026-12-02", "2026-12-09"}, Rest: "外出 学习"}},
		{"MentionKeptAsArgument", "人员 @_user_2", Parsed{Cmd: People, Args: []string{"@_user_2"}}},
		{"Year", "年度 2026", Parsed{Cmd: Year, Args: []string{"2026"}}},
		{"Filed", "备案 2026-Q4", Parsed{Cmd: Filed, Args: []string{"2026-Q4"}}},
		{"Reviews", "复核", Parsed{Cmd: Reviews}},
		{"Targets", "目标", Parsed{Cmd: Targets}},
		{"TargetsOfYear", "年度目标 2027", Parsed{Cmd: Targets, Args: []string{"2027"}}},
		{"BidiStripped", "\u202e公示\u202c 2026-Q3", Parsed{Cmd: Publish, Args: []string{"2026-Q3"}}},
		{"ZeroWidthInsideWord", "待\u200b办", Parsed{Cmd: Todo}},
		{"ArgTooLong", "公示 " + strings.Repeat("1", MaxArg+1), Parsed{Cmd: Help, Unknown: true}},
		{"RestTooLong", "委托 @_user_1 2026-12-02 2026-12-09 " + strings.Repeat("长", MaxRest+1), Parsed{Cmd: Help, Unknown: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Parse(tc.text); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
		})
	}
}

func TestContent(t *testing.T) {
	t.Parallel()
	if got, ok := Content("text", `{"text":"待办"}`); !ok || got != "待办" {
		t.Errorf("text: %q %v", got, ok)
	}
	if _, ok := Content("image", `{"image_key":"x"}`); ok {
		t.Error("image parsed as text")
	}
	if _, ok := Content("text", `{"text":`); ok {
		t.Error("broken JSON parsed")
	}
}

// FuzzParse: no panic; anything parsed is a known command within its
// bounds, and unknown text answers with help.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"帮助", "公示 2026-Q3", "@_user_1 待办", "\u3000", "记实 !!", "？",
		"委托 @_user_1 2026-12-02 2026-12-09 事由", "\u202e进度"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pc := Parse(s)
		if !Valid(pc.Cmd) {
			t.Fatalf("command %d out of range", pc.Cmd)
		}
		if pc.Unknown && (pc.Cmd != Help || pc.Args != nil || pc.Rest != "") {
			t.Fatal("unknown text must answer with help and nothing else")
		}
		g := 0
		for _, a := range pc.Args {
			if len(a) > MaxArg || a == "" || !utf8.ValidString(a) {
				t.Fatalf("bad argument %q", a)
			}
			g++
		}
		if g > 3 || utf8.RuneCountInString(pc.Rest) > MaxRest {
			t.Fatalf("too much parsed: %+v", pc)
		}
	})
}

// FuzzContent: no panic, and only text messages have text.
func FuzzContent(f *testing.F) {
	f.Add("text", `{"text":"待办"}`)
	f.Add("post", `{"title":"x"}`)
	f.Fuzz(func(t *testing.T, typ, content string) {
		if _, ok := Content(typ, content); ok && typ != "text" {
			t.Fatalf("%s message parsed as text", typ)
		}
	})
}
