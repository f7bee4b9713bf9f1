package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineRe finds the line a YAML type error is about.
var lineRe = regexp.MustCompile(`^line ([0-9]+): `)

// nameKeys rewrites each of a YAML type error's messages ("line 4:
// cannot unmarshal !!seq into map[string][]config.ChainStep") to name the
// key it is about and to say what was wanted in words, never in Go's type
// names ("line 4 (chains): want a mapping (key: value), got a list"), so a
// value of the wrong shape reads as every other bad setting does. It also
// returns the keys named, so that the checks after decoding do not report
// them again. Other errors are returned as they are.
func nameKeys(data []byte, err error) (error, []string) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err, nil
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return err, nil
	}
	out := make([]string, len(te.Errors))
	var keys []string
	for i, msg := range te.Errors {
		out[i] = plainYAML(msg)
		m := lineRe.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[1])
		if key := keyAt(&root, line); key != "" {
			keys = append(keys, key)
			out[i] = fmt.Sprintf("line %d (%s): %s", line, key, plainYAML(msg[len(m[0]):]))
		}
	}
	return fileLines(out), keys
}

// fileLines are a file's bad values, one a line.
type fileLines []string

// Error puts one on the line it follows, several each on its own.
func (l fileLines) Error() string {
	if len(l) == 1 {
		return l[0]
	}
	return "\n  " + strings.Join(l, "\n  ")
}

var (
	unmarshalRe = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	notFoundRe  = regexp.MustCompile(`^field (.+) not found in type \S+$`)
)

// plainYAML says a yaml.v3 type error's message in words.
func plainYAML(msg string) string {
	if m := notFoundRe.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("unknown key %q (deploy/kaohe.example.yaml lists every key)", m[1])
	}
	m := unmarshalRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got := "a list"
	switch m[1] {
	case "map":
		got = "a mapping"
	case "str":
		got = fmt.Sprintf("the text %q", m[2])
	case "int", "float":
		got = "the number " + m[2]
	case "bool":
		got = m[2]
	case "null":
		got = "nothing"
	case "seq":
	default:
		got = m[2]
	}
	want := "another kind of value"
	switch t := m[3]; {
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		want = "a whole number"
	case strings.HasPrefix(t, "float"):
		want = "a number"
	case t == "bool":
		want = "true or false"
	case t == "string":
		want = "text"
	case strings.HasPrefix(t, "[]"):
		want = "a list"
	case strings.HasPrefix(t, "map[") || strings.HasPrefix(t, "config."):
		want = "a mapping (key: value)"
	}
	return "want " + want + ", got " + got
}

// keyAt is the path of keys ("calendar.holidays.2027-01-01") of the
// deepest value that starts on or before line: the value a message about
// that line is about in a block-style file, or the flow collection
// enclosing it. Where two keys or items start on that very line (JSON on
// one line) it cannot tell which, and stops at what encloses them.
func keyAt(n *yaml.Node, line int) string {
	var path strings.Builder
	for n != nil {
		var children []*yaml.Node // the values, in order
		var names []string        // their path segments
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return path.String()
			}
			n = n.Content[0]
			continue
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				children = append(children, n.Content[i+1])
				seg := n.Content[i].Value
				if path.Len() > 0 {
					seg = "." + seg
				}
				names = append(names, seg)
			}
		case yaml.SequenceNode:
			for i, item := range n.Content {
				children = append(children, item)
				names = append(names, "["+strconv.Itoa(i+1)+"]")
			}
		default:
			return path.String()
		}
		pick, onLine := -1, 0
		for i, c := range children {
			start := c.Line
			if n.Kind == yaml.MappingNode {
				start = n.Content[2*i].Line // the key's line
			}
			if start > line {
				break
			}
			pick = i
			if start == line {
				onLine++
			}
		}
		if pick < 0 || onLine > 1 {
			return path.String()
		}
		path.WriteString(names[pick])
		if flow(children[pick]) {
			return path.String()
		}
		n = children[pick]
	}
	return path.String()
}

// flow reports a collection written on one line ([a, b], {k: v}): a
// message about its line is about it as a whole, since the line cannot
// tell its items apart.
func flow(n *yaml.Node) bool {
	return n != nil && n.Style&yaml.FlowStyle != 0 && (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode)
}
