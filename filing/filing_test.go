package filing_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kaohe/kaohe/filing"
	"github.com/kaohe/kaohe/workflow"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// cases are the tables of the golden files, each under the scheme whose
// seed it comes from.
var cases = []struct {
	table  filing.Table
	scheme string
	id     string
}{
	{filing.S4Register, "s4", "2026-Q3"},
	{filing.S4Summary, "s4", "2026"},
	{filing.S9Register, "s9", "2026-Q3"},
	{filing.S9Summary, "s9", "2026"},
	{filing.S10Record, "s10", "2026-Q3"},
	{filing.S2Filing, "s2", "2026-Q3"},
	{filing.Publicity, "s4", "2026-Q3"},
	{filing.Allowance, "s2", "2026-Q3"},
}

// goldenFile is what a golden JSON records of a workbook, read back from
// the written bytes with excelize: every sheet's non-empty cells
// (formulas as "=…"), its merged ranges, print area and titles, paper,
// orientation, fit and margins. Binary .xlsx goldens would change with
// every excelize release; these change only when the form does.
type goldenFile struct {
	File   string        `json:"file"`
	Sheets []goldenSheet `json:"sheets"`
}

type goldenSheet struct {
	Name        string     `json:"name"`
	Cells       []string   `json:"cells"` // "REF value" in row order
	Merges      []string   `json:"merges"`
	PrintArea   string     `json:"print_area"`
	PrintTitles string     `json:"print_titles,omitempty"`
	Paper       int        `json:"paper"`
	Orientation string     `json:"orientation"`
	FitToWidth  int        `json:"fit_to_width"`
	FitToHeight int        `json:"fit_to_height"`
	FitToPage   bool       `json:"fit_to_page"`
	Margins     [4]float64 `json:"margins_lrtb"`
	Font        string     `json:"font_a2"`
}

// readBack opens an .xlsx with excelize and describes it.
func readBack(t *testing.T, name string, data []byte) goldenFile {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s does not open: %v", name, err)
	}
	defer x.Close()
	out := goldenFile{File: name}
	names := x.GetDefinedName()
	for _, sn := range x.GetSheetList() {
		gs := goldenSheet{Name: sn}
		ms, err := x.GetMergeCells(sn)
		if err != nil {
			t.Fatalf("%s/%s merges: %v", name, sn, err)
		}
		// excelize reads a merged range's value in each of its cells; the
		// file holds it in the first only.
		covered := map[string]bool{}
		for _, m := range ms {
			gs.Merges = append(gs.Merges, m.GetStartAxis()+":"+m.GetEndAxis())
			c1, r1, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, r2, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
			for r := r1; r <= r2; r++ {
				for c := c1; c <= c2; c++ {
					if r != r1 || c != c1 {
						ref, _ := excelize.CoordinatesToCellName(c, r)
						covered[ref] = true
					}
				}
			}
		}
		slices.Sort(gs.Merges)
		rows, err := x.GetRows(sn)
		if err != nil {
			t.Fatalf("%s/%s rows: %v", name, sn, err)
		}
		for r := range len(rows) + 2 {
			for c := range 16 {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if covered[ref] {
					continue
				}
				v, _ := x.GetCellValue(sn, ref)
				// Formula cells have no cached value until an office
				// suite computes them.
				if fm, _ := x.GetCellFormula(sn, ref); fm != "" {
					v = "=" + fm
				}
				if v != "" {
					gs.Cells = append(gs.Cells, ref+" "+v)
				}
			}
		}
		for _, dn := range names {
			if dn.Scope != sn {
				continue
			}
			switch dn.Name {
			case "_xlnm.Print_Area":
				gs.PrintArea = dn.RefersTo
			case "_xlnm.Print_Titles":
				gs.PrintTitles = dn.RefersTo
			}
		}
		pl, err := x.GetPageLayout(sn)
		if err != nil {
			t.Fatal(err)
		}
		gs.Paper, gs.Orientation = deref(pl.Size), deref(pl.Orientation)
		gs.FitToWidth, gs.FitToHeight = deref(pl.FitToWidth), deref(pl.FitToHeight)
		pr, err := x.GetSheetProps(sn)
		if err != nil {
			t.Fatal(err)
		}
		gs.FitToPage = deref(pr.FitToPage)
		pm, err := x.GetPageMargins(sn)
		if err != nil {
			t.Fatal(err)
		}
		gs.Margins = [4]float64{deref(pm.Left), deref(pm.Right), deref(pm.Top), deref(pm.Bottom)}
		if id, err := x.GetCellStyle(sn, "A2"); err == nil {
			if st, err := x.GetStyle(id); err == nil && st.Font != nil {
				gs.Font = st.Font.Family
			}
		}
		out.Sheets = append(out.Sheets, gs)
	}
	return out
}

func deref[T any](p *T) T {
	var z T
	if p == nil {
		return z
	}
	return *p
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestGolden builds every table from the fixture, reads each file back
// with excelize and compares cell values, merges and print settings with
// testdata/<table>.golden.json (-update rewrites them).
func TestGolden(t *testing.T) {
	for _, c := range cases {
		t.Run(string(c.table), func(t *testing.T) {
			f := fixture(t, c.scheme, 0, c.id)
			data, err := filing.Bytes(c.table, f)
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			got := readBack(t, filing.FileName(c.table, f), data)
			checkLayout(t, got)
			b, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, '\n')
			path := filepath.Join("testdata", string(c.table)+".golden.json")
			if *update {
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./filing -update)", err)
			}
			if !bytes.Equal(want, b) {
				t.Errorf("%s differs from %s (go test ./filing -update after checking the change):\n%s", c.table, path, firstDiff(string(want), string(b)))
			}
		})
	}
}

// checkLayout holds what every form must have whatever its golden says:
// A4, one page wide, a print area, margins, 宋体 or 黑体, and text.
func checkLayout(t *testing.T, g goldenFile) {
	t.Helper()
	if len(g.Sheets) == 0 {
		t.Fatal("no sheets")
	}
	for _, s := range g.Sheets {
		if s.Paper != 9 || s.FitToWidth != 1 || s.FitToHeight != 0 || !s.FitToPage {
			t.Errorf("%s: paper %d fit %dx%d (page %v), want A4 (9) one page wide", s.Name, s.Paper, s.FitToWidth, s.FitToHeight, s.FitToPage)
		}
		if !strings.HasPrefix(s.PrintArea, "'"+s.Name+"'!$A$1:") {
			t.Errorf("%s: print area %q", s.Name, s.PrintArea)
		}
		if s.Margins[0] == 0 || s.Margins[2] == 0 {
			t.Errorf("%s: margins %v", s.Name, s.Margins)
		}
		if len(s.Merges) == 0 || len(s.Cells) < 4 {
			t.Errorf("%s: %d merges, %d cells", s.Name, len(s.Merges), len(s.Cells))
		}
		if s.Font != "宋体" && s.Font != "黑体" {
			t.Errorf("%s: A2 font %q", s.Name, s.Font)
		}
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n- " + x + "\n+ " + y
		}
	}
	return ""
}

// TestContents checks the facts the golden files are made of, so that a
// golden rewritten in haste still cannot hide a wrong number.
func TestContents(t *testing.T) {
	cell := func(t *testing.T, tab filing.Table, scheme, id, sheet, ref string) string {
		t.Helper()
		data, err := filing.Bytes(tab, fixture(t, scheme, 0, id))
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if sheet == "" {
			sheet = x.GetSheetList()[0]
		}
		v, err := x.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name                   string
		table                  filing.Table
		scheme, id, sheet, ref string
		want                   string
		contains               bool
	}{
		{"register names the person", filing.S4Register, "s4", "2026-Q3", "办公室", "C4", "王晓明", false},
		{"register ticks the suggested grade", filing.S4Register, "s4", "2026-Q3", "办公室", "C9", "■好", false},
		{"register scores the suggestion", filing.S4Register, "s4", "2026-Q3", "办公室", "D9", "分数 95", false},
		{"register shows the adjustment", filing.S4Register, "s4", "2026-Q3", "办公室", "C23", "理由：牵头专项检查成效突出，加3分", true},
		{"register says why a probationer has no grade", filing.S4Register, "s4", "2026-Q3", "预算股", "C38", "试用期内，只写评语，不确定等次（2026年7月新录用）", true},
		{"summary counts Q3's 好", filing.S4Summary, "s4", "2026", "汇总表", "B8", "2", false},
		{"summary share over participants", filing.S4Summary, "s4", "2026", "汇总表", "C8", "33.3%", false},
		{"summary puts the seconded apart", filing.S4Summary, "s4", "2026", "汇总表", "E8", "陈静（办公室）", false},
		{"summary lists 一般 and below", filing.S4Summary, "s4", "2026", "汇总表", "F8", "赵刚（一般）、刘洋（较差）、孙丽（不定等次（试用期））", false},
		{"summary counts who took part", filing.S4Summary, "s4", "2026", "汇总表", "E4", "实际参加考核总人数：7", false},
		{"S9 counts 优秀 of three quarters", filing.S9Summary, "s9", "2026", "", "G5", "3", false},
		{"S10 sums absence", filing.S10Record, "s10", "2026-Q3", "办公室", "E45", "1", false},
		{"S10 month from weekly records", filing.S10Record, "s10", "2026-Q3", "办公室", "C8", "起草季度工作总结（完成100%）", true},
		{"S2 records the review", filing.S2Filing, "s2", "2026-Q3", "", "I9", "经复核维持不称职", true},
		{"publicity lists the top grade only", filing.Publicity, "s4", "2026-Q3", "", "B5", "陈静", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cell(t, tt.table, tt.scheme, tt.id, tt.sheet, tt.ref)
			if (tt.contains && !strings.Contains(got, tt.want)) || (!tt.contains && got != tt.want) {
				t.Errorf("%s %s = %q, want %q", tt.table, tt.ref, got, tt.want)
			}
		})
	}
}

// TestDataID maps the id asked for to the id a table reads.
func TestDataID(t *testing.T) {
	tests := []struct {
		table filing.Table
		id    string
		want  string
		err   error
	}{
		{filing.S4Summary, "2026-Q3", "2026", nil},
		{filing.S4Summary, "2026", "2026", nil},
		{filing.S4Register, "2026-q3", "2026-Q3", nil},
		{filing.S4Register, "2026", "", workflow.ErrInvalidInput},
		{filing.S4Register, "Q3", "", workflow.ErrInvalidInput},
		{"nope", "2026-Q3", "", filing.ErrUnknownTable},
	}
	for _, tt := range tests {
		got, err := filing.DataID(tt.table, tt.id)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("DataID(%s, %s) = %q, %v; want %q, %v", tt.table, tt.id, got, err, tt.want, tt.err)
		}
	}
}
