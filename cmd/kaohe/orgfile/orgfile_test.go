package orgfile

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

func TestParse(t *testing.T) {
	t.Parallel()
	example, err := os.ReadFile("../../../deploy/org.example.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		data    string
		wantErr string // a part of the error; "" for success
	}{
		{name: "OK_Example", data: string(example)},
		{name: "OK_NoPeriods", data: `{"hr":"ou_hr","people":[{"id":"ou_hr","name":"李","hr":true}]}`},
		{name: "ErrUnknownKey", data: `{"hr":"ou_hr","peopel":[]}`, wantErr: `unknown field "peopel"`},
		{name: "ErrNoHR", data: `{"people":[]}`, wantErr: "hr: required"},
		{name: "ErrSyntax", data: `{"hr":`, wantErr: "unexpected EOF"},
		{name: "ErrBadPeriod", data: `{"hr":"a","periods":["2026-Q5"]}`, wantErr: "periods[0]"},
		{name: "ErrPeriodTwice", data: `{"hr":"a","periods":["2026-Q4","2026-Q3","2026-Q4"]}`, wantErr: "periods[2]: 2026-Q4 listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse([]byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			st, units, people := f.Org()
			if st.Head != f.Settings.Head || len(units) != len(f.Units) || len(people) != len(f.People) {
				t.Errorf("Org() = %+v, %+v, %+v for %+v", st, units, people, f)
			}
		})
	}
}

// FuzzParse loads arbitrary bootstrap files the way serve does: Parse,
// then Setup and OpenPeriod on an empty store (docs/reliability.md G10).
// What is refused leaves nothing behind; what is accepted is an
// organisation whose ids are unique and whose every reference (a unit's
// leaders, a person's unit, the head, the HR person) exists.
func FuzzParse(f *testing.F) {
	if example, err := os.ReadFile("../../../deploy/org.example.json"); err == nil {
		f.Add(example)
	}
	for _, s := range []string{
		`{"hr":"ou_hr","people":[{"id":"ou_hr","name":"李","hr":true}],"periods":["2026-Q4"]}`,
		`{"hr":"h","settings":{"head":"x"},"units":[{"id":"u","leader":"h"}],"people":[{"id":"h","name":"n","hr":true,"unit":"u"}]}`,
		`{"hr":"h","units":[{"id":"u"},{"id":"u","leader":"h"}],"people":[{"id":"h","name":"n","hr":true,"unit":"u","assessed_by":"u"}]}`,
		`{"hr":"h","people":[{"id":"h","name":"n","hr":true},{"id":"h","name":"m"}],"periods":["2026-09","2026"]}`,
		`{"hr":"ou_hr","periods":["2026-Q5"]}`, `{"hr":""}`, `null`, `[]`, `{"hr":"a"} trailing`,
	} {
		f.Add([]byte(s))
	}
	sc, err := scoring.Builtin("s4")
	if err != nil {
		f.Fatal(err)
	}
	cal := calendar.Default()
	clk := clock.NewFake(time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.DefaultLocation()))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		if file.HR == "" {
			t.Fatal("accepted a file without hr")
		}
		seen := map[string]bool{}
		for _, id := range file.Periods {
			p, err := calendar.ParsePeriod(id)
			if err != nil || seen[p.String()] {
				t.Fatalf("accepted periods %q", file.Periods)
			}
			seen[p.String()] = true
		}
		// A fresh store per input: Setup bootstraps only an empty one.
		store := memory.New()
		svc, err := workflow.New(workflow.Config{Store: store, Clock: clk, Calendar: cal, Scheme: sc})
		if err != nil {
			t.Fatal(err)
		}
		st, units, people := file.Org()
		if err := svc.Setup(ctx, file.HR, st, units, people); err != nil {
			checkRefusal(t, err)
			if got := readOrg(t, store); got.settings || len(got.people) > 0 || len(got.units) > 0 {
				t.Fatalf("refused setup (%v) left %+v", err, got)
			}
			return
		}
		checkOrg(t, readOrg(t, store), file)
		for _, id := range file.Periods {
			if _, err := svc.OpenPeriod(ctx, file.HR, id); err != nil {
				// The one check Parse cannot make: the kind must be the
				// scheme's cycle (a quarter for S4).
				if p, _ := calendar.ParsePeriod(id); p.Kind() == calendar.Quarter || !errors.Is(err, workflow.ErrInvalidInput) {
					t.Fatalf("open %s: %v", id, err)
				}
			}
		}
	})
}

// checkRefusal fails unless err is one the operator can act on: an input
// error naming a field, or the bootstrap by someone who is not HR.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var ie *workflow.InputError
	switch {
	case errors.As(err, &ie):
		if ie.Field == "" || ie.Msg == "" {
			t.Fatalf("input error without field or message: %v", err)
		}
	case errors.Is(err, workflow.ErrForbidden):
	default:
		t.Fatalf("setup refused with %v (%T), want an input error or ErrForbidden", err, err)
	}
}

type stored struct {
	settings bool
	head     string
	units    []workflow.Unit
	people   []workflow.Person
}

func readOrg(t *testing.T, store *memory.Store) stored {
	t.Helper()
	ctx := context.Background()
	var out stored
	err := store.InTx(ctx, func(tx workflow.Tx) error {
		st, err := tx.Settings(ctx)
		switch {
		case err == nil:
			out.settings, out.head = true, st.Head
		case !errors.Is(err, workflow.ErrNotFound):
			return err
		}
		if out.units, err = tx.Units(ctx); err != nil {
			return err
		}
		out.people, err = tx.People(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("read organisation: %v", err)
	}
	return out
}

// checkOrg checks what Setup promises of an accepted file.
func checkOrg(t *testing.T, got stored, file File) {
	t.Helper()
	if !got.settings {
		t.Fatal("accepted setup wrote no settings")
	}
	people := map[string]workflow.Person{}
	for _, p := range got.people {
		if _, dup := people[p.ID]; dup || strings.TrimSpace(p.ID) == "" || strings.TrimSpace(p.Name) == "" {
			t.Fatalf("stored person %+v (empty or repeated)", p)
		}
		people[p.ID] = p
	}
	units := map[string]bool{}
	for _, u := range got.units {
		if units[u.ID] || strings.TrimSpace(u.ID) == "" {
			t.Fatalf("stored unit %+v (empty or repeated)", u)
		}
		units[u.ID] = true
		for _, l := range []string{u.Leader, u.Supervisor} {
			if _, ok := people[l]; l != "" && !ok {
				t.Fatalf("unit %s names %s, who does not exist", u.ID, l)
			}
		}
	}
	for _, p := range got.people {
		if p.Unit != "" && !units[p.Unit] || p.AssessedBy != "" && !units[p.AssessedBy] {
			t.Fatalf("person %+v in a unit that does not exist", p)
		}
	}
	if _, ok := people[got.head]; got.head != "" && !ok {
		t.Fatalf("head %s does not exist", got.head)
	}
	if !people[file.HR].HR {
		t.Fatalf("set up by %s, who is not HR", file.HR)
	}
	if len(got.people) != len(file.People) || len(got.units) != len(file.Units) {
		t.Fatalf("file of %d people and %d units stored as %d and %d", len(file.People), len(file.Units), len(got.people), len(got.units))
	}
}
