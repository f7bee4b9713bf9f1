package card

import (
	"fmt"
	"strings"

	"github.com/kaohe/kaohe/workflow"
)

// KindTalk records that a talk took place. ID: "<period>/<open_id>" for a
// grade talk, "<period>/<open_id>/<reason>" for the half-year 谈心谈话 and
// the 诫勉谈话 after bottom grades in a row (TalkIDFor); V: 0 (a talk is
// recorded once).
const KindTalk = "talk"

// FormTalk opens the talk card ("talk/2026-Q3/ou_x",
// "talk/2026-Q2/ou_x/half_year").
const FormTalk = "talk"

// FieldTalkNote is what was said and agreed in the talk.
const FieldTalkNote = "talk_note"

// TalkID joins a period and a person into a grade talk card's id.
func TalkID(period, person string) string { return period + "/" + person }

// TalkIDFor is TalkID for a talk of reason (workflow.TalkHalfYear,
// workflow.TalkBottom); "" is the grade talk.
func TalkIDFor(period, person, reason string) string {
	if reason == "" {
		return TalkID(period, person)
	}
	return period + "/" + person + "/" + reason
}

// talkReasons are the reasons a talk id may carry.
var talkReasons = map[string]bool{workflow.TalkHalfYear: true, workflow.TalkBottom: true}

// SplitTalkID splits a TalkIDFor id; ErrBadValue when it is not two parts,
// or three with a known reason.
func SplitTalkID(id string) (period, person, reason string, err error) {
	parts := strings.Split(id, "/")
	if len(parts) == 3 && talkReasons[parts[2]] {
		reason = parts[2]
		parts = parts[:2]
	}
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return "", "", "", fmt.Errorf("talk id %q: %w", id, ErrBadValue)
	}
	return parts[0], parts[1], reason, nil
}

// TalkForm is the leader's card for a talk a grade calls for.
type TalkForm struct {
	Period, PersonID, Person string
	// Kind is the talk (谈话, 诫勉谈话, 谈心谈话), Grade the grade that
	// called for it.
	Kind, Grade string
	// Reason is "" for a grade talk, else workflow.TalkHalfYear or
	// workflow.TalkBottom; Why then says why the talk is due, in place of
	// the grade.
	Reason, Why string
	// Note is set once the talk is recorded (the card is then read-only).
	Note string
	// Others are the other people of the same talk list not yet recorded,
	// each with a button to their card: a notice carries four buttons, a
	// tie at the bottom may name more.
	Others []TalkOther
}

// TalkOther is another person to talk with.
type TalkOther struct{ ID, Name string }

// TalkCard renders the talk card: who, why, and a form to record that the
// talk took place and what was agreed.
func TalkCard(f TalkForm) ([]byte, error) {
	if f.PersonID == "" || f.Kind == "" {
		return nil, fmt.Errorf("talk without a person or kind: %w", ErrBadModel)
	}
	why := PeriodLabel(f.Period) + "平时考核等次为「" + escLine(f.Grade) + "」"
	if f.Why != "" {
		why = escLine(f.Why)
	}
	lines := []string{"**对象**：" + escLine(f.Person), "**事由**：" + why}
	els := []elem{md(strings.Join(lines, "\n"))}
	if f.Note != "" {
		els = append(els, hr(), md("**已记录**："+esc(clip(f.Note, MaxOpinion))))
	} else {
		els = append(els, form("talk_form", []elem{
			textarea(FieldTalkNote, "谈话情况", "谈话时间、主要内容和改进要求（必填）", "", MaxOpinion, 3, true),
			formButton("submit", "记录"+clip(f.Kind, 10), "primary", "submit", &Value{K: KindTalk, ID: TalkIDFor(f.Period, f.PersonID, f.Reason)}),
		}))
	}
	if len(f.Others) > 0 {
		bs := make([]Button, 0, maxButtons)
		for _, o := range f.Others[:min(len(f.Others), maxButtons)] {
			bs = append(bs, Button{Text: "记录：" + clip(o.Name, 20), Value: Open(FormTalk, TalkIDFor(f.Period, o.ID, f.Reason))})
		}
		els = append(els, md(fmt.Sprintf("**尚未记录的其他谈话对象（%d人）**", len(f.Others))), buttonRow(bs))
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
