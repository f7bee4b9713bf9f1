package scoring

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// Dec is an exact decimal number read from a scheme or an input file. Scores,
// weights and money never pass through float64, so a boundary such as 90 is
// compared exactly.
type Dec struct{ decimal.Decimal }

// D makes a Dec from a decimal literal; it panics on a bad literal and is
// meant for constants in code and tests.
func D(s string) Dec { return Dec{decimal.RequireFromString(s)} }

// DecOf wraps a decimal.Decimal.
func DecOf(d decimal.Decimal) Dec { return Dec{d} }

// IntDec makes a Dec from an integer.
func IntDec(n int64) Dec { return Dec{decimal.NewFromInt(n)} }

// UnmarshalYAML reads a plain number (int or decimal literal); strings such as
// "90分" are refused so that a typo cannot become zero.
func (d *Dec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number", n.Line)
	}
	v, err := parseDec(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	d.Decimal = v
	return nil
}

// UnmarshalJSON accepts a JSON number or a string holding a decimal literal,
// so that inputs produced by spreadsheets ("89.5") are read exactly.
func (d *Dec) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return fmt.Errorf("null is not a number")
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = strings.TrimSpace(str)
	}
	v, err := parseDec(s)
	if err != nil {
		return err
	}
	d.Decimal = v
	return nil
}

// MarshalJSON writes the number as a JSON string so no consumer reads it
// through a binary float.
func (d Dec) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Percent is a share or weight written as "40%" in schemes. It holds the
// fraction (0.4).
type Percent struct{ decimal.Decimal }

// Pct makes a Percent from a literal such as "40%"; it panics on a bad literal.
func Pct(s string) Percent {
	p, err := parsePercent(s)
	if err != nil {
		panic(err)
	}
	return p
}

func parsePercent(s string) (Percent, error) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, "%") {
		return Percent{}, fmt.Errorf("%q: write shares and weights with a %% sign, e.g. 40%%", s)
	}
	v, err := parseDec(strings.TrimSuffix(s, "%"))
	if err != nil {
		return Percent{}, fmt.Errorf("%q is not a percentage", s)
	}
	return Percent{v.Div(decimal.NewFromInt(100))}, nil
}

// UnmarshalYAML reads "40%".
func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a percentage such as 40%%", n.Line)
	}
	v, err := parsePercent(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*p = v
	return nil
}

// String formats the share as a percentage, e.g. "40%".
func (p Percent) String() string {
	return p.Mul(decimal.NewFromInt(100)).String() + "%"
}

// MarshalJSON writes "40%".
func (p Percent) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

var hundred = decimal.NewFromInt(100)

// Format prints the percentage for every verb; without it the embedded
// decimal's Format would print the fraction (0.4).
func (p Percent) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, p.String()) }

// maxNumberLen bounds a number's text. Scores, weights and money need a few
// digits; refusing exponents and long literals keeps a hostile "1e999999"
// from turning every comparison into million-digit arithmetic.
const maxNumberLen = 24

// parseDec reads a plain decimal literal such as "89.5" or "-3".
func parseDec(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxNumberLen || strings.ContainsAny(s, "eE") {
		return decimal.Zero, fmt.Errorf("%q is not a plain decimal number", s)
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}
