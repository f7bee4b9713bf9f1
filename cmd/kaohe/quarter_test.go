package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// quarterOrg is the organisation of TestQuarterInChat under S8: one unit
// whose six staff are one 考核单元, its leader, a 分管领导, the 主管领导 and
// HR, and the 公示 group. No period is listed: the quarter opens by itself.
var quarterStaff = []struct{ id, name string }{
	{"ou_a1", "赵一"}, {"ou_a2", "钱二"}, {"ou_a3", "孙三"}, {"ou_a4", "李四"}, {"ou_a5", "周五"}, {"ou_a6", "吴六"},
}

// quarterScore is each person's total from the leader; 好 (≥ 90) for two
// of six stays within S8's 40% cap, so the committee only confirms.
var quarterScore = map[string]int{"ou_a1": 95, "ou_a2": 93, "ou_a3": 88, "ou_a4": 85, "ou_a5": 80, "ou_a6": 70}

// quarterBallot is what each voter gives every colleague: unusual numbers
// the log scan looks for.
func quarterBallot(voter string) string {
	return fmt.Sprintf("7%d.%d3", voter[len(voter)-1]-'0', voter[len(voter)-1]-'0')
}

// quarterSecret is written in every monthly record; no log line may carry
// it.
const quarterSecret = "机密个人小结"

// TestQuarterInChat is a quarter of an S8 unit run by people in Lark only
// (docs/sim.md): `kaohe sim` and `kaohe serve` (debug logs, webhook
// callbacks, the clock taken from the simulator) are separate processes,
// and the test only reads what arrives in chats, clicks cards and types
// commands. The quarter opens by itself and HR is told; at each month's
// end the reminder of S8's 个人小结 (its monthly record; it keeps no 周记实)
// brings each person a form; after the quarter the
// summary and vote reminders bring theirs; the leaders score from their
// to-do lists; the appraisal closes by itself and HR is told; the
// committee confirms; HR publishes 公示; a 复核 goes from the person to HR
// to the committee; the window closes by itself and HR records 备案. At
// the end serve's debug log carries no ballot, no form text and no
// credential (docs/reliability.md: no log line carries a ballot, a token
// or a secret).
func TestQuarterInChat(t *testing.T) {
	t.Parallel()
	const appID, appSecret = "cli_quarter", "app-secret-8f3e1d"
	org := map[string]any{
		"hr":       "ou_hr",
		"settings": map[string]any{"name": "财政局", "head": "ou_head", "public_chats": []string{"oc_public"}},
		"units":    []map[string]any{{"id": "u1", "name": "综合科", "leader": "ou_l1", "supervisor": "ou_s1"}},
		"people": []map[string]any{
			{"id": "ou_hr", "name": "政治处李", "hr": true, "committee": true},
			{"id": "ou_head", "name": "局长王", "committee": true},
			{"id": "ou_s1", "name": "副局长赵"},
			{"id": "ou_l1", "name": "科长钱", "unit": "u1"},
		},
	}
	for _, p := range quarterStaff {
		org["people"] = append(org["people"].([]map[string]any), map[string]any{"id": p.id, "name": p.name, "unit": "u1", "group": "g1", "assessed": true})
	}
	b, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	orgPath := writeFile(t, "org.json", string(b))
	// 2026-10-09 is the first working day after 国庆.
	sim := startSimProc(t, "--org", orgPath, "--app-id", appID, "--app-secret", appSecret,
		"--verification-token", testToken, "--encrypt-key", testKey,
		"--start", "2026-10-09T08:55:00+08:00", "--callback-timeout", "10s")
	serve := startServeProc(t, []string{
		"KAOHE_APP_ID=" + appID, "KAOHE_APP_SECRET=" + appSecret, "KAOHE_BASE_URL=" + sim.url, "KAOHE_SCHEME=s8",
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_STORAGE=memory", "KAOHE_ORG=" + orgPath, "KAOHE_CLOCK_URL=" + sim.url + "/_sim/clock",
		"KAOHE_RELAY_INTERVAL=30ms", "KAOHE_TICK_INTERVAL=50ms", "KAOHE_LOG_LEVEL=debug", "KAOHE_SHUTDOWN_TIMEOUT=2s",
		"KAOHE_DATABASE_URL=", "KAOHE_CLOCK_FILE=", "KAOHE_REMINDER_GRACE=720h",
	})
	ctx := context.Background()
	c := simclient.New(sim.url)
	hook := "http://" + serve.addr + WebhookPath
	if _, err := c.Configure(ctx, simclient.Config{CallbackURL: &hook, Verify: true}); err != nil {
		t.Fatalf("configure the webhook: %v", err)
	}
	sc, err := scoring.Builtin("s8")
	if err != nil {
		t.Fatal(err)
	}
	d := story.NewDriver(ctx, c, io.Discard)
	d.Scheme, d.Secret, d.Ballot = sc, quarterSecret, quarterBallot
	d.Scores = quarterScore
	// 孙三 (88) is directly determined 好 at the first step (承担急难险重任务);
	// the later steps keep the choice the card carries forward.
	d.Direct = map[string]string{"ou_a3": "top:0"}
	var staff []string
	for _, p := range quarterStaff {
		d.Names[p.id] = p.name
		staff = append(staff, p.id)
	}
	for id, name := range map[string]string{"ou_hr": "政治处李", "ou_head": "局长王", "ou_s1": "副局长赵", "ou_l1": "科长钱"} {
		d.Names[id] = name
	}
	if err := story.Play(func() { quarterInChat(d, staff) }); err != nil {
		t.Fatalf("%v\n--- sim\n%s\n--- serve\n%s", err, tail(sim.logs.String(), 4000), tail(serve.logs.String(), 8000))
	}

	// serve's stdout is its own: the SDK's dispatcher prints its ready line
	// there when built, which main filters out.
	if o := serve.out.String(); strings.Contains(o, "[Info]") {
		t.Errorf("serve's stdout carries an SDK line:\n%s", o)
	}

	// The log scan.
	out := serve.logs.String()
	if !strings.Contains(out, "level=DEBUG") && !strings.Contains(out, `"level":"DEBUG"`) {
		t.Errorf("serve wrote no debug lines: the scan would prove nothing")
	}
	leaks := []string{quarterSecret, appSecret, testToken, testKey, "form_value", "Bearer"}
	for _, p := range quarterStaff {
		leaks = append(leaks, quarterBallot(p.id))
	}
	for _, leak := range leaks {
		if strings.Contains(out, leak) {
			i := strings.Index(out, leak)
			t.Errorf("serve's log carries %q: …%s…", leak, out[max(0, i-200):min(len(out), i+100)])
		}
	}
	// The simulator's control API does not hand out the tokens it issued,
	// so they are looked for by their shape: a card's update token (c- and
	// 40 hex digits, in every callback) and the tenant and app access
	// tokens (t- or a- and 40 letters or digits, in every API request).
	for _, tok := range larkTokens {
		if loc := tok.re.FindStringIndex(out); loc != nil {
			t.Errorf("serve's log carries a %s: …%s…", tok.name, out[max(0, loc[0]-200):min(len(out), loc[1]+100)])
		}
	}
	if os.Getenv("KAOHE_QUARTER_LOG") != "" {
		t.Log(out)
	}
}

// larkTokens are the shapes of the simulator's tokens, for log scans.
var larkTokens = []struct {
	name string
	re   *regexp.Regexp
}{
	{"card update token", regexp.MustCompile(`\bc-[0-9a-f]{40}\b`)},
	{"tenant or app access token", regexp.MustCompile(`\b[ta]-[0-9A-Za-z]{40}\b`)},
}

// quarterInChat is the quarter as its people play it (TestQuarterInChat).
func quarterInChat(d *story.Driver, staff []string) {
	cal := calendar.Default()
	// The quarter opens by itself on its first working day, and HR is told.
	d.At(time.Date(2026, 10, 9, 9, 5, 0, 0, calendar.DefaultLocation()))
	d.Wait("ou_hr", "考核已开启")

	// Day by day: the afternoon before each month's last working day the
	// reminder brings the 个人小结 form; each person fills it from the
	// reminder's button. Nothing is owed at the start: S8 keeps no 周记实,
	// so the week of 国庆 is not asked for.
	for _, p := range staff {
		if n := d.ClearTodo(p); n != 0 {
			d.Fail("%s filled %d records from the 待办 at the start, want none", d.Name(p), n)
		}
	}
	for day := calendar.NewDate(2026, 10, 9); day.Before(calendar.NewDate(2027, 1, 1)); day = day.AddDays(1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		d.At(cal.At(day, 15, 5))
		d.AnswerReminders(staff, nil)
	}
	// The leader writes a 点评 on a 月小结 from the to-do list; the person
	// reads it.
	todo := d.Type("ou_l1", "待办", "我的待办")
	b := larksim.RowButton(todo.Card, "点评")
	if b == "" {
		d.Fail("the leader's to-do list has no 月小结 to comment: %s", todo.Content)
	}
	r := d.Click(todo, "ou_l1", b, nil, "")
	who := ""
	for _, p := range quarterStaff {
		if strings.Contains(string(r.Card), "月小结："+p.name) {
			who = p.id
		}
	}
	d.Click(todo, "ou_l1", "comment", map[string]any{card.FieldRemark: "目标明确，完成较好"}, "已点评")
	if who == "" {
		d.Fail("点评 card for no one known: %s", r.Card)
	}
	if m := d.Wait(who, "目标明确，完成较好"); !m.Contains("点评") {
		d.Fail("the 点评 did not reach %s: %s", who, m.Content)
	}

	// The W53 record (to 2027-01-03) and the summary and vote reminders
	// come in the new year; by the summaries' deadline (6 January)
	// everyone has answered, and anything a reminder missed is on their
	// 待办.
	day := calendar.NewDate(2027, 1, 4)
	for ; !day.After(calendar.NewDate(2027, 1, 6)); day = day.AddDays(1) {
		d.At(cal.At(day, 15, 5))
		d.AnswerReminders(staff, nil)
	}
	for _, p := range staff {
		d.ClearTodo(p)
	}
	// S8's 分管领导 votes with the 考核单元 without being rated: the vote is
	// on 副局长赵's 待办 too, and the appraisal waits for it.
	if n := d.ClearTodo("ou_s1"); n != 1 {
		d.Fail("副局长赵 filled %d forms from the 待办, want the one vote", n)
	}

	// The chain: 初评 by the unit leader, 审定 by the 分管领导, 评鉴 by the
	// 主管领导, each from their to-do list.
	for _, leader := range []string{"ou_l1", "ou_s1", "ou_head"} {
		if got := d.Steps(leader); len(got) != len(staff) {
			d.Fail("%s decided %d steps, want %d", leader, len(got), len(staff))
		}
	}
	// Every chain is done and the 民主测评 is over: the appraisal closes by
	// itself at serve's next tick, and HR is told.
	d.Wait("ou_hr", "全部考核审核已完成")
	if closed := d.Wait("ou_hr", "考核已自动结束"); !closed.Contains("参加考核：6人") {
		d.Fail("HR's notice of the closing: %s", closed.Content)
	}
	confirm := d.Wait("ou_head", "请确认考核等次")
	d.Click(confirm, "ou_head", "btn_1", nil, "")
	d.Click(confirm, "ou_head", "confirm", nil, "已确认等次")

	// 公示 by HR; everyone gets their result.
	d.Type("ou_hr", "公示", "公示已发布")
	pub := d.Wait("oc_public", "平时考核结果公示")
	// 好 is capped at two of six: 孙三's direct determination holds, 钱二
	// (93, the lower of the scored two) is demoted by the quota.
	for _, id := range []string{"ou_a1", "ou_a3"} {
		if !pub.Contains(d.Name(id)) {
			d.Fail("公示 lacks %s: %s", d.Name(id), pub.Content)
		}
	}
	if pub.Contains(d.Name("ou_a2")) {
		d.Fail("公示 lists 钱二, whom the quota demoted: %s", pub.Content)
	}
	res := d.Wait("ou_a6", "review_form")
	d.Click(res, "ou_a6", "submit", map[string]any{card.FieldReviewReason: "防汛值守加分未计入"}, "已提交")
	req := d.Wait("ou_hr", "申请复核")
	d.Click(req, "ou_hr", "btn_1", nil, "")
	d.Click(req, "ou_hr", "forward", map[string]any{card.FieldReviewOpinion: "请委员会审议"}, "已转考核委员会审议")
	fwd := d.Wait("ou_head", "请审议复核申请")
	d.Click(fwd, "ou_head", "btn_1", nil, "")
	d.Click(fwd, "ou_head", "decide", map[string]any{card.FieldReviewGrade: "一般", card.FieldReviewDecision: "加分材料不足，维持"}, "已作出复核决定")
	d.Wait("ou_a6", "复核结果")

	// 反馈: the leader's card from the reminder; the person reads it.
	fb := d.Wait("ou_l1", "请开展考核结果反馈谈话")
	d.Click(fb, "ou_l1", "btn_1", nil, "")
	d.Click(fb, "ou_l1", "submit", map[string]any{card.FieldFeedbackPerson: "ou_a6", card.FieldFeedbackStrengths: "按时完成预算编制",
		card.FieldFeedbackProblems: "材料报送不及时", card.FieldFeedbackRequests: "加强时间管理"}, "已向吴六发送反馈")
	if m := d.Wait("ou_a6", "考核结果反馈"); !m.Contains("加强时间管理") {
		d.Fail("吴六's 反馈: %s", m.Content)
	}

	// The 复核 window closes by itself; HR records 备案.
	d.At(cal.At(day.AddDays(30), 10, 0))
	d.Type("ou_hr", "备案", "已备案")

	// The year, from the quarter it had: HR composes it, the committee
	// confirms the drafted grades, HR publishes and each person is told.
	yc := d.Type("ou_hr", "年度 2026", "2026年度考核")
	d.Click(yc, "ou_hr", "btn_1", nil, "已提交考核委员会审定")
	yr := d.Wait("ou_head", "请审定2026年度考核等次")
	d.Click(yr, "ou_head", "btn_1", nil, "")
	d.Click(yr, "ou_head", "submit", nil, "已确认")
	d.Wait("ou_hr", "2026年度考核等次已确认")
	d.Type("ou_hr", "公示", "公示已发布")
	d.Wait("ou_a1", "2026年度考核结果")
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
