package filing

import (
	"errors"
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

// book is one workbook being laid out: the file, its styles and its
// sheets, which done writes out.
type book struct {
	f       *excelize.File
	st      styles
	renamed bool
	sheets  []*sheet
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

// sheet is one worksheet being laid out. Cells, merges, heights and page
// breaks are kept in memory and written in one pass by flush, through
// excelize's stream writer: excelize's ordinary calls check every new
// merge against all the others and look the sheet up by walking the list
// of sheets, which makes a thousand people's forms quadratic, while the
// stream writer writes rows and merges as they come. Errors are kept and
// reported once, so a form reads as a list of cells.
type sheet struct {
	b    *book
	name string
	// widths are the column widths in character units, to estimate how
	// many lines a wrapped text takes.
	widths []float64
	// off shifts every row written: a sheet that holds several forms
	// (one per person) writes each at its own offset with the form's own
	// row numbers.
	off     int
	cells   map[int]map[int]*excelize.Cell
	heights map[int]float64
	merges  [][2]string
	breaks  []int
	maxRow  int
	maxCol  int
	pg      *pageSpec
	err     error
}

// pageSpec is what page asked for, applied by flush.
type pageSpec struct {
	landscape           bool
	lastCell, titleRows string
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
	s := &sheet{b: b, name: name, cells: map[int]map[int]*excelize.Cell{}, heights: map[int]float64{}}
	b.sheets = append(b.sheets, s)
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

// cell returns the cell at a reference (already shifted), made if new.
func (s *sheet) cell(ref string) *excelize.Cell {
	col, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		s.keep(err)
		return &excelize.Cell{}
	}
	r := s.cells[row]
	if r == nil {
		r = map[int]*excelize.Cell{}
		s.cells[row] = r
	}
	c := r[col]
	if c == nil {
		c = &excelize.Cell{}
		r[col] = c
	}
	s.maxRow, s.maxCol = max(s.maxRow, row), max(s.maxCol, col)
	return c
}

// set writes v into one cell with a style.
func (s *sheet) set(ref string, v any, style int) {
	c := s.cell(s.at(ref))
	if v != nil && v != "" {
		c.Value = v
	}
	c.StyleID = style
}

// formula writes a formula into one cell with a style.
func (s *sheet) formula(ref, f string, style int) {
	c := s.cell(s.at(ref))
	c.Formula, c.StyleID = f, style
}

// merge writes v into from, styles the whole range (so its border is
// drawn all round) and merges it.
func (s *sheet) merge(from, to string, v any, style int) {
	from, to = s.at(from), s.at(to)
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil {
		s.keep(errors.Join(err1, err2))
		return
	}
	for r := r1; r <= r2; r++ {
		for c := c1; c <= c2; c++ {
			s.cell(cellName(c, r)).StyleID = style
		}
	}
	if v != nil && v != "" {
		s.cell(from).Value = v
	}
	if from != to {
		s.merges = append(s.merges, [2]string{from, to})
	}
}

// breakBefore starts a new printed page at row (shifted).
func (s *sheet) breakBefore(row int) { s.breaks = append(s.breaks, row+s.off) }

// maxRow is the highest a row may be, in points (Excel's limit).
const maxRow = 409

// height sets a row's height in points.
func (s *sheet) height(row int, h float64) {
	s.heights[row+s.off] = math.Min(h, maxRow)
	s.maxRow = max(s.maxRow, row+s.off)
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
	s.pg = &pageSpec{landscape: landscape, lastCell: lastCell, titleRows: titleRows}
}

// flush writes the sheet: first the page settings, which the stream
// writer carries from the sheet as it stands when it starts, then the
// columns, the rows in order, the merges and the page breaks.
func (s *sheet) flush() error {
	if s.err != nil {
		return s.err
	}
	f := s.b.f
	if pg := s.pg; pg != nil {
		size, orient := paperA4, "portrait"
		if pg.landscape {
			orient = "landscape"
		}
		one, any := 1, 0
		s.keep(f.SetPageLayout(s.name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &any}))
		side, tb, hf := marginSide, marginTopBt, 0.4
		center := true
		s.keep(f.SetPageMargins(s.name, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &tb, Bottom: &tb,
			Header: &hf, Footer: &hf, Horizontally: &center}))
		fit := true
		s.keep(f.SetSheetProps(s.name, &excelize.SheetPropsOptions{FitToPage: &fit}))
		quoted := "'" + strings.ReplaceAll(s.name, "'", "''") + "'"
		abs := func(ref string) string {
			col, row, _ := excelize.SplitCellName(ref)
			return fmt.Sprintf("$%s$%d", col, row)
		}
		s.keep(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", Scope: s.name, RefersTo: quoted + "!$A$1:" + abs(pg.lastCell)}))
		if pg.titleRows != "" {
			s.keep(f.SetHeaderFooter(s.name, &excelize.HeaderFooterOptions{OddFooter: "&C&\"宋体\"&10第 &P 页，共 &N 页"}))
			s.keep(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: s.name, RefersTo: quoted + "!" + pg.titleRows}))
		}
		grid := false
		s.keep(f.SetSheetView(s.name, -1, &excelize.ViewOptions{ShowGridLines: &grid}))
	}
	if s.err != nil {
		return s.err
	}
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	for i, w := range s.widths {
		s.keep(sw.SetColWidth(i+1, i+1, w))
	}
	for r := 1; r <= s.maxRow; r++ {
		row := s.cells[r]
		h, hasH := s.heights[r]
		if row == nil && !hasH {
			continue
		}
		vals := make([]any, s.maxCol)
		for c, cell := range row {
			vals[c-1] = *cell
		}
		var opts []excelize.RowOpts
		if hasH {
			opts = append(opts, excelize.RowOpts{Height: h})
		}
		s.keep(sw.SetRow(cellName(1, r), vals, opts...))
	}
	for _, m := range s.merges {
		s.keep(sw.MergeCell(m[0], m[1]))
	}
	for _, r := range s.breaks {
		s.keep(sw.InsertPageBreak(cellName(1, r)))
	}
	if s.err != nil {
		return s.err
	}
	return sw.Flush()
}

// done writes every sheet.
func (b *book) done() error {
	for _, s := range b.sheets {
		if err := s.flush(); err != nil {
			return fmt.Errorf("sheet %s: %w", s.name, err)
		}
	}
	return nil
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
		s.off = rows
		if rows > 0 {
			s.breakBefore(1)
		}
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
