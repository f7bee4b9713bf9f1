package card

import (
	"fmt"
	"strings"
)

// Fields of the 复核 form on the result card: the reason, and the
// materials where the scheme asks for them (Result.ReviewMaterials).
const (
	FieldReviewReason    = "review_reason"
	FieldReviewMaterials = "review_materials"
)

// maxPublicityNames bounds the names of one 公示 group.
const maxPublicityNames = 300

// PublicityGroup is the list of one grade in a 公示.
type PublicityGroup struct {
	Grade string
	Names []string
}

// Publicity is the 公示 notice for a group chat.
type Publicity struct {
	// Org is the organisation's name.
	Org    string
	Period string
	// Groups are the published grades; by default only the top grade.
	Groups []PublicityGroup
	// Until is the last day of the 公示; ReviewUntil the last day to ask
	// for 复核 (YYYY-MM-DD).
	Until       string
	ReviewUntil string
	// Contact is whom to ask ("政工科 王老师"): an office or a name, never a
	// phone number or an e-mail address, which Lark's data-loss prevention
	// refuses in plain text (230028, 发送消息).
	Contact string
}

// PublicityCard renders the 公示 notice.
func PublicityCard(p Publicity) []byte {
	period := PeriodLabel(p.Period)
	var els []elem
	intro := "经个人总结、领导审核和考核委员会审定，现将" + period + Appraisal(p.Period) + "结果予以公示。"
	if p.Org != "" {
		intro = escLine(p.Org) + intro
	}
	els = append(els, md(intro))
	for _, g := range p.Groups {
		ns := g.Names
		extra := ""
		if len(ns) > maxPublicityNames {
			extra = fmt.Sprintf(" 等%d人（完整名单见政工科通知）", len(ns))
			ns = ns[:maxPublicityNames]
		}
		esced := make([]string, len(ns))
		for i, n := range ns {
			esced[i] = escLine(n)
		}
		els = append(els, md(fmt.Sprintf("**「%s」等次（%d人）**\n%s%s", escLine(g.Grade), len(g.Names), strings.Join(esced, "、"), extra)))
	}
	els = append(els, hr())
	lines := []string{"**公示期：**即日起至" + escLine(p.Until)}
	lines = append(lines, "**复核：**对本人考核结果有异议的，请于"+escLine(p.ReviewUntil)+
		"前私聊本机器人发送「我的考核」，在结果卡片上点击「申请复核」并写明理由。")
	if p.Contact != "" {
		lines = append(lines, "**联系人：**"+escLine(p.Contact))
	}
	els = append(els, md(strings.Join(lines, "\n")))
	return build(period+Appraisal(p.Period)+"结果公示", orDash(p.Org), Red, period+Appraisal(p.Period)+"结果公示", els)
}

// Result is a person's own result card.
type Result struct {
	// Period is the period id; Version the result's version.
	Period  string
	Version int
	Name    string
	// Grade is the final grade; when "", State explains why there is none
	// ("试用期，只写评语，不确定等次").
	Grade   string
	State   string
	Score   string
	Explain []string
	// ReviewOpen shows the 复核 form until ReviewUntil.
	ReviewOpen  bool
	ReviewUntil string
	// ReviewMaterials names the materials a request must come with (S5
	// 六(四): 经主管领导确认的本人平时考核材料); the form then asks for them.
	ReviewMaterials string
	// ReviewState, when set, says how a filed 复核 stands ("已提交，等待政工科
	// 处理"); the form is then not shown.
	ReviewState string
	// Feedback is the leader's 反馈, shown when given.
	Feedback string
	// Targets are the annual targets due in the period, shown done, late
	// or overdue as of Today (YYYY-MM-DD).
	Targets []TargetLine
	Today   string
}

// ResultCard renders a person's result with the explanation and, while the
// window is open and nothing was filed, the 复核 form.
func ResultCard(r Result) []byte {
	period := PeriodLabel(r.Period)
	grade := r.Grade
	if grade == "" {
		grade = orDash(r.State)
	}
	lines := []string{"**等次：**" + escLine(grade)}
	if r.Score != "" {
		lines = append(lines, "**得分：**"+escLine(r.Score))
	}
	els := []elem{md(strings.Join(lines, "\n"))}
	if len(r.Explain) > 0 {
		ex := make([]string, 0, len(r.Explain))
		for _, e := range r.Explain[:min(len(r.Explain), 20)] {
			ex = append(ex, "- "+escLine(clip(e, 200)))
		}
		els = append(els, md("**计算说明**\n"+strings.Join(ex, "\n")))
	}
	if len(r.Targets) > 0 {
		els = append(els, targetsDue(r.Targets, r.Today))
	}
	if r.Feedback != "" {
		els = append(els, md("**领导反馈：**"+esc(clip(r.Feedback, 1000))))
	}
	switch {
	case r.ReviewState != "":
		els = append(els, hr(), md("**复核：**"+escLine(r.ReviewState)))
	case r.ReviewOpen:
		fe := []elem{
			md("如对结果有异议，可在" + escLine(r.ReviewUntil) + "前申请复核。"),
			textarea(FieldReviewReason, "复核理由", "请写明申请复核的事实和理由", "", MaxText, 3, true),
		}
		if r.ReviewMaterials != "" {
			fe = append(fe, md("申请复核须提供"+escLine(r.ReviewMaterials)+"："),
				textarea(FieldReviewMaterials, "复核材料", "列明所附材料及确认的主管领导", "", MaxText, 3, true))
		}
		fe = append(fe, formButton("submit", "申请复核", "danger", "submit", &Value{K: KindReview, ID: r.Period, V: r.Version}))
		els = append(els, hr(), form("review_form", fe))
	}
	colour := Blue
	if r.Grade == "" {
		colour = Grey
	}
	sub := period
	if r.Name != "" {
		sub = r.Name + " · " + period
	}
	return build(Appraisal(r.Period)+"结果："+grade, sub, colour, period+"考核结果："+grade, els)
}

// Review is a submitted 复核 request.
type Review struct {
	Reason string
	// Materials are the materials the request comes with, when the form
	// asked for them; whether they are required is the service's rule.
	Materials string
}

// ParseReview reads the 复核 form: the reason is required, the materials
// read when sent. Errors are *FieldError.
func ParseReview(fv map[string]any) (Review, error) {
	var rv Review
	r, err := newReader(fv)
	if err != nil {
		return rv, err
	}
	if rv.Reason, err = r.text(FieldReviewReason, "复核理由", MaxText, true, true); err != nil {
		return rv, err
	}
	if rv.Materials, err = r.text(FieldReviewMaterials, "复核材料", MaxText, true, false); err != nil {
		return rv, err
	}
	return rv, r.finish()
}
