package larksim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Card limits. [D1][D4][D5][D6]
const (
	// MaxCardBytes is the largest card (or post) content Lark accepts: 30 KB,
	// measured as the request carries it (RequestBytes).
	MaxCardBytes = 30 * 1024
	// MaxTextBytes is the largest text content Lark accepts: 150 KB.
	MaxTextBytes = 150 * 1024
	// MaxCardElements is the most elements and components a JSON 2.0 card
	// may hold, nested ones and text elements such as plain_text included.
	MaxCardElements = 200
	// maxContainerDepth is how deep containers may nest. [D5c]
	maxContainerDepth = 5
)

// RequestBytes is the size of content as a send or PATCH request carries
// it: a JSON string, escaped. 发送消息 puts the 30 KB (cards, posts) and
// 150 KB (text) limits on the request body's content, and says the JSON
// string is escaped ("JSON 字符串需进行转义"), so quotes, backslashes and
// newlines count twice. The escaping is encoding/json's, which the SDK
// uses to build the request (it also escapes <, > and & as \u003c…,
// [SDK core/serialization.go]). [D1][D4]
func RequestBytes(content string) int {
	b, _ := json.Marshal(content)
	return len(b) - 2
}

// CardError says why a card was rejected. Its Error text has the shape Lark
// puts after "ext=" in a 230099 answer, e.g.
// "ErrCode: 11310; ErrPath: ROOT -> body -> elements -> [0](tag: form); ErrMsg: …".
type CardError struct {
	// Code is the 230099 sub-code (CardCodeInvalid, CardCodeParse,
	// CardCodeV2Unsupported, …), or CodeContentTooLong for a card over 30 KB.
	Code int
	// Path locates the offending component, "" for the whole card.
	Path string
	// Msg describes the failure.
	Msg string
	// Value is the offending value, if any.
	Value string
}

// Error formats the error the way Lark's 230099 message does.
func (e *CardError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ErrCode: %d", e.Code)
	if e.Path != "" {
		b.WriteString("; ErrPath: ")
		b.WriteString(e.Path)
	}
	b.WriteString("; ErrMsg: ")
	b.WriteString(e.Msg)
	if e.Value != "" {
		b.WriteString("; ErrorValue: ")
		b.WriteString(e.Value)
	}
	b.WriteString("; ")
	return b.String()
}

// ValidateCard applies the checks larksim makes before it accepts a card
// (send, reply, PATCH, delayed update, callback reply), so golden tests can
// run them without a server. It is stricter than Lark in two documented
// ways: the card must declare "schema":"2.0" (kaohe sends only 2.0 cards; a
// card without it is silently rendered as 1.0 by Lark), and body.elements
// must be present.
//
// Checks, with sources:
//   - size ≤ 30 KB as the send request carries it, JSON-escaped
//     (RequestBytes; code 230025) [D1];
//   - valid JSON object (200621) [D1]; template cards are refused (200380,
//     larksim has no templates);
//   - only the 2.0 top-level, config and body properties (2.0 rejects
//     unsupported properties [D5b]); config.update_multi, if given, true [D5];
//   - header.title present, header.template a known colour [D5];
//   - ≤ 200 elements counting nested ones (11310 "element exceeds the
//     limit") [D1][D5];
//   - every component tag known to 2.0; note and action refused (200861) [D5b];
//   - forms only at the body root, no table inside a container, containers
//     nested ≤ 5 deep [D5b][D5c];
//   - every form and every interactive component inside a form named, names
//     unique in the card, and a submit button in each form [D5c][D8];
//   - element_id: letters, digits and _, starting with a letter, ≤ 20
//     characters, unique [D5];
//   - the properties in componentProps, written from each component's doc:
//     enumerations, lengths (button text and input placeholder ≤ 100
//     characters), ranges (table page_size 1–10, row_height, column
//     widths, column weight 1–5, chart aspect_ratio …);
//   - at most five tables per card [表格]; no chart in a form [表单容器];
//   - buttons: a standalone one needs behaviors, a form's one needs
//     form_action_type submit or reset and only a form's may have one;
//     behaviors are callback (an object value) or open_url (default_url)
//     [按钮][配置卡片交互]. A reset button may carry behaviors or not:
//     表单容器's example gives it callback and open_url behaviors, 输入框's
//     form example gives its reset none, and inside a form only the submit
//     button calls back ("只有用户点击表单容器的提交按钮时，才会触发交互"), so
//     either is inert;
//   - required only inside a form (输入框, 下拉选择: "其它情况将报错或不生效");
//     select options with text and unique values [下拉选择-单选].
//
// The returned error is a *CardError or nil.
func ValidateCard(card []byte) error {
	_, err := parseCard(card, false, true)
	if err != nil {
		return err
	}
	return nil
}

// cardInfo is what the server needs to know about an accepted card.
type cardInfo struct {
	v2          bool
	updateMulti bool
	root        map[string]any
}

// knownTags lists the JSON 2.0 component tags. [D5 component overview]
var knownTags = map[string]bool{
	"column_set": true, "form": true, "interactive_container": true, "collapsible_panel": true,
	"div": true, "markdown": true, "img": true, "img_combination": true, "person": true,
	"person_list": true, "chart": true, "table": true, "hr": true, "audio": true,
	"input": true, "button": true, "overflow": true, "select_static": true,
	"multi_select_static": true, "select_person": true, "multi_select_person": true,
	"date_picker": true, "picker_time": true, "picker_datetime": true, "select_img": true,
	"checker": true,
}

// deprecatedTags are 1.0 components that 2.0 refuses with 200861. [D5b]
var deprecatedTags = map[string]bool{"note": true, "action": true}

// containerTags hold child components. column_set holds them in
// columns[].elements, the others in elements.
var containerTags = map[string]bool{
	"column_set": true, "form": true, "interactive_container": true, "collapsible_panel": true,
}

// interactiveTags are the components that need a name inside a form. [D5c]
var interactiveTags = map[string]bool{
	"input": true, "button": true, "overflow": true, "select_static": true,
	"multi_select_static": true, "select_person": true, "multi_select_person": true,
	"date_picker": true, "picker_time": true, "picker_datetime": true, "select_img": true,
	"checker": true,
}

var (
	topLevelKeys = setOf("schema", "config", "card_link", "header", "body")
	configKeys   = setOf("streaming_mode", "streaming_config", "summary", "locales", "enable_forward",
		"update_multi", "width_mode", "use_custom_translation", "enable_forward_interaction", "style")
	bodyKeys = setOf("direction", "padding", "horizontal_spacing", "horizontal_align",
		"vertical_spacing", "vertical_align", "elements")
	headerTemplates = setOf("blue", "wathet", "turquoise", "green", "yellow", "orange", "red",
		"carmine", "violet", "purple", "indigo", "grey", "default")
	widthModes  = setOf("default", "compact", "fill")
	elementIDRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,19}$`)
)

func setOf(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

// parseCard validates card content and returns what the server keeps. With
// allowV1, a card without "schema":"2.0" gets only the checks Lark makes on
// every card (size, JSON object). inString measures the size as a request
// string carries the card (RequestBytes), else as its JSON object.
func parseCard(card []byte, allowV1, inString bool) (*cardInfo, error) {
	size := len(card)
	if inString {
		size = RequestBytes(string(card))
	}
	if size > MaxCardBytes {
		return nil, &CardError{Code: CodeContentTooLong, Msg: fmt.Sprintf("card is %d bytes in the request, limit %d", size, MaxCardBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(card))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, parseErr(err.Error())
	}
	if dec.More() {
		return nil, parseErr("trailing data after card JSON")
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, parseErr("card JSON is not an object")
	}
	if t, ok := root["type"].(string); ok && root["data"] != nil {
		// {"type":"template","data":{…}} or {"type":"card","data":{"card_id":…}}
		id := ""
		if d, ok := root["data"].(map[string]any); ok {
			id, _ = d["template_id"].(string)
			if id == "" {
				id, _ = d["card_id"].(string)
			}
		}
		return nil, &CardError{Code: CardCodeTemplateNotFound,
			Msg:   "template does not exist, please confirm whether this template has been released",
			Value: fmt.Sprintf("%s %s (larksim holds no templates or card entities)", t, id)}
	}
	schema, _ := root["schema"].(string)
	if schema != "2.0" {
		if !allowV1 {
			return nil, &CardError{Code: CardCodeInvalid, Path: "ROOT",
				Msg: `card must declare "schema":"2.0" (without it Lark renders JSON 1.0)`, Value: schema}
		}
		info := &cardInfo{root: root}
		if cfg, ok := root["config"].(map[string]any); ok {
			info.updateMulti, _ = cfg["update_multi"].(bool)
		}
		return info, nil
	}
	v2 := &v2Check{names: map[string]string{}, elementIDs: map[string]string{}}
	if err := v2.check(root); err != nil {
		return nil, err
	}
	return &cardInfo{v2: true, updateMulti: true, root: root}, nil
}

func parseErr(detail string) *CardError {
	return &CardError{Code: CardCodeParse,
		Msg:   "parse card json err, please check whether the card json is correct",
		Value: detail}
}

// v2Check walks a JSON 2.0 card.
type v2Check struct {
	names      map[string]string // component name → path of first use
	elementIDs map[string]string // element_id → path of first use
	tables     int
}

func (c *v2Check) check(root map[string]any) error {
	for _, k := range sortedKeys(root) {
		if !topLevelKeys[k] {
			return &CardError{Code: CardCodeInvalid, Path: "ROOT", Msg: "unsupported property in schema 2.0 card", Value: k}
		}
	}
	if n := countElements(root); n > MaxCardElements {
		return &CardError{Code: CardCodeInvalid, Msg: "element exceeds the limit",
			Value: fmt.Sprintf("%d elements, limit %d", n, MaxCardElements)}
	}
	if cfgV, ok := root["config"]; ok {
		cfg, ok := cfgV.(map[string]any)
		if !ok {
			return &CardError{Code: CardCodeInvalid, Path: "ROOT -> config", Msg: "config must be an object"}
		}
		for _, k := range sortedKeys(cfg) {
			if !configKeys[k] {
				return &CardError{Code: CardCodeInvalid, Path: "ROOT -> config", Msg: "unsupported property in schema 2.0 card", Value: k}
			}
		}
		if um, ok := cfg["update_multi"]; ok {
			if b, ok := um.(bool); !ok || !b {
				return &CardError{Code: CardCodeInvalid, Path: "ROOT -> config -> update_multi",
					Msg: "schema 2.0 cards only support shared cards (update_multi must be true)", Value: fmt.Sprint(um)}
			}
		}
		if wm, ok := cfg["width_mode"]; ok {
			if s, _ := wm.(string); !widthModes[s] {
				return &CardError{Code: CardCodeInvalid, Path: "ROOT -> config -> width_mode", Msg: "invalid width_mode", Value: fmt.Sprint(wm)}
			}
		}
	}
	if hv, ok := root["header"]; ok {
		h, ok := hv.(map[string]any)
		if !ok {
			return &CardError{Code: CardCodeInvalid, Path: "ROOT -> header", Msg: "header must be an object"}
		}
		if _, ok := h["title"].(map[string]any); !ok {
			return &CardError{Code: CardCodeInvalid, Path: "ROOT -> header -> title", Msg: "header title is required"}
		}
		if tv, ok := h["template"]; ok {
			if s, _ := tv.(string); !headerTemplates[s] {
				return &CardError{Code: CardCodeInvalid, Path: "ROOT -> header -> template", Msg: "invalid header template", Value: fmt.Sprint(tv)}
			}
		}
	}
	bv, ok := root["body"]
	if !ok {
		return &CardError{Code: CardCodeInvalid, Path: "ROOT", Msg: "body.elements is required"}
	}
	body, ok := bv.(map[string]any)
	if !ok {
		return &CardError{Code: CardCodeInvalid, Path: "ROOT -> body", Msg: "body must be an object"}
	}
	for _, k := range sortedKeys(body) {
		if !bodyKeys[k] {
			return &CardError{Code: CardCodeInvalid, Path: "ROOT -> body", Msg: "unsupported property in schema 2.0 card", Value: k}
		}
	}
	elems, ok := body["elements"].([]any)
	if !ok {
		return &CardError{Code: CardCodeInvalid, Path: "ROOT -> body", Msg: "body.elements is required and must be an array"}
	}
	if err := c.components(elems, "ROOT -> body -> elements", 0, false, nil); err != nil {
		return err
	}
	if c.tables > maxTables {
		return &CardError{Code: CardCodeInvalid, Msg: "a card holds at most five tables", Value: fmt.Sprint(c.tables)}
	}
	return c.elementIDsIn(root, "ROOT")
}

// formState tracks one form while its children are checked.
type formState struct {
	submit bool
}

// components checks a list of components at container depth depth.
// inContainer is false only for body.elements; form is the enclosing form.
func (c *v2Check) components(list []any, path string, depth int, inContainer bool, form *formState) error {
	for i, ev := range list {
		e, ok := ev.(map[string]any)
		if !ok {
			return &CardError{Code: CardCodeInvalid, Path: fmt.Sprintf("%s -> [%d]", path, i), Msg: "component must be an object"}
		}
		tag, _ := e["tag"].(string)
		p := fmt.Sprintf("%s -> [%d](tag: %s)", path, i, tag)
		switch {
		case tag == "":
			return &CardError{Code: CardCodeInvalid, Path: p, Msg: "component tag is required"}
		case deprecatedTags[tag]:
			return &CardError{Code: CardCodeV2Unsupported, Path: p,
				Msg: "cards of schema V2 no longer support this capability", Value: "unsupported tag " + tag}
		case !knownTags[tag]:
			return &CardError{Code: CardCodeInvalid, Path: p, Msg: "unknown component tag", Value: tag}
		}
		if tag == "form" && (inContainer || form != nil) {
			return &CardError{Code: CardCodeInvalid, Path: p, Msg: "form must be at the card root and cannot be nested"}
		}
		if tag == "table" && inContainer {
			return &CardError{Code: CardCodeInvalid, Path: p, Msg: "table cannot be placed inside a container"}
		}
		if tag == "chart" && form != nil {
			return &CardError{Code: CardCodeInvalid, Path: p, Msg: "a form cannot hold a chart"}
		}
		if tag == "table" {
			c.tables++
		}
		if err := checkProps(tag, e, p, form != nil); err != nil {
			return err
		}
		name, _ := e["name"].(string)
		if tag == "form" || (form != nil && interactiveTags[tag]) {
			if name == "" {
				return &CardError{Code: CardCodeInvalid, Path: p,
					Msg: "form and every interactive component inside a form need a name (client error 200530)"}
			}
		}
		if name != "" {
			if first, dup := c.names[name]; dup {
				return &CardError{Code: CardCodeInvalid, Path: p, Msg: "component name must be unique in the card",
					Value: fmt.Sprintf("%s (first used at %s)", name, first)}
			}
			c.names[name] = p
		}
		if form != nil && tag == "button" && isSubmit(e) {
			form.submit = true
		}
		if tag == "input" {
			// 输入框: max_length takes 1–1,000 (default 1,000), and a default
			// value must fit in it.
			limit := 1000
			if ml, ok := e["max_length"]; ok {
				n, err := strconv.Atoi(fmt.Sprint(ml))
				if err != nil || n < 1 || n > 1000 {
					return &CardError{Code: CardCodeInvalid, Path: p, Msg: "input max_length must be a whole number from 1 to 1000", Value: fmt.Sprint(ml)}
				}
				limit = n
			}
			if dv, ok := e["default_value"].(string); ok && utf8.RuneCountInString(dv) > limit {
				return &CardError{Code: CardCodeInvalid, Path: p, Msg: "input default_value is longer than its max_length",
					Value: fmt.Sprintf("%d > %d", utf8.RuneCountInString(dv), limit)}
			}
		}
		if !containerTags[tag] {
			continue
		}
		if tag == "column_set" {
			if err := checkColumns(e, p); err != nil {
				return err
			}
		}
		if depth+1 > maxContainerDepth {
			return &CardError{Code: CardCodeInvalid, Path: p, Msg: "containers nest at most 5 levels"}
		}
		childForm := form
		if tag == "form" {
			childForm = &formState{}
		}
		if tag == "column_set" {
			cols, _ := e["columns"].([]any)
			for j, cv := range cols {
				col, ok := cv.(map[string]any)
				cp := fmt.Sprintf("%s -> columns -> [%d]", p, j)
				if !ok {
					return &CardError{Code: CardCodeInvalid, Path: cp, Msg: "column must be an object"}
				}
				if t, _ := col["tag"].(string); t != "column" {
					return &CardError{Code: CardCodeInvalid, Path: cp, Msg: `column_set.columns items must have tag "column"`, Value: t}
				}
				ch, _ := col["elements"].([]any)
				if err := c.components(ch, cp+"(tag: column) -> elements", depth+1, true, childForm); err != nil {
					return err
				}
			}
		} else {
			ch, _ := e["elements"].([]any)
			if err := c.components(ch, p+" -> elements", depth+1, true, childForm); err != nil {
				return err
			}
		}
		if tag == "form" && !childForm.submit {
			return &CardError{Code: CardCodeInvalid, Path: p,
				Msg: `a form needs a button with "form_action_type":"submit"`}
		}
	}
	return nil
}

func isSubmit(button map[string]any) bool {
	if t, _ := button["form_action_type"].(string); t == "submit" {
		return true
	}
	t, _ := button["action_type"].(string)
	return t == "form_submit"
}

// elementIDsIn checks every element_id in the card: format and uniqueness.
func (c *v2Check) elementIDsIn(v any, path string) error {
	switch x := v.(type) {
	case map[string]any:
		if idv, ok := x["element_id"]; ok {
			id, _ := idv.(string)
			if !elementIDRe.MatchString(id) {
				return &CardError{Code: CardCodeInvalid, Path: path,
					Msg: "element_id must be letters, digits or _, start with a letter, at most 20 characters", Value: fmt.Sprint(idv)}
			}
			if first, dup := c.elementIDs[id]; dup {
				return &CardError{Code: CardCodeInvalid, Path: path, Msg: "element_id must be unique in the card",
					Value: fmt.Sprintf("%s (first used at %s)", id, first)}
			}
			c.elementIDs[id] = path
		}
		for _, k := range sortedKeys(x) {
			if opaqueKeys[k] {
				continue
			}
			if err := c.elementIDsIn(x[k], path+" -> "+k); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := c.elementIDsIn(e, fmt.Sprintf("%s -> [%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// opaqueKeys hold developer data (callback values, chart specs, table rows)
// rather than card structure; they are not walked for tags or ids.
var opaqueKeys = setOf("value", "chart_spec", "rows")

// countElements counts the objects with a "tag" anywhere in the card, which
// is how the 200-element limit counts ("elements such as plain_text, or
// components"). [D5]
func countElements(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["tag"].(string); ok {
			n++
		}
		for k, e := range x {
			if opaqueKeys[k] {
				continue
			}
			n += countElements(e)
		}
	case []any:
		for _, e := range x {
			n += countElements(e)
		}
	}
	return n
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// atRe finds mentions in markdown: <at id=…>, <at ids=a,b>, <at user_id="…">,
// <at email=…>. [D22][D23]
var atRe = regexp.MustCompile(`<at\s+(id|ids|user_id|email)\s*=\s*["']?([^"'\s>]+)["']?`)

// mentionedIDs returns the user references in a card: the values of <at …>
// tags in any string and the user ids of person components. "all" is
// returned as is.
func mentionedIDs(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			for _, m := range atRe.FindAllStringSubmatch(x, -1) {
				if m[1] == "ids" {
					out = append(out, strings.Split(m[2], ",")...)
				} else {
					out = append(out, m[2])
				}
			}
		case map[string]any:
			if t, _ := x["tag"].(string); t == "person" {
				if id, _ := x["user_id"].(string); id != "" {
					out = append(out, id)
				}
			}
			for k, e := range x {
				if opaqueKeys[k] {
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// findComponent returns the component whose name or element_id is key, and
// the form that encloses it (nil if none).
func findComponent(root map[string]any, key string) (comp, form map[string]any) {
	var walk func(v any, form map[string]any) bool
	walk = func(v any, f map[string]any) bool {
		switch x := v.(type) {
		case map[string]any:
			if t, _ := x["tag"].(string); t != "" {
				n, _ := x["name"].(string)
				id, _ := x["element_id"].(string)
				if (n == key || id == key) && key != "" {
					comp, form = x, f
					return true
				}
				if t == "form" {
					f = x
				}
			}
			for _, k := range sortedKeys(x) {
				if opaqueKeys[k] {
					continue
				}
				if walk(x[k], f) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e, f) {
					return true
				}
			}
		}
		return false
	}
	walk(root, nil)
	return comp, form
}

// formFields returns the interactive components of a form, by name.
func formFields(form map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, _ := x["tag"].(string); interactiveTags[t] && t != "button" {
				if n, _ := x["name"].(string); n != "" {
					out[n] = x
				}
			}
			for k, e := range x {
				if opaqueKeys[k] {
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(form["elements"])
	return out
}
