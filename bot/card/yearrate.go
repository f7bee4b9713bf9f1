package card

import (
	"fmt"
	"strconv"
)

// Year-end ratings (年度测评): the rater's card and HR's opening of the
// round.
const (
	// KindYearRate submits a 年度测评 card. ID: the year ("2026"); V: 0 (a
	// rater rates once).
	KindYearRate = "year_rate"
	// KindYearRatingsOpen opens a year's 年度测评 with the deadline of the
	// 年度 card's form (HR). ID: the year; V: 0.
	KindYearRatingsOpen = "year_ratings_open"
	// FormYearRate opens a rater's 年度测评 card: "year_rate/2026".
	FormYearRate = "year_rate"
	// YearDueField is the deadline's date picker on HR's 年度 card.
	YearDueField = "year_due"
)

func init() {
	kinds[KindYearRate] = true
	kinds[KindYearRatingsOpen] = true
	forms[FormYearRate] = true
}

// Values of an 优秀票 select.
const (
	ExcellentYes = "1"
	ExcellentNo  = "0"
)

// YearRateField names person id's field in the group of source on the
// 年度测评 form.
func YearRateField(source, id string) string { return "yr_" + source + "_" + id }

// YearRateGroup is one group of the 年度测评 card: the people the rater
// rates as one source (上级主管领导评分, 同级测评 …, or the 优秀票).
type YearRateGroup struct {
	Source string
	Name   string
	// Excellent: each person gets an 优秀 / 否 select instead of a score.
	Excellent bool
	People    []Colleague
}

// YearRateForm is the 年度测评 card.
type YearRateForm struct {
	Year   int
	Due    string
	Groups []YearRateGroup
}

// YearRateCard renders the anonymous 年度测评 card: a 0–100 input per
// person of each score group, an 优秀 / 否 select per person of the 优秀票.
// ErrTooLarge above MaxColleagues people in all; ErrBadModel for an empty
// or repeated id within a group.
func YearRateCard(f YearRateForm) ([]byte, error) {
	n := 0
	for _, g := range f.Groups {
		n += len(g.People)
		if err := uniqueIDs(colleagueIDs(g.People)); err != nil {
			return nil, err
		}
	}
	if n > MaxColleagues {
		return nil, fmt.Errorf("%d people, at most %d: %w", n, MaxColleagues, ErrTooLarge)
	}
	fe := make([]elem, 0, n+len(f.Groups)+1)
	for _, g := range f.Groups {
		if g.Excellent {
			fe = append(fe, md("**"+esc(g.Name)+"**：请选出您认为年度表现优秀的同事（不选即为否）"))
		} else {
			fe = append(fe, md("**"+esc(g.Name)+"**（0–100分，可保留两位小数）"))
		}
		for _, c := range g.People {
			label := c.Name
			if c.Unit != "" {
				label += "（" + c.Unit + "）"
			}
			if g.Excellent {
				fe = append(fe, columns([]elem{md(esc(clip(label, 30)))},
					[]elem{selectStatic(YearRateField(g.Source, c.ID), "", []option{{"否", ExcellentNo}, {"优秀", ExcellentYes}}, ExcellentNo, true)}))
				continue
			}
			fe = append(fe, input(YearRateField(g.Source, c.ID), clip(label, 30), "", "", 6, true))
		}
	}
	y := strconv.Itoa(f.Year)
	fe = append(fe, formButton("submit", "提交测评", "primary", "submit", &Value{K: KindYearRate, ID: y}))
	intro := "请按组为每位人员评分，全部填写后提交；提交后不能修改。"
	if f.Due != "" {
		intro += "截止日期：" + f.Due + "。"
	}
	els := []elem{
		md("**本测评为匿名测评。**系统只记录您已参加，不保存您给每个人的评分与您的对应关系，任何人（包括管理员）都无法追溯到个人。"),
		note(intro),
		form("year_rate_form", fe),
	}
	return build("年度测评（匿名）", y+"年度", Indigo, "请参加"+y+"年度测评", els), nil
}

// ParseYearRate reads a 年度测评 form for the groups the card listed:
// source → person → score in canonical form, "1" or "0" for the 优秀票.
// Errors are *FieldError labelled by group and position, never a score.
func ParseYearRate(fv map[string]any, groups []YearRateGroup) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	r, err := newReader(fv)
	if err != nil {
		return out, err
	}
	for _, g := range groups {
		out[g.Source] = map[string]string{}
		for i, c := range g.People {
			label := g.Name + "第" + strconv.Itoa(i+1) + "位"
			var s string
			if g.Excellent {
				s, err = r.choice(YearRateField(g.Source, c.ID), label, []string{ExcellentYes, ExcellentNo}, true)
			} else {
				s, err = r.number(YearRateField(g.Source, c.ID), label+"的评分", 100_00, true)
			}
			if err != nil {
				return out, err
			}
			out[g.Source][c.ID] = s
		}
	}
	return out, r.finish()
}

// ParseYearDue reads the deadline of HR's 年度 card form as YYYY-MM-DD.
func ParseYearDue(fv map[string]any) (string, error) {
	r, err := newReader(fv)
	if err != nil {
		return "", err
	}
	d, err := r.date(YearDueField, "测评截止日期", true)
	if err != nil {
		return "", err
	}
	return d, r.finish()
}
