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

// Builtin returns one of the embedded seed schemes, "s1" … "s10".
func Builtin(id string) (*Scheme, error) {
	name := "schemes/" + strings.ToLower(id) + ".yaml"
	data, err := builtinFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w %q (built in: %s)", ErrUnknownScheme, id, strings.Join(BuiltinIDs(), ", "))
	}
	return Load(name, data)
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

// BuiltinSource returns an embedded scheme's YAML text.
func BuiltinSource(id string) ([]byte, error) {
	return builtinFS.ReadFile("schemes/" + strings.ToLower(id) + ".yaml")
}
