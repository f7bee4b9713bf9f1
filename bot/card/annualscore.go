package card

import (
	"fmt"
	"strconv"
)

// HR's 年度评分 card: the one annual score per person that S5's and S6's
// year total takes besides the periods (the other 40%), entered by HR.
const (
	// KindYearAnnual saves the 年度评分 form. ID: the year ("2026",
	// "2026@s5"); V: 0 (the form states the scores of the people it lists;
	// the same figures again change nothing, and the service refuses any
	// once the committee confirmed the year).
	KindYearAnnual = "year_annual"
	// FormYearAnnual opens HR's 年度评分 card: "year_annual/2026@s5".
	FormYearAnnual = "year_annual"
)

func init() {
	kinds[KindYearAnnual] = true
	forms[FormYearAnnual] = true
}

// MaxAnnualPeople is the most people one 年度评分 card lists (one input
// each, under the card's limits of elements and bytes).
const MaxAnnualPeople = 80

// AnnualField names person id's score on the 年度评分 form.
func AnnualField(id string) string { return "ya_" + id }

// AnnualPerson is one person on the 年度评分 form with the score entered
// so far ("" for none).
type AnnualPerson struct {
	ID, Name, Unit string
	Score          string
}

// AnnualForm is HR's 年度评分 card of a year.
type AnnualForm struct {
	// Year is the year's id ("2026", "2026@s5").
	Year string
	// Scale is the highest score in hundredths (100_00 for 百分制).
	Scale int64
	// Weight is the annual score's share of the total ("40%").
	Weight string
	// Locked: the committee confirmed the year; the card shows the scores
	// without a form.
	Locked bool
	People []AnnualPerson
}

// AnnualCard renders HR's form of the annual scores: an input per person,
// prefilled with the score entered so far. ErrTooLarge above
// MaxAnnualPeople; ErrBadModel for an empty or repeated id.
func AnnualCard(f AnnualForm) ([]byte, error) {
	if len(f.People) > MaxAnnualPeople {
		return nil, fmt.Errorf("%d people, at most %d: %w", len(f.People), MaxAnnualPeople, ErrTooLarge)
	}
	ids := make([]string, len(f.People))
	entered := 0
	for i, p := range f.People {
		ids[i] = p.ID
		if p.Score != "" {
			entered++
		}
	}
	if err := uniqueIDs(ids); err != nil {
		return nil, err
	}
	title := "年度评分录入"
	sub := fmt.Sprintf("%s · 已录入%d/%d人", PeriodLabel(f.Year), entered, len(f.People))
	scale := formatHundredths(f.Scale)
	intro := "年度考核总分由平时考核成绩与年度评分合成，年度评分占" + f.Weight + "，由政工科按单位年度考核情况逐人录入（0–" + scale +
		"分，可保留两位小数）。全部录入后方可生成年度考核结果；考核委员会确认前可修改，修改后请重新生成。"
	if len(f.People) == 0 {
		return build(title, sub, Indigo, title, []elem{note(intro), md("该年度没有被考核人。")}), nil
	}
	if f.Locked {
		rows := []elem{note("年度考核结果已经考核委员会确认，年度评分不能再修改。")}
		for _, p := range f.People {
			rows = append(rows, md(esc(clip(personLabel(p), 40))+"："+esc(orDash(p.Score))))
		}
		return build(title, sub, Green, title, rows), nil
	}
	fe := make([]elem, 0, len(f.People)+1)
	for _, p := range f.People {
		fe = append(fe, input(AnnualField(p.ID), clip(personLabel(p), 30), "0–"+scale, p.Score, 6, false))
	}
	fe = append(fe, formButton("submit", "保存年度评分", "primary", "submit", &Value{K: KindYearAnnual, ID: f.Year}))
	return build(title, sub, Indigo, title, []elem{note(intro), form("year_annual_form", fe)}), nil
}

func personLabel(p AnnualPerson) string {
	if p.Unit == "" {
		return p.Name
	}
	return p.Name + "（" + p.Unit + "）"
}

// ParseAnnual reads the 年度评分 form for the people ids the card listed:
// person → score in canonical form ("88", "88.5"), 0 to scale
// (hundredths); a person left empty is left out (their score, if any,
// stays). Errors are *FieldError naming the person's position, never a
// score.
func ParseAnnual(fv map[string]any, ids []string, scale int64) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	r, err := newReader(fv)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		s, err := r.number(AnnualField(id), "第"+strconv.Itoa(i+1)+"位的年度评分", scale, false)
		if err != nil {
			return nil, err
		}
		if s != "" {
			out[id] = s
		}
	}
	return out, r.finish()
}
