package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kaohe/kaohe/filing"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// runExport is `kaohe export --period ID --table NAME [--out FILE]`: a
// filing form as an .xlsx file, read from the store the way kaohe audit
// export reads the audit log. The operator holds the database, so nobody
// is authorized here; HR gets the same file in chat with 备案表 (docs/filing.md).
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("export")
	dbURL := fs.String("database-url", getenv("KAOHE_DATABASE_URL"), "PostgreSQL URL (default $KAOHE_DATABASE_URL)")
	period := fs.String("period", "", "the period (2026-Q3, 2026-09; another scheme's: 2026-Q1@s5) or, for a year's table, the year (2026, 2026@s5)")
	table := fs.String("table", "", "the form: "+tableNames())
	out := fs.String("out", "", "output file (default: the form's own name in the current directory; - for standard output)")
	scheme := fs.String("scheme", getenv("KAOHE_SCHEME"), "the scheme the store was scored with, s1 … s10 or a file (default $KAOHE_SCHEME, else s4)")
	publishAll := fs.Bool("publish-all", envBool(getenv("KAOHE_PUBLISH_ALL")), "the 公示 list names every grade, as serve's publish_all (default $KAOHE_PUBLISH_ALL)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *period == "" || *table == "" {
		return usageError{"export: --period and --table are required (kaohe export -h lists the tables)"}
	}
	spec, err := filing.Lookup(*table)
	if err != nil {
		return usageError{fmt.Sprintf("export: --table %q: want one of %s", *table, tableNames())}
	}
	id, err := filing.DataID(spec.Table, *period)
	if err != nil {
		return usageError{"export: --period: " + workflow.Message(err)}
	}
	ref := *scheme
	if ref == "" {
		ref = "s4"
	}
	sc, err := loadScheme(ref)
	if err != nil {
		return usageError{"export: --scheme: " + err.Error()}
	}
	st, err := openCLIStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	today := calendar.DateOf(time.Now().In(calendar.DefaultLocation()))
	opt := workflow.FilingOptions{Scheme: sc, PublishAll: *publishAll, Today: today}
	if _, own, _ := strings.Cut(id, "@"); own != "" {
		// A period of another scheme than --scheme (the default) is read
		// under the scheme its id names.
		if opt.Scheme, err = loadScheme(own); err != nil {
			return usageError{"export: --period: " + err.Error()}
		}
		opt.Default = sc.ID
	}
	f, err := workflow.LoadFiling(ctx, st, opt, id)
	if errors.Is(err, workflow.ErrNotFound) {
		return fmt.Errorf("export: no period %s in the store", id)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	data, err := filing.Bytes(spec.Table, f)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	name := *out
	if name == "" {
		name = filing.FileName(spec.Table, f)
	}
	if name == "-" {
		_, err := stdout.Write(data)
		return err
	}
	if err := os.WriteFile(name, data, 0o640); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	people := 0
	for _, p := range f.People {
		for _, fp := range f.Periods {
			if fp.Records[p.ID] != nil {
				people++
				break
			}
		}
	}
	fmt.Fprintf(stderr, "wrote %s: %s of %s, %d people, %d bytes\n", name, spec.Title, id, people, len(data))
	return nil
}

func tableNames() string {
	var out []string
	for _, s := range filing.Specs {
		out = append(out, string(s.Table))
	}
	return strings.Join(out, ", ")
}

func envBool(v string) bool {
	b, _ := strconv.ParseBool(v)
	return b
}

// exportAbout is export's help paragraph: what it writes and the tables.
func exportAbout() string {
	var b strings.Builder
	b.WriteString("Write one of the filing forms (备案表) as an .xlsx file, read from the store:\n")
	for _, s := range filing.Specs {
		what := "a period"
		if s.Year {
			what = "a year (a period gives its year)"
		}
		fmt.Fprintf(&b, "  %-12s %s（%s）, %s\n", s.Table, s.Title, s.Source, what)
	}
	return strings.TrimRight(b.String(), "\n")
}
