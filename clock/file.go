package clock

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// File is a clock that several processes share: the time is the RFC 3339
// instant written in a file, and it moves only when someone rewrites the
// file. It exists for tests and demonstrations that run real `kaohe serve`
// processes through weeks of reminders in seconds (docs/reliability.md G1);
// production uses Real.
//
// Now re-reads the file when it was replaced (WriteFile renames a new file
// into place) or its size or modification time changed, so a call costs
// one stat. The time never runs backwards: an earlier instant
// in the file, or a file that cannot be read, leaves the last one.
type File struct {
	path string

	mu   sync.Mutex
	now  time.Time
	seen os.FileInfo // the file as last read
}

var _ Clock = (*File)(nil)

// OpenFile returns the clock of the file at path, which must exist and hold
// an RFC 3339 instant.
func OpenFile(path string) (*File, error) {
	f := &File{path: path}
	if err := f.reload(); err != nil {
		return nil, err
	}
	return f, nil
}

// WriteFile sets the clock file at path to t (for the process that moves
// the clock). It writes a new file and renames it into place, so a reader
// never sees half a time.
func WriteFile(path string, t time.Time) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(t.UTC().Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Now returns the file's instant.
func (f *File) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if st, err := os.Stat(f.path); err == nil && (f.seen == nil || !os.SameFile(st, f.seen) ||
		!st.ModTime().Equal(f.seen.ModTime()) || st.Size() != f.seen.Size()) {
		_ = f.reloadLocked()
	}
	return f.now
}

func (f *File) reload() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reloadLocked()
}

func (f *File) reloadLocked() error {
	st, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("clock file: %w", err)
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("clock file: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("clock file %s: want one RFC 3339 instant such as 2026-10-09T09:00:00+08:00", f.path)
	}
	f.seen = st
	if t.After(f.now) {
		f.now = t
	}
	return nil
}
