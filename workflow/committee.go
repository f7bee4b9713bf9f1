package workflow

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaohe/kaohe/scoring"
)

// The committee's decisions on a quota itself (CommitteeQuota). A quota
// flags two things the engine does not decide: a minimum share not met
// (S5 四(三)2: A 在 20%–30% 之间), which is never filled automatically, and a
// cap the scheme lets the committee raise up to a hard maximum (S1 第九条:
// 一般40%以内，最多不超过50%).
const (
	// QuotaRaiseCap raises a quota's cap for one scope (QuotaAction.Cap),
	// up to the scheme's hard maximum.
	QuotaRaiseCap = "raise_cap"
	// QuotaRaise raises named people (QuotaAction.People) to a quota's
	// grade to meet its minimum share. A minimum is a floor: the people
	// raised count like any other holder, and the cap still holds.
	QuotaRaise = "raise"
	// QuotaKeepShort keeps a shortfall under a minimum share, with the
	// reason (S5's "可控制在" allows it; a unit of three has no count in
	// 20%–30% at all).
	QuotaKeepShort = "keep_short"
)

// QuotaAction is the committee's decision on one quota in one scope of a
// period: Grade, Scope and Key name it as scoring.QuotaResult does.
type QuotaAction struct {
	Kind  string
	Grade string
	Scope string
	Key   string
	// Cap is the new cap (QuotaRaiseCap).
	Cap int
	// People are raised to Grade (QuotaRaise).
	People []string
	Reason string
}

// QuotaStanding is one quota of a period at the committee, with what the
// committee may still do about it.
type QuotaStanding struct {
	scoring.QuotaResult
	// Scope is the scope in Chinese: the unit's name, "办公室/一组" for a
	// 考核单元, or the organisation's name.
	ScopeName string
	// SchemeMax is the cap the scheme's share gives before any override;
	// nil without a maximum share.
	SchemeMax *int
	// HardMax is the most the committee may raise the cap to (S1's 50%);
	// 0 when the scheme lets nobody raise it.
	HardMax int
	// Short is how many people the minimum share still lacks; 0 when it is
	// met or the committee kept the shortfall (Override).
	Short int
	// Override is the committee's decision on this quota, if any.
	Override *QuotaOverride
	// Candidates are, while Short > 0, the people who may be raised to the
	// grade, next in line first: by score, then grade, then id. People
	// directly determined or capped by a sanction are not among them.
	Candidates []Candidate
}

// Candidate is a person who may be raised to a quota's grade.
type Candidate struct {
	Person string
	Name   string
	Score  *scoring.Dec
	Grade  string
}

// CommitteeQuotas returns the period's quotas as the committee sees them:
// the cap the scheme gives and the most it may be raised to, a minimum
// share not met with the people next in line, and the committee's own
// overrides (committee and HR only). Errors: ErrForbidden, ErrNotFound.
func (s *Service) CommitteeQuotas(ctx context.Context, by, periodID string) ([]QuotaStanding, error) {
	var out []QuotaStanding
	err := s.view(ctx, func(tx Tx) error {
		out = nil
		me, err := tx.Person(ctx, by)
		if err != nil || (!me.Committee && !me.HR) {
			return fmt.Errorf("%s may not see the quotas: %w", by, ErrForbidden)
		}
		period, err := tx.Period(ctx, periodID)
		if err != nil {
			return err
		}
		out, err = s.standings(ctx, tx, period)
		return err
	})
	return out, err
}

// standings computes CommitteeQuotas from stored state.
func (s *Service) standings(ctx context.Context, tx Tx, period Period) ([]QuotaStanding, error) {
	if len(period.Quotas) == 0 {
		return nil, nil
	}
	results, err := tx.Results(ctx, period.ID)
	if err != nil {
		return nil, err
	}
	var scopes map[string]map[string]string
	var names map[string]string
	units, err := unitMap(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]QuotaStanding, 0, len(period.Quotas))
	for _, q := range period.Quotas {
		st := QuotaStanding{QuotaResult: q, ScopeName: scopeName(units, q.Key)}
		if sq := s.schemeQuota(s.schemeOf(period), q.Grade, q.Scope); sq != nil {
			if sq.MaxShare != nil {
				m := shareCount(sq.MaxShare.Decimal, q.Participants, sq.CapRounding)
				st.SchemeMax = &m
				if sq.HardMaxShare != nil {
					st.HardMax = shareCount(sq.HardMaxShare.Decimal, q.Participants, sq.CapRounding)
				}
			}
		}
		if o := findOverride(period.Overrides, q.Grade, q.Scope, q.Key); o != nil {
			c := *o
			st.Override = &c
		}
		if slices.Contains(q.Flags, scoring.FlagBelowMinShare) && q.MinCount != nil &&
			(st.Override == nil || st.Override.Kind != OverrideShortfall) {
			st.Short = *q.MinCount - q.After
			if scopes == nil { // only a floor needs who counts where
				if scopes, names, err = s.quotaScopes(ctx, tx, period); err != nil {
					return nil, err
				}
			}
			st.Candidates = s.candidates(s.schemeOf(period), q, results, scopes, names)
		}
		out = append(out, st)
	}
	return out, nil
}

// quotaScopes maps each person scored in the period to the keys of the
// quota scopes they count in ("unit" → the unit key, "group" → unit/group),
// as the engine forms them, and their names.
func (s *Service) quotaScopes(ctx context.Context, tx Tx, period Period) (map[string]map[string]string, map[string]string, error) {
	in, byID, err := s.periodInput(ctx, tx, period)
	if err != nil {
		return nil, nil, err
	}
	scopes := make(map[string]map[string]string, len(in.People))
	for _, p := range in.People {
		scopes[p.ID] = map[string]string{"unit": p.Unit, "group": p.Unit + "/" + p.Group}
	}
	return scopes, personNames(byID), nil
}

// candidates lists who may be raised to q's grade within its scope: not
// someone whose grade was set or capped by a rule (a direct determination,
// a sanction, attendance the grade asks for).
func (s *Service) candidates(sc *scoring.Scheme, q scoring.QuotaResult, results []Result, scopes map[string]map[string]string, names map[string]string) []Candidate {
	top := s.gradeIndex(sc, q.Grade)
	var out []Candidate
	for _, r := range results {
		if scopes[r.Person][q.Scope] != q.Key || r.State != scoring.StateGraded || s.gradeIndex(sc, r.Grade) <= top ||
			slices.Contains(r.Flags, scoring.FlagDirect) || slices.Contains(r.Flags, scoring.FlagCapped) ||
			slices.Contains(r.Flags, scoring.FlagAttendance) {
			continue
		}
		out = append(out, Candidate{Person: r.Person, Name: names[r.Person], Score: r.Score, Grade: r.Grade})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Score != nil && b.Score != nil && !a.Score.Equal(b.Score.Decimal):
			return a.Score.GreaterThan(b.Score.Decimal)
		case (a.Score == nil) != (b.Score == nil):
			return a.Score != nil
		case a.Grade != b.Grade:
			return s.gradeIndex(sc, a.Grade) < s.gradeIndex(sc, b.Grade)
		}
		return a.Person < b.Person
	})
	return out
}

// CommitteeQuota records the committee's decision on one quota of a
// period at the committee (committee members only), scores the period
// again with it and tells nobody: the committee's card shows the new
// state. Raising the cap (QuotaRaiseCap) needs a scheme with a hard
// maximum and a count above the scheme's cap and not above the maximum;
// it replaces an earlier raise. Raising people (QuotaRaise) and keeping
// a shortfall (QuotaKeepShort) need a minimum share not met; the people
// must be among the candidates (CommitteeQuotas), not the caller. Every
// decision needs a reason; none may break a cap or push out anyone the
// committee did not name. Errors: ErrForbidden, ErrNotFound,
// ErrInvalidTransition (not at the committee), ErrInvalidInput.
func (s *Service) CommitteeQuota(ctx context.Context, by, periodID string, a QuotaAction) error {
	return s.change(ctx, by, "committee.quota", periodID, func(o *op) error {
		period, err := s.atCommittee(o, periodID, "调整名额")
		if err != nil {
			return err
		}
		stands, err := s.standings(o.ctx, o.tx, period)
		if err != nil {
			return err
		}
		var st *QuotaStanding
		for i := range stands {
			if q := stands[i]; q.Grade == a.Grade && q.Scope == a.Scope && q.Key == a.Key {
				st = &stands[i]
			}
		}
		if st == nil {
			return invalid("quota", "本期没有此名额："+a.Key+"「"+a.Grade+"」")
		}
		if err := needText("reason", a.Reason); err != nil {
			return err
		}
		named := map[string]bool{}
		override := QuotaOverride{Grade: a.Grade, Scope: a.Scope, Key: a.Key, Reason: a.Reason, By: by, At: o.now}
		switch a.Kind {
		case QuotaRaiseCap:
			if st.HardMax == 0 || st.SchemeMax == nil {
				return invalid("cap", "本方案的「"+a.Grade+"」名额不能由考核委员会提高")
			}
			if a.Cap <= *st.SchemeMax || a.Cap > st.HardMax {
				return invalid("cap", fmt.Sprintf("%s「%s」核定名额须为%d至%d人（方案名额%d人，最多%d人）",
					st.ScopeName, a.Grade, *st.SchemeMax+1, st.HardMax, *st.SchemeMax, st.HardMax))
			}
			override.Kind, override.MaxCount = OverrideCap, a.Cap
			period.Overrides = putOverride(period.Overrides, override)
			o.logf("cap %s %s %s -> %d: %s", a.Scope, a.Key, a.Grade, a.Cap, a.Reason)
		case QuotaRaise, QuotaKeepShort:
			if st.Short <= 0 {
				return invalid("quota", st.ScopeName+"「"+a.Grade+"」人数未低于下限，无需审定")
			}
			if a.Kind == QuotaKeepShort {
				override.Kind = OverrideShortfall
				period.Overrides = putOverride(period.Overrides, override)
				o.logf("keep shortfall %s %s %s (%d short): %s", a.Scope, a.Key, a.Grade, st.Short, a.Reason)
				break
			}
			if len(a.People) == 0 {
				return invalid("people", "请选择提升为「"+a.Grade+"」的人员")
			}
			for _, id := range a.People {
				if id == by {
					return forbidden("不能审定本人的等次")
				}
				if named[id] {
					return invalid("people", "同一人员重复选择")
				}
				named[id] = true
				if !slices.ContainsFunc(st.Candidates, func(c Candidate) bool { return c.Person == id }) {
					return invalid("people", "不在可提升的人员之列："+s.nameOf(o, id))
				}
				period.Decisions = putDecision(period.Decisions, scoring.Decision{Person: id, Grade: a.Grade, Reason: a.Reason})
				o.logf("%s -> %s (minimum share): %s", id, a.Grade, a.Reason)
			}
		default:
			return invalid("kind", "未知操作："+a.Kind)
		}
		if err := s.regrade(o, &period, named, "审定后"); err != nil {
			return err
		}
		period.Version++
		return o.tx.UpdatePeriod(o.ctx, period)
	})
}

// regrade scores the period again with the committee's decisions and
// refuses the result when a cap is broken or anyone the committee did not
// name lost a grade to it (the cap would move silently otherwise).
func (s *Service) regrade(o *op, period *Period, named map[string]bool, when string) error {
	sc := s.schemeOf(*period)
	before, err := o.tx.Results(o.ctx, period.ID)
	if err != nil {
		return err
	}
	res, byID, err := s.rescore(o, period)
	if err != nil {
		return err
	}
	if err := quotaBroken(res.Quotas, when); err != nil {
		return err
	}
	was := map[string]Result{}
	for _, r := range before {
		was[r.Person] = r
	}
	var pushed []string
	for _, pr := range res.People {
		old, ok := was[pr.ID]
		if !ok || named[pr.ID] || old.State != scoring.StateGraded {
			continue
		}
		var lost bool
		switch pr.State {
		case scoring.StateGraded:
			lost = s.gradeIndex(sc, pr.Grade) > s.gradeIndex(sc, old.Grade)
		case scoring.StatePending:
			// Tied again for a grade they held is a loss; tied for a
			// better one than they had (a raised cap's new line) is not.
			lost = s.gradeIndex(sc, old.Grade) <= s.gradeIndex(sc, pr.ScoreGrade)
		default:
			lost = true
		}
		if lost {
			pushed = append(pushed, byID[pr.ID].Name)
		}
	}
	if len(pushed) > 0 {
		return invalid("decisions", fmt.Sprintf("%s按名额将使%s降等，请重新审定", when, strings.Join(pushed, "、")))
	}
	return nil
}

// floorsOpen refuses confirming while a minimum share is not met and the
// committee neither raised anyone nor kept the shortfall with a reason.
func (s *Service) floorsOpen(o *op, period Period) error {
	units, err := unitMap(o.ctx, o.tx)
	if err != nil {
		return err
	}
	var open []string
	for _, q := range period.Quotas {
		if !slices.Contains(q.Flags, scoring.FlagBelowMinShare) || q.MinCount == nil {
			continue
		}
		if o := findOverride(period.Overrides, q.Grade, q.Scope, q.Key); o != nil && o.Kind == OverrideShortfall {
			continue
		}
		open = append(open, fmt.Sprintf("%s「%s」%d人，少于下限%d人", scopeName(units, q.Key), q.Grade, q.After, *q.MinCount))
	}
	if len(open) > 0 {
		return notYet(strings.Join(open, "；")+"：请提升人员或说明理由维持后再确认等次",
			"period %s: minimum shares not met: %d", period.ID, len(open))
	}
	return nil
}

// periodInput is scoreInput with the committee's raised caps, which the
// engine applies up to the scheme's hard maximum.
func (s *Service) periodInput(ctx context.Context, tx Tx, period Period) (*scoring.PeriodInput, map[string]Person, error) {
	in, byID, err := s.scoreInput(ctx, tx, period)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range period.Overrides {
		if o.Kind != OverrideCap {
			continue
		}
		if in.Committee == nil {
			in.Committee = &scoring.Committee{}
		}
		in.Committee.Overrides = append(in.Committee.Overrides, scoring.QuotaOverride{Scope: o.Scope, Key: o.Key, Grade: o.Grade,
			MaxCount: o.MaxCount, Reason: o.Reason})
	}
	return in, byID, nil
}

// schemeQuota is the scheme's quota for a grade and scope.
func (s *Service) schemeQuota(sc *scoring.Scheme, grade, scope string) *scoring.Quota {
	for i := range sc.Quotas {
		if q := &sc.Quotas[i]; q.Grade == grade && q.Scope == scope {
			return q
		}
	}
	return nil
}

// shareCount turns a share of n people into a count the way the engine
// does (scoring's capCount): "floor" (the default), "round" or "ceil".
func shareCount(share decimal.Decimal, n int, mode string) int {
	v := share.Mul(decimal.NewFromInt(int64(n)))
	switch mode {
	case "ceil":
		v = v.Ceil()
	case "round":
		v = v.Round(0)
	default:
		v = v.Floor()
	}
	return int(v.IntPart())
}

// scopeName writes a quota key in Chinese: a unit's name, "unit/group"
// with the unit's name, or the key itself (the organisation's name).
func scopeName(units map[string]Unit, key string) string {
	u, g, group := strings.Cut(key, "/")
	if x, ok := units[u]; ok && x.Name != "" {
		u = x.Name
	}
	if group {
		return u + "/" + g
	}
	return u
}

func findOverride(os []QuotaOverride, grade, scope, key string) *QuotaOverride {
	for i := range os {
		if os[i].Grade == grade && os[i].Scope == scope && os[i].Key == key {
			return &os[i]
		}
	}
	return nil
}

// putOverride replaces the override for the same quota and scope, or adds it.
func putOverride(os []QuotaOverride, o QuotaOverride) []QuotaOverride {
	for i := range os {
		if os[i].Grade == o.Grade && os[i].Scope == o.Scope && os[i].Key == o.Key {
			os[i] = o
			return os
		}
	}
	return append(os, o)
}

// putDecision replaces the decision for the same person, or adds it.
func putDecision(ds []scoring.Decision, d scoring.Decision) []scoring.Decision {
	for i := range ds {
		if ds[i].Person == d.Person {
			ds[i] = d
			return ds
		}
	}
	return append(ds, d)
}

// nameOf is a person's name for a message, or the id.
func (s *Service) nameOf(o *op, id string) string {
	if p, err := o.tx.Person(o.ctx, id); err == nil {
		return p.Name
	}
	return id
}

// CommitteeReturn sends the scores of a scorer or a unit that the period
// flags as too uniform to tell people apart (大锅饭, Period.Uniform: kind
// and key as scoring.UniformStat's) back to be scored again, before the
// committee confirms (committee members only). Every person of the group
// gets a new first step (初评, or the first step their chain has) carrying
// their current scores, so the scorer differentiates rather than starts
// over; the later steps follow as in any chain. The period goes back to
// collecting (PeriodOpen): its quotas, flags and the committee's
// decisions on them are dropped, since they rest on the old scores, and
// it comes back to the committee by itself when the chains are done
// (Tick). The scorers and HR are told, with the reason. Errors:
// ErrForbidden, ErrNotFound, ErrInvalidTransition (not at the committee),
// ErrInvalidInput (not a flagged group, no reason).
func (s *Service) CommitteeReturn(ctx context.Context, by, periodID, kind, key, reason string) error {
	return s.change(ctx, by, "committee.return", periodID, func(o *op) error {
		period, err := s.atCommittee(o, periodID, "退回重评")
		if err != nil {
			return err
		}
		var group *scoring.UniformStat
		for i := range period.Uniform {
			if u := period.Uniform[i]; u.Kind == kind && u.Key == key {
				group = &period.Uniform[i]
			}
		}
		if group == nil {
			return invalid("uniform", "只能退回评分区分度不足的评分")
		}
		if err := needText("reason", reason); err != nil {
			return err
		}
		members, err := s.uniformMembers(o, period.ID, kind, key)
		if err != nil {
			return err
		}
		if slices.Contains(members, by) {
			return forbidden("不能退回本人的考核")
		}
		people, err := o.tx.People(o.ctx)
		if err != nil {
			return err
		}
		byID := map[string]Person{}
		for _, p := range people {
			byID[p.ID] = p
		}
		// Collecting again first: createStep may only add to an open period.
		period.State = PeriodOpen
		period.Quotas, period.Uniform, period.Decisions, period.Overrides = nil, nil, nil, nil
		period.Version++
		if err := o.tx.UpdatePeriod(o.ctx, period); err != nil {
			return err
		}
		scorers := map[string]int{}
		for _, id := range members {
			a, ok, err := s.finalAssessment(o.ctx, o.tx, period.ID, id)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			n := len(o.notes)
			if err := s.createStep(o, byID[id], period.ID, 0, a); err != nil {
				return err
			}
			for _, nt := range o.notes[n:] {
				if nt.Template == TplStepAssigned && nt.Data["step"] != "" && nt.To != "" {
					o.note(nt.To, TplStepReturned, map[string]string{"step": nt.Data["step"], "person": byID[id].Name,
						"reason": reason, "by": "考核委员会"}, nt.Data["step"])
					scorers[nt.To]++
				}
			}
		}
		for _, hr := range hrPeople(people) {
			o.note(hr, TplCommitteeReturned, map[string]string{"period": period.ID, "group": group.Label, "count": strconv.Itoa(len(members)),
				"reason": reason}, period.ID, strconv.Itoa(period.Version))
		}
		o.logf("returned %s %s (%d people, %d scorers): %s", kind, key, len(members), len(scorers), reason)
		return nil
	})
}

// uniformMembers are the people of a uniformity group as uniformity forms
// them: a scorer's are those whose approved step nearest the chain's start
// (the latest pass) they were assigned; a unit's those it appraises.
func (s *Service) uniformMembers(o *op, period, kind, key string) ([]string, error) {
	results, err := o.tx.Results(o.ctx, period)
	if err != nil {
		return nil, err
	}
	steps, err := o.tx.Steps(o.ctx, StepFilter{Period: period})
	if err != nil {
		return nil, err
	}
	first := map[string]Step{}
	for _, st := range steps {
		if st.State != StepApproved {
			continue
		}
		f, ok := first[st.Person]
		if !ok || st.Index < f.Index || (st.Index == f.Index && st.Seq > f.Seq) {
			first[st.Person] = st
		}
	}
	var out []string
	for _, r := range results {
		switch kind {
		case scoring.UniformScorer:
			if st, ok := first[r.Person]; ok && st.Assignee == key {
				out = append(out, r.Person)
			}
		case scoring.UniformUnit:
			p, err := o.tx.Person(o.ctx, r.Person)
			if err != nil {
				return nil, err
			}
			if assessingUnit(p) == key {
				out = append(out, r.Person)
			}
		}
	}
	return out, nil
}
