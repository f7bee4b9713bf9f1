package memory

import (
	"maps"
	"slices"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

// The clone functions copy every slice and map, so values handed in and out
// of the store never share memory with what it holds.

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func cloneDec(d *scoring.Dec) *scoring.Dec {
	if d == nil {
		return nil
	}
	c := *d
	return &c
}

func cloneSettings(s workflow.Settings) workflow.Settings {
	s.PublicChats = slices.Clone(s.PublicChats)
	return s
}

func clonePerson(p workflow.Person) workflow.Person {
	p.Absences = slices.Clone(p.Absences)
	p.VoteGroups = slices.Clone(p.VoteGroups)
	return p
}

func clonePeriod(p workflow.Period) workflow.Period {
	p.Decisions = slices.Clone(p.Decisions)
	p.Overrides = slices.Clone(p.Overrides)
	p.Quotas = slices.Clone(p.Quotas)
	for i := range p.Quotas {
		q := &p.Quotas[i]
		q.Demoted, q.Tied, q.Flags = slices.Clone(q.Demoted), slices.Clone(q.Tied), slices.Clone(q.Flags)
	}
	p.Statuses = maps.Clone(p.Statuses)
	p.Outside = maps.Clone(p.Outside)
	p.Uniform = slices.Clone(p.Uniform)
	for i := range p.Uniform {
		u := &p.Uniform[i]
		u.Crossed = slices.Clone(u.Crossed)
		u.Mean, u.Stdev, u.Range, u.TopPercent = cloneDec(u.Mean), cloneDec(u.Stdev), cloneDec(u.Range), cloneDec(u.TopPercent)
	}
	p.PublishedAt = p.PublishedAt.UTC()
	return p
}

func cloneEntry(e workflow.Entry) workflow.Entry {
	e.Body.Tasks = slices.Clone(e.Body.Tasks)
	e.Body.Unfinished = slices.Clone(e.Body.Unfinished)
	e.Body.Leave = slices.Clone(e.Body.Leave)
	return e
}

func cloneAssessment(a workflow.Assessment) workflow.Assessment {
	a.Indicators = cloneMap(a.Indicators)
	a.Adjustments = slices.Clone(a.Adjustments)
	if a.Score != nil {
		s := *a.Score
		a.Score = &s
	}
	if a.Direct != nil {
		d := *a.Direct
		a.Direct = &d
	}
	if a.Refusal != nil {
		f := *a.Refusal
		a.Refusal = &f
	}
	return a
}

func cloneStep(s workflow.Step) workflow.Step {
	s.Assessment = cloneAssessment(s.Assessment)
	return s
}

func cloneResult(r workflow.Result) workflow.Result {
	r.Flags = slices.Clone(r.Flags)
	r.Explain = slices.Clone(r.Explain)
	if r.Score != nil {
		s := *r.Score
		r.Score = &s
	}
	if r.Feedback != nil {
		f := *r.Feedback
		f.At = f.At.UTC()
		r.Feedback = &f
	}
	return r
}
