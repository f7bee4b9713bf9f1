package card

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrTooLarge is returned by a card function whose view model holds more
// than one card can show (200 elements, 30 KB); the caller must split it.
var ErrTooLarge = errors.New("card: too many items for one card")

// ErrBadModel is returned by a card function for a view model it cannot
// render: an empty or duplicate id, a field name that would collide.
var ErrBadModel = errors.New("card: invalid view model")

// MaxColleagues is the most colleagues one 民主测评 card can list.
const MaxColleagues = 90

// VoteField names the score field of colleague id on the 民主测评 form.
func VoteField(id string) string { return "vote_" + id }

// Colleague is a member of the 考核单元 to be scored.
type Colleague struct {
	// ID is the person's id; it names the field (VoteField). It is a form
	// field name, not a callback value, and is needed to file the score.
	ID   string
	Name string
	// Unit is shown after the name when set.
	Unit string
}

// VoteForm is the 民主测评 card.
type VoteForm struct {
	// Period is the appraisal period ("2026-Q3").
	Period string
	// Group is the 考核单元's name.
	Group string
	Due   string
	// Colleagues are scored in this order; the voter is not among them.
	Colleagues []Colleague
}

// VoteCard renders the anonymous 民主测评 form: one 0–100 input per
// colleague. ErrTooLarge above MaxColleagues; ErrBadModel for an empty or
// repeated id.
func VoteCard(f VoteForm) ([]byte, error) {
	if len(f.Colleagues) > MaxColleagues {
		return nil, fmt.Errorf("%d colleagues, at most %d: %w", len(f.Colleagues), MaxColleagues, ErrTooLarge)
	}
	if err := uniqueIDs(colleagueIDs(f.Colleagues)); err != nil {
		return nil, err
	}
	fe := make([]elem, 0, len(f.Colleagues)+2)
	for _, c := range f.Colleagues {
		label := c.Name
		if c.Unit != "" {
			label += "（" + c.Unit + "）"
		}
		e := input(VoteField(c.ID), clip(label, 30), "", "", 6, true)
		fe = append(fe, e)
	}
	fe = append(fe, formButton("submit", "提交测评", "primary", "submit", &Value{K: KindVote, ID: f.Period}))
	intro := fmt.Sprintf("请对本考核单元%d位同事的本季度表现打分（0–100分，可保留两位小数），全部填写后提交。", len(f.Colleagues))
	if f.Due != "" {
		intro += "截止日期：" + f.Due + "。"
	}
	els := []elem{
		md("**本测评为匿名测评。**系统只记录您已参加，不保存您给每位同事的打分与您的对应关系，任何人（包括管理员）都无法追溯到个人。"),
		note(intro),
		form("vote_form", fe),
	}
	sub := PeriodLabel(f.Period)
	if f.Group != "" {
		sub = f.Group + " · " + sub
	}
	return build("民主测评（匿名）", sub, Indigo, "请参加民主测评："+PeriodLabel(f.Period), els), nil
}

func colleagueIDs(cs []Colleague) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func uniqueIDs(ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || len(id) > maxFieldName-20 {
			return fmt.Errorf("id %q: %w", id, ErrBadModel)
		}
		if seen[id] {
			return fmt.Errorf("duplicate id %q: %w", id, ErrBadModel)
		}
		seen[id] = true
	}
	return nil
}

// Vote is a submitted 民主测评: colleague id → score, a decimal from 0 to
// 100 with at most two places, in canonical form ("85", "85.5").
type Vote struct {
	Scores map[string]string
}

// ParseVote reads a 民主测评 form value for the colleagues ids the card
// listed: every one must be scored, 0–100. Errors are *FieldError; the
// label is the colleague's position on the card ("第3位同事的评分"), never a
// score.
func ParseVote(fv map[string]any, ids []string) (Vote, error) {
	v := Vote{Scores: make(map[string]string, len(ids))}
	r, err := newReader(fv)
	if err != nil {
		return v, err
	}
	for i, id := range ids {
		s, err := r.number(VoteField(id), "第"+strconv.Itoa(i+1)+"位同事的评分", 100_00, true)
		if err != nil {
			return v, err
		}
		v.Scores[id] = s
	}
	return v, r.finish()
}
