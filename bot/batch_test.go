package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestBatchThroughLark: a leader with three self-summaries to appraise in
// one unit finds a 批量审核 row on their 待办 and the command 审核; the
// card lists each person with their summary's first line and opens their
// scoring card; an old card's button for a step already decided answers
// stale; a 分管领导 with steps in two units gets one button per unit; a
// leader of another unit is refused in Chinese and audited once; the same
// click twice answers the same.
func TestBatchThroughLark(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newWorld(t, "cli_batch", time.Date(2026, 7, 1, 10, 0, 0, 0, loc))
	ctx := w.ctx
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_head", Name: "局长王", Committee: true},
		{ID: "ou_s1", Name: "副局长赵"}, {ID: "ou_l1", Name: "科长钱", Unit: "u1"}, {ID: "ou_l2", Name: "科长褚", Unit: "u2"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e3", Name: "吴三", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e4", Name: "郑四", Unit: "u2", Group: "u2", Assessed: true},
		{ID: "ou_e5", Name: "冯五", Unit: "u2", Group: "u2", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"}, []workflow.Unit{
		{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}, {ID: "u2", Name: "业务科", Leader: "ou_l2", Supervisor: "ou_s1"}}, people))
	if _, err := w.svc.OpenPeriod(ctx, "ou_hr", "2026-Q3"); err != nil {
		t.Fatal(err)
	}
	summaries := map[string]string{"ou_e1": "完成年度预算编制\n参加培训2次", "ou_e2": "\n  起草半年工作总结  \n", "ou_e3": "办理来文来电"}
	for _, e := range []string{"ou_e1", "ou_e2", "ou_e3", "ou_e4", "ou_e5"} {
		s := summaries[e]
		if s == "" {
			s = "完成本职工作"
		}
		w.must("summary", w.svc.Submit(ctx, e, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3", Body: workflow.EntryBody{Summary: s}}))
	}
	w.deliver()
	say := func(from, text string) larksim.Message {
		t.Helper()
		_, err := w.sim.SendText(ctx, from, "", text)
		w.must("send "+text, err)
		w.deliver()
		msgs := w.sim.MessagesTo(from)
		return msgs[len(msgs)-1]
	}

	// 待办: a 批量审核 row for 办公室 above the three steps.
	todo := say("ou_l1", "待办")
	btn := larksim.RowButton([]byte(todo.Content), "批量审核：办公室（3人）")
	if btn == "" {
		t.Fatalf("no 批量审核 row on the 待办:\n%s", todo.Content)
	}
	r := w.click(todo.MessageID, "ou_l1", btn, nil)
	batch := string(r.Card)
	for _, want := range []string{"批量审核：办公室", "3人待审核", "小结：完成年度预算编制", "小结：起草半年工作总结", "小结：办理来文来电", "去审核"} {
		if !strings.Contains(batch, want) {
			t.Errorf("batch card lacks %q:\n%s", want, batch)
		}
	}
	if strings.Contains(batch, "参加培训") {
		t.Errorf("the batch card shows more than the summary's first line:\n%s", batch)
	}
	// The command gives the same card as its own message; it stays while
	// the 待办's card turns into 孙一's scoring card and is approved.
	old := say("ou_l1", "审核")
	if !strings.Contains(old.Content, "批量审核：办公室") {
		t.Fatalf("审核 answered:\n%s", old.Content)
	}
	r = w.click(todo.MessageID, "ou_l1", larksim.RowButton(r.Card, "孙一"), nil)
	if !strings.Contains(string(r.Card), "孙一") || !strings.Contains(string(r.Card), `"approve"`) {
		t.Fatalf("去审核 did not open 孙一's scoring card:\n%s", r.Card)
	}
	w.click(todo.MessageID, "ou_l1", "approve", fullS4("5"))
	w.deliver()
	// Stale: the old card's 孙一 is decided.
	r, err := w.sim.ClickButton(ctx, old.MessageID, "ou_l1", larksim.RowButton([]byte(old.Content), "孙一"), nil)
	w.must("click", err)
	if r.Toast == nil || r.Toast.Type != "error" || r.Toast.Content != workflow.Message(workflow.ErrStale) {
		t.Errorf("old card's 去审核 for a decided step: %+v", r.Toast)
	}
	r = w.click(old.MessageID, "ou_l1", "btn_1", nil) // 刷新
	if c := string(r.Card); !strings.Contains(c, "2人待审核") || strings.Contains(c, "孙一") {
		t.Errorf("refreshed batch card:\n%s", c)
	}

	// 副局长赵 holds 审定 in 办公室 (孙一) and, after 科长褚 approves 郑四, in
	// 业务科: 审核 lists both units, one card each.
	for _, st := range pendingSteps(t, w, "ou_l2") {
		if st.Person == "ou_e4" {
			w.must("初评", w.svc.Act(ctx, "ou_l2", workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: assessment("5")}))
		}
	}
	w.deliver()
	index := say("ou_s1", "审核")
	if !strings.Contains(index.Content, "办公室") || !strings.Contains(index.Content, "业务科") {
		t.Fatalf("index card:\n%s", index.Content)
	}
	r = w.click(index.MessageID, "ou_s1", larksim.RowButton([]byte(index.Content), "业务科"), nil)
	if c := string(r.Card); !strings.Contains(c, "批量审核：业务科") || !strings.Contains(c, "郑四") || strings.Contains(c, "孙一") {
		t.Errorf("业务科's card for 副局长赵:\n%s", c)
	}

	// A leader of another unit, by command and by a forged click.
	before := len(w.auditRows())
	if m := say("ou_l2", "审核 办公室"); !strings.Contains(m.Content, "您无权办理此事项：您不负责该单位的考核审核") {
		t.Errorf("科长褚's 审核 办公室:\n%s", m.Content)
	}
	ev := clickEvent("batch-stranger", "ou_l2", card.KindBatch, workflow.Step{}, nil)
	ev.Event.Action.Value = map[string]any{"k": card.KindBatch, "id": "u1", "v": float64(0)}
	resp, _ := w.bot.OnCardAction(ctx, ev)
	if got := toastOf(resp); got != "error:您无权办理此事项：您不负责该单位的考核审核" {
		t.Errorf("a stranger's click: %q", got)
	}
	denied := 0
	for _, row := range w.auditRows()[before:] {
		if row.Denied {
			denied++
		}
	}
	if denied != 2 {
		t.Errorf("%d denials audited for two refusals, want 2", denied)
	}

	// The same click twice: the same card, nothing written.
	before = len(w.auditRows())
	twice := func() string {
		ev := clickEvent("batch-twice", "ou_l1", card.KindBatch, workflow.Step{}, nil)
		ev.Event.Action.Value = map[string]any{"k": card.KindBatch, "id": "u1", "v": float64(0)}
		resp, _ := w.bot.OnCardAction(ctx, ev)
		// The stored answer comes back decoded: compare it as JSON values.
		b, _ := json.Marshal(resp)
		var v any
		w.must("decode", json.Unmarshal(b, &v))
		b, _ = json.Marshal(v)
		return string(b)
	}
	if a, b := twice(), twice(); a != b || !strings.Contains(a, "2人待审核") {
		t.Errorf("double click answers %s then %s", a, b)
	}
	if n := len(w.auditRows()) - before; n != 0 {
		t.Errorf("double click wrote %d audit rows", n)
	}
}

// pendingSteps are the leader's pending steps.
func pendingSteps(t *testing.T, w *world, leader string) []workflow.Step {
	t.Helper()
	var out []workflow.Step
	w.must("steps", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		out, err = tx.Steps(w.ctx, workflow.StepFilter{Assignee: leader, State: workflow.StepPending})
		return err
	}))
	return out
}
