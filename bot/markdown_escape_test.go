package bot_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// markdownBlockRe matches a line that Lark's markdown would render as a
// list item or a heading: "- ", "+ ", "* ", "1. ", "2) ", "# " … at the
// start of the line, after at most three spaces.
var markdownBlockRe = regexp.MustCompile(`^ {0,3}([-+*]|[0-9]+[.)]|#{1,6})([ \t]|$)`)

// markdownContents returns the content of every markdown component of a
// card, as the card JSON has it.
func markdownContents(t *testing.T, cardJSON []byte) []string {
	t.Helper()
	var root any
	if err := json.Unmarshal(cardJSON, &root); err != nil {
		t.Fatalf("card JSON: %v", err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["tag"] == "markdown" {
				if s, ok := x["content"].(string); ok {
					out = append(out, s)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(root)
	return out
}

// TestUserTextCannotBecomeMarkdown: 孙一 files a weekly record whose task
// titles start with "- ", "1. " and "# ", and carries them into the 月小结;
// the leader's 点评 card, as the simulator received it, shows them as
// typed text — no list, no heading. The weekly titles themselves reach no
// leader's card (only 孙一's own form, as input values, which are plain
// text and must stay as typed), so the 月小结 is where a leader reads them.
func TestUserTextCannotBecomeMarkdown(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newWorld(t, "cli_md_escape", time.Date(2026, 7, 31, 10, 0, 0, 0, loc))
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true}, {ID: "ou_head", Name: "局长王"},
		{ID: "ou_l1", Name: "科长钱", Unit: "u1"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	_, err := w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q3")
	w.must("open", err)
	titles := []string{"- 起草年度工作报告", "1. 整理档案", "# 专项督查"}

	// The weekly record, by card.
	_, err = w.sim.SendText(w.ctx, "ou_e1", "", card.CmdRecord)
	w.must("send 记实", err)
	w.deliver()
	form := w.lastCard("ou_e1", "请填写周记实")
	fv := map[string]any{card.FieldAttendance: "full"}
	for i, title := range titles {
		fv[card.TaskField(i+1, card.PartTitle)] = title
		fv[card.TaskField(i+1, card.PartProgress)] = "50"
	}
	r, err := w.sim.ClickButton(w.ctx, form.MessageID, "ou_e1", "submit", fv)
	w.must("submit the weekly record", err)
	if r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("weekly submit: %+v\n%s", r.Toast, r.Card)
	}
	// Filed as typed, and the form opened again shows them as typed: an
	// input's value is not markdown and gets no entities.
	_, err = w.sim.SendText(w.ctx, "ou_e1", "", card.CmdRecord)
	w.must("send 记实", err)
	w.deliver()
	again := w.lastCard("ou_e1", "请填写周记实")
	for _, title := range titles {
		if b, _ := json.Marshal(title); !strings.Contains(again.Content, `"default_value":`+string(b)) {
			t.Errorf("the filed record's form does not show %q as typed:\n%s", title, again.Content)
		}
	}

	// The 月小结, from the 待办 card.
	_, err = w.sim.SendText(w.ctx, "ou_e1", "", card.CmdTodo)
	w.must("send 待办", err)
	w.deliver()
	todo := w.lastCard("ou_e1", "todo")
	w.click(todo.MessageID, "ou_e1", larksim.RowButton([]byte(todo.Content), "月小结"), nil)
	w.click(todo.MessageID, "ou_e1", "submit", map[string]any{
		card.FieldGoals:                          strings.Join(titles, "\n"),
		card.FieldCompletion:                     "1. 报告已成稿\n- 档案整理过半\n## 督查待启动",
		card.UnfinishedField(1, card.PartItem):   "# 专项督查",
		card.UnfinishedField(1, card.PartReason): "- 等待批复",
	})

	// 科长钱 opens the 点评 card from his 待办.
	_, err = w.sim.SendText(w.ctx, "ou_l1", "", card.CmdTodo)
	w.must("send 待办", err)
	w.deliver()
	ltodo := w.lastCard("ou_l1", "todo")
	w.click(ltodo.MessageID, "ou_l1", larksim.RowButton([]byte(ltodo.Content), "点评月小结"), nil)
	got, ok := w.sim.Message(ltodo.MessageID)
	if !ok || !strings.Contains(got.Content, "entry_review") {
		t.Fatalf("the leader's card is not the 点评 card:\n%s", got.Content)
	}
	contents := markdownContents(t, []byte(got.Content))
	for _, c := range contents {
		for _, line := range strings.Split(c, "\n") {
			if markdownBlockRe.MatchString(line) {
				t.Errorf("a line of the 点评 card renders as a list or heading: %q", line)
			}
		}
	}
	all := strings.Join(contents, "\n")
	for _, want := range []string{"&#45; 起草年度工作报告", "1&#46; 整理档案", "&#35; 专项督查", "1&#46; 报告已成稿",
		"&#45; 档案整理过半", "&#35;&#35; 督查待启动", "· &#35; 专项督查：- 等待批复"} {
		if !strings.Contains(all, want) {
			t.Errorf("the 点评 card lacks %q as escaped text:\n%s", want, all)
		}
	}
}
