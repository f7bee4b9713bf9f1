package postgres_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/postgres"
	"github.com/kaohe/kaohe/workflow"
)

// tuple is one row version as anyone with SELECT sees it: the system
// columns and what it holds.
type tuple struct {
	table            string
	xmin, xmax, ctid string
	content          string // the user columns, as text
	ballots          []string
}

// readTuples reads every column of ballots and vote_marks, system columns
// included.
func readTuples(t *testing.T, schema string) (ballots, marks []tuple) {
	t.Helper()
	q := func(sql string, ballot bool) []tuple {
		rows, err := adminPool(t).Query(ctx, fmt.Sprintf(sql, pgx.Identifier{schema}.Sanitize()))
		if err != nil {
			t.Fatalf("read tuples: %v", err)
		}
		defer rows.Close()
		var out []tuple
		for rows.Next() {
			var tp tuple
			var cols []string
			if err := rows.Scan(&tp.xmin, &tp.xmax, &tp.ctid, &tp.content, &cols); err != nil {
				t.Fatal(err)
			}
			if ballot {
				tp.table, tp.ballots = "ballots", cols
			} else {
				tp.table = "vote_marks"
			}
			out = append(out, tp)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	ballots = q(`SELECT xmin::text, xmax::text, ctid::text, b::text,
		(SELECT array_agg(u.t || ':' || u.s::text ORDER BY n) FROM unnest(b.targets, b.scores) WITH ORDINALITY AS u(t, s, n))
		FROM %s.ballots b`, true)
	marks = q(`SELECT xmin::text, xmax::text, ctid::text, v::text, v.voters FROM %s.vote_marks v`, false)
	return ballots, marks
}

// voterTxs is what an observer can learn about who voted in which
// transaction: the audit row each vote writes carries its voter and, in
// xmin, its transaction.
func voterTxs(t *testing.T, schema, table, actorCol string) map[string]string {
	t.Helper()
	rows, err := adminPool(t).Query(ctx, fmt.Sprintf(`SELECT xmin::text, %s FROM %s.%s`, actorCol, pgx.Identifier{schema}.Sanitize(), table))
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	txs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var v [2]string
		err := r.Scan(&v[0], &v[1])
		return v, err
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range txs {
		out[v[0]] = v[1]
	}
	return out
}

// links returns every way the tuples tie ballots to one voter. A ballot
// tuple whose xmin or xmax is a voter's transaction is attributed to that
// voter; that reveals nothing only if the tuple holds the complete tally
// (every ballot of every voter), which the voter's transaction wrote as a
// whole. A tuple holding less (a per-ballot row, or a row only one vote
// touched) ties its ballots to the voter. More than one tuple per period
// is a link too: their order (ctid) follows the order of writing.
func links(ballots []tuple, txs map[string]string, tally []string) []string {
	var out []string
	if len(ballots) > 1 {
		out = append(out, fmt.Sprintf("%d ballot rows: their order and system columns can separate votes", len(ballots)))
	}
	for _, b := range ballots {
		for _, sys := range []string{b.xmin, b.xmax} {
			v, ok := txs[sys]
			if ok && !slices.Equal(b.ballots, tally) {
				out = append(out, fmt.Sprintf("ballot row %s (%v) was written by voter %s's transaction %s and holds only part of the tally", b.ctid, b.ballots, v, sys))
			}
		}
	}
	return out
}

// vote casts one vote as Service.Vote does: mark, ballots, audit row, all
// in one transaction.
func vote(t *testing.T, s *postgres.Store, voter string, scores map[string]string) {
	t.Helper()
	if err := s.InTx(ctx, func(tx workflow.Tx) error {
		if err := tx.MarkVoted(ctx, "2026-Q3", voter); err != nil {
			return err
		}
		var bs []workflow.Ballot
		for target, score := range scores {
			bs = append(bs, workflow.Ballot{Period: "2026-Q3", Target: target, Score: scoring.D(score)})
		}
		if err := tx.AddBallots(ctx, bs); err != nil {
			return err
		}
		_, err := tx.AppendAudit(ctx, workflow.AuditEntry{At: t0, Actor: voter, Action: "vote.cast", Object: "2026-Q3"})
		return err
	}); err != nil {
		t.Fatalf("vote by %s: %v", voter, err)
	}
}

// TestBallotAnonymity: after the votes, nothing anyone can SELECT — user
// columns, xmin, xmax, ctid, row order — ties a ballot to its voter, and
// the stored ballots are the same bytes whatever order people voted in.
func TestBallotAnonymity(t *testing.T) {
	t.Parallel()
	// Each voter scores every colleague but themselves, as Service.Vote
	// requires; voter e scores only two, so rows touched by fewer votes
	// would show.
	votes := map[string]map[string]string{
		"a": {"b": "80", "c": "85.5", "d": "90", "e": "70"},
		"b": {"a": "95", "c": "60", "d": "90", "e": "75"},
		"c": {"a": "88", "b": "80", "d": "99.25", "e": "65"},
		"d": {"a": "77", "b": "91", "c": "85.50", "e": "100"},
		"e": {"a": "66", "b": "67"},
	}
	voters := slices.Sorted(func(yield func(string) bool) {
		for v := range votes {
			if !yield(v) {
				return
			}
		}
	})
	var contents []string
	for round, order := range [][]string{voters, {"e", "c", "a", "d", "b"}, shuffled(voters)} {
		s, schema := newStore(t)
		for _, v := range order {
			vote(t, s, v, votes[v])
		}
		var tally []string
		if err := s.InTx(ctx, func(tx workflow.Tx) error {
			bs, err := tx.Ballots(ctx, "2026-Q3")
			for _, b := range bs {
				tally = append(tally, b.Target+":"+b.Score.String())
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		ballots, marks := readTuples(t, schema)
		txs := voterTxs(t, schema, "audit_log", "actor")
		// readTuples shows scores as stored ("85.50"); the tally from the
		// store must hold the same ballots.
		if len(ballots) != 1 || len(ballots[0].ballots) != len(tally) {
			t.Fatalf("round %d: ballot rows = %+v, tally %v", round, ballots, tally)
		}
		tally = ballots[0].ballots
		if l := links(ballots, txs, tally); len(l) > 0 {
			t.Errorf("round %d (order %v): ballots can be tied to voters:\n%s", round, order, strings.Join(l, "\n"))
		}
		// xmax may carry the writer's own row lock (ON CONFLICT DO UPDATE
		// locks the row it then replaces): the same transaction again.
		last := txs[ballots[0].xmin]
		if len(marks) != 1 || marks[0].xmin != ballots[0].xmin || last != order[len(order)-1] ||
			!slices.Contains([]string{"0", ballots[0].xmin}, ballots[0].xmax) || !slices.Contains([]string{"0", marks[0].xmin}, marks[0].xmax) {
			t.Errorf("round %d: vote_marks %+v and ballots %+v: want one row each, both written last by the last vote (%s's)", round, marks, ballots, order[len(order)-1])
		}
		if !sortedByTargetThenScore(tally) {
			t.Errorf("round %d: ballots not sorted: %v", round, tally)
		}
		// d wrote 85.50 where a wrote 85.5: stored alike, or the digits
		// would mark d's ballots.
		for _, b := range tally {
			if _, score, _ := strings.Cut(b, ":"); strings.Contains(score, ".") && strings.HasSuffix(score, "0") {
				t.Errorf("round %d: score %s stored with its writer's trailing zeros", round, b)
			}
		}
		contents = append(contents, ballots[0].content+" "+marks[0].content)
		// What the tables can hold: nothing but the period and the
		// arrays; no serial, no default, no voter column.
		cols := columns(t, schema)
		if want := "ballots.period ballots.scores ballots.targets vote_marks.period vote_marks.voters"; cols != want {
			t.Errorf("vote tables have columns %q, want %q", cols, want)
		}
	}
	for i := 1; i < len(contents); i++ {
		if contents[i] != contents[0] {
			t.Errorf("stored votes depend on the order of voting:\n%s\n%s", contents[0], contents[i])
		}
	}
}

func shuffled(xs []string) []string {
	out := slices.Clone(xs)
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func sortedByTargetThenScore(tally []string) bool {
	return slices.IsSortedFunc(tally, func(a, b string) int {
		at, as, _ := strings.Cut(a, ":")
		bt, bs, _ := strings.Cut(b, ":")
		if c := strings.Compare(at, bt); c != 0 {
			return c
		}
		return scoring.D(as).Cmp(scoring.D(bs).Decimal)
	})
}

// TestBallotAnonymityCheckerCatchesLeaks runs the same check on the layout
// the store avoids — a row per ballot, written in the voter's transaction
// next to a row naming the voter — and expects it to find the links; so
// TestBallotAnonymity cannot pass for want of looking.
func TestBallotAnonymityCheckerCatchesLeaks(t *testing.T) {
	t.Parallel()
	_, schema := newStore(t)
	if err := exec(t, schema, `CREATE TABLE naive_ballots (id serial, targets text[], scores numeric[]);
		CREATE TABLE naive_voters (voter text)`); err != nil {
		t.Fatal(err)
	}
	for i, voter := range []string{"a", "b", "c"} {
		// Several statements in one transaction: no arguments, so the
		// simple protocol carries them.
		if err := exec(t, schema, fmt.Sprintf(`INSERT INTO naive_voters VALUES ('%s');
			INSERT INTO naive_ballots (targets, scores) VALUES (ARRAY['x'], ARRAY[%d::numeric])`, voter, 70+i)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := adminPool(t).Query(ctx, fmt.Sprintf(`SELECT xmin::text, xmax::text, ctid::text, b::text,
		(SELECT array_agg(u.t || ':' || u.s::text) FROM unnest(b.targets, b.scores) AS u(t, s))
		FROM %s.naive_ballots b`, pgx.Identifier{schema}.Sanitize()))
	if err != nil {
		t.Fatal(err)
	}
	naive, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tuple, error) {
		var tp tuple
		err := r.Scan(&tp.xmin, &tp.xmax, &tp.ctid, &tp.content, &tp.ballots)
		return tp, err
	})
	if err != nil {
		t.Fatal(err)
	}
	txs := voterTxs(t, schema, "naive_voters", "voter")
	if l := links(naive, txs, []string{"x:70", "x:71", "x:72"}); len(l) < 3 {
		t.Errorf("the checker found %d links in a per-ballot layout, want at least 3: %v", len(l), l)
	}
}

// columns lists the vote tables' columns (with any default) as table.column.
func columns(t *testing.T, schema string) string {
	t.Helper()
	rows, err := adminPool(t).Query(ctx, `SELECT table_name || '.' || column_name || coalesce(' DEFAULT ' || column_default, '')
		FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('ballots', 'vote_marks') ORDER BY 1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(cols, " ")
}
