package card

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kaohe/kaohe/workflow"
)

// The cards of the appraisal cycle that answer HR's commands: 开启考核,
// 结束考核, 备案, 年度, and the committee's 审定 with nothing to decide;
// and the answer to 委托 and 公示. Each button does what the command does.

// periodStates are a period's states as HR reads them.
var periodStates = map[string]string{
	workflow.PeriodOpen: "填报审核中", workflow.PeriodCommittee: "待委员会审定", workflow.PeriodConfirmed: "待公示",
	workflow.PeriodPublished: "公示及复核期", workflow.PeriodClosed: "已结束",
}

// PeriodStateName is a period state in Chinese ("open" → "填报审核中");
// an unknown state is returned as is.
func PeriodStateName(s string) string {
	if n, ok := periodStates[s]; ok {
		return n
	}
	return s
}

// PeriodLine is one period and its state (workflow.Period*), as the
// cycle cards list them.
type PeriodLine struct {
	ID    string
	State string
}

func (p PeriodLine) text(sep, end string) string {
	return PeriodLabel(p.ID) + sep + PeriodStateName(p.State) + end
}

// OpenPeriod is HR's 开启考核 card: the period that opens next, with a
// button to open it now, and those not yet ended.
type OpenPeriod struct {
	// Next is the period id that would open next ("2027-Q1").
	Next string
	// More are the periods that would open next under the organisation's
	// other schemes in use ("2027-Q1@s5"), each with its own button.
	More []string
	// Open are the periods under way, oldest first.
	Open []PeriodLine
}

// OpenPeriodCard renders the 开启考核 card.
func OpenPeriodCard(o OpenPeriod) []byte {
	if len(o.More) > 0 {
		return openPeriodsCard(o)
	}
	lines := []string{"下一个考核期：" + PeriodLabel(o.Next) + "（" + o.Next + "）"}
	lines = append(lines, openLine(o.Open))
	return NoticeCard(Notice{Title: "开启考核", Colour: Blue, Lines: lines,
		Note:    "考核期到期会在第一个工作日自动开启；也可以点击下方按钮或发送「" + CmdOpen + " " + o.Next + "」提前开启。",
		Buttons: []Button{{Text: "开启" + PeriodLabel(o.Next), Primary: true, Value: Value{K: KindOpenPeriod, ID: o.Next}}}})
}

// openLine is the 开启考核 card's line on the periods in progress.
func openLine(open []PeriodLine) string {
	if len(open) == 0 {
		return "目前没有进行中的考核期。"
	}
	parts := make([]string, len(open))
	for i, p := range open {
		parts[i] = p.text("（", "）")
	}
	return "进行中：" + strings.Join(parts, "、")
}

// openPeriodsCard is the 开启考核 card of an organisation whose units run
// under several schemes: every scheme's next period, each with its button.
func openPeriodsCard(o OpenPeriod) []byte {
	next := append([]string{o.Next}, o.More...)
	lines := []string{"下一个考核期（各考核方案分别开启）："}
	var buttons []Button
	for i, id := range next {
		lines = append(lines, "  "+PeriodLabel(id)+"（"+id+"）")
		buttons = append(buttons, Button{Text: "开启" + PeriodLabel(id), Primary: i == 0, Value: Value{K: KindOpenPeriod, ID: id}})
	}
	lines = append(lines, openLine(o.Open))
	return NoticeCard(Notice{Title: "开启考核", Colour: Blue, Lines: lines,
		Note:    "考核期到期会在第一个工作日自动开启；也可以点击下方按钮或发送「" + CmdOpen + " " + o.More[0] + "」提前开启。",
		Buttons: buttons})
}

// PeriodOpened is a period HR has just opened; dates as YYYY-MM-DD.
type PeriodOpened struct {
	ID, Start, End, SummaryDue, FilingDue string
}

// PeriodOpenedCard answers 开启考核 <期>: the period's dates and its
// deadlines.
func PeriodOpenedCard(p PeriodOpened) []byte {
	return NoticeCard(Notice{Title: PeriodLabel(p.ID) + "考核已开启", Colour: Green,
		Lines: []string{"考核期：" + p.Start + " 至 " + p.End, "季度小结截止：" + p.SummaryDue, "备案截止：" + p.FilingDue},
		Note:  "系统将按计划提醒大家填写周记实、月小结和季度小结。"})
}

// ClosePeriod is an open period HR may end: its id and version, which
// the button carries so a card older than the period is refused.
type ClosePeriod struct {
	ID      string
	Version int
	// Missing are the people whose appraisal is not finished, each with
	// what is left and with whom (workflow.Missing.Text): while there are
	// any the card lists them instead of the button.
	Missing []string
}

// maxMissingLines bounds the people the 结束考核 card lists.
const maxMissingLines = 25

// ClosePeriodCard is HR's 结束考核 card: who is still missing, with 催办, or
// what ending does and the button.
func ClosePeriodCard(c ClosePeriod) []byte {
	title := "结束考核：" + PeriodLabel(c.ID)
	if n := len(c.Missing); n > 0 {
		lines := []string{fmt.Sprintf("尚有%d人的考核未完成，暂不能结束；全部完成后系统将自动结束考核并提交审定：", n)}
		for i, m := range c.Missing {
			if i == maxMissingLines {
				lines = append(lines, fmt.Sprintf("……另有%d人", n-maxMissingLines))
				break
			}
			lines = append(lines, m)
		}
		return NoticeCard(Notice{Title: title, Subtitle: fmt.Sprintf("%d人未完成", n), Colour: Orange,
			Lines: lines, Note: "审核人无法办理的可转办；确实无法参加考核的人员，可在「人员」中设为免考核并写明理由。",
			Buttons: []Button{{Text: "一键催办", Primary: true, Value: Value{K: KindChase}},
				{Text: "查看进度", Value: Value{K: KindProgress, ID: c.ID}}}})
	}
	return NoticeCard(Notice{Title: title, Colour: Orange,
		Lines:   []string{"全部审核环节已完成。结束后将按方案计算得分、等次和名额，并提请考核委员会审定。"},
		Note:    "考核期结束且民主测评截止后，系统会自动结束考核；也可以现在结束。",
		Buttons: []Button{{Text: "结束考核并提交审定", Primary: true, Value: Value{K: KindClosePeriod, ID: c.ID, V: c.Version}}}})
}

// NoCommitteeCard answers the committee's 审定 when no period waits for it.
func NoCommitteeCard() []byte {
	return NoticeCard(Notice{Title: "考核委员会审定", Lines: []string{"目前没有待审定的考核期。"}})
}

// FiledCard answers 备案 <期>: the period's results are recorded as filed,
// and where the filing tables are.
func FiledCard(period string) []byte {
	return NoticeCard(Notice{Title: PeriodLabel(period) + "已备案", Colour: Green,
		Lines: []string{PeriodLabel(period) + Appraisal(period) + "结果已记录为报送备案。"},
		Note:  "备案表格（.xlsx）：发送「备案表 " + period + "」。"})
}

// Delegated answers 委托: to whom and for which days (YYYY-MM-DD, both
// included), and why.
type Delegated struct {
	To, From, Until, Reason string
}

// DelegatedCard renders the answer to a 委托.
func DelegatedCard(d Delegated) []byte {
	return NoticeCard(Notice{Title: "已委托" + d.To + "代办", Colour: Green,
		Lines: []string{"委托期间：" + d.From + " 至 " + d.Until + "（含）", "事由：" + d.Reason},
		Note:  "期满自动结束；发送「" + CmdDelegate + "」可查看或提前结束。"})
}

// Year is HR's 年度 card: the year's periods and whether all are past
// 公示, which the annual composition needs.
type Year struct {
	Year int
	// ID is the year's id where it is not the default scheme's plain one
	// ("2026@s5": the year of the units under S5); "" for "2026".
	ID      string
	Periods []PeriodLine
	// RatingsNeeded: the scheme's annual part comes from a 年度测评 (S2's
	// annual raters, S9's 优秀票), which HR opens from this card.
	RatingsNeeded bool
	// Ratings is the round's progress once opened; nil before.
	Ratings *YearRatings
	// Today is the date the deadline picker starts from.
	Today string
	// Annual is the progress of the annual scores HR enters (S5, S6: the
	// other 40% of the total), nil where the scheme takes none.
	Annual *YearAnnual
}

// YearAnnual is the 年度评分's progress on HR's 年度 card: how many of the
// year's people have their annual score.
type YearAnnual struct {
	Entered, People int
}

// annualLine and annualButton are the 年度评分's line and the button
// that opens its card; annualMissing reports whether scores are missing.
func (y Year) annualLine() string {
	return fmt.Sprintf("年度评分：已录入%d/%d人（全部录入后才能生成）", y.Annual.Entered, y.Annual.People)
}

func (y Year) annualButton() Button {
	return Button{Text: "录入年度评分（" + PeriodLabel(y.id()) + "）", Value: Open(FormYearAnnual, y.id())}
}

func (y Year) annualMissing() bool { return y.Annual != nil && y.Annual.Entered < y.Annual.People }

// YearRatings is a 年度测评's progress on HR's 年度 card.
type YearRatings struct {
	Due           string
	Rated, Raters int
}

// ready reports whether every period of the year is published or closed.
func (y Year) ready() bool {
	for _, p := range y.Periods {
		if p.State != workflow.PeriodPublished && p.State != workflow.PeriodClosed {
			return false
		}
	}
	return true
}

// id is the year's id ("2026", "2026@s5").
func (y Year) id() string {
	if y.ID != "" {
		return y.ID
	}
	return strconv.Itoa(y.Year)
}

// YearsCard renders the 年度 card of an organisation whose units run
// under several schemes: each scheme's year, with its periods and its own
// button that composes it (each year goes to the committee on its own).
// The 年度测评 is one round for the calendar year (workflow/yearrate.go),
// opened once from this card. One year is YearCard's.
func YearsCard(ys []Year) []byte {
	if len(ys) == 1 {
		return YearCard(ys[0])
	}
	if len(ys) == 0 {
		return YearCard(Year{})
	}
	title := strconv.Itoa(ys[0].Year) + "年度考核"
	var lines []string
	var buttons []Button
	needed, opened := false, false
	var ratings *YearRatings
	for _, y := range ys {
		needed = needed || y.RatingsNeeded
		if y.Ratings != nil {
			ratings = y.Ratings
		}
	}
	opened = ratings != nil
	for _, y := range ys {
		lines = append(lines, "【"+PeriodLabel(y.id())+"】")
		if len(y.Periods) == 0 {
			lines = append(lines, "  该年度没有平时考核记录。")
			continue
		}
		for _, p := range y.Periods {
			lines = append(lines, "  "+p.text("：", ""))
		}
		if y.Annual != nil {
			lines = append(lines, "  "+y.annualLine())
			buttons = append(buttons, y.annualButton())
		}
		switch {
		case !y.ready():
			lines = append(lines, "  各期结果公示后才能生成年度考核结果。")
		case y.RatingsNeeded && !opened:
			lines = append(lines, "  年度测评结束后才能生成年度考核结果。")
		case y.annualMissing():
		default:
			buttons = append(buttons, Button{Text: "生成" + PeriodLabel(y.id()) + "考核结果", Primary: len(buttons) == 0, Value: Value{K: KindComposeYear, ID: y.id()}})
		}
	}
	if needed && opened {
		lines = append(lines, fmt.Sprintf("年度测评：已提交%d/%d人，%s截止（截止前全部提交后即可生成）", ratings.Rated, ratings.Raters, ratings.Due))
	}
	n := Notice{Title: title, Colour: Blue, Lines: lines, Buttons: buttons,
		Note: "各考核方案的年度考核分别按其年度规则由本方案各期平时考核结果拟定，分别提交考核委员会审定；委员会确认前可重新生成。"}
	if !needed || opened {
		return NoticeCard(n)
	}
	lines = append(lines, "年度测评：未发起。年度考核的测评分（或优秀票）须由年度测评产生，请选择截止日期后发起。")
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = esc(clip(l, maxLineRunes))
	}
	els := []elem{md(strings.Join(out, "\n")), note(n.Note)}
	if bs := buttonRow(buttons); bs != nil {
		els = append(els, bs)
	}
	els = append(els, form("year_ratings_form", []elem{
		datePicker(YearDueField, "测评截止日期", ys[0].Today, true),
		formButton("submit", "发起年度测评", "primary", "submit", &Value{K: KindYearRatingsOpen, ID: strconv.Itoa(ys[0].Year)}),
	}))
	return build(title, "", n.Colour, title, els)
}

// YearCard renders the 年度 card; the button that composes the year is
// there only when it can.
func YearCard(y Year) []byte {
	title := PeriodLabel(y.id()) + "考核"
	if len(y.Periods) == 0 {
		return NoticeCard(Notice{Title: title, Lines: []string{"该年度没有平时考核记录。"}})
	}
	n := Notice{Title: title, Colour: Blue,
		Note: "按方案的年度规则由各期平时考核结果拟定年度等次，提交考核委员会审定；委员会确认前可重新生成。"}
	for _, p := range y.Periods {
		n.Lines = append(n.Lines, p.text("：", ""))
	}
	if y.RatingsNeeded {
		if y.Ratings == nil {
			// The deadline is HR's to choose: the round follows the year's
			// 个人总结 and 述职, whose day the unit sets.
			n.Lines = append(n.Lines, "年度测评：未发起。年度考核的测评分（或优秀票）须由年度测评产生，请选择截止日期后发起。")
			out := make([]string, len(n.Lines))
			for i, l := range n.Lines {
				out[i] = esc(clip(l, maxLineRunes))
			}
			return build(title, "", n.Colour, title, []elem{md(strings.Join(out, "\n")), note(n.Note),
				form("year_ratings_form", []elem{
					datePicker(YearDueField, "测评截止日期", y.Today, true),
					formButton("submit", "发起年度测评", "primary", "submit", &Value{K: KindYearRatingsOpen, ID: strconv.Itoa(y.Year)}),
				})})
		}
		n.Lines = append(n.Lines, fmt.Sprintf("年度测评：已提交%d/%d人，%s截止（截止前全部提交后即可生成）", y.Ratings.Rated, y.Ratings.Raters, y.Ratings.Due))
	}
	if y.Annual != nil {
		n.Lines = append(n.Lines, y.annualLine())
	}
	if y.ready() && !y.annualMissing() {
		n.Buttons = []Button{{Text: "生成年度考核结果", Primary: true, Value: Value{K: KindComposeYear, ID: y.id()}}}
	} else if !y.ready() {
		n.Lines = append(n.Lines, "各期结果公示后才能生成年度考核结果。")
	}
	if y.Annual != nil {
		n.Buttons = append(n.Buttons, y.annualButton())
	}
	return NoticeCard(n)
}

// Published answers 公示: the period, and how many group chats the 公示
// went to (none configured: only the personal results went out).
type Published struct {
	Period string
	Chats  int
}

// PublishedCard renders the answer to 公示.
func PublishedCard(p Published) []byte {
	line := PeriodLabel(p.Period) + "考核结果已发送至公示群，并逐人发送个人结果"
	n := Notice{Title: "公示已发布", Colour: Green}
	if p.Chats == 0 {
		line = PeriodLabel(p.Period) + "考核结果已逐人发送个人结果；未配置公示群，公示名单未发送到群聊"
		n.Note = "请系统管理员在组织文件中设置公示群（settings.public_chats），或以其他方式张榜公示。"
	}
	n.Lines = []string{line}
	return NoticeCard(n)
}
