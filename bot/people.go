package bot

import (
	"context"
	"fmt"
	"sort"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// statutoryLeave are the leave kinds HR may record besides the scheme's
// own: the statutory kinds the seeds exclude from the half-period rule.
var statutoryLeave = []string{"年休假", "探亲假", "婚假", "丧假", "产假", "护理假"}

// leaveKinds are the kinds the person card offers: the scheme's counted
// kinds and work injury first, then the statutory ones.
func (b *Bot) leaveKinds() []string {
	var out []string
	seen := map[string]bool{}
	add := func(ks ...string) {
		for _, k := range ks {
			if k != "" && !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	if l := b.svc.Scheme().Special.Leave; l != nil {
		add(l.Counted...)
		add(l.WorkInjuryKind)
		add(l.Excluded...)
	} else {
		add("病假", "事假")
	}
	add(statutoryLeave...)
	return out
}

func (b *Bot) sanctionKinds() []string {
	var out []string
	for _, r := range b.svc.Scheme().Special.Sanctions {
		out = append(out, r.Kinds...)
	}
	return out
}

// cmdPeople opens HR's card for the person mentioned ("人员 @张三") or
// named ("人员 张三").
func (b *Bot) cmdPeople(ctx context.Context, me workflow.Person, pc command.Parsed, mentions map[string]string) ([]byte, error) {
	if err := requireHRSender(me); err != nil {
		return nil, err
	}
	arg := pc.Arg(0)
	if arg == "" {
		return nil, &workflow.InputError{Field: "person", Msg: "请指明人员，如「人员 @张三」或「人员 张三」"}
	}
	id, ok := mentions[arg]
	if !ok {
		var matches []string
		_ = b.store.InTx(ctx, func(tx workflow.Tx) error {
			matches = nil
			ps, err := tx.People(ctx)
			for _, p := range ps {
				if p.Name == arg {
					matches = append(matches, p.ID)
				}
			}
			return err
		})
		switch len(matches) {
		case 0:
			return nil, &workflow.InputError{Field: "person", Msg: "没有找到人员「" + arg + "」"}
		case 1:
			id = matches[0]
		default:
			return nil, &workflow.InputError{Field: "person", Msg: fmt.Sprintf("有%d人名为「%s」，请用 @ 指明", len(matches), arg)}
		}
	}
	f, err := b.personForm(ctx, id)
	if err != nil {
		return nil, err
	}
	return card.PersonCard(f)
}

func (b *Bot) personForm(ctx context.Context, id string) (card.PersonForm, error) {
	var p workflow.Person
	unit := ""
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		if p, err = tx.Person(ctx, id); err != nil {
			return err
		}
		if p.Unit != "" {
			if u, err := tx.Unit(ctx, p.Unit); err == nil {
				unit = u.Name
			}
		}
		return nil
	})
	if err != nil {
		return card.PersonForm{}, err
	}
	f := card.PersonForm{ID: p.ID, Version: p.Version, Name: p.Name, Unit: unit, Probation: p.Status.Probation,
		Investigation: p.Status.Investigation, Exempt: p.Status.Exempt, Sanction: p.Status.Sanction, Reason: p.Status.Reason,
		Sanctions: b.sanctionKinds(), LeaveKinds: b.leaveKinds()}
	abs := append([]workflow.Absence(nil), p.Absences...)
	sort.Slice(abs, func(i, j int) bool { return abs[i].Start.Before(abs[j].Start) })
	for _, a := range abs {
		f.Absences = append(f.Absences, a.Kind+" "+a.Start.String()+" 至 "+a.End.String())
	}
	return f, nil
}

// personAction saves the person card's status or leave form and answers
// with the card as it now stands.
func (b *Bot) personAction(ctx context.Context, op string, v card.Value, fv map[string]any) (*callback.CardActionTriggerResponse, error) {
	if err := b.requireHR(ctx, op); err != nil {
		return nil, err
	}
	f, err := b.personForm(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	if f.Version != v.V {
		return nil, fmt.Errorf("person %s version %d, card %d: %w", v.ID, f.Version, v.V, workflow.ErrStale)
	}
	toast := ""
	if v.K == card.KindPersonStatus {
		in, err := card.ParsePersonStatus(fv, f.Sanctions)
		if err != nil {
			return nil, err
		}
		st := workflow.PersonStatus{Probation: in.Probation, Investigation: in.Investigation, Sanction: in.Sanction, Exempt: in.Exempt, Reason: in.Reason}
		if err := b.svc.SetStatus(idem(ctx, 0), op, v.ID, st); err != nil {
			return nil, err
		}
		toast = "特殊情况已保存"
	} else {
		in, err := card.ParseAbsence(fv, f.LeaveKinds)
		if err != nil {
			return nil, err
		}
		start, err1 := calendar.ParseDate(in.Start)
		end, err2 := calendar.ParseDate(in.End)
		if err1 != nil || err2 != nil {
			return nil, &card.FieldError{Field: card.FieldLeaveStart, Label: "日期", Msg: "日期格式不正确"}
		}
		if err := b.svc.AddAbsence(idem(ctx, 0), op, v.ID, workflow.Absence{Kind: in.Kind, Start: start, End: end}); err != nil {
			return nil, err
		}
		toast = "请假已登记"
	}
	f, err = b.personForm(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	c, err := card.PersonCard(f)
	if err != nil {
		return nil, err
	}
	return reply("success", toast, c), nil
}
