package larksim

import (
	"encoding/json"
	"strings"
)

// RowButton returns the name of the first button in the first row
// (column_set) of a card whose JSON contains text, or "" if there is none:
// how a test or a story finds "the 去审核 of 刘志强's row" in a list card the
// way a person finds it by reading.
func RowButton(card []byte, text string) string {
	var root any
	if json.Unmarshal(card, &root) != nil {
		return ""
	}
	found := ""
	var walk func(v any, inRow bool)
	walk = func(v any, inRow bool) {
		if found != "" {
			return
		}
		switch e := v.(type) {
		case map[string]any:
			tag, _ := e["tag"].(string)
			if !inRow && tag == "column_set" {
				b, _ := json.Marshal(e)
				if !strings.Contains(string(b), text) {
					return
				}
				inRow = true
			}
			if inRow && tag == "button" {
				found, _ = e["name"].(string)
				return
			}
			for _, k := range sortedKeys(e) {
				walk(e[k], inRow)
			}
		case []any:
			for _, c := range e {
				walk(c, inRow)
			}
		}
	}
	walk(root, false)
	return found
}
