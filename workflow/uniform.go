package workflow

import (
	"slices"
	"strings"

	"github.com/kaohe/kaohe/scoring"
)

// uniformity finds the scorers and units whose scores in res are too
// uniform to tell people apart (大锅饭, Config.Uniformity) and returns
// those that crossed a threshold, scorers first. A scorer is the assignee
// of the first step of a person's chain, the step that made the scores
// (Assessment is "set by the first step"); the latest pass counts when a
// send-back ran the chain again. A unit is the one that appraises the
// person (assessingUnit), always per 科室, whatever Config.QuotaPerUnit
// says: a quota's scope is not a scorer. A unit whose people are exactly
// one scorer's is left out, as the scorer's line says the same and names
// who scored.
func (s *Service) uniformity(o *op, period string, res *scoring.PeriodResult) ([]scoring.UniformStat, error) {
	if s.cfg.Uniformity.Off {
		return nil, nil
	}
	people, err := o.tx.People(o.ctx)
	if err != nil {
		return nil, err
	}
	units, err := unitMap(o.ctx, o.tx)
	if err != nil {
		return nil, err
	}
	steps, err := o.tx.Steps(o.ctx, StepFilter{Period: period})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Person, len(people))
	for _, p := range people {
		byID[p.ID] = p
	}
	first := map[string]Step{} // person → the approved step nearest the chain's start
	for _, st := range steps {
		if st.State != StepApproved {
			continue
		}
		f, ok := first[st.Person]
		if !ok || st.Index < f.Index || (st.Index == f.Index && st.Seq > f.Seq) {
			first[st.Person] = st
		}
	}
	scorers, unitPeople := map[string][]string{}, map[string][]string{}
	for _, pr := range res.People {
		if st, ok := first[pr.ID]; ok && st.Assignee != "" {
			scorers[st.Assignee] = append(scorers[st.Assignee], pr.ID)
		}
		if p, ok := byID[pr.ID]; ok {
			u := assessingUnit(p)
			unitPeople[u] = append(unitPeople[u], pr.ID)
		}
	}
	unitName := func(id string) string {
		if u, ok := units[id]; ok && u.Name != "" {
			return u.Name
		}
		return id
	}
	var groups []scoring.UniformGroup
	same := map[string]bool{}
	for _, id := range sortedKeys(scorers) {
		label := id
		if p, ok := byID[id]; ok {
			label = p.Name
			if p.Unit != "" {
				label += "（" + unitName(p.Unit) + "）"
			}
		}
		groups = append(groups, scoring.UniformGroup{Kind: scoring.UniformScorer, Key: id, Label: label, People: scorers[id]})
		same[memberKey(scorers[id])] = true
	}
	for _, id := range sortedKeys(unitPeople) {
		if same[memberKey(unitPeople[id])] {
			continue
		}
		groups = append(groups, scoring.UniformGroup{Kind: scoring.UniformUnit, Key: id, Label: unitName(id), People: unitPeople[id]})
	}
	var out []scoring.UniformStat
	for _, st := range scoring.Uniformity(s.schemeOfID(period), res, groups, s.cfg.Uniformity) {
		if st.Flagged() {
			out = append(out, st)
			o.logf("scores too uniform: %s %s %v", st.Kind, st.Key, st.Crossed)
		}
	}
	return out, nil
}

// memberKey identifies a set of person ids whatever their order.
func memberKey(ids []string) string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return strings.Join(s, "\x1f")
}
