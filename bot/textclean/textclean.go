// Package textclean removes the characters that make a text display
// differently from what is stored: bidirectional overrides and isolates
// (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F, U+061C) and
// invisible characters (zero-width space, word joiner and the invisible
// operators, the byte-order mark, Mongolian vowel separator, soft hyphen,
// tag characters). A 小结 with U+202E in it would read backwards to a
// leader while the stored text says something else; a name with a
// zero-width space would look like another person's.
//
// Zero-width joiner and non-joiner (U+200D, U+200C) and variation selectors
// stay: emoji sequences and some scripts need them and they cannot reorder
// text.
package textclean

import "strings"

// Invisible reports whether r is removed by StripInvisible.
func Invisible(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true // embeddings, overrides, isolates
	case r == 0x200E, r == 0x200F, r == 0x061C:
		return true // direction marks
	case r == 0x200B, r >= 0x2060 && r <= 0x2064, r == 0xFEFF, r == 0x180E, r == 0x00AD:
		return true // zero-width and invisible
	case r >= 0xE0000 && r <= 0xE007F:
		return true // tag characters
	}
	return false
}

// StripInvisible returns s without the characters Invisible reports.
func StripInvisible(s string) string {
	if strings.IndexFunc(s, Invisible) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if Invisible(r) {
			return -1
		}
		return r
	}, s)
}
