package card

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Colour is a header template colour of Card JSON 2.0.
type Colour string

// Header colours used by kaohe cards. Lark accepts a few more (wathet,
// turquoise, yellow, carmine, violet, purple, indigo, default).
const (
	Blue   Colour = "blue"
	Green  Colour = "green"
	Orange Colour = "orange"
	Red    Colour = "red"
	Grey   Colour = "grey"
	Indigo Colour = "indigo"
	Purple Colour = "purple"
	Wathet Colour = "wathet"
)

// knownColours are the header templates Card JSON 2.0 accepts.
var knownColours = map[Colour]bool{
	"blue": true, "wathet": true, "turquoise": true, "green": true, "yellow": true, "orange": true,
	"red": true, "carmine": true, "violet": true, "purple": true, "indigo": true, "grey": true, "default": true,
}

// Limits of what a card shows. Lark allows 200 elements and 30 KB per card;
// these keep the largest unit under both.
const (
	maxSummaryRunes = 60  // config.summary: the chat list preview
	maxTitleRunes   = 60  // header title and subtitle
	maxLineRunes    = 500 // one line of a notice or an explanation
	maxListNames    = 80  // names listed in one line before "等N人"
)

// elem is one component; marshalled with sorted keys.
type elem = map[string]any

// cardDoc is the top level of a Card JSON 2.0 card.
type cardDoc struct {
	Schema string     `json:"schema"`
	Config cardConfig `json:"config"`
	Header cardHeader `json:"header"`
	Body   cardBody   `json:"body"`
}

type cardConfig struct {
	UpdateMulti bool   `json:"update_multi"`
	Summary     elem   `json:"summary,omitempty"`
	WidthMode   string `json:"width_mode,omitempty"`
}

type cardHeader struct {
	Title    elem   `json:"title"`
	Subtitle elem   `json:"subtitle,omitempty"`
	Template Colour `json:"template"`
}

type cardBody struct {
	Elements []elem `json:"elements"`
}

// build assembles and marshals a card. summary is the chat-list preview.
func build(title, subtitle string, colour Colour, summary string, elements []elem) []byte {
	if !knownColours[colour] {
		colour = Blue
	}
	d := cardDoc{
		Schema: "2.0",
		Config: cardConfig{UpdateMulti: true, WidthMode: "fill"},
		Header: cardHeader{Title: plain(clip(title, maxTitleRunes)), Template: colour},
		Body:   cardBody{Elements: elements},
	}
	if summary != "" {
		d.Config.Summary = elem{"content": clip(summary, maxSummaryRunes)}
	}
	if subtitle != "" {
		d.Header.Subtitle = plain(clip(subtitle, maxTitleRunes))
	}
	if d.Body.Elements == nil {
		d.Body.Elements = []elem{}
	}
	return marshal(d)
}

// marshal encodes v compactly without HTML escaping (markdown holds < and >
// on purpose, and escaped text only makes the card larger).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only plain strings, numbers, bools, maps and slices are encoded.
		panic("card: marshal: " + err.Error())
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

func plain(s string) elem { return elem{"tag": "plain_text", "content": s} }

// md is a markdown component; content must already be escaped where it
// holds user text (esc).
func md(content string) elem { return elem{"tag": "markdown", "content": content} }

func hr() elem { return elem{"tag": "hr"} }

// button is a callback button outside a form. typ: primary, default, danger.
func button(name, text, typ string, v Value) elem {
	e := elem{
		"tag":       "button",
		"text":      plain(text),
		"type":      typ,
		"behaviors": []elem{{"type": "callback", "value": v.object()}},
	}
	if name != "" {
		e["name"] = name
	}
	return e
}

// formButton is a button inside a form: action is "submit" or "reset".
func formButton(name, text, typ, action string, v *Value) elem {
	e := elem{
		"tag":              "button",
		"name":             name,
		"text":             plain(text),
		"type":             typ,
		"form_action_type": action,
	}
	if v != nil {
		e["behaviors"] = []elem{{"type": "callback", "value": v.object()}}
	}
	return e
}

// input is a single-line text input. label and placeholder may be "".
func input(name, label, placeholder, value string, maxLen int, required bool) elem {
	e := elem{"tag": "input", "name": name, "max_length": maxLen}
	if required {
		e["required"] = true
	}
	if label != "" {
		e["label"] = plain(label)
		e["label_position"] = "left"
	}
	if placeholder != "" {
		e["placeholder"] = plain(placeholder)
	}
	if value != "" {
		e["default_value"] = value
	}
	return e
}

// textarea is a multi-line input with its label on top.
func textarea(name, label, placeholder, value string, maxLen, rows int, required bool) elem {
	e := input(name, "", placeholder, value, maxLen, required)
	e["input_type"] = "multiline_text"
	e["rows"] = rows
	e["auto_resize"] = true
	e["max_rows"] = 10
	if label != "" {
		e["label"] = plain(label)
		e["label_position"] = "top"
	}
	return e
}

// option is one choice of a select.
type option struct{ text, value string }

func selectStatic(name, placeholder string, opts []option, initial string, required bool) elem {
	os := make([]elem, len(opts))
	for i, o := range opts {
		os[i] = elem{"text": plain(o.text), "value": o.value}
	}
	e := elem{"tag": "select_static", "name": name, "options": os}
	if placeholder != "" {
		e["placeholder"] = plain(placeholder)
	}
	if initial != "" {
		e["initial_option"] = initial
	}
	if required {
		e["required"] = true
	}
	return e
}

func datePicker(name, placeholder, initial string, required bool) elem {
	e := elem{"tag": "date_picker", "name": name}
	if placeholder != "" {
		e["placeholder"] = plain(placeholder)
	}
	if initial != "" {
		e["initial_date"] = initial
	}
	if required {
		e["required"] = true
	}
	return e
}

// form is a form container at the card root.
func form(name string, elements []elem) elem {
	return elem{"tag": "form", "name": name, "elements": elements}
}

// columns lays out components side by side; each column is one slice.
func columns(cols ...[]elem) elem {
	cs := make([]elem, len(cols))
	for i, c := range cols {
		cs[i] = elem{"tag": "column", "width": "weighted", "weight": 1, "vertical_align": "center", "elements": c}
	}
	return elem{"tag": "column_set", "flex_mode": "none", "horizontal_spacing": "8px", "columns": cs}
}

// mdEscaper turns the characters Lark markdown gives a meaning to; user text
// shown in markdown gets them as HTML entities so a name or a reason cannot
// mention everyone (<at id=all>), add links or change the layout.
var mdEscaper = strings.NewReplacer(
	"&", "&#38;", "<", "&#60;", ">", "&#62;", "*", "&#42;", "_", "&#95;", "~", "&#126;",
	"`", "&#96;", "[", "&#91;", "]", "&#93;", "#", "&#35;", "\\", "&#92;", "$", "&#36;",
	"|", "&#124;",
)

// esc makes user text safe inside markdown: the characters above become
// HTML entities, line breaks stay line breaks, and no line of it can start
// a list or a heading. A line's leading "-" or "+" followed by a space or
// the line's end (a bullet), the "." or ")" after a leading number ("1. ",
// "2)"), and a line of only "=" or "-" (a setext underline, which turns the
// line above into a heading) become entities, after any indentation; "*",
// "#" and ">" are entities wherever they stand. Text like "-5分" or "88.5"
// is not a marker and stays as typed. A line indented by four columns or
// more would be an indented code block; its first space (or tab) becomes
// an entity. Lark's markdown component renders CommonMark lists, headings
// and indented code blocks and recommends entities such as &#45; to show
// the characters as text (富文本（Markdown）, docs/lark.md [D22]).
func esc(s string) string {
	s = mdEscaper.Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escLineStart(l)
	}
	return strings.Join(lines, "\n")
}

// escLineStart turns a list or heading marker at the start of one line
// into its entity.
func escLineStart(l string) string {
	rest := strings.TrimLeft(l, " \t")
	indent := l[:len(l)-len(rest)]
	if rest == "" {
		return l
	}
	if width := len(indent) + 3*strings.Count(indent, "\t"); width >= 4 {
		entity := "&#32;"
		if indent[0] == '\t' {
			entity = "&#9;"
		}
		return entity + l[1:] // now text: neither code nor a list
	}
	// ends says whether the marker of length n is followed by a space, a
	// tab or the end of the line ("\r" of a CRLF included).
	ends := func(n int) bool {
		return n == len(rest) || rest[n] == ' ' || rest[n] == '\t' || rest[n] == '\r'
	}
	if t := strings.TrimRight(rest, " \t\r"); t != "" && (strings.Trim(t, "=") == "" || strings.Trim(t, "-") == "") {
		entity := "&#61;"
		if t[0] == '-' {
			entity = "&#45;"
		}
		return indent + entity + rest[1:]
	}
	switch rest[0] {
	case '-':
		if ends(1) {
			return indent + "&#45;" + rest[1:]
		}
	case '+':
		if ends(1) {
			return indent + "&#43;" + rest[1:]
		}
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n > 0 && n < len(rest) && (rest[n] == '.' || rest[n] == ')') && ends(n+1) {
		entity := "&#46;"
		if rest[n] == ')' {
			entity = "&#41;"
		}
		return indent + rest[:n] + entity + rest[n+1:]
	}
	return l
}

// escLine is esc for text that must stay on one line.
func escLine(s string) string {
	return esc(strings.Join(strings.Fields(s), " "))
}

// clip shortens s to n runes, marking the cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// names joins names with 、, listing at most max and counting the rest.
func names(list []string, max int) string {
	if len(list) <= max {
		return strings.Join(list, "、")
	}
	return strings.Join(list[:max], "、") + " 等" + strconv.Itoa(len(list)) + "人"
}

// orDash shows "—" for an empty value.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// longTextarea is a long text's two inputs: the text and its continuation
// (not required), prefilled from value split in two (splitLong).
func longTextarea(name, label, placeholder, value string, rows int, required bool) []elem {
	first, more := splitLong(value)
	return []elem{
		textarea(name, label, placeholder, first, MaxText, rows, required),
		textarea(MoreField(name), label+"（续，可不填）", "超过"+fmt.Sprint(MaxText)+"字时接着写", more, MaxText, 2, false),
	}
}
