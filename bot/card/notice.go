package card

import (
	"errors"
	"fmt"
	"github.com/kaohe/kaohe/workflow"
	"regexp"
	"strconv"
	"strings"
)

// Notice is a read-only message with optional buttons: every notification
// template renders as one (FromTemplate).
type Notice struct {
	Title    string
	Subtitle string
	Colour   Colour
	// Summary is the chat-list preview; Title when empty.
	Summary string
	// Lines are shown one per line, as plain text.
	Lines []string
	// Note is a grey footnote, plain text.
	Note    string
	Buttons []Button
}

// Button is a callback button of a Notice, To-do or similar card.
type Button struct {
	Text string
	// Primary makes it the blue button.
	Primary bool
	Value   Value
}

// maxNoticeLines and maxButtons bound a notice.
const (
	maxNoticeLines = 30
	maxButtons     = 4
)

// NoticeCard renders a Notice.
func NoticeCard(n Notice) []byte {
	var els []elem
	lines := n.Lines
	if len(lines) > maxNoticeLines {
		lines = lines[:maxNoticeLines]
	}
	if len(lines) > 0 {
		out := make([]string, len(lines))
		for i, l := range lines {
			out[i] = esc(clip(l, maxLineRunes))
		}
		els = append(els, md(strings.Join(out, "\n")))
	}
	if n.Note != "" {
		els = append(els, note(n.Note))
	}
	if bs := buttonRow(n.Buttons); bs != nil {
		els = append(els, bs)
	}
	summary := n.Summary
	if summary == "" {
		summary = n.Title
	}
	return build(n.Title, n.Subtitle, n.Colour, summary, els)
}

// note is small grey plain text.
func note(s string) elem {
	return elem{"tag": "markdown", "text_size": "notation", "content": "<font color='grey'>" + esc(clip(s, maxLineRunes)) + "</font>"}
}

// buttonRow lays buttons side by side; nil when there are none.
func buttonRow(bs []Button) elem {
	if len(bs) == 0 {
		return nil
	}
	if len(bs) > maxButtons {
		bs = bs[:maxButtons]
	}
	cols := make([][]elem, len(bs))
	for i, b := range bs {
		typ := "default"
		if b.Primary {
			typ = "primary"
		}
		cols[i] = []elem{button(fmt.Sprintf("btn_%d", i+1), b.Text, typ, b.Value)}
	}
	c := columns(cols...)
	c["flex_mode"] = "flow"
	for _, col := range c["columns"].([]elem) {
		col["width"] = "auto"
		delete(col, "weight")
	}
	return c
}

// ErrUnknownTemplate is returned by FromTemplate for a template it does not
// know.
var ErrUnknownTemplate = errors.New("unknown notification template")

// Templates lists every template FromTemplate knows, in a stable order.
var Templates = []string{
	workflow.TplRemind, workflow.TplEscalate, workflow.TplStepAssigned, workflow.TplStepMoved, workflow.TplStepReturned, workflow.TplEntryReturned, workflow.TplEntryCommented,
	workflow.TplChainDone, workflow.TplAppraisalReady, workflow.TplCommitteeTie, workflow.TplCommitteeConfirm, workflow.TplPublicity, workflow.TplResult,
	workflow.TplSecondedResult, workflow.TplFeedbackDue, workflow.TplFeedback, workflow.TplTalkDue, workflow.TplHalfYearTalk, workflow.TplBottomAlert, workflow.TplReviewRequested,
	workflow.TplReviewForwarded, workflow.TplReviewDecided, workflow.TplReviewDisplaced, workflow.TplDelegation, workflow.TplDelegationEnded, workflow.TplTargetsProposed, workflow.TplTargetsReviewed, workflow.TplTargetsDecided, workflow.TplTargetReturned, workflow.TplFilingDue, workflow.TplPeriodOpened,
	workflow.TplHolidaysUnknown, workflow.TplGradeFilled, workflow.TplYearCommittee, workflow.TplYearConfirmed, workflow.TplYearRating,
	workflow.TplAppraisalClosed, workflow.TplAppraisalOverdue, workflow.TplAppraisalStuck, workflow.TplPublicityEnded, workflow.TplReviewWindowEnded,
	workflow.TplPeriodClosed, workflow.TplReviewOutcome, workflow.TplCommitteeReturned,
}

// itemNames are the reminder plans ("item" of remind and escalate).
var itemNames = map[string]string{
	"daily": "工作日志", "weekly": "周记实", "monthly": "月小结", "summary": "季度小结（登记表）", "vote": "民主测评",
	"step": "考核评分审核", "feedback": "考核结果反馈谈话", "filing": "考核结果备案",
	"year_rate": "年度测评",
}

// entryNames are the entry kinds.
var entryNames = map[string]string{
	"weekly": "周记实", "daily": "工作日志", "monthly": "月小结", "quarterly": "季度小结（登记表）",
	"attendance": "考勤记录",
}

// stateNames are the scoring states of a person without a grade.
var stateNames = map[string]string{
	"comment_only": "试用期，只写评语，不确定等次",
	"not_graded":   "不确定等次",
	"withheld":     "暂不确定等次，结案后补定",
	"pending":      "待考核委员会审定",
}

// FromTemplate writes the Chinese notice for a workflow notification
// template and its Data (see workflow/notify.go for the keys). Missing keys
// show as "—". An unknown template is ErrUnknownTemplate.
func FromTemplate(template string, data map[string]string) (Notice, error) {
	g := func(k string) string { return orDash(strings.TrimSpace(data[k])) }
	has := func(k string) bool { return strings.TrimSpace(data[k]) != "" }
	period := PeriodLabel(data["period"])
	var n Notice
	switch template {
	case workflow.TplRemind:
		item := itemName(data["item"])
		if has("record") {
			item = data["record"] // the scheme's own name (月记实, 个人工作日志)
		}
		n.Title, n.Colour = item+"提醒", Blue
		switch data["stage"] {
		case "before":
			n.Title = item + "将于" + g("due") + "截止"
		case "due":
			n.Title, n.Colour = item+"今天截止", Orange
		case "overdue":
			n.Title, n.Colour = item+"已逾期，请尽快完成", Red
		case "urgent":
			// The last nudge before the deadline, sent as 加急 (an urgent
			// stage comes on or before the due date: workflow.checkPlan).
			n.Title, n.Colour = "加急："+item+"将于"+g("due")+"截止，请尽快完成", Red
		case "chase":
			n.Title, n.Colour = "政工科催办："+item+"已逾期", Red
			if data["item"] == "year_rate" {
				// Chased while open: it is never overdue (ratings after
				// the deadline are refused).
				n.Title = "政工科催办：请于" + g("due") + "前完成" + item
			}
		}
		n.Subtitle = period
		what := item
		if e := data["entry"]; e != "" && (data["item"] == "weekly" || data["item"] == "monthly") {
			what += "（" + PeriodLabel(e) + "）"
		}
		if e := data["entry"]; e != "" && data["item"] == "daily" {
			what += "（" + e + "）"
			if data["stage"] == "due" {
				// Due on the day itself: "今天截止" would say the
				// record cannot be written tomorrow, which it can.
				n.Title, n.Colour = "请填写今天的"+item, Blue
			}
		}
		n.Lines = []string{"事项：" + what, "截止日期：" + g("due")}
		if data["item"] == "step" && has("person") {
			n.Lines = append(n.Lines, "被考核人："+g("person"))
		}
		if b, ok := remindButton(data); ok {
			n.Buttons = []Button{b}
		}
	case workflow.TplEscalate:
		item := itemName(data["item"])
		if has("record") {
			item = data["record"]
		}
		n.Title, n.Colour = item+"催办："+g("count")+"人未完成", Orange
		if data["stage"] == "hr" {
			n.Colour = Red
		}
		n.Subtitle = period
		n.Lines = []string{"以下人员尚未完成" + item + "（截止日期 " + g("due") + "）：", g("names")}
		n.Note = "请督促相关人员及时完成。"
		if data["item"] == "step" && data["stage"] == "hr" && has("step") {
			n.Note = "办理人无法及时处理的，可以转给其他领导办理。"
			n.Buttons = []Button{{Text: "转办", Primary: true, Value: Open(FormReassign, data["step"])}}
		}
	case workflow.TplStepAssigned:
		n.Title, n.Colour = "待您"+g("name")+"："+g("person"), Blue
		n.Subtitle = PeriodLabel(stepPeriod(data["step"]))
		n.Lines = []string{g("person") + "的平时考核已流转到您（" + g("name") + "），请审阅评分后通过或退回。"}
		if has("summary_late") {
			n.Lines = append(n.Lines, "注意："+g("person")+"的季度小结逾期提交（截止日期 "+g("summary_late")+"）。")
		}
		if has("due") {
			n.Lines = append(n.Lines, "请于"+g("due")+"前完成。")
		}
		n.Buttons = []Button{{Text: "去审核", Primary: true, Value: Open(FormStep, data["step"])}}
	case workflow.TplStepMoved:
		n.Subtitle = PeriodLabel(stepPeriod(data["step"]))
		was := "原办理人"
		if has("from") {
			was = g("from")
		}
		if has("to") {
			n.Title, n.Colour = g("person")+"的考核改由"+g("to")+"办理", Wathet
			n.Lines = []string{g("person") + "的平时考核（" + g("name") + "）已由" + was + "改由" + g("to") + "办理。", "原因：" + g("reason")}
			break
		}
		n.Title, n.Colour = g("person")+"的考核暂无人办理", Orange
		n.Lines = []string{g("person") + "的平时考核（" + g("name") + "）原由" + was + "办理，现已没有可以办理的领导。", "原因：" + g("reason")}
		n.Note = "需由政工科转给其他领导办理。"
		if data["hr"] == "1" && has("step") {
			n.Buttons = []Button{{Text: "转办", Primary: true, Value: Open(FormReassign, data["step"])}}
		}
	case workflow.TplStepReturned:
		n.Title, n.Colour = "考核被退回："+g("person"), Orange
		n.Subtitle = PeriodLabel(stepPeriod(data["step"]))
		n.Lines = []string{"上一级领导退回了" + g("person") + "的考核，请修改后重新提交。", "退回原因：" + g("reason")}
		if has("by") {
			n.Title = "考核被退回重评：" + g("person")
			n.Lines = []string{g("by") + "认为评分区分度不足，退回了" + g("person") + "的考核，请重新评分后提交。", "退回原因：" + g("reason")}
		}
		n.Buttons = []Button{{Text: "去处理", Primary: true, Value: Open(FormStep, data["step"])}}
	case workflow.TplEntryReturned:
		kind := entryName(data["kind"])
		n.Title, n.Colour = "您的"+kind+"被退回", Orange
		n.Subtitle = PeriodLabel(data["period"])
		n.Lines = []string{"退回原因：" + g("reason"), "请修改后重新提交。"}
		if f, ok := entryForm(data["kind"]); ok && has("period") {
			n.Buttons = []Button{{Text: "重新填写", Primary: true, Value: Open(f, data["period"])}}
		}
	case workflow.TplEntryCommented:
		kind := entryName(data["kind"])
		n.Title, n.Colour = "负责人点评了您的"+kind, Green
		n.Subtitle = PeriodLabel(data["period"])
		n.Lines = []string{"点评：" + g("comment")}
	case workflow.TplChainDone:
		n.Title, n.Colour = g("person")+"的考核审核已完成", Green
		n.Subtitle = period
		n.Lines = []string{g("person") + "的" + period + "平时考核已完成全部审核环节。"}
	case workflow.TplAppraisalReady:
		n.Title, n.Colour = "全部考核审核已完成", Green
		n.Subtitle = period
		n.Lines = []string{period + "平时考核的全部审核环节已完成，可以提交考核委员会审定。"}
		n.Note = "考核期结束且民主测评截止后，系统将自动结束考核并提交审定；也可以现在结束。"
		n.Buttons = []Button{{Text: "结束考核并提交审定", Primary: true, Value: Value{K: KindClosePeriod, ID: data["period"]}}}
	case workflow.TplAppraisalClosed:
		n.Title, n.Colour = period+"考核已自动结束", Green
		n.Lines = []string{"全部审核环节已完成、民主测评已截止，系统已计算得分、等次和名额，提交考核委员会审定。",
			"参加考核：" + g("count") + "人"}
		if has("ties") && data["ties"] != "0" {
			n.Lines = append(n.Lines, "名额线并列："+g("ties")+"人，待考核委员会审定")
		}
		n.Note = "考核委员会确认等次后，发送「公示」发布考核结果。"
	case workflow.TplAppraisalOverdue:
		n.Title, n.Colour = "考核审核未完成："+g("count")+"人", Orange
		n.Subtitle = period
		n.Lines = []string{"审核截止日期（" + g("due") + "）已过，以下人员的考核尚未完成，考核暂不能结束："}
		if has("lines") {
			n.Lines = append(n.Lines, strings.Split(data["lines"], "\n")...)
		}
		n.Note = "全部完成后系统自动结束考核。审核人无法办理的可转办；确实无法参加考核的人员，可在「人员」中设为免考核并写明理由。"
		n.Buttons = []Button{{Text: "一键催办", Primary: true, Value: Value{K: KindChase}},
			{Text: "查看进度", Value: Value{K: KindProgress, ID: data["period"]}}}
	case workflow.TplAppraisalStuck:
		n.Title, n.Colour = period+"考核未能自动结束", Red
		n.Lines = []string{"原因：" + g("reason"), "请更正后点击下方按钮结束考核，或发送「结束考核」。"}
		n.Buttons = []Button{{Text: "结束考核并提交审定", Primary: true, Value: Value{K: KindClosePeriod, ID: data["period"]}}}
	case workflow.TplPublicityEnded:
		n.Title, n.Colour = period+"考核结果公示期已结束", Blue
		n.Lines = []string{"公示期至" + g("until") + "，已结束。", "复核申请期至" + g("review_until") + "，目前收到复核申请" + g("reviews") + "件。"}
		n.Note = "复核申请期满且复核全部办结后，考核结果即确定，可以报送备案。"
	case workflow.TplReviewWindowEnded:
		n.Title, n.Colour = "复核申请期已结束："+g("count")+"件待办结", Orange
		n.Subtitle = period
		n.Lines = []string{period + "考核结果复核申请期已于" + g("review_until") + "结束，以下复核尚未办结：", g("names")}
		n.Note = "全部办结后考核结果即确定，可以报送备案。发送「复核」查看。"
	case workflow.TplPeriodClosed:
		n.Title, n.Colour = period+"考核结果已确定", Green
		n.Lines = []string{"公示期（至" + g("until") + "）和复核申请期（至" + g("review_until") + "）均已结束，复核申请" + g("reviews") + "件均已办结。",
			"请于" + g("filing_due") + "前报送组织（人事）部门备案。"}
		n.Note = "报送后请点击「已报送备案」，或发送「备案 " + data["period"] + "」。"
		n.Buttons = []Button{{Text: "已报送备案", Primary: true, Value: Value{K: KindFiled, ID: data["period"]}}}
		if has("with") {
			// Filed by half-year (S8): this quarter goes with the half's
			// second, whose reminder and 已报送备案 cover both.
			n.Lines[1] = "本方案每半年备案一次：本季度考核结果与" + PeriodLabel(data["with"]) + "一并于" + g("filing_due") + "前报送组织（人事）部门备案。"
			n.Note = PeriodLabel(data["with"]) + "考核结果确定后会提醒您；报送后发送「备案 " + data["with"] + "」，两个季度一并记录。"
			n.Buttons = nil
		}
	case workflow.TplCommitteeReturned:
		n.Title, n.Colour = period+"考核已退回重评", Orange
		n.Lines = []string{"考核委员会认为" + g("group") + "的评分区分度不足，已将其评定的" + g("count") + "人退回重评，考核重新开放。",
			"理由：" + g("reason")}
		n.Note = "重评和审核全部完成后，系统自动结束考核并重新提交考核委员会审定。"
	case workflow.TplReviewOutcome:
		n.Title, n.Colour = "复核已审议："+g("person"), Blue
		n.Subtitle = PeriodLabel(stepPeriod(data["review"]))
		switch data["outcome"] {
		case "changed":
			n.Lines = []string{"考核委员会决定：等次由「" + g("was") + "」调整为「" + g("grade") + "」"}
		default:
			n.Lines = []string{"考核委员会决定：维持「" + g("grade") + "」等次"}
		}
		n.Lines = append(n.Lines, "理由："+g("reason"))
		if has("displaced") {
			n.Lines = append(n.Lines, g("displaced")+"让出「"+g("grade")+"」名额，等次降一档（已通知本人）。")
		}
		if data["open"] == "0" {
			n.Lines = append(n.Lines, "本期复核已全部办结。")
		} else {
			n.Lines = append(n.Lines, "本期尚有"+g("open")+"件复核未办结。")
		}
	case workflow.TplCommitteeTie:
		n.Title, n.Colour = "请审定名额线并列人员", Orange
		n.Subtitle = period
		n.Lines = []string{"以下人员得分并列于名额线，需由考核委员会审定等次：", g("names")}
		if has("explain") {
			n.Lines = append(n.Lines, data["explain"])
		}
		n.Buttons = []Button{{Text: "去审定", Primary: true, Value: Open(FormCommittee, data["period"])}}
	case workflow.TplCommitteeConfirm:
		n.Title, n.Colour = "请确认考核等次", Blue
		n.Subtitle = period
		n.Lines = []string{period + "平时考核已完成评分和名额核定，请考核委员会确认等次。"}
		n.Buttons = []Button{{Text: "去确认", Primary: true, Value: Open(FormCommittee, data["period"])}}
	case workflow.TplPublicity:
		n.Title, n.Colour = period+Appraisal(data["period"])+"结果公示", Red
		n.Lines = []string{"「" + g("grade") + "」等次（" + g("count") + "人）：" + g("names"),
			"公示期至" + g("until") + "。如有异议，请于" + g("review_until") + "前私聊本机器人发送「我的考核」申请复核。"}
	case workflow.TplResult:
		n.Title, n.Colour = period+Appraisal(data["period"])+"结果", Blue
		grade := data["grade"]
		if grade == "" {
			grade = stateName(data["state"])
		}
		n.Lines = []string{"等次：" + orDash(grade)}
		if has("score") {
			n.Lines = append(n.Lines, "得分："+g("score"))
		}
		if has("explain") {
			n.Lines = append(n.Lines, strings.Split(data["explain"], "\n")...)
		}
		n.Buttons = []Button{{Text: "查看详情", Primary: true, Value: Open(FormResult, data["period"])}}
	case workflow.TplGradeFilled:
		grade := data["grade"]
		if grade == "" {
			grade = stateName(data["state"])
		}
		if has("explain") { // to the person
			n.Title, n.Colour = period+"平时考核等次补定", Blue
			n.Lines = []string{"立案调查已结案，" + period + "平时考核等次补定为：" + orDash(grade)}
			if has("score") {
				n.Lines = append(n.Lines, "得分："+g("score"))
			}
			n.Lines = append(n.Lines, strings.Split(data["explain"], "\n")...)
			n.Buttons = []Button{{Text: "查看详情", Primary: true, Value: Open(FormResult, data["period"])}}
			break
		}
		n.Title, n.Colour = "等次补定："+g("person"), Blue
		n.Subtitle = period
		n.Lines = []string{g("person") + "的" + period + "平时考核等次已补定为：" + orDash(grade), "如需备案，请在备案材料中一并更新。"}
	case workflow.TplSecondedResult:
		grade := data["grade"]
		if grade == "" {
			grade = stateName(data["state"])
		}
		n.Title, n.Colour = "挂职（借调）人员考核结果："+g("person"), Blue
		n.Subtitle = period
		n.Lines = []string{g("person") + "在接收单位的" + period + "平时考核结果：" + orDash(grade)}
	case workflow.TplFeedbackDue:
		n.Title, n.Colour = "请开展考核结果反馈谈话", Blue
		n.Subtitle = period
		n.Lines = []string{"请于" + g("due") + "前与以下" + g("count") + "人反馈考核结果：", g("names")}
		n.Note = "反馈应肯定成绩、指出不足、提出改进要求。"
		n.Buttons = []Button{{Text: "去反馈", Primary: true, Value: Open(FormFeedback, data["period"])}}
	case workflow.TplTalkDue:
		n.Title, n.Colour = "请进行"+g("kind")+"："+g("person"), Orange
		n.Lines = []string{g("person") + period + "平时考核等次为「" + g("grade") + "」，请及时进行" + g("kind") + "，并记录谈话情况。"}
		n.Buttons = []Button{{Text: "记录" + g("kind"), Primary: true, Value: Open(FormTalk, data["period"]+"/"+data["person_id"])}}
	case workflow.TplFeedback:
		n.Title, n.Colour = period+"考核结果反馈", Blue
		for _, part := range []struct{ label, key string }{{"成绩", "strengths"}, {"不足", "problems"}, {"改进要求", "requests"}} {
			if has(part.key) {
				n.Lines = append(n.Lines, part.label+"："+g(part.key))
			}
		}
	case workflow.TplHalfYearTalk:
		n.Title, n.Colour = "请开展谈心谈话", Orange
		n.Subtitle = period
		n.Lines = []string{"根据" + period + "考核结果，请与以下排名靠后的人员谈心谈话：", g("names")}
		// One 记录谈话 button per person (a notice queued before the ids
		// were sent has none); past four, each talk card offers the rest.
		ids, names := strings.Split(data["person_ids"], ","), strings.Split(data["names"], "、")
		if has("person_ids") && len(ids) == len(names) {
			for i := range ids[:min(len(ids), maxButtons)] {
				n.Buttons = append(n.Buttons, Button{Text: "记录谈话：" + clip(names[i], 20), Primary: i == 0,
					Value: Open(FormTalk, TalkIDFor(data["period"], ids[i], workflow.TalkHalfYear))})
			}
			if len(ids) > maxButtons {
				n.Note = fmt.Sprintf("共%d人，其余人员可在谈话记录卡片中继续记录。", len(ids))
			}
		}
	case workflow.TplBottomAlert:
		ps := strings.Split(data["periods"], "、")
		for i, p := range ps {
			ps[i] = PeriodLabel(p)
		}
		n.Title, n.Colour = "连续"+g("grade")+"等次提醒："+g("person"), Red
		n.Lines = []string{g("person") + "在" + orDash(strings.Join(ps, "、")) + "的平时考核均为「" + g("grade") + "」等次。",
			"请按规定对其进行诫勉谈话，并记录谈话情况。"}
		if has("person_id") && has("period") {
			n.Buttons = []Button{{Text: "记录诫勉谈话", Primary: true, Value: Open(FormTalk, TalkIDFor(data["period"], data["person_id"], workflow.TalkBottom))}}
		}
	case workflow.TplReviewRequested:
		n.Title, n.Colour = g("person")+"申请复核", Orange
		n.Subtitle = PeriodLabel(stepPeriod(data["review"]))
		n.Lines = []string{"申请理由：" + g("reason")}
		n.Buttons = []Button{{Text: "去处理", Primary: true, Value: Open(FormReview, data["review"])}}
	case workflow.TplReviewForwarded:
		n.Title, n.Colour = "请审议复核申请："+g("person"), Orange
		n.Subtitle = PeriodLabel(stepPeriod(data["review"]))
		n.Lines = []string{"政工科意见：" + g("opinion")}
		n.Buttons = []Button{{Text: "去审议", Primary: true, Value: Open(FormReview, data["review"])}}
	case workflow.TplReviewDecided:
		n.Subtitle = PeriodLabel(stepPeriod(data["review"]))
		switch data["outcome"] {
		case "rejected":
			n.Title, n.Colour = "复核申请未予受理", Grey
		case "upheld":
			n.Title, n.Colour = "复核结果：维持「"+g("grade")+"」等次", Blue
		case "changed":
			n.Title, n.Colour = "复核结果：等次调整为「"+g("grade")+"」", Green
		default:
			n.Title, n.Colour = "复核结果", Blue
		}
		n.Lines = []string{"理由：" + g("reason")}
	case workflow.TplReviewDisplaced:
		n.Title, n.Colour = period+"考核等次调整", Orange
		n.Lines = []string{"因他人复核后「" + g("was") + "」等次名额已满，经考核委员会决定，您的等次调整为「" + g("grade") + "」。",
			"如有异议，请与政工科联系。"}
	case workflow.TplDelegation:
		n.Title, n.Colour = "考核审核委托", Wathet
		n.Lines = []string{g("from") + "委托" + g("to") + "代为办理考核审核事项。",
			"委托期间：" + g("start") + " 至 " + g("end"), "事由：" + g("reason")}
	case workflow.TplDelegationEnded:
		n.Title, n.Colour = "考核审核委托已结束", Grey
		after := "结束后的审核事项由" + g("from") + "本人办理。"
		if has("left") && data["left"] == data["from"] {
			after = g("from") + "已离开本单位，其审核事项改由接任的领导办理。"
		}
		n.Lines = []string{g("from") + "对" + g("to") + "的委托已于" + g("end") + "结束（由" + g("by") + "提前结束）。",
			after, "事由：" + g("reason")}
	case workflow.TplPeriodOpened:
		n.Title, n.Colour = period+"考核已开启", Green
		n.Lines = []string{period + "平时考核已按计划自动开启。", "季度小结截止：" + g("summary_due"), "备案截止：" + g("filing_due"),
			"下一个考核期：" + PeriodLabel(data["next"])}
		n.Note = "系统将按计划提醒大家填写；发送「进度」查看完成情况。"
	case workflow.TplTargetsProposed:
		n.Title, n.Colour = "请审核年度目标："+g("person"), Blue
		n.Lines = []string{g("person") + "提交了" + g("count") + "项年度工作目标（年初分解），请审核。"}
		if data["revised"] == "1" {
			n.Lines = []string{g("person") + "按退回意见修改了1项年度工作目标，请重新审核。"}
		}
		if y, err := strconv.Atoi(data["year"]); err == nil && has("person_id") {
			n.Subtitle = data["year"] + "年"
			n.Buttons = []Button{{Text: "去审核", Primary: true, Value: Open(FormTargets, TargetsID(y, data["person_id"]))}}
		}
	case workflow.TplTargetsReviewed:
		n.Title, n.Colour = "请审定年度目标："+g("person"), Blue
		n.Lines = []string{g("person") + "的" + g("count") + "项年度工作目标已经科室负责人审核，请审定。"}
		if y, err := strconv.Atoi(data["year"]); err == nil && has("person_id") {
			n.Subtitle = data["year"] + "年"
			n.Buttons = []Button{{Text: "去审定", Primary: true, Value: Open(FormTargets, TargetsID(y, data["person_id"]))}}
		}
	case workflow.TplTargetsDecided:
		n.Subtitle = g("year") + "年"
		if data["level"] == workflow.TargetLevelApprove {
			n.Title, n.Colour = "年度目标已审定", Green
			n.Lines = []string{"您的" + g("count") + "项" + g("year") + "年度工作目标已审定，周记实可逐项对应并记录完成情况。"}
		} else {
			n.Title, n.Colour = "年度目标已通过审核", Wathet
			n.Lines = []string{"您的" + g("count") + "项" + g("year") + "年度工作目标已通过科室负责人审核，等待分管领导审定。"}
		}
		n.Note = "发送「" + CmdTargets + " " + data["year"] + "」查看。"
	case workflow.TplTargetReturned:
		n.Title, n.Colour = "年度目标被退回："+g("title"), Red
		n.Subtitle = g("year") + "年 · " + levelName(data["level"])
		n.Lines = []string{g("by") + "在" + levelName(data["level"]) + "时退回了您的年度目标「" + g("title") + "」。", "原因：" + g("reason")}
		n.Note = "请按意见修改后重新提交，由科室负责人重新审核。"
		if has("target") {
			n.Buttons = []Button{{Text: "去修改", Primary: true, Value: Open(FormTargetRevise, data["target"])}}
		}
	case workflow.TplFilingDue:
		n.Title, n.Colour = "请按时报送考核结果备案", Orange
		n.Subtitle = period
		n.Lines = []string{period + "平时考核结果请于" + g("due") + "前报送组织（人事）部门备案。"}
		n.Note = "报送后请点击「已报送备案」，或发送「备案 " + data["period"] + "」；备案表格（.xlsx）：点击「发送备案表」或发送「备案表 " + data["period"] + "」。"
		n.Buttons = []Button{{Text: "已报送备案", Primary: true, Value: Value{K: KindFiled, ID: data["period"]}},
			{Text: "发送备案表", Value: Value{K: KindFilingTables, ID: data["period"]}}}
		if has("with") {
			// Filed by half-year (S8 四(三)6): the card names both quarters,
			// and its buttons cover both (MarkFiled, the 备案表 of both).
			n.Subtitle = PeriodLabel(data["with"]) + "、" + period
			n.Lines = []string{"本方案每半年备案一次：" + PeriodLabel(data["with"]) + "、" + period + "平时考核结果请于" + g("due") + "前一并报送组织（人事）部门备案。"}
			n.Note = "报送后请点击「已报送备案」（两个季度一并记录），或发送「备案 " + data["period"] + "」；两个季度的备案表格（.xlsx）：点击「发送备案表」或发送「备案表 " + data["period"] + "」。"
		}
	case workflow.TplHolidaysUnknown:
		// HR is not the operator: the card says which configuration keys to
		// give the one who runs kaohe serve, in the form they take.
		y := g("year")
		n.Title, n.Colour = "请录入"+y+"年节假日安排", Orange
		n.Subtitle = y + "年"
		n.Lines = []string{
			"系统内置的法定节假日数据还没有" + y + "年的安排。录入之前，" + y + "年只按周末计算工作日：截止日期和提醒可能落在节假日，调休上班日也不算工作日。",
			"国务院办公厅公布" + y + "年部分节假日安排后，请系统管理员按通知在 kaohe serve 的配置文件中录入，并重启服务：",
			"calendar.holidays：放假日期，如 " + y + "-01-01: 元旦；连续放假写成 " + y + "-02-05.." + y + "-02-11: 春节",
			"calendar.workdays：调休上班日期，如 " + y + "-02-01: 春节调休",
		}
		n.Note = "录入任一放假日期后不再提醒；换用内置" + y + "年数据的 kaohe 版本也可以。配置说明见 docs/operations.md。"
	case workflow.TplYearCommittee:
		// A scheme's year names its scheme ("2026年度（S5）", PeriodLabel).
		y := PeriodLabel(g("year"))
		n.Title, n.Colour = "请审定"+y+"考核等次", Blue
		n.Lines = []string{y + "考核等次已按方案的年度规则由各期平时考核结果拟定（共" + g("count") + "人），请考核委员会逐人确认或调整。"}
		n.Buttons = []Button{{Text: "去审定", Primary: true, Value: Open(FormYear, data["year"])}}
	case workflow.TplYearRating:
		n.Title, n.Colour = "请参加"+g("year")+"年度测评", Indigo
		n.Lines = []string{g("year") + "年度考核测评已开始，请按卡片对相关人员评分（匿名）。", "截止日期：" + g("due")}
		n.Buttons = []Button{{Text: "立即测评", Primary: true, Value: Open(FormYearRate, data["year"])}}
	case workflow.TplYearConfirmed:
		y := PeriodLabel(g("year"))
		n.Title, n.Colour = y+"考核等次已确认", Green
		n.Lines = []string{"考核委员会已确认" + y + "考核等次（调整" + g("changed") + "人）。", "请发送「公示」发布年度考核结果公示；公示后各人收到本人结果，可申请复核。"}
	default:
		return Notice{}, fmt.Errorf("template %q: %w", template, ErrUnknownTemplate)
	}
	return n, nil
}

// remindButton is the button of a reminder: it opens the form to fill.
func remindButton(data map[string]string) (Button, bool) {
	entry, period := data["entry"], data["period"]
	switch data["item"] {
	case "daily", "weekly", "monthly":
		if entry == "" {
			return Button{}, false
		}
		return Button{Text: "立即填写", Primary: true, Value: Open(data["item"], entry)}, true
	case "summary":
		return Button{Text: "立即填写", Primary: true, Value: Open(FormQuarterly, period)}, period != ""
	case "vote":
		return Button{Text: "立即测评", Primary: true, Value: Open(FormVote, period)}, period != ""
	case "year_rate":
		return Button{Text: "立即测评", Primary: true, Value: Open(FormYearRate, period)}, period != ""
	case "step":
		id := data["step"]
		if id == "" {
			id = entry
		}
		return Button{Text: "去审核", Primary: true, Value: Open(FormStep, id)}, id != ""
	}
	return Button{}, false
}

func entryForm(kind string) (string, bool) {
	switch kind {
	case "daily", "weekly", "monthly", "quarterly":
		return kind, true
	}
	return "", false
}

func itemName(item string) string {
	if s, ok := itemNames[item]; ok {
		return s
	}
	return "考核事项"
}

func entryName(kind string) string {
	if s, ok := entryNames[kind]; ok {
		return s
	}
	return "记录"
}

func stateName(state string) string { return stateNames[state] }

// stepPeriod is the period of a step or review id ("2026-Q3/ou_01/1").
func stepPeriod(id string) string {
	p, _, _ := strings.Cut(id, "/")
	return p
}

var (
	quarterRe = regexp.MustCompile(`^([0-9]{4})-Q([1-4])$`)
	monthRe   = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})$`)
	weekRe    = regexp.MustCompile(`^([0-9]{4})-W([0-9]{2})$`)
	halfRe    = regexp.MustCompile(`^([0-9]{4})-H([12])$`)
	yearRe    = regexp.MustCompile(`^[0-9]{4}$`)
)

// Appraisal names the appraisal of a period: 平时考核 for a quarter or a
// month, 考核 for a year ("2026年度" + "考核结果").
func Appraisal(period string) string {
	if cycle, _, _ := strings.Cut(period, "@"); yearRe.MatchString(cycle) {
		return "考核"
	}
	return "平时考核"
}

// PeriodLabel writes a period id in Chinese: "2026-Q3" → "2026年第三季度",
// "2026-09" → "2026年9月", "2026-W40" → "2026年第40周", "2026" → "2026年".
// Anything else is returned as is.
func PeriodLabel(id string) string {
	// A period of a scheme other than the organisation's default names
	// its scheme ("2026-Q3@s5": 2026年第三季度（S5）).
	if cycle, scheme, ok := strings.Cut(id, "@"); ok && scheme != "" {
		return PeriodLabel(cycle) + "（" + strings.ToUpper(scheme) + "）"
	}
	if m := quarterRe.FindStringSubmatch(id); m != nil {
		return m[1] + "年第" + []string{"一", "二", "三", "四"}[m[2][0]-'1'] + "季度"
	}
	if m := monthRe.FindStringSubmatch(id); m != nil {
		if mo, _ := strconv.Atoi(m[2]); mo >= 1 && mo <= 12 {
			return m[1] + "年" + strconv.Itoa(mo) + "月"
		}
	}
	if m := weekRe.FindStringSubmatch(id); m != nil {
		if w, _ := strconv.Atoi(m[2]); w >= 1 && w <= 53 {
			return m[1] + "年第" + strconv.Itoa(w) + "周"
		}
	}
	if m := halfRe.FindStringSubmatch(id); m != nil {
		return m[1] + "年" + map[string]string{"1": "上半年", "2": "下半年"}[m[2]]
	}
	if yearRe.MatchString(id) {
		return id + "年度"
	}
	return id
}
