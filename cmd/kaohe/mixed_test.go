package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// mixedUnit is one unit of TestMixedSchemesInChat: its scheme (as the
// schemes key gives it), leader and staff with the total (S4) or grade
// (S5) their leader gives.
type mixedUnit struct {
	id, name, scheme, leader string
	staff                    []mixedPerson
}

type mixedPerson struct {
	id, name string
	score    int
	grade    string
}

var mixedUnits = []mixedUnit{
	// The default scheme's unit: S4, quarterly. 好 is capped at 40% of
	// three: one.
	{"u1", "综合科", "", "ou_l1", []mixedPerson{{"ou_a1", "赵一", 95, ""}, {"ou_a2", "钱二", 85, ""}, {"ou_a3", "孙三", 70, ""}}},
	// S5, quarterly: A takes 20%–30% of five, exactly one.
	{"u2", "业务科", "s5", "ou_l2", []mixedPerson{{"ou_b1", "周甲", 1, "A"}, {"ou_b2", "吴乙", 1, "B"}, {"ou_b3", "郑丙", 1, "B"},
		{"ou_b4", "王丁", 1, "B"}, {"ou_b5", "冯戊", 1, "C"}}},
	// A window unit (S4 注意事项1): S4 run monthly.
	{"w", "窗口科", "s4-month", "ou_lw", []mixedPerson{{"ou_w1", "陈东", 93, ""}, {"ou_w2", "褚南", 80, ""}, {"ou_w3", "卫西", 72, ""}}},
}

// TestMixedSchemesInChat is one organisation under three schemes, run by
// its people in Lark only (`kaohe sim` and `kaohe serve`, the schemes key
// in serve's config file): the S4 unit and the S5 unit open 2027's first
// quarter, the window unit March; each period holds only its own unit's
// people, its committee card lists only them, the S5 unit is graded A–D
// and the S4 units 好…较差, and April opens by itself for the window unit
// alone.
func TestMixedSchemesInChat(t *testing.T) {
	t.Parallel()
	const appID, appSecret = "cli_mixed", "app-secret-mixed"
	people := []map[string]any{
		{"id": "ou_hr", "name": "政治处李", "hr": true},
		{"id": "ou_head", "name": "局长王", "committee": true},
		{"id": "ou_s1", "name": "副局长赵"},
	}
	var units []map[string]any
	names := map[string]string{"ou_hr": "政治处李", "ou_head": "局长王", "ou_s1": "副局长赵"}
	schemes := "schemes:\n"
	for _, u := range mixedUnits {
		units = append(units, map[string]any{"id": u.id, "name": u.name, "leader": u.leader, "supervisor": "ou_s1"})
		people = append(people, map[string]any{"id": u.leader, "name": "科长" + u.name, "unit": u.id})
		names[u.leader] = "科长" + u.name
		for _, p := range u.staff {
			people = append(people, map[string]any{"id": p.id, "name": p.name, "unit": u.id, "group": u.id, "assessed": true})
			names[p.id] = p.name
		}
		if u.scheme != "" {
			schemes += "  " + u.id + ": " + u.scheme + "\n"
		}
	}
	b, err := json.Marshal(map[string]any{"hr": "ou_hr", "settings": map[string]any{"name": "财政局", "head": "ou_head",
		"public_chats": []string{"oc_public"}}, "units": units, "people": people})
	if err != nil {
		t.Fatal(err)
	}
	orgPath := writeFile(t, "org.json", string(b))
	cfgPath := writeFile(t, "kaohe.yaml", schemes)
	// Monday 29 March 2027: the quarter's and the month's last week.
	sim := startSimProc(t, "--org", orgPath, "--app-id", appID, "--app-secret", appSecret,
		"--verification-token", testToken, "--encrypt-key", testKey,
		"--start", "2027-03-29T08:55:00+08:00", "--callback-timeout", "10s")
	serve := startServeProc(t, []string{
		"KAOHE_CONFIG=" + cfgPath,
		"KAOHE_APP_ID=" + appID, "KAOHE_APP_SECRET=" + appSecret, "KAOHE_BASE_URL=" + sim.url, "KAOHE_SCHEME=s4",
		"KAOHE_CALLBACK=webhook", "KAOHE_VERIFICATION_TOKEN=" + testToken, "KAOHE_ENCRYPT_KEY=" + testKey,
		"KAOHE_LISTEN=127.0.0.1:0", "KAOHE_STORAGE=memory", "KAOHE_ORG=" + orgPath, "KAOHE_CLOCK_URL=" + sim.url + "/_sim/clock",
		"KAOHE_RELAY_INTERVAL=30ms", "KAOHE_TICK_INTERVAL=50ms", "KAOHE_SHUTDOWN_TIMEOUT=2s",
		"KAOHE_DATABASE_URL=", "KAOHE_CLOCK_FILE=", "KAOHE_REMINDER_GRACE=720h",
	})
	ctx := context.Background()
	c := simclient.New(sim.url)
	hook := "http://" + serve.addr + WebhookPath
	if _, err := c.Configure(ctx, simclient.Config{CallbackURL: &hook, Verify: true}); err != nil {
		t.Fatalf("configure the webhook: %v", err)
	}
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	d := story.NewDriver(ctx, c, io.Discard)
	d.Scheme = sc
	d.Names = names
	for _, u := range mixedUnits {
		for _, p := range u.staff {
			d.Scores[p.id] = p.score
			if p.grade != "" {
				d.Grades[p.id] = p.grade
			}
		}
	}
	if err := story.Play(func() { mixedInChat(d) }); err != nil {
		t.Fatalf("%v\n--- sim\n%s\n--- serve\n%s", err, tail(sim.logs.String(), 4000), tail(serve.logs.String(), 8000))
	}
}

// mixedInChat is the quarter and the month as the people play them.
func mixedInChat(d *story.Driver) {
	cal := calendar.Default()
	sh := calendar.DefaultLocation()
	d.At(time.Date(2027, 3, 29, 9, 5, 0, 0, sh))
	// Three periods open by themselves, each named for HR with its scheme.
	opened := d.All("ou_hr", "考核已开启", 3)
	var titles []string
	for _, m := range opened {
		titles = append(titles, story.CardTitle(m.Card))
	}
	all := strings.Join(titles, " | ")
	for _, want := range []string{"2027年第一季度考核已开启", "2027年第一季度（S5）考核已开启", "2027年3月（S4-MONTH）考核已开启"} {
		if !strings.Contains(all, want) {
			d.Fail("HR was told %q, want %q among them", all, want)
		}
	}

	// Everyone writes what their 待办 asks: the quarter's (or the month's)
	// weekly records and 月小结, and, in the period's last week, the
	// self-summary.
	var staff []string
	for _, u := range mixedUnits {
		for _, p := range u.staff {
			staff = append(staff, p.id)
		}
	}
	for _, p := range staff {
		d.ClearTodo(p)
	}
	// After the period: the last records and any reminder left. The next
	// periods open: April for the window unit alone.
	d.At(cal.At(calendar.NewDate(2027, 4, 1), 15, 5))
	d.Wait("ou_hr", "2027年4月（S4-MONTH）考核已开启")
	for _, p := range staff {
		d.ClearTodo(p)
	}
	// The chains: each unit's leader, then the 分管领导 and the 主管领导.
	for _, u := range mixedUnits {
		if got := d.Steps(u.leader); len(got) != len(u.staff) {
			d.Fail("%s decided %d steps, want %d", d.Name(u.leader), len(got), len(u.staff))
		}
	}
	total := len(staff)
	for _, l := range []string{"ou_s1", "ou_head"} {
		if got := d.Steps(l); len(got) != total {
			d.Fail("%s decided %d steps, want %d", d.Name(l), len(got), total)
		}
	}
	// Each appraisal closes by itself with only its own people.
	closed := d.All("ou_hr", "考核已自动结束", 3)
	counts := map[string]string{"2027年第一季度考核": "参加考核：3人", "2027年第一季度（S5）考核": "参加考核：5人", "2027年3月（S4-MONTH）考核": "参加考核：3人"}
	for _, m := range closed {
		title := story.CardTitle(m.Card)
		for p, want := range counts {
			if strings.HasPrefix(title, p+"已自动结束") && !m.Contains(want) {
				d.Fail("%s: want %s: %s", title, want, m.Content)
			}
		}
	}

	// One committee card per scheme: each quota counts its own people
	// under its own grades, and no one else.
	notes := d.All("ou_head", "请确认考核等次", 3)
	for _, m := range notes {
		scheme := ""
		switch {
		case m.Contains("（S5）"):
			scheme = "s5"
		case m.Contains("（S4-MONTH）"):
			scheme = "s4-month"
		}
		r := d.Click(m, "ou_head", "btn_1", nil, "")
		form := string(r.Card)
		// The quota counts the scheme's own people under its own grade.
		want, other := `"grade":"好"`, `"grade":"A"`
		n := 3
		if scheme == "s5" {
			want, other, n = other, want, 5
		}
		if !strings.Contains(form, want) || strings.Contains(form, other) || !strings.Contains(form, fmt.Sprintf("共%d人", n)) {
			d.Fail("the committee card of scheme %q: want %s of %d people only: %s", scheme, want, n, form)
		}
		d.Click(m, "ou_head", "confirm", nil, "已确认等次")
	}

	// 公示 of each period; each person's result has their scheme's grade.
	for _, id := range []string{"2027-Q1", "2027-Q1@s5", "2027-03@s4-month"} {
		d.Type("ou_hr", "公示 "+id, "公示已发布")
	}
	want := map[string]string{"ou_a1": "好", "ou_a2": "较好", "ou_a3": "一般", "ou_b1": "A", "ou_b2": "B", "ou_b5": "C",
		"ou_w1": "好", "ou_w2": "较好", "ou_w3": "一般"}
	for id, g := range want {
		res := d.Wait(id, "考核结果")
		if !res.Contains("等次：**" + g) {
			d.Fail("%s's result is not %s: %s", d.Name(id), g, res.Content)
		}
	}
}
