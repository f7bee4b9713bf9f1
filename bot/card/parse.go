package card

import (
	"fmt"
	"github.com/kaohe/kaohe/bot/textclean"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field limits of every form.
const (
	// MaxText caps a free-text field, in runes: Lark's input component
	// takes a max_length of 1 to 1,000 (卡片 JSON 2.0 输入框).
	MaxText = 1000
	// MaxLongText caps the texts that may need more (个人小结, 月小结's
	// 完成情况): two inputs of MaxText, the second a continuation, joined
	// when read (longText), so nothing a person writes is cut.
	MaxLongText = 2 * MaxText
	// MaxShortText caps a one-line field (a task, an event, a reason row).
	MaxShortText = 200
	// maxFormFields caps the number of fields a form value may hold; the
	// largest card (民主测评 of a 200-person unit) stays under it.
	maxFormFields = 300
	// maxFieldName caps a field name's length in bytes.
	maxFieldName = 120
)

// FieldError says which form field is wrong and why. Msg is Chinese and
// fit for a toast (Toast); Field is the form field name for logs.
type FieldError struct {
	// Field is the form field name ("task2_deadline"), or "form" for the
	// form as a whole.
	Field string
	// Label is the field as the card names it ("第2项 完成时限").
	Label string
	// Msg says what is wrong, in Chinese ("日期格式不正确").
	Msg string
}

// Error implements error.
func (e *FieldError) Error() string {
	return fmt.Sprintf("form field %q: %s", e.Field, e.Msg)
}

// Toast is the message for the user: "第2项 完成时限：日期格式不正确".
func (e *FieldError) Toast() string {
	if e.Label == "" {
		return e.Msg
	}
	return e.Label + "：" + e.Msg
}

func fieldErr(field, label, msg string) *FieldError {
	return &FieldError{Field: field, Label: label, Msg: msg}
}

// reader takes the fields of a form value one by one and reports, at the
// end, any field nobody asked for.
type reader struct {
	vals map[string]any
	used map[string]bool
}

func newReader(fv map[string]any) (*reader, error) {
	if len(fv) > maxFormFields {
		return nil, fieldErr("form", "表单", "字段过多")
	}
	return &reader{vals: fv, used: map[string]bool{}}, nil
}

// raw returns a field as a string; absent is "".
func (r *reader) raw(name, label string) (string, error) {
	r.used[name] = true
	v, ok := r.vals[name]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fieldErr(name, label, "类型不正确")
	}
	return s, nil
}

// text returns a cleaned text field: valid UTF-8, no control characters
// except line breaks (only when multiline) and tabs, trimmed, at most max
// runes. An empty required field is an error.
func (r *reader) text(name, label string, max int, multiline, required bool) (string, error) {
	s, err := r.raw(name, label)
	if err != nil {
		return "", err
	}
	if !utf8.ValidString(s) {
		return "", fieldErr(name, label, "含有无效字符")
	}
	// Direction controls and invisible characters are dropped, not
	// refused: they arrive unseen with text pasted from documents, and kept
	// they would make a 小结 display differently from what is stored.
	s = textclean.StripInvisible(strings.ReplaceAll(s, "\r\n", "\n"))
	for _, c := range s {
		if c == '\n' && !multiline {
			return "", fieldErr(name, label, "不能换行")
		}
		if c != '\n' && c != '\t' && (unicode.IsControl(c) || c == '\u2028' || c == '\u2029') {
			return "", fieldErr(name, label, "含有无效字符")
		}
	}
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > max {
		return "", fieldErr(name, label, fmt.Sprintf("不能超过%d字（现%d字）", max, n))
	}
	if required && s == "" {
		return "", fieldErr(name, label, "必填")
	}
	return s, nil
}

// choice returns a select's value, which must be one of allowed ("" when
// not chosen).
func (r *reader) choice(name, label string, allowed []string, required bool) (string, error) {
	s, err := r.raw(name, label)
	if err != nil {
		return "", err
	}
	if s == "" {
		if required {
			return "", fieldErr(name, label, "请选择")
		}
		return "", nil
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", fieldErr(name, label, "选项无效")
}

// number returns a decimal field in canonical form ("", "5", "5.5") after
// checking it lies in [0, max] (hundredths).
func (r *reader) number(name, label string, max int64, required bool) (string, error) {
	s, err := r.raw(name, label)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", fieldErr(name, label, "必填")
		}
		return "", nil
	}
	h, ok := parseHundredths(s)
	if !ok {
		return "", fieldErr(name, label, "须为数字，最多两位小数")
	}
	if h > max {
		return "", fieldErr(name, label, "须在0至"+formatHundredths(max)+"之间")
	}
	return formatHundredths(h), nil
}

// date returns a date field as YYYY-MM-DD. Lark's date_picker sends
// "2024-04-01 +0800"; a bare "2024-04-01" is accepted too.
func (r *reader) date(name, label string, required bool) (string, error) {
	s, err := r.raw(name, label)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			return "", fieldErr(name, label, "请选择日期")
		}
		return "", nil
	}
	d, ok := parseDate(s)
	if !ok {
		return "", fieldErr(name, label, "日期格式不正确")
	}
	return d, nil
}

// finish reports the first (by name) field that was not read.
func (r *reader) finish() error {
	var extra []string
	for k := range r.vals {
		if !r.used[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	name := extra[0]
	if name == "" || len(name) > maxFieldName || !utf8.ValidString(name) {
		name = strconv.QuoteToASCII(clip(strings.ToValidUTF8(name, "?"), 40))
	}
	return fieldErr(name, "", "表单含有未知字段，请重新打开卡片填写")
}

var (
	numRe  = regexp.MustCompile(`^[0-9]{1,4}(\.[0-9]{1,2})?$`)
	dateRe = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})( [+-][0-9]{4})?$`)
)

// parseHundredths reads a non-negative decimal with at most two places.
func parseHundredths(s string) (int64, bool) {
	if !numRe.MatchString(s) {
		return 0, false
	}
	ip, fp, _ := strings.Cut(s, ".")
	i, err := strconv.ParseInt(ip, 10, 64)
	if err != nil {
		return 0, false
	}
	f := int64(0)
	if fp != "" {
		if len(fp) == 1 {
			fp += "0"
		}
		f, _ = strconv.ParseInt(fp, 10, 64)
	}
	return i*100 + f, true
}

// formatHundredths writes h/100 without trailing zeros: 550 → "5.5".
func formatHundredths(h int64) string {
	s := strconv.FormatInt(h/100, 10)
	if f := h % 100; f != 0 {
		fs := fmt.Sprintf("%02d", f)
		s += "." + strings.TrimRight(fs, "0")
	}
	return s
}

// mustHundredths reads a maximum given by the caller ("6", "2.5"); a bad
// one counts as 0 so that nothing but 0 passes.
func mustHundredths(s string) int64 {
	h, ok := parseHundredths(strings.TrimSpace(s))
	if !ok {
		return 0
	}
	return h
}

func parseDate(s string) (string, bool) {
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	if _, err := time.Parse("2006-01-02", m[1]); err != nil {
		return "", false
	}
	return m[1], true
}

// moreSuffix names a long text's continuation field ("summary" →
// "summary_more").
const moreSuffix = "_more"

// MoreField names the continuation input of a long text field.
func MoreField(name string) string { return name + moreSuffix }

// longText reads a long text written in two inputs, name and its
// continuation, and joins them with a line break; the join is cleaned and
// bounded like one text of MaxLongText runes.
func (r *reader) longText(name, label string, required bool) (string, error) {
	first, err := r.text(name, label, MaxText, true, false)
	if err != nil {
		return "", err
	}
	more, err := r.text(MoreField(name), label+"（续）", MaxText, true, false)
	if err != nil {
		return "", err
	}
	s := first
	if more != "" {
		if s != "" {
			s += "\n"
		}
		s += more
	}
	if required && s == "" {
		return "", fieldErr(name, label, "必填")
	}
	return s, nil
}

// splitLong splits a stored long text into what prefills its two inputs:
// the first at most MaxText runes, cut at the last line break in its
// final fifth when there is one, the rest (at most MaxText) in the second.
func splitLong(s string) (string, string) {
	rs := []rune(s)
	if len(rs) <= MaxText {
		return s, ""
	}
	cut := MaxText
	for i := MaxText - 1; i >= MaxText*4/5; i-- {
		if rs[i] == '\n' {
			cut = i
			break
		}
	}
	first, rest := string(rs[:cut]), strings.TrimPrefix(string(rs[cut:]), "\n")
	if rr := []rune(rest); len(rr) > MaxText {
		rest = string(rr[:MaxText])
	}
	return first, rest
}
