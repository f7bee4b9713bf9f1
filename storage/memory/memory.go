// Package memory is the embedded in-process workflow.Store: the default of
// `kaohe demo` and of tests. It is safe for concurrent use; transactions run
// one at a time under a mutex and are all-or-nothing through an undo log.
// Nothing survives the process.
package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kaohe/kaohe/workflow"
)

var _ workflow.Store = (*Store)(nil)

// Store is an in-memory workflow.Store. The zero value is not usable; call New.
type Store struct {
	mu sync.Mutex
	s  *state
}

type pair struct{ a, b string }

type yearRater struct {
	year  int
	rater string
}

type fireKey struct {
	id   string
	slot int64 // UnixNano of SlotAt
}

type publicityKey struct{ period, chat, grade string }

type annualKey struct {
	year   int
	person string
}

type state struct {
	settings    *workflow.Settings
	units       map[string]workflow.Unit
	people      map[string]workflow.Person
	delegations map[string]workflow.Delegation
	targets     map[string]workflow.Target
	periods     map[string]workflow.Period
	entries     map[workflow.EntryKey]workflow.Entry
	steps       map[string]workflow.Step
	voted       map[pair]bool
	ballots     map[string][]workflow.Ballot
	yearRounds  map[int]workflow.YearRound
	yearRated   map[yearRater]bool
	yearBallots map[int][]workflow.YearBallot
	results     map[pair]workflow.Result
	reviews     map[string]workflow.Review
	annuals     map[annualKey]workflow.AnnualResult
	fires       map[fireKey]workflow.Fire
	idem        map[pair]workflow.Idempotency
	publicity   map[publicityKey]workflow.PublicityMessage
	// outbox is sorted by ID; pruning leaves gaps, so an ID is found by
	// binary search, never used as a position.
	outbox     []workflow.Notification
	outboxKeys map[string]bool
	// lastID is the last notification ID handed out: IDs keep increasing
	// after rows are pruned, as a PostgreSQL identity column does.
	lastID int64
	audit  []workflow.AuditEntry
}

// New returns an empty store.
func New() *Store {
	return &Store{s: &state{
		units:       map[string]workflow.Unit{},
		people:      map[string]workflow.Person{},
		delegations: map[string]workflow.Delegation{},
		targets:     map[string]workflow.Target{},
		periods:     map[string]workflow.Period{},
		entries:     map[workflow.EntryKey]workflow.Entry{},
		steps:       map[string]workflow.Step{},
		voted:       map[pair]bool{},
		ballots:     map[string][]workflow.Ballot{},
		yearRounds:  map[int]workflow.YearRound{},
		yearRated:   map[yearRater]bool{},
		yearBallots: map[int][]workflow.YearBallot{},
		results:     map[pair]workflow.Result{},
		reviews:     map[string]workflow.Review{},
		annuals:     map[annualKey]workflow.AnnualResult{},
		fires:       map[fireKey]workflow.Fire{},
		idem:        map[pair]workflow.Idempotency{},
		publicity:   map[publicityKey]workflow.PublicityMessage{},
		outboxKeys:  map[string]bool{},
	}}
}

// errTxDone is returned when a Tx is used after its InTx returned.
var errTxDone = errors.New("memory: transaction already finished")

// InTx implements workflow.Store. Transactions are serialized by one mutex;
// on error or panic every write is undone in reverse order.
func (m *Store) InTx(ctx context.Context, fn func(tx workflow.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &tx{s: m.s}
	defer func() {
		tx.done = true
		if r := recover(); r != nil {
			tx.rollback()
			panic(r)
		}
		if err != nil {
			tx.rollback()
		}
	}()
	return fn(tx)
}

type tx struct {
	s    *state
	undo []func()
	done bool
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *tx) check(ctx context.Context) error {
	if t.done {
		return errTxDone
	}
	return ctx.Err()
}

// set writes m[k] = v and records how to undo it.
func set[K comparable, V any](t *tx, m map[K]V, k K, v V) {
	old, had := m[k]
	t.undo = append(t.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
	m[k] = v
}

// sortedValues returns the map's values sorted by key function.
func sortedValues[K comparable, V any](m map[K]V, keep func(V) bool, less func(a, b V) int) []V {
	out := make([]V, 0)
	for _, v := range m {
		if keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, less)
	return out
}

func notFound(what string, key any) error {
	return fmt.Errorf("%s %v: %w", what, key, workflow.ErrNotFound)
}

func conflict(what string, key any) error {
	return fmt.Errorf("%s %v exists: %w", what, key, workflow.ErrConflict)
}

func stale(what string, key any, stored, next int) error {
	return fmt.Errorf("%s %v: stored version %d, update to %d: %w", what, key, stored, next, workflow.ErrStale)
}

// Settings implements workflow.Tx.
func (t *tx) Settings(ctx context.Context) (workflow.Settings, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Settings{}, err
	}
	if t.s.settings == nil {
		return workflow.Settings{}, notFound("settings", "")
	}
	return cloneSettings(*t.s.settings), nil
}

// PutSettings implements workflow.Tx.
func (t *tx) PutSettings(ctx context.Context, s workflow.Settings) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old := t.s.settings
	t.undo = append(t.undo, func() { t.s.settings = old })
	c := cloneSettings(s)
	t.s.settings = &c
	return nil
}

// Unit implements workflow.Tx.
func (t *tx) Unit(ctx context.Context, id string) (workflow.Unit, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Unit{}, err
	}
	u, ok := t.s.units[id]
	if !ok {
		return workflow.Unit{}, notFound("unit", id)
	}
	return u, nil
}

// Units implements workflow.Tx.
func (t *tx) Units(ctx context.Context) ([]workflow.Unit, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return sortedValues(t.s.units, nil, func(a, b workflow.Unit) int { return cmp.Compare(a.ID, b.ID) }), nil
}

// PutUnit implements workflow.Tx.
func (t *tx) PutUnit(ctx context.Context, u workflow.Unit) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	set(t, t.s.units, u.ID, u)
	return nil
}

// Person implements workflow.Tx.
func (t *tx) Person(ctx context.Context, id string) (workflow.Person, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Person{}, err
	}
	p, ok := t.s.people[id]
	if !ok {
		return workflow.Person{}, notFound("person", id)
	}
	return clonePerson(p), nil
}

// People implements workflow.Tx.
func (t *tx) People(ctx context.Context) ([]workflow.Person, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := sortedValues(t.s.people, nil, func(a, b workflow.Person) int { return cmp.Compare(a.ID, b.ID) })
	for i := range out {
		out[i] = clonePerson(out[i])
	}
	return out, nil
}

// CreatePerson implements workflow.Tx.
func (t *tx) CreatePerson(ctx context.Context, p workflow.Person) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.people[p.ID]; ok {
		return conflict("person", p.ID)
	}
	p.Version = 1
	set(t, t.s.people, p.ID, clonePerson(p))
	return nil
}

// UpdatePerson implements workflow.Tx.
func (t *tx) UpdatePerson(ctx context.Context, p workflow.Person) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.people[p.ID]
	if !ok {
		return notFound("person", p.ID)
	}
	if old.Version != p.Version-1 {
		return stale("person", p.ID, old.Version, p.Version)
	}
	set(t, t.s.people, p.ID, clonePerson(p))
	return nil
}

// CreateDelegation implements workflow.Tx.
func (t *tx) CreateDelegation(ctx context.Context, d workflow.Delegation) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.delegations[d.ID]; ok {
		return conflict("delegation", d.ID)
	}
	d.Start, d.End = d.Start.UTC(), d.End.UTC()
	set(t, t.s.delegations, d.ID, d)
	return nil
}

// EndDelegation implements workflow.Tx.
func (t *tx) EndDelegation(ctx context.Context, id string, at time.Time) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	d, ok := t.s.delegations[id]
	if !ok {
		return notFound("delegation", id)
	}
	if !d.End.After(at) {
		return fmt.Errorf("delegation %s already ends at %s: %w", id, d.End.Format(time.RFC3339), workflow.ErrStale)
	}
	d.End = at.UTC()
	set(t, t.s.delegations, id, d)
	return nil
}

// Delegations implements workflow.Tx.
func (t *tx) Delegations(ctx context.Context, person string) ([]workflow.Delegation, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return sortedValues(t.s.delegations,
		func(d workflow.Delegation) bool { return person == "" || d.From == person || d.To == person },
		func(a, b workflow.Delegation) int { return cmp.Compare(a.ID, b.ID) }), nil
}

// CreateTarget implements workflow.Tx.
func (t *tx) CreateTarget(ctx context.Context, tg workflow.Target) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.targets[tg.ID]; ok {
		return conflict("target", tg.ID)
	}
	tg.Version = 1
	set(t, t.s.targets, tg.ID, tg)
	return nil
}

// UpdateTarget implements workflow.Tx.
func (t *tx) UpdateTarget(ctx context.Context, tg workflow.Target) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.targets[tg.ID]
	if !ok {
		return notFound("target", tg.ID)
	}
	if old.Version != tg.Version-1 {
		return stale("target", tg.ID, old.Version, tg.Version)
	}
	set(t, t.s.targets, tg.ID, tg)
	return nil
}

// Targets implements workflow.Tx.
func (t *tx) Targets(ctx context.Context, person string, year int) ([]workflow.Target, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return sortedValues(t.s.targets,
		func(g workflow.Target) bool { return g.Person == person && g.Year == year },
		func(a, b workflow.Target) int { return cmp.Compare(a.ID, b.ID) }), nil
}

// Period implements workflow.Tx.
func (t *tx) Period(ctx context.Context, id string) (workflow.Period, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Period{}, err
	}
	p, ok := t.s.periods[id]
	if !ok {
		return workflow.Period{}, notFound("period", id)
	}
	return clonePeriod(p), nil
}

// Periods implements workflow.Tx.
func (t *tx) Periods(ctx context.Context) ([]workflow.Period, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := sortedValues(t.s.periods, nil, func(a, b workflow.Period) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for i := range out {
		out[i] = clonePeriod(out[i])
	}
	return out, nil
}

// CreatePeriod implements workflow.Tx.
func (t *tx) CreatePeriod(ctx context.Context, p workflow.Period) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.periods[p.ID]; ok {
		return conflict("period", p.ID)
	}
	p.Version = 1
	set(t, t.s.periods, p.ID, clonePeriod(p))
	return nil
}

// UpdatePeriod implements workflow.Tx.
func (t *tx) UpdatePeriod(ctx context.Context, p workflow.Period) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.periods[p.ID]
	if !ok {
		return notFound("period", p.ID)
	}
	if old.Version != p.Version-1 {
		return stale("period", p.ID, old.Version, p.Version)
	}
	set(t, t.s.periods, p.ID, clonePeriod(p))
	return nil
}

// Entry implements workflow.Tx.
func (t *tx) Entry(ctx context.Context, k workflow.EntryKey) (workflow.Entry, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Entry{}, err
	}
	e, ok := t.s.entries[k]
	if !ok {
		return workflow.Entry{}, notFound("entry", k)
	}
	return cloneEntry(e), nil
}

// Entries implements workflow.Tx.
func (t *tx) Entries(ctx context.Context, f workflow.EntryFilter) ([]workflow.Entry, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := sortedValues(t.s.entries, func(e workflow.Entry) bool {
		return (f.Kind == "" || e.Kind == f.Kind) && (f.Person == "" || e.Person == f.Person) && (f.Cycle == "" || e.Cycle == f.Cycle)
	}, func(a, b workflow.Entry) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Person, b.Person), cmp.Compare(a.Period, b.Period))
	})
	for i := range out {
		out[i] = cloneEntry(out[i])
	}
	return out, nil
}

// CreateEntry implements workflow.Tx.
func (t *tx) CreateEntry(ctx context.Context, e workflow.Entry) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.entries[e.EntryKey]; ok {
		return conflict("entry", e.EntryKey)
	}
	e.Version = 1
	e.SubmittedAt = e.SubmittedAt.UTC()
	set(t, t.s.entries, e.EntryKey, cloneEntry(e))
	return nil
}

// UpdateEntry implements workflow.Tx.
func (t *tx) UpdateEntry(ctx context.Context, e workflow.Entry) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.entries[e.EntryKey]
	if !ok {
		return notFound("entry", e.EntryKey)
	}
	if old.Version != e.Version-1 {
		return stale("entry", e.EntryKey, old.Version, e.Version)
	}
	e.SubmittedAt = e.SubmittedAt.UTC()
	set(t, t.s.entries, e.EntryKey, cloneEntry(e))
	return nil
}

// Step implements workflow.Tx.
func (t *tx) Step(ctx context.Context, id string) (workflow.Step, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Step{}, err
	}
	s, ok := t.s.steps[id]
	if !ok {
		return workflow.Step{}, notFound("step", id)
	}
	return cloneStep(s), nil
}

// Steps implements workflow.Tx.
func (t *tx) Steps(ctx context.Context, f workflow.StepFilter) ([]workflow.Step, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := sortedValues(t.s.steps, func(s workflow.Step) bool {
		return (f.Period == "" || s.Period == f.Period) && (f.Person == "" || s.Person == f.Person) &&
			(f.Assignee == "" || s.Assignee == f.Assignee) && (f.State == "" || s.State == f.State)
	}, func(a, b workflow.Step) int {
		return cmp.Or(cmp.Compare(a.Period, b.Period), cmp.Compare(a.Person, b.Person), cmp.Compare(a.Seq, b.Seq))
	})
	for i := range out {
		out[i] = cloneStep(out[i])
	}
	return out, nil
}

// CreateStep implements workflow.Tx.
func (t *tx) CreateStep(ctx context.Context, s workflow.Step) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.steps[s.ID]; ok {
		return conflict("step", s.ID)
	}
	s.Version = 1
	s.ActedAt = s.ActedAt.UTC()
	set(t, t.s.steps, s.ID, cloneStep(s))
	return nil
}

// DecideStep implements workflow.Tx.
func (t *tx) DecideStep(ctx context.Context, s workflow.Step, assigneeIn []string) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.steps[s.ID]
	if !ok {
		return notFound("step", s.ID)
	}
	switch {
	case old.State != workflow.StepPending:
		return fmt.Errorf("step %s is %s: %w", s.ID, old.State, workflow.ErrStale)
	case old.Version != s.Version-1:
		return stale("step", s.ID, old.Version, s.Version)
	case assigneeIn != nil && !slices.Contains(assigneeIn, old.Assignee):
		return fmt.Errorf("step %s assigned to %s: %w", s.ID, old.Assignee, workflow.ErrStale)
	}
	s.ActedAt = s.ActedAt.UTC()
	set(t, t.s.steps, s.ID, cloneStep(s))
	return nil
}

// MarkVoted implements workflow.Tx.
func (t *tx) MarkVoted(ctx context.Context, period, voter string) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := pair{period, voter}
	if t.s.voted[k] {
		return conflict("vote", k)
	}
	set(t, t.s.voted, k, true)
	return nil
}

// Voters implements workflow.Tx.
func (t *tx) Voters(ctx context.Context, period string) ([]string, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var out []string
	for k := range t.s.voted {
		if k.a == period {
			out = append(out, k.b)
		}
	}
	slices.Sort(out)
	return out, nil
}

// AddBallots implements workflow.Tx. Ballots are kept sorted, so their order
// says nothing about who cast them or when.
func (t *tx) AddBallots(ctx context.Context, bs []workflow.Ballot) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	for _, b := range bs {
		old := t.s.ballots[b.Period]
		next := append(slices.Clip(old), b)
		slices.SortFunc(next, compareBallot)
		set(t, t.s.ballots, b.Period, next)
	}
	return nil
}

func compareBallot(a, b workflow.Ballot) int {
	return cmp.Or(cmp.Compare(a.Target, b.Target), a.Score.Cmp(b.Score.Decimal))
}

// Ballots implements workflow.Tx.
func (t *tx) Ballots(ctx context.Context, period string) ([]workflow.Ballot, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return slices.Clone(t.s.ballots[period]), nil
}

// YearRound implements workflow.Tx.
func (t *tx) YearRound(ctx context.Context, year int) (workflow.YearRound, error) {
	if err := t.check(ctx); err != nil {
		return workflow.YearRound{}, err
	}
	r, ok := t.s.yearRounds[year]
	if !ok {
		return workflow.YearRound{}, notFound("year round", year)
	}
	return r, nil
}

// CreateYearRound implements workflow.Tx.
func (t *tx) CreateYearRound(ctx context.Context, r workflow.YearRound) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.yearRounds[r.Year]; ok {
		return conflict("year round", r.Year)
	}
	r.OpenedAt = r.OpenedAt.UTC()
	set(t, t.s.yearRounds, r.Year, r)
	return nil
}

// MarkYearRated implements workflow.Tx.
func (t *tx) MarkYearRated(ctx context.Context, year int, rater string) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := yearRater{year, rater}
	if t.s.yearRated[k] {
		return conflict("year rating", k)
	}
	set(t, t.s.yearRated, k, true)
	return nil
}

// YearRaters implements workflow.Tx.
func (t *tx) YearRaters(ctx context.Context, year int) ([]string, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var out []string
	for k := range t.s.yearRated {
		if k.year == year {
			out = append(out, k.rater)
		}
	}
	slices.Sort(out)
	return out, nil
}

// AddYearBallots implements workflow.Tx. Ballots are kept sorted, so their
// order says nothing about who cast them or when.
func (t *tx) AddYearBallots(ctx context.Context, bs []workflow.YearBallot) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	for _, b := range bs {
		old := t.s.yearBallots[b.Year]
		next := append(slices.Clip(old), b)
		slices.SortFunc(next, compareYearBallot)
		set(t, t.s.yearBallots, b.Year, next)
	}
	return nil
}

func compareYearBallot(a, b workflow.YearBallot) int {
	return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Target, b.Target), a.Score.Cmp(b.Score.Decimal))
}

// YearBallots implements workflow.Tx.
func (t *tx) YearBallots(ctx context.Context, year int) ([]workflow.YearBallot, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return slices.Clone(t.s.yearBallots[year]), nil
}

// Result implements workflow.Tx.
func (t *tx) Result(ctx context.Context, period, person string) (workflow.Result, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Result{}, err
	}
	r, ok := t.s.results[pair{period, person}]
	if !ok {
		return workflow.Result{}, notFound("result", period+"/"+person)
	}
	return cloneResult(r), nil
}

// Results implements workflow.Tx.
func (t *tx) Results(ctx context.Context, period string) ([]workflow.Result, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := sortedValues(t.s.results, func(r workflow.Result) bool { return r.Period == period },
		func(a, b workflow.Result) int { return cmp.Compare(a.Person, b.Person) })
	for i := range out {
		out[i] = cloneResult(out[i])
	}
	return out, nil
}

// PutResult implements workflow.Tx.
func (t *tx) PutResult(ctx context.Context, r workflow.Result) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := pair{r.Period, r.Person}
	old, ok := t.s.results[k]
	switch {
	case r.Version <= 1 && ok:
		return conflict("result", k)
	case r.Version <= 1:
		r.Version = 1
	case !ok:
		return notFound("result", k)
	case old.Version != r.Version-1:
		return stale("result", k, old.Version, r.Version)
	}
	set(t, t.s.results, k, cloneResult(r))
	return nil
}

// Review implements workflow.Tx.
func (t *tx) Review(ctx context.Context, id string) (workflow.Review, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Review{}, err
	}
	r, ok := t.s.reviews[id]
	if !ok {
		return workflow.Review{}, notFound("review", id)
	}
	return r, nil
}

// Reviews implements workflow.Tx.
func (t *tx) Reviews(ctx context.Context, period string) ([]workflow.Review, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return sortedValues(t.s.reviews, func(r workflow.Review) bool { return r.Period == period },
		func(a, b workflow.Review) int { return cmp.Compare(a.ID, b.ID) }), nil
}

// CreateReview implements workflow.Tx.
func (t *tx) CreateReview(ctx context.Context, r workflow.Review) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if _, ok := t.s.reviews[r.ID]; ok {
		return conflict("review", r.ID)
	}
	r.Version = 1
	r.CreatedAt = r.CreatedAt.UTC()
	set(t, t.s.reviews, r.ID, r)
	return nil
}

// UpdateReview implements workflow.Tx.
func (t *tx) UpdateReview(ctx context.Context, r workflow.Review) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, ok := t.s.reviews[r.ID]
	if !ok {
		return notFound("review", r.ID)
	}
	if old.Version != r.Version-1 {
		return stale("review", r.ID, old.Version, r.Version)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	set(t, t.s.reviews, r.ID, r)
	return nil
}

// PutAnnual implements workflow.Tx.
func (t *tx) PutAnnual(ctx context.Context, a workflow.AnnualResult) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	a.Explain = slices.Clone(a.Explain)
	set(t, t.s.annuals, annualKey{a.Year, a.Person}, a)
	return nil
}

// Annuals implements workflow.Tx.
func (t *tx) Annuals(ctx context.Context, year int) ([]workflow.AnnualResult, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	out := sortedValues(t.s.annuals, func(a workflow.AnnualResult) bool { return a.Year == year },
		func(a, b workflow.AnnualResult) int { return cmp.Compare(a.Person, b.Person) })
	for i := range out {
		out[i].Explain = slices.Clone(out[i].Explain)
	}
	return out, nil
}

// RecordFire implements workflow.Tx.
func (t *tx) RecordFire(ctx context.Context, f workflow.Fire) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := fireKey{f.ScheduleID, f.SlotAt.UnixNano()}
	if _, ok := t.s.fires[k]; ok {
		return conflict("schedule fire", fmt.Sprintf("%s@%s", f.ScheduleID, f.SlotAt.UTC().Format(time.RFC3339)))
	}
	f.SlotAt, f.FiredAt = f.SlotAt.UTC(), f.FiredAt.UTC()
	set(t, t.s.fires, k, f)
	return nil
}

// Fire implements workflow.Tx.
func (t *tx) Fire(ctx context.Context, scheduleID string, slotAt time.Time) (workflow.Fire, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Fire{}, err
	}
	f, ok := t.s.fires[fireKey{scheduleID, slotAt.UnixNano()}]
	if !ok {
		return workflow.Fire{}, notFound("schedule fire", scheduleID)
	}
	return f, nil
}

// Idempotency implements workflow.Tx.
func (t *tx) Idempotency(ctx context.Context, source, key string) (workflow.Idempotency, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Idempotency{}, err
	}
	i, ok := t.s.idem[pair{source, key}]
	if !ok {
		return workflow.Idempotency{}, notFound("idempotency key", source+"/"+key)
	}
	return i, nil
}

// SaveIdempotency implements workflow.Tx.
func (t *tx) SaveIdempotency(ctx context.Context, i workflow.Idempotency) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := pair{i.Source, i.Key}
	if _, ok := t.s.idem[k]; ok {
		return conflict("idempotency key", i.Source+"/"+i.Key)
	}
	i.CreatedAt = i.CreatedAt.UTC()
	set(t, t.s.idem, k, i)
	return nil
}

// RecordPublicity implements workflow.Tx.
func (t *tx) RecordPublicity(ctx context.Context, m workflow.PublicityMessage) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := publicityKey{m.Period, m.Chat, m.Grade}
	if _, ok := t.s.publicity[k]; ok {
		return conflict("publicity message", m.Period+"/"+m.Chat+"/"+m.Grade)
	}
	m.SentAt = m.SentAt.UTC()
	set(t, t.s.publicity, k, m)
	return nil
}

// PublicityMessages implements workflow.Tx.
func (t *tx) PublicityMessages(ctx context.Context, period string) ([]workflow.PublicityMessage, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return sortedValues(t.s.publicity, func(m workflow.PublicityMessage) bool { return m.Period == period },
		func(a, b workflow.PublicityMessage) int {
			return cmp.Or(cmp.Compare(a.Chat, b.Chat), cmp.Compare(a.Grade, b.Grade))
		}), nil
}

// Enqueue implements workflow.Tx.
func (t *tx) Enqueue(ctx context.Context, n workflow.Notification) (int64, error) {
	if err := t.check(ctx); err != nil {
		return 0, err
	}
	if t.s.outboxKeys[n.Key] {
		return 0, conflict("notification", n.Key)
	}
	t.s.lastID++
	n.ID = t.s.lastID
	n.State = workflow.NotePending
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.CreatedAt.UTC()
	n.Data = cloneMap(n.Data)
	set(t, t.s.outboxKeys, n.Key, true)
	t.s.outbox = append(t.s.outbox, n)
	t.undo = append(t.undo, func() { t.s.outbox, t.s.lastID = t.s.outbox[:len(t.s.outbox)-1], t.s.lastID-1 })
	return n.ID, nil
}

// Outbox implements workflow.Tx.
func (t *tx) Outbox(ctx context.Context, state string, afterID int64, limit int) ([]workflow.Notification, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var out []workflow.Notification
	from, found := t.s.noteIndex(afterID)
	if found {
		from++
	}
	for _, n := range t.s.outbox[from:] {
		if limit > 0 && len(out) == limit {
			break
		}
		if state == "" || n.State == state {
			n.Data = cloneMap(n.Data)
			out = append(out, n)
		}
	}
	return out, nil
}

// ClaimOutbox implements workflow.Tx. Transactions here run one at a time,
// so there is nothing to skip: the lease alone keeps relays apart.
func (t *tx) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]workflow.Notification, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var out []workflow.Notification
	for i := range t.s.outbox {
		if limit > 0 && len(out) == limit {
			break
		}
		n := t.s.outbox[i]
		if n.State != workflow.NotePending || n.NotBefore.After(now) {
			continue
		}
		t.updateNote(i, func(n *workflow.Notification) { n.NotBefore = now.Add(lease).UTC() })
		c := t.s.outbox[i]
		c.Data = cloneMap(c.Data)
		out = append(out, c)
	}
	return out, nil
}

// MarkNotification implements workflow.Tx.
func (t *tx) MarkNotification(ctx context.Context, id int64, state string, at time.Time) error {
	return t.attempt(ctx, id, at, func(cur string) bool { return state == workflow.NoteSent || cur != workflow.NoteSent },
		func(n *workflow.Notification) { n.State, n.UpdatedAt = state, at.UTC() })
}

// DeferNotification implements workflow.Tx.
func (t *tx) DeferNotification(ctx context.Context, id int64, at, retryAt time.Time) error {
	return t.attempt(ctx, id, at, func(cur string) bool { return cur == workflow.NotePending },
		func(n *workflow.Notification) { n.UpdatedAt, n.NotBefore = at.UTC(), retryAt.UTC() })
}

// StartAttempt implements workflow.Tx.
func (t *tx) StartAttempt(ctx context.Context, id int64, at time.Time) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	i, ok := t.s.noteIndex(id)
	if !ok {
		return notFound("notification", id)
	}
	if cur := t.s.outbox[i].State; cur != workflow.NotePending {
		return fmt.Errorf("notification %d is %s: %w", id, cur, workflow.ErrStale)
	}
	if t.s.outbox[i].FirstAttemptAt.IsZero() {
		t.updateNote(i, func(n *workflow.Notification) { n.FirstAttemptAt = at.UTC() })
	}
	return nil
}

// attempt counts one delivery attempt on notification id and applies f,
// if allowed says the notification's current state permits it (ErrStale
// otherwise).
func (t *tx) attempt(ctx context.Context, id int64, at time.Time, allowed func(state string) bool, f func(n *workflow.Notification)) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	i, ok := t.s.noteIndex(id)
	if !ok {
		return notFound("notification", id)
	}
	if cur := t.s.outbox[i].State; !allowed(cur) {
		return fmt.Errorf("notification %d is %s: %w", id, cur, workflow.ErrStale)
	}
	t.updateNote(i, func(n *workflow.Notification) {
		n.Attempts++
		if n.FirstAttemptAt.IsZero() {
			n.FirstAttemptAt = at.UTC()
		}
		f(n)
	})
	return nil
}

// noteIndex is where notification id is in the outbox, or where it would
// be, and whether it is there.
func (s *state) noteIndex(id int64) (int, bool) {
	return slices.BinarySearchFunc(s.outbox, id, func(n workflow.Notification, id int64) int { return cmp.Compare(n.ID, id) })
}

// Prune implements workflow.Tx. Transactions here run one at a time, so
// there are no locked rows to skip.
func (t *tx) Prune(ctx context.Context, before workflow.PruneBefore, limit int) (workflow.PruneCount, error) {
	if err := t.check(ctx); err != nil {
		return workflow.PruneCount{}, err
	}
	var c workflow.PruneCount
	full := func(n int) bool { return limit > 0 && n >= limit }
	// expired is false for a zero time (age unknown) and for a zero cutoff.
	expired := func(at, cutoff time.Time) bool { return !at.IsZero() && at.Before(cutoff) }
	for k, i := range t.s.idem {
		if full(c.Idempotency) {
			break
		}
		if expired(i.CreatedAt, before.Idempotency) {
			t.remove(k)
			c.Idempotency++
		}
	}
	kept := make([]workflow.Notification, 0, len(t.s.outbox))
	var gone []string
	for _, n := range t.s.outbox {
		switch {
		case n.State == workflow.NoteSent && !full(c.Sent) && expired(n.UpdatedAt, before.Sent):
			c.Sent++
		case n.State == workflow.NoteDead && !full(c.Dead) && expired(n.UpdatedAt, before.Dead):
			c.Dead++
		default:
			kept = append(kept, n)
			continue
		}
		gone = append(gone, n.Key)
	}
	if len(gone) == 0 {
		return c, nil
	}
	// Undo runs in reverse, so the whole old slice comes back before any
	// earlier undo uses a position in it.
	old := t.s.outbox
	t.undo = append(t.undo, func() { t.s.outbox = old })
	t.s.outbox = kept
	for _, key := range gone {
		delete(t.s.outboxKeys, key)
		t.undo = append(t.undo, func() { t.s.outboxKeys[key] = true })
	}
	return c, nil
}

// remove deletes an idempotency record and records how to undo it.
func (t *tx) remove(k pair) {
	old := t.s.idem[k]
	delete(t.s.idem, k)
	t.undo = append(t.undo, func() { t.s.idem[k] = old })
}

// updateNote changes outbox[i] in place and records how to undo it.
func (t *tx) updateNote(i int, f func(n *workflow.Notification)) {
	old := t.s.outbox[i]
	t.undo = append(t.undo, func() { t.s.outbox[i] = old })
	n := old
	f(&n)
	t.s.outbox[i] = n
}

// AppendAudit implements workflow.Tx.
func (t *tx) AppendAudit(ctx context.Context, e workflow.AuditEntry) (workflow.AuditEntry, error) {
	if err := t.check(ctx); err != nil {
		return workflow.AuditEntry{}, err
	}
	var prev *workflow.AuditEntry
	if n := len(t.s.audit); n > 0 {
		prev = &t.s.audit[n-1]
	}
	e.At = e.At.UTC()
	e = workflow.SealAudit(prev, e)
	t.s.audit = append(t.s.audit, e)
	t.undo = append(t.undo, func() { t.s.audit = t.s.audit[:len(t.s.audit)-1] })
	return e, nil
}

// Audit implements workflow.Tx.
func (t *tx) Audit(ctx context.Context, afterSeq int64, limit int) ([]workflow.AuditEntry, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	from := min(int(max(afterSeq, 0)), len(t.s.audit))
	rows := t.s.audit[from:]
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	return slices.Clone(rows), nil
}

// TamperAudit rewrites the audit row seq with fn, bypassing the chain. It
// exists so tests can prove VerifyAudit catches an edited row (docs/reliability.md
// G9); production code never calls it.
func (m *Store) TamperAudit(seq int64, fn func(*workflow.AuditEntry)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq >= 1 && seq <= int64(len(m.s.audit)) {
		fn(&m.s.audit[seq-1])
	}
}

// OutboxStats implements workflow.Monitor.
func (m *Store) OutboxStats(ctx context.Context) (workflow.OutboxStats, error) {
	if err := ctx.Err(); err != nil {
		return workflow.OutboxStats{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var st workflow.OutboxStats
	for _, n := range m.s.outbox {
		switch n.State {
		case workflow.NotePending:
			st.Pending++
			if st.OldestPending.IsZero() || n.CreatedAt.Before(st.OldestPending) {
				st.OldestPending = n.CreatedAt
			}
		case workflow.NoteDead:
			st.Dead++
		}
	}
	return st, nil
}

var _ workflow.Monitor = (*Store)(nil)

// AuditHead returns the last audit row, or workflow.ErrNotFound when the
// log is empty; serve publishes it so a truncated log is detectable.
func (m *Store) AuditHead(ctx context.Context) (workflow.AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return workflow.AuditEntry{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.s.audit) == 0 {
		return workflow.AuditEntry{}, notFound("audit head", "")
	}
	return m.s.audit[len(m.s.audit)-1], nil
}
