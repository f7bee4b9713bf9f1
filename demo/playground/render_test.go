package playground

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kaohe/kaohe/internal/browsertest"
)

// gallery, when set, is where TestCardsRender saves a screenshot of every
// golden card as the page draws it (for a person to look at).
var gallery = flag.String("gallery", "", "folder for screenshots of every golden card as the playground draws it")

// renderPage draws every card of /cards.json with card.js, one after the
// other, and records what it found: each card's counts of the components
// the bot uses, and any fallback ("请升级至最新版本客户端") or script error.
const renderPage = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/style.css">
<style>body{overflow:auto;height:auto;background:#f5f6f7} .g{width:640px;margin:16px} .n{font:12px monospace;color:#888}</style></head>
<body><div id="root"></div><script src="/card.js"></script><script>
window.errors = [];
window.onerror = function (m) { window.errors.push(String(m)); };
fetch('/cards.json').then(r => r.json()).then(function (cards) {
  var out = {};
  Object.keys(cards).sort().forEach(function (name) {
    var box = document.createElement('div'); box.className = 'g'; box.id = 'g-' + name;
    var label = document.createElement('div'); label.className = 'n'; label.textContent = name; box.appendChild(label);
    try {
      var node = LarkCard.render(cards[name], {name: function (id) { return id; }, onAction: function () {}});
      box.appendChild(node);
      document.getElementById('root').appendChild(box);
      out[name] = {
        fallback: node.querySelectorAll('.lc-unsupported').length,
        header: !!node.querySelector('.lc-header .lc-title') && node.querySelector('.lc-header .lc-title').textContent,
        template: node.querySelector('.lc-header') ? node.querySelector('.lc-header').getAttribute('data-template') : '',
        inputs: node.querySelectorAll('input.lc-input, textarea.lc-input').length,
        selects: node.querySelectorAll('select.lc-select').length,
        dates: node.querySelectorAll('input.lc-date').length,
        buttons: node.querySelectorAll('button.lc-btn').length,
        columns: node.querySelectorAll('.lc-columns').length,
        tables: node.querySelectorAll('table.lc-table').length,
        bars: node.querySelectorAll('svg.lc-svg rect').length,
        fonts: node.querySelectorAll('.md-font').length,
        raw: /<font|\*\*/.test(node.querySelector('.lc-body').textContent),
        text: node.textContent
      };
    } catch (e) { window.errors.push(name + ': ' + e); }
  });
  window.result = out;
});
</script></body></html>`

// TestCardsRender draws every card the bot has a golden file for
// (bot/card/testdata) with the playground's renderer in headless
// chromium: none may fall back to "update your client", no markdown may
// stay raw (<font, **), and each component the bot uses must come out as
// its control — the forms' inputs, selects and date pickers, the
// buttons, the rows, the progress card's table and bar charts — with the
// header's template colour.
func TestCardsRender(t *testing.T) {
	t.Parallel()
	path := browsertest.Chromium(t)
	files, err := filepath.Glob("../../bot/card/testdata/*.golden.json")
	if err != nil || len(files) < 50 {
		t.Fatalf("golden cards: %d files, %v", len(files), err)
	}
	cards := map[string]json.RawMessage{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cards[strings.TrimSuffix(filepath.Base(f), ".golden.json")] = b
	}
	pg, err := New(Options{Sim: "http://127.0.0.1:1", Scheme: testScheme(t)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/render.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(renderPage))
	})
	mux.HandleFunc("/cards.json", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, cards) })
	mux.Handle("/", pg)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := browserContext(t, path)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/render.html")); err != nil {
		t.Fatal(err)
	}
	type stats struct {
		Fallback, Inputs, Selects, Dates, Buttons, Columns, Tables, Bars, Fonts int
		Header                                                                  any
		Template, Text                                                          string
		Raw                                                                     bool
	}
	raw, err := chromedp.Run(ctx, chromedp.Poll[json.RawMessage]("window.result", chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]stats
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if errs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string]("window.errors")); len(errs) > 0 {
		t.Fatalf("script errors: %v", errs)
	}
	if len(got) != len(cards) {
		t.Fatalf("rendered %d of %d cards", len(got), len(cards))
	}
	for name, s := range got {
		if s.Fallback > 0 || s.Raw {
			t.Errorf("%s: %d components fell back, raw markdown %v: %s", name, s.Fallback, s.Raw, s.Text)
		}
		if s.Header == false || s.Template == "" {
			t.Errorf("%s: no header title or template", name)
		}
	}
	for _, c := range []struct {
		name                                                   string
		inputs, selects, dates, buttons, columns, tables, bars int
		template                                               string
	}{
		{name: "weekly", inputs: 11, selects: 11, dates: 5, buttons: 2, template: "blue"},
		{name: "todo", buttons: 4, columns: 3, template: "orange"},
		{name: "progress", tables: 1, bars: 24, buttons: 2},
		{name: "scoring_s4_first", inputs: 24, buttons: 2, template: "blue"},
		{name: "notice_committee_tie", buttons: 1},
		{name: "done", template: "green"},
	} {
		s := got[c.name]
		if s.Inputs < c.inputs || s.Selects < c.selects || s.Dates < c.dates || s.Buttons < c.buttons || s.Columns < c.columns || s.Tables < c.tables || s.Bars < c.bars {
			t.Errorf("%s: %+v, want at least %+v", c.name, s, c)
		}
		if c.template != "" && s.Template != c.template {
			t.Errorf("%s: header template %q, want %q", c.name, s.Template, c.template)
		}
	}
	// Markdown: <font color> becomes coloured text, **x** bold, "- " a list.
	for name, want := range map[string]string{"todo": "已逾期（截止2026-10-05）", "scoring_s4_first": "本单位「好」已 2/4，还可评 2 人"} {
		if !strings.Contains(got[name].Text, want) || got[name].Fonts == 0 {
			t.Errorf("%s: the <font> text %q is not drawn as coloured text (%d fonts)", name, want, got[name].Fonts)
		}
	}
	if *gallery != "" {
		for name := range cards {
			buf, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("g-"+name)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*gallery, name+".png"), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// browserContext starts headless chromium with the flags CI needs and a
// fresh profile.
func browserContext(t *testing.T, path string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(800, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}
