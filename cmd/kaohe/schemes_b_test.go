package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Issue 11, part B: S6, S7, S9 and S10 each run their own cycle through
// the simulator, as people do in Lark (`kaohe sim` and `kaohe serve` as
// processes; the test only reads cards, clicks and types): one quarter
// played from the reminders with the records, chain, raters and quota the
// scheme's seed gives, then the year. Each serve runs its scheme as the
// organisation's default (KAOHE_SCHEME), and its chain from a config
// file. The full year of S7 and S9 plays the other quarters quickly (the
// staff clear their 待办 when the summaries are due, the leaders score,
// the committee confirms, HR publishes); set KAOHE_FULL=1 for S10's year.

// bStaff is the one unit's six assessed staff, in every scheme's test.
var bStaff = []struct{ id, name string }{
	{"ou_a1", "赵一"}, {"ou_a2", "钱二"}, {"ou_a3", "孙三"}, {"ou_a4", "李四"}, {"ou_a5", "周五"}, {"ou_a6", "吴六"},
}

const (
	bHR     = "ou_hr"
	bHead   = "ou_head"
	bSup    = "ou_s1"
	bLeader = "ou_l1"
	bPublic = "oc_public"
)

// bWorld is one scheme's simulator, serve and driver.
type bWorld struct {
	t     *testing.T
	d     *story.Driver
	sim   *simProc
	serve *serveProc
	cal   *calendar.Calendar
	staff []string
}

// startSchemeB starts `kaohe sim` and `kaohe serve` under scheme with the
// chains of chainsYAML (serve's config file), for the unit 综合科 of the
// six staff of staffTier; a leaderTier puts the unit's leader in the
// appraisal too, of that tier. The clock starts on the evening before
// 2026's first working day.
func startSchemeB(t *testing.T, scheme, chainsYAML, staffTier, leaderTier string) *bWorld {
	appID, appSecret := "cli_"+scheme, "app-secret-"+scheme
	leader := map[string]any{"id": bLeader, "name": "科长钱", "unit": "u1"}
	if leaderTier != "" {
		leader["assessed"], leader["group"], leader["tier"] = true, "g1", leaderTier
	}
	org := map[string]any{
		"hr":       bHR,
		"settings": map[string]any{"name": "局机关", "head": bHead, "public_chats": []string{bPublic}},
		"units":    []map[string]any{{"id": "u1", "name": "综合科", "leader": bLeader, "supervisor": bSup}},
		"people": []map[string]any{
			{"id": bHR, "name": "政治处李", "hr": true, "committee": true},
			{"id": bHead, "name": "局长王", "committee": true},
			{"id": bSup, "name": "副局长赵"},
			leader,
		},
	}
	for _, p := range bStaff {
		org["people"] = append(org["people"].([]map[string]any), map[string]any{"id": p.id, "name": p.name, "unit": "u1", "group": "g1", "assessed": true, "tier": staffTier})
	}
	b, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	orgPath := writeFile(t, "org.json", string(b))
	cfgPath := writeFile(t, "kaohe.yaml", chainsYAML)
	sim := startSimProc(t, "--org", orgPath, "--app-id", appID, "--app-secret", appSecret,
		"--verification-token", testToken, "--encrypt-key", testKey,
		"--start", "2026-01-03T20:00:00+08:00", "--callback-timeout", "10s")
	serve := startServeProc(t, []string{
		"KAOHE_CONFIG=" + cfgPath,
		"KAOHE_APP_ID=" + appID, "KAOHE_APP_SECRET=" + appSecret, "KAOHE_BASE_URL=" + sim.url, "KAOHE_SCHEME=" + scheme,
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_STORAGE=memory", "KAOHE_ORG=" + orgPath, "KAOHE_CLOCK_URL=" + sim.url + "/_sim/clock",
		"KAOHE_RELAY_INTERVAL=30ms", "KAOHE_TICK_INTERVAL=50ms", "KAOHE_LOG_LEVEL=info", "KAOHE_SHUTDOWN_TIMEOUT=2s",
		"KAOHE_DATABASE_URL=", "KAOHE_CLOCK_FILE=",
	})
	ctx := context.Background()
	c := simclient.New(sim.url)
	hook := "http://" + serve.addr + WebhookPath
	if _, err := c.Configure(ctx, simclient.Config{CallbackURL: &hook, Verify: true}); err != nil {
		t.Fatalf("configure the webhook: %v", err)
	}
	sc, err := scoring.Builtin(scheme)
	if err != nil {
		t.Fatal(err)
	}
	var out io.Writer = io.Discard
	if os.Getenv("KAOHE_SCHEMES_LOG") != "" {
		out = testWriter{t}
	}
	d := story.NewDriver(ctx, c, out)
	d.Scheme, d.Secret = sc, "记实"
	w := &bWorld{t: t, d: d, sim: sim, serve: serve, cal: calendar.Default()}
	for _, p := range bStaff {
		d.Names[p.id] = p.name
		w.staff = append(w.staff, p.id)
	}
	for id, name := range map[string]string{bHR: "政治处李", bHead: "局长王", bSup: "副局长赵", bLeader: "科长钱"} {
		d.Names[id] = name
	}
	return w
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(strings.TrimRight(string(b), "\n")); return len(b), nil }

// play runs fn as the story and fails the test with both processes' logs.
func (w *bWorld) play(fn func()) {
	w.t.Helper()
	if err := story.Play(fn); err != nil {
		w.t.Fatalf("%v\n--- sim\n%s\n--- serve\n%s", err, tail(w.sim.logs.String(), 3000), tail(w.serve.logs.String(), 6000))
	}
}

// at moves the clock to day h:m.
func (w *bWorld) at(day calendar.Date, h, m int) { w.d.At(w.cal.At(day, h, m)) }

// quarterDays are quarter q's first working day and the day its
// self-summaries are due (the third working day after it, docs/design.md).
func (w *bWorld) quarterDays(q int) (first, due calendar.Date) {
	first = w.cal.NextWorkday(calendar.NewDate(2026, time.Month(3*q-2), 1))
	end := calendar.PeriodContaining(calendar.Quarter, first).End()
	return first, w.cal.AddWorkdays(end, 3)
}

// open waits for quarter q to open by itself.
func (w *bWorld) open(q int) {
	first, _ := w.quarterDays(q)
	w.at(first, 9, 5)
	w.d.Wait(bHR, "考核已开启")
}

// clearAll has every assessed person fill what their 待办 offers.
func (w *bWorld) clearAll(people []string) {
	for _, p := range people {
		w.d.ClearTodo(p)
	}
}

// settle is the end of a quarter: the appraisal closes by itself once
// every chain is done, the committee confirms, HR publishes 公示. It
// returns the 公示.
func (w *bWorld) settle(want string) simclient.Message {
	d := w.d
	if closed := d.Wait(bHR, "考核已自动结束"); want != "" && !closed.Contains(want) {
		d.Fail("HR's notice of the closing: %s", closed.Content)
	}
	confirm := d.Wait(bHead, "请确认考核等次")
	d.Click(confirm, bHead, "btn_1", nil, "")
	d.Click(confirm, bHead, "confirm", nil, "已确认等次")
	d.Type(bHR, "公示", "公示已发布")
	return d.Wait(bPublic, "平时考核结果公示")
}

// results waits for each person's result card of the quarter and returns
// its text by person.
func (w *bWorld) results(people []string) map[string]string {
	out := map[string]string{}
	for _, p := range people {
		m := w.d.Wait(p, "考核结果")
		out[p] = story.Text(m.Card)
	}
	return out
}

// yearRefused: with a quarter of the year not yet published, HR's 年度
// card says so and offers no button to compose.
func (w *bWorld) yearRefused() {
	yc := w.d.Type(bHR, "年度 2026", "2026年度考核")
	if !yc.Contains("各期结果公示后才能生成年度考核结果") || larksim.RowButton(yc.Card, "生成") != "" || strings.Contains(yc.Content, `"btn_1"`) {
		w.d.Fail("HR's 年度 card with quarters missing: %s", story.Text(yc.Card))
	}
}

// yearCard has HR compose the year from the 年度 card and the committee
// open its form; it returns the committee's notice and the form's rows,
// by person.
func (w *bWorld) yearCard() (simclient.Message, map[string]string, map[string]string) {
	d := w.d
	yc := d.Type(bHR, "年度 2026", "2026年度考核")
	d.Click(yc, bHR, "btn_1", nil, "已提交考核委员会审定")
	n := d.Wait(bHead, "请审定2026年度考核等次")
	r := d.Click(n, bHead, "btn_1", nil, "")
	drafted := map[string]string{}
	story.EachObject(r.Card, func(e map[string]any) {
		name, _ := e["name"].(string)
		if id, ok := strings.CutPrefix(name, card.GradeField("")); ok {
			drafted[id], _ = e["initial_option"].(string)
		}
	})
	lines := map[string]string{}
	for _, l := range strings.Split(story.Text(r.Card), "\n") {
		for id, name := range d.Names {
			if strings.HasPrefix(l, "**"+name+"**") {
				lines[id] = l
			}
		}
	}
	return n, drafted, lines
}

// confirmYear has the committee confirm the year (with changes), HR
// publish it and everyone get their result; it returns the year's 公示.
func (w *bWorld) confirmYear(n simclient.Message, form map[string]any, people []string) simclient.Message {
	d := w.d
	d.Click(n, bHead, "submit", form, "已确认")
	d.Wait(bHR, "2026年度考核等次已确认")
	d.Type(bHR, "公示", "公示已发布")
	pub := d.Wait(bPublic, "2026年度考核结果公示")
	for _, p := range people {
		d.Wait(p, "2026年度考核结果")
	}
	return pub
}

// steps has leader decide every step on their 待办 with the form values
// values gives for the person the form is about (S7's 总评分 and its
// 扣分 rows, which the story's driver does not fill); it returns whom
// they scored.
func (w *bWorld) steps(leader string, values func(person string) map[string]any) []string {
	d := w.d
	var done []string
	for range 20 {
		todo := d.Type(leader, "待办", "我的待办")
		b := larksim.RowButton(todo.Card, "去审核")
		if b == "" {
			return done
		}
		r := d.Click(todo, leader, b, nil, "")
		who := ""
		for id, name := range d.Names {
			if slices.Contains(w.staff, id) && strings.Contains(string(r.Card), name) {
				who = id
			}
		}
		if who == "" {
			d.Fail("a scoring form for no one known: %s", story.CardTitle(r.Card))
		}
		d.Click(todo, leader, "approve", values(who), "已")
		done = append(done, who)
	}
	d.Fail("%s's 待办 does not empty", d.Name(leader))
	return done
}

// reminderDay has the staff answer the reminders of day (at 15:05, after
// the records' reminders; 16:35 after the daily log's).
func (w *bWorld) reminderDay(day calendar.Date, h, m int) int {
	w.at(day, h, m)
	return w.d.AnswerReminders(w.staff, nil)
}

// hasAll fails unless text contains each of want.
func (w *bWorld) hasAll(what, text string, want ...string) {
	for _, s := range want {
		if !strings.Contains(text, s) {
			w.d.Fail("%s lacks %q: %s", what, s, text)
		}
	}
}

var _ = workflow.SourceExcellent
var _ = fmt.Sprint

// TestSchemeS6InChat is S6 (《局关于公务员平时考核工作方案》) for 2026's first
// quarter at one 综合科 of six staff and its 部门负责人, all appraised:
//   - records: the 记实登记表 only, once a quarter (四(三)), from its reminder;
//   - chain (四(一)): staff scored by the 部门负责人 and checked (审核) by
//     the 分管领导; the 部门负责人 scored by the 分管领导; the 考核委员会
//     confirms (审定) — serve's chains: default (其他) and 部门负责人;
//   - score: the five items 30/20/20/10/20 (四(五)) add up to the total;
//   - grades 优秀 ≥ 90, 称职 75–89, 基本称职 60–74, 不称职 below 60 (四(七));
//   - quota: 优秀 within 30% of the 7 appraised, floor → 2 (四(七)): of the
//     three at 90 or more, 孙三 (91) moves down to 称职;
//   - the year (四(六): 平时 60% + 40%) is refused with the quarters
//     missing; the full year is skipped: the other 40%, one annual score the
//     unit enters, has no card in chat.
func TestSchemeS6InChat(t *testing.T) {
	t.Parallel()
	w := startSchemeB(t, "s6", "chains:\n  default: [\"unit_leader:考核评分\", \"supervisor:审核\"]\n  部门负责人: [\"supervisor:考核评分\"]\n", "其他", "部门负责人")
	d := w.d
	// 四(五): each total is spread over the five items (LeafScores: full
	// marks less a point at a time from each item in turn), so the items
	// entered add up to it: 96 = 29+19+19+9+20, 58 = 21+11+12+2+12 …
	d.Scores = map[string]int{"ou_a1": 96, "ou_a2": 93, "ou_a3": 91, "ou_a4": 85, "ou_a5": 72, "ou_a6": 58, bLeader: 88}
	assessed := append(slices.Clone(w.staff), bLeader)
	w.play(func() {
		w.open(1)
		// 四(三): the 记实登记表 is the quarter's only record; its reminder
		// comes the working day before it is due (the third working day
		// after the quarter), and nothing else is asked for on the way.
		_, due := w.quarterDays(1)
		w.at(w.cal.AddWorkdays(due, -1), 15, 5)
		if n := d.AnswerReminders(assessed, assessed); n != len(assessed) {
			d.Fail("answered %d reminders, want the %d 记实登记表", n, len(assessed))
		}
		for _, p := range assessed {
			if n := d.ClearTodo(p); n != 0 {
				d.Fail("%s filled %d more forms from the 待办: S6 keeps no other record", d.Name(p), n)
			}
		}
		// 四(一): the 部门负责人 scores the six, the 分管领导 checks them and
		// scores the 部门负责人.
		if got := d.Steps(bLeader); len(got) != 6 {
			d.Fail("科长钱 scored %d, want the six staff", len(got))
		}
		if got := d.Steps(bSup); len(got) != 7 || !slices.Contains(got, bLeader) {
			d.Fail("副局长赵 decided %v, want the six staff's 审核 and 科长钱's 考核评分", got)
		}
		pub := w.settle("参加考核：7人")
		// 四(七): 优秀 for 96, 93 and 91, capped at floor(30% × 7) = 2: the
		// lowest, 孙三, moves down to 称职; only 优秀 is published.
		for _, p := range assessed {
			if want := p == "ou_a1" || p == "ou_a2"; pub.Contains(d.Name(p)) != want {
				d.Fail("公示 lists %s: %v, want %v: %s", d.Name(p), !want, want, story.Text(pub.Card))
			}
		}
		res := w.results(assessed)
		for p, want := range map[string][]string{
			"ou_a1": {"96", "优秀"}, "ou_a2": {"93", "优秀"}, "ou_a3": {"91", "称职"}, "ou_a4": {"85", "称职"},
			"ou_a5": {"72", "基本称职"}, "ou_a6": {"58", "不称职"}, bLeader: {"88", "称职"},
		} {
			w.hasAll(d.Name(p)+"'s result", res[p], want...)
		}
		w.yearRefused()
	})
	t.Run("Year", func(t *testing.T) {
		t.Skip("S6 四(六)'s other 40% (one annual score the unit enters) has no card in chat: workflow.YearSpec.Annual only from callers that supply it")
	})
}
