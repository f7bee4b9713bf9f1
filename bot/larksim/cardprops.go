package larksim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The component property table ValidateCard applies, written from the
// Card JSON 2.0 component docs (mirror folder 001-开发指南/飞书卡片/
// 卡片-JSON-构建卡片/卡片-JSON-2.0-版本组件/, tags in docs/lark.md):
//
//	[D5c] 容器/表单容器   [D5d] 交互/输入框   [D5e] 交互/下拉选择-单选
//	[D5f] 交互/日期选择器 [D5g] 交互/按钮     [D5h] 展示/表格
//	[D5i] 展示/图表       [D5j] 容器/分栏     [D5k] 配置卡片交互
//
// Only the properties kaohe's cards use, or could get wrong, are listed; a
// property missing from a component's rules is not checked. Values that
// Lark "adjusts" rather than refuses (an input's max_rows below 1, more than
// 50 table columns, which are only hidden) are not errors.

// maxTables is how many tables one card may hold ("单张卡片最多支持放置五个表格
// 组件"). [D5h]
const maxTables = 5

// propRule is one property's documented values. A value passes when it
// matches any of the rule's forms that are set.
type propRule struct {
	key string
	// enum lists the allowed strings.
	enum map[string]bool
	// px, pct allow "Npx" / "N%" with N in [lo, hi].
	px, pct *[2]int
	// ints allows whole numbers in [lo, hi].
	ints *[2]int
	// text bounds the runes of key.content (a plain_text object).
	text int
	// src names the doc.
	src string
}

func rng(lo, hi int) *[2]int { return &[2]int{lo, hi} }

var spacing = setOf("small", "medium", "large", "extra_large", "default", "")

// componentProps is the table, by component tag.
var componentProps = map[string][]propRule{
	"button": {
		{key: "text", text: 100, src: "D5g: text.content 最多支持 100 个字符"},
		{key: "type", enum: setOf("default", "primary", "danger", "text", "primary_text", "danger_text",
			"primary_filled", "danger_filled", "laser"), src: "D5g type"},
		{key: "size", enum: setOf("tiny", "small", "medium", "large"), src: "D5g size"},
		{key: "width", enum: setOf("default", "fill"), px: rng(100, 1<<30), src: "D5g width"},
		{key: "form_action_type", enum: setOf("submit", "reset"), src: "D5c/D5g form_action_type"},
	},
	"input": {
		{key: "placeholder", text: 100, src: "D5d: placeholder.content 最多支持 100 个字符"},
		{key: "max_length", ints: rng(1, 1000), src: "D5d: max_length 可取 1~1,000"},
		{key: "input_type", enum: setOf("text", "multiline_text", "password"), src: "D5d input_type"},
		{key: "rows", ints: rng(1, 1<<30), src: "D5d rows"},
		{key: "label_position", enum: setOf("top", "left"), src: "D5d label_position"},
		{key: "width", enum: setOf("default", "fill"), px: rng(100, 1<<30), src: "D5d width"},
	},
	"date_picker": {
		{key: "placeholder", text: 100, src: "D5f: placeholder.content 最多支持 100 个字符"},
		{key: "width", enum: setOf("default", "fill"), px: rng(100, 1<<30), src: "D5f width"},
	},
	"select_static": {
		{key: "type", enum: setOf("default", "text"), src: "D5e type"},
		{key: "width", enum: setOf("default", "fill"), px: rng(100, 1<<30), src: "D5e width"},
	},
	"table": {
		{key: "page_size", ints: rng(1, 10), src: "D5h: page_size 支持 [1,10] 整数"},
		{key: "row_height", enum: setOf("low", "middle", "high", "auto"), px: rng(32, 124), src: "D5h row_height"},
		{key: "row_max_height", px: rng(32, 999), src: "D5h row_max_height"},
	},
	"chart": {
		{key: "aspect_ratio", enum: setOf("1:1", "2:1", "4:3", "16:9"), src: "D5i aspect_ratio"},
		{key: "color_theme", enum: setOf("brand", "rainbow", "complementary", "converse", "primary"), src: "D5i color_theme"},
		{key: "height", enum: setOf("auto"), px: rng(1, 999), src: "D5i height"},
	},
	"column_set": {
		{key: "flex_mode", enum: setOf("none", "stretch", "flow", "bisect", "trisect"), src: "D5j flex_mode"},
		{key: "horizontal_spacing", enum: spacing, px: rng(0, 99), src: "D5j horizontal_spacing"},
		{key: "horizontal_align", enum: setOf("left", "center", "right"), src: "D5j horizontal_align"},
	},
	"column": {
		{key: "width", enum: setOf("auto", "weighted"), px: rng(16, 600), src: "D5j column width"},
		{key: "weight", ints: rng(1, 5), src: "D5j: weight 取值范围为 1 ~ 5 之间的整数"},
		{key: "vertical_align", enum: setOf("top", "center", "bottom"), src: "D5j vertical_align"},
		{key: "horizontal_align", enum: setOf("left", "center", "right"), src: "D5j horizontal_align"},
		{key: "vertical_spacing", enum: spacing, px: rng(0, 99), src: "D5j vertical_spacing"},
		{key: "direction", enum: setOf("vertical", "horizontal"), src: "D5j direction"},
	},
	"table_column": {
		{key: "data_type", enum: setOf("text", "lark_md", "options", "number", "persons", "date", "markdown"), src: "D5h data_type"},
		{key: "width", enum: setOf("auto"), px: rng(80, 600), pct: rng(1, 100), src: "D5h column width"},
		{key: "vertical_align", enum: setOf("top", "center", "bottom"), src: "D5h vertical_align"},
		{key: "horizontal_align", enum: setOf("left", "center", "right"), src: "D5h horizontal_align"},
	},
	"table_header": {
		{key: "text_align", enum: setOf("left", "center", "right"), src: "D5h header_style"},
		{key: "text_size", enum: setOf("normal", "heading"), src: "D5h header_style"},
		{key: "background_style", enum: setOf("grey", "none"), src: "D5h header_style"},
		{key: "text_color", enum: setOf("default", "grey"), src: "D5h header_style"},
		{key: "lines", ints: rng(1, 1<<30), src: "D5h header_style"},
	},
}

var (
	pxRe   = regexp.MustCompile(`^(-?\d+)px$`)
	pctRe  = regexp.MustCompile(`^(\d+)%$`)
	dateRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// applyRules checks e's properties against the rules for kind.
func applyRules(kind string, e map[string]any, p string) error {
	for _, r := range componentProps[kind] {
		v, ok := e[r.key]
		if !ok {
			continue
		}
		if !r.allows(v) {
			return &CardError{Code: CardCodeInvalid, Path: p, Msg: fmt.Sprintf("%s: invalid %s (%s)", kind, r.key, r.src), Value: clipValue(v)}
		}
	}
	return nil
}

// allows reports whether v is one of the rule's documented values.
func (r propRule) allows(v any) bool {
	if r.text > 0 {
		t, ok := v.(map[string]any)
		if !ok {
			return false
		}
		c, _ := t["content"].(string)
		return utf8.RuneCountInString(c) <= r.text
	}
	if r.ints != nil {
		n, err := strconv.Atoi(fmt.Sprint(v))
		if err == nil && n >= r.ints[0] && n <= r.ints[1] {
			return true
		}
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	if r.enum[s] {
		return true
	}
	for _, f := range []struct {
		re  *regexp.Regexp
		lim *[2]int
	}{{pxRe, r.px}, {pctRe, r.pct}} {
		if f.lim == nil {
			continue
		}
		if m := f.re.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n >= f.lim[0] && n <= f.lim[1] {
				return true
			}
		}
	}
	return false
}

func clipValue(v any) string {
	s := fmt.Sprint(v)
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return s
}

// checkProps applies the table and the rules that need more than one
// property: behaviors, form buttons, required, options, dates, table
// columns, chart_spec. inForm says the component is inside a form.
func checkProps(tag string, e map[string]any, p string, inForm bool) error {
	if err := applyRules(tag, e, p); err != nil {
		return err
	}
	bad := func(msg string, v any) error {
		return &CardError{Code: CardCodeInvalid, Path: p, Msg: msg, Value: clipValue(v)}
	}
	if _, ok := e["required"]; ok && !inForm && interactiveTags[tag] {
		return bad(tag+": required works only inside a form (D5d, D5e: 其它情况将报错或不生效)", e["required"])
	}
	if bv, ok := e["behaviors"]; ok {
		if err := checkBehaviors(bv, p); err != nil {
			return err
		}
	}
	switch tag {
	case "button":
		action, hasAction := e["form_action_type"].(string)
		legacy, _ := e["action_type"].(string)
		switch {
		case inForm && !hasAction && legacy != "form_submit" && legacy != "form_reset":
			return bad(`a button in a form needs "form_action_type": "submit" or "reset" (D5c)`, "")
		case !inForm && (hasAction || legacy == "form_submit" || legacy == "form_reset"):
			return bad("form_action_type belongs to buttons inside a form (D5g)", action+legacy)
		case !inForm && e["behaviors"] == nil && e["value"] == nil:
			return bad("a button outside a form needs behaviors (D5g: behaviors 必填)", "")
		}
	case "select_static":
		opts, _ := e["options"].([]any)
		seen := map[string]bool{}
		for i, ov := range opts {
			o, _ := ov.(map[string]any)
			text, _ := o["text"].(map[string]any)
			content, _ := text["content"].(string)
			value, _ := o["value"].(string)
			if content == "" || value == "" {
				return bad(fmt.Sprintf("option %d needs text.content and a string value (D5e)", i), ov)
			}
			if seen[value] {
				return bad("option values must be unique in a select (D5e: 各选项的 value 值不可重复)", value)
			}
			seen[value] = true
		}
	case "date_picker":
		if d, ok := e["initial_date"]; ok {
			if s, _ := d.(string); !dateRe.MatchString(s) {
				return bad("date_picker initial_date must be yyyy-MM-dd (D5f)", d)
			}
		}
	case "table":
		cols, ok := e["columns"].([]any)
		if !ok || len(cols) == 0 {
			return bad("table columns are required (D5h)", e["columns"])
		}
		for i, cv := range cols {
			col, ok := cv.(map[string]any)
			cp := fmt.Sprintf("%s -> columns -> [%d]", p, i)
			if !ok {
				return &CardError{Code: CardCodeInvalid, Path: cp, Msg: "table column must be an object"}
			}
			if n, _ := col["name"].(string); n == "" {
				return &CardError{Code: CardCodeInvalid, Path: cp, Msg: "table column name is required (D5h)"}
			}
			if err := applyRules("table_column", col, cp); err != nil {
				return err
			}
		}
		if _, ok := e["rows"].([]any); !ok {
			return bad("table rows are required and must be an array (D5h)", e["rows"])
		}
		if hs, ok := e["header_style"].(map[string]any); ok {
			if err := applyRules("table_header", hs, p+" -> header_style"); err != nil {
				return err
			}
		}
	case "chart":
		if _, ok := e["chart_spec"].(map[string]any); !ok {
			return bad("chart_spec is required (D5i)", e["chart_spec"])
		}
	}
	return nil
}

// checkBehaviors checks a behaviors array: callback with an object value
// (the SDK decodes only objects), open_url with a default_url. [D5k][D5g]
func checkBehaviors(bv any, p string) error {
	bad := func(msg string, v any) error {
		return &CardError{Code: CardCodeInvalid, Path: p + " -> behaviors", Msg: msg, Value: clipValue(v)}
	}
	list, ok := bv.([]any)
	if !ok || len(list) == 0 {
		return bad("behaviors must be a non-empty array (D5k)", bv)
	}
	for _, v := range list {
		b, ok := v.(map[string]any)
		if !ok {
			return bad("a behavior must be an object", v)
		}
		switch t, _ := b["type"].(string); t {
		case "callback":
			if _, ok := b["value"].(map[string]any); !ok {
				return bad("a callback behavior needs an object value (D5k: 支持 object 数据类型)", b["value"])
			}
		case "open_url":
			if u, _ := b["default_url"].(string); strings.TrimSpace(u) == "" {
				return bad("an open_url behavior needs default_url (D5k)", b)
			}
		default:
			return bad("behavior type must be callback or open_url (D5k)", t)
		}
	}
	return nil
}

// checkColumns applies the column rules to a column_set's columns.
func checkColumns(e map[string]any, p string) error {
	cols, ok := e["columns"].([]any)
	if !ok {
		return &CardError{Code: CardCodeInvalid, Path: p, Msg: "column_set columns are required (D5j)"}
	}
	for j, cv := range cols {
		if col, ok := cv.(map[string]any); ok {
			if err := applyRules("column", col, fmt.Sprintf("%s -> columns -> [%d]", p, j)); err != nil {
				return err
			}
		}
	}
	return nil
}
