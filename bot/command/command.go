// Package command reads the text commands people send the bot in Lark: the
// message event's content and the words in it. It is small and has no
// dependencies so that its fuzz target runs at full speed
// (docs/reliability.md G10); what a command does is the bot's business.
package command

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kaohe/kaohe/bot/textclean"
)

// Command is a text command sent to the bot in a private chat.
type Command int

// Commands. Unknown text gets the help card (Help with Unknown set).
const (
	Help      Command = iota // 帮助
	Todo                     // 待办: my open items and steps
	Mine                     // 我的考核 [期]: my results
	Record                   // 记实: this week's 周记实 form
	Progress                 // 进度 [期] (HR): completion by unit
	Publish                  // 公示 [期] (HR): publish the confirmed period
	Sync                     // 同步通讯录 [确认] (HR): contact sync, a dry run unless "确认"
	Open                     // 开启考核 [期] (HR): open a period, or show what opens next
	Close                    // 结束考核 [期] (HR): close the appraisal early
	Committee                // 审定 [期] (committee): the quota card
	Delegate                 // 委托 [@人 起 止 [事由…]]: my delegations, or a new one
	People                   // 人员 [@人] (HR): special states of a person
	Year                     // 年度 [年] (HR): compose the year
	Filed                    // 备案 [期] (HR): mark a period filed
	Reviews                  // 复核 [期] (HR, committee): pending 复核 requests
	Targets                  // 目标 [年]: my annual targets (年初分解) and the form to propose more
	Batch                    // 审核 [单位]: a leader's pending steps, one card per unit (批量审核)
	Tables                   // 备案表 [期] [表] (HR): the filing forms as .xlsx file messages
	Outside                  // 外部测评 [期] [科室] (HR): the tallies of 民主测评 raters outside Lark
	Allowance                // 津贴 [期] (HR): the period's allowance table (S2 五), a card and an .xlsx

	last = Allowance
)

// Max bounds what is parsed; a command is a few words.
const Max = 4096

// MaxArg bounds one argument (a period, a date, a mention key).
const MaxArg = 32

// MaxRest bounds a free-text tail (a delegation's reason), in runes.
const MaxRest = 100

// SyncConfirm is the argument that turns the contact sync's dry run into
// the real import.
const SyncConfirm = "确认"

// grammar says what follows a command word: up to Args arguments, and with
// Rest the words after them joined as one free text.
type grammar struct {
	cmd  Command
	args int
	rest bool
	// only, when set, is the one argument allowed.
	only string
}

var words = map[string]grammar{
	"帮助": {cmd: Help}, "help": {cmd: Help}, "?": {cmd: Help}, "？": {cmd: Help},
	"待办": {cmd: Todo}, "todo": {cmd: Todo},
	"我的考核": {cmd: Mine, args: 1}, "考核": {cmd: Mine, args: 1}, "结果": {cmd: Mine, args: 1},
	"记实": {cmd: Record}, "周记实": {cmd: Record},
	"进度":    {cmd: Progress, args: 1},
	"公示":    {cmd: Publish, args: 1},
	"同步通讯录": {cmd: Sync, args: 1, only: SyncConfirm},
	"开启考核":  {cmd: Open, args: 1},
	"结束考核":  {cmd: Close, args: 1},
	"审定":    {cmd: Committee, args: 1},
	"委托":    {cmd: Delegate, args: 3, rest: true},
	"人员":    {cmd: People, args: 1},
	"年度":    {cmd: Year, args: 1}, "年度考核": {cmd: Year, args: 1},
	"备案":  {cmd: Filed, args: 1},
	"备案表": {cmd: Tables, args: 2}, "导出": {cmd: Tables, args: 2},
	"复核": {cmd: Reviews, args: 1},
	"目标": {cmd: Targets, args: 1}, "年度目标": {cmd: Targets, args: 1},
	"审核": {cmd: Batch, args: 1}, "批量审核": {cmd: Batch, args: 1},
	"外部测评": {cmd: Outside, args: 2},
	"津贴":   {cmd: Allowance, args: 1}, "津贴表": {cmd: Allowance, args: 1},
}

// Parsed is a recognised command and its arguments ("公示 2026-Q3" has Args
// ["2026-Q3"]). A mention of a person is the key Lark puts in the text
// ("@_user_1"); the message's mentions list says whom it names.
type Parsed struct {
	Cmd  Command
	Args []string
	// Rest is the free text after the arguments, for commands that take one.
	Rest string
	// Unknown: the text was not a command; answer with help.
	Unknown bool
}

// Arg returns the i-th argument or "".
func (p Parsed) Arg(i int) string {
	if i < len(p.Args) {
		return p.Args[i]
	}
	return ""
}

// Content extracts the text of an im.message.receive_v1 text message
// ({"text":"…"}); other message types have no text.
func Content(msgType, content string) (string, bool) {
	if msgType != "text" || len(content) > 4*Max {
		return "", false
	}
	var c struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		return "", false
	}
	return c.Text, true
}

func unknown() Parsed { return Parsed{Cmd: Help, Unknown: true} }

// Parse reads a command from message text. Mentions before the command
// word (the bot's, in a group), full-width spaces, invisible and
// direction-control characters and surrounding punctuation are ignored;
// anything else is Unknown.
func Parse(text string) Parsed {
	if len(text) > Max || !utf8.ValidString(text) {
		return unknown()
	}
	text = textclean.StripInvisible(text)
	var ws []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' }) {
		if len(ws) == 0 && strings.HasPrefix(w, "@") {
			continue // a mention of the bot in a group
		}
		if !strings.HasPrefix(w, "@") {
			w = strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '?' && r != '？' })
		}
		if w != "" {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		return Parsed{Cmd: Help}
	}
	g, ok := words[strings.ToLower(ws[0])]
	if !ok {
		return unknown()
	}
	p := Parsed{Cmd: g.cmd}
	rest := ws[1:]
	if len(rest) > g.args && !g.rest {
		return unknown()
	}
	n := min(len(rest), g.args)
	for _, a := range rest[:n] {
		if len(a) > MaxArg || (g.only != "" && a != g.only) {
			return unknown()
		}
		p.Args = append(p.Args, a)
	}
	if tail := rest[n:]; len(tail) > 0 {
		p.Rest = strings.Join(tail, " ")
		if utf8.RuneCountInString(p.Rest) > MaxRest {
			return unknown()
		}
	}
	return p
}

// Valid reports whether c is one of the commands above.
func Valid(c Command) bool { return c >= Help && c <= last }
