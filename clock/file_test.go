package clock

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "now")
	t0 := time.Date(2026, 10, 9, 9, 0, 0, 0, time.UTC)
	if _, err := OpenFile(path); err == nil {
		t.Fatal("OpenFile of a missing file succeeded")
	}
	if err := WriteFile(path, t0); err != nil {
		t.Fatal(err)
	}
	c, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := OpenFile(path) // a second process reading the same file
	if !c.Now().Equal(t0) || !other.Now().Equal(t0) {
		t.Fatalf("Now = %v, %v; want %v", c.Now(), other.Now(), t0)
	}
	t1 := t0.Add(15 * time.Minute)
	if err := WriteFile(path, t1); err != nil {
		t.Fatal(err)
	}
	if !c.Now().Equal(t1) || !other.Now().Equal(t1) {
		t.Errorf("after a move: Now = %v, %v; want %v", c.Now(), other.Now(), t1)
	}
	// Backwards, garbage or a vanished file: the clock stays where it was.
	_ = WriteFile(path, t0)
	if !c.Now().Equal(t1) {
		t.Errorf("the clock ran backwards to %v", c.Now())
	}
	_ = os.WriteFile(path, []byte("soon\n"), 0o644)
	if !c.Now().Equal(t1) {
		t.Errorf("garbage moved the clock to %v", c.Now())
	}
	_ = os.Remove(path)
	if !c.Now().Equal(t1) {
		t.Errorf("a missing file moved the clock to %v", c.Now())
	}
	if err := os.WriteFile(path, []byte("not a time"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(path); err == nil {
		t.Error("OpenFile accepted a file without a time")
	}
}
