package card

import (
	"fmt"
	"strings"
)

// Text commands of a private chat with the bot.
const (
	CmdHelp      = "帮助"
	CmdTodo      = "待办"
	CmdMine      = "我的考核"
	CmdRecord    = "记实"
	CmdProgress  = "进度"
	CmdPublicity = "公示"
	CmdSync      = "同步通讯录"
	CmdOpen      = "开启考核"
	CmdClose     = "结束考核"
	CmdCommittee = "审定"
	CmdDelegate  = "委托"
	CmdFiled     = "备案"
	CmdTables    = "备案表"
	CmdReviews   = "复核"
	CmdPeople    = "人员"
	CmdTargets   = "目标"
	CmdBatch     = "审核"
	CmdOutside   = "外部测评"
	CmdAllowance = "津贴"
)

// Help is the help card; HR adds the HR commands.
type Help struct {
	HR bool
	// Unknown is the text that was not understood, shown when set.
	Unknown string
}

// HelpCard renders the list of commands, one line each.
func HelpCard(h Help) []byte {
	lines := []string{
		"**" + CmdHelp + "**：显示本说明",
		"**" + CmdTodo + "**：列出需要我办理的事项（填写、测评、审核）",
		"**" + CmdMine + "**：查看我的考核结果，申请复核",
		"**" + CmdRecord + "**：填写本周的周记实",
		"**" + CmdTargets + "**：填报本年度工作目标（年初分解），查看审核、审定和完成情况；「" + CmdTargets + " 2027」查看其他年度",
		"**" + CmdBatch + "**（领导）：按单位批量查看待审核人员和季度小结，逐人打开评分",
		"**" + CmdDelegate + "**（领导）：查看委托；「" + CmdDelegate + " @代办人 开始日期 结束日期 事由」外出期间委托他人审核",
		"**" + CmdCommittee + "**（考核委员会）：打开待审定的名额和并列人员",
	}
	if h.HR {
		lines = append(lines,
			"**"+CmdProgress+"**（政工科）：查看本期考核的完成进度",
			"**"+CmdPublicity+"**（政工科）：将审定后的考核结果公示到群聊",
			"**"+CmdSync+"**（政工科）：预览飞书通讯录与本系统人员的差异；发送「"+CmdSync+" 确认」后导入",
			"**"+CmdOpen+"**（政工科）：查看各考核方案的下一个考核期；「"+CmdOpen+" 2027-Q1」立即开启（其他方案的期写作「2027-Q1@s5」）",
			"**"+CmdClose+"**（政工科）：全部审核完成后结束本期考核，提交考核委员会审定",
			"**"+CmdReviews+"**（政工科、委员会）：查看和办理复核申请",
			"**"+CmdFiled+"**（政工科）：记录本期结果已报送备案",
			"**"+CmdTables+"**（政工科）：「"+CmdTables+" 2026-Q3」以文件发送本期备案表格（.xlsx）；「"+CmdTables+" 2026」发送年度汇总表；可在期后写表名，如「"+CmdTables+" 2026-Q3 公示」",
			"**年度**（政工科）：「年度 2026」查看各考核方案的年度：各期状态、发起年度测评、录入年度评分，生成年度考核结果并逐人通知；「年度 2026@s5」只看一个方案",
			"**"+CmdPeople+"**（政工科）：「"+CmdPeople+" @某人」设置试用期、立案调查、处分、免于考核，登记请假，指定其参加民主测评（不被测评）的考核单元",
			"**"+CmdOutside+"**（政工科）：录入不在飞书中的评议人（村组干部、服务对象代表）的民主测评汇总；「"+CmdOutside+" 2026-Q3 办公室」按科室录入",
			"**"+CmdAllowance+"**（政工科）：「"+CmdAllowance+" 2026-Q3」按每月登记的考勤和考核结果计算本期津贴扣减（考核方案有津贴规则时，如S2），显示表格并以文件发送")
	}
	var els []elem
	if h.Unknown != "" {
		els = append(els, note("没有看懂「"+clip(strings.Join(strings.Fields(h.Unknown), " "), 30)+"」，可以发送以下指令："))
	}
	els = append(els, md(strings.Join(lines, "\n")),
		note("提醒和待办卡片上的按钮可以直接打开表单；卡片提交后会变为只读，不会重复提交。"))
	return build("平时考核助手", "发送以下文字即可使用", Blue, "平时考核助手：使用说明", els)
}

// MaxTodoItems is the most to-do items one card lists.
const MaxTodoItems = 20

// TodoItem is one thing the user has to do.
type TodoItem struct {
	// Title says what ("周记实 2026年第40周", "初评：张三").
	Title string
	// Due is the deadline (YYYY-MM-DD), Overdue whether it has passed.
	Due     string
	Overdue bool
	// Button opens the form; omitted when Button.Text is "".
	Button Button
}

// Todo is the 待办 list.
type Todo struct {
	Items []TodoItem
}

// TodoCard renders the to-do list, each item with a button that opens its
// form, and a refresh button.
func TodoCard(t Todo) []byte {
	var els []elem
	if len(t.Items) == 0 {
		els = append(els, md("暂无待办事项。"))
	}
	shown := t.Items[:min(len(t.Items), MaxTodoItems)]
	for i, it := range shown {
		line := escLine(clip(it.Title, 60))
		if it.Due != "" {
			if it.Overdue {
				line += "\n<font color='red'>已逾期（截止" + escLine(it.Due) + "）</font>"
			} else {
				line += "\n<font color='grey'>截止" + escLine(it.Due) + "</font>"
			}
		}
		left := []elem{md(line)}
		if it.Button.Text == "" {
			els = append(els, md(line))
			continue
		}
		typ := "default"
		if it.Overdue || it.Button.Primary {
			typ = "primary"
		}
		c := columns(left, []elem{button(fmt.Sprintf("todo_%d", i+1), it.Button.Text, typ, it.Button.Value)})
		c["columns"].([]elem)[1]["width"] = "auto"
		delete(c["columns"].([]elem)[1], "weight")
		els = append(els, c)
	}
	if len(t.Items) > len(shown) {
		els = append(els, note(fmt.Sprintf("另有%d项未显示，请先处理以上事项。", len(t.Items)-len(shown))))
	}
	els = append(els, button("refresh", "刷新", "default", Value{K: KindTodo}))
	overdue := 0
	for _, it := range t.Items {
		if it.Overdue {
			overdue++
		}
	}
	colour := Blue
	sub := fmt.Sprintf("共%d项", len(t.Items))
	if overdue > 0 {
		colour = Orange
		sub += fmt.Sprintf("，其中%d项已逾期", overdue)
	}
	return build("我的待办", sub, colour, "我的待办："+sub, els)
}
