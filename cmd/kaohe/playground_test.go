package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kaohe/kaohe/internal/browsertest"

	"github.com/kaohe/kaohe/demo/story"
	"github.com/kaohe/kaohe/scoring"
)

// screenshots is where TestPlaygroundInBrowser saves the playground's main
// screens: `go test ./cmd/kaohe -run TestPlaygroundInBrowser -args
// -screenshots ../../docs/playground` refreshes the README's pictures.
var screenshots = flag.String("screenshots", "", "folder for the playground's screenshots (docs/playground)")

// TestPlaygroundInBrowser is `kaohe demo` used in a browser, by clicks and
// typing in the page only (chromedp drives Debian's chromium, headless; it
// keeps the test in Go, with no node toolchain to install or vendor):
//
//   - the person list names each unit's scheme;
//   - 陈晓燕 (办公室, S4) moves the clock to her first reminder, opens the
//     周记实 from the reminder card, fills it in and submits it;
//   - the clock goes to the quarter's summary deadline and, as 钱文华, the
//     colleagues button has everyone else fill in their records and do
//     their chain steps (the window's three months among them);
//   - 钱文华 types 待办, opens 陈晓燕's 初评, scores every indicator and
//     approves;
//   - as 李敏 (HR) the colleagues finish the chain, HR checks 进度 (the
//     chart and the table render), and the S4 quarter ends by itself
//     (HR's card says so);
//   - 王建国 (committee) decides the tie at S4's 40% cap: three people at
//     90 for two places;
//   - 李敏 types 公示 2026-Q1 and the 公示 group shows the result, the tie
//     as the committee decided it;
//   - 王建国 confirms 业务科's S5 quarter on its own card, 李敏 types 公示
//     2026-Q1@s5, and the group shows its A grades.
//
// TestPlaygroundSchemes walks the window unit's month without a browser.
//
// The page talks to the simulator's control interface only, so each of
// these went through the simulator's signed and encrypted callbacks to
// the real serve.
func TestPlaygroundInBrowser(t *testing.T) {
	t.Parallel()
	chromium := browsertest.Chromium(t)
	began := time.Now()
	ctx, stop := context.WithCancel(context.Background())
	addrFile := filepath.Join(t.TempDir(), "addr")
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- runDemo(ctx, []string{"--listen", "127.0.0.1:0", "--addr-file", addrFile}, out) }()
	stopped := false
	shutdown := func() {
		if stopped {
			return
		}
		stopped = true
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("kaohe demo: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("kaohe demo did not stop within 15s of Ctrl-C")
		}
	}
	defer shutdown()
	addr, err := waitAddr(ctx, addrFile, done)
	if err != nil {
		t.Fatalf("kaohe demo did not start: %v\n%s", err, out.String())
	}
	base := "http://" + addr

	b := newBrowser(t, chromium)
	b.do(chromedp.Navigate(base + "/#me=ou_a01"))
	b.wait(`document.querySelector('.person.active') && document.querySelector('.person.active').textContent.includes('陈晓燕') && document.querySelectorAll('.chat-item').length === 2`)
	groups := b.text(`Array.from(document.querySelectorAll('.group-title')).map(g => g.textContent).join(' | ')`)
	for _, want := range []string{"办公室方案 S4 · 按季度", "业务科方案 S5 · 按季度 · A/B/C/D", "政务服务窗口方案 S4-MONTH · 按月"} {
		if !strings.Contains(groups, want) {
			t.Errorf("the person list's units %q lack %q", groups, want)
		}
	}

	// 陈晓燕: to the first reminder of her weekly record, and fill it in.
	for i := 0; !b.has(lastCardWith("周记实", "立即填写")); i++ {
		if i == 8 {
			t.Fatalf("no 周记实 reminder for 陈晓燕 after %d moves of the clock", i)
		}
		b.clock(`#clk-next`)
	}
	b.clickMarked(lastCardWith("周记实", "立即填写"))
	b.wait(`document.querySelector('[data-field="task1_title"]')`)
	b.typeInto(lastField("task1_title"), "起草全县预算执行情况报告")
	b.choose(lastField("task1_progress"), "100")
	b.choose(lastField("attendance"), "full")
	b.shot("weekly", lastCardWith("周记实", ""))
	b.clickMarked(lastCardWith("周记实", "提交"))
	b.waitDone("已提交")

	// The quarter's summaries are due on 3 April; everyone but 钱文华
	// fills in the rest and the other leaders score.
	b.setValue(`#clk-to`, "2026-04-03T17:00")
	b.clock(`#clk-go`)
	b.wait(`document.getElementById('now').textContent.startsWith('2026-04-03')`)
	b.pick("ou_l1", "钱文华")
	b.colleagues()

	// 钱文华 scores 陈晓燕 from his 待办.
	b.chip("待办")
	b.wait(lastCardWith("我的待办", "去审核"))
	b.clickMarked(rowButton("我的待办", "陈晓燕", "去审核"))
	b.wait(`document.querySelector('[data-field="ind_工作负荷"]')`)
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	for id, v := range story.LeafScores(sc, 95) {
		b.typeInto(lastField("ind_"+id), v)
	}
	b.typeInto(lastField("comment"), "工作扎实，材料质量高")
	b.shot("scoring", lastCardWith("考核评分", ""))
	b.clickMarked(lastCardWith("考核评分", "通过"))
	b.waitDone("已通过")

	// HR: the colleagues finish the chain; 进度 shows it; the appraisal ends.
	b.pick("ou_hr", "李敏")
	b.colleagues()
	b.chip("进度")
	b.wait(`Array.from(document.querySelectorAll('#messages .lark-card')).some(c => c.textContent.includes('考核进度') && c.querySelector('svg.lc-svg rect') && c.querySelector('table.lc-table'))`)
	b.shot("progress", lastCardWith("考核进度", ""))
	// With every chain done and the quarter over, the appraisal ends by
	// itself and HR is told.
	b.wait(lastCardWith("2026年第一季度考核已自动结束", ""))

	// 王建国 decides the tie: three at 90 for the last two places of 好.
	b.pick("ou_head", "王建国")
	b.wait(lastCardWith("请审定名额线并列人员", "去审定"))
	b.clickMarked(lastCardWith("请审定名额线并列人员", "去审定"))
	b.wait(`document.querySelectorAll('[data-field^="grade_"]').length === 3`)
	tied := b.strings(`Array.from(document.querySelectorAll('[data-field^="grade_"]')).map(e => e.getAttribute('data-field').slice(6))`)
	if want := []string{"ou_a04", "ou_a06", "ou_a07"}; strings.Join(slices.Sorted(slices.Values(tied)), ",") != strings.Join(want, ",") {
		t.Fatalf("tied at the cap: %v, want %v", tied, want)
	}
	for _, id := range tied {
		grade, why := "好", "牵头完成全县预算编制等重点任务，表现突出"
		if id == "ou_a07" {
			grade, why = "较好", "名额所限"
		}
		b.choose(lastField("grade_"+id), grade)
		b.typeInto(lastField("why_"+id), why)
	}
	b.shot("committee", "")
	b.clickMarked(lastCardWith("考核委员会审定", "提交"))
	b.waitDone("已确认等次")

	// 李敏 publishes the S4 quarter's 公示; the group shows it as decided.
	b.pick("ou_hr", "李敏")
	b.typeInto(`#input`, "公示 2026-Q1")
	b.click(`#send`)
	b.wait(lastCardWith("公示已发布", ""))
	b.click(`.chat-item:nth-child(2)`)
	b.wait(lastCardWith("2026年第一季度平时考核结果公示", ""))
	pub := b.text(`Array.from(document.querySelectorAll('#messages .lark-card')).filter(c => c.textContent.includes('2026年第一季度平时考核结果公示')).pop().textContent`)
	for _, name := range []string{"陈晓燕", "张丽娟", "杨光辉", "冯建军"} {
		if !strings.Contains(pub, name) {
			t.Errorf("公示 lacks %s: %s", name, pub)
		}
	}
	for _, name := range []string{"何静怡", "吴海峰", "唐俊杰"} {
		if strings.Contains(pub, name) {
			t.Errorf("the S4 quarter's 公示 lists %s (较好 by the committee, or under another scheme): %s", name, pub)
		}
	}
	b.shot("publicity", "")

	// 业务科's S5 quarter: its own committee card, its own 公示, A grades.
	// Back to the chat with the bot: the page keeps the 公示 group open
	// across a change of person.
	b.click(`.chat-item:nth-child(1)`)
	b.wait(`document.querySelector('.chat-item:nth-child(1).active')`)
	b.pick("ou_head", "王建国")
	b.clickMarked(lastCardWith("2026年第一季度（S5）", "去确认"))
	b.wait(`cardsWith('2026年第一季度（S5）').pop().textContent.includes('（共8人）')`)
	b.clickMarked(lastCardWith("2026年第一季度（S5）", "确认等次"))
	b.waitDone("已确认等次")
	b.pick("ou_hr", "李敏")
	b.typeInto(`#input`, "公示 2026-Q1@s5")
	b.click(`#send`)
	b.wait(`cardsWith('公示已发布').length === 2`)
	b.click(`.chat-item:nth-child(2)`)
	b.wait(lastCardWith("2026年第一季度（S5）平时考核结果公示", ""))
	if pub := b.text(`cardsWith('2026年第一季度（S5）平时考核结果公示').pop().textContent`); !strings.Contains(pub, "「A」等次（2人）吴海峰、许文斌") {
		t.Errorf("the S5 quarter's 公示: %s", pub)
	}
	if n := b.number(`document.querySelectorAll('#tl-list .tl-item.sent').length`); n < 100 {
		t.Errorf("the timeline shows %d messages sent, want the quarter's", n)
	}

	if errs := b.strings(`window.pgErrors`); len(errs) > 0 {
		t.Errorf("script errors on the page: %q", errs)
	}
	shutdown()
	for _, want := range []string{"在浏览器中打开 http://" + addr + "/", "Ctrl-C 停止", "已停止"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("kaohe demo's output lacks %q:\n%s", want, out.String())
		}
	}
	t.Logf("the quarter in the browser took %v", time.Since(began).Round(time.Second))
}

// browser is one headless chromium tab and the test it reports to.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func newBrowser(t *testing.T, path string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"), chromedp.Env("LANGUAGE=zh_CN"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx}
	b.do(chromedp.EmulateViewport(1440, 900))
	return b
}

func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	shot, _ := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if len(shot) > 0 {
		p := filepath.Join(os.TempDir(), fmt.Sprintf("playground-failure-%d.png", time.Now().UnixNano()))
		if os.WriteFile(p, shot, 0o644) == nil {
			format += "\n(the page at the failure: " + p + ")"
		}
	}
	b.t.Fatalf(format, args...)
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("browser: %v", err)
	}
}

// wait waits until the JavaScript expression is true (at most a minute:
// the colleagues walk a quarter).
func (b *browser) wait(expr string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool]("!!("+expr+")", chromedp.WithPollingTimeout(time.Minute), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.fail("waiting for %s: %v", expr, err)
	}
}

func (b *browser) has(expr string) bool {
	b.t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
	if err != nil {
		b.fail("evaluate %s: %v", expr, err)
	}
	return ok
}

func (b *browser) text(expr string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.fail("evaluate %s: %v", expr, err)
	}
	return s
}

func (b *browser) strings(expr string) []string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		b.fail("evaluate %s: %v", expr, err)
	}
	return s
}

func (b *browser) number(expr string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](expr))
	if err != nil {
		b.fail("evaluate %s: %v", expr, err)
	}
	return n
}

// click clicks the element a CSS selector finds, with the mouse.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// clickMarked waits until mark (an expression that marks the element to
// click with data-t="1" and is true once it has) holds, and clicks it.
func (b *browser) clickMarked(mark string) {
	b.t.Helper()
	b.wait(mark)
	b.click(`[data-t="1"]`)
}

// typeInto types text into the field mark finds, as keystrokes.
func (b *browser) typeInto(sel, text string) {
	b.t.Helper()
	if strings.HasPrefix(sel, "(") { // a mark expression
		b.wait(sel)
		sel = `[data-t="1"]`
	}
	b.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// choose picks an option of the select mark finds: focus, the option's
// value set as picking it from the list does, and the change event the
// list sends.
func (b *browser) choose(mark, value string) {
	b.t.Helper()
	b.wait(mark)
	b.do(chromedp.Focus(chromedp.CSS(`[data-t="1"]`)), chromedp.SetValue(chromedp.CSS(`[data-t="1"]`), value),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-t="1"]').dispatchEvent(new Event('change', {bubbles: true}))`))
	if got := b.text(`document.querySelector('[data-t="1"]').value`); got != value {
		b.fail("select %s: %q, want %q", mark, got, value)
	}
}

func (b *browser) setValue(sel, value string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.CSS(sel), value))
}

// pick chooses who the visitor is from the person list.
func (b *browser) pick(id, name string) {
	b.t.Helper()
	b.click(`.person[data-id="` + id + `"]`)
	b.wait(`document.querySelector('.me .nm') && document.querySelector('.me .nm').textContent === '` + name + `' && document.querySelector('.chat-item.active')`)
}

// chip sends a command by its quick button.
func (b *browser) chip(text string) {
	b.t.Helper()
	b.clickMarked(`(function(){ ` + markJS + ` clearMarks(); var c = Array.from(document.querySelectorAll('#chips .chip')).find(b => b.textContent === '` + text + `'); if (!c) return false; c.setAttribute('data-t', '1'); return true; })()`)
}

// clock presses one of the clock's buttons and waits until the timeline
// shows the move.
func (b *browser) clock(button string) {
	b.t.Helper()
	n := b.number(`document.querySelectorAll('#tl-list .tl-item.clock').length`)
	b.click(button)
	b.wait(fmt.Sprintf(`document.querySelectorAll('#tl-list .tl-item.clock').length > %d && document.getElementById('busy').hidden`, n))
}

// colleagues presses 其他人处理待办 and waits until the timeline shows what
// they did.
func (b *browser) colleagues() {
	b.t.Helper()
	n := b.number(`document.querySelectorAll('#tl-list .tl-item.others').length`)
	b.click(`#others`)
	b.wait(fmt.Sprintf(`document.querySelectorAll('#tl-list .tl-item.others').length > %d && document.getElementById('busy').hidden`, n))
	if warn := b.text(`Array.from(document.querySelectorAll('.toast.warning, .toast.error')).map(t => t.textContent).join('; ')`); warn != "" {
		b.fail("the colleagues stopped: %s", warn)
	}
}

// waitDone waits for the answer to a click: a toast, or the card the
// answer put in place of the form, saying want; an error toast fails.
func (b *browser) waitDone(want string) {
	b.t.Helper()
	q := strconv.Quote(want)
	b.wait(`Array.from(document.querySelectorAll('.toast.error')).length || Array.from(document.querySelectorAll('.toast.success, .toast.info')).some(t => t.textContent.includes(` + q + `)) ||
  Array.from(document.querySelectorAll('#messages .lark-card')).some(c => !c.querySelector('form') && c.querySelector('.lc-header') && c.textContent.includes(` + q + `))`)
	if bad := b.text(`Array.from(document.querySelectorAll('.toast.error')).map(t => t.textContent).join('; ')`); bad != "" {
		b.fail("an error toast: %s", bad)
	}
}

// shot saves the page as docs/playground/NAME.png when -screenshots is
// set, with the top of the card mark finds at the top of the chat.
func (b *browser) shot(name, mark string) {
	b.t.Helper()
	if *screenshots == "" {
		return
	}
	if mark != "" {
		b.wait(mark)
		b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-t="1"]').scrollIntoView({block: 'start'}); document.getElementById('messages').scrollTop -= 40`))
	}
	b.do(chromedp.Sleep(300 * time.Millisecond)) // let the last change paint
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.fail("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// The mark expressions: each clears the marks, finds one element the way
// a person finds it by reading, marks it data-t="1", scrolls it into view
// and is true once it has.
const markJS = `window.clearMarks = function(){ document.querySelectorAll('[data-t]').forEach(e => e.removeAttribute('data-t')); };
window.markIt = function(e){ if (!e) return false; e.setAttribute('data-t', '1'); e.scrollIntoView({block: 'center'}); return true; };
window.cardsWith = function(text){ return Array.from(document.querySelectorAll('#messages .lark-card')).filter(c => c.textContent.includes(text)); };`

// lastCardWith marks the first enabled button whose text contains button
// in the newest card of the open chat that contains text (the card itself
// when button is "").
func lastCardWith(text, button string) string {
	return fmt.Sprintf(`(function(){ %s clearMarks(); var c = cardsWith(%q).pop(); if (!c) return false; if (%q === '') return markIt(c);
  return markIt(Array.from(c.querySelectorAll('button')).find(b => b.textContent.includes(%q) && !b.disabled)); })()`, markJS, text, button, button)
}

// rowButton marks the button in the row (column_set) of the newest card
// containing text that names who.
func rowButton(text, who, button string) string {
	return fmt.Sprintf(`(function(){ %s clearMarks(); var c = cardsWith(%q).pop(); if (!c) return false;
  var row = Array.from(c.querySelectorAll('.lc-columns')).find(r => r.textContent.includes(%q)); if (!row) return false;
  return markIt(Array.from(row.querySelectorAll('button')).find(b => b.textContent.includes(%q) && !b.disabled)); })()`, markJS, text, who, button)
}

// lastField marks the newest form field named name.
func lastField(name string) string {
	return fmt.Sprintf(`(function(){ %s clearMarks(); return markIt(Array.from(document.querySelectorAll('[data-field=%q]')).pop()); })()`, markJS, name)
}

// TestDemoFlags: the playground's flags and the story's do not mix, and
// each refusal is a usage error (exit 2) that says which flag.
func TestDemoFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"quarters without story", []string{"demo", "--quarters", "2"}, "--quarters goes with --story"},
		{"story and scoring", []string{"demo", "--story", "--scoring"}, "exclude each other"},
		{"listen with story", []string{"demo", "--story", "--listen", "127.0.0.1:0"}, "the playground's"},
		{"addr file with scoring", []string{"demo", "--scoring", "--addr-file", "x"}, "the playground's"},
		{"quarters out of range", []string{"demo", "--story", "--quarters", "5"}, "1 to 4"},
		{"argument", []string{"demo", "now"}, `unexpected argument "now"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runCmd(t, "", c.args...)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v: %v (exit %d), want a usage error with %q", c.args, err, exitCode(err), c.want)
			}
		})
	}
	out, _, err := runCmd(t, "", "demo", "-h")
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out, "kaohe demo --story") || !strings.Contains(out, "-listen") {
		t.Errorf("demo -h: %v\n%s", err, out)
	}
}
