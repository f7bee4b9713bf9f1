package card

import (
	"encoding/json"
	"strings"
)

// Done is the read-only card that replaces a card after its action, so it
// cannot be submitted twice.
type Done struct {
	// Title and Subtitle are usually the original card's.
	Title    string
	Subtitle string
	// Action says what was done ("已通过", "已退回", "已提交").
	Action string
	// By is who did it, At when ("2026-10-09 10:30").
	By string
	At string
	// Lines add details (plain text), e.g. the reason of a send-back.
	Lines []string
	// Colour defaults to Green.
	Colour Colour
}

// DoneCard renders "已通过 · 张三 · 2026-10-09 10:30" and the lines, with
// no interactive element.
func DoneCard(d Done) []byte {
	parts := []string{"**" + escLine(d.Action) + "**"}
	if d.By != "" {
		parts = append(parts, escLine(d.By))
	}
	if d.At != "" {
		parts = append(parts, escLine(d.At))
	}
	els := []elem{md(strings.Join(parts, " · "))}
	if len(d.Lines) > 0 {
		ls := make([]string, 0, len(d.Lines))
		for _, l := range d.Lines[:min(len(d.Lines), maxNoticeLines)] {
			ls = append(ls, esc(clip(l, maxLineRunes)))
		}
		els = append(els, md(strings.Join(ls, "\n")))
	}
	els = append(els, note("此卡片已处理，不能再次提交。"))
	colour := d.Colour
	if colour == "" {
		colour = Green
	}
	return build(d.Title, d.Subtitle, colour, d.Title+"："+d.Action, els)
}

// Toast types of a callback reply.
const (
	ToastSuccess = "success"
	ToastError   = "error"
	ToastInfo    = "info"
	ToastWarning = "warning"
)

type toastBody struct {
	Type    string `json:"type"`
	Content string `json:"content"`
}

type cardBodyReply struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

type reply struct {
	Toast *toastBody     `json:"toast,omitempty"`
	Card  *cardBodyReply `json:"card,omitempty"`
}

// Toast is the callback reply {"toast":{"type":…,"content":…}}. An unknown
// type is sent as info.
func Toast(typ, content string) []byte { return Reply(typ, content, nil) }

// CardReply is the callback reply {"card":{"type":"raw","data":card}} that
// replaces the clicked card in place; card is a card this package made.
func CardReply(card []byte) []byte { return Reply("", "", card) }

// Reply combines a toast (when content is not "") and a replacement card
// (when card is not nil) in one callback reply. With neither it is {}.
func Reply(typ, content string, card []byte) []byte {
	var r reply
	if content != "" {
		switch typ {
		case ToastSuccess, ToastError, ToastInfo, ToastWarning:
		default:
			typ = ToastInfo
		}
		r.Toast = &toastBody{Type: typ, Content: clip(content, 100)}
	}
	if card != nil {
		r.Card = &cardBodyReply{Type: "raw", Data: json.RawMessage(card)}
	}
	return marshal(r)
}
