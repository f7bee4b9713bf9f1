package demo

import (
	"fmt"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// play is the story: setup, a weekly reminder answered by card, the
// quarterly summary from the to-do list, the chain with a send-back, the
// committee deciding a tie at the 40% quota, 公示, results and a 复核.
func (p *player) play() error {
	ctx := p.ctx
	loc := calendar.DefaultLocation()
	all := append([]person{hr, head, deputy, leader}, staff...)
	var people []workflow.Person
	for _, x := range all {
		p.names[x.id] = x.name
		p.sim.MustAddUser(larksim.User{OpenID: x.id, Name: x.name})
		wp := workflow.Person{ID: x.id, Name: x.name, Unit: x.unit}
		switch x {
		case hr:
			wp.HR, wp.Committee = true, true
		case head:
			wp.Committee = true
		}
		if x.unit != "" && x != leader {
			wp.Group, wp.Assessed = x.unit, true
		}
		people = append(people, wp)
	}
	p.sim.MustAddChat(larksim.Chat{ChatID: publicChat, Type: "group", Name: "局机关公示群", Members: []string{hr.id}, BotMember: true})
	p.say("kaohe 演示：XX局办公室五名干部的 2026 年第三季度平时考核（方案 S4，好等次不超过 40%%）")
	p.say("组织：%s（科室负责人，初评）→ %s（分管领导，审定）→ %s（主管领导，评鉴）；%s 为政工科并任考核委员会成员", leader.name, deputy.name, head.name, hr.name)
	if err := p.svc.Setup(ctx, hr.id, workflow.Settings{Name: "XX局", Head: head.id, PublicChats: []string{publicChat}},
		[]workflow.Unit{{ID: "u1", Name: "办公室", Leader: leader.id, Supervisor: deputy.id}}, people); err != nil {
		return fmt.Errorf("demo setup: %w", err)
	}
	if err := p.text(hr.id, "开启考核 2026-Q3"); err != nil {
		return fmt.Errorf("demo open period: %w", err)
	}
	if err := p.deliver(); err != nil {
		return err
	}
	today := p.cal.Date(p.clk.Now())
	for wk := calendar.PeriodContaining(calendar.Week, calendar.NewDate(2026, 7, 2)); wk.End().Before(today); wk = wk.Next() {
		for _, e := range staff {
			if err := p.svc.Submit(ctx, e.id, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: wk.String(),
				Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}); err != nil {
				return err
			}
		}
	}
	p.say("（此前各周的周记实均已填报）")

	p.at(time.Date(2026, 9, 24, 15, 0, 0, 0, loc), "周记实提醒（周五 9 月 25 日是中秋节，提醒提前到周四下午）")
	if _, err := p.svc.Tick(ctx); err != nil {
		return err
	}
	if err := p.deliver(); err != nil {
		return err
	}
	rem, err := p.last(staff[0].id, "周记实")
	if err != nil {
		return err
	}
	if err := p.click(rem, staff[0].id, "btn_1", "立即填写", nil); err != nil {
		return err
	}
	if err := p.click(rem, staff[0].id, "submit", "提交", map[string]any{"task1_title": "起草三季度工作总结", "task1_deadline": "2026-09-30 +0800", "task1_progress": "50", "attendance": "full"}); err != nil {
		return err
	}
	for _, e := range staff[1:] {
		if err := p.svc.Submit(ctx, e.id, workflow.EntryInput{Kind: workflow.EntryWeekly, Period: "2026-W39", Body: workflow.EntryBody{Tasks: []workflow.Task{{Title: "日常工作", Progress: 100}}}}); err != nil {
			return err
		}
	}
	p.say("  （其余四人也已填报本周记实，周一不再催办）")

	p.at(time.Date(2026, 9, 28, 9, 30, 0, 0, loc), "季度小结")
	if err := p.text(staff[0].id, "待办"); err != nil {
		return err
	}
	if err := p.deliver(); err != nil {
		return err
	}
	todo, err := p.last(staff[0].id, "todo")
	if err != nil {
		return err
	}
	if err := p.click(todo, staff[0].id, larksim.RowButton([]byte(todo.Content), "季度小结"), "季度小结 · 立即填写", nil); err != nil {
		return err
	}
	if err := p.click(todo, staff[0].id, "submit", "提交", map[string]any{"summary": "完成年度预算编制与三季度报表", "training": "参加财务培训2次"}); err != nil {
		return err
	}
	for _, e := range staff[1:] {
		if err := p.svc.Submit(ctx, e.id, workflow.EntryInput{Kind: workflow.EntryQuarterly, Period: "2026-Q3", Body: workflow.EntryBody{Summary: "完成本职工作"}}); err != nil {
			return err
		}
	}
	if err := p.deliver(); err != nil {
		return err
	}

	p.at(time.Date(2026, 9, 29, 10, 0, 0, 0, loc), "初评 → 审定（退回一次）→ 评鉴")
	for _, e := range staff {
		card, err := p.last(leader.id, e.name)
		if err != nil {
			return err
		}
		if err := p.click(card, leader.id, "btn_1", "去审核 "+e.name, nil); err != nil {
			return err
		}
		if err := p.click(card, leader.id, "approve", "通过", scores(workload[e.id])); err != nil {
			return err
		}
	}
	if err := p.deliver(); err != nil {
		return err
	}
	first := true
	for _, e := range staff {
		c, err := p.last(deputy.id, e.name)
		if err != nil {
			return err
		}
		if err := p.click(c, deputy.id, "btn_1", "去审核 "+e.name, nil); err != nil {
			return err
		}
		if first {
			first = false
			if err := p.click(c, deputy.id, "send_back", "退回", map[string]any{"reason": "工作负荷评分依据不足，请补充"}); err != nil {
				return err
			}
			if err := p.deliver(); err != nil {
				return err
			}
			back, err := p.last(leader.id, "退回")
			if err != nil {
				return err
			}
			if err := p.click(back, leader.id, "btn_1", "去审核 "+e.name, nil); err != nil {
				return err
			}
			if err := p.click(back, leader.id, "approve", "补充后通过", scores(workload[e.id])); err != nil {
				return err
			}
			if err := p.deliver(); err != nil {
				return err
			}
			if c, err = p.last(deputy.id, e.name); err != nil {
				return err
			}
			if err := p.click(c, deputy.id, "btn_1", "去审核 "+e.name, nil); err != nil {
				return err
			}
		}
		if err := p.click(c, deputy.id, "approve", "通过", scores(workload[e.id])); err != nil {
			return err
		}
	}
	if err := p.deliver(); err != nil {
		return err
	}
	for _, e := range staff {
		c, err := p.last(head.id, e.name)
		if err != nil {
			return err
		}
		if err := p.click(c, head.id, "btn_1", "去评鉴 "+e.name, nil); err != nil {
			return err
		}
		if err := p.click(c, head.id, "approve", "通过", scores(workload[e.id])); err != nil {
			return err
		}
	}
	if err := p.deliver(); err != nil {
		return err
	}

	p.at(time.Date(2026, 10, 12, 9, 0, 0, 0, loc), "计分与名额：5 人参加考核，好等次至多 2 人")
	ready, err := p.last(hr.id, "全部考核审核已完成")
	if err != nil {
		return err
	}
	if err := p.click(ready, hr.id, "btn_1", "结束考核并提交审定", nil); err != nil {
		return err
	}
	if err := p.deliver(); err != nil {
		return err
	}
	tie, err := p.last(hr.id, "committee")
	if err != nil {
		return err
	}
	if err := p.click(tie, hr.id, "btn_1", "考核委员会审定", nil); err != nil {
		return err
	}
	if err := p.click(tie, hr.id, "submit", "确认", map[string]any{
		"grade_ou_e2": "好", "why_ou_e2": "承担防汛任务，表现突出", "grade_ou_e3": "较好", "why_ou_e3": "名额所限"}); err != nil {
		return err
	}

	p.at(time.Date(2026, 10, 12, 10, 0, 0, 0, loc), "公示与结果")
	if err := p.text(hr.id, "公示 2026-Q3"); err != nil {
		return err
	}
	if err := p.deliver(); err != nil {
		return err
	}
	res, err := p.last(staff[2].id, "review_form")
	if err != nil {
		return err
	}
	p.at(time.Date(2026, 10, 13, 9, 0, 0, 0, loc), "复核")
	if err := p.click(res, staff[2].id, "submit", "申请复核", map[string]any{"review_reason": "本人承担急难险重任务未计入"}); err != nil {
		return err
	}
	if err := p.deliver(); err != nil {
		return err
	}
	req, err := p.last(hr.id, "申请复核")
	if err != nil {
		return err
	}
	if err := p.click(req, hr.id, "btn_1", "去处理", nil); err != nil {
		return err
	}
	if err := p.click(req, hr.id, "forward", "转考核委员会审议", map[string]any{"opinion": "材料属实，提交考核委员会"}); err != nil {
		return err
	}
	if err := p.deliver(); err != nil {
		return err
	}
	fwd, err := p.last(head.id, "请审议复核申请")
	if err != nil {
		return err
	}
	if err := p.click(fwd, head.id, "btn_1", "去审议", nil); err != nil {
		return err
	}
	if err := p.click(fwd, head.id, "decide", "提交复核决定（好等次名额已满，周二让出名额）", map[string]any{"grade": "好", "decision": "经复核，急难险重任务属实",
		"displace": staff[1].id}); err != nil {
		return err
	}
	p.say("  考核委员会（%s）复核决定：%s改为「好」，%s让出名额改为「较好」（名额仍为 2 人）", head.name, staff[2].name, staff[1].name)
	if err := p.deliver(); err != nil {
		return err
	}

	p.say("\n最终结果")
	for _, e := range staff {
		r, err := p.svc.Result(ctx, e.id, "2026-Q3", e.id)
		if err != nil {
			return err
		}
		score := "—"
		if r.Score != nil {
			score = r.Score.String()
		}
		p.say("  %s  %s分  %s", e.name, score, r.Grade)
	}
	st := p.sim.Stats()
	p.say("\n飞书模拟器共收到 %d 条消息，限流 %d 次；全部经由官方 SDK 发送，回调均经签名、加密与重放校验。", st.Requests[larksim.APIMessageCreate], st.RateLimited+st.ChatRateLimited)
	return nil
}
