package card

import (
	"errors"
	"testing"

	"github.com/kaohe/kaohe/workflow"
)

func TestSplitTalkID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, id               string
		period, person, reason string
		err                    error
	}{
		{"Grade", "2026-Q3/ou_05", "2026-Q3", "ou_05", "", nil},
		{"HalfYear", "2026-Q2/ou_05/half_year", "2026-Q2", "ou_05", workflow.TalkHalfYear, nil},
		{"Bottom", TalkIDFor("2026-Q3", "ou_05", workflow.TalkBottom), "2026-Q3", "ou_05", workflow.TalkBottom, nil},
		{"UnknownReason", "2026-Q3/ou_05/tea", "", "", "", ErrBadValue},
		{"FourParts", "2026-Q3/ou_05/bottom/x", "", "", "", ErrBadValue},
		{"NoPerson", "2026-Q3/", "", "", "", ErrBadValue},
		{"ReasonOnly", "2026-Q3/bottom", "2026-Q3", "bottom", "", nil},
		{"Empty", "", "", "", "", ErrBadValue},
	}
	for _, tt := range tests {
		period, person, reason, err := SplitTalkID(tt.id)
		if !errors.Is(err, tt.err) || period != tt.period || person != tt.person || reason != tt.reason {
			t.Errorf("%s: SplitTalkID(%q) = %q %q %q %v", tt.name, tt.id, period, person, reason, err)
		}
	}
}
