package bot_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestRefusalByCard: S5 六(二) "对经批评教育后仍拒不参加平时考核的公务员，其主管领导可直
// 接确定其该考核期结果为D档次". The leader chooses 拒不参加考核 on the scoring
// card; the card asks for the date of the 批评教育 and how the person
// refused (not a grade), the service refuses a date in the future, and at
// closing the grade is D with the refusal in its explanation.
func TestRefusalByCard(t *testing.T) {
	loc := calendar.DefaultLocation()
	s5, err := scoring.Builtin("s5")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorldWith(t, "cli_refusal", time.Date(2026, 7, 1, 10, 0, 0, 0, loc), func(c *workflow.Config) {
		c.Scheme = s5
		c.Chains = map[string][]workflow.ChainStep{"": {{Role: workflow.RoleUnitLeader, Name: "评鉴"}}}
	})
	ctx := w.ctx
	people := []workflow.Person{{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_l1", Name: "处长钱", Unit: "u1"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true}}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "市局"}, []workflow.Unit{{ID: "u1", Name: "一处", Leader: "ou_l1"}}, people))
	_, err = w.svc.OpenPeriod(ctx, "ou_hr", "2026-Q3")
	w.must("open", err)
	// The leader's step exists once the summary is in (the person filed it
	// late, then refused everything else).
	w.must("summary", w.svc.Submit(ctx, "ou_e1", workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3", Body: workflow.EntryBody{Summary: "无"}}))
	w.deliver()
	msg := w.lastCard("ou_l1", "孙一")
	r := w.click(msg.MessageID, "ou_l1", "btn_1", nil)
	if !strings.Contains(string(r.Card), "经批评教育后仍拒不参加考核：确定为「D」") || !strings.Contains(string(r.Card), card.FieldRefusalWarned) {
		t.Fatalf("the S5 scoring card offers no refusal: %s", r.Card)
	}
	refuse := func(warned string) *larksim.CardReply {
		form := map[string]any{card.FieldDirect: card.DirectRefused, card.FieldRefusalReason: "限期内仍拒不填写评鉴表"}
		if warned != "" {
			form[card.FieldRefusalWarned] = warned
		}
		r, err := w.sim.ClickButton(ctx, msg.MessageID, "ou_l1", "approve", form)
		w.must("approve", err)
		return r
	}
	if r := refuse(""); r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, "批评教育日期") {
		t.Fatalf("a refusal without the warning's date: toast %+v", r.Toast)
	}
	if r := refuse("2026-07-03 +0800"); r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, "不能晚于今天") {
		t.Fatalf("a warning dated in the future: toast %+v", r.Toast)
	}
	if r := refuse("2026-06-30 +0800"); r.Toast == nil || r.Toast.Type != "success" {
		t.Fatalf("refusal: toast %+v", r.Toast)
	}
	w.must("close", w.svc.CloseAppraisal(ctx, "ou_hr", "2026-Q3"))
	res, err := w.svc.Result(ctx, "ou_hr", "2026-Q3", "ou_e1")
	w.must("result", err)
	if res.Grade != "D" || !slices.Contains(res.Flags, scoring.FlagRefused) ||
		!slices.Contains(res.Explain, "2026-06-30经批评教育后仍拒不参加平时考核（限期内仍拒不填写评鉴表），直接确定为「D」") {
		t.Errorf("result = %q %v %q", res.Grade, res.Flags, res.Explain)
	}
}

// TestReviewMaterialsByCard: S5 六(四) "申请复核的，须提供经主管领导确认的本人平时考核材
// 料". The result card asks for the materials beside the reason; a request
// without them is refused with the reason why; HR's 复核 card shows them
// before HR forwards the request.
func TestReviewMaterialsByCard(t *testing.T) {
	loc := calendar.DefaultLocation()
	s5, err := scoring.Builtin("s5")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorldWith(t, "cli_materials", time.Date(2026, 7, 1, 10, 0, 0, 0, loc), func(c *workflow.Config) {
		c.Scheme = s5
		c.Chains = map[string][]workflow.ChainStep{"": {{Role: workflow.RoleUnitLeader, Name: "评鉴"}}}
	})
	ctx := w.ctx
	people := []workflow.Person{{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_l1", Name: "处长钱", Unit: "u1"}}
	emps := []string{"ou_e1", "ou_e2", "ou_e3", "ou_e4", "ou_e5"}
	for i, id := range emps {
		people = append(people, workflow.Person{ID: id, Name: "干部" + string(rune('一'+i)), Unit: "u1", Group: "u1", Assessed: true})
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "市局"}, []workflow.Unit{{ID: "u1", Name: "一处", Leader: "ou_l1"}}, people))
	_, err = w.svc.OpenPeriod(ctx, "ou_hr", "2026-Q3")
	w.must("open", err)
	for i, e := range emps {
		w.must("summary", w.svc.Submit(ctx, e, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3", Body: workflow.EntryBody{Summary: "完成"}}))
		steps, err := w.svc.MySteps(ctx, "ou_l1")
		w.must("steps", err)
		g := map[bool]string{true: "A", false: "B"}[i == 0]
		if e == "ou_e3" {
			g = "C"
		}
		for _, st := range steps {
			if st.Person == e {
				w.must("grade", w.svc.Act(ctx, "ou_l1", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
					Assessment: &workflow.Assessment{Grade: g}}))
			}
		}
	}
	w.must("close", w.svc.CloseAppraisal(ctx, "ou_hr", "2026-Q3"))
	w.must("confirm", w.svc.ConfirmResults(ctx, "ou_hr", "2026-Q3"))
	w.must("publish", w.svc.Publish(ctx, "ou_hr", "2026-Q3"))
	w.deliver()
	res := w.lastCard("ou_e3", "review_form")
	if !strings.Contains(res.Content, card.FieldReviewMaterials) || !strings.Contains(res.Content, "经主管领导确认的本人平时考核材料") {
		t.Fatalf("the result card does not ask for the materials: %s", res.Content)
	}
	// Lark itself keeps the form from going out without them (required);
	// a forged submission is refused by the service with the reason.
	if _, err := w.sim.ClickButton(ctx, res.MessageID, "ou_e3", "submit", map[string]any{card.FieldReviewReason: "专项任务未计入"}); err == nil ||
		!strings.Contains(err.Error(), "required") {
		t.Fatalf("a request without materials left the client: %v", err)
	}
	forged, err := w.sim.ClickCard(ctx, res.MessageID, "ou_e3", map[string]any{"k": card.KindReview, "id": "2026-Q3", "v": 1},
		map[string]any{card.FieldReviewReason: "专项任务未计入"})
	w.must("forged click", err)
	if forged.Toast == nil || forged.Toast.Type != "error" || !strings.Contains(forged.Toast.Content, "申请复核须提供经主管领导确认的本人平时考核材料") {
		t.Fatalf("a request without materials: toast %+v", forged.Toast)
	}
	const materials = "季度评鉴表、专项工作组情况说明，已经处长钱确认"
	r := w.click(res.MessageID, "ou_e3", "submit", map[string]any{card.FieldReviewReason: "专项任务未计入", card.FieldReviewMaterials: materials})
	if !strings.Contains(string(r.Card), "已提交") {
		t.Fatalf("review card: %s", r.Card)
	}
	w.deliver()
	req := w.lastCard("ou_hr", "申请复核")
	r = w.click(req.MessageID, "ou_hr", "btn_1", nil)
	if !strings.Contains(string(r.Card), materials) || !strings.Contains(string(r.Card), card.KindReviewForward) {
		t.Fatalf("HR's review card does not show the materials: %s", r.Card)
	}
}
