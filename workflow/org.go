package workflow

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"context"

	"github.com/kaohe/kaohe/workflow/calendar"
)

// Setup loads the organisation: settings, units and people. It is allowed
// once on an empty store, when by is an HR person in people (bootstrap), and
// afterwards to HR to add units and people. Errors: ErrForbidden,
// ErrInvalidInput naming the field (a leader or unit that does not exist, a
// duplicate id), ErrConflict for a person who already exists.
func (s *Service) Setup(ctx context.Context, by string, st Settings, units []Unit, people []Person) error {
	return s.change(ctx, by, "org.setup", "org", func(o *op) error {
		existing, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		if len(existing) == 0 {
			ok := false
			for _, p := range people {
				ok = ok || (p.ID == by && p.HR)
			}
			if !ok {
				return fmt.Errorf("bootstrap by %s who is not HR in the setup: %w", by, ErrForbidden)
			}
		} else if _, err := s.requireHR(o); err != nil {
			return err
		}
		ids := map[string]bool{}
		for _, p := range existing {
			ids[p.ID] = true
		}
		for i, p := range people {
			f := "people[" + strconv.Itoa(i) + "]"
			if err := needText(f+".id", p.ID); err != nil {
				return err
			}
			if err := needText(f+".name", p.Name); err != nil {
				return err
			}
			if ids[p.ID] {
				return invalid(f+".id", "重复："+p.ID)
			}
			ids[p.ID] = true
		}
		unitIDs := map[string]bool{}
		old, err := o.tx.Units(o.ctx)
		if err != nil {
			return err
		}
		for _, u := range old {
			unitIDs[u.ID] = true
		}
		given := map[string]bool{}
		for i, u := range units {
			f := "unit[" + strconv.Itoa(i) + "]"
			if err := needText(f+".id", u.ID); err != nil {
				return err
			}
			// A unit listed twice would be stored once, the later silently
			// replacing the earlier with its leaders.
			if given[u.ID] {
				return invalid(f+".id", "重复："+u.ID)
			}
			given[u.ID] = true
			for _, l := range []string{u.Leader, u.Supervisor} {
				if l != "" && !ids[l] {
					return invalid(f, "负责人不存在："+l)
				}
			}
			if u.Scheme != "" && !s.HasScheme(u.Scheme) {
				return invalid(f+".scheme", "未配置考核方案 "+u.Scheme+"（已配置："+strings.Join(s.SchemeIDs(), "、")+"）")
			}
			unitIDs[u.ID] = true
		}
		groups := map[string]bool{}
		for _, p := range append(slices.Clone(existing), people...) {
			groups[p.Group] = p.Group != ""
		}
		for i, p := range people {
			for _, g := range p.VoteGroups {
				// An extra voter rates a 考核单元 that exists, and not
				// the one they are assessed in, where they vote anyway
				// (the rule SetVoteGroups keeps).
				if !groups[g] || p.Assessed && g == p.Group {
					return invalid("people["+strconv.Itoa(i)+"].vote_groups", "考核单元不存在或为本人所在考核单元："+g)
				}
			}
			if p.Unit != "" && !unitIDs[p.Unit] {
				return invalid("people["+strconv.Itoa(i)+"].unit", "科室不存在："+p.Unit)
			}
			if p.AssessedBy != "" && !unitIDs[p.AssessedBy] {
				return invalid("people["+strconv.Itoa(i)+"].unit", "考核单位不存在："+p.AssessedBy)
			}
		}
		if st.Head != "" && !ids[st.Head] {
			return invalid("person", "主管领导不存在："+st.Head)
		}
		headChanged := false
		if st.Head != "" || len(existing) == 0 {
			cur, err := o.tx.Settings(o.ctx)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			headChanged = err == nil && cur.Head != st.Head
			st.Version = cur.Version + 1
			if err := o.tx.PutSettings(o.ctx, st); err != nil {
				return err
			}
		}
		before := map[string]Unit{}
		for _, u := range old {
			before[u.ID] = u
		}
		why := map[string]string{}
		for _, u := range units {
			if b, ok := before[u.ID]; ok && u.Scheme == "" {
				// Decision: a unit given without a scheme keeps the one it
				// has: 同步通讯录 knows no schemes and must not move a
				// unit back to the default. Name the default scheme's id
				// to move it back.
				u.Scheme = b.Scheme
			}
			if b, ok := before[u.ID]; ok {
				switch {
				case b.Leader != u.Leader && b.Supervisor != u.Supervisor:
					why[u.ID] = "科室负责人和分管领导变更"
				case b.Leader != u.Leader:
					why[u.ID] = "科室负责人变更"
				case b.Supervisor != u.Supervisor:
					why[u.ID] = "分管领导变更"
				}
			}
			if err := o.tx.PutUnit(o.ctx, u); err != nil {
				return err
			}
		}
		for _, p := range people {
			if err := o.tx.CreatePerson(o.ctx, p); err != nil {
				return fmt.Errorf("create person %s: %w", p.ID, err)
			}
		}
		// Pending steps follow the role, not the person: a replaced or
		// removed leader can no longer decide them, and a person made
		// their own unit's leader does not get their own (holderOf).
		for _, p := range existing {
			reason := why[assessingUnit(p)]
			if reason == "" && headChanged {
				reason = "主管领导变更"
			}
			if reason != "" {
				if err := s.reassignSteps(o, p, reason, ""); err != nil {
					return err
				}
			}
		}
		o.logf("units=%d people=%d", len(units), len(people))
		return nil
	})
}

// MovePerson moves a person to another unit mid-cycle (HR only). Their
// pending steps follow: a step assigned by role to the old unit's leaders is
// reassigned to the new unit's. Errors: ErrForbidden, ErrInvalidInput
// (unknown person or unit, empty reason).
func (s *Service) MovePerson(ctx context.Context, by, personID, unitID, reason string) error {
	return s.change(ctx, by, "person.move", personID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		u, err := o.tx.Unit(o.ctx, unitID)
		if errors.Is(err, ErrNotFound) {
			return invalid("unit", "科室不存在："+unitID)
		} else if err != nil {
			return err
		}
		from := p.Unit
		p.Unit = u.ID
		p.Version++
		if err := o.tx.UpdatePerson(o.ctx, p); err != nil {
			return err
		}
		o.logf("unit %s -> %s: %s", from, unitID, reason)
		return s.reassignSteps(o, p, "人员调动至"+u.Name, "")
	})
}

// SetAssessedBy records that a person is seconded or transferred to
// another unit (挂职、借调、抽调) and assessed there, or, with unitID "",
// that this ended and the home unit assesses them again (HR only, with the
// reason). The unit that assesses them runs their chain from now on: their
// pending steps follow the role to that unit's leaders (reassignSteps, as
// on MovePerson), and while they are away the home unit's leader gets the
// published result (TplSecondedResult). The person stays in their home
// unit and 考核单元. Errors: ErrForbidden; ErrInvalidInput (unknown person
// or unit, the home unit itself, nothing changed, no reason).
func (s *Service) SetAssessedBy(ctx context.Context, by, personID, unitID, reason string) error {
	return s.change(ctx, by, "person.second", personID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		var why string
		switch {
		case unitID == "" && p.AssessedBy == "":
			return invalid("unit", "该人员没有借调、挂职记录，无需结束")
		case unitID == "":
			home := "原科室"
			if u, err := o.tx.Unit(o.ctx, p.Unit); err == nil {
				home = u.Name
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			why = p.Name + "借调、挂职结束，回" + home + "考核"
		case unitID == p.Unit:
			return invalid("unit", "接收单位不能是本人所在科室；结束借调请选择「不借调」")
		case unitID == p.AssessedBy:
			return invalid("unit", "该人员已由此单位考核")
		default:
			u, err := o.tx.Unit(o.ctx, unitID)
			if errors.Is(err, ErrNotFound) {
				return invalid("unit", "科室不存在："+unitID)
			} else if err != nil {
				return err
			}
			why = p.Name + "借调、挂职至" + u.Name + "，由其考核"
		}
		from := p.AssessedBy
		p.AssessedBy = unitID
		p.Version++
		if err := o.tx.UpdatePerson(o.ctx, p); err != nil {
			return err
		}
		o.logf("assessed by %s -> %s: %s", orNone(from), orNone(unitID), reason)
		return s.reassignSteps(o, p, why, "")
	})
}

func orNone(unit string) string {
	if unit == "" {
		return "(home)"
	}
	return unit
}

// reassignSteps points p's pending steps at whoever decides them now
// (holderOf), after an organisation change said by why (Chinese, shown
// to those told). skip is a person not to tell (one who left).
func (s *Service) reassignSteps(o *op, p Person, why, skip string) error {
	steps, err := o.tx.Steps(o.ctx, StepFilter{Person: p.ID, State: StepPending})
	if err != nil || len(steps) == 0 {
		return err
	}
	u, err := o.tx.Unit(o.ctx, assessingUnit(p))
	if err != nil {
		return err
	}
	st, err := o.tx.Settings(o.ctx)
	if err != nil {
		return err
	}
	for _, step := range steps {
		a := holderOf(step.Role, p, u, st)
		if a == step.Assignee {
			continue
		}
		if err := s.handOver(o, p, step, a, why, skip); err != nil {
			return err
		}
	}
	return nil
}

// escalation is the order in which a pending step whose role nobody may
// hold goes up (docs/design.md §2, "Steps follow the role"): the 科室负责人's
// step to the 分管领导, then the 主管领导; the 分管领导's to the 主管领导. It is
// the chain's own order and the one an overdue step is escalated along
// (superior), so the step goes to a leader who is already over the
// appraised person and would see it next anyway — never sideways to
// another unit's leader, and never to HR, who does not appraise: when
// nobody up the chain is left, the step is left with nobody and HR is told
// to choose (Reassign).
var escalation = map[string][]string{
	RoleUnitLeader: {RoleUnitLeader, RoleSupervisor, RoleHead},
	RoleSupervisor: {RoleSupervisor, RoleHead},
	RoleHead:       {RoleHead},
}

// holderOf returns who decides p's pending step of role now: the role's
// holder, or the first up the escalation order when nobody holds it or
// the holder is p themself (a person made their own unit's leader); ""
// when nobody may.
func holderOf(role string, p Person, u Unit, st Settings) string {
	for _, r := range escalation[role] {
		if a := resolve(r, p, u, st); a != "" {
			return a
		}
	}
	return ""
}

// handOver moves p's pending step to another assignee ("" for nobody)
// because of why, and tells those concerned: the new assignee and their
// delegates (TplStepAssigned); the old assignee, whose card would
// otherwise still show the step, and p (TplStepMoved); HR when nobody may
// decide it, to choose someone (Reassign). skip is not told (a person who
// left the organisation).
func (s *Service) handOver(o *op, p Person, step Step, to, why, skip string) error {
	from := step.Assignee
	step.Assignee = to
	step.Version++
	if err := o.tx.DecideStep(o.ctx, step, nil); err != nil {
		return err
	}
	o.logf("step %s %s -> %s", step.ID, orNobody(from), orNobody(to))
	name := func(id string) (string, error) {
		if id == "" {
			return "", nil
		}
		q, err := o.tx.Person(o.ctx, id)
		if errors.Is(err, ErrNotFound) {
			return id, nil
		}
		return q.Name, err
	}
	fromName, err := name(from)
	if err != nil {
		return err
	}
	toName, err := name(to)
	if err != nil {
		return err
	}
	v := strconv.Itoa(step.Version)
	if to != "" {
		data := map[string]string{"step": step.ID, "person": p.Name, "name": step.Name, "due": step.Due.String()}
		o.note(to, TplStepAssigned, data, step.ID, v)
		dels, err := delegatesOf(o.ctx, o.tx, to, o.now)
		if err != nil {
			return err
		}
		for _, d := range dels {
			o.note(d, TplStepAssigned, data, step.ID, v)
		}
	}
	data := map[string]string{"step": step.ID, "person": p.Name, "name": step.Name, "from": fromName, "to": toName, "reason": why}
	for _, who := range []string{from, p.ID} {
		if who != "" && who != skip {
			o.note(who, TplStepMoved, data, step.ID, v)
		}
	}
	if to == "" {
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		hr := map[string]string{"hr": "1"}
		for k, x := range data {
			hr[k] = x
		}
		for _, id := range hrPeople(people) {
			if id != p.ID && id != skip {
				o.note(id, TplStepMoved, hr, step.ID, v, "hr")
			}
		}
	}
	return nil
}

func orNobody(id string) string {
	if id == "" {
		return "(nobody)"
	}
	return id
}

// MarkLeft records that a person has left the organisation (resigned,
// retired, dismissed, transferred out: S4 注意事项 6), HR only, with the
// reason. Leaving is not a deletion (their history stays, and setup may
// bring them back); it takes away everything they hold: they are exempt
// from the appraisal (PersonStatus.Exempt, the reason saying they left),
// no longer HR or on the committee, and no longer any unit's leader or
// 分管领导 nor the 主管领导; the delegations they gave or received end now;
// every pending step they held goes to whoever holds its role now, up the
// chain when nobody does (holderOf). The other side of each delegation,
// the steps' new assignees and the appraised people are told; the person
// who left is not (they are out of the appraisal), and nobody is told the
// reason HR gave, only that they left. Errors: ErrForbidden,
// ErrInvalidInput (unknown person, no reason, the last HR person).
func (s *Service) MarkLeft(ctx context.Context, by, personID, reason string) error {
	return s.change(ctx, by, "person.leave", personID, func(o *op) error {
		me, err := s.requireHR(o)
		if err != nil {
			return err
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		if p.HR && len(hrPeople(people)) < 2 {
			return invalid("person", "不能移除唯一的政工科人员，请先增加其他政工科人员")
		}
		why := p.Name + "已离开本单位"
		p.HR, p.Committee = false, false
		p.Status.Exempt, p.Status.Reason = true, "离开本单位："+reason
		p.Version++
		if err := o.tx.UpdatePerson(o.ctx, p); err != nil {
			return err
		}
		// The roles they held are left empty, not handed to anyone: who
		// succeeds them is HR's to set (Setup), and until then their steps
		// go up the chain.
		units, err := o.tx.Units(o.ctx)
		if err != nil {
			return err
		}
		changed := map[string]bool{}
		for _, u := range units {
			if u.Leader != p.ID && u.Supervisor != p.ID {
				continue
			}
			if u.Leader == p.ID {
				u.Leader = ""
			}
			if u.Supervisor == p.ID {
				u.Supervisor = ""
			}
			if err := o.tx.PutUnit(o.ctx, u); err != nil {
				return err
			}
			changed[u.ID] = true
			o.logf("unit %s: role emptied", u.ID)
		}
		st, err := o.tx.Settings(o.ctx)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		head := err == nil && st.Head == p.ID
		if head {
			st.Head = ""
			st.Version++
			if err := o.tx.PutSettings(o.ctx, st); err != nil {
				return err
			}
			o.logf("head emptied")
		}
		if err := s.endDelegationsOf(o, p, me, why); err != nil {
			return err
		}
		for _, q := range people {
			if q.ID != p.ID && (head || changed[assessingUnit(q)]) {
				if err := s.reassignSteps(o, q, why, p.ID); err != nil {
					return err
				}
			}
		}
		// Steps they held outside their roles (HR's 转办 to them).
		held, err := o.tx.Steps(o.ctx, StepFilter{Assignee: p.ID, State: StepPending})
		if err != nil {
			return err
		}
		for _, step := range held {
			q, err := o.tx.Person(o.ctx, step.Person)
			if err != nil {
				return err
			}
			u, err := o.tx.Unit(o.ctx, assessingUnit(q))
			if err != nil {
				return err
			}
			if err := s.handOver(o, q, step, holderOf(step.Role, q, u, st), why, p.ID); err != nil {
				return err
			}
		}
		o.logf("left: %s", reason)
		return nil
	})
}

// endDelegationsOf ends now every delegation p gave or received that has
// not ended, and tells the other side; by is who ended them (HR).
func (s *Service) endDelegationsOf(o *op, p, by Person, why string) error {
	ds, err := o.tx.Delegations(o.ctx, p.ID)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if !d.End.After(o.now) {
			continue
		}
		end := o.now
		if d.Start.After(end) {
			end = d.Start // not yet begun: it never takes effect
		}
		if err := o.tx.EndDelegation(o.ctx, d.ID, end); err != nil {
			return err
		}
		other := d.To
		if other == p.ID {
			other = d.From
		}
		from, err := s.person(o, d.From, "delegation")
		if err != nil {
			return err
		}
		to, err := s.person(o, d.To, "delegation")
		if err != nil {
			return err
		}
		o.note(other, TplDelegationEnded, map[string]string{"from": from.Name, "to": to.Name, "by": by.Name, "reason": why,
			"left": p.Name, "end": end.In(s.cal.Location()).Format("2006-01-02 15:04")}, d.ID+"-end")
		o.logf("delegation %s ended", d.ID)
	}
	return nil
}

// SetStatus sets a person's special-case status (HR only; the reason is
// required): probation, investigation, sanction, exempt. Clearing an
// investigation records that the case closed: every period whose grade
// was withheld for it gets its grade filled in (补定), under the sanction
// now recorded if any, and the person and HR are told. Errors:
// ErrForbidden, ErrInvalidInput.
func (s *Service) SetStatus(ctx context.Context, by, personID string, st PersonStatus) error {
	return s.change(ctx, by, "person.status", personID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("reason", st.Reason); err != nil {
			return err
		}
		if err := s.checkSanction(&st); err != nil {
			return err
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		closed := p.Status.Investigation && !st.Investigation
		p.Status = st
		p.Version++
		o.logf("status %+v", st)
		if err := o.tx.UpdatePerson(o.ctx, p); err != nil {
			return err
		}
		if closed {
			return s.fillIn(o, p, st)
		}
		return nil
	})
}

// checkSanction checks a sanction against the scheme and its term: both
// days are required with a sanction, the end not before the start, and a
// status without a sanction keeps no term.
func (s *Service) checkSanction(st *PersonStatus) error {
	if st.Sanction == "" {
		st.SanctionStart, st.SanctionEnd = calendar.Date{}, calendar.Date{}
		return nil
	}
	if !s.knownSanction(st.Sanction) {
		return invalid("status", "方案未规定此处分："+st.Sanction)
	}
	switch {
	case st.SanctionStart.IsZero() || !st.SanctionStart.IsValid():
		return invalid("sanction_start", "请填写处分开始日期")
	case st.SanctionEnd.IsZero() || !st.SanctionEnd.IsValid():
		return invalid("sanction_end", "请填写处分期满日期")
	case st.SanctionEnd.Before(st.SanctionStart):
		return invalid("sanction_end", "处分期满日期不能早于开始日期")
	}
	return nil
}

func (s *Service) knownSanction(k string) bool {
	// Any of the schemes' kinds: the sanction is the person's, whatever
	// scheme their unit is under.
	for _, sc := range s.schemes {
		for _, r := range sc.Special.Sanctions {
			for _, kind := range r.Kinds {
				if kind == k {
					return true
				}
			}
		}
	}
	return false
}

// AddAbsence records leave (HR only). Reminders skip the person on those
// days and the scheme's leave rules count the working days. Errors:
// ErrForbidden, ErrInvalidInput (unknown person, end before start, no kind).
func (s *Service) AddAbsence(ctx context.Context, by, personID string, a Absence) error {
	return s.change(ctx, by, "person.absence", personID, func(o *op) error {
		if _, err := s.requireHR(o); err != nil {
			return err
		}
		if err := needText("kind", a.Kind); err != nil {
			return err
		}
		if !a.Start.IsValid() {
			return invalid("start", "日期无效")
		}
		if !a.End.IsValid() || a.End.Before(a.Start) {
			return invalid("end", "结束日期不能早于开始日期")
		}
		p, err := s.person(o, personID, "person")
		if err != nil {
			return err
		}
		p.Absences = append(p.Absences, a)
		p.Version++
		o.logf("%s %s..%s", a.Kind, a.Start, a.End)
		return o.tx.UpdatePerson(o.ctx, p)
	})
}

// Delegate lets to act on by's steps from start to end (exclusive), e.g.
// while by is away. Both are told. Errors: ErrForbidden (unknown caller),
// ErrInvalidInput (unknown or same delegate, end not after start, end in
// the past, longer than 90 days).
func (s *Service) Delegate(ctx context.Context, by, to string, start, end time.Time, reason string) error {
	return s.change(ctx, by, "delegation.create", by+"->"+to, func(o *op) error {
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		if to == by {
			// Not a slip of input but an attempt to hold one's steps
			// twice over: refused and audited like any other.
			return forbidden("不能委托给本人")
		}
		d, err := s.person(o, to, "delegate")
		if err != nil {
			return err
		}
		holds, err := holdsSteps(o, me)
		if err != nil {
			return err
		}
		if !holds {
			return forbidden("只有负责考核审核的领导可以委托他人代办")
		}
		may, err := holdsSteps(o, d)
		if err != nil {
			return err
		}
		if !may {
			return forbidden("只能委托给负责考核审核的领导或考核委员会成员：" + d.Name)
		}
		if !end.After(start) || !end.After(o.now) {
			return invalid("end", "结束时间须晚于开始时间和当前时间")
		}
		if end.Sub(start) > 90*24*time.Hour {
			return invalid("end", "委托期限不能超过 90 天")
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		id := DedupeKey(by, to, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))[3:23]
		if err := o.tx.CreateDelegation(o.ctx, Delegation{ID: id, From: by, To: to, Start: start, End: end}); err != nil {
			return err
		}
		loc := s.cal.Location()
		data := map[string]string{
			"from": me.Name, "to": d.Name, "reason": reason,
			"start": start.In(loc).Format("2006-01-02 15:04"), "end": end.In(loc).Format("2006-01-02 15:04"),
		}
		o.note(by, TplDelegation, data, id)
		o.note(to, TplDelegation, data, id)
		o.logf("delegation %s %s..%s", id, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
		return nil
	})
}

// holdsSteps reports whether p is someone approval steps may be assigned
// to: a unit's leader or supervisor, the 主管领导, a committee member (who
// may stand in for a leader), or anyone who holds a pending step now (a
// leader HR reassigned a step to). Delegation is limited to them, so an
// employee can neither hand steps around nor receive them.
func holdsSteps(o *op, p Person) (bool, error) {
	if p.Committee {
		return true, nil
	}
	st, err := o.tx.Settings(o.ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, err
	}
	if st.Head == p.ID {
		return true, nil
	}
	units, err := o.tx.Units(o.ctx)
	if err != nil {
		return false, err
	}
	for _, u := range units {
		if u.Leader == p.ID || u.Supervisor == p.ID {
			return true, nil
		}
	}
	steps, err := o.tx.Steps(o.ctx, StepFilter{Assignee: p.ID, State: StepPending})
	if err != nil {
		return false, err
	}
	return len(steps) > 0, nil
}

// EndDelegation ends a delegation now, before its end: its giver or HR
// may (the person it was given to need not agree; steps they already
// decided stay decided). Both sides are told. Errors: ErrNotFound,
// ErrForbidden (anyone else), ErrStale (it has already ended).
func (s *Service) EndDelegation(ctx context.Context, by, id, reason string) error {
	return s.change(ctx, by, "delegation.end", id, func(o *op) error {
		me, err := s.actor(o)
		if err != nil {
			return err
		}
		ds, err := o.tx.Delegations(o.ctx, "")
		if err != nil {
			return err
		}
		var d *Delegation
		for i := range ds {
			if ds[i].ID == id {
				d = &ds[i]
			}
		}
		if d == nil {
			return fmt.Errorf("delegation %s: %w", id, ErrNotFound)
		}
		if d.From != by && !me.HR {
			return forbidden("只有委托人或政工科可以提前结束委托")
		}
		if !d.End.After(o.now) {
			return fmt.Errorf("delegation %s ended at %s: %w", id, d.End.UTC().Format(time.RFC3339), ErrStale)
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		end := o.now
		if d.Start.After(end) {
			end = d.Start // not yet begun: it never takes effect
		}
		if err := o.tx.EndDelegation(o.ctx, id, end); err != nil {
			return err
		}
		from, err := s.person(o, d.From, "delegation")
		if err != nil {
			return err
		}
		to, err := s.person(o, d.To, "delegation")
		if err != nil {
			return err
		}
		data := map[string]string{"from": from.Name, "to": to.Name, "by": me.Name, "reason": reason,
			"end": end.In(s.cal.Location()).Format("2006-01-02 15:04")}
		o.note(d.From, TplDelegationEnded, data, id+"-end")
		o.note(d.To, TplDelegationEnded, data, id+"-end")
		o.logf("delegation %s ended at %s", id, end.UTC().Format(time.RFC3339))
		return nil
	})
}

// Delegations returns the delegations from or to by (visible to both).
func (s *Service) Delegations(ctx context.Context, by string) ([]Delegation, error) {
	var out []Delegation
	err := s.view(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Delegations(ctx, by)
		return err
	})
	return out, err
}

func splitTargetID(id string) (int, string, bool) {
	var parts []string
	start := 0
	for i := 0; i < len(id); i++ {
		if id[i] == '/' {
			parts = append(parts, id[start:i])
			start = i + 1
		}
	}
	parts = append(parts, id[start:])
	if len(parts) != 3 {
		return 0, "", false
	}
	y, err := strconv.Atoi(parts[0])
	return y, parts[1], err == nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
