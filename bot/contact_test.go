package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// TestSyncContacts reads departments, heads and members from the contact
// API through the SDK; a dry run lists the changes and writes nothing, the
// real run applies them.
func TestSyncContacts(t *testing.T) {
	w := newWorld(t, "cli_contacts", time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true}, workflow.Person{ID: "ou_old", Name: "老同志", Assessed: true})
	w.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-ju", Name: "局领导", LeaderOpenID: "ou_head"})
	w.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-bgs", Name: "办公室", ParentID: "od-ju", LeaderOpenID: "ou_lead"})
	for _, u := range []larksim.User{
		{OpenID: "ou_head", Name: "局长", DepartmentIDs: []string{"od-ju"}},
		{OpenID: "ou_lead", Name: "主任", DepartmentIDs: []string{"od-bgs"}},
		{OpenID: "ou_a", Name: "甲", DepartmentIDs: []string{"od-bgs"}},
		{OpenID: "ou_b", Name: "乙", DepartmentIDs: []string{"od-bgs"}},
	} {
		w.sim.MustAddUser(u)
	}
	lk, err := bot.NewLark(bot.LarkConfig{AppID: "cli_contacts", AppSecret: "secret", BaseURL: w.apiURL})
	w.must("lark", err)
	rep, err := w.bot.SyncContacts(w.ctx, lk, "ou_hr", true)
	w.must("dry run", err)
	changes := rep.Changes
	kinds := map[string]int{}
	for _, c := range changes {
		kinds[c.Kind]++
	}
	// The simulator's own directory also lists the users added by w.people.
	if kinds[contact.ChangeAddUnit] != 2 || kinds[contact.ChangeAddPerson] != 4 || kinds[contact.ChangeMissing] != 1 {
		t.Fatalf("dry run changes %v: %+v", kinds, changes)
	}
	var before int
	w.must("count", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		ps, err := tx.People(w.ctx)
		before = len(ps)
		return err
	}))
	if before != 2 {
		t.Fatalf("dry run wrote: %d people", before)
	}
	if _, err := w.bot.SyncContacts(w.ctx, lk, "ou_a", false); err == nil {
		t.Error("sync by a non-HR person was allowed")
	}
	_, err = w.bot.SyncContacts(w.ctx, lk, "ou_hr", false)
	w.must("sync", err)
	w.must("check", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		u, err := tx.Unit(w.ctx, "od-bgs")
		if err != nil {
			return err
		}
		if u.Leader != "ou_lead" || u.Supervisor != "ou_head" {
			t.Errorf("unit 办公室 = %+v, want leader ou_lead, supervisor ou_head", u)
		}
		p, err := tx.Person(w.ctx, "ou_a")
		if err != nil {
			return err
		}
		if p.Unit != "od-bgs" || !p.Assessed {
			t.Errorf("person 甲 = %+v", p)
		}
		return nil
	}))
	again, err := w.bot.SyncContacts(w.ctx, lk, "ou_hr", true)
	w.must("second dry run", err)
	for _, c := range again.Changes {
		if c.Kind != contact.ChangeMissing {
			t.Errorf("after sync still: %+v", c)
		}
	}

	// The same through the bot, as HR uses it: the dry run answers with the
	// list, "确认" imports.
	w.sim.MustAddUser(larksim.User{OpenID: "ou_c", Name: "丙", DepartmentIDs: []string{"od-bgs"}})
	_, err = w.sim.SendText(w.ctx, "ou_hr", "", "同步通讯录")
	w.must("send", err)
	// The event is answered at once; the directory is read as a job whose
	// result is a second message.
	w.deliver()
	w.lastCard("ou_hr", "正在读取飞书通讯录")
	w.bot.Wait()
	w.deliver()
	preview := w.lastCard("ou_hr", "通讯录同步（预览）")
	if !strings.Contains(preview.Content, "新增人员 丙") || !strings.Contains(preview.Content, "同步通讯录 确认") {
		t.Errorf("preview card: %s", preview.Content)
	}
	imp, err := w.sim.SendText(w.ctx, "ou_hr", "", "同步通讯录 确认")
	w.must("send", err)
	w.deliver()
	w.bot.Wait()
	w.deliver()
	w.lastCard("ou_hr", "已导入")
	w.must("check 丙", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		_, err := tx.Person(w.ctx, "ou_c")
		return err
	}))
	// Lark re-pushes the import as if the acknowledgement had been lost:
	// the directory is not read again and nothing is imported again.
	contactCalls := func() int {
		n := 0
		for api, c := range w.sim.Stats().Requests {
			if strings.HasPrefix(api, "contact.") {
				n += c
			}
		}
		return n
	}
	calls, answers := contactCalls(), len(w.sim.MessagesTo("ou_hr"))
	if d, ok := w.sim.Repush(w.ctx, imp.EventID); !ok || !d.Acked {
		t.Fatalf("re-push: %+v %v", d, ok)
	}
	w.deliver()
	w.bot.Wait()
	w.deliver()
	if c, a := contactCalls(), len(w.sim.MessagesTo("ou_hr")); c != calls || a != answers {
		t.Errorf("a re-pushed 同步通讯录 确认 ran again: contact API calls %d→%d, answers %d→%d", calls, c, answers, a)
	}
	_, err = w.sim.SendText(w.ctx, "ou_a", "", "同步通讯录")
	w.must("send", err)
	w.deliver()
	w.lastCard("ou_a", "无权")
}

// TestSyncContactsMovesSteps: 同步通讯录 finds that Lark names other leaders
// than kaohe has — 办公室's is a new member, 业务科's is outside the contact
// scope — and the pending steps go with the role: 甲's to the new leader,
// 乙's up to the 分管领导 (业务科 is left without a leader kaohe knows). The
// replaced leaders are told through Lark and can no longer approve.
func TestSyncContactsMovesSteps(t *testing.T) {
	w := newWorld(t, "cli_contact_steps", time.Date(2026, 7, 3, 10, 0, 0, 0, calendar.DefaultLocation()))
	w.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-ju", Name: "局领导", LeaderOpenID: "ou_head"})
	w.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-bgs", Name: "办公室", ParentID: "od-ju", LeaderOpenID: "ou_new"})
	w.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-ywk", Name: "业务科", ParentID: "od-ju", LeaderOpenID: "ou_outside"})
	for _, u := range []larksim.User{
		{OpenID: "ou_hr", Name: "政工科"},
		{OpenID: "ou_head", Name: "局长", DepartmentIDs: []string{"od-ju"}},
		{OpenID: "ou_new", Name: "新主任", DepartmentIDs: []string{"od-bgs"}},
		{OpenID: "ou_old", Name: "老主任", DepartmentIDs: []string{"od-bgs"}},
		{OpenID: "ou_a", Name: "甲", DepartmentIDs: []string{"od-bgs"}},
		{OpenID: "ou_l2", Name: "科长", DepartmentIDs: []string{"od-ywk"}},
		{OpenID: "ou_b", Name: "乙", DepartmentIDs: []string{"od-ywk"}},
		// A Lark user in no department the sync reads.
		{OpenID: "ou_outside", Name: "外单位"},
	} {
		w.sim.MustAddUser(u)
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "XX局", Head: "ou_head"},
		[]workflow.Unit{
			{ID: "od-ju", Name: "局领导", Leader: "ou_head"},
			{ID: "od-bgs", Name: "办公室", Leader: "ou_old", Supervisor: "ou_head"},
			{ID: "od-ywk", Name: "业务科", Leader: "ou_l2", Supervisor: "ou_head"},
		}, []workflow.Person{
			{ID: "ou_hr", Name: "政工科", HR: true},
			{ID: "ou_head", Name: "局长", Unit: "od-ju"},
			{ID: "ou_old", Name: "老主任", Unit: "od-bgs"},
			{ID: "ou_a", Name: "甲", Unit: "od-bgs", Group: "od-bgs", Assessed: true},
			{ID: "ou_l2", Name: "科长", Unit: "od-ywk"},
			{ID: "ou_b", Name: "乙", Unit: "od-ywk", Group: "od-ywk", Assessed: true},
		}))
	_, err := w.svc.OpenPeriod(w.ctx, "ou_hr", "2026-Q3")
	w.must("open", err)
	for _, p := range []string{"ou_a", "ou_b"} {
		w.must("summary", w.svc.Submit(w.ctx, p, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3",
			Body: workflow.EntryBody{Summary: "本季度工作小结", Training: "参加培训"}}))
	}
	step := func(person string) workflow.Step {
		t.Helper()
		var st []workflow.Step
		w.must("steps", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
			var err error
			st, err = tx.Steps(w.ctx, workflow.StepFilter{Person: person, State: workflow.StepPending})
			return err
		}))
		if len(st) != 1 {
			t.Fatalf("%s has %d pending steps", person, len(st))
		}
		return st[0]
	}
	if a, b := step("ou_a"), step("ou_b"); a.Assignee != "ou_old" || b.Assignee != "ou_l2" {
		t.Fatalf("before the sync: 甲's step with %s, 乙's with %s", a.Assignee, b.Assignee)
	}
	w.deliver()

	lk, err := bot.NewLark(bot.LarkConfig{AppID: "cli_contact_steps", AppSecret: "secret", BaseURL: w.apiURL})
	w.must("lark", err)
	preview, err := w.bot.SyncContacts(w.ctx, lk, "ou_hr", true)
	w.must("dry run", err)
	var said bool
	for _, c := range preview.Changes {
		said = said || (c.Kind == contact.ChangeUpdateUnit && c.ID == "od-ywk" && strings.Contains(c.Text, "不在通讯录范围内"))
	}
	if !said {
		t.Errorf("the dry run does not say 业务科's leader is outside the scope: %+v", preview)
	}
	_, err = w.bot.SyncContacts(w.ctx, lk, "ou_hr", false)
	w.must("sync", err)

	for _, c := range []struct{ person, from, to string }{{"ou_a", "ou_old", "ou_new"}, {"ou_b", "ou_l2", "ou_head"}} {
		st := step(c.person)
		if st.Assignee != c.to {
			t.Errorf("after the sync %s's step is with %s, want %s", c.person, st.Assignee, c.to)
			continue
		}
		err := w.svc.Act(w.ctx, c.from, workflow.StepAction{StepID: st.ID, Version: st.Version, Action: workflow.ActApprove,
			Assessment: &workflow.Assessment{Indicators: map[string]scoring.Dec{}}})
		if !errors.Is(err, workflow.ErrForbidden) {
			t.Errorf("the replaced leader %s approving: %v, want ErrForbidden", c.from, err)
		}
	}
	w.deliver()
	w.lastCard("ou_old", "改由新主任办理")
	w.lastCard("ou_l2", "改由局长办理")
	w.lastCard("ou_new", "待您初评")
	w.lastCard("ou_head", "待您初评")
	w.lastCard("ou_a", "改由新主任办理")
}
