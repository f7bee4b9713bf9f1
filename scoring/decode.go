package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DecodeInput reads a period or year input (JSON, chosen by its "kind").
// Unknown fields are errors, so a misspelt field is never silently ignored;
// syntax errors name the line and column.
func DecodeInput(data []byte) (any, error) {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, jsonError(data, err)
	}
	switch head.Kind {
	case "period":
		var in PeriodInput
		if err := decodeStrict(data, &in); err != nil {
			return nil, err
		}
		return &in, nil
	case "year":
		var in YearInput
		if err := decodeStrict(data, &in); err != nil {
			return nil, err
		}
		return &in, nil
	case "":
		return nil, InputErrors{{Field: "kind", Msg: `required: "period" or "year"`}}
	}
	return nil, InputErrors{{Field: "kind", Msg: fmt.Sprintf(`must be "period" or "year", not %q`, head.Kind)}}
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return InputErrors{{Field: "(document)", Msg: "unexpected data after the JSON value"}}
	}
	return nil
}

// jsonError turns a decoding error into an InputErrors with a position.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		l, c := lineCol(data, se.Offset)
		return InputErrors{{Field: fmt.Sprintf("line %d column %d", l, c), Msg: se.Error()}}
	case errors.As(err, &te):
		l, c := lineCol(data, te.Offset)
		return InputErrors{{Field: te.Field, Msg: fmt.Sprintf("line %d column %d: want %s, got JSON %s", l, c, te.Type, te.Value)}}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return InputErrors{{Field: strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), Msg: "unknown field"}}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return InputErrors{{Field: "(document)", Msg: "empty or truncated JSON"}}
	}
	return InputErrors{{Field: "(document)", Msg: err.Error()}}
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}
