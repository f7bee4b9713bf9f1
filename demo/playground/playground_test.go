package playground

import (
	"github.com/kaohe/kaohe/demo/story"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

func testScheme(t *testing.T) *scoring.Scheme {
	t.Helper()
	sc, err := scoring.Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.DefaultLocation())
	if err != nil {
		panic(err)
	}
	return t
}

func TestNextFriday(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, now, want string }{
		{"saturday", "2026-01-03 20:00", "2026-01-09 15:05"},
		{"friday morning", "2026-01-09 09:00", "2026-01-09 15:05"},
		{"friday after", "2026-01-09 15:05", "2026-01-16 15:05"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := nextFriday(at(c.now)); !got.Equal(at(c.want)) {
				t.Errorf("nextFriday(%s) = %s, want %s", c.now, got, c.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	loc := calendar.DefaultLocation()
	for _, c := range []struct{ name, in, want string }{
		{"picker", "2026-04-03T17:00", "2026-04-03 17:00"},
		{"typed", " 2026-04-03 17:00 ", "2026-04-03 17:00"},
		{"date only is 09:00", "2026-04-03", "2026-04-03 09:00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseTime(c.in, loc)
			if err != nil || !got.Equal(at(c.want)) {
				t.Errorf("parseTime(%q) = %s, %v; want %s", c.in, got, err, c.want)
			}
		})
	}
	if _, err := parseTime("下周一", loc); err == nil {
		t.Error("parseTime accepted 下周一")
	}
}

// TestNextSlot: the clock's "next reminder" tries the working days' 09:01
// and 15:01 in turn, over weekends and holidays (2026's 春节 runs 15–23
// February, with 14 and 28 February worked) and the 调休 Sunday of 4
// January.
func TestNextSlot(t *testing.T) {
	t.Parallel()
	p := &Playground{o: Options{Calendar: calendar.Default()}}
	for _, c := range []struct{ name, from, want string }{
		{"saturday evening to the 调休 sunday", "2026-01-03 20:00", "2026-01-04 09:01"},
		{"morning to afternoon", "2026-01-05 09:01", "2026-01-05 15:01"},
		{"afternoon to next morning", "2026-01-05 15:01", "2026-01-06 09:01"},
		{"friday to monday", "2026-01-09 15:01", "2026-01-12 09:01"},
		{"into 春节 to the worked saturday", "2026-02-13 15:01", "2026-02-14 09:01"},
		{"over 春节", "2026-02-14 15:01", "2026-02-24 09:01"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := p.nextSlot(at(c.from)); !got.Equal(at(c.want)) {
				t.Errorf("nextSlot(%s) = %s, want %s", c.from, got.Format("2006-01-02 15:04"), c.want)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	t.Parallel()
	sc := testScheme(t)
	for _, total := range []int{100, 95, 90, 68, 0} {
		sum := 0
		for id, v := range story.LeafScores(sc, total) {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("%s: %q", id, v)
			}
			sum += n
		}
		if sum != total {
			t.Errorf("LeafScores(%d) adds up to %d", total, sum)
		}
	}
}

func TestRows(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../bot/card/testdata/todo.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	rs := rows(raw)
	var got []string
	for _, r := range rs {
		got = append(got, r.button+" "+r.value["id"].(string))
	}
	want := []string{"立即填写 weekly/2026-W40", "去测评 vote/2026-Q3", "去审核 step/2026-Q3/ou_02/1"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("rows of the 待办: %q, want %q", got, want)
	}
}

// TestHandler: the page is served from the binary without caching, /api/
// answers in JSON with Chinese errors, and /_sim/ reaches the simulator
// unchanged.
func TestHandler(t *testing.T) {
	t.Parallel()
	var simPath string
	sim := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		simPath = r.URL.RequestURI()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"now":"2026-01-03T20:00:00+08:00","movable":true}`)
	}))
	defer sim.Close()
	s5, err := scoring.Builtin("s5")
	if err != nil {
		t.Fatal(err)
	}
	people := []Person{{ID: "ou_a1", Name: "陈晓燕", Unit: "办公室", Assessed: true, Roles: []string{"被考核人"}},
		{ID: "ou_b1", Name: "吴海峰", Unit: "业务科", Assessed: true, Scheme: "s5"}}
	if _, err := New(Options{Sim: sim.URL, Scheme: testScheme(t), People: people}); err == nil || !strings.Contains(err.Error(), `"s5"`) {
		t.Errorf("New with a person under a scheme it does not hold: %v", err)
	}
	pg, err := New(Options{Sim: sim.URL, Org: "县财政局", Scheme: testScheme(t), Schemes: map[string]*scoring.Scheme{"s5": s5}, People: people})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(pg)
	defer srv.Close()
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, c := range []struct {
		name, path, want string
		status           int
	}{
		{"page", "/", `<script src="card.js"></script>`, 200},
		{"renderer", "/card.js", "window.LarkCard", 200},
		{"info", "/api/info", `"scheme":"方案 S4、S5"`, 200},
		{"scheme labels", "/api/info", `"s5":"方案 S5 · 按季度 · A/B/C/D"`, 200},
		{"unknown api", "/api/nothing", "没有这个接口", 404},
		{"simulator", "/_sim/clock?x=1", `"movable":true`, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(c.path)
			if resp.StatusCode != c.status || !strings.Contains(body, c.want) {
				t.Errorf("GET %s: %d %q, want %d with %q", c.path, resp.StatusCode, body, c.status, c.want)
			}
		})
	}
	if simPath != "/_sim/clock?x=1" {
		t.Errorf("the simulator got %q", simPath)
	}
	if resp, _ := get("/"); resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("the page may be cached: %q", resp.Header.Get("Cache-Control"))
	}
	for _, c := range []struct{ name, body, want string }{
		{"not json", `{`, "请求格式不对"},
		{"unknown move", `{"move":"back"}`, "时间格式应为"},
		{"bad date", `{"move":"to","to":"明天"}`, "时间格式应为"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/api/clock", "application/json", strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), c.want) {
				t.Errorf("POST /api/clock %s: %d %s", c.body, resp.StatusCode, b)
			}
		})
	}
}
