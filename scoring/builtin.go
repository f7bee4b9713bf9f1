package scoring

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed schemes/*.yaml
var builtinFS embed.FS

// ErrUnknownScheme is returned by Builtin for an id it does not hold.
var ErrUnknownScheme = fmt.Errorf("unknown scheme")

// Builtin returns one of the embedded seed schemes, "s1" … "s10", or a
// variant of one (BuiltinVariantIDs: "s4-month").
func Builtin(id string) (*Scheme, error) {
	name := "schemes/" + strings.ToLower(id) + ".yaml"
	data, err := BuiltinSource(id)
	if err != nil {
		return nil, fmt.Errorf("%w %q (built in: %s)", ErrUnknownScheme, id, strings.Join(append(BuiltinIDs(), BuiltinVariantIDs()...), ", "))
	}
	return Load(name, data)
}

// S4Month is the id of S4 run monthly: S4 注意事项1 "窗口单位和服务部门公务员考核
// 周期以每月为宜". It is s4.yaml with cycle: month and a year of twelve
// periods, so that an organisation can put its window units under it by
// id next to quarterly units under S4.
const S4Month = "s4-month"

// BuiltinVariantIDs lists the built-in schemes derived from a seed file
// rather than kept as one (S4Month).
func BuiltinVariantIDs() []string { return []string{S4Month} }

// variant derives a variant's text from its seed file: each replacement
// must match exactly once, so a change to the seed file that breaks the
// derivation fails loudly (TestBuiltinVariants) instead of quietly
// yielding a quarterly "monthly" scheme.
func variant(id string) ([]byte, error) {
	if id != S4Month {
		return nil, fmt.Errorf("%w %q", ErrUnknownScheme, id)
	}
	src, err := builtinFS.ReadFile("schemes/s4.yaml")
	if err != nil {
		return nil, err
	}
	text := string(src)
	for _, r := range [][2]string{
		{"\nid: s4\n", "\nid: " + S4Month + "\n"},
		{"\ncycle: quarter\n", "\n# " + S4Month + ": 注意事项1 — the window units' monthly cycle.\ncycle: month\n"},
		// Decision: a monthly year has twelve period results, each month
		// counted as S4 counts a quarter.
		{"\n  periods: 4\n", "\n  periods: 12\n"},
	} {
		if strings.Count(text, r[0]) != 1 {
			return nil, fmt.Errorf("scheme %s: s4.yaml has no single %q", id, strings.TrimSpace(r[0]))
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	return []byte(text), nil
}

// BuiltinIDs lists the embedded schemes in order s1 … s10.
func BuiltinIDs() []string {
	entries, _ := builtinFS.ReadDir("schemes")
	var ids []string
	for _, e := range entries {
		ids = append(ids, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(ids[i]) != len(ids[j]) {
			return len(ids[i]) < len(ids[j])
		}
		return ids[i] < ids[j]
	})
	return ids
}

// BuiltinSource returns an embedded scheme's YAML text (a variant's as
// derived).
func BuiltinSource(id string) ([]byte, error) {
	id = strings.ToLower(id)
	for _, v := range BuiltinVariantIDs() {
		if id == v {
			return variant(id)
		}
	}
	return builtinFS.ReadFile("schemes/" + id + ".yaml")
}
