// Package playground is the browser side of `kaohe demo`: a web page that
// looks and works like a Lark chat client over the Lark simulator's
// control interface (docs/sim.md). A visitor chooses who they are, sees
// that person's chats with the bot and the 公示 group, reads every card as
// Lark renders it (the renderer in web/card.js is written from the Card
// JSON 2.0 docs), fills in forms and clicks buttons — each click goes to
// the simulator's POST /_sim/click and from there, signed and encrypted,
// to the real `kaohe serve` — types commands, moves the clock to the next
// reminder, and can let everyone else do what their 待办 asks so a whole
// quarter is walked in minutes.
//
// The page talks only to this handler: /_sim/ is passed through to the
// simulator unchanged (so the page drives exactly the interface the
// end-to-end tests drive), /api/ holds what a Lark client has no button
// for (the organisation as a list of people to be, the clock controls and
// the colleagues), and everything else is the embedded page, which needs
// no network beyond this process (no CDN, no build step).
package playground

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

//go:embed web
var web embed.FS

// Person is someone the visitor may act as.
type Person struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Unit is the name of the person's unit ("" for the office's
	// leadership and HR).
	Unit string `json:"unit,omitempty"`
	// Roles say what the person does in the appraisal, in Chinese
	// ("政工科（HR）", "考核委员会", "办公室负责人（初评）" …).
	Roles []string `json:"roles,omitempty"`
	// Assessed marks the staff who are appraised (and fill in records).
	Assessed bool `json:"assessed,omitempty"`
	// Chain marks who decides chain steps (初评, 审定, 评鉴).
	Chain bool `json:"chain,omitempty"`
	// HR marks HR.
	HR bool `json:"hr,omitempty"`
	// Scheme is the id of the scheme the person's unit is under ("" for
	// the organisation's default and for the leadership and HR, who are in
	// no unit): the colleagues score the person's forms by it, and the page
	// shows it next to the unit.
	Scheme string `json:"scheme,omitempty"`
}

// Options configure a playground.
type Options struct {
	// Sim is the simulator's base URL (http://127.0.0.1:port).
	Sim string
	// Org is the organisation's name, shown in the title.
	Org string
	// Scheme is the organisation's default scheme: the colleagues fill the
	// leaders' scoring forms from the indicators of the scheme a person is
	// under, this one unless Person.Scheme names another.
	Scheme *scoring.Scheme
	// Schemes are the other schemes units are under (S5, s4-month), by
	// id: one organisation may run them side by side, each with its own
	// periods.
	Schemes map[string]*scoring.Scheme
	// People are everyone the visitor may be, in the order listed.
	People []Person
	// Scores are the totals the colleagues give as leaders, by person;
	// someone missing gets DefaultScore.
	Scores map[string]int
	// Grades are the grades the colleagues give as leaders on the forms of
	// schemes graded by the leader (S5's A–D), by person; someone missing
	// gets the scheme's second grade (B), what most people get.
	Grades map[string]string
	// Calendar is the working-day calendar serve uses (for the clock's
	// next reminder); nil is calendar.Default().
	Calendar *calendar.Calendar
	// Log gets one line per failed action (never form values).
	Log *slog.Logger
}

// DefaultScore is what the colleagues give someone Options.Scores misses.
const DefaultScore = 88

// Playground is the page's HTTP handler.
type Playground struct {
	o     Options
	sim   *simclient.Client
	proxy *httputil.ReverseProxy
	files http.Handler
	// busy serialises the long actions (colleagues, clock), which would
	// otherwise interleave their clock moves and clicks.
	busy sync.Mutex
}

// New returns the playground over the simulator at o.Sim.
func New(o Options) (*Playground, error) {
	u, err := url.Parse(o.Sim)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("playground: simulator URL %q: want http://host:port", o.Sim)
	}
	if o.Scheme == nil {
		return nil, errors.New("playground: no scheme")
	}
	for _, who := range o.People {
		if who.Scheme != "" && !strings.EqualFold(who.Scheme, o.Scheme.ID) && o.Schemes[who.Scheme] == nil {
			return nil, fmt.Errorf("playground: %s is under scheme %q, which the options do not hold", who.ID, who.Scheme)
		}
	}
	if o.Calendar == nil {
		o.Calendar = calendar.Default()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	sub, err := fs.Sub(web, "web")
	if err != nil {
		return nil, fmt.Errorf("playground: %w", err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	// Long polls (wait=) hold their answers open: pass each chunk on.
	proxy.FlushInterval = -1
	// A browser that leaves a long poll (another person chosen, the page
	// closed) cancels it: not worth a line on the demo's terminal.
	proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if r.Context().Err() == nil {
			o.Log.Warn("playground: simulator", "path", r.URL.Path, "err", err)
			writeError(w, http.StatusBadGateway, "模拟器无应答")
		}
	}
	return &Playground{o: o, sim: simclient.New(o.Sim), proxy: proxy, files: http.FileServerFS(sub)}, nil
}

// ServeHTTP serves the page, /api/ and the simulator's /_sim/.
func (p *Playground) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		p.proxy.ServeHTTP(w, r)
	case r.URL.Path == "/api/info":
		p.info(w, r)
	case r.URL.Path == "/api/clock":
		p.clock(w, r)
	case r.URL.Path == "/api/others":
		p.others(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		writeError(w, http.StatusNotFound, "没有这个接口")
	default:
		// The page changes with the binary: never let a browser keep an
		// old copy.
		w.Header().Set("Cache-Control", "no-cache")
		p.files.ServeHTTP(w, r)
	}
}

// Info is GET /api/info: what the page needs besides the simulator.
type Info struct {
	Org string `json:"org"`
	// Scheme names the schemes by their ids, the default first ("方案 S4",
	// "方案 S4、S5、S4-MONTH").
	Scheme string `json:"scheme"`
	// Schemes describe each scheme a person is under, by id ("" for the
	// default): "方案 S5 · 按季度 · A/B/C/D". The page shows them next to
	// the units.
	Schemes map[string]string `json:"schemes"`
	People  []Person          `json:"people"`
}

func (p *Playground) info(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "只支持 GET")
		return
	}
	ids := []string{strings.ToUpper(p.o.Scheme.ID)}
	labels := map[string]string{"": schemeLabel(p.o.Scheme)}
	// The other schemes in the order the people list their units.
	for _, who := range p.o.People {
		if sc := p.o.Schemes[who.Scheme]; sc != nil && labels[who.Scheme] == "" {
			ids = append(ids, strings.ToUpper(sc.ID))
			labels[who.Scheme] = schemeLabel(sc)
		}
	}
	writeJSON(w, http.StatusOK, Info{Org: p.o.Org, Scheme: "方案 " + strings.Join(ids, "、"), Schemes: labels, People: p.o.People})
}

// schemeLabel says what a scheme asks in a few words: its id as the bot's
// cards print it (the periods of a non-default scheme carry "（S5）"), its
// cycle and its grades.
func schemeLabel(sc *scoring.Scheme) string {
	cycle := "按季度"
	if sc.Cycle == "month" {
		cycle = "按月"
	}
	grades := make([]string, len(sc.Grades))
	for i, g := range sc.Grades {
		grades[i] = g.Label
	}
	return fmt.Sprintf("方案 %s · %s · %s", strings.ToUpper(sc.ID), cycle, strings.Join(grades, "/"))
}

// schemeOf is the scheme person id is appraised under.
func (p *Playground) schemeOf(id string) *scoring.Scheme {
	for _, who := range p.o.People {
		if who.ID == id && who.Scheme != "" {
			if sc := p.o.Schemes[who.Scheme]; sc != nil {
				return sc
			}
		}
	}
	return p.o.Scheme
}

// ClockRequest is POST /api/clock. Move is one of:
//   - "next": to the next moment the bot sends something (a reminder, a
//     deadline's chase, a period opening), trying the working days' 09:00
//     and 15:00 slots of the reminder plans in turn, for at most 30 days;
//   - "day": one day on;
//   - "friday": to the next Friday at 15:05, just after the weekly
//     reminders' slot (S1: 每周五下午);
//   - "to": to To, "2006-01-02T15:04" or "2006-01-02" (09:00) in China's
//     time zone.
type ClockRequest struct {
	Move string `json:"move"`
	To   string `json:"to,omitempty"`
}

// ClockResult is the answer of POST /api/clock.
type ClockResult struct {
	Now time.Time `json:"now"`
	// Sent is how many messages the bot sent after the move.
	Sent int `json:"sent"`
	// Note says in Chinese what happened ("无新提醒" …).
	Note string `json:"note,omitempty"`
}

func (p *Playground) clock(w http.ResponseWriter, r *http.Request) {
	var req ClockRequest
	if !readJSON(w, r, &req) {
		return
	}
	if !p.busy.TryLock() {
		writeError(w, http.StatusConflict, "上一个操作还在进行，请稍候")
		return
	}
	defer p.busy.Unlock()
	ctx := r.Context()
	res, err := p.moveClock(ctx, req)
	if err != nil {
		var se *simclient.Error
		switch {
		case errors.As(err, &se) && se.Reason == simclient.ReasonBackwards:
			writeError(w, http.StatusConflict, "时钟只能向前拨")
		case errors.Is(err, errBadTime):
			writeError(w, http.StatusBadRequest, err.Error())
		default:
			p.o.Log.Warn("playground clock", "move", req.Move, "err", err)
			writeError(w, http.StatusBadGateway, "拨动时钟失败："+err.Error())
		}
		return
	}
	writeJSON(w, http.StatusOK, res)
}

var errBadTime = errors.New("时间格式应为 2026-03-01 或 2026-03-01T09:00")

func (p *Playground) moveClock(ctx context.Context, req ClockRequest) (ClockResult, error) {
	now, err := p.sim.Clock(ctx)
	if err != nil {
		return ClockResult{}, err
	}
	loc := calendar.DefaultLocation()
	now = now.In(loc)
	var to time.Time
	switch req.Move {
	case "next":
		return p.nextReminder(ctx, now)
	case "day":
		to = now.Add(24 * time.Hour)
	case "friday":
		to = nextFriday(now)
	case "to":
		t, err := parseTime(req.To, loc)
		if err != nil {
			return ClockResult{}, err
		}
		to = t
	default:
		return ClockResult{}, fmt.Errorf("%w (move: next, day, friday or to)", errBadTime)
	}
	cursor, err := p.sentCursor(ctx)
	if err != nil {
		return ClockResult{}, err
	}
	if _, err := p.sim.SetClock(ctx, to); err != nil {
		return ClockResult{}, err
	}
	n, err := p.settle(ctx, cursor, 700*time.Millisecond)
	return ClockResult{Now: to, Sent: n}, err
}

// nextFriday is the next Friday 15:05 after now.
func nextFriday(now time.Time) time.Time {
	d := time.Date(now.Year(), now.Month(), now.Day(), 15, 5, 0, 0, now.Location())
	for d.Weekday() != time.Friday || !d.After(now) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// parseTime reads the clock control's date or date and time.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t.Add(9 * time.Hour), nil
	}
	return time.Time{}, errBadTime
}

// slots are the moments of the default reminder plans (workflow
// DefaultPlans: the day before at 15:00, the deadline and the chases at
// 09:00); a minute after each, the bot has had its tick.
var slots = [][2]int{{9, 1}, {15, 1}}

// nextReminder moves the clock slot by slot until the bot sends
// something, at most 30 days on.
func (p *Playground) nextReminder(ctx context.Context, now time.Time) (ClockResult, error) {
	cursor, err := p.sentCursor(ctx)
	if err != nil {
		return ClockResult{}, err
	}
	limit := now.AddDate(0, 0, 30)
	at := now
	for {
		at = p.nextSlot(at)
		if at.After(limit) {
			return ClockResult{Now: at, Note: "30 天内没有新的提醒"}, nil
		}
		if _, err := p.sim.SetClock(ctx, at); err != nil {
			return ClockResult{}, err
		}
		n, err := p.settle(ctx, cursor, 400*time.Millisecond)
		if err != nil || n > 0 {
			return ClockResult{Now: at, Sent: n}, err
		}
	}
}

// nextSlot is the first reminder slot of a working day after t.
func (p *Playground) nextSlot(t time.Time) time.Time {
	day := p.o.Calendar.Date(t)
	for range 400 {
		if p.o.Calendar.IsWorkday(day) {
			for _, s := range slots {
				at := p.o.Calendar.At(day, s[0], s[1])
				if at.After(t) {
					return at
				}
			}
		}
		day = day.AddDays(1)
	}
	return t.AddDate(1, 0, 0)
}

// sentCursor is the simulator's change cursor now.
func (p *Playground) sentCursor(ctx context.Context) (int64, error) {
	page, err := p.sim.Messages(ctx, simclient.Query{From: "app", After: 1 << 62})
	return page.Cursor, err
}

// settle waits up to first for the bot to send something after cursor,
// then until it has been quiet for a moment, and counts what it sent.
func (p *Playground) settle(ctx context.Context, cursor int64, first time.Duration) (int, error) {
	seen := map[string]bool{}
	wait := first
	for {
		page, err := p.sim.Messages(ctx, simclient.Query{From: "app", After: cursor, Wait: wait})
		if err != nil {
			return len(seen), err
		}
		if len(page.Messages) == 0 {
			return len(seen), nil
		}
		for _, m := range page.Messages {
			if len(m.Updates) == 0 {
				seen[m.MessageID] = true
			}
		}
		cursor, wait = page.Cursor, 300*time.Millisecond
	}
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "只支持 POST")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "请求格式不对："+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers {"error": msg}, msg in Chinese for the page's toast.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
