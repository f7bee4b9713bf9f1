package bot_test

import (
	"strings"
	"testing"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestYearRatingOnTodoThroughLark (S9 四's 优秀票): while the 年度测评 is
// open, a rater's 待办 lists it with a 立即测评 button that opens the
// rating card; once rated it is gone. HR's 进度 shows how many have rated
// and who has not (names, never scores), and 催办 reminds those.
func TestYearRatingOnTodoThroughLark(t *testing.T) {
	w, _ := ratersWorld(t, "s9")
	ctx := w.ctx
	w.must("open the round", w.svc.OpenYearRatings(ctx, "ou_hr", 2026, calendar.MustParseDate("2026-06-26")))
	w.deliver()

	todo := func(who string) larksim.Message {
		t.Helper()
		_, err := w.sim.SendText(ctx, who, "", "待办")
		w.must("send 待办", err)
		w.deliver()
		return w.lastCard(who, "我的待办")
	}
	td := todo("ou_x")
	if !strings.Contains(td.Content, "2026年度测评") {
		t.Fatalf("the extra voter's 待办 lacks the 年度测评:\n%s", td.Content)
	}
	r := w.click(td.MessageID, "ou_x", larksim.RowButton([]byte(td.Content), "2026年度测评"), nil)
	if !strings.Contains(string(r.Card), `"year_rate_form"`) {
		t.Fatalf("the 待办's button opened no rating card:\n%s", r.Card)
	}
	form := map[string]any{}
	for i := 1; i <= 6; i++ {
		form[card.YearRateField(workflow.SourceExcellent, "ou_e"+string(rune('0'+i)))] = card.ExcellentNo
	}
	form[card.YearRateField(workflow.SourceExcellent, "ou_e3")] = card.ExcellentYes
	if s := w.click(td.MessageID, "ou_x", "submit", form); s.Toast == nil || s.Toast.Type != "success" {
		t.Fatalf("rating from the 待办: toast %+v\n%s", s.Toast, s.Card)
	}
	if td := todo("ou_x"); strings.Contains(td.Content, "年度测评") {
		t.Errorf("the 年度测评 stays on the 待办 after rating:\n%s", td.Content)
	}
	if td := todo("ou_l1"); strings.Contains(td.Content, "年度测评") {
		t.Errorf("the leader, who rates nobody, is asked:\n%s", td.Content)
	}

	_, err := w.sim.SendText(ctx, "ou_hr", "", "进度")
	w.must("send 进度", err)
	w.deliver()
	pc := w.lastCard("ou_hr", "考核进度")
	if !strings.Contains(pc.Content, "2026年度测评：已测评1/7") || !strings.Contains(pc.Content, "干部1") || strings.Contains(pc.Content, "机关干部") {
		t.Fatalf("进度's 年度测评 line:\n%s", pc.Content)
	}
	c := w.click(pc.MessageID, "ou_hr", "chase", nil)
	if c.Toast == nil || c.Toast.Type != "success" {
		t.Fatalf("催办: toast %+v", c.Toast)
	}
	w.deliver()
	w.lastCard("ou_e2", "政工科催办：请于2026-06-26前完成年度测评")
	for _, m := range w.sim.MessagesTo("ou_x") {
		if strings.Contains(m.Content, "政工科催办") {
			t.Errorf("the rater who rated was chased: %s", m.Content)
		}
	}
}
