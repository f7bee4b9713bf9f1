package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/kaohe/kaohe/workflow"
)

// queryAll runs sql and scans every row with scan.
func queryAll[T any](ctx context.Context, t *tx, scan func(scanner) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, t.fail(err)
	}
	defer rows.Close()
	out := make([]T, 0)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.fail(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(err)
	}
	return out, nil
}

// create runs an INSERT … ON CONFLICT DO NOTHING: no row inserted means the
// key exists. A plain INSERT would abort the whole transaction on the
// unique violation, and callers carry on after ErrConflict.
func (t *tx) create(ctx context.Context, what string, key any, sql string, args ...any) error {
	tag, err := t.tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("create %s %v: %w", what, key, t.fail(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s %v exists: %w", what, key, workflow.ErrConflict)
	}
	return nil
}

// update runs a compare-and-set UPDATE (… WHERE key AND version = next-1);
// when it changes nothing, probe (SELECT version … WHERE key) tells a
// missing row (ErrNotFound) from a stale version (ErrStale).
func (t *tx) update(ctx context.Context, what string, key any, next int, probe string, probeArgs []any, sql string, args ...any) error {
	tag, err := t.tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("update %s %v: %w", what, key, t.fail(err))
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var stored int
	if err := t.tx.QueryRow(ctx, probe, probeArgs...).Scan(&stored); err != nil {
		return fmt.Errorf("update %s %v: %w", what, key, t.fail(err))
	}
	return fmt.Errorf("%s %v: stored version %d, update to %d: %w", what, key, stored, next, workflow.ErrStale)
}

// get wraps a single-row read's error with what was read.
func (t *tx) get(what string, key any, err error) error {
	return fmt.Errorf("%s %v: %w", what, key, t.fail(err))
}

// Settings implements workflow.Tx.
func (t *tx) Settings(ctx context.Context) (workflow.Settings, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Settings{}, err
	}
	var s workflow.Settings
	err := t.tx.QueryRow(ctx, `SELECT name, head, public_chats, version FROM settings`).Scan(&s.Name, &s.Head, &s.PublicChats, &s.Version)
	if err != nil {
		return workflow.Settings{}, t.get("settings", "", err)
	}
	return s, nil
}

// PutSettings implements workflow.Tx.
func (t *tx) PutSettings(ctx context.Context, s workflow.Settings) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO settings (name, head, public_chats, version) VALUES ($1, $2, $3, $4)
		ON CONFLICT (singleton) DO UPDATE SET name = excluded.name, head = excluded.head,
			public_chats = excluded.public_chats, version = excluded.version`,
		s.Name, s.Head, s.PublicChats, s.Version)
	if err != nil {
		return fmt.Errorf("put settings: %w", t.fail(err))
	}
	return nil
}

func scanUnit(s scanner) (workflow.Unit, error) {
	var u workflow.Unit
	err := s.Scan(&u.ID, &u.Name, &u.Leader, &u.Supervisor, &u.Scheme)
	return u, err
}

// Unit implements workflow.Tx.
func (t *tx) Unit(ctx context.Context, id string) (workflow.Unit, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Unit{}, err
	}
	u, err := scanUnit(t.tx.QueryRow(ctx, `SELECT id, name, leader, supervisor, scheme FROM units WHERE id = $1`, id))
	if err != nil {
		return workflow.Unit{}, t.get("unit", id, err)
	}
	return u, nil
}

// Units implements workflow.Tx.
func (t *tx) Units(ctx context.Context) ([]workflow.Unit, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanUnit, `SELECT id, name, leader, supervisor, scheme FROM units ORDER BY id`)
}

// PutUnit implements workflow.Tx.
func (t *tx) PutUnit(ctx context.Context, u workflow.Unit) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO units (id, name, leader, supervisor, scheme) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, leader = excluded.leader, supervisor = excluded.supervisor,
			scheme = excluded.scheme`,
		u.ID, u.Name, u.Leader, u.Supervisor, u.Scheme)
	if err != nil {
		return fmt.Errorf("put unit %s: %w", u.ID, t.fail(err))
	}
	return nil
}

// Person implements workflow.Tx.
func (t *tx) Person(ctx context.Context, id string) (workflow.Person, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Person{}, err
	}
	p, err := scanPerson(t.tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = $1`, id))
	if err != nil {
		return workflow.Person{}, t.get("person", id, err)
	}
	return p, nil
}

// People implements workflow.Tx.
func (t *tx) People(ctx context.Context) ([]workflow.Person, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanPerson, `SELECT `+personColumns+` FROM people ORDER BY id`)
}

// CreatePerson implements workflow.Tx.
func (t *tx) CreatePerson(ctx context.Context, p workflow.Person) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	p.Version = 1
	r, err := toPersonRow(p)
	if err != nil {
		return fmt.Errorf("create person %s: %w", p.ID, err)
	}
	return t.create(ctx, "person", p.ID, `INSERT INTO people (`+personColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING`, r.args()...)
}

// UpdatePerson implements workflow.Tx.
func (t *tx) UpdatePerson(ctx context.Context, p workflow.Person) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	r, err := toPersonRow(p)
	if err != nil {
		return fmt.Errorf("update person %s: %w", p.ID, err)
	}
	return t.update(ctx, "person", p.ID, p.Version, `SELECT version FROM people WHERE id = $1`, []any{p.ID},
		`UPDATE people SET name = $2, unit = $3, assessed_by = $4, grp = $5, tier = $6, frontline = $7, hr = $8,
			committee = $9, assessed = $10, status = $11, absences = $12, version = $13, vote_groups = $14
		WHERE id = $1 AND version = $13 - 1`, r.args()...)
}

func scanDelegation(s scanner) (workflow.Delegation, error) {
	var d workflow.Delegation
	var start, end *time.Time
	if err := s.Scan(&d.ID, &d.From, &d.To, &start, &end); err != nil {
		return workflow.Delegation{}, err
	}
	d.Start, d.End = tsOut(start), tsOut(end)
	return d, nil
}

// CreateDelegation implements workflow.Tx.
func (t *tx) CreateDelegation(ctx context.Context, d workflow.Delegation) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.create(ctx, "delegation", d.ID, `INSERT INTO delegations (id, from_id, to_id, starts_at, ends_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, d.ID, d.From, d.To, tsIn(d.Start), tsIn(d.End))
}

// EndDelegation implements workflow.Tx.
func (t *tx) EndDelegation(ctx context.Context, id string, at time.Time) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx, `UPDATE delegations SET ends_at = $2 WHERE id = $1 AND ends_at > $2`, id, tsIn(at))
	if err != nil {
		return fmt.Errorf("end delegation %s: %w", id, t.fail(err))
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var n int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM delegations WHERE id = $1`, id).Scan(&n); err != nil {
		return fmt.Errorf("end delegation %s: %w", id, t.fail(err))
	}
	if n == 0 {
		return fmt.Errorf("delegation %s: %w", id, workflow.ErrNotFound)
	}
	return fmt.Errorf("delegation %s already ends at or before %s: %w", id, at.UTC().Format(time.RFC3339), workflow.ErrStale)
}

// Delegations implements workflow.Tx.
func (t *tx) Delegations(ctx context.Context, person string) ([]workflow.Delegation, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanDelegation, `SELECT id, from_id, to_id, starts_at, ends_at FROM delegations
		WHERE $1 = '' OR from_id = $1 OR to_id = $1 ORDER BY id`, person)
}

// CreateTarget implements workflow.Tx.
func (t *tx) CreateTarget(ctx context.Context, g workflow.Target) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	g.Version = 1
	return t.create(ctx, "target", g.ID, `INSERT INTO targets (`+targetColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (id) DO NOTHING`, targetArgs(g)...)
}

// UpdateTarget implements workflow.Tx.
func (t *tx) UpdateTarget(ctx context.Context, g workflow.Target) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.update(ctx, "target", g.ID, g.Version, `SELECT version FROM targets WHERE id = $1`, []any{g.ID},
		`UPDATE targets SET person = $2, year = $3, title = $4, quantity = $5, deadline = $6, standard = $7,
			is_lead = $8, state = $9, approved_by = $10, done_on = $11, version = $12,
			reviewed_by = $13, returned_by = $14, return_level = $15, return_reason = $16, exceeded = $17
		WHERE id = $1 AND version = $12 - 1`, targetArgs(g)...)
}

// Targets implements workflow.Tx.
func (t *tx) Targets(ctx context.Context, person string, year int) ([]workflow.Target, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanTarget, `SELECT `+targetColumns+` FROM targets WHERE person = $1 AND year = $2 ORDER BY id`, person, year)
}

// Period implements workflow.Tx.
func (t *tx) Period(ctx context.Context, id string) (workflow.Period, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Period{}, err
	}
	p, err := scanPeriod(t.tx.QueryRow(ctx, `SELECT `+periodColumns+` FROM periods WHERE id = $1`, id))
	if err != nil {
		return workflow.Period{}, t.get("period", id, err)
	}
	return p, nil
}

// Periods implements workflow.Tx. An unset Start sorts first, as the zero
// Date does in the memory store.
func (t *tx) Periods(ctx context.Context) ([]workflow.Period, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanPeriod, `SELECT `+periodColumns+` FROM periods ORDER BY start_on NULLS FIRST, id`)
}

// CreatePeriod implements workflow.Tx.
func (t *tx) CreatePeriod(ctx context.Context, p workflow.Period) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	p.Version = 1
	args, err := periodArgs(p)
	if err != nil {
		return fmt.Errorf("create period %s: %w", p.ID, err)
	}
	return t.create(ctx, "period", p.ID, `INSERT INTO periods (`+periodColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) ON CONFLICT (id) DO NOTHING`, args...)
}

// UpdatePeriod implements workflow.Tx.
func (t *tx) UpdatePeriod(ctx context.Context, p workflow.Period) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	args, err := periodArgs(p)
	if err != nil {
		return fmt.Errorf("update period %s: %w", p.ID, err)
	}
	return t.update(ctx, "period", p.ID, p.Version, `SELECT version FROM periods WHERE id = $1`, []any{p.ID},
		`UPDATE periods SET kind = $2, start_on = $3, end_on = $4, state = $5, summary_due = $6, filing_due = $7,
			decisions = $8, quotas = $9, published_at = $10, publicity_end = $11, review_end = $12, filed_at = $13,
			version = $14, uniform = $15, statuses = $16, overrides = $17, outside = $18, scheme = $19
		WHERE id = $1 AND version = $14 - 1`, args...)
}

// Entry implements workflow.Tx.
func (t *tx) Entry(ctx context.Context, k workflow.EntryKey) (workflow.Entry, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Entry{}, err
	}
	e, err := scanEntry(t.tx.QueryRow(ctx, `SELECT `+entryColumns+` FROM entries WHERE kind = $1 AND person = $2 AND period = $3`,
		k.Kind, k.Person, k.Period))
	if err != nil {
		return workflow.Entry{}, t.get("entry", k, err)
	}
	return e, nil
}

// Entries implements workflow.Tx.
func (t *tx) Entries(ctx context.Context, f workflow.EntryFilter) ([]workflow.Entry, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanEntry, `SELECT `+entryColumns+` FROM entries
		WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR person = $2) AND ($3 = '' OR cycle = $3)
		ORDER BY kind, person, period`, f.Kind, f.Person, f.Cycle)
}

// CreateEntry implements workflow.Tx.
func (t *tx) CreateEntry(ctx context.Context, e workflow.Entry) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	e.Version = 1
	args, err := entryArgs(e)
	if err != nil {
		return fmt.Errorf("create entry %v: %w", e.EntryKey, err)
	}
	return t.create(ctx, "entry", e.EntryKey, `INSERT INTO entries (`+entryColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (kind, person, period) DO NOTHING`, args...)
}

// UpdateEntry implements workflow.Tx.
func (t *tx) UpdateEntry(ctx context.Context, e workflow.Entry) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	args, err := entryArgs(e)
	if err != nil {
		return fmt.Errorf("update entry %v: %w", e.EntryKey, err)
	}
	return t.update(ctx, "entry", e.EntryKey, e.Version,
		`SELECT version FROM entries WHERE kind = $1 AND person = $2 AND period = $3`, []any{e.Kind, e.Person, e.Period},
		`UPDATE entries SET cycle = $4, state = $5, body = $6, comment = $7, comment_by = $8, reason = $9,
			submitted_at = $10, version = $11
		WHERE kind = $1 AND person = $2 AND period = $3 AND version = $11 - 1`, args...)
}

// Step implements workflow.Tx.
func (t *tx) Step(ctx context.Context, id string) (workflow.Step, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Step{}, err
	}
	s, err := scanStep(t.tx.QueryRow(ctx, `SELECT `+stepColumns+` FROM steps WHERE id = $1`, id))
	if err != nil {
		return workflow.Step{}, t.get("step", id, err)
	}
	return s, nil
}

// Steps implements workflow.Tx.
func (t *tx) Steps(ctx context.Context, f workflow.StepFilter) ([]workflow.Step, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanStep, `SELECT `+stepColumns+` FROM steps
		WHERE ($1 = '' OR period = $1) AND ($2 = '' OR person = $2) AND ($3 = '' OR assignee = $3) AND ($4 = '' OR state = $4)
		ORDER BY period, person, seq`, f.Period, f.Person, f.Assignee, f.State)
}

// CreateStep implements workflow.Tx.
func (t *tx) CreateStep(ctx context.Context, s workflow.Step) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	s.Version = 1
	args, err := stepArgs(s)
	if err != nil {
		return fmt.Errorf("create step %s: %w", s.ID, err)
	}
	return t.create(ctx, "step", s.ID, `INSERT INTO steps (`+stepColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (id) DO NOTHING`, args...)
}

// DecideStep implements workflow.Tx: the whole check is in the UPDATE's
// WHERE, so two deciders cannot both pass it (docs/reliability.md §2).
func (t *tx) DecideStep(ctx context.Context, s workflow.Step, assigneeIn []string) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	args, err := stepArgs(s)
	if err != nil {
		return fmt.Errorf("decide step %s: %w", s.ID, err)
	}
	// A nil slice is sent as NULL, which skips the assignee check; an
	// empty one matches nobody, as slices.Contains does.
	tag, err := t.tx.Exec(ctx, `UPDATE steps SET period = $2, person = $3, seq = $4, idx = $5, role = $6, name = $7,
			assignee = $8, state = $9, due = $10, assessment = $11, reason = $12, acted_by = $13, acted_at = $14,
			version = $15
		WHERE id = $1 AND state = 'pending' AND version = $15 - 1 AND ($16::text[] IS NULL OR assignee = ANY ($16::text[]))`,
		append(args, assigneeIn)...)
	if err != nil {
		return fmt.Errorf("decide step %s: %w", s.ID, t.fail(err))
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var state, assignee string
	var version int
	if err := t.tx.QueryRow(ctx, `SELECT state, version, assignee FROM steps WHERE id = $1`, s.ID).Scan(&state, &version, &assignee); err != nil {
		return fmt.Errorf("decide step %s: %w", s.ID, t.fail(err))
	}
	switch {
	case state != workflow.StepPending:
		return fmt.Errorf("step %s is %s: %w", s.ID, state, workflow.ErrStale)
	case version != s.Version-1:
		return fmt.Errorf("step %s: stored version %d, update to %d: %w", s.ID, version, s.Version, workflow.ErrStale)
	default:
		return fmt.Errorf("step %s assigned to %s: %w", s.ID, assignee, workflow.ErrStale)
	}
}

// MarkVoted implements workflow.Tx. The period's one row of voters is
// rewritten, sorted, on every vote, so no row, position or row version
// belongs to one voter (see the package documentation).
func (t *tx) MarkVoted(ctx context.Context, period, voter string) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO vote_marks AS v (period, voters) VALUES ($1, ARRAY[$2::text])
		ON CONFLICT (period) DO UPDATE
			SET voters = (SELECT array_agg(x ORDER BY x COLLATE "C") FROM unnest(v.voters || $2::text) AS x)
			WHERE NOT ($2::text = ANY (v.voters))`, period, voter)
	if err != nil {
		return fmt.Errorf("mark voted in %s: %w", period, t.fail(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("vote {%s %s} exists: %w", period, voter, workflow.ErrConflict)
	}
	return nil
}

// Voters implements workflow.Tx.
func (t *tx) Voters(ctx context.Context, period string) ([]string, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var voters []string
	err := t.tx.QueryRow(ctx, `SELECT voters FROM vote_marks WHERE period = $1`, period).Scan(&voters)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("voters of %s: %w", period, t.fail(err))
	}
	return voters, nil
}

// AddBallots implements workflow.Tx. Each period's ballots are one row,
// rebuilt whole and sorted by target and score on every call: the row
// version a vote leaves holds every ballot so far, so neither it nor its
// system columns single out the ballots this vote added.
func (t *tx) AddBallots(ctx context.Context, bs []workflow.Ballot) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	byPeriod := map[string][]workflow.Ballot{}
	for _, b := range bs {
		byPeriod[b.Period] = append(byPeriod[b.Period], b)
	}
	periods := slices.Sorted(func(yield func(string) bool) {
		for p := range byPeriod {
			if !yield(p) {
				return
			}
		}
	})
	for _, p := range periods {
		var targets, scores []string
		for _, b := range byPeriod[p] {
			targets = append(targets, b.Target)
			// Canonical digits (85.50 is stored as 85.5): how a voter
			// writes numbers must not mark their ballots as theirs.
			scores = append(scores, b.Score.String())
		}
		_, err := t.tx.Exec(ctx, `INSERT INTO ballots (period, targets, scores)
			SELECT $1,
				array_agg(x.t ORDER BY x.t COLLATE "C", x.s),
				array_agg(x.s ORDER BY x.t COLLATE "C", x.s)
			FROM (
				SELECT u.t, u.s FROM ballots b, unnest(b.targets, b.scores) AS u(t, s) WHERE b.period = $1
				UNION ALL
				SELECT n.t, n.s FROM unnest($2::text[], $3::text[]::numeric[]) AS n(t, s)
			) AS x
			ON CONFLICT (period) DO UPDATE SET targets = excluded.targets, scores = excluded.scores`,
			p, targets, scores)
		if err != nil {
			return fmt.Errorf("add ballots to %s: %w", p, t.fail(err))
		}
	}
	return nil
}

// YearRound implements workflow.Tx.
func (t *tx) YearRound(ctx context.Context, year int) (workflow.YearRound, error) {
	if err := t.check(ctx); err != nil {
		return workflow.YearRound{}, err
	}
	r := workflow.YearRound{Year: year}
	var due *time.Time
	err := t.tx.QueryRow(ctx, `SELECT due, opened_by, opened_at FROM year_rounds WHERE year = $1`, year).Scan(&due, &r.OpenedBy, &r.OpenedAt)
	if err != nil {
		return workflow.YearRound{}, t.get("year round", year, err)
	}
	r.Due, r.OpenedAt = dateOut(due), r.OpenedAt.UTC()
	return r, nil
}

// CreateYearRound implements workflow.Tx.
func (t *tx) CreateYearRound(ctx context.Context, r workflow.YearRound) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.create(ctx, "year round", r.Year, `INSERT INTO year_rounds (year, due, opened_by, opened_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (year) DO NOTHING`, r.Year, dateIn(r.Due), r.OpenedBy, r.OpenedAt.UTC())
}

// MarkYearRated implements workflow.Tx, as MarkVoted: the year's one row
// of raters is rewritten, sorted, on every rating.
func (t *tx) MarkYearRated(ctx context.Context, year int, rater string) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	tag, err := t.tx.Exec(ctx, `INSERT INTO year_rating_marks AS v (year, raters) VALUES ($1, ARRAY[$2::text])
		ON CONFLICT (year) DO UPDATE
			SET raters = (SELECT array_agg(x ORDER BY x COLLATE "C") FROM unnest(v.raters || $2::text) AS x)
			WHERE NOT ($2::text = ANY (v.raters))`, year, rater)
	if err != nil {
		return fmt.Errorf("mark rated in %d: %w", year, t.fail(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("year rating {%d %s} exists: %w", year, rater, workflow.ErrConflict)
	}
	return nil
}

// YearRaters implements workflow.Tx.
func (t *tx) YearRaters(ctx context.Context, year int) ([]string, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	var raters []string
	err := t.tx.QueryRow(ctx, `SELECT raters FROM year_rating_marks WHERE year = $1`, year).Scan(&raters)
	if err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("raters of %d: %w", year, t.fail(err))
	}
	return raters, nil
}

// AddYearBallots implements workflow.Tx, as AddBallots: each year's
// ballots are one row, rebuilt whole and sorted on every call.
func (t *tx) AddYearBallots(ctx context.Context, bs []workflow.YearBallot) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	byYear := map[int][]workflow.YearBallot{}
	for _, b := range bs {
		byYear[b.Year] = append(byYear[b.Year], b)
	}
	years := slices.Sorted(maps.Keys(byYear))
	for _, y := range years {
		var sources, targets, scores []string
		for _, b := range byYear[y] {
			sources = append(sources, b.Source)
			targets = append(targets, b.Target)
			scores = append(scores, b.Score.String()) // canonical digits, as AddBallots
		}
		_, err := t.tx.Exec(ctx, `INSERT INTO year_ballots (year, sources, targets, scores)
			SELECT $1,
				array_agg(x.r ORDER BY x.r COLLATE "C", x.t COLLATE "C", x.s),
				array_agg(x.t ORDER BY x.r COLLATE "C", x.t COLLATE "C", x.s),
				array_agg(x.s ORDER BY x.r COLLATE "C", x.t COLLATE "C", x.s)
			FROM (
				SELECT u.r, u.t, u.s FROM year_ballots b, unnest(b.sources, b.targets, b.scores) AS u(r, t, s) WHERE b.year = $1
				UNION ALL
				SELECT n.r, n.t, n.s FROM unnest($2::text[], $3::text[], $4::text[]::numeric[]) AS n(r, t, s)
			) AS x
			ON CONFLICT (year) DO UPDATE SET sources = excluded.sources, targets = excluded.targets, scores = excluded.scores`,
			y, sources, targets, scores)
		if err != nil {
			return fmt.Errorf("add year ballots to %d: %w", y, t.fail(err))
		}
	}
	return nil
}

// YearBallots implements workflow.Tx.
func (t *tx) YearBallots(ctx context.Context, year int) ([]workflow.YearBallot, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	bs, err := queryAll(ctx, t, func(s scanner) (workflow.YearBallot, error) {
		var source, target, score string
		if err := s.Scan(&source, &target, &score); err != nil {
			return workflow.YearBallot{}, err
		}
		d, err := decOut(score)
		return workflow.YearBallot{Year: year, Source: source, Target: target, Score: d}, err
	}, `SELECT u.r, u.t, u.s::text FROM year_ballots b, unnest(b.sources, b.targets, b.scores) WITH ORDINALITY AS u(r, t, s, n)
		WHERE b.year = $1 ORDER BY u.n`, year)
	if err != nil {
		return nil, fmt.Errorf("year ballots of %d: %w", year, err)
	}
	return bs, nil
}

// Ballots implements workflow.Tx.
func (t *tx) Ballots(ctx context.Context, period string) ([]workflow.Ballot, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	bs, err := queryAll(ctx, t, func(s scanner) (workflow.Ballot, error) {
		var target, score string
		if err := s.Scan(&target, &score); err != nil {
			return workflow.Ballot{}, err
		}
		d, err := decOut(score)
		return workflow.Ballot{Period: period, Target: target, Score: d}, err
	}, `SELECT u.t, u.s::text FROM ballots b, unnest(b.targets, b.scores) WITH ORDINALITY AS u(t, s, n)
		WHERE b.period = $1 ORDER BY u.n`, period)
	if err != nil {
		return nil, fmt.Errorf("ballots of %s: %w", period, err)
	}
	return bs, nil
}

// Result implements workflow.Tx.
func (t *tx) Result(ctx context.Context, period, person string) (workflow.Result, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Result{}, err
	}
	r, err := scanResult(t.tx.QueryRow(ctx, `SELECT `+resultColumns+` FROM results WHERE period = $1 AND person = $2`, period, person))
	if err != nil {
		return workflow.Result{}, t.get("result", period+"/"+person, err)
	}
	return r, nil
}

// Results implements workflow.Tx.
func (t *tx) Results(ctx context.Context, period string) ([]workflow.Result, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanResult, `SELECT `+resultColumns+` FROM results WHERE period = $1 ORDER BY person`, period)
}

// PutResult implements workflow.Tx.
func (t *tx) PutResult(ctx context.Context, r workflow.Result) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	key := r.Period + "/" + r.Person
	if r.Version <= 1 {
		r.Version = 1
	}
	args, err := resultArgs(r)
	if err != nil {
		return fmt.Errorf("put result %s: %w", key, err)
	}
	if r.Version == 1 {
		return t.create(ctx, "result", key, `INSERT INTO results (period, person, score, score_grade, grade, state, flags, explain, feedback, version)
			VALUES ($1, $2, $3::text::numeric, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (period, person) DO NOTHING`, args...)
	}
	return t.update(ctx, "result", key, r.Version, `SELECT version FROM results WHERE period = $1 AND person = $2`, []any{r.Period, r.Person},
		`UPDATE results SET score = $3::text::numeric, score_grade = $4, grade = $5, state = $6, flags = $7, explain = $8,
			feedback = $9, version = $10
		WHERE period = $1 AND person = $2 AND version = $10 - 1`, args...)
}

// Review implements workflow.Tx.
func (t *tx) Review(ctx context.Context, id string) (workflow.Review, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Review{}, err
	}
	r, err := scanReview(t.tx.QueryRow(ctx, `SELECT `+reviewColumns+` FROM reviews WHERE id = $1`, id))
	if err != nil {
		return workflow.Review{}, t.get("review", id, err)
	}
	return r, nil
}

// Reviews implements workflow.Tx.
func (t *tx) Reviews(ctx context.Context, period string) ([]workflow.Review, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanReview, `SELECT `+reviewColumns+` FROM reviews WHERE period = $1 ORDER BY id`, period)
}

// CreateReview implements workflow.Tx.
func (t *tx) CreateReview(ctx context.Context, r workflow.Review) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	r.Version = 1
	return t.create(ctx, "review", r.ID, `INSERT INTO reviews (`+reviewColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`, reviewArgs(r)...)
}

// UpdateReview implements workflow.Tx.
func (t *tx) UpdateReview(ctx context.Context, r workflow.Review) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.update(ctx, "review", r.ID, r.Version, `SELECT version FROM reviews WHERE id = $1`, []any{r.ID},
		`UPDATE reviews SET period = $2, person = $3, reason = $4, state = $5, opinion = $6, old_grade = $7,
			new_grade = $8, decision = $9, decided_by = $10, created_at = $11, version = $12, materials = $13
		WHERE id = $1 AND version = $12 - 1`, reviewArgs(r)...)
}

// PutAnnual implements workflow.Tx.
func (t *tx) PutAnnual(ctx context.Context, a workflow.AnnualResult) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO annuals (year, person, total, grade, explain) VALUES ($1, $2, $3::text::numeric, $4, $5)
		ON CONFLICT (year, person) DO UPDATE SET total = excluded.total, grade = excluded.grade, explain = excluded.explain`,
		a.Year, a.Person, decPtrIn(a.Total), a.Grade, a.Explain)
	if err != nil {
		return fmt.Errorf("put annual %d/%s: %w", a.Year, a.Person, t.fail(err))
	}
	return nil
}

// Annuals implements workflow.Tx.
func (t *tx) Annuals(ctx context.Context, year int) ([]workflow.AnnualResult, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanAnnual, `SELECT `+annualColumns+` FROM annuals WHERE year = $1 ORDER BY person`, year)
}

// RecordFire implements workflow.Tx.
func (t *tx) RecordFire(ctx context.Context, f workflow.Fire) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	key := fmt.Sprintf("%s@%s", f.ScheduleID, f.SlotAt.UTC().Format(time.RFC3339))
	return t.create(ctx, "schedule fire", key, `INSERT INTO schedule_fires (`+fireColumns+`) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (schedule_id, slot_at) DO NOTHING`, f.ScheduleID, f.SlotAt.UTC(), f.Outcome, f.Sent, tsIn(f.FiredAt))
}

// Fire implements workflow.Tx.
func (t *tx) Fire(ctx context.Context, scheduleID string, slotAt time.Time) (workflow.Fire, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Fire{}, err
	}
	f, err := scanFire(t.tx.QueryRow(ctx, `SELECT `+fireColumns+` FROM schedule_fires WHERE schedule_id = $1 AND slot_at = $2`,
		scheduleID, slotAt.UTC()))
	if err != nil {
		return workflow.Fire{}, t.get("schedule fire", scheduleID, err)
	}
	return f, nil
}

// Idempotency implements workflow.Tx.
func (t *tx) Idempotency(ctx context.Context, source, key string) (workflow.Idempotency, error) {
	if err := t.check(ctx); err != nil {
		return workflow.Idempotency{}, err
	}
	var i workflow.Idempotency
	var created *time.Time
	err := t.tx.QueryRow(ctx, `SELECT source, key, result, created_at FROM idempotency WHERE source = $1 AND key = $2`,
		source, key).Scan(&i.Source, &i.Key, &i.Result, &created)
	if err != nil {
		return workflow.Idempotency{}, t.get("idempotency key", source+"/"+key, err)
	}
	i.CreatedAt = tsOut(created)
	return i, nil
}

// SaveIdempotency implements workflow.Tx.
func (t *tx) SaveIdempotency(ctx context.Context, i workflow.Idempotency) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.create(ctx, "idempotency key", i.Source+"/"+i.Key, `INSERT INTO idempotency (source, key, result, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (source, key) DO NOTHING`, i.Source, i.Key, i.Result, tsIn(i.CreatedAt))
}

// RecordPublicity implements workflow.Tx.
func (t *tx) RecordPublicity(ctx context.Context, m workflow.PublicityMessage) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.create(ctx, "publicity message", m.Period+"/"+m.Chat+"/"+m.Grade, `INSERT INTO publicity_messages (`+publicityColumns+`)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (period, chat, grade) DO NOTHING`, m.Period, m.Chat, m.Grade, m.MessageID, tsIn(m.SentAt))
}

// PublicityMessages implements workflow.Tx.
func (t *tx) PublicityMessages(ctx context.Context, period string) ([]workflow.PublicityMessage, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanPublicity, `SELECT `+publicityColumns+` FROM publicity_messages WHERE period = $1 ORDER BY chat, grade`, period)
}

// Enqueue implements workflow.Tx. IDs come from an identity column:
// increasing, with gaps where a transaction rolled back.
func (t *tx) Enqueue(ctx context.Context, n workflow.Notification) (int64, error) {
	if err := t.check(ctx); err != nil {
		return 0, err
	}
	data, err := toJSON(n.Data)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", n.Key, err)
	}
	var id int64
	err = t.tx.QueryRow(ctx, `INSERT INTO outbox (key, to_id, chat, template, data, created_at, state, attempts, updated_at, not_before)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $6, $9) ON CONFLICT (key) DO NOTHING RETURNING id`,
		n.Key, n.To, n.Chat, n.Template, data, tsIn(n.CreatedAt), workflow.NotePending, n.Attempts, tsIn(n.NotBefore)).Scan(&id)
	if isNoRows(err) {
		return 0, fmt.Errorf("notification %s exists: %w", n.Key, workflow.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", n.Key, t.fail(err))
	}
	return id, nil
}

// Outbox implements workflow.Tx.
func (t *tx) Outbox(ctx context.Context, state string, afterID int64, limit int) ([]workflow.Notification, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanNote, `SELECT `+noteColumns+` FROM outbox WHERE ($1 = '' OR state = $1) AND id > $2
		ORDER BY id LIMIT $3`, state, afterID, limitArg(limit))
}

// limitArg turns "0 for no limit" into LIMIT NULL.
func limitArg(limit int) *int {
	if limit <= 0 {
		return nil
	}
	return &limit
}

// ClaimOutbox implements workflow.Tx.
func (t *tx) ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]workflow.Notification, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	ns, err := queryAll(ctx, t, scanNote, `WITH due AS (
			SELECT id FROM outbox
			WHERE state = 'pending' AND (not_before IS NULL OR not_before <= $1)
			ORDER BY id LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE outbox o SET not_before = $2 FROM due WHERE o.id = due.id
		RETURNING `+prefixed("o.", noteColumns), now.UTC(), now.Add(lease).UTC(), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	// RETURNING has no order of its own.
	slices.SortFunc(ns, func(a, b workflow.Notification) int { return cmp.Compare(a.ID, b.ID) })
	return ns, nil
}

// MarkNotification implements workflow.Tx.
func (t *tx) MarkNotification(ctx context.Context, id int64, state string, at time.Time) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.attempt(ctx, id, `UPDATE outbox SET state = $2, updated_at = $3, attempts = attempts + 1,
			first_attempt_at = coalesce(first_attempt_at, $3)
		WHERE id = $1 AND ($2 = 'sent' OR state <> 'sent')`, id, state, tsIn(at))
}

// DeferNotification implements workflow.Tx.
func (t *tx) DeferNotification(ctx context.Context, id int64, at, retryAt time.Time) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.attempt(ctx, id, `UPDATE outbox SET updated_at = $2, not_before = $3, attempts = attempts + 1,
			first_attempt_at = coalesce(first_attempt_at, $2)
		WHERE id = $1 AND state = 'pending'`, id, tsIn(at), tsIn(retryAt))
}

// StartAttempt implements workflow.Tx.
func (t *tx) StartAttempt(ctx context.Context, id int64, at time.Time) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	return t.attempt(ctx, id, `UPDATE outbox SET first_attempt_at = coalesce(first_attempt_at, $2)
		WHERE id = $1 AND state = 'pending'`, id, tsIn(at))
}

// Prune implements workflow.Tx. Each kind is one DELETE of the rows a
// sub-select picks through the prune indexes (migration 0003), at most
// limit of them, skipping rows another transaction holds. A NULL time is
// never older than a cutoff, and a zero cutoff is NULL, so both delete
// nothing.
func (t *tx) Prune(ctx context.Context, before workflow.PruneBefore, limit int) (workflow.PruneCount, error) {
	if err := t.check(ctx); err != nil {
		return workflow.PruneCount{}, err
	}
	var c workflow.PruneCount
	del := func(what string, n *int, sql string, args ...any) error {
		tag, err := t.tx.Exec(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("prune %s: %w", what, t.fail(err))
		}
		*n = int(tag.RowsAffected())
		return nil
	}
	if err := del("idempotency records", &c.Idempotency, `DELETE FROM idempotency WHERE (source, key) IN (
			SELECT source, key FROM idempotency WHERE created_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
		tsIn(before.Idempotency), limitArg(limit)); err != nil {
		return c, err
	}
	for _, k := range []struct {
		state  string
		n      *int
		cutoff time.Time
	}{{workflow.NoteSent, &c.Sent, before.Sent}, {workflow.NoteDead, &c.Dead, before.Dead}} {
		if err := del(k.state+" notifications", k.n, `DELETE FROM outbox WHERE id IN (
				SELECT id FROM outbox WHERE state = $1 AND updated_at < $2 LIMIT $3 FOR UPDATE SKIP LOCKED)`,
			k.state, tsIn(k.cutoff), limitArg(limit)); err != nil {
			return c, err
		}
	}
	return c, nil
}

// attempt runs an UPDATE that counts a delivery attempt on notification id;
// it matches no row when the notification does not exist (ErrNotFound) or
// its state does not allow the change (ErrStale).
func (t *tx) attempt(ctx context.Context, id int64, sql string, args ...any) error {
	tag, err := t.tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("update notification %d: %w", id, t.fail(err))
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var state string
	err = t.tx.QueryRow(ctx, `SELECT state FROM outbox WHERE id = $1`, id).Scan(&state)
	if isNoRows(err) {
		return fmt.Errorf("notification %d: %w", id, workflow.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read notification %d: %w", id, t.fail(err))
	}
	return fmt.Errorf("notification %d is %s: %w", id, state, workflow.ErrStale)
}

// AppendAudit implements workflow.Tx. Appends are serialized by an advisory
// lock held to the end of the transaction; At is cut to the microsecond
// before the row is sealed, because that is what timestamptz keeps and the
// hash must be recomputable from the stored row.
func (t *tx) AppendAudit(ctx context.Context, e workflow.AuditEntry) (workflow.AuditEntry, error) {
	if err := t.check(ctx); err != nil {
		return workflow.AuditEntry{}, err
	}
	t.audited = true
	if _, err := t.tx.Exec(ctx, auditLockSQL, auditLockKey); err != nil {
		return workflow.AuditEntry{}, fmt.Errorf("lock audit log: %w", t.fail(err))
	}
	var prev *workflow.AuditEntry
	head, err := scanAudit(t.tx.QueryRow(ctx, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq DESC LIMIT 1`))
	switch {
	case err == nil:
		prev = &head
	case !isNoRows(err):
		return workflow.AuditEntry{}, fmt.Errorf("read audit head: %w", t.fail(err))
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e = workflow.SealAudit(prev, e)
	_, err = t.tx.Exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.Seq, e.At, e.Actor, e.Action, e.Object, e.Detail, e.Denied, e.PrevHash, e.RowHash)
	if err != nil {
		err = t.fail(err)
		if errors.Is(err, workflow.ErrConflict) {
			// Our snapshot predates an append that committed while we
			// waited for the lock: the head we read is stale. That is a
			// lost race, not a duplicate.
			err = fmt.Errorf("%w: %w", errRetry, err)
			if t.retry == nil {
				t.retry = err
			}
		}
		return workflow.AuditEntry{}, fmt.Errorf("append audit row %d: %w", e.Seq, err)
	}
	return e, nil
}

// Audit implements workflow.Tx.
func (t *tx) Audit(ctx context.Context, afterSeq int64, limit int) ([]workflow.AuditEntry, error) {
	if err := t.check(ctx); err != nil {
		return nil, err
	}
	return queryAll(ctx, t, scanAudit, `SELECT `+auditColumns+` FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
		afterSeq, limitArg(limit))
}
