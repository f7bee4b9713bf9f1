package scoring

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchema compiles one of the JSON Schemas in testdata.
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return sch
}

func validateFile(t *testing.T, sch *jsonschema.Schema, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s does not match its schema: %v", path, err)
	}
}

// TestSchemas validates every example input and every golden output against
// the JSON Schema that documents its format.
func TestSchemas(t *testing.T) {
	t.Parallel()
	schemas := map[string]*jsonschema.Schema{
		"period-input":  compileSchema(t, "period-input.schema.json"),
		"year-input":    compileSchema(t, "year-input.schema.json"),
		"period-result": compileSchema(t, "period-result.schema.json"),
		"year-result":   compileSchema(t, "year-result.schema.json"),
	}
	for _, path := range examples(t) {
		kind := "period"
		if strings.HasSuffix(path, "-year.json") {
			kind = "year"
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			validateFile(t, schemas[kind+"-input"], path)
			validateFile(t, schemas[kind+"-result"], goldenPath(path))
		})
	}
}

// The schemas reject what the decoder rejects: an unknown field and a
// decimal that is not a number.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	sch := compileSchema(t, "period-input.schema.json")
	tests := []struct {
		name, doc      string
		decoderRejects bool // DecodeInput rejects it too (the rest fail in ScorePeriod)
	}{
		{"未知字段", `{"kind":"period","people":[{"id":"p","unit":"u","scroe":90}]}`, true},
		{"分数不是数字", `{"kind":"period","people":[{"id":"p","unit":"u","sources":{"leader":{"score":"90分"}}}]}`, true},
		{"kind错误", `{"kind":"year","people":[{"id":"p","unit":"u"}]}`, false},
		{"缺少单位", `{"kind":"period","people":[{"id":"p"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if sch.Validate(inst) == nil {
				t.Errorf("schema accepts %s", tt.doc)
			}
			if _, err := DecodeInput([]byte(tt.doc)); tt.decoderRejects && err == nil {
				t.Errorf("DecodeInput accepts %s", tt.doc)
			}
		})
	}
}
