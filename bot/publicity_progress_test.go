package bot_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestProgressShowsPublicityReads: HR publishes 2026-Q3 by typing 公示; the
// notice reaches the 公示 group; people read it in the client (POST
// /_sim/read); HR's 进度 then says how many of the organisation have read
// it, who has not and how many readers are from outside, and 刷新 shows a
// later reader. Four days on the records of the week have been pruned and
// the line is still there; after Lark's 7 days it says Lark no longer
// tells; without the read scope it names the scope to grant.
func TestProgressShowsPublicityReads(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	w := newWorld(t, "cli_progress_reads", time.Date(2026, 10, 13, 9, 0, 0, 0, loc))
	people := []workflow.Person{
		{ID: "ou_hr", Name: "政工科李", HR: true, Committee: true}, {ID: "ou_head", Name: "局长王", Committee: true},
		{ID: "ou_l1", Name: "科长钱", Unit: "u1"},
		{ID: "ou_e1", Name: "孙一", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e2", Name: "周二", Unit: "u1", Group: "u1", Assessed: true},
		{ID: "ou_e3", Name: "吴三", Unit: "u1", Group: "u1", Assessed: true},
	}
	for _, p := range people {
		w.sim.MustAddUser(larksim.User{OpenID: p.ID, Name: p.Name})
	}
	w.sim.MustAddUser(larksim.User{OpenID: "ou_guest", Name: "市局督查组"})
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head", PublicChats: []string{"oc_public"}},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	w.sim.MustAddChat(larksim.Chat{ChatID: "oc_public", Type: larksim.ChatGroup, Name: "XX局公示群", BotMember: true,
		Members: []string{"ou_hr", "ou_head", "ou_l1", "ou_e1", "ou_e2", "ou_guest"}})
	cp := calendar.MustParsePeriod("2026-Q3")
	w.must("seed", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		err := tx.CreatePeriod(w.ctx, workflow.Period{ID: "2026-Q3", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodConfirmed, Version: 1})
		if err != nil {
			return err
		}
		for _, p := range people[3:] {
			d := scoring.D("90")
			if err := tx.PutResult(w.ctx, workflow.Result{Period: "2026-Q3", Person: p.ID, Grade: "好", Score: &d,
				State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
	say := func(text string) larksim.Message {
		t.Helper()
		_, err := w.sim.SendText(w.ctx, "ou_hr", "", text)
		w.must("send "+text, err)
		w.deliver()
		return w.lastCard("ou_hr", "考核进度")
	}
	// Before the 公示 there is no such section. HR may type a period in
	// lower case (docs/operations.md): 进度 and 公示 take "2026-q3".
	if prog := say("进度 2026-q3"); strings.Contains(prog.Content, "公示已读") {
		t.Fatalf("进度 before the 公示 shows read receipts:\n%s", prog.Content)
	}
	_, err := w.sim.SendText(w.ctx, "ou_hr", "", "公示 2026-q3")
	w.must("publish", err)
	w.deliver()
	pub := w.sim.Messages(larksim.MessageFilter{ChatID: "oc_public"})
	if len(pub) != 1 {
		t.Fatalf("%d messages in the 公示 group, want the notice", len(pub))
	}

	// People read it as the client does, through the control interface.
	srv := httptest.NewServer(larksim.NewControl(w.sim, larksim.ControlOptions{}))
	t.Cleanup(srv.Close)
	sc := simclient.New(srv.URL)
	read := func(who string) {
		t.Helper()
		w.clk.Advance(time.Minute)
		if _, err := sc.Read(w.ctx, simclient.ReadMessage{MessageID: pub[0].MessageID, User: who}); err != nil {
			t.Fatalf("%s reads the 公示: %v", who, err)
		}
	}
	for _, who := range []string{"ou_e2", "ou_guest", "ou_e1"} {
		read(who)
	}
	prog := say("进度 2026-Q3")
	// 6 people: 孙一 and 周二 read it; the others have not, in the store's
	// order of people (by id; 吴三 is not even in the group).
	for _, want := range []string{"**公示已读情况**", "公示已读 2/6（XX局公示群）", "未读：吴三、局长王、政工科李、科长钱",
		"另有1名本单位以外人员已读"} {
		if !strings.Contains(prog.Content, want) {
			t.Errorf("进度 lacks %q:\n%s", want, prog.Content)
		}
	}

	read("ou_l1")
	r := w.click(prog.MessageID, "ou_hr", "refresh", nil)
	if c := string(r.Card); !strings.Contains(c, "公示已读 3/6（XX局公示群）") || !strings.Contains(c, "未读：吴三、局长王、政工科李；") {
		t.Errorf("刷新 after 科长钱 read it:\n%s", c)
	}

	w.clk.Advance(4 * 24 * time.Hour)
	w.must("prune", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		_, err := tx.Prune(w.ctx, workflow.DefaultRetention.Before(w.clk.Now()), 0)
		return err
	}))
	if prog := say("进度 2026-Q3"); !strings.Contains(prog.Content, "公示已读 3/6（XX局公示群）") {
		t.Errorf("进度 four days into the 公示, after a prune:\n%s", prog.Content)
	}

	w.sim.SetScopes([]string{"im:message:send_as_bot"})
	if prog := say("进度 2026-Q3"); !strings.Contains(prog.Content, "XX局公示群：<font color='grey'>飞书应用未开通权限 im:message:readonly") {
		t.Errorf("进度 without the read scope:\n%s", prog.Content)
	}
	w.sim.SetScopes(nil)

	w.clk.Advance(3 * 24 * time.Hour)
	prog = say("进度 2026-Q3")
	if !strings.Contains(prog.Content, "公示发出已超过7天，飞书不再提供已读情况") || strings.Contains(prog.Content, "公示已读 3/6") {
		t.Errorf("进度 after Lark's 7 days:\n%s", prog.Content)
	}
}
