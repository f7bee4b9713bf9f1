package bot

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Command is a text command sent to the bot in a private chat.
type Command int

// Commands. Unknown text gets the help card (CmdHelp with Unknown set).
const (
	CmdHelp     Command = iota // 帮助
	CmdTodo                    // 待办: my open items and steps
	CmdMine                    // 我的考核: my results
	CmdRecord                  // 记实: this week's 周记实 form
	CmdProgress                // 进度 (HR): completion by unit
	CmdPublish                 // 公示 (HR): publish the confirmed period
	CmdSync                    // 同步通讯录 (HR): contact sync, a dry run unless "确认"
)

// maxCommandText bounds what is parsed; a command is a few characters.
const maxCommandText = 4096

var commandWords = map[string]Command{
	"帮助": CmdHelp, "help": CmdHelp, "?": CmdHelp, "？": CmdHelp,
	"待办": CmdTodo, "todo": CmdTodo,
	"我的考核": CmdMine, "考核": CmdMine, "结果": CmdMine,
	"记实": CmdRecord, "周记实": CmdRecord,
	"进度":    CmdProgress,
	"公示":    CmdPublish,
	"同步通讯录": CmdSync,
}

// syncConfirm is the argument that turns the contact sync's dry run into
// the real import.
const syncConfirm = "确认"

// ParsedCommand is a recognised command and its argument (e.g. the period
// after 公示: "公示 2026-Q3").
type ParsedCommand struct {
	Cmd     Command
	Arg     string
	Unknown bool // the text was not a command; answer with help
}

// ParseMessageContent extracts the text of an im.message.receive_v1 text
// message ({"text":"…"}); other message types have no text.
func ParseMessageContent(msgType, content string) (string, bool) {
	if msgType != "text" || len(content) > 4*maxCommandText {
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

// ParseCommand reads a command from message text. Mentions (@_user_1), full
// width spaces and surrounding punctuation are ignored; anything else is
// Unknown.
func ParseCommand(text string) ParsedCommand {
	if len(text) > maxCommandText || !utf8.ValidString(text) {
		return ParsedCommand{Cmd: CmdHelp, Unknown: true}
	}
	var words []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' }) {
		if strings.HasPrefix(w, "@") {
			continue // a mention of the bot in a group
		}
		w = strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '?' && r != '？' })
		if w != "" {
			words = append(words, w)
		}
	}
	if len(words) == 0 || len(words) > 2 {
		return ParsedCommand{Cmd: CmdHelp, Unknown: len(words) != 0}
	}
	cmd, ok := commandWords[strings.ToLower(words[0])]
	if !ok {
		return ParsedCommand{Cmd: CmdHelp, Unknown: true}
	}
	pc := ParsedCommand{Cmd: cmd}
	if len(words) == 2 {
		if cmd != CmdPublish && cmd != CmdMine && cmd != CmdProgress && !(cmd == CmdSync && words[1] == syncConfirm) {
			return ParsedCommand{Cmd: CmdHelp, Unknown: true}
		}
		if len(words[1]) > 16 {
			return ParsedCommand{Cmd: CmdHelp, Unknown: true}
		}
		pc.Arg = words[1]
	}
	return pc
}
