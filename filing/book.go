package filing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/kaohe/kaohe/workflow"
)

// Fonts. Every seed form is printed in 宋体; the file names it by its
// Chinese name, which is how Chinese Excel and WPS list it, with the GB2312
// charset (134) so that an office suite without 宋体 (LibreOffice on Linux,
// Excel on a Mac) substitutes a Chinese serif face rather than a Latin one
// with missing glyphs. Titles use 黑体 like the printed forms' headings,
// with the same fallback.
const (
	fontBody  = "宋体"
	fontTitle = "黑体"
	charsetGB = 134
)

// Paper and margins: A4 (paper size 9 in SpreadsheetML), margins in
// inches as the format wants them (about 1.9 cm at the sides, 2 cm top and
// bottom: room to bind and to sign).
const (
	paperA4     = 9
	marginSide  = 0.75
	marginTopBt = 0.8
)

// pctFormat shows a share as a percentage with one decimal.
var pctFormat = "0.0%"

// book is one workbook being laid out: the file, its styles and the first
// sheet, which excelize creates as "Sheet1" and the first form renames.
type book struct {
	f       *excelize.File
	st      styles
	renamed bool
}

// styles are the cell styles every form shares.
type styles struct {
	title, subtitle, label, text, center, note, noteRight, attach, head, textSmall, pct int
}

func newBook() (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f}
	cs := charsetGB
	font := func(size float64, bold bool, family string) *excelize.Font {
		return &excelize.Font{Family: family, Size: size, Bold: bold, Charset: &cs}
	}
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	defs := []struct {
		id *int
		s  excelize.Style
	}{
		{&b.st.title, excelize.Style{Font: font(18, true, fontTitle), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&b.st.subtitle, excelize.Style{Font: font(12, false, fontBody), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&b.st.label, excelize.Style{Font: font(11, false, fontBody), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&b.st.head, excelize.Style{Font: font(11, true, fontBody), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&b.st.text, excelize.Style{Font: font(11, false, fontBody), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true, Indent: 1}}},
		{&b.st.textSmall, excelize.Style{Font: font(10, false, fontBody), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true, Indent: 1}}},
		{&b.st.center, excelize.Style{Font: font(11, false, fontBody), Border: border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&b.st.pct, excelize.Style{Font: font(11, false, fontBody), Border: border, CustomNumFmt: &pctFormat,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&b.st.note, excelize.Style{Font: font(10, false, fontBody), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&b.st.noteRight, excelize.Style{Font: font(10, false, fontBody), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&b.st.attach, excelize.Style{Font: font(12, false, fontTitle), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.s)
		if err != nil {
			return nil, fmt.Errorf("style: %w", err)
		}
		*d.id = id
	}
	return b, nil
}

// sheet is one worksheet being laid out. Errors are kept and reported
// once by done, so a form reads as a list of cells.
type sheet struct {
	b    *book
	name string
	// widths are the column widths in character units, to estimate how
	// many lines a wrapped text takes.
	widths []float64
	// off shifts every row written: a sheet that holds several forms
	// (one per person) writes each at its own offset with the form's own
	// row numbers.
	off int
	err error
}

// sheetName makes a valid, unique sheet name (31 characters, none of
// []:*?/\) from s.
func sheetName(s string, used map[string]bool) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 31 {
		s = string([]rune(s)[:31])
	}
	base, n := s, 2
	for used[s] {
		suffix := fmt.Sprintf("(%d)", n)
		r := []rune(base)
		if len(r)+len(suffix) > 31 {
			r = r[:31-len(suffix)]
		}
		s = string(r) + suffix
		n++
	}
	used[s] = true
	return s
}

// sheet adds a worksheet (the first renames the default one).
func (b *book) sheet(name string) *sheet {
	s := &sheet{b: b, name: name}
	if !b.renamed {
		b.renamed = true
		s.err = b.f.SetSheetName("Sheet1", name)
		return s
	}
	_, s.err = b.f.NewSheet(name)
	return s
}

// cols sets the column widths from A on.
func (s *sheet) cols(widths ...float64) {
	s.widths = widths
	for i, w := range widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		s.keep(s.b.f.SetColWidth(s.name, c, c, w))
	}
}

func (s *sheet) keep(err error) {
	if err != nil && s.err == nil {
		s.err = err
	}
}

// at shifts a cell reference by the sheet's row offset.
func (s *sheet) at(ref string) string {
	if s.off == 0 {
		return ref
	}
	col, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		s.keep(err)
		return ref
	}
	return cellName(col, row+s.off)
}

// set writes v into one cell with a style.
func (s *sheet) set(ref string, v any, style int) {
	ref = s.at(ref)
	if v != nil && v != "" {
		s.keep(s.b.f.SetCellValue(s.name, ref, v))
	}
	s.keep(s.b.f.SetCellStyle(s.name, ref, ref, style))
}

// merge writes v into from, styles the whole range (so its border is
// drawn all round) and merges it.
func (s *sheet) merge(from, to string, v any, style int) {
	from, to = s.at(from), s.at(to)
	if v != nil && v != "" {
		s.keep(s.b.f.SetCellValue(s.name, from, v))
	}
	s.keep(s.b.f.SetCellStyle(s.name, from, to, style))
	if from != to {
		s.keep(s.b.f.MergeCell(s.name, from, to))
	}
}

// maxRow is the highest a row may be, in points (Excel's limit).
const maxRow = 409

// height sets a row's height in points.
func (s *sheet) height(row int, h float64) {
	s.keep(s.b.f.SetRowHeight(s.name, row+s.off, math.Min(h, maxRow)))
}

// fit sets row's height so that text wrapped in the columns from..to
// (1-based, inclusive) shows whole, and at least min points.
func (s *sheet) fit(row int, text string, from, to int, min float64) {
	s.height(row, math.Min(maxRow, math.Max(min, textHeight(text, s.span(from, to)))))
}

// span is the width of columns from..to in character units.
func (s *sheet) span(from, to int) float64 {
	w := 0.0
	for i := from; i <= to && i <= len(s.widths); i++ {
		w += s.widths[i-1]
	}
	return w
}

// textHeight estimates the height in points that text takes wrapped in
// width character units at 11 pt: a Chinese character is two units wide,
// a Latin one one unit; a line is 15 pt; a little padding top and bottom.
// Merged cells never grow to fit their text in Excel or LibreOffice, so the
// forms set their heights from this.
func textHeight(text string, width float64) float64 {
	usable := math.Max(width-1.5, 4)
	lines := 0
	for _, par := range strings.Split(text, "\n") {
		w := 0.0
		for _, r := range par {
			if r < 0x2E80 {
				w++
			} else {
				w += 2
			}
		}
		lines += max(1, int(math.Ceil(w/usable)))
	}
	return float64(lines)*15 + 8
}

// page sets the print settings every form has: A4 in the orientation
// given, the margins, one page wide (as many long as the rows take), the
// print area up to lastCell, the title rows repeated on every page (rows
// "" for none) and, for a list (titleRows given), the page number in the
// footer. A per-person form has none: the paper has none, and printing a
// whole workbook would number one person's form "page 5 of 40".
func (s *sheet) page(landscape bool, lastCell, titleRows string) {
	size, orient := paperA4, "portrait"
	if landscape {
		orient = "landscape"
	}
	one, any := 1, 0
	s.keep(s.b.f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &any}))
	side, tb, hf := marginSide, marginTopBt, 0.4
	center := true
	s.keep(s.b.f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &tb, Bottom: &tb,
		Header: &hf, Footer: &hf, Horizontally: &center}))
	fit := true
	s.keep(s.b.f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fit}))
	quoted := "'" + strings.ReplaceAll(s.name, "'", "''") + "'"
	abs := func(ref string) string {
		col, row, _ := excelize.SplitCellName(ref)
		return fmt.Sprintf("$%s$%d", col, row)
	}
	s.keep(s.b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", Scope: s.name, RefersTo: quoted + "!$A$1:" + abs(lastCell)}))
	if titleRows != "" {
		s.keep(s.b.f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: "&C&\"宋体\"&10第 &P 页，共 &N 页"}))
		s.keep(s.b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: s.name, RefersTo: quoted + "!" + titleRows}))
	}
	grid := false
	s.keep(s.b.f.SetSheetView(s.name, -1, &excelize.ViewOptions{ShowGridLines: &grid}))
}

// cellName is the A1 name of column col (1-based) and row.
func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}

// form lays out one person's form at the sheet's row offset, in the
// form's own row numbers, and returns how many rows it took.
type form func(s *sheet, f workflow.Filing, fp workflow.FilingPeriod, p workflow.FilingPerson, r *workflow.FilingRecord) int

// perPerson lays out a per-person form (一人一表) for everyone of the
// period: one sheet per home unit (科室), each person's form on pages of
// its own (a page break before each), so printing a sheet gives one form
// per person, in the unit's order, and the workbook has a tab per unit.
//
// Why not a sheet per person: the workbook of a large organisation would
// carry a thousand tabs nobody can find their way in, and excelize looks a
// sheet up by walking the list of sheets, so a thousand sheets cost
// seconds to write (1.9 s, and 50 s with their print areas, on the
// benchmark's machine) against a few hundred milliseconds for the same
// forms on a sheet per unit.
func perPerson(b *book, f workflow.Filing, title string, widths []float64, lastCol string, build form) error {
	fp := f.Periods[0]
	used := map[string]bool{}
	var s *sheet
	unit, rows := "", 0
	close := func() error {
		if s == nil {
			return nil
		}
		s.off = 0
		s.page(false, lastCol+strconv.Itoa(rows), "")
		return s.err
	}
	for _, p := range f.People {
		r := fp.Records[p.ID]
		if r == nil {
			continue
		}
		if s == nil || p.Unit != unit {
			if err := close(); err != nil {
				return err
			}
			unit, rows = p.Unit, 0
			name := p.UnitName
			if name == "" {
				name = "未分科室"
			}
			s = b.sheet(sheetName(name, used))
			s.cols(widths...)
		}
		if rows > 0 {
			s.keep(b.f.InsertPageBreak(s.name, cellName(1, rows+1)))
		}
		s.off = rows
		rows += build(s, f, fp, p, r)
		if s.err != nil {
			return s.err
		}
	}
	if s == nil {
		return emptySheet(b, title, formPeriod(fp.Period))
	}
	return close()
}
