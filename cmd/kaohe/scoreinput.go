package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/scoring"
)

// inputProblems checks a score input against the Go type its kind names
// before it is decoded, and lists every problem at once, each as the
// engine words its own ("person b: sources.leader.indicatorz: unknown
// field"): a field the type does not have, with the fields it does; a
// whole number (working_days, year, max_count …) given as a string; a
// value of the wrong shape, said in words rather than Go type names. The
// decoder stops at the first problem and names neither the person nor the
// path of an unknown field, which leaves an HR office guessing which of
// 300 people has the typo.
//
// Decision: an exact decimal (a score, a vote, leave days) may still be a
// string holding a decimal literal ("89.5"): the input schema documents
// it (scoring/testdata/period-input.schema.json) because a string keeps a
// score exact through tools that read JSON numbers as binary floats, and
// the engine's own results write decimals that way. Anything else in a
// string where a number belongs ("90分", "6 ") is refused by the decoder,
// so a typo never becomes zero.
//
// A document that is not JSON, or whose kind is missing or unknown,
// yields no problems here: DecodeInput reports those.
func inputProblems(data []byte) []string {
	var head struct {
		Kind string `json:"kind"`
	}
	if json.Unmarshal(data, &head) != nil {
		return nil
	}
	var t reflect.Type
	switch head.Kind {
	case "period":
		t = reflect.TypeFor[scoring.PeriodInput]()
	case "year":
		t = reflect.TypeFor[scoring.YearInput]()
	default:
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil
	}
	c := &inputChecker{}
	c.walk(doc, t, "", "")
	return c.problems
}

type inputChecker struct{ problems []string }

var decType = reflect.TypeFor[scoring.Dec]()

func (c *inputChecker) add(person, path, msg string) {
	if person != "" {
		c.problems = append(c.problems, fmt.Sprintf("person %s: %s: %s", person, path, msg))
		return
	}
	c.problems = append(c.problems, fmt.Sprintf("%s: %s", path, msg))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// walk checks v, found at path (relative to person when person is set),
// against t.
func (c *inputChecker) walk(v any, t reflect.Type, person, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return // null: the decoder leaves the zero value, the engine judges it
	}
	if t == decType {
		switch x := v.(type) {
		case json.Number:
		case string:
			if _, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil || x != strings.TrimSpace(x) {
				c.add(person, path, fmt.Sprintf("want a number, got the text %q", x))
			}
		default:
			c.add(person, path, "want a number, got "+shape(v))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			c.add(person, path, "want an object {…}, got "+shape(v))
			return
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f, ok := fields[k]
			if !ok {
				known := make([]string, 0, len(fields))
				for n := range fields {
					known = append(known, n)
				}
				slices.Sort(known)
				c.add(person, join(path, k), "unknown field (known here: "+strings.Join(known, ", ")+")")
				continue
			}
			c.walk(obj[k], f, person, join(path, k))
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			c.add(person, path, "want an object {…}, got "+shape(v))
			return
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			c.walk(obj[k], t.Elem(), person, join(path, k))
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			c.add(person, path, "want a list […], got "+shape(v))
			return
		}
		for i, item := range arr {
			if path == "people" && person == "" {
				// Each person's problems are named by the person, as the
				// engine names them.
				id := fmt.Sprintf("people[%d]", i)
				if m, ok := item.(map[string]any); ok {
					if s, ok := m["id"].(string); ok && s != "" {
						id = s
					}
				}
				c.walkPerson(item, t.Elem(), id)
				continue
			}
			c.walk(item, t.Elem(), person, fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			c.add(person, path, "want text in quotes, got "+shape(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.add(person, path, "want true or false, got "+shape(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		switch x := v.(type) {
		case json.Number:
			if _, err := strconv.ParseInt(string(x), 10, 64); err != nil {
				c.add(person, path, fmt.Sprintf("want a whole number, got %s", x))
			}
		case string:
			c.add(person, path, fmt.Sprintf("want a whole number, not the text %q (write it without quotes)", x))
		default:
			c.add(person, path, "want a whole number, got "+shape(v))
		}
	}
}

// walkPerson checks one person's object; its fields' paths start at the
// person (sources.leader.indicators.…).
func (c *inputChecker) walkPerson(v any, t reflect.Type, id string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if _, ok := v.(map[string]any); !ok {
		c.add("", "people."+id, "want an object {…}, got "+shape(v))
		return
	}
	before := len(c.problems)
	c.walk(v, t, id, "")
	// A problem with the person's own object has no path inside it.
	for i := before; i < len(c.problems); i++ {
		c.problems[i] = strings.Replace(c.problems[i], ": : ", ": ", 1)
	}
}

// jsonFields maps a struct's JSON names to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// shape says what kind of JSON value v is, in words.
func shape(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the text %q", x)
	case json.Number:
		return "the number " + string(x)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "null"
}
