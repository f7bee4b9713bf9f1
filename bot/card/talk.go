package card

import (
	"fmt"
	"strings"
)

// KindTalk records that a talk took place. ID: "<period>/<open_id>"
// (TalkID); V: 0 (a talk is recorded once).
const KindTalk = "talk"

// FormTalk opens the talk card ("talk/2026-Q3/ou_x").
const FormTalk = "talk"

// FieldTalkNote is what was said and agreed in the talk.
const FieldTalkNote = "talk_note"

// TalkID joins a period and a person into a talk card's id.
func TalkID(period, person string) string { return period + "/" + person }

// SplitTalkID splits a TalkID; ErrBadValue when it is not two parts.
func SplitTalkID(id string) (period, person string, err error) {
	period, person, ok := strings.Cut(id, "/")
	if !ok || period == "" || person == "" || strings.Contains(person, "/") {
		return "", "", fmt.Errorf("talk id %q: %w", id, ErrBadValue)
	}
	return period, person, nil
}

// TalkForm is the leader's card for a talk a grade calls for.
type TalkForm struct {
	Period, PersonID, Person string
	// Kind is the talk (谈话, 诫勉谈话), Grade the grade that called for it.
	Kind, Grade string
	// Note is set once the talk is recorded (the card is then read-only).
	Note string
}

// TalkCard renders the talk card: who, why, and a form to record that the
// talk took place and what was agreed.
func TalkCard(f TalkForm) ([]byte, error) {
	if f.PersonID == "" || f.Kind == "" {
		return nil, fmt.Errorf("talk without a person or kind: %w", ErrBadModel)
	}
	lines := []string{"**对象**：" + escLine(f.Person), "**事由**：" + PeriodLabel(f.Period) + "平时考核等次为「" + escLine(f.Grade) + "」"}
	els := []elem{md(strings.Join(lines, "\n"))}
	if f.Note != "" {
		els = append(els, hr(), md("**已记录**："+esc(clip(f.Note, MaxOpinion))))
	} else {
		els = append(els, form("talk_form", []elem{
			textarea(FieldTalkNote, "谈话情况", "谈话时间、主要内容和改进要求（必填）", "", MaxOpinion, 3, true),
			formButton("submit", "记录"+clip(f.Kind, 10), "primary", "submit", &Value{K: KindTalk, ID: TalkID(f.Period, f.PersonID)}),
		}))
	}
	title := clip(f.Kind, 10) + "：" + clip(f.Person, 20)
	return build(title, PeriodLabel(f.Period), Orange, title, els), nil
}

// ParseTalk reads the talk card's note. Errors are *FieldError.
func ParseTalk(fv map[string]any) (string, error) {
	r, err := newReader(fv)
	if err != nil {
		return "", err
	}
	s, err := r.text(FieldTalkNote, "谈话情况", MaxOpinion, true, true)
	if err != nil {
		return "", err
	}
	return s, r.finish()
}
