package bot_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// syncWorld is a world whose organisation is the HR officer alone, with
// a directory in the simulator to sync from: root → 局领导 (局长) → 办公室
// (主任; 甲, 乙), and 王副局长 placed in the root department only.
func syncWorld(t *testing.T, appID string) *world {
	t.Helper()
	w := newWorld(t, appID, time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	addDirectory(w)
	return w
}

func addDirectory(w *world) {
	w.people(workflow.Person{ID: "ou_hr", Name: "政工科", HR: true})
	w.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-ju", Name: "局领导", LeaderOpenID: "ou_head"})
	w.sim.MustAddDepartment(larksim.Department{OpenDepartmentID: "od-bgs", Name: "办公室", ParentID: "od-ju", LeaderOpenID: "ou_lead"})
	for _, u := range []larksim.User{
		{OpenID: "ou_head", Name: "局长", DepartmentIDs: []string{"od-ju"}, JobTitle: "局长"},
		{OpenID: "ou_dep", Name: "王副局长", DepartmentIDs: []string{"0"}, JobTitle: "副局长"},
		{OpenID: "ou_lead", Name: "主任", DepartmentIDs: []string{"od-bgs"}, JobTitle: "主任"},
		{OpenID: "ou_a", Name: "甲", DepartmentIDs: []string{"od-bgs"}, JobTitle: "科长"},
		{OpenID: "ou_b", Name: "乙", DepartmentIDs: []string{"od-bgs"}, JobTitle: "科员"},
	} {
		w.sim.MustAddUser(u)
	}
}

// syncAs sends 同步通讯录 (with arg) as who, lets the job finish and
// returns the card that reached them with want in it.
func (w *world) syncAs(who, arg, want string) larksim.Message {
	w.t.Helper()
	text := "同步通讯录"
	if arg != "" {
		text += " " + arg
	}
	_, err := w.sim.SendText(w.ctx, who, "", text)
	w.must("send", err)
	w.deliver()
	w.bot.Wait()
	w.deliver()
	return w.lastCard(who, want)
}

func (w *world) person(id string) (workflow.Person, bool) {
	w.t.Helper()
	var p workflow.Person
	var found bool
	w.must("read", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		var err error
		p, err = tx.Person(w.ctx, id)
		found = err == nil
		return nil
	}))
	return p, found
}

// TestSyncRootMembers: people placed directly in the root department are
// read too (the department list never includes the root): the preview
// names them, and the import stores them in no unit and not appraised.
func TestSyncRootMembers(t *testing.T) {
	w := syncWorld(t, "cli_sync_root")
	preview := w.syncAs("ou_hr", "", "通讯录同步（预览）")
	if !strings.Contains(preview.Content, "新增人员 王副局长（根部门，未分配科室），默认不参加考核") {
		t.Errorf("the preview does not name the root member: %s", preview.Content)
	}
	w.syncAs("ou_hr", "确认", "通讯录同步（已导入）")
	p, ok := w.person("ou_dep")
	if !ok || p.Unit != "" || p.Assessed || p.Name != "王副局长" {
		t.Errorf("root member after the import: %+v (found %v), want 王副局长 in no unit, not appraised", p, ok)
	}
	if a, _ := w.person("ou_a"); a.Unit != "od-bgs" || !a.Assessed {
		t.Errorf("甲 = %+v", a)
	}
}

// allContactScopes are the API scope and every field scope the sync
// needs (docs/lark-app.md §3).
func allContactScopes() []string {
	s := []string{"contact:contact.base:readonly", "im:message:send_as_bot"}
	for _, f := range contact.FieldScopes() {
		s = append(s, f.ID)
	}
	return s
}

// TestSyncMissingFieldScopes: without a field scope Lark leaves its fields
// out; the preview names the scope to grant and where, shows no changes,
// and 确认 is refused and audited, importing nothing — rather than people
// named by their ids, units without leaders, or the resigned.
func TestSyncMissingFieldScopes(t *testing.T) {
	for _, sc := range contact.FieldScopes() {
		t.Run(sc.ID, func(t *testing.T) {
			w := syncWorld(t, "cli_sync_fields")
			var scopes []string
			for _, s := range allContactScopes() {
				if s != sc.ID {
					scopes = append(scopes, s)
				}
			}
			w.sim.SetScopes(scopes)
			preview := w.syncAs("ou_hr", "", "缺少字段权限")
			for _, want := range []string{sc.ID, sc.Label, "权限管理", "创建版本并发布"} {
				if !strings.Contains(preview.Content, want) {
					t.Errorf("the preview lacks %q: %s", want, preview.Content)
				}
			}
			if strings.Contains(preview.Content, "同步通讯录 确认") || strings.Contains(preview.Content, "新增人员") {
				t.Errorf("the preview offers an import of blanks: %s", preview.Content)
			}
			denials := len(w.auditRows())
			refused := w.syncAs("ou_hr", "确认", "未导入")
			if !strings.Contains(refused.Content, sc.ID) {
				t.Errorf("the refusal does not name %s: %s", sc.ID, refused.Content)
			}
			if _, ok := w.person("ou_a"); ok {
				t.Error("确认 imported a directory with blanks")
			}
			var rows []workflow.AuditEntry
			for _, r := range w.auditRows()[denials:] {
				if r.Action == "contact.sync" && r.Denied {
					rows = append(rows, r)
				}
			}
			if len(rows) != 1 || !strings.Contains(rows[0].Detail, sc.ID) {
				t.Errorf("the refused import's audit rows: %+v", rows)
			}
			// Granted (and published), the same commands work.
			w.sim.SetScopes(allContactScopes())
			w.syncAs("ou_hr", "确认", "通讯录同步（已导入）")
			if p, ok := w.person("ou_a"); !ok || p.Name != "甲" {
				t.Errorf("after the grant 甲 = %+v", p)
			}
		})
	}
}

// TestSyncMissingAPIScope: without any scope the contact API takes, Lark
// answers 99991672 naming them; HR is told which to grant instead of 系统繁忙.
func TestSyncMissingAPIScope(t *testing.T) {
	w := syncWorld(t, "cli_sync_api")
	w.sim.SetScopes([]string{"im:message:send_as_bot"})
	c := w.syncAs("ou_hr", "", "通讯录同步：缺少权限")
	for _, want := range []string{"contact:contact.base:readonly", "contact:department.organize:readonly", "未导入任何数据", "权限管理"} {
		if !strings.Contains(c.Content, want) {
			t.Errorf("the card lacks %q: %s", want, c.Content)
		}
	}
}

// TestSyncContactRange: a contact data scope of chosen departments cannot
// list the root (40004); HR is told to set it to 全部成员, and where.
func TestSyncContactRange(t *testing.T) {
	w := syncWorld(t, "cli_sync_range")
	w.sim.SetContactRange(&larksim.ContactRange{Departments: []string{"od-bgs"}})
	c := w.syncAs("ou_hr", "确认", "通讯录权限范围不足")
	for _, want := range []string{"全部成员", "数据权限", "通讯录权限范围", "未导入任何数据"} {
		if !strings.Contains(c.Content, want) {
			t.Errorf("the card lacks %q: %s", want, c.Content)
		}
	}
	if _, ok := w.person("ou_a"); ok {
		t.Error("imported with a partial contact scope")
	}
}

// TestSyncRenames: names changed in Lark — a person's and a unit's — are
// listed in the preview and applied on 确认, each with its audit row.
func TestSyncRenames(t *testing.T) {
	w := syncWorld(t, "cli_sync_rename")
	w.syncAs("ou_hr", "确认", "通讯录同步（已导入）")
	w.must("rename", w.sim.UpdateUser("ou_a", func(u *larksim.User) { u.Name = "甲甲" }))
	w.must("rename", w.sim.UpdateDepartment("od-bgs", func(d *larksim.Department) { d.Name = "综合办公室" }))
	preview := w.syncAs("ou_hr", "", "通讯录同步（预览）")
	for _, want := range []string{"甲 更名为 甲甲", "科室「办公室」更名为「综合办公室」"} {
		if !strings.Contains(preview.Content, want) {
			t.Errorf("the preview lacks %q: %s", want, preview.Content)
		}
	}
	w.syncAs("ou_hr", "确认", "已导入2项变更")
	if p, _ := w.person("ou_a"); p.Name != "甲甲" {
		t.Errorf("person after the import: %+v", p)
	}
	w.must("unit", w.store.InTx(w.ctx, func(tx workflow.Tx) error {
		u, err := tx.Unit(w.ctx, "od-bgs")
		if u.Name != "综合办公室" || u.Leader != "ou_lead" {
			t.Errorf("unit after the import: %+v", u)
		}
		return err
	}))
	audited := map[string]string{}
	for _, r := range w.auditRows() {
		if r.Action == "person.rename" || r.Action == "unit.rename" {
			audited[r.Action+" "+r.Object] = r.Detail
		}
	}
	if audited["person.rename ou_a"] != "name 甲 -> 甲甲: 通讯录同步" || audited["unit.rename od-bgs"] != "name 办公室 -> 综合办公室: 通讯录同步" {
		t.Errorf("rename audit rows: %v", audited)
	}
	w.syncAs("ou_hr", "", "无需同步")
}

// tierWorld is a world under S2 (tiers 正科/副科/其他) whose bot maps
// Lark's job titles to tiers.
func tierWorld(t *testing.T, appID string, opts contact.Options) *world {
	t.Helper()
	w := newWorld(t, appID, time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	sc, err := scoring.Builtin("s2")
	w.must("scheme", err)
	w.svc, err = workflow.New(workflow.Config{Store: w.store, Clock: w.clk, Calendar: w.cal, Scheme: sc})
	w.must("service", err)
	lk, err := bot.NewLark(bot.LarkConfig{AppID: appID, AppSecret: "secret", BaseURL: w.apiURL})
	w.must("lark", err)
	w.bot, err = bot.New(bot.Config{Service: w.svc, Store: w.store, Calendar: w.cal, Clock: w.clk, VerificationToken: verifyToken,
		EncryptKey: encryptKey, Lark: lk, Contact: opts})
	w.must("bot", err)
	h, err := w.bot.Handler()
	w.must("handler", err)
	hook := httptest.NewServer(h)
	t.Cleanup(hook.Close)
	w.sim.Configure(larksim.WebhookConfig{CallbackURL: hook.URL, EventURL: hook.URL, VerificationToken: verifyToken, EncryptKey: encryptKey})
	w.relay = &bot.Relay{Store: w.store, Sender: lk, Render: w.bot.Render, Limiter: ratelimit.NewMemory(w.clk), Clock: w.clk,
		Sleep: func(_ context.Context, d time.Duration) error { w.clk.Advance(d); return nil }}
	return w
}

// TestSyncTiers: HR's mapping of job titles to tiers (bot.Config.Contact)
// sets the tier of new people, the preview shows each tier and who is
// left without one, and a changed title changes the tier on 确认.
func TestSyncTiers(t *testing.T) {
	opts := contact.Options{TierBy: contact.TierByJobTitle, Tiers: map[string]string{"科长": "正科", "主任": "正科", "副科长": "副科"}}
	w := tierWorld(t, "cli_sync_tiers", opts)
	addDirectory(w)
	preview := w.syncAs("ou_hr", "", "通讯录同步（预览）")
	for _, want := range []string{"新增人员 甲（办公室，职级 正科）", "新增人员 主任（办公室，职级 正科）", "职务未对应职级", "乙（科员）"} {
		if !strings.Contains(preview.Content, want) {
			t.Errorf("the preview lacks %q: %s", want, preview.Content)
		}
	}
	w.syncAs("ou_hr", "确认", "通讯录同步（已导入）")
	if a, _ := w.person("ou_a"); a.Tier != "正科" {
		t.Errorf("甲's tier %q, want 正科", a.Tier)
	}
	if b, _ := w.person("ou_b"); b.Tier != "" {
		t.Errorf("乙's tier %q, want none (科员 is not mapped)", b.Tier)
	}
	w.must("title", w.sim.UpdateUser("ou_a", func(u *larksim.User) { u.JobTitle = "副科长" }))
	preview = w.syncAs("ou_hr", "", "通讯录同步（预览）")
	if !strings.Contains(preview.Content, "甲 职级：正科 → 副科（飞书：副科长）") {
		t.Errorf("the preview does not show the new tier: %s", preview.Content)
	}
	w.syncAs("ou_hr", "确认", "通讯录同步（已导入）")
	if a, _ := w.person("ou_a"); a.Tier != "副科" {
		t.Errorf("甲's tier %q after the title changed, want 副科", a.Tier)
	}
	if _, err := bot.New(bot.Config{Service: w.svc, Store: w.store, Contact: contact.Options{TierBy: contact.TierByJobTitle,
		Tiers: map[string]string{"科长": "处级"}}}); err == nil {
		t.Error("a mapping to a tier the scheme does not have was accepted")
	}
}

// TestSyncJobResumed: the process stops while a 同步通讯录 确认 job reads
// the directory (Lark will not push the acknowledged event again); the
// next process resumes the job from the store and imports once, HR gets
// one result, and the job's watch never tells HR it was lost.
func TestSyncJobResumed(t *testing.T) {
	w := syncWorld(t, "cli_sync_resume")
	release := make(chan struct{})
	hold := w.sim.AddFault(larksim.Fault{API: larksim.APIDeptChildren, Count: 1, Release: release, Status: 500})
	_, err := w.sim.SendText(w.ctx, "ou_hr", "", "同步通讯录 确认")
	w.must("send", err)
	w.deliver()
	w.lastCard("ou_hr", "正在读取飞书通讯录")
	<-hold.Stalled() // the first process's job is inside the directory read

	lk, err := bot.NewLark(bot.LarkConfig{AppID: "cli_sync_resume", AppSecret: "secret", BaseURL: w.apiURL})
	w.must("lark", err)
	next, err := bot.New(bot.Config{Service: w.svc, Store: w.store, Calendar: w.cal, Clock: w.clk, Lark: lk})
	w.must("bot", err)
	n, err := next.ResumeJobs(w.ctx)
	w.must("resume", err)
	if n != 1 {
		t.Fatalf("resumed %d jobs, want 1", n)
	}
	next.Wait()
	w.deliver()
	w.lastCard("ou_hr", "通讯录同步（已导入）")
	if p, ok := w.person("ou_a"); !ok || p.Unit != "od-bgs" {
		t.Errorf("甲 after the resumed import: %+v", p)
	}
	// The first process's request, answered at last, changes nothing.
	close(release)
	w.bot.Wait()
	w.clk.Advance(syncWatchAfter)
	w.deliver()
	var results []string
	for _, m := range w.sim.MessagesTo("ou_hr") {
		if strings.Contains(m.Content, "通讯录同步") {
			results = append(results, m.Content)
		}
	}
	if len(results) != 1 {
		t.Errorf("HR got %d sync results, want 1: %q", len(results), results)
	}
	if n, err := next.ResumeJobs(w.ctx); err != nil || n != 0 {
		t.Errorf("a finished job resumed again: %d %v", n, err)
	}
	setups := 0
	for _, r := range w.auditRows() {
		if r.Action == "org.setup" && !r.Denied {
			setups++
		}
	}
	if setups != 2 { // HR's own setup, and the import
		t.Errorf("%d org.setup rows, want 2", setups)
	}
}

// syncWatchAfter is past a sync job's deadline and its grace.
const syncWatchAfter = 11 * time.Minute

// TestSyncJobLost: a job the process lost and nobody resumed in time is
// not resumed late; its watch tells HR that the sync did not finish.
func TestSyncJobLost(t *testing.T) {
	w := syncWorld(t, "cli_sync_lost")
	release := make(chan struct{})
	hold := w.sim.AddFault(larksim.Fault{API: larksim.APIDeptChildren, Count: 1, Release: release, Status: 500})
	_, err := w.sim.SendText(w.ctx, "ou_hr", "", "同步通讯录")
	w.must("send", err)
	w.deliver()
	<-hold.Stalled()
	if w.deliver() != 0 {
		t.Error("the watch went out before its time")
	}
	w.clk.Advance(syncWatchAfter)
	n, err := w.bot.ResumeJobs(w.ctx)
	if err != nil || n != 0 {
		t.Errorf("a job past its watch resumed: %d %v", n, err)
	}
	w.deliver()
	w.lastCard("ou_hr", "服务中断")
	close(release)
	w.bot.Wait()
}

// TestSyncTiersCustomField: tiers read from a custom field; when Lark
// returns the field for nobody, the preview says the admin must allow API
// access to it.
func TestSyncTiersCustomField(t *testing.T) {
	opts := contact.Options{TierBy: contact.TierByCustomAttr + "C-grade", Tiers: map[string]string{"正科级": "正科", contact.TierOther: "其他"}}
	w := tierWorld(t, "cli_sync_attr", opts)
	addDirectory(w)
	preview := w.syncAs("ou_hr", "", "通讯录同步（预览）")
	if !strings.Contains(preview.Content, "允许开放平台 API 调用") {
		t.Errorf("the preview does not say the field is not returned: %s", preview.Content)
	}
	w.must("attr", w.sim.UpdateUser("ou_a", func(u *larksim.User) { u.CustomAttrs = map[string]string{"C-grade": "正科级"} }))
	w.must("attr", w.sim.UpdateUser("ou_b", func(u *larksim.User) { u.CustomAttrs = map[string]string{"C-grade": "科员级"} }))
	preview = w.syncAs("ou_hr", "", "通讯录同步（预览）")
	for _, want := range []string{"新增人员 甲（办公室，职级 正科）", "新增人员 乙（办公室，职级 其他）"} {
		if !strings.Contains(preview.Content, want) {
			t.Errorf("the preview lacks %q: %s", want, preview.Content)
		}
	}
	if strings.Contains(preview.Content, "允许开放平台 API 调用") {
		t.Errorf("the preview still says the field is not returned: %s", preview.Content)
	}
}

// TestSyncKeepsVoteGroups: the 考核单元 HR named 王副局长 a voter of on his
// 人员 card are not in Lark's directory; a later sync that renames him,
// moves him into 局领导 and adds someone keeps them.
func TestSyncKeepsVoteGroups(t *testing.T) {
	w := syncWorld(t, "cli_sync_votegroups")
	w.syncAs("ou_hr", "确认", "通讯录同步（已导入）")
	dep, _ := w.person("ou_dep")
	w.must("name voter", w.svc.SetVoteGroups(w.ctx, "ou_hr", "ou_dep", dep.Version, []string{"od-bgs"}))
	w.must("rename", w.sim.UpdateUser("ou_dep", func(u *larksim.User) {
		u.Name, u.DepartmentIDs = "王副局长（常务）", []string{"od-ju"}
	}))
	w.sim.MustAddUser(larksim.User{OpenID: "ou_c", Name: "丙", DepartmentIDs: []string{"od-bgs"}, JobTitle: "科员"})
	w.syncAs("ou_hr", "确认", "通讯录同步（已导入）")
	dep, _ = w.person("ou_dep")
	if dep.Name != "王副局长（常务）" || dep.Unit != "od-ju" || fmt.Sprint(dep.VoteGroups) != "[od-bgs]" {
		t.Errorf("王副局长 after the sync: %+v, want renamed, in od-ju, still voting in od-bgs", dep)
	}
}
