package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kaohe/kaohe/scoring"
	"github.com/shopspring/decimal"
)

var hundredDec = decimal.NewFromInt(100)

// maxInputSize bounds an input file: 100,000 people fit in well under this.
const maxInputSize = 512 << 20

func runScore(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("score")
	schemeRef := fs.String("scheme", "", "`方案`文件，或内置方案编号（如 s4；kaohe scheme list 列出全部）")
	inputPath := fs.String("input", "", "输入的 JSON `文件`；- 表示从标准输入读取")
	format := fs.String("format", "json", "输出`格式`：json、table（表格与说明），或 allowance（某期的津贴扣减，CSV，供发放工资用，S2 五）")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *schemeRef == "" || *inputPath == "" {
		return usageError{"score: --scheme and --input are required"}
	}
	if *format != "json" && *format != "table" && *format != "allowance" {
		return usageError{fmt.Sprintf("score: --format must be json, table or allowance, not %q", *format)}
	}
	s, err := loadScheme(*schemeRef)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return fmt.Errorf("scheme %s: %w", *schemeRef, errFailed)
	}
	var r io.Reader = stdin
	if *inputPath != "-" {
		f, err := os.Open(*inputPath)
		if err != nil {
			return fmt.Errorf("open input: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputSize+1))
	if err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	if problems := inputProblems(data); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return fmt.Errorf("input %s: %d problem(s): %w", *inputPath, len(problems), errFailed)
	}
	in, err := scoring.DecodeInput(data)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return fmt.Errorf("input %s: %w", *inputPath, errFailed)
	}
	if _, period := in.(*scoring.PeriodInput); *format == "allowance" && !period {
		return usageError{"score: --format allowance needs a period input"}
	}
	var out any
	switch v := in.(type) {
	case *scoring.PeriodInput:
		out, err = scoring.ScorePeriod(s, v)
	case *scoring.YearInput:
		out, err = scoring.ScoreYear(s, v)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return fmt.Errorf("input %s: %w", *inputPath, errFailed)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	var buf bytes.Buffer
	if *format == "allowance" {
		if err := writeAllowanceCSV(&buf, scoring.AllowanceTable(s, out.(*scoring.PeriodResult))); err != nil {
			return err
		}
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	switch v := out.(type) {
	case *scoring.PeriodResult:
		writePeriodTable(&buf, v)
	case *scoring.YearResult:
		writeYearTable(&buf, v)
	}
	_, err = stdout.Write(buf.Bytes())
	return err
}

func dec(d *scoring.Dec) string {
	if d == nil {
		return "—"
	}
	return d.String()
}

var stateNames = map[string]string{
	scoring.StateGraded:      "已定等次",
	scoring.StateCommentOnly: "只写评语",
	scoring.StateNotGraded:   "不定等次",
	scoring.StateWithheld:    "暂不定等次",
	scoring.StatePending:     "待委员会审定",
}

func writePeriodTable(w io.Writer, r *scoring.PeriodResult) {
	fmt.Fprintf(w, "方案 %s　考核期 %s\n\n", r.Scheme, r.Period)
	var rows [][]string
	for _, p := range r.People {
		grade := p.Grade
		if grade == "" {
			grade = "—"
		}
		rows = append(rows, []string{p.ID, p.Name, p.Unit, dec(p.Score), grade, stateNames[p.State], strings.Join(p.Flags, ",")})
	}
	_ = writeTable(w, []string{"编号", "姓名", "单位", "分数", "等次", "状态", "标记"}, rows)
	if len(r.Quotas) > 0 {
		fmt.Fprintln(w, "\n名额")
		for _, q := range r.Quotas {
			fmt.Fprintf(w, "  %s「%s」：%s（调整前%d人，调整后%d人）\n", q.Key, q.Grade, q.Explain, q.Before, q.After)
		}
	}
	fmt.Fprintln(w, "\n说明")
	for _, p := range r.People {
		fmt.Fprintf(w, "  %s %s\n", p.ID, p.Name)
		for _, line := range p.Explain {
			fmt.Fprintf(w, "    · %s\n", line)
		}
		for _, c := range p.Allowance {
			fmt.Fprintf(w, "    ¥ %s\n", c.Explain)
		}
	}
}

func writeYearTable(w io.Writer, r *scoring.YearResult) {
	fmt.Fprintf(w, "方案 %s　年度 %d\n\n", r.Scheme, r.Year)
	var rows [][]string
	for _, p := range r.People {
		rate := "—"
		if p.ExcellenceRate != nil {
			rate = p.ExcellenceRate.Mul(hundredDec).Round(2).String() + "%"
		}
		max := p.MaxGrade
		if max == "" {
			max = "—"
		}
		grade := p.Grade
		if grade == "" {
			grade = "—"
		}
		rows = append(rows, []string{p.ID, p.Name, dec(p.Periodic), dec(p.Total), rate, max, grade})
	}
	_ = writeTable(w, []string{"编号", "姓名", "平时成绩", "年度总分", "优秀率", "最高等次", "年度等次"}, rows)
	fmt.Fprintln(w, "\n说明")
	for _, p := range r.People {
		fmt.Fprintf(w, "  %s %s\n", p.ID, p.Name)
		for _, line := range p.Explain {
			fmt.Fprintf(w, "    · %s\n", line)
		}
	}
}

// writeAllowanceCSV writes the allowance table as CSV with Chinese headers,
// behind a UTF-8 byte-order mark so that Excel, which payroll opens it in,
// reads the Chinese.
func writeAllowanceCSV(w io.Writer, rows []scoring.AllowanceRow) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"单位", "编号", "姓名", "月份", "津贴", "减发金额（元）", "规则", "说明"}); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.Unit, r.Person, r.Name, r.Month, r.Allowance, r.Amount.StringFixed(2), r.Rule, r.Explain}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
