package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// One organisation may hold units under different schemes (a 窗口单位 run
// monthly under S4 注意事项1 next to quarterly units; units under S5 next to
// units under S4). Every period runs under exactly one scheme: its people
// are the people of the units under that scheme, its quotas, committee
// card, 公示 and 备案 are that scheme's alone, so two schemes' people never
// share a quota. The functions in this file are the one place that says
// which scheme applies; everything else asks them.
//
// Period ids: a period of the organisation's default scheme keeps the
// plain id ("2026-Q3", "2026-09"); a period of any other scheme carries
// the scheme's id after an "@" ("2026-Q3@s5", "2026-09@s4-month"), so that
// two schemes with the same cycle each have their own period and the id
// alone says which scheme a card, a command or an export is about.

// schemeSep separates a period's cycle from its scheme in a period id.
const schemeSep = "@"

// normScheme is the canonical form of a scheme id (ids are compared
// without regard to case: HR's command text is upper-cased).
func normScheme(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// defaultSchemeID is the id of the organisation's default scheme.
func (s *Service) defaultSchemeID() string { return normScheme(s.scheme.ID) }

// schemeByID returns the scheme with id ("" is the default). A period
// opened under a scheme the configuration no longer holds is read under the
// default scheme, and the fallback is logged: the period's stored results
// still say what was decided.
func (s *Service) schemeByID(id string) *scoring.Scheme {
	id = normScheme(id)
	if id == "" || id == s.defaultSchemeID() {
		return s.scheme
	}
	if sc, ok := s.schemes[id]; ok {
		return sc
	}
	s.log.Warn("scheme not configured; using the default scheme", "scheme", id, "default", s.scheme.ID)
	return s.scheme
}

// HasScheme reports whether id names a scheme the service holds.
func (s *Service) HasScheme(id string) bool {
	id = normScheme(id)
	_, ok := s.schemes[id]
	return id == "" || id == s.defaultSchemeID() || ok
}

// SchemeIDs lists the ids of the schemes the service holds, the default
// first.
func (s *Service) SchemeIDs() []string {
	out := []string{s.defaultSchemeID()}
	for id := range s.schemes {
		if id != out[0] {
			out = append(out, id)
		}
	}
	slices.Sort(out[1:])
	return out
}

// schemeOf is the scheme a period runs under: the scheme recorded when it
// was opened (Period.Scheme), so that a later change of configuration does
// not re-grade history.
func (s *Service) schemeOf(p Period) *scoring.Scheme {
	if p.Scheme != "" {
		return s.schemeByID(p.Scheme)
	}
	_, id := splitPeriodID(p.ID)
	return s.schemeByID(id)
}

// schemeOfID is schemeOf for a period known only by its id.
func (s *Service) schemeOfID(periodID string) *scoring.Scheme {
	_, id := splitPeriodID(periodID)
	return s.schemeByID(id)
}

// unitSchemeID is the canonical id of the scheme unit u is under.
func (s *Service) unitSchemeID(u Unit) string {
	if id, ok := s.cfg.UnitSchemes[u.ID]; ok {
		return normScheme(id)
	}
	if id := normScheme(u.Scheme); id != "" {
		return id
	}
	return s.defaultSchemeID()
}

// unitSchemes maps every unit id to the canonical id of its scheme.
func (s *Service) unitSchemes(ctx context.Context, tx Tx) (map[string]string, error) {
	units, err := tx.Units(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(units))
	for _, u := range units {
		out[u.ID] = s.unitSchemeID(u)
	}
	return out, nil
}

// personSchemeID is the canonical id of the scheme a person is appraised
// under: that of the unit that assesses them (the receiving unit of a
// seconded person, assessingUnit).
func (s *Service) personSchemeID(p Person, units map[string]string) string {
	if id, ok := units[assessingUnit(p)]; ok {
		return id
	}
	return s.defaultSchemeID()
}

// personScheme returns the scheme a person is appraised under.
func (s *Service) personScheme(ctx context.Context, tx Tx, p Person) (*scoring.Scheme, string, error) {
	units, err := s.unitSchemes(ctx, tx)
	if err != nil {
		return nil, "", err
	}
	id := s.personSchemeID(p, units)
	return s.schemeByID(id), id, nil
}

// PersonScheme is the scheme person id is appraised under (their
// assessing unit's), for cards that offer what that scheme knows (the
// person card's leave and sanction kinds). ErrNotFound for an unknown id.
func (s *Service) PersonScheme(ctx context.Context, id string) (*scoring.Scheme, error) {
	var out *scoring.Scheme
	err := s.view(ctx, func(tx Tx) error {
		p, err := tx.Person(ctx, id)
		if err != nil {
			return err
		}
		out, _, err = s.personScheme(ctx, tx, p)
		return err
	})
	return out, err
}

// periodSchemeID is the canonical scheme id of a period.
func (s *Service) periodSchemeID(p Period) string {
	if p.Scheme != "" {
		return normScheme(p.Scheme)
	}
	_, id := splitPeriodID(p.ID)
	if id == "" {
		return s.defaultSchemeID()
	}
	return id
}

// periodPeople returns everyone, with the people appraised under another
// scheme than the period's marked not assessed: they stay in the list (a
// leader, HR or a committee member of one scheme acts on another's
// period), and every rule that asks who is in scope leaves them out. A
// year is its scheme's as a quarter is. A closed period keeps its own
// list (Period.Statuses) whatever the units' schemes are today.
func (s *Service) periodPeople(ctx context.Context, tx Tx, p Period) ([]Person, error) {
	people, err := tx.People(ctx)
	if err != nil {
		return nil, err
	}
	if p.Statuses != nil {
		return people, nil
	}
	units, err := s.unitSchemes(ctx, tx)
	if err != nil {
		return nil, err
	}
	want := s.periodSchemeID(p)
	for i := range people {
		if s.personSchemeID(people[i], units) != want {
			people[i].Assessed = false
		}
	}
	return people, nil
}

// periodPeopleID is periodPeople for a period known by its id; an id not
// opened yet is taken as a period of its scheme.
func (s *Service) periodPeopleID(ctx context.Context, tx Tx, id string) ([]Person, error) {
	p, err := tx.Period(ctx, id)
	if err != nil {
		p = Period{ID: id}
	}
	return s.periodPeople(ctx, tx, p)
}

// PeriodID is the id of the period of cycle cp under scheme (canonical or
// ""): the plain cycle id for the default scheme, else "<cycle>@<scheme>".
func (s *Service) PeriodID(cp calendar.Period, scheme string) string {
	scheme = normScheme(scheme)
	if scheme == "" || scheme == s.defaultSchemeID() {
		return cp.String()
	}
	return cp.String() + schemeSep + scheme
}

// splitPeriodID splits a period id into its cycle and its scheme id
// (canonical; "" for the default scheme's plain id).
func splitPeriodID(id string) (cycle, scheme string) {
	cycle, scheme, _ = strings.Cut(id, schemeSep)
	return cycle, normScheme(scheme)
}

// parsePeriodID parses a period id into its calendar period and its scheme
// id ("" for the default scheme).
func parsePeriodID(id string) (calendar.Period, string, error) {
	cycle, scheme := splitPeriodID(id)
	cp, err := calendar.ParsePeriod(cycle)
	if err != nil {
		return calendar.Period{}, "", fmt.Errorf("period id %q: %w", id, err)
	}
	return cp, scheme, nil
}

// CanonicalPeriodID is a period id as HR may type it ("2026-q3@S5") in the
// form periods are stored under ("2026-Q3@s5").
func CanonicalPeriodID(id string) string {
	cycle, scheme := splitPeriodID(strings.TrimSpace(id))
	cycle = strings.ToUpper(strings.TrimSpace(cycle))
	if scheme == "" {
		return cycle
	}
	return cycle + schemeSep + scheme
}

// ParsePeriodID is parsePeriodID for adapters (exports, the CLI): the
// calendar period of a period id and its scheme id ("" for the default).
func ParsePeriodID(id string) (calendar.Period, string, error) { return parsePeriodID(id) }

// cycleKindOf is the calendar kind of a scheme's appraisal period.
func cycleKindOf(sc *scoring.Scheme) calendar.PeriodKind {
	if sc.Cycle == KindMonth {
		return calendar.Month
	}
	return calendar.Quarter
}

// periodKindOf is the Period.Kind of a scheme's periods.
func periodKindOf(sc *scoring.Scheme) string {
	if sc.Cycle == KindMonth {
		return KindMonth
	}
	return KindQuarter
}

// activeSchemes lists the canonical ids of the schemes that have someone
// assessed under them today, the default first.
func (s *Service) activeSchemes(ctx context.Context, tx Tx) ([]string, error) {
	people, err := tx.People(ctx)
	if err != nil {
		return nil, err
	}
	units, err := s.unitSchemes(ctx, tx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range people {
		if p.Assessed {
			seen[s.personSchemeID(p, units)] = true
		}
	}
	var out []string
	for _, id := range s.SchemeIDs() {
		if seen[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// votesIn reports whether a period under sc runs 民主测评: as configured
// (Config.Votes), else when sc has a "votes" source.
func (s *Service) votesIn(sc *scoring.Scheme) bool {
	if !s.votesAuto {
		return *s.cfg.Votes
	}
	return schemeHasVotes(sc)
}

// schemeHasVotes reports whether a scheme has a "votes" source.
func schemeHasVotes(sc *scoring.Scheme) bool {
	for _, r := range sc.Raters {
		for _, src := range r.Sources {
			if src.Kind == "votes" {
				return true
			}
		}
	}
	return false
}
