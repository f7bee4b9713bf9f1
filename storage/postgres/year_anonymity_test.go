package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/postgres"
	"github.com/kaohe/kaohe/workflow"
)

// rateYear rates as Service.RateYear does: mark, ballots, audit row, all in
// one transaction.
func rateYear(t *testing.T, s *postgres.Store, rater string, ballots []workflow.YearBallot) {
	t.Helper()
	if err := s.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.MarkYearRated(ctx, 2026, rater); err != nil {
			return err
		}
		if err := tx.AddYearBallots(ctx, ballots); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: t0, Actor: rater, Action: "year.rate", Object: "2026"})
		return err
	}); err != nil {
		t.Fatalf("rating by %s: %v", rater, err)
	}
}

// TestYearBallotAnonymity: the year-end ballots keep the 民主测评's promise.
// After the round every column anyone can SELECT (user and system columns)
// is read: one row per table, both last written by the last rater's
// transaction and holding the whole sorted tally, the same bytes whatever
// the order of rating, and no column that could name a rater.
func TestYearBallotAnonymity(t *testing.T) {
	t.Parallel()
	b := func(src, target, score string) workflow.YearBallot {
		return workflow.YearBallot{Year: 2026, Source: src, Target: target, Score: scoring.D(score)}
	}
	ratings := map[string][]workflow.YearBallot{
		"a": {b("superior", "c", "92"), b("peers", "b", "85.5"), b("excellent", "b", "1")},
		"b": {b("peers", "a", "80"), b("subordinates", "a", "90"), b("excellent", "a", "0")},
		"c": {b("colleagues", "d", "88"), b("peers", "a", "85.50"), b("excellent", "a", "1")},
		"d": {b("colleagues", "c", "70"), b("excellent", "a", "1"), b("excellent", "b", "0")},
	}
	var contents []string
	for round, order := range [][]string{{"a", "b", "c", "d"}, {"d", "b", "a", "c"}, {"c", "a", "d", "b"}} {
		s, schema := newStore(t)
		for _, r := range order {
			rateYear(t, s, r, ratings[r])
		}
		type row struct{ xmin, xmax, content string }
		read := func(table string) []row {
			rows, err := adminPool(t).Query(ctx, fmt.Sprintf(`SELECT xmin::text, xmax::text, x::text FROM %s.%s x`, pgx.Identifier{schema}.Sanitize(), table))
			if err != nil {
				t.Fatal(err)
			}
			out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
				var x row
				return x, r.Scan(&x.xmin, &x.xmax, &x.content)
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		ballots, marks := read("year_ballots"), read("year_rating_marks")
		txs := voterTxs(t, schema, "audit_log", "actor")
		last := order[len(order)-1]
		if len(ballots) != 1 || len(marks) != 1 || txs[ballots[0].xmin] != last || txs[marks[0].xmin] != last ||
			!slices.Contains([]string{"0", ballots[0].xmin}, ballots[0].xmax) {
			t.Errorf("round %d: year_ballots %+v, year_rating_marks %+v: want one row each, written last by %s's rating", round, ballots, marks, last)
		}
		if strings.Contains(ballots[0].content, "85.50") {
			t.Errorf("round %d: a score kept its writer's trailing zero: %s", round, ballots[0].content)
		}
		contents = append(contents, ballots[0].content+" "+marks[0].content)
		rows, err := adminPool(t).Query(ctx, `SELECT table_name || '.' || column_name || coalesce(' DEFAULT ' || column_default, '')
			FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('year_ballots', 'year_rating_marks') ORDER BY 1`, schema)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		want := "year_ballots.scores year_ballots.sources year_ballots.targets year_ballots.year year_rating_marks.raters year_rating_marks.year"
		if got := strings.Join(cols, " "); got != want {
			t.Errorf("year rating tables have columns %q, want %q", got, want)
		}
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			bs, err := tx.YearBallots(ctx, 2026)
			if len(bs) != 12 {
				t.Errorf("round %d: %d ballots, want 12", round, len(bs))
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < len(contents); i++ {
		if contents[i] != contents[0] {
			t.Errorf("stored ratings depend on the order of rating:\n%s\n%s", contents[0], contents[i])
		}
	}
}
