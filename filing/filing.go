// Package filing lays out the seeds' filing forms (备案表) as .xlsx files
// from what workflow.Service.FilingData reads: S4's 公务员平时考核登记表
// (附件3) and 平时考核结果汇总表 (附件4), S9's 季度考评登记表 and 年度考核情况
// 登记汇总表, S10's 公务员平时考核工作记实表, S2's 备案登记表 and the 公示
// list. It is an adapter like bot: it turns workflow data into files and
// decides nothing; every grade, count and name comes from the store.
//
// Each form is laid out like the paper one (docs/filing.md shows one page
// of each): merged header cells, the seed's Chinese labels, thin borders,
// 宋体, A4 with the print area set and one page wide. What the system does
// not keep (性别, 出生年月, 政治面貌, handwritten signatures) is left blank
// for the hand that fills the paper in; the leader who decided a step is
// named next to 签名 with the date they acted.
package filing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// Table names a filing form.
type Table string

// The tables, by the name the CLI and the chat command take.
const (
	S4Register Table = "s4-register" // S4 附件3 公务员平时考核登记表: one sheet per person
	S4Summary  Table = "s4-summary"  // S4 附件4 公务员平时考核结果汇总表: the year
	S9Register Table = "s9-register" // S9 季度考评登记表: one sheet per person
	S9Summary  Table = "s9-summary"  // S9 年度考核情况登记汇总表: the year
	S10Record  Table = "s10-record"  // S10 附件1 公务员平时考核工作记实表: one sheet per person
	S2Filing   Table = "s2-filing"   // S2 四(三)4 公务员平时考核备案登记表: the period
	Publicity  Table = "publicity"   // the 公示 list of a period
	Allowance  Table = "allowance"   // S2 五 津贴扣减表: the period's allowance consequences
)

// Spec describes a table.
type Spec struct {
	Table Table
	// Title is the form's title as the seed writes it.
	Title string
	// Source cites the seed section the form comes from.
	Source string
	// Year: the table covers a year (given a period, the period's year).
	Year bool
	// Word is the short name the chat command takes (备案表 期 词).
	Word string
}

// Specs lists every table in the order docs and help show them.
var Specs = []Spec{
	{S4Register, "公务员平时考核登记表", "S4 附件3", false, "登记表"},
	{S4Summary, "公务员平时考核结果汇总表", "S4 附件4", true, "汇总表"},
	{S9Register, "季度考评登记表", "S9 三(二)3、附件1", false, "考评登记表"},
	{S9Summary, "年度考核情况登记汇总表", "S9 四、附件2", true, "年度汇总表"},
	{S10Record, "公务员平时考核工作记实表", "S10 四(一)、附件1", false, "记实表"},
	{S2Filing, "公务员平时考核备案登记表", "S2 四(三)4", false, "备案登记表"},
	{Publicity, "平时考核结果公示", "S1 第八条(四)、S4 三(四)", false, "公示"},
	{Allowance, "平时考核津贴扣减表", "S2 五", false, "津贴表"},
}

// ErrUnknownTable is returned for a table name not in Specs.
var ErrUnknownTable = errors.New("unknown table")

// Lookup finds a table by its name or its chat word.
func Lookup(name string) (Spec, error) {
	for _, s := range Specs {
		if string(s.Table) == strings.ToLower(name) || s.Word == name || s.Title == name {
			return s, nil
		}
	}
	return Spec{}, fmt.Errorf("table %q: %w", name, ErrUnknownTable)
}

// DataID is the id to read for table t when asked for id: a year table
// given a period reads the period's year (the table of the year so far);
// a period table given a year is an error.
func DataID(t Table, id string) (string, error) {
	spec, err := Lookup(string(t))
	if err != nil {
		return "", err
	}
	id = workflow.CanonicalPeriodID(id)
	year, whole, err := workflow.ParseFilingID(id)
	if err != nil {
		return "", err
	}
	// A period of a scheme other than the default keeps its scheme, and
	// so does its year ("2026@s5").
	_, scheme, _ := strings.Cut(id, "@")
	switch {
	case spec.Year && scheme != "":
		return strconv.Itoa(year) + "@" + scheme, nil
	case spec.Year:
		return strconv.Itoa(year), nil
	case whole:
		return "", &workflow.InputError{Field: "period", Msg: spec.Title + "按考核期填报，请指定考核期，如 " + strconv.Itoa(year) + "-Q3"}
	}
	return id, nil
}

// FileName is the file's name: the period or year and the title.
func FileName(t Table, f workflow.Filing) string {
	spec, _ := Lookup(string(t))
	return strings.ReplaceAll(periodWords(f)+spec.Title+".xlsx", " ", "")
}

// Build lays out table t from f.
func Build(t Table, f workflow.Filing) (*excelize.File, error) {
	spec, err := Lookup(string(t))
	if err != nil {
		return nil, err
	}
	_, whole, _ := workflow.ParseFilingID(f.ID)
	if spec.Year != whole {
		return nil, fmt.Errorf("table %s wants a %s, got %q", t, map[bool]string{true: "year", false: "period"}[spec.Year], f.ID)
	}
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	switch t {
	case S4Register:
		err = s4Register(b, f)
	case S4Summary:
		err = s4Summary(b, f)
	case S9Register:
		err = s9Register(b, f)
	case S9Summary:
		err = s9Summary(b, f)
	case S10Record:
		err = s10Record(b, f)
	case S2Filing:
		err = s2Filing(b, f)
	case Publicity:
		err = publicity(b, f)
	case Allowance:
		err = allowanceSheet(b, f)
	}
	if err == nil {
		err = b.done()
	}
	if err != nil {
		_ = b.f.Close()
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	if err := b.f.SetDocProps(&excelize.DocProperties{Title: spec.Title, Creator: "kaohe", Subject: f.Org + " " + periodWords(f),
		Created: f.AsOf.In(calendar.DefaultLocation()).UTC().Format(time.RFC3339)}); err != nil {
		return nil, err
	}
	return b.f, nil
}

// Bytes builds table t and returns the .xlsx file.
func Bytes(t Table, f workflow.Filing) ([]byte, error) {
	x, err := Build(t, f)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("write %s: %w", t, err)
	}
	return buf.Bytes(), nil
}

// Write builds table t and writes the .xlsx file to w.
func Write(w io.Writer, t Table, f workflow.Filing) error {
	b, err := Bytes(t, f)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// --- text shared by the forms ---

var quarterWords = []string{"一", "二", "三", "四"}

// periodWords names what f covers: "2026年第三季度", "2026年9月", "2026年度".
func periodWords(f workflow.Filing) string {
	if _, whole, _ := workflow.ParseFilingID(f.ID); whole {
		return strconv.Itoa(f.Year) + "年度"
	}
	if len(f.Periods) > 0 {
		return f.Periods[0].Label
	}
	return f.ID
}

// formPeriod is the form's "（ 年度第 季度）" line filled in.
func formPeriod(p workflow.Period) string {
	cp, _, err := workflow.ParsePeriodID(p.ID)
	if err != nil {
		return "（" + p.ID + "）"
	}
	if cp.Kind() == calendar.Quarter {
		return fmt.Sprintf("（%d年度第%s季度）", cp.Year(), quarterWords[cp.Index()-1])
	}
	return fmt.Sprintf("（%d年%d月）", cp.Year(), cp.Index())
}

// quarterOf returns the index (1–4) of a quarter period, 0 for others.
func quarterOf(p workflow.Period) int {
	cp, _, err := workflow.ParsePeriodID(p.ID)
	if err != nil || cp.Kind() != calendar.Quarter {
		return 0
	}
	return cp.Index()
}

// zhDate writes a day as the forms do: 2026年10月9日.
func zhDate(d calendar.Date) string {
	if d.IsZero() {
		return "    年  月  日"
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// dayOf is the civil day of an instant in China time.
func dayOf(t time.Time) calendar.Date {
	if t.IsZero() {
		return calendar.Date{}
	}
	return calendar.DateOf(t.In(calendar.DefaultLocation()))
}

// zeroTime is "not signed yet".
var zeroTime time.Time

// signed is the signature line under a text: who and when.
func signed(name string, at time.Time) string {
	if name == "" {
		name = "        "
	}
	return "签名：" + name + "　　" + zhDate(dayOf(at))
}

// boxes writes the grades as the paper's tick boxes: ■ before the one
// given, □ before the others.
func boxes(grades []string, chosen string) string {
	var parts []string
	for _, g := range grades {
		mark := "□"
		if g == chosen {
			mark = "■"
		}
		parts = append(parts, mark+g)
	}
	return strings.Join(parts, "　")
}

// position is the 单位及职务（职级） a person's record gives: the
// organisation, the unit and the tier where the scheme has tiers.
func position(f workflow.Filing, p workflow.FilingPerson) string {
	parts := []string{}
	if f.Org != "" {
		parts = append(parts, f.Org)
	}
	if p.UnitName != "" {
		parts = append(parts, p.UnitName)
	}
	if p.Tier != "" && p.Tier != "default" {
		parts = append(parts, p.Tier)
	}
	return strings.Join(parts, " ")
}

// stateWords says why a result has no grade (未确定等次情况说明).
func stateWords(r *workflow.FilingRecord) string {
	if r == nil || r.Result == nil {
		return ""
	}
	var why string
	switch r.Result.State {
	case scoring.StateGraded:
		return ""
	case scoring.StateCommentOnly:
		why = "试用期内，只写评语，不确定等次"
	case scoring.StateNotGraded:
		why = "不确定等次"
	case scoring.StateWithheld:
		why = "立案调查尚未结案，暂不确定等次，结案后补定"
	case scoring.StatePending:
		why = "名额并列，待考核委员会审定"
	default:
		why = r.Result.State
	}
	if r.Status.Reason != "" {
		why += "（" + r.Status.Reason + "）"
	} else if r.Status.Sanction != "" {
		why += "（受" + r.Status.Sanction + "处分期间）"
	}
	return why
}

// gradeOf is a record's grade, or what stands in for it.
func gradeOf(r *workflow.FilingRecord) string {
	switch {
	case r == nil || r.Result == nil:
		return ""
	case r.Result.State == scoring.StateGraded:
		return r.Result.Grade
	case r.Result.State == scoring.StateCommentOnly:
		return "不定等次（试用期）"
	case r.Result.State == scoring.StateWithheld:
		return "暂不定等次"
	case r.Result.State == scoring.StatePending:
		return "待审定"
	}
	return "不定等次"
}

// scoreOf is a record's score, "" without one.
func scoreOf(r *workflow.FilingRecord) string {
	if r == nil || r.Result == nil || r.Result.Score == nil {
		return ""
	}
	return r.Result.Score.String()
}

// stepFor is the decided step of a role, nil if the chain had none.
func stepFor(r *workflow.FilingRecord, role string) *workflow.FilingStep {
	if r == nil {
		return nil
	}
	for i := range r.Steps {
		if r.Steps[i].Role == role {
			return &r.Steps[i]
		}
	}
	return nil
}

// opinion is what a later step says: 同意 with its note, or the
// adjustment it made and why.
func opinion(s *workflow.FilingStep) string {
	if s == nil {
		return ""
	}
	if !s.Changed {
		if s.Reason != "" {
			return "同意。" + s.Reason
		}
		return "同意。"
	}
	var b strings.Builder
	b.WriteString("调整为")
	if s.Score != "" {
		b.WriteString("：分数" + s.Score)
	}
	if s.Grade != "" {
		b.WriteString("，等次" + s.Grade)
	}
	b.WriteString("。")
	if s.Reason != "" {
		b.WriteString("理由：" + s.Reason)
	}
	if s.Assessment.Comment != "" {
		b.WriteString("\n" + s.Assessment.Comment)
	}
	return b.String()
}

// names joins people's names with 、.
func names(list []string) string { return strings.Join(list, "、") }

// Defaults are the tables 备案表 sends when HR names none: the forms the
// scheme's own seed files, for a period or for a year. A seed without a
// form of its own (S1, S3, S5–S8 name none) gets S4's, the national
// template (《公务员平时考核办法（试行）》's 登记表 and 汇总表) the others
// adapt; S2 files its 备案登记表 each quarter and S10 its 记实表, and both
// take S4's 汇总表 for the year, which they have no form for.
func Defaults(scheme string, year bool) []Table {
	switch {
	case scheme == "s9" && year:
		return []Table{S9Summary}
	case scheme == "s9":
		return []Table{S9Register}
	case year:
		return []Table{S4Summary}
	case scheme == "s2":
		return []Table{S2Filing}
	case scheme == "s10":
		return []Table{S10Record}
	}
	return []Table{S4Register}
}
