package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/workflow"
)

// buttonTo is the name of the button in a card whose callback id is id
// ("" when none).
func buttonTo(content, id string) string {
	var walk func(v any) string
	walk = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			if x["tag"] == "button" {
				if bs, ok := x["behaviors"].([]any); ok {
					for _, b := range bs {
						if m, ok := b.(map[string]any); ok {
							if val, ok := m["value"].(map[string]any); ok && val["id"] == id {
								name, _ := x["name"].(string)
								return name
							}
						}
					}
				}
			}
			for _, c := range x {
				if n := walk(c); n != "" {
					return n
				}
			}
		case []any:
			for _, c := range x {
				if n := walk(c); n != "" {
					return n
				}
			}
		}
		return ""
	}
	var root any
	if json.Unmarshal([]byte(content), &root) != nil {
		return ""
	}
	return walk(root)
}

// enterAnnual enters the year's annual scores as HR does: 年度 <year>, the
// 年度评分 button, the form saved.
func enterAnnual(t *testing.T, w *world, year string, scores map[string]string) {
	t.Helper()
	_, err := w.sim.SendText(w.ctx, "ou_hr", "", "年度 "+year)
	w.must("send", err)
	w.deliver()
	yc := w.lastCard("ou_hr", "年度评分：已录入")
	btn := buttonTo(yc.Content, card.OpenID(card.FormYearAnnual, year))
	if btn == "" {
		t.Fatalf("no 年度评分 button on the 年度 card: %s", yc.Content)
	}
	if r := w.click(yc.MessageID, "ou_hr", btn, nil); !strings.Contains(string(r.Card), "年度评分录入") {
		t.Fatalf("the 年度评分 card: %s", r.Card)
	}
	form := map[string]any{}
	for id, s := range scores {
		form[card.AnnualField(id)] = s
	}
	if r := w.click(yc.MessageID, "ou_hr", "submit", form); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("save the 年度评分: toast %+v", r.Toast)
	}
}

// TestAnnualScoresThroughLark: S5's 年度评分 (五(一)1's other 40%) in
// chat (a stranger's click: kinds_test). A score over 100 is refused
// naming the position, not the score; a partial save shows on the 年度 card, which offers no
// composition until everyone has a score; the composed total counts it
// (B in four quarters: 80 × 60% + 90 × 40% = 84); once the committee
// confirmed the year the card is read-only and a save is refused.
func TestAnnualScoresThroughLark(t *testing.T) {
	t.Parallel()
	w := mixedWorld(t, "cli_annual_scores")
	ctx := w.ctx
	_, err := w.sim.SendText(ctx, "ou_hr", "", "年度 2026@s5")
	w.must("send", err)
	w.deliver()
	yc := w.lastCard("ou_hr", "年度评分：已录入0/3人")
	if strings.Contains(yc.Content, "year_compose") {
		t.Errorf("the 年度 card offers the composition without the scores: %s", yc.Content)
	}
	open := card.OpenID(card.FormYearAnnual, "2026@s5")
	w.click(yc.MessageID, "ou_hr", buttonTo(yc.Content, open), nil)
	r, err := w.sim.ClickButton(ctx, yc.MessageID, "ou_hr", "submit", map[string]any{card.AnnualField("ou_q2e1"): "100.5"})
	w.must("click", err)
	if r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, "年度评分") || strings.Contains(r.Toast.Content, "100.5") {
		t.Errorf("a score over 100: toast %+v", r.Toast)
	}
	r = w.click(yc.MessageID, "ou_hr", "submit", map[string]any{card.AnnualField("ou_q2e1"): "90"})
	if !strings.Contains(string(r.Card), "已录入1/3人") {
		t.Errorf("after one score: %s", r.Card)
	}
	enterAnnual(t, w, "2026@s5", map[string]string{"ou_q2l": "90", "ou_q2e1": "90", "ou_q2e2": "90"})
	_, err = w.sim.SendText(ctx, "ou_hr", "", "年度 2026@s5")
	w.must("send", err)
	w.deliver()
	yc = w.lastCard("ou_hr", "年度评分：已录入3/3人")
	if r := w.click(yc.MessageID, "ou_hr", buttonTo(yc.Content, "2026@s5"), nil); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("compose: %+v", r.Toast)
	}
	w.deliver()
	n := w.lastCard("ou_head", "请审定2026年度（S5）考核等次")
	if c := string(w.click(n.MessageID, "ou_head", "btn_1", nil).Card); !strings.Contains(c, "84分") {
		t.Errorf("the committee's card lacks the total 84: %s", c)
	}
	w.click(n.MessageID, "ou_head", "submit", map[string]any{})
	w.deliver()
	// Confirmed: the card is read-only and a save is refused.
	_, err = w.sim.SendText(ctx, "ou_hr", "", "年度 2026@s5")
	w.must("send", err)
	w.deliver()
	yc = w.lastCard("ou_hr", "年度评分：已录入3/3人")
	c := w.click(yc.MessageID, "ou_hr", buttonTo(yc.Content, open), nil)
	if !strings.Contains(string(c.Card), "不能再修改") {
		t.Errorf("the confirmed year's 年度评分 card: %s", c.Card)
	}
	if err := w.svc.SetAnnualScores(ctx, "ou_hr", "2026@s5", nil); !strings.Contains(workflow.Message(err), "不能再修改") {
		t.Errorf("a save after the confirmation: %v", err)
	}
}
