package larksim

import (
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"
)

// What the Lark client lets a person put in a form, checked on a submit
// before anything is sent, as the client checks it: a test that submits
// what no person could type or pick is refused, so the bot is never
// tested against values the real platform cannot deliver.

// defaultInputMaxLength is an input's max_length when the card sets none
// ("默认值 1000"). [D5d]
const defaultInputMaxLength = 1000

// pickedDateRe is a date picker's value: the picked day, as
// "yyyy-MM-dd +0800" with the client's zone [D5f]. The zone may be left
// out: the bot's tests write the day alone, and what kaohe reads is the
// day either way; anything else (another layout, a day that does not
// exist) no picker sends.
var pickedDateRe = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})( [+-][0-9]{4})?$`)

// checkFormValues checks each submitted value against its field: an
// input's length in characters against max_length (ErrTooLong), a
// select's value and each of a multi select's against the options the
// card offers (ErrNotAnOption), a date picker's against the picker's
// format (ErrBadDate). An empty value is the required check's concern;
// a person select without options offers the chat's members and is not
// checked. Untouched defaults are checked too: the docs do not say what
// the client does with an initial_option the card does not offer, and
// larksim's choice is to refuse it, so a card that prefills one is a bug
// the tests find rather than a value the bot is never sent. (The card
// check already refuses a default_value longer than max_length.)
func checkFormValues(fv map[string]any, fields map[string]map[string]any) error {
	for _, name := range sortedKeys(fv) {
		f, v := fields[name], fv[name]
		if f == nil || isEmpty(v) {
			continue
		}
		switch tag, _ := f["tag"].(string); tag {
		case "input":
			s, ok := v.(string)
			if !ok {
				continue
			}
			limit := defaultInputMaxLength
			if n, ok := f["max_length"].(float64); ok && n > 0 {
				limit = int(n)
			}
			if n := utf8.RuneCountInString(s); n > limit {
				return fmt.Errorf("field %q: %d characters, max_length %d: %w", name, n, limit, ErrTooLong)
			}
		case "select_static", "select_person":
			offered, listed := optionValues(f)
			if !listed {
				continue
			}
			s, ok := v.(string)
			if !ok || !slices.Contains(offered, s) {
				return fmt.Errorf("field %q: %v is not one of %q: %w", name, v, offered, ErrNotAnOption)
			}
		case "multi_select_static", "multi_select_person":
			offered, listed := optionValues(f)
			if !listed {
				continue
			}
			vals, ok := stringList(v)
			if !ok {
				return fmt.Errorf("field %q: %v is not a list of options: %w", name, v, ErrNotAnOption)
			}
			for _, s := range vals {
				if !slices.Contains(offered, s) {
					return fmt.Errorf("field %q: %q is not one of %q: %w", name, s, offered, ErrNotAnOption)
				}
			}
		case "date_picker":
			s, _ := v.(string)
			m := pickedDateRe.FindStringSubmatch(s)
			if m == nil {
				return fmt.Errorf("field %q: %v, want a picked date such as \"2026-10-20 +0800\": %w", name, v, ErrBadDate)
			}
			if _, err := time.Parse(time.DateOnly, m[1]); err != nil {
				return fmt.Errorf("field %q: %q is not a day of the calendar: %w", name, m[1], ErrBadDate)
			}
		}
	}
	return nil
}

// optionValues returns the values of a select's options, and whether the
// card lists any.
func optionValues(f map[string]any) ([]string, bool) {
	opts, _ := f["options"].([]any)
	if len(opts) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(opts))
	for _, o := range opts {
		if m, ok := o.(map[string]any); ok {
			if s, ok := m["value"].(string); ok {
				out = append(out, s)
			}
		}
	}
	return out, true
}

// stringList reads a multi select's value: a JSON array of strings (or a
// []string from Go).
func stringList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
