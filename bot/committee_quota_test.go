package bot_test

import (
	"context"
	"fmt"
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

// newSchemeWorld is newWorld under another scheme, with the service's
// configuration tweaked.
func newSchemeWorld(t *testing.T, appID, scheme string, start time.Time, tweak func(*workflow.Config)) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), clk: clock.NewFake(start), cal: calendar.Default(), store: memory.New()}
	sc, err := scoring.Builtin(scheme)
	if err != nil {
		t.Fatal(err)
	}
	cfg := workflow.Config{Store: w.store, Clock: w.clk, Calendar: w.cal, Scheme: sc, ManualOpen: true}
	if tweak != nil {
		tweak(&cfg)
	}
	if w.svc, err = workflow.New(cfg); err != nil {
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

// quotaWorld sets up 综合科 with ten assessed staff (ou_e01..ou_e10, 干部01..),
// its leader, HR, the 主管领导 and a committee member ou_c1, and runs q up
// to the chains' end with assess; HR closes it.
func quotaWorld(t *testing.T, scheme string, assess func(id string) *workflow.Assessment, tweak func(*workflow.Config)) (*world, []string) {
	t.Helper()
	loc := calendar.DefaultLocation()
	w := newSchemeWorld(t, "cli_"+scheme+"_quota", scheme, time.Date(2026, 7, 1, 10, 0, 0, 0, loc), tweak)
	ctx := w.ctx
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科", HR: true},
		{ID: "ou_head", Name: "局长", Committee: true},
		{ID: "ou_c1", Name: "委员甲", Committee: true},
		{ID: "ou_s1", Name: "副局长"},
		{ID: "ou_l1", Name: "科长", Unit: "u1"},
	}
	var staff []string
	for i := 1; i <= 10; i++ {
		id := fmt.Sprintf("ou_e%02d", i)
		staff = append(staff, id)
		people = append(people, workflow.Person{ID: id, Name: fmt.Sprintf("干部%02d", i), Unit: "u1", Group: "u1", Assessed: true})
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.must("setup", w.svc.Setup(ctx, "ou_hr", workflow.Settings{Name: "某局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "综合科", Leader: "ou_l1", Supervisor: "ou_s1"}}, people))
	const q = "2026-Q2"
	_, err := w.svc.OpenPeriod(ctx, "ou_hr", q)
	w.must("open", err)
	cp := calendar.MustParsePeriod(q)
	for _, p := range staff {
		for wk := calendar.PeriodContaining(calendar.Week, cp.Start()); !wk.Start().After(cp.End()); wk = wk.Next() {
			if cp.Contains(wk.Start().AddDays(3)) {
				w.must("weekly", w.svc.Submit(ctx, p, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: wk.String(),
					Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}))
			}
		}
		w.must("summary", w.svc.Submit(ctx, p, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: q, Body: workflow.EntryBody{Summary: "完成本职工作"}}))
	}
	for {
		var steps []workflow.Step
		w.must("steps", w.store.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			steps, err = tx.Steps(ctx, workflow.StepFilter{Period: q, State: workflow.StepPending})
			return err
		}))
		if len(steps) == 0 {
			break
		}
		for _, st := range steps {
			a := workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove}
			if st.Index == 0 {
				a.Assessment = assess(st.Person)
			}
			w.must("act", w.svc.Act(ctx, st.Assignee, a))
		}
	}
	w.must("close", w.svc.CloseAppraisal(ctx, "ou_hr", q))
	w.deliver()
	return w, staff
}

// committeeCard opens the committee card from the member's notice and
// returns the message it is on.
func (w *world) committeeCard(member, notice string) larksim.Message {
	w.t.Helper()
	m := w.lastCard(member, notice)
	r := w.click(m.MessageID, member, "btn_1", nil)
	if !strings.Contains(string(r.Card), "考核委员会审定") {
		w.t.Fatalf("去审定 did not open the committee card: %s", r.Card)
	}
	return m
}

// content is a message's card as it now stands.
func (w *world) content(id string) string {
	w.t.Helper()
	m, ok := w.sim.Message(id)
	if !ok {
		w.t.Fatalf("no message %s", id)
	}
	return m.Content
}

func (w *world) grade(q, person string) string {
	w.t.Helper()
	r, err := w.svc.Result(w.ctx, "ou_hr", q, person)
	w.must("result", err)
	if r.State == scoring.StatePending {
		return "pending"
	}
	return r.Grade
}

// auditCount counts the audit rows of an action that were not denials,
// and the denials by actor.
func (w *world) auditCount(action, deniedActor string) (done, denied int) {
	w.t.Helper()
	for _, r := range w.auditRows() {
		switch {
		case r.Denied && r.Actor == deniedActor:
			denied++
		case !r.Denied && r.Action == action:
			done++
		}
	}
	return
}

// TestCommitteeFloorByCard: under S5 (A between 20% and 30%), ten people
// with one A. The committee's card shows the shortfall with the people
// next in line and no confirm button; an employee pressing its button is
// refused in Chinese and audited once; the member raises 干部02 from the
// card, which answers with the card as it now stands (with the confirm
// button); the same click delivered again answers the same and acts once;
// the old card's button is refused as stale; then the grades are
// confirmed.
func TestCommitteeFloorByCard(t *testing.T) {
	t.Parallel()
	grade := map[string]string{"ou_e03": "A", "ou_e06": "C", "ou_e09": "C", "ou_e10": "D"}
	w, staff := quotaWorld(t, "s5", func(id string) *workflow.Assessment {
		g := grade[id]
		if g == "" {
			g = "B"
		}
		return &workflow.Assessment{Grade: g, Comment: "认真"}
	}, func(c *workflow.Config) {
		c.Chains = map[string][]workflow.ChainStep{"": {{Role: workflow.RoleUnitLeader, Name: "评鉴"}}, "@leader": {{Role: workflow.RoleHead, Name: "评鉴"}}}
	})
	ctx := w.ctx
	const q = "2026-Q2"
	msg := w.committeeCard("ou_c1", "请确认考核等次")
	content := w.content(msg.MessageID)
	for _, want := range []string{"至少2人（共10人），现有1人，还差1人", "干部01（B）", card.KindQuotaRaise, card.KindQuotaKeep} {
		if !strings.Contains(content, want) {
			t.Errorf("committee card lacks %q", want)
		}
	}
	if strings.Contains(content, card.KindConfirm) {
		t.Errorf("the card offers to confirm below the floor")
	}
	p, err := w.svc.Period(ctx, q)
	w.must("period", err)
	raiseID := card.QuotaID(q, 0)
	form := map[string]any{card.FloorPeopleField(0): []any{"ou_e02"}, card.FloorReasonField(0): "牵头完成专项整治"}

	// A stranger (an employee) pressing the raise button, forged on a
	// card of their own.
	_, err = w.sim.SendText(ctx, "ou_e05", "", "帮助")
	w.must("send text", err)
	w.deliver()
	_, before := w.auditCount("committee.quota", "ou_e05")
	r, err := w.sim.ClickCard(ctx, w.lastCard("ou_e05", "帮助").MessageID, "ou_e05", map[string]any{"k": card.KindQuotaRaise, "id": raiseID, "v": p.Version}, form)
	w.must("stranger click", err)
	if r.Toast == nil || r.Toast.Content != workflow.Message(workflow.ErrForbidden) {
		t.Errorf("stranger: toast %+v, want %q", r.Toast, workflow.Message(workflow.ErrForbidden))
	}
	if _, after := w.auditCount("committee.quota", "ou_e05"); after != before+1 {
		t.Errorf("stranger's click audited %d times, want once", after-before)
	}

	// Every quota button, pressed by an employee or by someone outside the
	// organisation with an empty form: the same 无权, one denial each.
	for i, k := range []string{card.KindQuotaRaise, card.KindQuotaKeep, card.KindQuotaCap} {
		for _, who := range []string{"ou_e05", "ou_outsider"} {
			_, before := w.auditCount("", who)
			ev := clickEvent(fmt.Sprintf("stranger-%d-%s", i, who), who, k, workflow.Step{}, map[string]any{})
			ev.Event.Action.Value = map[string]any{"k": k, "id": raiseID, "v": float64(p.Version)}
			r, _ := w.bot.OnCardAction(ctx, ev)
			if got := toastOf(r); got != "error:"+workflow.Message(workflow.ErrForbidden) {
				t.Errorf("%s by %s: %q", k, who, got)
			}
			if _, after := w.auditCount("", who); after != before+1 {
				t.Errorf("%s by %s: %d denials audited, want 1", k, who, after-before)
			}
		}
	}

	// The member raises 干部02; the answer is the card as it now stands.
	ev := clickEvent("quota-raise-1", "ou_c1", card.KindQuotaRaise, workflow.Step{}, form)
	ev.Event.Action.Value = map[string]any{"k": card.KindQuotaRaise, "id": raiseID, "v": float64(p.Version)}
	first, _ := w.bot.OnCardAction(ctx, ev)
	again, _ := w.bot.OnCardAction(ctx, ev)
	if toastOf(first) != "success:已将1人审定为「A」" || toastOf(again) != toastOf(first) {
		t.Fatalf("raise: %q, again %q", toastOf(first), toastOf(again))
	}
	if first.Card == nil || !strings.Contains(fmt.Sprintf("%s", first.Card.Data), card.KindConfirm) {
		t.Errorf("the answer is not the committee card with its confirm button: %+v", first.Card)
	}
	if n, _ := w.auditCount("committee.quota", ""); n != 1 {
		t.Errorf("the raise acted %d times, want once", n)
	}
	if g := w.grade(q, "ou_e02"); g != "A" {
		t.Errorf("干部02 = %s, want A", g)
	}
	// The same button pressed again on the old card (a new click): stale.
	r, err = w.sim.ClickButton(ctx, msg.MessageID, "ou_c1", "floor_0_raise", map[string]any{card.FloorPeopleField(0): []any{"ou_e01"}, card.FloorReasonField(0): "x"})
	w.must("stale click", err)
	if r.Toast == nil || r.Toast.Content != workflow.Message(workflow.ErrStale) {
		t.Errorf("old card: toast %+v, want the stale message", r.Toast)
	}
	if g := w.grade(q, "ou_e01"); g != "B" {
		t.Errorf("a stale click raised 干部01 to %s", g)
	}
	// The committee card opened anew shows the confirm button; confirm.
	_, err = w.sim.SendText(ctx, "ou_c1", "", "审定")
	w.must("send text", err)
	w.deliver()
	cm := w.lastCard("ou_c1", card.KindConfirm)
	r = w.click(cm.MessageID, "ou_c1", "confirm", nil)
	if !strings.Contains(string(r.Card), "已确认等次") {
		t.Fatalf("confirm: %s", r.Card)
	}
	n := 0
	for _, p := range staff {
		if w.grade(q, p) == "A" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d A after confirming, want 2 (20%% of 10)", n)
	}
}

// TestCommitteeCapByCard: under S1 (优秀 within 40%, at most 50%), six of
// ten at 90 or more. The card offers raising the cap to 5; the member
// raises it with a reason, and the card that comes back shows the two at
// 93 tied for the fifth place; the member decides them and confirms.
// Keeping a shortfall is refused here (the floor is met: there is none).
func TestCommitteeCapByCard(t *testing.T) {
	t.Parallel()
	total := map[string]int{"ou_e01": 98, "ou_e02": 96, "ou_e03": 95, "ou_e04": 94, "ou_e05": 93, "ou_e06": 93, "ou_e07": 85, "ou_e08": 80, "ou_e09": 75, "ou_e10": 70}
	w, _ := quotaWorld(t, "s1", func(id string) *workflow.Assessment {
		j := scoring.IntDec(int64(total[id] - 60))
		return &workflow.Assessment{Indicators: map[string]scoring.Dec{"德": scoring.D("15"), "能": scoring.D("15"), "勤": scoring.D("15"),
			"业务工作": j, "联系村和中心工作": j, "廉": scoring.D("15")}}
	}, nil)
	ctx := w.ctx
	const q = "2026-Q2"
	msg := w.committeeCard("ou_c1", "请确认考核等次")
	content := w.content(msg.MessageID)
	for _, want := range []string{"一般不超过40%（4人），经考核委员会研究最多可至50%（5人）", "因名额降等或并列：干部05、干部06", card.KindQuotaCap, card.KindConfirm} {
		if !strings.Contains(content, want) {
			t.Errorf("committee card lacks %q", want)
		}
	}
	if w.grade(q, "ou_e05") != "称职" {
		t.Fatalf("干部05 = %s before raising, want 称职", w.grade(q, "ou_e05"))
	}
	r := w.click(msg.MessageID, "ou_c1", "cap_0_submit", map[string]any{card.CapCountField(0): "5", card.CapReasonField(0): "本季度防汛任务重"})
	if r.Toast == nil || r.Toast.Content != "已将「优秀」名额核定为5人" || !strings.Contains(string(r.Card), card.GradeField("ou_e05")) {
		t.Fatalf("raise the cap: toast %+v card %s", r.Toast, r.Card)
	}
	if w.grade(q, "ou_e05") != "pending" || w.grade(q, "ou_e06") != "pending" {
		t.Errorf("after raising: 干部05 %s, 干部06 %s, want both tied", w.grade(q, "ou_e05"), w.grade(q, "ou_e06"))
	}
	r = w.click(msg.MessageID, "ou_c1", "submit", map[string]any{
		card.GradeField("ou_e05"): "优秀", card.DecisionReasonField("ou_e05"): "防汛一线",
		card.GradeField("ou_e06"): "称职", card.DecisionReasonField("ou_e06"): "名额所限",
	})
	if !strings.Contains(string(r.Card), "已确认等次") {
		t.Fatalf("decide and confirm: %s", r.Card)
	}
	pd, err := w.svc.Period(ctx, q)
	w.must("period", err)
	if pd.State != workflow.PeriodConfirmed || len(pd.Overrides) != 1 || pd.Overrides[0].MaxCount != 5 || pd.Overrides[0].By != "ou_c1" {
		t.Errorf("period %s, overrides %+v", pd.State, pd.Overrides)
	}
}

// TestCommitteeReturnByCard (S4): the 科长 gave all ten 89. The committee
// card lists the scorer under 评分区分度 with the form that sends the
// scores back; an employee or an outsider pressing it is refused in
// Chinese and audited once; the member's click, delivered twice, answers
// the same and reopens the appraisal once; the 科长 gets each person back
// saying it was the committee; the old card is stale.
func TestCommitteeReturnByCard(t *testing.T) {
	t.Parallel()
	w, staff := quotaWorld(t, "s4", func(string) *workflow.Assessment { return assessment("4") }, nil) // 89 each
	ctx := w.ctx
	const q = "2026-Q2"
	msg := w.committeeCard("ou_c1", "请确认考核等次")
	if c := w.content(msg.MessageID); !strings.Contains(c, card.KindUniformReturn) || !strings.Contains(c, "科长（综合科）评定10人") {
		t.Fatalf("committee card: %s", c)
	}
	p, err := w.svc.Period(ctx, q)
	w.must("period", err)
	form := map[string]any{card.FieldReturnLine: "0", card.FieldReturnReason: "十人均为89分，请拉开档次"}
	for i, who := range []string{"ou_e05", "ou_outsider"} {
		_, before := w.auditCount("", who)
		ev := clickEvent(fmt.Sprintf("return-stranger-%d", i), who, card.KindUniformReturn, workflow.Step{}, form)
		ev.Event.Action.Value = map[string]any{"k": card.KindUniformReturn, "id": q, "v": float64(p.Version)}
		r, _ := w.bot.OnCardAction(ctx, ev)
		if got := toastOf(r); got != "error:"+workflow.Message(workflow.ErrForbidden) {
			t.Errorf("return by %s: %q", who, got)
		}
		if _, after := w.auditCount("", who); after != before+1 {
			t.Errorf("return by %s: %d denials audited, want 1", who, after-before)
		}
	}
	ev := clickEvent("return-1", "ou_c1", card.KindUniformReturn, workflow.Step{}, form)
	ev.Event.Action.Value = map[string]any{"k": card.KindUniformReturn, "id": q, "v": float64(p.Version)}
	first, _ := w.bot.OnCardAction(ctx, ev)
	again, _ := w.bot.OnCardAction(ctx, ev)
	if toastOf(first) != "success:已退回重评" || toastOf(again) != toastOf(first) {
		t.Fatalf("return: %q, again %q", toastOf(first), toastOf(again))
	}
	if n, _ := w.auditCount("committee.return", ""); n != 1 {
		t.Errorf("the return acted %d times, want once", n)
	}
	if p, _ := w.svc.Period(ctx, q); p.State != workflow.PeriodOpen {
		t.Errorf("period %s after the return, want open", p.State)
	}
	w.deliver()
	back := 0
	for _, m := range w.sim.MessagesTo("ou_l1") {
		if strings.Contains(m.Content, "考核被退回重评") && strings.Contains(m.Content, "十人均为89分") {
			back++
		}
	}
	if back != len(staff) {
		t.Errorf("the 科长 got %d send-backs, want %d", back, len(staff))
	}
	r, err := w.sim.ClickButton(ctx, msg.MessageID, "ou_c1", "return_submit", form)
	w.must("stale click", err)
	if r.Toast == nil || r.Toast.Content != workflow.Message(workflow.ErrStale) {
		t.Errorf("old card: %+v", r.Toast)
	}
}
