package bot

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/command"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// statutoryLeave are the leave kinds HR may record besides the scheme's
// own: the statutory kinds the seeds exclude from the half-period rule.
var statutoryLeave = []string{"年休假", "探亲假", "婚假", "丧假", "产假", "护理假"}

// leaveKinds are the kinds the person card offers: the counted kinds and
// work injury of sc (the person's scheme) first, then the statutory ones.
func leaveKinds(sc *scoring.Scheme) []string {
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
	if l := sc.Special.Leave; l != nil {
		add(l.Counted...)
		add(l.WorkInjuryKind)
		add(l.Excluded...)
	} else {
		add("病假", "事假")
	}
	add(statutoryLeave...)
	return out
}

// sanctionKinds are the sanction kinds of sc (the person's scheme).
func sanctionKinds(sc *scoring.Scheme) []string {
	var out []string
	for _, r := range sc.Special.Sanctions {
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
	var units []workflow.Unit
	var periods []workflow.Period
	var attendance []workflow.Entry
	var people []workflow.Person
	err := b.store.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		if p, err = tx.Person(ctx, id); err != nil {
			return err
		}
		if people, err = tx.People(ctx); err != nil {
			return err
		}
		if units, err = tx.Units(ctx); err != nil {
			return err
		}
		if periods, err = tx.Periods(ctx); err != nil {
			return err
		}
		attendance, err = tx.Entries(ctx, workflow.EntryFilter{Kind: workflow.EntryAttendance, Person: id})
		return err
	})
	if err != nil {
		return card.PersonForm{}, err
	}
	// The leave and sanction kinds are those of the person's own scheme
	// (a unit under S5 next to units under S4).
	sc, err := b.svc.PersonScheme(ctx, id)
	if err != nil {
		return card.PersonForm{}, err
	}
	f := card.PersonForm{ID: p.ID, Version: p.Version, Name: p.Name, Probation: p.Status.Probation,
		Investigation: p.Status.Investigation, Exempt: p.Status.Exempt, Sanction: p.Status.Sanction, Reason: p.Status.Reason,
		SanctionStart: dateOrEmpty(p.Status.SanctionStart), SanctionEnd: dateOrEmpty(p.Status.SanctionEnd),
		Today:     b.cal.Date(b.clock.Now()).String(),
		Sanctions: sanctionKinds(sc), LeaveKinds: leaveKinds(sc), AssessedBy: p.AssessedBy}
	sort.Slice(units, func(i, j int) bool { return units[i].ID < units[j].ID })
	for _, u := range units {
		if u.ID == p.Unit {
			unit = u.Name
			continue
		}
		f.Units = append(f.Units, card.Choice{ID: u.ID, Label: u.Name})
	}
	f.Unit = unit
	// The 考核单元 are the organisation's groups, named by the unit of the
	// same id where there is one (a group is usually a unit); the one the
	// person is assessed in is not offered (SetVoteGroups refuses it).
	unitNames := map[string]string{}
	for _, u := range units {
		unitNames[u.ID] = u.Name
	}
	for _, g := range workflow.VoteGroupsOf(people) {
		if p.Assessed && g == p.Group {
			continue
		}
		label := g
		if n := unitNames[g]; n != "" {
			label = n
		}
		f.Groups = append(f.Groups, card.Choice{ID: g, Label: label})
	}
	f.VoteGroups = append([]string(nil), p.VoteGroups...)
	sort.Strings(f.VoteGroups)
	abs := append([]workflow.Absence(nil), p.Absences...)
	sort.Slice(abs, func(i, j int) bool { return abs[i].Start.Before(abs[j].Start) })
	for _, a := range abs {
		f.Absences = append(f.Absences, a.Kind+" "+a.Start.String()+" 至 "+a.End.String())
	}
	f.Months, f.CountedLeave = b.attendanceMonths(periods), countedLeave(sc)
	sort.Slice(attendance, func(i, j int) bool { return attendance[i].Period > attendance[j].Period })
	for _, e := range attendance {
		f.Attendance = append(f.Attendance, attendanceLine(e))
	}
	// What the person owes is the service's to say (its reminders ask for
	// the same): the weeks still missing are offered for 免填.
	owed, err := b.svc.Owed(ctx, id)
	if err != nil {
		return card.PersonForm{}, err
	}
	for _, d := range owed {
		if d.Kind != workflow.EntryWeekly || d.Returned || len(f.OwedWeeks) == card.MaxOwedWeeks {
			continue
		}
		label := card.PeriodLabel(d.Entry)
		if w, err := calendar.ParsePeriod(d.Entry); err == nil {
			label += "（" + w.Start().String()[5:] + "至" + w.End().String()[5:] + "）"
		}
		f.OwedWeeks = append(f.OwedWeeks, card.Choice{ID: d.Entry, Label: label})
	}
	return f, nil
}

// countedLeave are the leave kinds the attendance form asks days for: the
// counted kinds of sc, the person's scheme (病假, 事假), by its leave rule
// or by the attendance its grades ask for (S1 第九条: 良 病、事假按月不超过
// 3天), and 旷工 where something weighs it. A scheme with none of these
// gets none: it would weigh nothing.
func countedLeave(sc *scoring.Scheme) []string {
	var kinds []string
	add := func(ks ...string) {
		for _, k := range ks {
			if k != "" && !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	if l := sc.Special.Leave; l != nil {
		// 旷工 in days beside the leave (S10 附件1's 出勤记录); the
		// scheme's leave rule does not count it.
		add(l.Counted...)
		add(l.Absence)
	}
	if gc := sc.GradeConditions; gc != nil {
		// 旷工 breaks 全勤 and counts with 病、事假 toward 良's three days
		// (scoring.GradeConditions).
		add(gc.LeaveKinds...)
		add(workflow.AbsenceKind)
	}
	for _, r := range sc.Allowances {
		switch r.Kind {
		case "leave_excess":
			add("病假", "事假") // S2 五: 当月病、事假合计
		case "absence":
			add(workflow.AbsenceKind) // S2 五: 旷工每累计一天
		}
	}
	return kinds
}

// attendanceMonths are the months of the open periods up to this month,
// newest first: attendance is weighed when the appraisal closes, so a
// month of a closed period would change nothing.
func (b *Bot) attendanceMonths(periods []workflow.Period) []card.Choice {
	today := b.cal.Date(b.clock.Now())
	var out []card.Choice
	for _, p := range periods {
		if p.State != workflow.PeriodOpen {
			continue
		}
		for m := calendar.PeriodContaining(calendar.Month, p.Start); !m.Start().After(p.End) && !m.Start().After(today); m = m.Next() {
			out = append(out, card.Choice{ID: m.String(), Label: card.PeriodLabel(m.String())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out[:min(len(out), 12)]
}

// attendanceLine is a recorded month on the person card:
// "2026年9月：病假1.5天，迟到1次，早退0次".
func attendanceLine(e workflow.Entry) string {
	var parts []string
	for _, l := range e.Body.Leave {
		parts = append(parts, l.Kind+l.Days.String()+"天")
	}
	parts = append(parts, fmt.Sprintf("迟到%d次", e.Body.Late), fmt.Sprintf("早退%d次", e.Body.Early))
	return card.PeriodLabel(e.Period) + "：" + strings.Join(parts, "，")
}

func choiceIDs(cs []card.Choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// personAction saves one form of the person card (status, leave,
// attendance, a waiver, a secondment, leaving, the 考核单元 voted in) and
// answers with the card as it now stands. HR only, checked before anything about the person is
// read; a card older than the person is stale.
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
	switch v.K {
	case card.KindPersonStatus:
		in, err := card.ParsePersonStatus(fv, f.Sanctions)
		if err != nil {
			return nil, err
		}
		st := workflow.PersonStatus{Probation: in.Probation, Investigation: in.Investigation, Sanction: in.Sanction, Exempt: in.Exempt, Reason: in.Reason}
		if in.Sanction != "" {
			// ParsePersonStatus gave both days, checked.
			st.SanctionStart, _ = calendar.ParseDate(in.SanctionStart)
			st.SanctionEnd, _ = calendar.ParseDate(in.SanctionEnd)
		}
		if err := b.svc.SetStatus(idem(ctx, 0), op, v.ID, st); err != nil {
			return nil, err
		}
		toast = "特殊情况已保存"
	case card.KindAbsence:
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
	case card.KindAttendance:
		if err := stillOffered(fv, card.FieldAttMonth, f.Months, v.ID); err != nil {
			return nil, err
		}
		in, err := card.ParseAttendance(fv, choiceIDs(f.Months), f.CountedLeave)
		if err != nil {
			return nil, err
		}
		body := workflow.EntryBody{Late: in.Late, Early: in.Early}
		for _, k := range f.CountedLeave {
			if d, ok := in.Days[k]; ok {
				days, err := decOf(d)
				if err != nil {
					return nil, &workflow.InputError{Field: "attendance.days", Msg: "天数格式不正确"}
				}
				body.Leave = append(body.Leave, scoring.LeaveInput{Kind: k, Days: days})
			}
		}
		// The same month saved again with the same figures (a double
		// tap, or the card pressed twice) is the same success, written
		// once: only a change is a new record.
		if e, err := b.entry(ctx, workflow.EntryAttendance, v.ID, in.Month); err != nil || !sameAttendance(e.Body, body) {
			if err := b.svc.SetAttendance(idem(ctx, 0), op, v.ID, in.Month, body); err != nil {
				return nil, err
			}
		}
		toast = card.PeriodLabel(in.Month) + "考勤已登记"
	case card.KindWaive:
		if err := stillOffered(fv, card.FieldWaiveWeek, f.OwedWeeks, v.ID); err != nil {
			return nil, err
		}
		in, err := card.ParseWaive(fv, choiceIDs(f.OwedWeeks))
		if err != nil {
			return nil, err
		}
		if err := b.svc.Waive(idem(ctx, 0), op, v.ID, in.Week, in.Reason); err != nil {
			return nil, err
		}
		toast = card.PeriodLabel(in.Week) + "周记实已免填"
	case card.KindSecond:
		in, err := card.ParseSecond(fv, f.Units)
		if err != nil {
			return nil, err
		}
		if err := b.svc.SetAssessedBy(idem(ctx, 0), op, v.ID, in.Unit, in.Reason); err != nil {
			return nil, err
		}
		toast = "借调、挂职已结束，由本科室考核"
		if in.Unit != "" {
			toast = "考核单位已改为" + choiceLabel(f.Units, in.Unit)
		}
	case card.KindPersonLeft:
		reason, err := card.ParsePersonLeft(fv)
		if err != nil {
			return nil, err
		}
		if err := b.svc.MarkLeft(idem(ctx, 0), op, v.ID, reason); err != nil {
			return nil, err
		}
		toast = f.Name + "已离开本单位，待审核事项已转交"
	case card.KindVoteGroups:
		groups, err := card.ParseVoteGroups(fv, choiceIDs(f.Groups))
		if err != nil {
			return nil, err
		}
		if err := b.svc.SetVoteGroups(idem(ctx, 0), op, v.ID, v.V, groups); err != nil {
			return nil, err
		}
		toast = "已不参加其他考核单元的民主测评"
		if len(groups) > 0 {
			names := make([]string, len(groups))
			for i, g := range groups {
				names[i] = choiceLabel(f.Groups, g)
			}
			toast = "参加民主测评（不被测评）：" + strings.Join(names, "、")
		}
	default:
		return nil, fmt.Errorf("person card kind %q: %w", v.K, card.ErrBadValue)
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

// sameAttendance reports whether two months' attendance say the same:
// the late and early counts, and the days of each leave kind.
func sameAttendance(a, b workflow.EntryBody) bool {
	if a.Late != b.Late || a.Early != b.Early || len(a.Leave) != len(b.Leave) {
		return false
	}
	days := map[string]scoring.Dec{}
	for _, l := range a.Leave {
		days[l.Kind] = l.Days
	}
	for _, l := range b.Leave {
		d, ok := days[l.Kind]
		if !ok || !d.Equal(l.Days.Decimal) {
			return false
		}
	}
	return true
}

// stillOffered answers a choice the card offered but the person card no
// longer does (a week since filed or waived, a month whose period closed)
// as a stale card, not as a bad form: the card was right when drawn.
func stillOffered(fv map[string]any, field string, cs []card.Choice, person string) error {
	picked, _ := fv[field].(string)
	if picked == "" || slices.Contains(choiceIDs(cs), picked) {
		return nil
	}
	if _, err := calendar.ParsePeriod(picked); err != nil {
		return nil // not one the card could have offered: the parser says so
	}
	return fmt.Errorf("person %s: %s %q no longer offered: %w", person, field, picked, workflow.ErrStale)
}

func choiceLabel(cs []card.Choice, id string) string {
	for _, c := range cs {
		if c.ID == id {
			return c.Label
		}
	}
	return id
}

// dateOrEmpty is a date for a card, "" when unset.
func dateOrEmpty(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
