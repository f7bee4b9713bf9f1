package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
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

// The end-to-end tests of schemes S1, S2, S3 and S5 (issue 11): for each,
// `kaohe sim` and `kaohe serve` run as separate processes with that
// scheme as the organisation's default (KAOHE_SCHEME), and people only
// read cards, click and type. Each plays one quarter from the reminders —
// the records the scheme keeps, its raters, its chain scored with the
// numbers below, its quota, the committee and 公示 — and then the year
// from that quarter, and checks the seed's numbers on the cards people
// get. The organisations start in the quarter played, so the year's other
// quarters have no result: the cards show them as not counted
// (workflow's excludedNoResult) and the year's figure is made of the one
// quarter by the scheme's own rule. The arithmetic is in the comments,
// citing the seed's section as the scheme file quotes it.

// schemeRun is one scheme's pair of processes and the driver over them.
type schemeRun struct {
	d     *story.Driver
	sim   *simProc
	serve *serveProc
	cal   *calendar.Calendar
	c     *simclient.Client
}

// startScheme starts sim and serve for an organisation under scheme, with
// the clock at start, the chains of config (YAML, "" for none) and extra
// environment.
func startScheme(t *testing.T, scheme string, org map[string]any, names map[string]string, start time.Time, config string, env ...string) *schemeRun {
	t.Helper()
	appID, appSecret := "cli_"+scheme, "app-secret-"+scheme+"-7d2c"
	b, err := json.Marshal(org)
	if err != nil {
		t.Fatal(err)
	}
	orgPath := writeFile(t, "org.json", string(b))
	sim := startSimProc(t, "--org", orgPath, "--app-id", appID, "--app-secret", appSecret,
		"--verification-token", testToken, "--encrypt-key", testKey,
		"--start", start.Format("2006-01-02T15:04:05-07:00"), "--callback-timeout", "10s")
	cfg := ""
	if config != "" {
		cfg = writeFile(t, "kaohe.yaml", config)
	}
	serve := startServeProc(t, append([]string{
		"KAOHE_APP_ID=" + appID, "KAOHE_APP_SECRET=" + appSecret, "KAOHE_BASE_URL=" + sim.url, "KAOHE_SCHEME=" + scheme,
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_STORAGE=memory", "KAOHE_ORG=" + orgPath, "KAOHE_CLOCK_URL=" + sim.url + "/_sim/clock",
		"KAOHE_RELAY_INTERVAL=30ms", "KAOHE_TICK_INTERVAL=50ms", "KAOHE_LOG_LEVEL=info", "KAOHE_SHUTDOWN_TIMEOUT=2s",
		"KAOHE_DATABASE_URL=", "KAOHE_CLOCK_FILE=", "KAOHE_REMINDER_GRACE=720h", "KAOHE_CONFIG=" + cfg,
	}, env...))
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
	d := story.NewDriver(ctx, c, io.Discard)
	d.Scheme = sc
	d.Secret = "机密记实" + scheme
	for id, n := range names {
		d.Names[id] = n
	}
	return &schemeRun{d: d, sim: sim, serve: serve, cal: calendar.Default(), c: c}
}

// play runs fn as a story and fails the test with both logs' tails.
func (r *schemeRun) play(t *testing.T, fn func()) {
	t.Helper()
	if err := story.Play(fn); err != nil {
		t.Fatalf("%v\n--- sim\n%s\n--- serve\n%s", err, tail(r.sim.logs.String(), 3000), tail(r.serve.logs.String(), 8000))
	}
}

// schemeOrg is an organisation of one unit: leader, 分管领导 (supervisor),
// 主管领导 (head), HR (on the committee with the head), the 公示 group and
// the assessed staff in one 考核单元; tiers by person where given.
func schemeOrg(name, unit string, staff []string, names map[string]string, tiers map[string]string, leaderAssessed bool) map[string]any {
	people := []map[string]any{
		{"id": "ou_hr", "name": names["ou_hr"], "hr": true, "committee": true},
		{"id": "ou_head", "name": names["ou_head"], "committee": true},
		{"id": "ou_sup", "name": names["ou_sup"]},
	}
	if !leaderAssessed {
		people = append(people, map[string]any{"id": "ou_lead", "name": names["ou_lead"], "unit": "u1"})
	}
	for _, id := range staff {
		p := map[string]any{"id": id, "name": names[id], "unit": "u1", "group": "g1", "assessed": true}
		if tiers[id] != "" {
			p["tier"] = tiers[id]
		}
		people = append(people, p)
	}
	leader := "ou_lead"
	if leaderAssessed {
		leader = staff[0]
	}
	return map[string]any{
		"hr":       "ou_hr",
		"settings": map[string]any{"name": name, "head": "ou_head", "public_chats": []string{"oc_public"}},
		"units":    []map[string]any{{"id": "u1", "name": unit, "leader": leader, "supervisor": "ou_sup"}},
		"people":   people,
	}
}

// reminderDays are the days of quarter q on which the staff hear about
// their own records under the default reminder plans (the working day
// before each deadline, 15:00): each week's when the scheme keeps a 周记实,
// each month's and the quarter's summary. Only those days are visited;
// what a person missed is on their 待办 when the summaries are due.
func reminderDays(cal *calendar.Calendar, q calendar.Period, weekly bool) []calendar.Date {
	set := map[calendar.Date]bool{}
	due := workflow.DefaultDeadlines()
	open := cal.NextWorkday(q.Start())
	if weekly {
		for w := calendar.PeriodContaining(calendar.Week, q.Start()); !w.Start().After(q.End()); w = w.Next() {
			if !q.Contains(w.Start().AddDays(3)) {
				continue // the week belongs to the quarter of its Thursday
			}
			if day := cal.AddWorkdays(due.Weekly(cal, w), -1); !day.Before(open) {
				set[day] = true
			}
		}
	}
	for m := calendar.PeriodContaining(calendar.Month, q.Start()); !m.Start().After(q.End()); m = m.Next() {
		set[cal.AddWorkdays(due.Monthly(cal, m), -1)] = true
	}
	set[cal.AddWorkdays(due.Summary(cal, q), -1)] = true
	out := make([]calendar.Date, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// records plays quarter q's records from the reminders: the staff answer
// what reached them on each reminder day and, once the summaries are due,
// clear their 待办 (a record a reminder missed, the 民主测评 ballot).
func (r *schemeRun) records(q calendar.Period, weekly bool, staff []string) {
	d := r.d
	for _, day := range reminderDays(r.cal, q, weekly) {
		d.At(r.cal.At(day, 15, 5))
		d.AnswerReminders(staff, nil)
	}
	d.At(r.cal.At(r.cal.AddWorkdays(workflow.DefaultDeadlines().Summary(r.cal, q), 0), 16, 0))
	for _, p := range staff {
		d.ClearTodo(p)
	}
}

// steps has leader decide every chain step on their 待办, filling each
// scoring form with the values vals gives the person it is about (only
// the fields the form has), and returns whom they decided.
func (r *schemeRun) steps(leader string, vals map[string]map[string]any) []string {
	d := r.d
	var done []string
	for range 30 {
		todo := d.Type(leader, "待办", "我的待办")
		b := larksim.RowButton(todo.Card, "去审核")
		if b == "" {
			return done
		}
		form := d.Click(todo, leader, b, nil, "")
		who := ""
		for id := range vals {
			if strings.Contains(string(form.Card), d.Name(id)) {
				who = id
			}
		}
		if who == "" {
			d.Fail("%s's scoring form is about no one known: %s", d.Name(leader), story.CardTitle(form.Card))
		}
		fields := cardInputs(form.Card)
		fv := map[string]any{}
		if slices.Contains(fields, card.FieldComment) {
			fv[card.FieldComment] = "工作认真负责，完成各项任务"
		}
		for k, v := range vals[who] {
			if !slices.Contains(fields, k) {
				d.Fail("%s's scoring form for %s has no field %s: %v", d.Name(leader), d.Name(who), k, fields)
			}
			fv[k] = v
		}
		d.Click(todo, leader, "approve", fv, "已")
		done = append(done, who)
	}
	d.Fail("%s's 待办 does not empty", d.Name(leader))
	return done
}

// cardInputs lists a card's named inputs and selects.
func cardInputs(raw json.RawMessage) []string {
	var out []string
	story.EachObject(raw, func(e map[string]any) {
		if tag, _ := e["tag"].(string); tag == "input" || tag == "select_static" || tag == "date_picker" {
			if n, _ := e["name"].(string); n != "" {
				out = append(out, n)
			}
		}
	})
	return out
}

// indicators is a leader's scores by indicator id, as form values.
func indicators(kv ...any) map[string]any {
	out := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		out[card.IndicatorField(kv[i].(string))] = fmt.Sprint(kv[i+1])
	}
	return out
}

// committee settles the period: with a tie at the cap the head gives the
// top grade to the first of prefer still tied and the second grade to the
// others; with none, confirms. It returns who was tied.
func (r *schemeRun) committee(top, second string, prefer []string) []string {
	d := r.d
	n := d.WaitFor("ou_head", "请审定名额线并列人员 or 请确认考核等次", func(m simclient.Message) bool {
		return m.Contains("请审定名额线并列人员") || m.Contains("请确认考核等次")
	})
	c := d.Click(n, "ou_head", "btn_1", nil, "")
	places := 0
	var tied []string
	story.EachObject(c.Card, func(e map[string]any) {
		if s, _ := e["content"].(string); places == 0 {
			if i := strings.Index(s, "剩余名额"); i >= 0 {
				fmt.Sscanf(s[i+len("剩余名额"):], "%d", &places)
			}
		}
		if name, _ := e["name"].(string); strings.HasPrefix(name, "grade_") {
			tied = append(tied, strings.TrimPrefix(name, "grade_"))
		}
	})
	if len(tied) == 0 {
		d.Click(n, "ou_head", "confirm", nil, "已确认等次")
		return nil
	}
	form := map[string]any{}
	given := 0
	for _, p := range prefer {
		if slices.Contains(tied, p) && given < places {
			form["grade_"+p], form["why_"+p] = top, "牵头完成重点工作，表现突出"
			given++
		}
	}
	for _, p := range tied {
		if _, ok := form["grade_"+p]; !ok {
			form["grade_"+p], form["why_"+p] = second, "名额所限"
		}
	}
	d.Click(n, "ou_head", "submit", form, "")
	sort.Strings(tied)
	return tied
}

// results waits for each person's result card and checks its grade and
// score ("" for a result without one).
func (r *schemeRun) results(title string, want map[string][2]string) {
	d := r.d
	for _, id := range sortedIDs(want) {
		m := d.Wait(id, title)
		text := story.Text(m.Card)
		grade, score := want[id][0], want[id][1]
		if !strings.Contains(text, "等次：**"+grade) {
			d.Fail("%s's %s: want grade %s: %s", d.Name(id), title, grade, text)
		}
		if score != "" && !strings.Contains(text, "得分：**"+score+"\n") && !strings.HasSuffix(text, "得分：**"+score) {
			d.Fail("%s's %s: want score %s: %s", d.Name(id), title, score, text)
		}
	}
}

func sortedIDs[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// year has HR compose the year from the 年度 card and returns the
// committee's card of it, opened.
func (r *schemeRun) year(y int) (simclient.Message, simclient.ClickResult) {
	d := r.d
	yc := d.Type("ou_hr", fmt.Sprintf("年度 %d", y), fmt.Sprintf("%d年度考核", y))
	d.Click(yc, "ou_hr", "btn_1", nil, "已提交考核委员会审定")
	n := d.Wait("ou_head", fmt.Sprintf("请审定%d年度考核等次", y))
	return n, d.Click(n, "ou_head", "btn_1", nil, "")
}

// yearRows reads the committee's year card: each person's line and the
// drafted grade.
func yearRows(raw json.RawMessage, names map[string]string) (lines, drafted map[string]string) {
	lines, drafted = map[string]string{}, map[string]string{}
	story.EachObject(raw, func(e map[string]any) {
		if s, _ := e["content"].(string); s != "" {
			for id, n := range names {
				if strings.HasPrefix(s, "**"+n+"**") {
					lines[id] = s
				}
			}
		}
		if name, _ := e["name"].(string); strings.HasPrefix(name, card.GradeField("")) {
			drafted[strings.TrimPrefix(name, card.GradeField(""))], _ = e["initial_option"].(string)
		}
	})
	return lines, drafted
}

// q4 is 2026's fourth quarter; its first working day after 国庆 is 9
// October.
var q4 = calendar.PeriodContaining(calendar.Quarter, calendar.NewDate(2026, 10, 9))

// TestSchemeS1InChat follows S1 (《xx乡机关干部平时考核试点工作实施细则（试行）》)
// for 2026-Q4 and its year: 周记实, 月小结 and the quarter's summary
// (第八条(一)1–3); the 民主测评 of the 机关干部 in chat plus HR's tally of
// the raters outside it (第八条(二), `外部测评`), 30% of the score (第九条);
// the 主管领导's 德能勤绩廉 with 绩 split 70/30 (第九条) after the unit
// leader's 初评; 优秀 within 40% (第九条) with a tie at the cap the
// committee decides; 公示 of every grade; the year as the mean of the
// quarters with a score (第十条, decided in s1.yaml).
func TestSchemeS1InChat(t *testing.T) {
	t.Parallel()
	staff := []string{"ou_a1", "ou_a2", "ou_a3", "ou_a4", "ou_a5", "ou_a6"}
	names := map[string]string{"ou_hr": "组织委员李", "ou_head": "乡长王", "ou_sup": "副乡长赵", "ou_lead": "党政办主任钱",
		"ou_a1": "赵一", "ou_a2": "钱二", "ou_a3": "孙三", "ou_a4": "李四", "ou_a5": "周五", "ou_a6": "吴六"}
	org := schemeOrg("xx乡", "党政办", staff, names, nil, false)
	// 第八条(三): the 主管领导 evaluates; the unit leader's 初评 comes first.
	chains := "chains:\n  default: [unit_leader:初评, supervisor:评价]\n"
	r := startScheme(t, "s1", org, names, time.Date(2026, 10, 9, 8, 55, 0, 0, calendar.DefaultLocation()), chains,
		"KAOHE_PUBLISH_ALL=true")
	// Every 机关干部 gives every colleague 85 in the 民主测评: five ballots
	// each, the anonymity floor.
	r.d.Ballot = func(string) string { return "85" }
	// The 主管领导's items: 德15 能15 勤15 绩40 廉15, 绩 = 业务工作 × 70% +
	// 联系村和中心工作 × 30% (each out of 40; 第九条).
	leader := map[string]map[string]any{
		// 15+15+14 + (38×0.7 + 36×0.3 = 37.4) + 15 = 96.4
		"ou_a1": indicators("德", 15, "能", 15, "勤", 14, "业务工作", 38, "联系村和中心工作", 36, "廉", 15),
		// 15+15+14 + (36×0.7 + 35×0.3 = 35.7) + 14 = 93.7, both
		"ou_a2": indicators("德", 15, "能", 15, "勤", 14, "业务工作", 36, "联系村和中心工作", 35, "廉", 14),
		"ou_a3": indicators("德", 15, "能", 15, "勤", 14, "业务工作", 36, "联系村和中心工作", 35, "廉", 14),
		// 13×4 + (30×0.7 + 30×0.3 = 30) = 82
		"ou_a4": indicators("德", 13, "能", 13, "勤", 13, "业务工作", 30, "联系村和中心工作", 30, "廉", 13),
		// 12×4 + (28×0.7 + 20×0.3 = 25.6) = 73.6
		"ou_a5": indicators("德", 12, "能", 12, "勤", 12, "业务工作", 28, "联系村和中心工作", 20, "廉", 12),
		// 10×4 + 20 = 60
		"ou_a6": indicators("德", 10, "能", 10, "勤", 10, "业务工作", 20, "联系村和中心工作", 20, "廉", 10),
	}
	r.play(t, func() {
		d := r.d
		d.At(r.cal.At(r.cal.NextWorkday(q4.Start()), 9, 5))
		d.Wait("ou_hr", "考核已开启")
		for _, p := range staff {
			d.ClearTodo(p) // the week of 国庆, due before the quarter opened
		}
		// 第八条(二): 村组干部 and 服务对象代表 rate on paper; HR enters 吴六's
		// tally: five raters averaging 60.
		oc := d.Type("ou_hr", "外部测评 2026-Q4", "外部测评")
		d.Click(oc, "ou_hr", "submit", map[string]any{card.OutsideRatersField("ou_a6"): "5", card.OutsideMeanField("ou_a6"): "60"}, "")
		r.records(q4, true, staff)
		if got := r.steps("ou_lead", leader); len(got) != len(staff) {
			d.Fail("初评 of %d, want %d", len(got), len(staff))
		}
		if got := r.steps("ou_sup", leader); len(got) != len(staff) {
			d.Fail("评价 of %d, want %d", len(got), len(staff))
		}
		if closed := d.Wait("ou_hr", "考核已自动结束"); !closed.Contains("参加考核：6人") {
			d.Fail("HR's notice of the closing: %s", closed.Content)
		}
		// 第九条: total = 主管领导 × 70% + 民主测评 × 30%:
		//   赵一 96.4×0.7 + 85×0.3 = 67.48 + 25.5 = 92.98 优秀
		//   钱二, 孙三 93.7×0.7 + 25.5 = 65.59 + 25.5 = 91.09 优秀 by the band
		//   李四 82×0.7 + 25.5 = 82.9 称职; 周五 73.6×0.7 + 25.5 = 77.02 称职
		//   吴六 60×0.7 + (5×85 + 5×60)/10 × 0.3 = 42 + 72.5×0.3 = 63.75 基本称职
		// 优秀 within 40% of 6 (floor: 2): 赵一 holds one place, 钱二 and 孙三
		// tie for the other; the committee gives it to 孙三.
		if tied := r.committee("优秀", "称职", []string{"ou_a3"}); !slices.Equal(tied, []string{"ou_a2", "ou_a3"}) {
			d.Fail("tied at the cap: %v, want 钱二 and 孙三", tied)
		}
		d.Type("ou_hr", "公示", "公示已发布")
		pub := d.Wait("oc_public", "平时考核结果公示")
		if !pub.Contains("「优秀」等次（2人）") || !pub.Contains("赵一、孙三") && !pub.Contains("孙三、赵一") {
			d.Fail("公示 of 优秀: %s", pub.Content)
		}
		r.results("考核结果", map[string][2]string{
			"ou_a1": {"优秀", "92.98"}, "ou_a2": {"称职", "91.09"}, "ou_a3": {"优秀", "91.09"},
			"ou_a4": {"称职", "82.9"}, "ou_a5": {"称职", "77.02"}, "ou_a6": {"基本称职", "63.75"},
		})

		// The year: 第十条 "年度考核等次根据平时考核情况综合确定" — the mean of
		// the quarters with a score (here Q4 alone; Q1–Q3 have no result and
		// are shown as not counted); the unit drafts 称职 and the committee
		// gives 优秀.
		d.At(r.cal.At(calendar.NewDate(2027, 1, 25), 10, 0))
		n, yc := r.year(2026)
		lines, drafted := yearRows(yc.Card, names)
		if !strings.Contains(lines["ou_a1"], "92.98分") || !strings.Contains(lines["ou_a6"], "63.75分") {
			d.Fail("the year's card: 赵一 %q, 吴六 %q; want the Q4 scores as the year's", lines["ou_a1"], lines["ou_a6"])
		}
		if drafted["ou_a1"] != "称职" {
			d.Fail("赵一's year drafted %q, want 称职 (the unit proposes; S1 has no annual rule)", drafted["ou_a1"])
		}
		d.Click(n, "ou_head", "submit", map[string]any{card.GradeField("ou_a1"): "优秀", card.FieldYearReason: "全年表现突出"}, "已确认")
		d.Wait("ou_hr", "2026年度考核等次已确认")
		d.Type("ou_hr", "公示", "公示已发布")
		y := d.Wait("ou_a1", "2026年度考核结果")
		if text := story.Text(y.Card); !strings.Contains(text, "92.98") || !strings.Contains(text, "不计入年度考核") {
			d.Fail("赵一's year: %s", text)
		}
	})
}

// TestSchemeS3InChat follows S3 (《2015 公务员平时考核实施方案》, 市体育局;
// the seed is cut short and s3.yaml marks every number as assumed) for
// 2026-Q4 and its year: the records S4 keeps (no records section); 领导
// 评价 of 德能勤绩廉 (二、考核内容; 德20 能20 勤15 绩35 廉10 assumed) through
// S4's chain 初评 → 审定 → 评鉴; 群众评议 as 30% (一、考核原则 "领导与群众
// 相结合", weights assumed); S4's bands; no quota (the seed sets none);
// the year as the mean of the quarters with a score (引言 "为年度考核奠定
// 基础", assumed).
func TestSchemeS3InChat(t *testing.T) {
	t.Parallel()
	staff := []string{"ou_b1", "ou_b2", "ou_b3", "ou_b4", "ou_b5", "ou_b6"}
	names := map[string]string{"ou_hr": "人事科李", "ou_head": "局长王", "ou_sup": "副局长赵", "ou_lead": "科长钱",
		"ou_b1": "陈一", "ou_b2": "林二", "ou_b3": "黄三", "ou_b4": "郭四", "ou_b5": "何五", "ou_b6": "罗六"}
	org := schemeOrg("市体育局", "群体科", staff, names, nil, false)
	r := startScheme(t, "s3", org, names, time.Date(2026, 10, 9, 8, 55, 0, 0, calendar.DefaultLocation()), "")
	r.d.Ballot = func(string) string { return "80" }
	leader := map[string]map[string]any{
		"ou_b1": indicators("德", 20, "能", 20, "勤", 15, "绩", 35, "廉", 10), // 100
		"ou_b2": indicators("德", 19, "能", 19, "勤", 14, "绩", 33, "廉", 9),  // 94
		"ou_b3": indicators("德", 18, "能", 18, "勤", 13, "绩", 30, "廉", 9),  // 88
		"ou_b4": indicators("德", 16, "能", 16, "勤", 12, "绩", 28, "廉", 8),  // 80
		"ou_b5": indicators("德", 14, "能", 14, "勤", 10, "绩", 22, "廉", 7),  // 67
		"ou_b6": indicators("德", 10, "能", 10, "勤", 8, "绩", 18, "廉", 5),   // 51
	}
	r.play(t, func() {
		d := r.d
		d.At(r.cal.At(r.cal.NextWorkday(q4.Start()), 9, 5))
		d.Wait("ou_hr", "考核已开启")
		for _, p := range staff {
			d.ClearTodo(p)
		}
		r.records(q4, true, staff)
		for _, l := range []string{"ou_lead", "ou_sup", "ou_head"} {
			if got := r.steps(l, leader); len(got) != len(staff) {
				d.Fail("%s decided %d steps, want %d", d.Name(l), len(got), len(staff))
			}
		}
		d.Wait("ou_hr", "考核已自动结束")
		// total = 领导评价 × 70% + 群众评议 (five ballots of 80) × 30%:
		//   陈一 100×0.7 + 24 = 94 好; 林二 94×0.7 + 24 = 89.8 较好 (below 90);
		//   黄三 88×0.7 + 24 = 85.6 较好; 郭四 80×0.7 + 24 = 80 较好;
		//   何五 67×0.7 + 24 = 70.9 一般; 罗六 51×0.7 + 24 = 59.7 较差.
		// No quota: the committee only confirms.
		if tied := r.committee("好", "较好", nil); len(tied) != 0 {
			d.Fail("a tie under S3, which has no quota: %v", tied)
		}
		d.Type("ou_hr", "公示", "公示已发布")
		if pub := d.Wait("oc_public", "平时考核结果公示"); !pub.Contains("陈一") || pub.Contains("林二") {
			d.Fail("公示 of 好: %s", pub.Content)
		}
		r.results("考核结果", map[string][2]string{
			"ou_b1": {"好", "94"}, "ou_b2": {"较好", "89.8"}, "ou_b3": {"较好", "85.6"},
			"ou_b4": {"较好", "80"}, "ou_b5": {"一般", "70.9"}, "ou_b6": {"较差", "59.7"},
		})

		// The year: the mean of the quarters with a score (Q4 alone);
		// national grades, the unit drafts 称职 and the committee confirms.
		d.At(r.cal.At(calendar.NewDate(2027, 1, 25), 10, 0))
		n, yc := r.year(2026)
		lines, drafted := yearRows(yc.Card, names)
		if !strings.Contains(lines["ou_b1"], "94分") || !strings.Contains(lines["ou_b6"], "59.7分") || drafted["ou_b1"] != "称职" {
			d.Fail("the year's card: 陈一 %q drafted %q, 罗六 %q", lines["ou_b1"], drafted["ou_b1"], lines["ou_b6"])
		}
		d.Click(n, "ou_head", "submit", nil, "已确认")
		d.Wait("ou_hr", "2026年度考核等次已确认")
		d.Type("ou_hr", "公示", "公示已发布")
		r.results("2026年度考核结果", map[string][2]string{"ou_b1": {"称职", "94"}, "ou_b6": {"称职", "59.7"}})
	})
}

// TestSchemeS5InChat follows S5 (《市行政机关公务员平时考核工作实施方案》) for
// 2026-Q4 and its year: 周记实, 月小结 and 季度总结 (四(二), 四(三)1); the
// 主管领导 sets the A–D grade directly (四(三)2); A within 20%–30% of the 7
// appraised (四(三)2: at most 2, at least 2), three As tied for two places
// and decided by the committee; a D brings the leader's 诫勉谈话 (五(二));
// the year's 平时考核成绩 from the grades' points 90/80/70/60 (五(一)1).
// The other 40% of S5's 年度考核总分 is one annual score HR enters on the
// 年度评分 card, opened from the 年度 card.
func TestSchemeS5InChat(t *testing.T) {
	t.Parallel()
	staff := []string{"ou_c1", "ou_c2", "ou_c3", "ou_c4", "ou_c5", "ou_c6", "ou_c7"}
	names := map[string]string{"ou_hr": "人事科张", "ou_head": "局长刘", "ou_sup": "副局长马", "ou_lead": "科长许",
		"ou_c1": "韩一", "ou_c2": "冯二", "ou_c3": "曹三", "ou_c4": "彭四", "ou_c5": "曾五", "ou_c6": "萧六", "ou_c7": "田七"}
	org := schemeOrg("市行政审批局", "审批一科", staff, names, nil, false)
	// 四(三)2: the 主管领导 sets the grade; here the unit's leader.
	chains := "chains:\n  default: [unit_leader:评定]\n"
	r := startScheme(t, "s5", org, names, time.Date(2026, 10, 9, 8, 55, 0, 0, calendar.DefaultLocation()), chains)
	grade := func(g string) map[string]any { return map[string]any{card.FieldGrade: g} }
	leader := map[string]map[string]any{
		"ou_c1": grade("A"), "ou_c2": grade("A"), "ou_c3": grade("A"),
		"ou_c4": grade("B"), "ou_c5": grade("B"), "ou_c6": grade("C"), "ou_c7": grade("D"),
	}
	r.play(t, func() {
		d := r.d
		d.At(r.cal.At(r.cal.NextWorkday(q4.Start()), 9, 5))
		d.Wait("ou_hr", "考核已开启")
		for _, p := range staff {
			d.ClearTodo(p)
		}
		r.records(q4, true, staff)
		if got := r.steps("ou_lead", leader); len(got) != len(staff) {
			d.Fail("评定 of %d, want %d", len(got), len(staff))
		}
		d.Wait("ou_hr", "考核已自动结束")
		// 四(三)2: A at most floor(30% × 7) = 2, at least ceil(20% × 7) = 2;
		// with no score to rank by, the three As are tied for two places.
		if tied := r.committee("A", "B", []string{"ou_c1", "ou_c3"}); !slices.Equal(tied, []string{"ou_c1", "ou_c2", "ou_c3"}) {
			d.Fail("tied at the cap: %v, want the three As", tied)
		}
		d.Type("ou_hr", "公示", "公示已发布")
		if pub := d.Wait("oc_public", "平时考核结果公示"); !pub.Contains("韩一") || !pub.Contains("曹三") || pub.Contains("冯二") {
			d.Fail("公示 of A: %s", pub.Content)
		}
		r.results("考核结果", map[string][2]string{
			"ou_c1": {"A", ""}, "ou_c2": {"B", ""}, "ou_c3": {"A", ""}, "ou_c6": {"C", ""}, "ou_c7": {"D", ""},
		})
		// 五(二): after a D the 主管领导 holds a 诫勉谈话.
		if talk := d.Wait("ou_lead", "谈话"); !talk.Contains("田七") {
			d.Fail("the leader's talk is not about 田七: %s", talk.Content)
		}

		// The year: 五(一)1 平时考核成绩 = the mean of the graded quarters'
		// points (Q4 alone: A 90, B 80, C 70, D 60), 60% of the 年度考核总分;
		// the other 40% is the 年度评分 HR enters on its card, and the year
		// cannot be composed before everyone has one.
		d.At(r.cal.At(calendar.NewDate(2027, 1, 25), 10, 0))
		yc := d.Type("ou_hr", "年度 2026", "年度评分：已录入0/7人")
		if yc.Contains("生成年度考核结果") {
			d.Fail("the 年度 card offers the composition before the 年度评分: %s", yc.Content)
		}
		form := d.Click(yc, "ou_hr", "btn_1", nil, "")
		fv := map[string]any{}
		for _, f := range cardInputs(form.Card) {
			if id, ok := strings.CutPrefix(f, "ya_"); ok {
				fv[f] = s5Annual[id]
			}
		}
		if len(fv) != len(staff) {
			d.Fail("the 年度评分 card lists %d people, want the %d appraised: %s", len(fv), len(staff), story.Text(form.Card))
		}
		d.Click(yc, "ou_hr", "submit", fv, "年度评分已保存")
		//   韩一 A 90 × 60% + 95 × 40% = 54 + 38 = 92
		//   冯二 B 80 × 60% + 90 × 40% = 48 + 36 = 84 (below 85: at most 称职, 五(一)2)
		//   曹三 A 54 + 88 × 40% = 89.2
		//   萧六 C 42 + 75 × 40% = 72 (a C: at most 称职, 五(一)3)
		//   田七 D 36 + 60 × 40% = 60 (a D: no 评比表彰, 五(二))
		n, yr := r.year(2026)
		lines, drafted := yearRows(yr.Card, names)
		for id, want := range map[string]string{"ou_c1": "92分", "ou_c2": "84分", "ou_c3": "89.2分", "ou_c6": "72分", "ou_c7": "60分"} {
			if !strings.Contains(lines[id], want) || drafted[id] != "称职" {
				d.Fail("%s's year: %q drafted %q, want %s 称职", d.Name(id), lines[id], drafted[id], want)
			}
		}
		for _, id := range []string{"ou_c2", "ou_c6"} {
			if !strings.Contains(lines[id], "最高「称职」") {
				d.Fail("%s's year line lacks the cap 称职: %q", d.Name(id), lines[id])
			}
		}
		// The committee makes 韩一 优秀 (平时 90, above 85, no C or D).
		d.Click(n, "ou_head", "submit", map[string]any{card.GradeField("ou_c1"): "优秀", card.FieldYearReason: "全年工作突出"}, "已确认")
		d.Wait("ou_hr", "2026年度考核等次已确认")
		d.Type("ou_hr", "公示", "公示已发布")
		r.results("2026年度考核结果", map[string][2]string{"ou_c1": {"优秀", "92"}, "ou_c2": {"称职", "84"}, "ou_c7": {"称职", "60"}})
	})
}

// s5Annual is S5's 年度评分 (the other 40% of the 年度考核总分) HR enters.
var s5Annual = map[string]string{"ou_c1": "95", "ou_c2": "90", "ou_c3": "88", "ou_c4": "85", "ou_c5": "80", "ou_c6": "75", "ou_c7": "60"}

// TestSchemeS2InChat follows S2 (《司法局公务员平时考核工作实施办法》,
// 西城区司法局) for 2026-Q3 and its year: the 月记实 and the quarter's
// 工作小结, no 周记实 (四(三)1); three tiers (三(一)) each scored by its own
// leader (四(一): the 正科, who leads the unit, by the 主管领导; the 副科 and
// the others by the 部门正职), a 百分制 score (三(三), 四(三)2) banded at
// 91/71/60 with the gaps decided in s2.yaml (90.5 is 称职, 70.5 基本称职,
// 59.5 不称职; 五); no quota; 公示. The fourth quarter is appraised with the
// year (四(四)), so it does not open; the year-end ratings are opened by HR
// from the 年度 card and given by the superior, peers, subordinates and
// colleagues (三(三): 40/30/30 for 科级领导, 60/40 for the others, a group
// under five ballots not counted); the 年度考核总分 is the periodic score
// (the mean of Q1–Q3 with a score: Q3 alone) × 50% + the ratings × 50%
// (三(三)), banded like the quarter.
func TestSchemeS2InChat(t *testing.T) {
	t.Parallel()
	staff := []string{"ou_zk", "ou_fk", "ou_q1", "ou_q2", "ou_q3", "ou_q4", "ou_q5"}
	names := map[string]string{"ou_hr": "政工科李", "ou_head": "局长王", "ou_sup": "副局长赵",
		"ou_zk": "科长钱", "ou_fk": "副科长孙", "ou_q1": "科员周", "ou_q2": "科员吴", "ou_q3": "科员郑", "ou_q4": "科员冯", "ou_q5": "科员陈"}
	tiers := map[string]string{"ou_zk": "正科", "ou_fk": "副科", "ou_q1": "其他", "ou_q2": "其他", "ou_q3": "其他", "ou_q4": "其他", "ou_q5": "其他"}
	org := schemeOrg("司法局", "法治宣传科", staff, names, tiers, true)
	chains := "chains:\n  default: [unit_leader:评鉴]\n  \"@leader\": [supervisor:评鉴]\n  正科: [supervisor:评鉴]\n"
	q3 := calendar.PeriodContaining(calendar.Quarter, calendar.NewDate(2026, 7, 1))
	r := startScheme(t, "s2", org, names, time.Date(2026, 7, 1, 8, 55, 0, 0, calendar.DefaultLocation()), chains)
	score := func(s string) map[string]any { return map[string]any{card.FieldScore: s} }
	quarter := map[string]map[string]any{
		"ou_fk": score("88"), "ou_q1": score("95"), "ou_q2": score("91"), "ou_q3": score("90.5"), "ou_q4": score("70.5"), "ou_q5": score("59.5"),
	}
	// The year-end superior's scores.
	superior := map[string]string{"ou_zk": "90", "ou_fk": "85", "ou_q1": "94", "ou_q2": "88", "ou_q3": "80", "ou_q4": "70", "ou_q5": "60"}
	r.play(t, func() {
		d := r.d
		d.At(r.cal.At(q3.Start(), 9, 5))
		d.Wait("ou_hr", "考核已开启")
		r.records(q3, false, staff)
		if got := r.steps("ou_sup", map[string]map[string]any{"ou_zk": score("93")}); len(got) != 1 {
			d.Fail("the 主管领导 scored %v, want the 正科", got)
		}
		if got := r.steps("ou_zk", quarter); len(got) != 6 {
			d.Fail("the 部门正职 scored %d, want 6", len(got))
		}
		d.Wait("ou_hr", "考核已自动结束")
		if tied := r.committee("优秀", "称职", nil); len(tied) != 0 {
			d.Fail("a tie under S2, which has no quota: %v", tied)
		}
		d.Type("ou_hr", "公示", "公示已发布")
		if pub := d.Wait("oc_public", "平时考核结果公示"); !pub.Contains("「优秀」等次（3人）") {
			d.Fail("公示 of 优秀: %s", pub.Content)
		}
		// 五: 91–100 优秀, 71–90 称职, 60–70 基本称职, 59 and below 不称职.
		r.results("考核结果", map[string][2]string{
			"ou_zk": {"优秀", "93"}, "ou_fk": {"称职", "88"}, "ou_q1": {"优秀", "95"}, "ou_q2": {"优秀", "91"},
			"ou_q3": {"称职", "90.5"}, "ou_q4": {"基本称职", "70.5"}, "ou_q5": {"不称职", "59.5"},
		})

		// 四(四): the fourth quarter goes with the year; it does not open.
		d.At(r.cal.At(calendar.NewDate(2026, 12, 1), 10, 0))
		yc := d.Type("ou_hr", "年度 2026", "年度测评：未发起")
		if yc.Contains("2026-Q4") || yc.Contains("第四季度") {
			d.Fail("the 年度 card lists the fourth quarter: %s", yc.Content)
		}
		d.Click(yc, "ou_hr", "submit", map[string]any{card.YearDueField: "2026-12-10 +0800"}, "已发起")
		raters := append([]string{"ou_sup"}, staff...)
		for _, p := range raters {
			n := d.Wait(p, "请参加2026年度测评")
			c := d.Click(n, p, "btn_1", nil, "")
			form := map[string]any{}
			for _, f := range cardInputs(c.Card) {
				if id, ok := strings.CutPrefix(f, "yr_superior_"); ok {
					form[f] = superior[id]
				} else if strings.HasPrefix(f, "yr_") {
					form[f] = "80"
				}
			}
			if len(form) == 0 {
				d.Fail("%s's 年度测评 card rates nobody: %s", d.Name(p), story.Text(c.Card))
			}
			d.Click(n, p, "submit", form, "已提交")
		}
		// 三(三), everyone's colleagues, peers and subordinates give 80:
		//   其他 (superior 60%, colleagues 40%, six ballots):
		//     科员周 95×50% + (94×0.6 + 80×0.4 = 88.4)×50% = 47.5 + 44.2 = 91.7 优秀
		//     科员吴 45.5 + (52.8 + 32 = 84.8)×0.5 = 87.9
		//     科员郑 45.25 + (48 + 32 = 80)×0.5 = 85.25
		//     科员冯 35.25 + (42 + 32 = 74)×0.5 = 72.25
		//     科员陈 29.75 + (36 + 32 = 68)×0.5 = 63.75 基本称职
		//   科级 (superior 40%, peers 30%, subordinates 30%): the one peer
		//   is under the floor of five, so 40% and 30% become 4/7 and 3/7:
		//     科长钱 46.5 + ((0.4×90 + 0.3×80)/0.7 = 85.71)×0.5 = 89.36 称职
		//     副科长孙 44 + ((0.4×85 + 0.3×80)/0.7 = 82.86)×0.5 = 85.43 称职
		n, yr := r.year(2026)
		lines, drafted := yearRows(yr.Card, names)
		for id, want := range map[string][2]string{
			"ou_q1": {"91.7分", "优秀"}, "ou_q2": {"87.9分", "称职"}, "ou_q3": {"85.25分", "称职"}, "ou_q4": {"72.25分", "称职"},
			"ou_q5": {"63.75分", "基本称职"}, "ou_zk": {"89.36分", "称职"}, "ou_fk": {"85.43分", "称职"},
		} {
			if !strings.Contains(lines[id], want[0]) || drafted[id] != want[1] {
				d.Fail("%s's year: %q drafted %q, want %s %s", d.Name(id), lines[id], drafted[id], want[0], want[1])
			}
		}
		d.Click(n, "ou_head", "submit", nil, "已确认")
		d.Wait("ou_hr", "2026年度考核等次已确认")
		d.Type("ou_hr", "公示", "公示已发布")
		r.results("2026年度考核结果", map[string][2]string{"ou_q1": {"优秀", "91.7"}, "ou_zk": {"称职", "89.36"}, "ou_q5": {"基本称职", "63.75"}})
	})
}
