package bot_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

const (
	verifyToken = "vt-kaohe-test"
	encryptKey  = "ek-kaohe-test"
	publicChat  = "oc_public"
)

// world is kaohe wired to larksim through the real SDK, as in production:
// the webhook handler behind an httptest server, the relay sending through
// the Open API, one fake clock for everything.
type world struct {
	t     *testing.T
	ctx   context.Context
	clk   *clock.Fake
	cal   *calendar.Calendar
	store *memory.Store
	svc   *workflow.Service
	sim   *larksim.Server
	bot   *bot.Bot
	relay *bot.Relay
	// apiURL is the simulator's Open API base.
	apiURL string
}

func newWorld(t *testing.T, appID string, start time.Time) *world {
	t.Helper()
	return newWorldWith(t, appID, start, nil)
}

// newWorldWith is newWorld with the service's configuration changed by
// tweak (nil for none).
func newWorldWith(t *testing.T, appID string, start time.Time, tweak func(*workflow.Config)) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), clk: clock.NewFake(start), cal: calendar.Default(), store: memory.New()}
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	cfg := workflow.Config{Store: w.store, Clock: w.clk, Calendar: w.cal, Scheme: sc}
	if tweak != nil {
		tweak(&cfg)
	}
	w.svc, err = workflow.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w.sim = larksim.New(larksim.Options{AppID: appID, AppSecret: "secret", Clock: w.clk, CallbackTimeout: 10 * time.Second})
	api := httptest.NewServer(w.sim)
	t.Cleanup(api.Close)
	w.apiURL = api.URL
	lk, err := bot.NewLark(bot.LarkConfig{AppID: appID, AppSecret: "secret", BaseURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	w.bot, err = bot.New(bot.Config{Service: w.svc, Store: w.store, Calendar: w.cal, Clock: w.clk, VerificationToken: verifyToken, EncryptKey: encryptKey, Lark: lk})
	if err != nil {
		t.Fatal(err)
	}
	h, err := w.bot.Handler()
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(h)
	t.Cleanup(hook.Close)
	w.sim.Configure(larksim.WebhookConfig{CallbackURL: hook.URL, EventURL: hook.URL, VerificationToken: verifyToken, EncryptKey: encryptKey})
	w.relay = &bot.Relay{Store: w.store, Sender: lk, Render: w.bot.Render, Limiter: ratelimit.NewMemory(w.clk), Clock: w.clk,
		Sleep: func(_ context.Context, d time.Duration) error { w.clk.Advance(d); return nil }}
	return w
}

// auditRows reads the whole audit log.
func (w *world) auditRows() []workflow.AuditEntry {
	w.t.Helper()
	var rows []workflow.AuditEntry
	w.must("audit", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		rows, err = tx.Audit(w.ctx, 0, 0)
		return err
	}))
	return rows
}

func (w *world) must(what string, err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("%s: %v", what, err)
	}
}

// deliver runs the relay once and returns how many messages went out.
func (w *world) deliver() int {
	w.t.Helper()
	rep, err := w.relay.RunOnce(w.ctx)
	w.must("relay", err)
	if rep.Dead > 0 {
		w.t.Fatalf("relay: %d dead notifications", rep.Dead)
	}
	return rep.Sent
}

// lastCard returns the newest message to a user whose content contains
// want, as its message id.
func (w *world) lastCard(to, want string) larksim.Message {
	w.t.Helper()
	msgs := w.sim.MessagesTo(to)
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Content, want) {
			return msgs[i]
		}
	}
	w.t.Fatalf("no message to %s containing %q (%d messages)", to, want, len(msgs))
	return larksim.Message{}
}

// click presses a button as the user would and fails on an error toast
// unless wantErr is set.
func (w *world) click(msgID, who, button string, form map[string]any) *larksim.CardReply {
	w.t.Helper()
	r, err := w.sim.ClickButton(w.ctx, msgID, who, button, form)
	w.must("click "+button, err)
	if r.Toast != nil && r.Toast.Type == "error" {
		w.t.Fatalf("click %s by %s: error toast %q", button, who, r.Toast.Content)
	}
	return r
}

func fullS4(lost string) map[string]any {
	f := map[string]any{}
	for id, max := range map[string]string{
		"思想政治素质": "6", "职业道德": "4", "社会公德": "6", "家庭美德": "4", "岗位执行能力": "5", "综合业务能力": "6", "开拓创新能力": "5", "沟通协作能力": "4",
		"工作责任心": "5", "工作作风": "5", "出勤情况": "5", "工作效率": "10", "工作成效": "10", "遵章守纪情况": "4", "艰苦奋斗勤俭节约情况": "3", "日常信访举报情况": "3",
	} {
		f[card.IndicatorField(id)] = max
	}
	// 工作负荷 (15) carries the points lost.
	f[card.IndicatorField("工作负荷")] = lost
	return f
}

func assessment(load string) *workflow.Assessment {
	a := &workflow.Assessment{Indicators: map[string]scoring.Dec{}}
	for k, v := range fullS4(load) {
		a.Indicators[strings.TrimPrefix(k, "ind_")] = scoring.D(v.(string))
	}
	return a
}

// TestQuarterThroughLark drives a quarter through larksim with the real
// SDK: a reminder arrives and is answered by card, a text command, the
// chain with a send-back, the committee resolving a tie at the quota, 公示
// to the group chat, results to each person and a 复核 filed by card.
func TestQuarterThroughLark(t *testing.T) {
	loc := calendar.DefaultLocation()
	w := newWorld(t, "cli_e2e", time.Date(2026, 9, 24, 14, 0, 0, 0, loc))
	ctx := w.ctx
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true},
		{ID: "ou_head", Name: "局长王", Committee: true},
		{ID: "ou_s1", Name: "副局长赵"},
		{ID: "ou_l1", Name: "科长钱", Unit: "u1"},
	}
	emps := []string{"ou_e1", "ou_e2", "ou_e3", "ou_e4", "ou_e5"}
	names := []string{"孙一", "周二", "吴三", "郑四", "冯五"}
	for i, id := range emps {
		people = append(people, workflow.Person{ID: id, Name: names[i], Unit: "u1", Group: "u1", Assessed: true})
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.sim.MustAddChat(larksim.Chat{ChatID: publicChat, Type: "group", Name: "局机关公示群", Members: []string{"ou_hr", "ou_e1"}, BotMember: true})
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head", PublicChats: []string{publicChat}},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_s1"}}, people))
	// HR opens the quarter by command (it would open by itself on its
	// first working day; this one started before the bot was set up).
	_, err := w.sim.SendText(ctx, "ou_hr", "", "开启考核 2026-Q3")
	w.must("send text", err)
	w.deliver()
	w.lastCard("ou_hr", "考核已开启")
	// Weekly records already in for the weeks that have ended.
	today := w.cal.Date(w.clk.Now())
	for wk := calendar.PeriodContaining(calendar.Week, calendar.NewDate(2026, 7, 2)); wk.End().Before(today); wk = wk.Next() {
		for _, e := range emps {
			w.must("weekly "+wk.String(), w.svc.Submit(ctx, e, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: wk.String(),
				Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}))
		}
	}

	// 1. Thursday 15:00 (Friday 25 September is 中秋): the weekly reminder reaches everyone who has not filed.
	w.clk.Set(time.Date(2026, 9, 24, 15, 0, 0, 0, loc))
	tr, err := w.svc.Tick(ctx)
	w.must("tick", err)
	t.Logf("tick: %+v", tr)
	if n := w.deliver(); n != len(emps) {
		t.Fatalf("reminders sent = %d, want %d", n, len(emps))
	}
	rem := w.lastCard("ou_e1", "周记实")
	// e1 opens the form from the reminder and submits it; the card is
	// replaced in place by the read-only result.
	r := w.click(rem.MessageID, "ou_e1", "btn_1", nil)
	if !strings.Contains(string(r.Card), "weekly_form") {
		t.Fatalf("open did not return the weekly form: %s", r.Card)
	}
	r = w.click(rem.MessageID, "ou_e1", "submit", map[string]any{
		card.TaskField(1, "title"): "起草三季度工作总结", card.TaskField(1, "deadline"): "2026-09-30 +0800", card.TaskField(1, "progress"): "50",
		"attendance": "full",
	})
	if r.Toast == nil || r.Toast.Type != "success" || !strings.Contains(string(r.Card), "已提交") {
		t.Fatalf("submit reply: toast %+v card %s", r.Toast, r.Card)
	}
	var wk workflow.Entry
	w.must("weekly entry", w.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		wk, err = tx.Entry(ctx, workflow.EntryKey{Kind: workflow.EntryWeekly, Person: "ou_e1", Period: "2026-W39"})
		return err
	}))
	if wk.Body.Presence != workflow.PresenceFull || len(wk.Body.Tasks) != 1 || wk.Body.Tasks[0].Deadline.String() != "2026-09-30" {
		t.Errorf("stored weekly record = %+v", wk.Body)
	}
	// The same (stale) form pressed again is refused with a toast, and nothing changes.
	again, err := w.sim.ClickCard(ctx, rem.MessageID, "ou_e1", map[string]any{"k": card.KindWeekly, "id": "2026-W39", "v": 0}, map[string]any{
		card.TaskField(1, "title"): "重复提交", "attendance": "full"})
	w.must("click stale", err)
	if again.Toast == nil || again.Toast.Type != "error" {
		t.Fatalf("second submit: toast %+v, want an error", again.Toast)
	}
	for _, e := range emps[1:] {
		w.must("weekly W39", w.svc.Submit(ctx, e, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W39",
			Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}))
	}
	// Monday 09:00: nobody is chased, everyone filed.
	before := len(w.sim.Messages(larksim.MessageFilter{}))
	w.clk.Set(time.Date(2026, 9, 28, 9, 0, 0, 0, loc))
	_, err = w.svc.Tick(ctx)
	w.must("tick", err)
	w.deliver()
	for _, m := range w.sim.Messages(larksim.MessageFilter{})[before:] {
		if strings.Contains(m.Content, "2026-W39") || strings.Contains(m.Content, "第39周") {
			t.Errorf("chased a filed weekly record: %s", m.Content)
		}
	}

	// 2. A text command: e1 asks for 待办 and files the quarterly summary
	// from the to-do card.
	_, err = w.sim.SendText(ctx, "ou_e1", "", "待办")
	w.must("send text", err)
	w.deliver()
	todo := w.lastCard("ou_e1", "todo")
	w.click(todo.MessageID, "ou_e1", larksim.RowButton([]byte(todo.Content), "季度小结"), nil)
	r = w.click(todo.MessageID, "ou_e1", "submit", map[string]any{"summary": "完成年度预算编制与三季度报表", "training": "参加财务培训2次"})
	if !strings.Contains(string(r.Card), "已提交") {
		t.Fatalf("quarterly submit card: %s", r.Card)
	}
	// HR asks for 进度: one of five summaries is in; unknown text gets help;
	// an employee may not see the progress.
	for _, m := range []struct{ from, text string }{{"ou_hr", "进度"}, {"ou_e2", "你好"}, {"ou_e2", "进度"}} {
		_, err = w.sim.SendText(ctx, m.from, "", m.text)
		w.must("send text", err)
	}
	w.deliver()
	if prog := w.lastCard("ou_hr", "chart"); !strings.Contains(prog.Content, "办公室") {
		t.Errorf("progress card lacks the unit: %s", prog.Content)
	}
	w.lastCard("ou_e2", "帮助")
	w.lastCard("ou_e2", "无权")
	for _, e := range emps[1:] {
		w.must("quarterly", w.svc.Submit(ctx, e, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3", Body: workflow.EntryBody{Summary: "完成本职工作"}}))
	}
	w.deliver()

	// 3. The chain for e1 by card: 初评 approves, 审定 sends back, 初评
	// approves again, 审定 and 评鉴 approve.
	loads := map[string]string{"ou_e1": "15", "ou_e2": "10", "ou_e3": "10", "ou_e4": "5", "ou_e5": "3"} // 100, 95, 95, 90, 88
	step := func(leader, person string, sendBack bool) {
		t.Helper()
		msg := w.lastCard(leader, names[indexOf(emps, person)])
		w.click(msg.MessageID, leader, "btn_1", nil)
		if sendBack {
			w.click(msg.MessageID, leader, "send_back", map[string]any{"reason": "工作负荷评分依据不足，请补充"})
			return
		}
		w.click(msg.MessageID, leader, "approve", fullS4(loads[person]))
	}
	step("ou_l1", "ou_e1", false)
	w.deliver()
	step("ou_s1", "ou_e1", true)
	w.deliver()
	ret := w.lastCard("ou_l1", "退回")
	w.click(ret.MessageID, "ou_l1", "btn_1", nil)
	w.click(ret.MessageID, "ou_l1", "approve", fullS4(loads["ou_e1"]))
	w.deliver()
	step("ou_s1", "ou_e1", false)
	w.deliver()
	step("ou_head", "ou_e1", false)
	w.deliver()
	// Everyone else's chain directly through the service.
	for _, e := range emps[1:] {
		for _, leader := range []string{"ou_l1", "ou_s1", "ou_head"} {
			st := pendingStep(t, w, e)
			var a *workflow.Assessment
			if leader == "ou_l1" {
				a = assessment(loads[e])
			}
			w.must("act", w.svc.Act(ctx, leader, workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove, Assessment: a}))
		}
	}
	w.deliver()

	// 4. Close: five assessed, 好 at most floor(40% × 5) = 2; e1 (100) keeps
	// it, e2 and e3 (95) tie for the last place: the committee decides.
	// HR closes from the "全部考核审核已完成" card.
	ready := w.lastCard("ou_hr", "全部考核审核已完成")
	w.click(ready.MessageID, "ou_hr", "btn_1", nil)
	w.deliver()
	tie := w.lastCard("ou_hr", "committee")
	w.click(tie.MessageID, "ou_hr", "btn_1", nil)
	r = w.click(tie.MessageID, "ou_hr", "submit", map[string]any{
		card.GradeField("ou_e2"): "好", card.DecisionReasonField("ou_e2"): "承担防汛任务，表现突出",
		card.GradeField("ou_e3"): "较好", card.DecisionReasonField("ou_e3"): "名额所限",
	})
	if !strings.Contains(string(r.Card), "已确认等次") {
		t.Fatalf("committee card: %s", r.Card)
	}

	// 5. 公示 by HR's text command: the group chat gets the 好 list, each
	// person their own result.
	pub, err := w.sim.SendText(ctx, "ou_hr", "", "公示 2026-Q3")
	w.must("send text", err)
	w.deliver()
	group := w.sim.Messages(larksim.MessageFilter{ChatID: publicChat})
	if len(group) != 1 || !strings.Contains(group[0].Content, "孙一") || !strings.Contains(group[0].Content, "周二") || strings.Contains(group[0].Content, "吴三") {
		t.Fatalf("公示 in the group: %d messages %v", len(group), group)
	}
	// Lark re-pushes the event as if the acknowledgement had been lost:
	// nothing is published, answered or audited again.
	hrBefore, auditBefore := len(w.sim.MessagesTo("ou_hr")), len(w.auditRows())
	if d, ok := w.sim.Repush(ctx, pub.EventID); !ok || !d.Acked {
		t.Fatalf("re-push of 公示: %+v %v", d, ok)
	}
	w.deliver()
	if n := len(w.sim.Messages(larksim.MessageFilter{ChatID: publicChat})); n != 1 {
		t.Errorf("after a re-push the group has %d 公示 messages, want 1", n)
	}
	if n, a := len(w.sim.MessagesTo("ou_hr")), len(w.auditRows()); n != hrBefore || a != auditBefore {
		t.Errorf("a re-pushed 公示 changed things: HR messages %d→%d, audit rows %d→%d", hrBefore, n, auditBefore, a)
	}
	// 我的考核 shows one's own result again.
	_, err = w.sim.SendText(ctx, "ou_e4", "", "我的考核")
	w.must("send text", err)
	w.deliver()
	wantGrade := map[string]string{"ou_e1": "好", "ou_e2": "好", "ou_e3": "较好", "ou_e4": "较好", "ou_e5": "较好"}
	for _, e := range emps {
		m := w.lastCard(e, "review")
		if !strings.Contains(m.Content, wantGrade[e]) {
			t.Errorf("%s result card lacks %s", e, wantGrade[e])
		}
	}

	// 6. 复核: e3 files by card; HR forwards; the committee raises the grade.
	res := w.lastCard("ou_e3", "review_form")
	r = w.click(res.MessageID, "ou_e3", "submit", map[string]any{"review_reason": "本人承担急难险重任务未计入"})
	if !strings.Contains(string(r.Card), "已提交") {
		t.Fatalf("review card: %s", r.Card)
	}
	w.deliver()
	// HR's 「去处理」 opens the request, not HR's own result; a stranger
	// learns nothing about it.
	req := w.lastCard("ou_hr", "申请复核")
	r = w.click(req.MessageID, "ou_hr", "btn_1", nil)
	if !strings.Contains(string(r.Card), "本人承担急难险重任务未计入") || !strings.Contains(string(r.Card), card.KindReviewForward) {
		t.Fatalf("HR's review card: %s", r.Card)
	}
	// A colleague forging the open button's value on a card of their own.
	own := w.lastCard("ou_e4", "review")
	forged := map[string]any{"k": card.KindOpen, "id": card.OpenID(card.FormReview, "2026-Q3/ou_e3"), "v": 0}
	if r, err := w.sim.ClickCard(ctx, own.MessageID, "ou_e4", forged, nil); err != nil || r.Toast == nil || r.Toast.Type != "error" ||
		strings.Contains(string(r.Card), "急难险重") {
		t.Fatalf("a colleague opening e3's review: %+v %v", r, err)
	}
	r = w.click(req.MessageID, "ou_hr", "forward", map[string]any{card.FieldReviewOpinion: "材料属实"})
	if !strings.Contains(string(r.Card), "已转考核委员会审议") {
		t.Fatalf("forward: %s", r.Card)
	}
	w.deliver()
	fwd := w.lastCard("ou_head", "复核")
	w.click(fwd.MessageID, "ou_head", "btn_1", nil)
	// 好 is full (2 of 5): raising e3 alone would push out e1, whom the
	// committee did not name, so it is refused with who would be pushed.
	rr, err := w.sim.ClickButton(ctx, fwd.MessageID, "ou_head", "decide", map[string]any{card.FieldReviewGrade: "好", card.FieldReviewDecision: "经复核，急难险重任务属实"})
	w.must("click decide", err)
	if rr.Toast == nil || rr.Toast.Type != "error" || !strings.Contains(rr.Toast.Content, "孙一降等") {
		t.Fatalf("a 复核 over the cap without naming who gives way: %+v", rr.Toast)
	}
	// The committee names e2, who won the tie with e3 at 95.
	r = w.click(fwd.MessageID, "ou_head", "decide", map[string]any{card.FieldReviewGrade: "好", card.FieldReviewDecision: "经复核，急难险重任务属实",
		card.FieldReviewDisplace: "ou_e2"})
	if !strings.Contains(string(r.Card), "调整为「好」") || !strings.Contains(string(r.Card), "周二让出名额") {
		t.Fatalf("decide: %s", r.Card)
	}
	w.deliver()
	if m := w.lastCard("ou_e3", "复核结果"); !strings.Contains(m.Content, "好") {
		t.Errorf("e3's review outcome: %s", m.Content)
	}
	if m := w.lastCard("ou_e2", "考核等次调整"); !strings.Contains(m.Content, "较好") {
		t.Errorf("e2 told of giving way: %s", m.Content)
	}
	good := 0
	for _, e := range emps {
		res, err := w.svc.Result(ctx, "ou_hr", "2026-Q3", e)
		w.must("result", err)
		if res.Grade == "好" {
			good++
		}
	}
	if good != 2 {
		t.Errorf("%d at 好 after the 复核, want the cap of 2", good)
	}

	// Every message Lark accepted is a valid 2.0 card, and the outbox is empty.
	for _, m := range w.sim.Messages(larksim.MessageFilter{MsgType: "interactive"}) {
		if err := larksim.ValidateCard([]byte(m.Content)); err != nil {
			t.Errorf("message %s: %v", m.MessageID, err)
		}
	}
	var pending []workflow.Notification
	w.must("outbox", w.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		pending, err = tx.Outbox(ctx, workflow.NotePending, 0, 100)
		return err
	}))
	if len(pending) != 0 {
		t.Errorf("%d notifications still pending", len(pending))
	}
	st := w.sim.Stats()
	b, _ := json.Marshal(st)
	t.Logf("larksim stats: %s", b)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func pendingStep(t *testing.T, w *world, person string) workflow.Step {
	t.Helper()
	var out workflow.Step
	w.must("steps", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		steps, err := tx.Steps(w.ctx, workflow.StepFilter{Period: "2026-Q3", Person: person, State: workflow.StepPending})
		if err != nil {
			return err
		}
		if len(steps) != 1 {
			t.Fatalf("%s has %d pending steps", person, len(steps))
		}
		out = steps[0]
		return nil
	}))
	return out
}
