package card

import (
	"fmt"
	"strconv"
	"strings"
)

// KindOutside saves HR's tallies of the 民主测评 raters outside the chat
// (外部测评: 村组干部, 服务对象代表) from the outside form. ID: the period;
// "2026-Q2/u1" for a card limited to one unit (OutsideID); V: 0 (the form states the tallies of the people it lists; the same
// figures again change nothing).
const KindOutside = "vote_outside"

// MaxOutsidePeople is the most people one 外部测评 card lists (two
// inputs each, under the card's limits of elements and bytes).
const MaxOutsidePeople = 40

// MaxOutsideRaters is the most outside raters one person's tally may
// count (the service's bound).
const MaxOutsideRaters = 1000

// OutsideRatersField and OutsideMeanField name the count and the average
// of person id on the 外部测评 form.
func OutsideRatersField(id string) string { return "outn_" + id }

// OutsideMeanField: see OutsideRatersField.
func OutsideMeanField(id string) string { return "outm_" + id }

// OutsidePerson is one assessed person on the 外部测评 form, with the tally
// entered so far ("" for none).
type OutsidePerson struct {
	ID, Name, Unit string
	Raters, Mean   string
}

// OutsideForm is HR's 外部测评 card for a period.
type OutsideForm struct {
	Period string
	Due    string
	// Unit names the 科室 the card is limited to ("" for everyone), UnitID
	// is its id.
	Unit, UnitID string
	People       []OutsidePerson
}

// OutsideID is the callback id of the 外部测评 card of a period, limited to
// a unit when unitID is not "".
func OutsideID(period, unitID string) string {
	if unitID == "" {
		return period
	}
	return period + "/" + unitID
}

// OutsideCard renders HR's form for the tallies of the raters outside the
// chat: per person, how many rated on paper and their average score.
// ErrTooLarge above MaxOutsidePeople; ErrBadModel for an empty or
// repeated id.
func OutsideCard(f OutsideForm) ([]byte, error) {
	if len(f.People) > MaxOutsidePeople {
		return nil, fmt.Errorf("%d people, at most %d: %w", len(f.People), MaxOutsidePeople, ErrTooLarge)
	}
	ids := make([]string, len(f.People))
	for i, p := range f.People {
		ids[i] = p.ID
	}
	if err := uniqueIDs(ids); err != nil {
		return nil, err
	}
	fe := make([]elem, 0, 2*len(f.People)+1)
	for _, p := range f.People {
		label := p.Name
		if p.Unit != "" {
			label += "（" + p.Unit + "）"
		}
		fe = append(fe, input(OutsideRatersField(p.ID), clip(label, 24)+" 人数", "", p.Raters, 4, false),
			input(OutsideMeanField(p.ID), "平均分", "", p.Mean, 6, false))
	}
	fe = append(fe, formButton("submit", "保存外部测评", "primary", "submit", &Value{K: KindOutside, ID: OutsideID(f.Period, f.UnitID)}))
	intro := "村组干部、服务对象代表等不在本单位飞书中的评议人在纸质测评表上打分，由政工科汇总后在此录入：每人的外部评议人数和平均分（0–100分，可保留两位小数）。" +
		"外部测评与机关干部在飞书中的测评按人数合并计算；机关内或外部评议人数不足匿名下限的部分不计入。人数填0或留空即不计外部测评。"
	if f.Due != "" {
		intro += "录入截止：" + f.Due + "（与民主测评同时截止）。"
	}
	els := []elem{note(intro)}
	if len(f.People) == 0 {
		els = append(els, md("没有需要录入外部测评的被考核人。"))
	} else {
		els = append(els, form("outside_form", fe))
	}
	sub := PeriodLabel(f.Period)
	if f.Unit != "" {
		sub = f.Unit + " · " + sub
	}
	return build("外部测评录入", sub, Indigo, "外部测评录入："+PeriodLabel(f.Period), els), nil
}

// OutsideTally is one person's submitted tally: Raters 0 takes the tally
// back; Mean is canonical ("85", "85.5"), "" when Raters is 0.
type OutsideTally struct {
	Raters int
	Mean   string
}

// ParseOutside reads the 外部测评 form for the people ids the card listed.
// A count with no average, or a count that is not a whole number, is an
// error naming the person's position on the card. Errors are *FieldError.
func ParseOutside(fv map[string]any, ids []string) (map[string]OutsideTally, error) {
	out := make(map[string]OutsideTally, len(ids))
	r, err := newReader(fv)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		pos := "第" + strconv.Itoa(i+1) + "位"
		n, err := r.number(OutsideRatersField(id), pos+"的外部评议人数", MaxOutsideRaters*100, false)
		if err != nil {
			return nil, err
		}
		if strings.Contains(n, ".") {
			return nil, fieldErr(OutsideRatersField(id), pos+"的外部评议人数", "须为整数")
		}
		mean, err := r.number(OutsideMeanField(id), pos+"的外部测评平均分", 100_00, false)
		if err != nil {
			return nil, err
		}
		raters := 0
		if n != "" {
			raters, _ = strconv.Atoi(n)
		}
		switch {
		case raters == 0:
			out[id] = OutsideTally{}
		case mean == "":
			return nil, fieldErr(OutsideMeanField(id), pos+"的外部测评平均分", "请填写平均分")
		default:
			out[id] = OutsideTally{Raters: raters, Mean: mean}
		}
	}
	return out, r.finish()
}
