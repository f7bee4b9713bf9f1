package larksim_test

import (
	"testing"

	"github.com/kaohe/kaohe/bot/larksim"
)

func TestRowButton(t *testing.T) {
	card := []byte(`{"schema":"2.0","body":{"elements":[
		{"tag":"column_set","columns":[{"tag":"column","elements":[{"tag":"markdown","content":"周记实 2026年第40周"}]},
			{"tag":"column","elements":[{"tag":"button","name":"todo_1","text":{"tag":"plain_text","content":"立即填写"}}]}]},
		{"tag":"column_set","columns":[{"tag":"column","elements":[{"tag":"markdown","content":"季度小结 2026年第三季度"}]},
			{"tag":"column","elements":[{"tag":"button","name":"todo_2","text":{"tag":"plain_text","content":"立即填写"}}]}]}]}}`)
	for _, c := range []struct{ text, want string }{
		{"季度小结", "todo_2"}, {"周记实", "todo_1"}, {"立即填写", "todo_1"}, {"民主测评", ""},
	} {
		if got := larksim.RowButton(card, c.text); got != c.want {
			t.Errorf("RowButton(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	if got := larksim.RowButton([]byte("not json"), "x"); got != "" {
		t.Errorf("RowButton(bad json) = %q", got)
	}
}
