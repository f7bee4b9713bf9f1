package bot_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// filingWorld is a world with one unit and a closed 2026-Q3 whose results
// stand: what HR files.
func filingWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, "cli_filing", time.Date(2026, 10, 28, 10, 0, 0, 0, calendar.DefaultLocation()))
	people := []workflow.Person{
		{ID: "ou_hr", Name: "何敏", HR: true}, {ID: "ou_head", Name: "张国强"}, {ID: "ou_l1", Name: "吴建华", Unit: "u1"},
		{ID: "ou_e1", Name: "王晓明", Unit: "u1", Assessed: true}, {ID: "ou_e2", Name: "李芳", Unit: "u1", Assessed: true},
	}
	for _, p := range people {
		if _, err := w.sim.AddUser(larksim.User{OpenID: p.ID, Name: p.Name}); err != nil {
			t.Fatal(err)
		}
	}
	w.must("setup", w.svc.Setup(w.ctx, "ou_hr", workflow.Settings{Name: "县财政局", Head: "ou_head"},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: "ou_l1", Supervisor: "ou_head"}}, people))
	cp := calendar.MustParsePeriod("2026-Q3")
	w.must("seed", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		if err := tx.CreatePeriod(w.ctx, workflow.Period{ID: "2026-Q3", Kind: workflow.KindQuarter, Start: cp.Start(), End: cp.End(),
			State: workflow.PeriodClosed, FilingDue: calendar.NewDate(2026, 11, 6), Version: 1}); err != nil {
			return err
		}
		for id, g := range map[string]string{"ou_e1": "好", "ou_e2": "较好"} {
			if err := tx.PutResult(w.ctx, workflow.Result{Period: "2026-Q3", Person: id, Grade: g, State: scoring.StateGraded, Version: 1}); err != nil {
				return err
			}
		}
		return nil
	}))
	return w
}

// files returns the file messages the bot sent to a user.
func (w *world) files(to string) []larksim.Message {
	var out []larksim.Message
	for _, m := range w.sim.MessagesTo(to) {
		if m.MsgType == "file" {
			out = append(out, m)
		}
	}
	return out
}

// openFile downloads a file message through the simulator's control
// interface, as a person opens it, and opens it as a workbook.
func (w *world) openFile(m larksim.Message) (simclient.File, *excelize.File) {
	w.t.Helper()
	ctl := httptest.NewServer(larksim.NewControl(w.sim, larksim.ControlOptions{}))
	defer ctl.Close()
	key := simclient.FileOf(simclient.Message{MsgType: m.MsgType, Content: m.Content})
	f, err := simclient.New(ctl.URL).File(w.ctx, key)
	if err != nil {
		w.t.Fatalf("download %s: %v", key, err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.Data))
	if err != nil {
		w.t.Fatalf("%s does not open: %v", f.Name, err)
	}
	w.t.Cleanup(func() { _ = x.Close() })
	return f, x
}

func (w *world) deniedRows() int {
	n := 0
	for _, r := range w.auditRows() {
		if r.Denied {
			n++
		}
	}
	return n
}

// TestFilingTablesByCommand: HR types 备案表 and gets the scheme's form as a
// file message that opens as a workbook with the period's people; another
// table by its name; a stranger is refused in Chinese, audited once, and
// gets no file.
func TestFilingTablesByCommand(t *testing.T) {
	t.Parallel()
	w := filingWorld(t)
	if _, err := w.sim.SendText(w.ctx, "ou_hr", "", "备案表 2026-Q3"); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	w.lastCard("ou_hr", "备案表已生成")
	fs := w.files("ou_hr")
	if len(fs) != 1 {
		t.Fatalf("%d file messages, want 1", len(fs))
	}
	f, x := w.openFile(fs[0])
	if f.Name != "2026年第三季度公务员平时考核登记表.xlsx" || f.Type != "stream" {
		t.Errorf("file %q of type %q", f.Name, f.Type)
	}
	if got, _ := x.GetCellValue("办公室", "C4"); got != "王晓明" {
		t.Errorf("first form's name = %q", got)
	}
	if got, _ := x.GetCellValue("办公室", "C17"); got != "李芳" {
		t.Errorf("second form's name = %q", got)
	}

	if _, err := w.sim.SendText(w.ctx, "ou_hr", "", "备案表 2026-Q3 公示"); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	fs = w.files("ou_hr")
	if len(fs) != 2 {
		t.Fatalf("%d file messages, want 2", len(fs))
	}
	if _, x := w.openFile(fs[1]); x.GetSheetList()[0] != "公示名单" {
		t.Errorf("公示 sheets %v", x.GetSheetList())
	}

	if _, err := w.sim.SendText(w.ctx, "ou_hr", "", "备案表 2026-Q3 工资表"); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	w.lastCard("ou_hr", "没有名为「工资表」的表格")

	denied := w.deniedRows()
	if _, err := w.sim.SendText(w.ctx, "ou_e1", "", "备案表 2026-Q3"); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	w.lastCard("ou_e1", workflow.Message(workflow.ErrForbidden))
	if got := w.deniedRows(); got != denied+1 {
		t.Errorf("denied rows %d → %d, want one more", denied, got)
	}
	if n := len(w.files("ou_e1")); n != 0 {
		t.Errorf("the stranger got %d files", n)
	}
}

// TestFilingTablesButton: the 备案 reminder's 发送备案表 button sends the
// form; the same click delivered twice answers the same and sends one
// file; a stranger's click is refused with the 无权 answer and audited
// once; an old card (the period has moved on since) still sends what
// stands now, since nothing is changed by it.
func TestFilingTablesButton(t *testing.T) {
	t.Parallel()
	w := filingWorld(t)
	w.queue(workflow.Notification{Key: workflow.DedupeKey("filing-due"), To: "ou_hr", Template: workflow.TplFilingDue,
		Data: map[string]string{"period": "2026-Q3", "due": "2026-11-06"}})
	w.deliver()
	msg := w.lastCard("ou_hr", "发送备案表")
	r := w.click(msg.MessageID, "ou_hr", "btn_2", nil)
	if r.Toast == nil || r.Toast.Content != "已生成1份备案表，稍后以文件发送" {
		t.Fatalf("toast %+v", r.Toast)
	}
	w.deliver()
	if n := len(w.files("ou_hr")); n != 1 {
		t.Fatalf("%d files after one click", n)
	}

	ctx := context.Background()
	click := func(event, op string) string {
		ev := clickEvent(event, op, card.KindFilingTables, workflow.Step{}, nil)
		ev.Event.Action.Value = map[string]any{"k": card.KindFilingTables, "id": "2026-Q3", "v": float64(0)}
		r, _ := w.bot.OnCardAction(ctx, ev)
		return toastOf(r)
	}
	first, again := click("ev-twice", "ou_hr"), click("ev-twice", "ou_hr")
	if first != again || !strings.HasPrefix(first, "success:") {
		t.Errorf("double click: %q then %q", first, again)
	}
	w.deliver()
	if n := len(w.files("ou_hr")); n != 2 {
		t.Errorf("%d files after a double click, want one more", n)
	}

	denied := w.deniedRows()
	if got := click("ev-stranger", "ou_e1"); got != "error:"+workflow.Message(workflow.ErrForbidden) {
		t.Errorf("stranger: %q", got)
	}
	if got := w.deniedRows(); got != denied+1 {
		t.Errorf("denied rows %d → %d, want one more", denied, got)
	}
	w.deliver()
	if n := len(w.files("ou_e1")); n != 0 {
		t.Errorf("the stranger got %d files", n)
	}

	// The card is old: the period was filed since. The button still sends
	// the forms as they stand.
	w.must("filed", w.svc.MarkFiled(ctx, "ou_hr", "2026-Q3"))
	w.click(msg.MessageID, "ou_hr", "btn_2", nil)
	w.deliver()
	if n := len(w.files("ou_hr")); n != 3 {
		t.Errorf("%d files after the old card's click, want 3", n)
	}
}

// TestFilingTablesWithoutScope: an app without the upload scope tells HR
// which scope to grant, and sends nothing.
func TestFilingTablesWithoutScope(t *testing.T) {
	t.Parallel()
	w := filingWorld(t)
	w.sim.SetScopes([]string{"im:message:send_as_bot"})
	if _, err := w.sim.SendText(w.ctx, "ou_hr", "", "备案表 2026-Q3"); err != nil {
		t.Fatal(err)
	}
	w.deliver()
	w.lastCard("ou_hr", "飞书应用未开通上传文件所需的权限（im:resource、im:resource:upload")
	if n := len(w.files("ou_hr")); n != 0 {
		t.Errorf("%d files sent without the scope", n)
	}
}
