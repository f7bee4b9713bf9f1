package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/bot/larksim"
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
	changes, err := w.bot.SyncContacts(w.ctx, lk, "ou_hr", "0", true)
	w.must("dry run", err)
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
	if _, err := w.bot.SyncContacts(w.ctx, lk, "ou_a", "0", false); err == nil {
		t.Error("sync by a non-HR person was allowed")
	}
	_, err = w.bot.SyncContacts(w.ctx, lk, "ou_hr", "0", false)
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
	again, err := w.bot.SyncContacts(w.ctx, lk, "ou_hr", "0", true)
	w.must("second dry run", err)
	for _, c := range again {
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
	preview := w.lastCard("ou_hr", "预览")
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
