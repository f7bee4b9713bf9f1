package scoring

import "testing"

// TestBuiltinVariants: s4-month is S4 with a monthly cycle and a year of
// twelve months, loadable by id like the seed files.
func TestBuiltinVariants(t *testing.T) {
	t.Parallel()
	s, err := Builtin(S4Month)
	if err != nil {
		t.Fatalf("Builtin(%s): %v", S4Month, err)
	}
	s4, err := Builtin("s4")
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != S4Month || s.Cycle != "month" || s.Annual == nil || s.Annual.Periods != 12 {
		t.Errorf("s4-month = id %q cycle %q annual %+v", s.ID, s.Cycle, s.Annual)
	}
	if len(s.Grades) != len(s4.Grades) || s.Grades[0].Label != s4.Grades[0].Label {
		t.Errorf("s4-month grades %v differ from s4's %v", s.Grades, s4.Grades)
	}
	if _, err := Builtin("S4-MONTH"); err != nil {
		t.Errorf("Builtin(S4-MONTH): %v", err)
	}
}
