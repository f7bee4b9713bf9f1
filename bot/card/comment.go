package card

import (
	"fmt"
	"strings"
)

// Kinds of the leader's 点评 card (EntryReviewCard). ID: the entry
// ("monthly/<open_id>/2026-10", EntryID); V: the entry's version.
const (
	// KindEntryComment writes the leader's 点评 from the remark field.
	KindEntryComment = "entry_comment"
	// KindEntryReturn sends the entry back with the remark as the reason.
	KindEntryReturn = "entry_return"
)

// FormEntry opens the 点评 card of an entry ("entry/monthly/ou_x/2026-10").
const FormEntry = "entry"

// FieldRemark is the 点评 card's text: the 点评, or why it is sent back.
const FieldRemark = "remark"

// EntryID joins an entry's kind, person and period into a callback id.
func EntryID(kind, person, period string) string { return kind + "/" + person + "/" + period }

// SplitEntryID splits an EntryID; ErrBadValue when it has not three parts.
func SplitEntryID(id string) (kind, person, period string, err error) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("entry id %q: %w", id, ErrBadValue)
	}
	return parts[0], parts[1], parts[2], nil
}

// EntryReview is a 月小结 as its leader reads it.
type EntryReview struct {
	ID                string
	Version           int
	Person            string // the name
	Period            string // the month
	Goals, Completion string
	// Unfinished are "事项：原因" lines.
	Unfinished []string
	// Comment is a 点评 already written (then the card is read-only).
	Comment string
}

// EntryReviewCard renders a 月小结 with the leader's 点评 form: 点评 or 退回.
func EntryReviewCard(e EntryReview) ([]byte, error) {
	if e.ID == "" {
		return nil, fmt.Errorf("entry review without an id: %w", ErrBadModel)
	}
	lines := []string{"**工作目标**\n" + esc(clip(e.Goals, MaxText)), "**完成情况**\n" + esc(clip(e.Completion, MaxText))}
	if len(e.Unfinished) > 0 {
		us := make([]string, 0, len(e.Unfinished))
		for _, u := range e.Unfinished[:min(len(e.Unfinished), 10)] {
			us = append(us, "· "+escLine(clip(u, 120)))
		}
		lines = append(lines, "**未完成事项**\n"+strings.Join(us, "\n"))
	}
	els := []elem{md(strings.Join(lines, "\n"))}
	v := func(k string) *Value { return &Value{K: k, ID: e.ID, V: e.Version} }
	if e.Comment != "" {
		els = append(els, hr(), md("**领导点评**："+esc(clip(e.Comment, MaxOpinion))))
	} else {
		els = append(els, form("entry_review", []elem{
			textarea(FieldRemark, "点评", "点评意见；退回时写明原因", "", MaxOpinion, 3, true),
			columns(
				[]elem{formButton("comment", "提交点评", "primary", "submit", v(KindEntryComment))},
				[]elem{formButton("return", "退回重填", "danger", "submit", v(KindEntryReturn))},
			),
		}))
	}
	title := "月小结：" + e.Person
	return build(clip(title, 40), PeriodLabel(e.Period), Blue, clip(title, 40), els), nil
}

// ParseRemark reads the 点评 card's text. Errors are *FieldError.
func ParseRemark(fv map[string]any) (string, error) {
	r, err := newReader(fv)
	if err != nil {
		return "", err
	}
	s, err := r.text(FieldRemark, "点评", MaxOpinion, true, true)
	if err != nil {
		return "", err
	}
	return s, r.finish()
}
