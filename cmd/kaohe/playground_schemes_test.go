package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/playground"
	"github.com/kaohe/kaohe/demo/story"
)

// startPlayground runs `kaohe demo` on a free loopback port until the
// test ends and returns the page's base URL and the demo's output; stop
// ends it as Ctrl-C does and reports how it ended (idempotent).
func startPlayground(t *testing.T) (base string, out *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrFile := filepath.Join(t.TempDir(), "addr")
	out = &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- runDemo(ctx, []string{"--listen", "127.0.0.1:0", "--addr-file", addrFile}, out) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("kaohe demo: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("kaohe demo did not stop within 15s of Ctrl-C")
		}
	}
	t.Cleanup(stop)
	addr, err := waitAddr(ctx, addrFile, done)
	if err != nil {
		t.Fatalf("kaohe demo did not start: %v\n%s", err, out.String())
	}
	return "http://" + addr, out, stop
}

// pgPost posts req to one of the playground's /api/ endpoints and decodes
// the answer into res.
func pgPost(t *testing.T, base, path string, req, res any) {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s %s: %d %s", path, b, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, res); err != nil {
		t.Fatalf("POST %s: %v: %s", path, err, body)
	}
}

// TestPlaygroundSchemes is the playground's three schemes through the
// page's own endpoints, without a browser (TestPlaygroundInBrowser walks
// the quarters of the S4 and S5 units): the person list says which unit
// is under which scheme, and the window unit's January, S4 run monthly,
// is walked to its 公示 with the clock control and 其他人处理待办 as the
// page sends them. HR's 进度 shows the S4 quarter with a button to each
// other scheme's open period, the S5 quarter among them; the committee's
// card and the 公示 are the month's alone.
func TestPlaygroundSchemes(t *testing.T) {
	t.Parallel()
	began := time.Now()
	base, _, _ := startPlayground(t)
	ctx := context.Background()

	var info playground.Info
	resp, err := http.Get(base + "/api/info")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if info.Scheme != "方案 S4、S5、S4-MONTH" || !strings.Contains(info.Schemes["s5"], "A/B/C/D") || !strings.Contains(info.Schemes["s4-month"], "按月") {
		t.Errorf("/api/info names the schemes %q %q", info.Scheme, info.Schemes)
	}
	schemeOf := map[string]string{}
	for _, p := range info.People {
		schemeOf[p.ID] = p.Scheme
	}
	if n := len(info.People); n < 28 || n > 32 {
		t.Errorf("the sample organisation has %d people, want about 30", n)
	}
	for id, want := range map[string]string{"ou_a01": "", "ou_b01": "s5", "ou_w01": "s4-month", playground.SampleLeaderWindow: "s4-month", playground.SampleHR: ""} {
		if got, ok := schemeOf[id]; !ok || got != want {
			t.Errorf("%s is under scheme %q (listed: %v), want %q", id, got, ok, want)
		}
	}

	// The clock starts before the quarter: the first move opens the
	// quarters of 办公室 and 业务科 and the window's January.
	var clk playground.ClockResult
	pgPost(t, base, "/api/clock", playground.ClockRequest{Move: "next"}, &clk)
	if clk.Sent == 0 || clk.Now.Format(time.DateOnly) != "2026-01-04" {
		t.Fatalf("the first 下一条提醒: %+v", clk)
	}
	// 3 February: January's 月小结 are due; everyone but HR does what
	// their 待办 asks, which ends the window's month.
	pgPost(t, base, "/api/clock", playground.ClockRequest{Move: "to", To: "2026-02-03T17:00"}, &clk)
	var res playground.OthersResult
	pgPost(t, base, "/api/others", playground.OthersRequest{Me: playground.SampleHR}, &res)
	// The window's six, each through 初评, 审定 and 评鉴.
	if len(res.Problems) > 0 || res.Forms == 0 || res.Steps != 18 {
		t.Fatalf("其他人处理待办: %+v, want records filled and the window's 18 steps", res)
	}

	d := story.NewDriver(ctx, simclient.New(base), io.Discard)
	d.Timeout = 20 * time.Second
	if err := story.Play(func() { windowMonth(t, d) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("the window's January took %v", time.Since(began).Round(time.Second))
}

// windowMonth is the end of the window's January as HR and the 局长 see
// it.
func windowMonth(t *testing.T, d *story.Driver) {
	hr, head := playground.SampleHR, playground.SampleHead
	d.Wait(hr, "2026年1月（S4-MONTH）考核已自动结束")
	// 进度: the S4 quarter (办公室 only), a button to each other open
	// period; the S5 button shows 业务科's.
	prog := d.Type(hr, "进度", "考核进度")
	if !prog.Contains("2026年第一季度") || !prog.Contains("办公室") || prog.Contains("业务科") || !prog.Contains("查看2026年第一季度（S5）") || !prog.Contains("查看2026年2月（S4-MONTH）") {
		t.Errorf("HR's 进度: %s", prog.Content)
	}
	s5 := d.Click(prog, hr, larksimButton(t, prog, "查看2026年第一季度（S5）"), nil, "2026年第一季度（S5）")
	if card := string(s5.Card); !strings.Contains(card, "业务科") || strings.Contains(card, "办公室") {
		t.Errorf("HR's 进度 of the S5 quarter: %s", card)
	}

	// The committee's card for the month: its own six, two places of 好.
	note := d.WaitFor(head, "the committee's card for January", func(m simclient.Message) bool {
		return m.Contains("请确认考核等次") && m.Contains("2026年1月（S4-MONTH）")
	})
	form := d.Click(note, head, "btn_1", nil, "")
	if c := string(form.Card); !strings.Contains(c, "2人（共6人）") || !strings.Contains(c, "考核委员会审定") {
		t.Errorf("the committee's card for the window's January: %s", c)
	}
	d.Click(note, head, "confirm", nil, "已确认等次")
	d.Type(hr, "公示 2026-01@s4-month", "公示已发布")
	pub := d.Wait(playground.SamplePublic, "2026年1月（S4-MONTH）平时考核结果公示")
	if !pub.Contains("**「好」等次（2人）**\\n唐俊杰、徐丽萍") {
		t.Errorf("the window's 公示: %s", pub.Content)
	}
	if r := d.Wait("ou_w01", "考核结果"); !r.Contains("等次：**好") {
		t.Errorf("唐俊杰's result: %s", r.Content)
	}
}

// larksimButton is the name of the button on m whose text is text.
func larksimButton(t *testing.T, m simclient.Message, text string) string {
	t.Helper()
	name := ""
	story.EachObject(m.Card, func(e map[string]any) {
		if tag, _ := e["tag"].(string); tag != "button" {
			return
		}
		if tx, _ := e["text"].(map[string]any); tx != nil && tx["content"] == text {
			name, _ = e["name"].(string)
		}
	})
	if name == "" {
		t.Fatalf("no button %q on %s", text, story.CardTitle(m.Card))
	}
	return name
}
