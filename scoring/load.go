package scoring

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxSchemeSize bounds a scheme file; real schemes are a few kilobytes.
const MaxSchemeSize = 1 << 20

// SchemeError is one problem in a scheme file, located by file, line and
// field path (e.g. "bands[1].range").
type SchemeError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *SchemeError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// SchemeErrors is every problem found in one scheme; Load returns it so that
// an author fixes all of them in one pass.
type SchemeErrors []*SchemeError

func (es SchemeErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// ErrInvalidScheme is matched (errors.Is) by every error Load returns for a
// bad scheme.
var ErrInvalidScheme = errors.New("invalid scheme")

// Is makes errors.Is(err, ErrInvalidScheme) true.
func (es SchemeErrors) Is(target error) bool { return target == ErrInvalidScheme }

// LoadFile reads and validates a scheme file.
func LoadFile(path string) (*Scheme, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open scheme: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSchemeSize+1))
	if err != nil {
		return nil, fmt.Errorf("read scheme %s: %w", path, err)
	}
	return Load(path, data)
}

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// Load parses and validates a scheme. file is used only in error messages.
// Every error is a SchemeErrors naming file, line and field; a scheme that
// returns an error is never usable for scoring.
func Load(file string, data []byte) (*Scheme, error) {
	if len(data) > MaxSchemeSize {
		return nil, SchemeErrors{{File: file, Msg: fmt.Sprintf("scheme larger than %d bytes", MaxSchemeSize)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlErrors(file, err)
	}
	if len(root.Content) == 0 {
		return nil, SchemeErrors{{File: file, Msg: "empty scheme"}}
	}
	if root.Content[0].Kind != yaml.MappingNode {
		return nil, SchemeErrors{{File: file, Line: root.Content[0].Line, Msg: "a scheme is a mapping of fields (id, name, grades …)"}}
	}
	var s Scheme
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, yamlErrors(file, err)
	}
	s.file = file
	s.lines = lineIndex{}
	s.lines.walk("", root.Content[0])
	if errs := s.validate(); len(errs) > 0 {
		return nil, errs
	}
	return &s, nil
}

func yamlErrors(file string, err error) SchemeErrors {
	var te *yaml.TypeError
	var out SchemeErrors
	if errors.As(err, &te) {
		for _, m := range te.Errors {
			out = append(out, yamlMsg(file, m))
		}
		return out
	}
	return SchemeErrors{yamlMsg(file, strings.TrimPrefix(err.Error(), "yaml: "))}
}

func yamlMsg(file, m string) *SchemeError {
	e := &SchemeError{File: file, Msg: m}
	if sub := yamlLineRE.FindStringSubmatch(m); sub != nil {
		e.Line, _ = strconv.Atoi(sub[1])
		e.Msg = sub[2]
		// Our own UnmarshalYAML errors repeat "line N:"; drop the repeat.
		if s2 := yamlLineRE.FindStringSubmatch(e.Msg); s2 != nil {
			e.Msg = s2[2]
		}
	}
	return e
}

// lineIndex maps a field path to its line in the YAML source.
type lineIndex map[string]int

func (li lineIndex) walk(path string, n *yaml.Node) {
	li[path] = n.Line
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			p := k
			if path != "" {
				p = path + "." + k
			}
			li.walk(p, n.Content[i+1])
			li[p] = n.Content[i].Line // the key's line reads better than the value's
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			li.walk(fmt.Sprintf("%s[%d]", path, i), c)
		}
	}
}

// line finds the line of path or of its nearest parent.
func (li lineIndex) line(path string) int {
	for p := path; ; {
		if l, ok := li[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return li[""]
		}
		p = p[:i]
	}
}
