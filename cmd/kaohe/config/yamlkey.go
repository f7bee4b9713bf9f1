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

// nameKeys adds to each of a YAML type error's messages ("line 4: cannot
// unmarshal !!seq into …") the key it is about ("line 4 (chains): …"), so
// a value of the wrong shape names its key as every other bad setting
// does. Other errors are returned as they are.
func nameKeys(data []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return err
	}
	out := make([]string, len(te.Errors))
	for i, msg := range te.Errors {
		out[i] = msg
		m := lineRe.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		line, _ := strconv.Atoi(m[1])
		if key := keyAt(&root, line); key != "" {
			out[i] = fmt.Sprintf("line %d (%s): %s", line, key, msg[len(m[0]):])
		}
	}
	return &yaml.TypeError{Errors: out}
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
