// Package story plays kaohe's cycle as the people of an organisation do in
// Lark: it talks only to the Lark simulator's control interface
// (docs/sim.md) — reads the cards that arrive, clicks their buttons with
// form values, types commands and moves the clock — and never calls the
// workflow. The same story is `kaohe demo --story` (simulator and bot in
// one process) and the end-to-end test that runs `kaohe sim` and `kaohe
// serve` as separate processes, so what the demo shows is what the test
// proves.
//
// A story checks what arrives as it goes (the 公示 lists the right names,
// the tie went where the committee put it, the 复核 changed the grade) and
// stops at the first surprise with an error naming what it waited for.
package story

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/scoring"
)

// Driver acts as people in the simulator. Its methods stop the story with
// a failure (recovered by Play) instead of returning errors, so a story
// reads as the sequence of what people do.
type Driver struct {
	c   *simclient.Client
	ctx context.Context
	out io.Writer
	// Timeout bounds each wait for a card (real time).
	Timeout time.Duration
	// cursor is, per user or chat, the last message looked at.
	cursor map[string]int64
	// sent is the cursor over everything the bot sent.
	sent int64
	// Scheme is the organisation's scheme: the leaders' forms are filled
	// from its indicator tree.
	Scheme *scoring.Scheme
	// Names maps open_ids to display names, to find who a form is about
	// and to narrate.
	Names map[string]string
	// Scores are the totals leaders give this period, by person.
	Scores map[string]int
	// Grades are the grades leaders pick this period, by person, on the
	// forms of schemes graded by the leader (S5: A, B, C, D); a form
	// without the grade field ignores them.
	Grades map[string]string
	// Direct are the direct determinations leaders choose this period at
	// the first step, by person (the select's value, e.g. "top:0").
	Direct map[string]string
	// Secret is written into every weekly, monthly and daily record: a log
	// scan looks for it.
	Secret string
	// Ballot is what a voter gives each colleague in 民主测评.
	Ballot func(voter string) string
}

// failure is how a Driver stops a story; Play turns it into an error.
type failure struct{ err error }

// NewDriver returns a driver over the simulator at c, narrating to out
// (io.Discard for none).
func NewDriver(ctx context.Context, c *simclient.Client, out io.Writer) *Driver {
	return &Driver{c: c, ctx: ctx, out: out, Timeout: 30 * time.Second, cursor: map[string]int64{},
		Names: map[string]string{}, Scores: map[string]int{}, Direct: map[string]string{}, Grades: map[string]string{},
		Ballot: func(string) string { return "85" }}
}

// SetOutput sends the driver's narration (Say) to w from now on.
func (d *Driver) SetOutput(w io.Writer) { d.out = w }

// Play runs fn and returns the failure that stopped it, if any.
func Play(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(failure)
			if !ok {
				panic(r)
			}
			err = f.err
		}
	}()
	fn()
	return nil
}

// Fail stops the story, saying when on the story's clock.
func (d *Driver) Fail(format string, args ...any) {
	err := fmt.Errorf(format, args...)
	if now, cerr := d.c.Clock(d.ctx); cerr == nil {
		err = fmt.Errorf("at %s: %w", now.Format("2006-01-02 15:04"), err)
	}
	panic(failure{err})
}

// Say narrates a line.
func (d *Driver) Say(format string, args ...any) {
	fmt.Fprintf(d.out, format+"\n", args...)
}

// Name is a person's display name.
func (d *Driver) Name(id string) string {
	if n := d.Names[id]; n != "" {
		return n
	}
	return id
}

// At moves the clock to t and waits until the bot has taken it. The
// clock runs on between moves, so a t it has passed already (the actions
// before took a moment) leaves it where it is.
func (d *Driver) At(t time.Time) {
	now, err := d.c.Clock(d.ctx)
	if err != nil {
		d.Fail("read the clock: %v", err)
	}
	if !t.After(now) {
		return
	}
	if _, err := d.c.SetClock(d.ctx, t); err != nil {
		d.Fail("move the clock to %s: %v", t.Format(time.DateTime), err)
	}
}

// Wait returns the oldest card to a user (or a chat, for an oc_ id) after
// the last one looked at that contains want, and looks no further back
// than it from then on.
func (d *Driver) Wait(to, want string) simclient.Message {
	return d.WaitFor(to, want, simclient.CardContains(want))
}

// WaitFor is Wait with a predicate (what describes it in the failure).
func (d *Driver) WaitFor(to, what string, pred func(simclient.Message) bool) simclient.Message {
	return d.waitFrom(to, d.cursor[to], what, pred, true)
}

// waitFrom returns the oldest card to a user (or chat) after the cursor
// after that matches pred; with look, the user's cursor moves to it.
func (d *Driver) waitFrom(to string, after int64, what string, pred func(simclient.Message) bool, look bool) simclient.Message {
	q := simclient.Query{User: to, From: "app"}
	if strings.HasPrefix(to, "oc_") {
		q = simclient.Query{Chat: to, From: "app"}
	}
	deadline := time.Now().Add(d.Timeout)
	for {
		q.After, q.Wait = after, time.Second
		page, err := d.c.Messages(d.ctx, q)
		if err != nil {
			d.Fail("messages of %s: %v", d.Name(to), err)
		}
		for _, m := range page.Messages {
			// A person's cards are their chat with the bot; the groups they
			// are in are waited for by the chat's id.
			if pred(m) && (q.Chat != "" || m.ChatType == "p2p") {
				if look {
					d.cursor[to] = m.Seq
				}
				return m
			}
		}
		if time.Now().After(deadline) {
			d.Fail("no card to %s containing %q in %s; what came: %s", d.Name(to), what, d.Timeout, d.recent(to))
		}
		if len(page.Messages) > 0 {
			time.Sleep(20 * time.Millisecond) // something came, but not this: poll
		}
	}
}

// All returns the cards to a user containing want that came after the
// last one looked at, oldest first, and looks past them. It waits until
// at least n have come, then until the bot has been quiet for a moment.
func (d *Driver) All(to, want string, n int) []simclient.Message {
	var out []simclient.Message
	deadline := time.Now().Add(d.Timeout)
	for quiet := time.Now(); len(out) < n || time.Since(quiet) < 150*time.Millisecond; time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			d.Fail("%d of %d cards to %s containing %q in %s; what came: %s", len(out), n, d.Name(to), want, d.Timeout, d.recent(to))
		}
		page, err := d.c.Messages(d.ctx, simclient.Query{User: to, From: "app", After: d.cursor[to]})
		if err != nil {
			d.Fail("messages of %s: %v", d.Name(to), err)
		}
		for _, m := range page.Messages {
			d.cursor[to] = max(d.cursor[to], m.Seq)
			quiet = time.Now()
			if m.MsgType == "interactive" && m.Contains(want) {
				out = append(out, m)
			}
		}
	}
	return out
}

// recent lists the titles of what reached to after the last look.
func (d *Driver) recent(to string) string {
	page, err := d.c.Messages(d.ctx, simclient.Query{User: to, After: d.cursor[to]})
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, m := range page.Messages {
		t := m.Text
		if m.MsgType == "interactive" {
			t = CardTitle(m.Card)
		}
		out = append(out, fmt.Sprintf("[%s %s] %s", m.Sender.Type, m.MsgType, t))
	}
	return strings.Join(out, "; ")
}

// Type sends text as user (mentions are open_ids standing as @_user_1 …
// in the text) and returns the bot's answer containing want.
func (d *Driver) Type(user, text, want string, mentions ...string) simclient.Message {
	res, err := d.c.Text(d.ctx, simclient.Text{User: user, Text: text, Mentions: mentions})
	if err != nil || !res.Acked {
		d.Fail("%s types %q: %+v %v", d.Name(user), text, res, err)
	}
	// The answer comes after the typed message; what the bot sent before
	// it and nobody has looked at yet (a committee's card that arrived as
	// a leader checked their 待办) stays to be waited for.
	return d.waitFrom(user, res.Cursor, want, simclient.CardContains(want), false)
}

// Click presses a button and, when want is set, expects a toast or card
// containing it; an error toast stops the story.
func (d *Driver) Click(m simclient.Message, user, button string, form map[string]any, want string) simclient.ClickResult {
	r, err := d.c.Click(d.ctx, simclient.Click{MessageID: m.MessageID, User: user, Button: button, FormValue: form})
	if err != nil || r.ClientError != nil || (r.Toast != nil && r.Toast.Type == "error") {
		d.Fail("%s clicks %s on %s: %s %v", d.Name(user), button, CardTitle(m.Card), describe(r), err)
	}
	if want != "" && !strings.Contains(string(r.Card), want) && (r.Toast == nil || !strings.Contains(r.Toast.Content, want)) {
		d.Fail("%s clicks %s on %s: want %q, got %s", d.Name(user), button, CardTitle(m.Card), want, describe(r))
	}
	return r
}

// Refused presses a button and expects the bot to refuse it with a toast
// containing want.
func (d *Driver) Refused(m simclient.Message, user, button string, form map[string]any, want string) {
	r, err := d.c.Click(d.ctx, simclient.Click{MessageID: m.MessageID, User: user, Button: button, FormValue: form})
	if err != nil || r.Toast == nil || r.Toast.Type != "error" || !strings.Contains(r.Toast.Content, want) {
		d.Fail("%s clicks %s on %s: want a refusal with %q, got %s %v", d.Name(user), button, CardTitle(m.Card), want, describe(r), err)
	}
}

func describe(r simclient.ClickResult) string {
	var b strings.Builder
	if r.Toast != nil {
		fmt.Fprintf(&b, "toast %s %q", r.Toast.Type, r.Toast.Content)
	}
	if r.ClientError != nil {
		fmt.Fprintf(&b, " client error %d %s", r.ClientError.Code, r.ClientError.Msg)
	}
	if len(r.Card) > 0 {
		fmt.Fprintf(&b, " card %q", CardTitle(r.Card))
	}
	return b.String()
}

// Arrived returns the cards containing want the bot sent to anyone in
// staff since the last look, and moves the look past them. It waits until
// each of expect has one (the reminders of a slot are on their way), then
// until the bot has been quiet for a moment (they arrive together).
func (d *Driver) Arrived(staff []string, want string, expect []string) []simclient.Message {
	var got []simclient.Message
	have := map[string]bool{}
	missing := func() []string {
		var out []string
		for _, p := range expect {
			if !have[p] {
				out = append(out, d.Name(p))
			}
		}
		return out
	}
	deadline := time.Now().Add(d.Timeout)
	for quiet := time.Now(); len(missing()) > 0 || time.Since(quiet) < 150*time.Millisecond; time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			d.Fail("no card containing %q reached %s in %s", want, strings.Join(missing(), "、"), d.Timeout)
		}
		page, err := d.c.Sent(d.ctx, d.sent)
		if err != nil {
			d.Fail("sent: %v", err)
		}
		for _, m := range page.Messages {
			d.sent = max(d.sent, m.Seq)
			quiet = time.Now()
			if slices.Contains(staff, m.To) && m.MsgType == "interactive" && m.Contains(want) && len(m.Updates) == 0 {
				got = append(got, m)
				have[m.To] = true
			}
		}
	}
	return got
}

// AnswerReminders has each of staff fill the form behind every reminder
// with a 立即 button that reached them since the last look, once each of
// expect has one, and returns how many they answered.
func (d *Driver) AnswerReminders(staff, expect []string) int {
	n := 0
	for _, m := range d.Arrived(staff, "立即", expect) {
		if d.Fill(m, m.To, larksim.RowButton(m.Card, "立即")) {
			n++
		}
	}
	return n
}

// ClearTodo has user fill every form their 待办 lists with a 立即 button
// (the records and summaries a reminder may have found already done or
// that came while they looked elsewhere) and returns how many they filled.
func (d *Driver) ClearTodo(user string) int {
	n := 0
	for range 40 {
		todo := d.Type(user, "待办", "我的待办")
		i := larksim.RowButton(todo.Card, "立即")
		if i == "" {
			return n
		}
		if !d.Fill(todo, user, i) {
			d.Fail("%s's 待办 keeps offering %s", d.Name(user), i)
		}
		n++
	}
	d.Fail("%s's 待办 does not empty", d.Name(user))
	return n
}

// Steps has leader decide every chain step on their 待办, filling each
// scoring form from Scores, and returns whom they scored, in order.
func (d *Driver) Steps(leader string) []string {
	var done []string
	for range 60 {
		todo := d.Type(leader, "待办", "我的待办")
		i := larksim.RowButton(todo.Card, "去审核")
		if i == "" {
			return done
		}
		done = append(done, d.Score(todo, leader, i, "approve", nil))
	}
	d.Fail("%s's 待办 does not empty", d.Name(leader))
	return done
}

// Score opens the scoring form behind button and submits it with the
// button named submit ("approve", or "send_back" with a reason in
// extra), scoring the person the form is about from Scores. It returns
// that person.
func (d *Driver) Score(m simclient.Message, leader, button, submit string, extra map[string]any) string {
	r := d.Click(m, leader, button, nil, "")
	form := string(r.Card)
	person := d.about(form)
	if person == "" {
		d.Fail("a scoring form for no one known: %s", CardTitle(r.Card))
	}
	fv := d.scoringValues(r.Card, person, leader)
	for k, v := range extra {
		fv[k] = v
	}
	d.Click(m, leader, submit, fv, "已")
	return person
}

// about finds whom a form is about: the known name it contains (names
// are chosen so that none contains another).
func (d *Driver) about(form string) string {
	who := ""
	for id, name := range d.Names {
		if strings.Contains(form, name) && d.Scores[id] > 0 {
			who = id
		}
	}
	return who
}

func (d *Driver) scoringValues(raw json.RawMessage, person, leader string) map[string]any {
	fields := inputNames(raw)
	fv := map[string]any{}
	for id, v := range LeafScores(d.Scheme, d.Scores[person]) {
		if slices.Contains(fields, card.IndicatorField(id)) {
			fv[card.IndicatorField(id)] = v
		}
	}
	if slices.Contains(fields, card.FieldComment) {
		fv[card.FieldComment] = "工作认真负责，完成各项任务"
	}
	if g, ok := d.Grades[person]; ok && slices.Contains(fields, card.FieldGrade) {
		fv[card.FieldGrade] = g
	}
	if dir, ok := d.Direct[person]; ok && slices.Contains(fields, card.FieldDirect) {
		fv[card.FieldDirect] = dir
	}
	return fv
}

// Fill opens the form behind a card's button and submits it as the person
// would: the week's tasks done, a summary, a ballot for every colleague.
// It reports false when the form was filled already (a later reminder of
// the same week).
func (d *Driver) Fill(m simclient.Message, user, button string) bool {
	r := d.Click(m, user, button, nil, "")
	form := string(r.Card)
	fields := inputNames(r.Card)
	if v, ok := submitVersion(r.Card); ok && v > 0 {
		return false
	}
	fv := map[string]any{}
	switch {
	case strings.Contains(form, `"weekly_form"`):
		fv[card.TaskField(1, card.PartTitle)] = d.Secret + "：起草材料"
		fv[card.TaskField(1, card.PartProgress)] = "100"
		fv[card.FieldAttendance] = "full"
	case strings.Contains(form, `"daily_form"`):
		fv[card.FieldLog] = d.Secret + "：处理日常事务"
	case strings.Contains(form, `"k":"monthly"`):
		fv[card.FieldGoals] = d.Secret + "：完成本月各项工作"
		fv[card.FieldCompletion] = "已完成"
	case strings.Contains(form, `"k":"quarterly"`):
		fv[card.FieldSummary] = "本季度完成各项工作任务"
		fv[card.FieldTraining] = "参加业务培训两次"
	case strings.Contains(form, `"k":"vote"`):
		for _, f := range fields {
			if strings.HasPrefix(f, "vote_") {
				fv[f] = d.Ballot(user)
			}
		}
	default:
		d.Fail("%s: no form behind %s on %s: %s", d.Name(user), button, CardTitle(m.Card), CardTitle(r.Card))
	}
	d.Click(m, user, "submit", fv, "已")
	return true
}

// CardTitle is a card's header title (the start of its JSON when it has
// none).
func CardTitle(raw json.RawMessage) string {
	var c struct {
		Header struct {
			Title struct {
				Content string `json:"content"`
			} `json:"title"`
		} `json:"header"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Header.Title.Content == "" {
		s := string(raw)
		if len(s) > 120 {
			s = s[:120] + "…"
		}
		return s
	}
	return c.Header.Title.Content
}

// EachObject calls fn for every JSON object in a card, depth first.
func EachObject(raw json.RawMessage, fn func(map[string]any)) {
	var v any
	_ = json.Unmarshal(raw, &v)
	var walk func(any)
	walk = func(x any) {
		switch e := x.(type) {
		case map[string]any:
			fn(e)
			for _, c := range e {
				walk(c)
			}
		case []any:
			for _, c := range e {
				walk(c)
			}
		}
	}
	walk(v)
}

// submitVersion is the version in the callback value of a form's submit
// button (0 for a record not yet filled).
func submitVersion(raw json.RawMessage) (int, bool) {
	found, ver := false, 0
	EachObject(raw, func(e map[string]any) {
		if n, _ := e["name"].(string); n != "submit" {
			return
		}
		if bs, _ := e["behaviors"].([]any); len(bs) > 0 {
			if b, _ := bs[0].(map[string]any); b != nil {
				if val, _ := b["value"].(map[string]any); val != nil {
					f, _ := val["v"].(float64)
					found, ver = true, int(f)
				}
			}
		}
	})
	return ver, found
}

// inputNames lists the named inputs, selects and pickers of a card.
func inputNames(raw json.RawMessage) []string {
	var out []string
	EachObject(raw, func(e map[string]any) {
		if tag, _ := e["tag"].(string); tag == "input" || tag == "select_static" || tag == "date_picker" {
			if n, _ := e["name"].(string); n != "" {
				out = append(out, n)
			}
		}
	})
	return out
}

// Text is a card's markdown, one element a line: what a person reads.
func Text(raw json.RawMessage) string {
	var lines []string
	EachObject(raw, func(e map[string]any) {
		if tag, _ := e["tag"].(string); tag == "markdown" {
			c, _ := e["content"].(string)
			lines = append(lines, c)
		}
	})
	return strings.Join(lines, "\n")
}

// LeafScores spreads a total over the scheme's leaf indicators, by
// indicator id: full marks, less the missing points taken one at a time
// from each leaf in turn, so a 95 reads as a point off five items rather
// than five off one. The story's and the playground's leaders score so.
func LeafScores(sc *scoring.Scheme, total int) map[string]string {
	var leaves []*scoring.Indicator
	var walk func([]*scoring.Indicator)
	walk = func(is []*scoring.Indicator) {
		for _, i := range is {
			if len(i.Children) == 0 {
				leaves = append(leaves, i)
			} else {
				walk(i.Children)
			}
		}
	}
	walk(sc.Indicators)
	score := make([]int, len(leaves))
	full := 0
	for i, l := range leaves {
		score[i] = int(l.Max.IntPart())
		full += score[i]
	}
	for off := full - max(total, 0); off > 0; {
		took := false
		for i := range score {
			if off > 0 && score[i] > 0 {
				score[i]--
				off--
				took = true
			}
		}
		if !took {
			break
		}
	}
	out := map[string]string{}
	for i, l := range leaves {
		out[l.ID] = fmt.Sprint(score[i])
	}
	return out
}
