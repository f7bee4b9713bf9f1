package scoring

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Interval is a range of scores with explicit bounds, written in schemes in
// mathematical notation: "[90, +inf)" is 90 or more, "[75, 90)" is 75 up to
// but not including 90, "(-inf, 60)" is below 60. Seeds state bounds in words
// ("90分以上", "70~90分不含90分"); writing them this way forces each scheme to
// decide, visibly, whether a bound is included.
type Interval struct {
	Lo, Hi         decimal.Decimal
	LoInf, HiInf   bool // unbounded below / above
	LoOpen, HiOpen bool // bound excluded
}

// ParseInterval reads the notation described on Interval.
func ParseInterval(s string) (Interval, error) {
	var iv Interval
	t := strings.TrimSpace(s)
	if len(t) < 5 {
		return iv, fmt.Errorf("%q is not an interval such as [90, +inf)", s)
	}
	switch t[0] {
	case '[':
	case '(':
		iv.LoOpen = true
	default:
		return iv, fmt.Errorf("%q must start with [ or (", s)
	}
	switch t[len(t)-1] {
	case ']':
	case ')':
		iv.HiOpen = true
	default:
		return iv, fmt.Errorf("%q must end with ] or )", s)
	}
	parts := strings.Split(t[1:len(t)-1], ",")
	if len(parts) != 2 {
		return iv, fmt.Errorf("%q must have two bounds separated by a comma", s)
	}
	lo, hi := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
	if lo == "-inf" {
		iv.LoInf = true
		if !iv.LoOpen {
			return iv, fmt.Errorf("%q: -inf must be open: (-inf", s)
		}
	} else {
		v, err := parseDec(lo)
		if err != nil {
			return iv, fmt.Errorf("%q: lower bound %q is not a number", s, lo)
		}
		iv.Lo = v
	}
	if hi == "+inf" || hi == "inf" {
		iv.HiInf = true
		if !iv.HiOpen {
			return iv, fmt.Errorf("%q: +inf must be open: +inf)", s)
		}
	} else {
		v, err := parseDec(hi)
		if err != nil {
			return iv, fmt.Errorf("%q: upper bound %q is not a number", s, hi)
		}
		iv.Hi = v
	}
	if !iv.LoInf && !iv.HiInf {
		c := iv.Lo.Cmp(iv.Hi)
		if c > 0 || (c == 0 && (iv.LoOpen || iv.HiOpen)) {
			return iv, fmt.Errorf("%q is empty", s)
		}
	}
	return iv, nil
}

// Contains reports whether v lies in the interval, compared exactly.
func (iv Interval) Contains(v decimal.Decimal) bool {
	if !iv.LoInf {
		c := v.Cmp(iv.Lo)
		if c < 0 || (c == 0 && iv.LoOpen) {
			return false
		}
	}
	if !iv.HiInf {
		c := v.Cmp(iv.Hi)
		if c > 0 || (c == 0 && iv.HiOpen) {
			return false
		}
	}
	return true
}

// String writes the interval back in scheme notation.
func (iv Interval) String() string {
	var b strings.Builder
	if iv.LoOpen {
		b.WriteByte('(')
	} else {
		b.WriteByte('[')
	}
	if iv.LoInf {
		b.WriteString("-inf")
	} else {
		b.WriteString(iv.Lo.String())
	}
	b.WriteString(", ")
	if iv.HiInf {
		b.WriteString("+inf")
	} else {
		b.WriteString(iv.Hi.String())
	}
	if iv.HiOpen {
		b.WriteByte(')')
	} else {
		b.WriteByte(']')
	}
	return b.String()
}

// Chinese describes the interval in words for explanations, e.g. "90分及以上".
func (iv Interval) Chinese() string {
	switch {
	case iv.LoInf && iv.HiInf:
		return "任意分数"
	case iv.HiInf:
		if iv.LoOpen {
			return "高于" + iv.Lo.String() + "分"
		}
		return iv.Lo.String() + "分及以上"
	case iv.LoInf:
		if iv.HiOpen {
			return "低于" + iv.Hi.String() + "分"
		}
		return iv.Hi.String() + "分及以下"
	}
	lo, hi := "含", "含"
	if iv.LoOpen {
		lo = "不含"
	}
	if iv.HiOpen {
		hi = "不含"
	}
	return fmt.Sprintf("%s分（%s）至%s分（%s）", iv.Lo, lo, iv.Hi, hi)
}

// UnmarshalYAML reads the notation.
func (iv *Interval) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want an interval such as \"[90, +inf)\"", n.Line)
	}
	v, err := ParseInterval(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*iv = v
	return nil
}

// MarshalJSON writes the notation.
func (iv Interval) MarshalJSON() ([]byte, error) { return json.Marshal(iv.String()) }

// below orders intervals by lower bound; an open bound sorts after a closed
// one at the same value.
func (iv Interval) below(o Interval) bool {
	if iv.LoInf != o.LoInf {
		return iv.LoInf
	}
	if c := iv.Lo.Cmp(o.Lo); c != 0 {
		return c < 0
	}
	return !iv.LoOpen && o.LoOpen
}
