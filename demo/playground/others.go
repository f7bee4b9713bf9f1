package playground

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim/simclient"
	"github.com/kaohe/kaohe/demo/story"
)

// OthersRequest is POST /api/others: everyone but Me does what their 待办
// asks of them.
type OthersRequest struct {
	Me string `json:"me"`
}

// OthersResult says what the colleagues did.
type OthersResult struct {
	// Forms counts the records, summaries and ballots filled in.
	Forms int `json:"forms"`
	// Steps counts the chain steps (初评, 审定, 评鉴) approved.
	Steps int `json:"steps"`
	// Problems are what went wrong, by name: the bot's refusal as its
	// toast said it, or what failed on the way.
	Problems []string `json:"problems,omitempty"`
}

// The colleagues are the playground's stand-ins for everyone the visitor
// is not, so that one person can walk a whole quarter: the staff fill in
// every record their 待办 lists, and the leaders approve every chain step
// on theirs, scoring a first step from Options.Scores. They act only
// through the simulator, as people: each types 待办 and presses its rows
// in turn. A row's button opens its form in place of the 待办 card, so the
// later rows are pressed by their callback value on the same message (the
// simulator's click by value: what the client sends for that row's button
// on a fresh copy of the 待办), which keeps the app at one message per
// person and round instead of one per record — a quarter is some 250
// records, and Lark lets an app send 1,000 messages a minute.
//
// They never take the decisions the playground is for: HR closing the
// appraisal, the committee, 公示, 复核, 转办, 委托, talks and 反馈 are left
// to the visitor, who acts as those people.

func (p *Playground) others(w http.ResponseWriter, r *http.Request) {
	var req OthersRequest
	if !readJSON(w, r, &req) {
		return
	}
	if !p.busy.TryLock() {
		writeError(w, http.StatusConflict, "上一个操作还在进行，请稍候")
		return
	}
	defer p.busy.Unlock()
	writeJSON(w, http.StatusOK, p.Colleagues(r.Context(), req.Me))
}

// Colleagues has everyone but me who fills in records or decides chain
// steps do what is waiting for them, in rounds (a step approved makes the
// next leader's step), until a round finds nothing to do.
func (p *Playground) Colleagues(ctx context.Context, me string) OthersResult {
	var (
		mu  sync.Mutex
		res OthersResult
	)
	var actors []Person
	for _, who := range p.o.People {
		if who.ID != me && (who.Assessed || who.Chain) {
			actors = append(actors, who)
		}
	}
	for round := 0; round < 8; round++ {
		did := 0
		var wg sync.WaitGroup
		for _, who := range actors {
			if round > 0 && !who.Chain {
				continue // the staff's records were all on their first 待办
			}
			wg.Go(func() {
				forms, steps, problems := p.act(ctx, who)
				mu.Lock()
				defer mu.Unlock()
				res.Forms += forms
				res.Steps += steps
				did += forms + steps
				for _, pr := range problems {
					p.o.Log.Warn("playground colleague", "person", who.ID, "err", pr)
					res.Problems = append(res.Problems, fmt.Sprintf("%s：%s", who.Name, shorten(pr.Error(), 160)))
				}
			})
		}
		wg.Wait()
		if did == 0 {
			break
		}
	}
	slices.Sort(res.Problems)
	return res
}

// act has one person type 待办 and do every row they can: fill in each
// record and ballot, approve each chain step. It returns how many forms
// and steps they did and what went wrong.
func (p *Playground) act(ctx context.Context, who Person) (forms, steps int, problems []error) {
	res, err := p.sim.Text(ctx, simclient.Text{User: who.ID, Text: "待办"})
	if err != nil {
		return 0, 0, []error{fmt.Errorf("type 待办: %w", err)}
	}
	todo, err := p.sim.WaitMessage(ctx, who.ID, res.Cursor, simclient.CardContains("我的待办"), 30*time.Second)
	if err != nil {
		return 0, 0, []error{fmt.Errorf("the 待办 did not come: %w", err)}
	}
	for _, r := range rows(todo.Card) {
		var ok bool
		switch {
		case who.Assessed && (strings.Contains(r.button, "立即") || strings.Contains(r.button, "去测评")):
			ok, err = p.fill(ctx, todo, who.ID, r.value)
			if ok {
				forms++
			}
		case who.Chain && strings.Contains(r.button, "去审核"):
			ok, err = p.step(ctx, todo, who.ID, r.value)
			if ok {
				steps++
			}
		default:
			continue
		}
		if err != nil {
			problems = append(problems, err)
		}
	}
	return forms, steps, problems
}

// row is one row of a list card: its text and its button.
type row struct {
	text, button string
	value        map[string]any
}

// rows lists a card's rows (column_sets with a callback button), in order.
func rows(raw json.RawMessage) []row {
	var out []row
	story.EachObject(raw, func(e map[string]any) {
		if tag, _ := e["tag"].(string); tag != "column_set" {
			return
		}
		b, _ := json.Marshal(e)
		r := row{text: string(b)}
		story.EachObject(b, func(x map[string]any) {
			if tag, _ := x["tag"].(string); tag != "button" || r.value != nil {
				return
			}
			t, _ := x["text"].(map[string]any)
			r.button, _ = t["content"].(string)
			if bs, _ := x["behaviors"].([]any); len(bs) > 0 {
				if beh, _ := bs[0].(map[string]any); beh != nil && beh["type"] == "callback" {
					r.value, _ = beh["value"].(map[string]any)
				}
			}
		})
		if r.value != nil {
			out = append(out, r)
		}
	})
	return out
}

// press clicks a 待办 row's button by its callback value on the 待办
// message, and returns the form the answer put there.
func (p *Playground) press(ctx context.Context, m simclient.Message, user string, value map[string]any) (json.RawMessage, error) {
	r, err := p.sim.Click(ctx, simclient.Click{MessageID: m.MessageID, User: user, Value: value, Action: &simclient.Action{Tag: "button"}})
	if err != nil {
		return nil, err
	}
	if r.ClientError != nil {
		return nil, fmt.Errorf("the client showed %d %s", r.ClientError.Code, r.ClientError.Msg)
	}
	if r.Toast != nil && r.Toast.Type == "error" {
		return nil, errors.New(r.Toast.Content)
	}
	return r.Card, nil
}

// submit presses a form's button with its values and fails on an error
// toast.
func (p *Playground) submit(ctx context.Context, m simclient.Message, user, button string, fv map[string]any) error {
	r, err := p.sim.Click(ctx, simclient.Click{MessageID: m.MessageID, User: user, Button: button, FormValue: fv})
	switch {
	case err != nil:
		return err
	case r.ClientError != nil:
		return fmt.Errorf("the client showed %d %s", r.ClientError.Code, r.ClientError.Msg)
	case r.Toast != nil && r.Toast.Type == "error":
		return errors.New(r.Toast.Content)
	}
	return nil
}

// fill opens the form behind a 待办 row and submits it as the person
// would: the week's task done and full attendance, the month's and the
// quarter's summary, 85 for every colleague in a ballot. It reports false
// for a form filled already.
func (p *Playground) fill(ctx context.Context, m simclient.Message, user string, value map[string]any) (bool, error) {
	form, err := p.press(ctx, m, user, value)
	if err != nil || !hasButton(form, "submit") {
		return false, err
	}
	kind, version := submitValue(form)
	if version > 0 {
		return false, nil // filled already: the form shows it
	}
	fv := map[string]any{}
	switch kind {
	case "weekly":
		fv[card.TaskField(1, card.PartTitle)] = "完成科室日常工作"
		fv[card.TaskField(1, card.PartProgress)] = "100"
		fv[card.FieldAttendance] = "full"
	case "monthly":
		fv[card.FieldGoals] = "完成本月各项工作"
		fv[card.FieldCompletion] = "已完成"
	case "quarterly":
		fv[card.FieldSummary] = "本季度完成各项工作任务"
		fv[card.FieldTraining] = "参加业务培训两次"
	case "vote":
		story.EachObject(form, func(e map[string]any) {
			if n, _ := e["name"].(string); strings.HasPrefix(n, "vote_") {
				fv[n] = "85"
			}
		})
	default:
		return false, fmt.Errorf("%s: a form the colleagues do not know (%q)", story.CardTitle(form), kind)
	}
	if err := p.submit(ctx, m, user, "submit", fv); err != nil {
		return false, fmt.Errorf("%s: %w", story.CardTitle(form), err)
	}
	return true, nil
}

// submitValue is the kind ("k") and version ("v") in the callback value of
// a form's submit button.
func submitValue(raw json.RawMessage) (kind string, version int) {
	story.EachObject(raw, func(e map[string]any) {
		if e["name"] != "submit" {
			return
		}
		if bs, _ := e["behaviors"].([]any); len(bs) > 0 {
			if b, _ := bs[0].(map[string]any); b != nil {
				if val, _ := b["value"].(map[string]any); val != nil {
					kind, _ = val["k"].(string)
					f, _ := val["v"].(float64)
					version = int(f)
				}
			}
		}
	})
	return kind, version
}

// step opens the scoring form behind a 待办 row and approves it: a first
// step is scored from Options.Scores (spread over the indicators of the
// scheme the person is under) or, on a form that asks for a grade (S5),
// graded from Options.Grades; a later step passes the assessment on
// unchanged. It reports false when the step was decided already.
func (p *Playground) step(ctx context.Context, m simclient.Message, leader string, value map[string]any) (bool, error) {
	form, err := p.press(ctx, m, leader, value)
	if err != nil || !hasButton(form, "approve") {
		return false, err
	}
	fv := map[string]any{}
	who := p.about(form)
	sc := p.schemeOf(who)
	total := DefaultScore
	if s, ok := p.o.Scores[who]; ok {
		total = s
	}
	grade, ok := p.o.Grades[who]
	if !ok && len(sc.Grades) > 1 {
		grade = sc.Grades[1].Label
	}
	leaves := story.LeafScores(sc, total)
	story.EachObject(form, func(e map[string]any) {
		name, _ := e["name"].(string)
		switch tag, _ := e["tag"].(string); {
		case name == "":
			return
		case tag == "select_static" && name == card.FieldGrade:
			// A later step shows the grade given as the initial option:
			// keep it.
			if init, _ := e["initial_option"].(string); init == "" && grade != "" {
				fv[name] = grade
			}
			return
		case tag != "input":
			return
		}
		if def, _ := e["default_value"].(string); def != "" {
			return // a later step: keep what the first step gave
		}
		for id, v := range leaves {
			if name == card.IndicatorField(id) {
				fv[name] = v
			}
		}
		if name == card.FieldComment {
			fv[name] = "工作认真负责，较好完成各项任务"
		}
	})
	if err := p.submit(ctx, m, leader, "approve", fv); err != nil {
		return false, fmt.Errorf("%s: %w", story.CardTitle(form), err)
	}
	return true, nil
}

// about is whom a scoring form is about: the person named after
// 被考核人, as a leader reads it.
func (p *Playground) about(raw json.RawMessage) string {
	text := story.Text(raw)
	i := strings.Index(text, "被考核人")
	if i < 0 {
		return ""
	}
	rest := text[i:]
	best, at, long := "", len(rest), 0
	for _, q := range p.o.People {
		if j := strings.Index(rest, q.Name); j >= 0 && (j < at || j == at && len(q.Name) > long) {
			best, at, long = q.ID, j, len(q.Name)
		}
	}
	return best
}

// hasButton reports whether a card has a button named name.
func hasButton(raw json.RawMessage, name string) bool {
	found := false
	story.EachObject(raw, func(e map[string]any) {
		if tag, _ := e["tag"].(string); tag == "button" && e["name"] == name {
			found = true
		}
	})
	return found
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
