package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/kaohe/kaohe/storage/postgres"
)

// openCLIStore connects an operator's command to PostgreSQL, once, without
// migrating: a command that reads must not change the schema.
func openCLIStore(ctx context.Context, url string) (*postgres.Store, error) {
	if url == "" {
		return nil, usageError{"no database: pass --database-url or set KAOHE_DATABASE_URL"}
	}
	if err := checkURL(url, "postgres", "postgresql"); err != nil {
		return nil, usageError{"--database-url: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", redactURL(url), err)
	}
	return st, nil
}

// runMigrate is `kaohe migrate up|down [N|all]|status`. Run it as the
// schema owner; serve can then run as the application role with
// migrate: check.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"migrate: want up, down or status"}
	}
	if isHelp(args[0]) {
		writeHelp(stdout, "migrate", nil)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	if _, ok := helps["migrate "+cmd]; !ok {
		return usageError{fmt.Sprintf("migrate: unknown command %q (want up, down or status)", cmd)}
	}
	steps := 1
	if cmd == "down" && len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		if rest[0] == "all" {
			steps = 0
		} else if n, err := strconv.Atoi(rest[0]); err == nil && n > 0 {
			steps = n
		} else {
			return usageError{fmt.Sprintf("migrate down: %q: want a number of migrations or all", rest[0])}
		}
		rest = rest[1:]
	}
	fs := newFlags("migrate " + cmd)
	dbURL := fs.String("database-url", getenv("KAOHE_DATABASE_URL"), "PostgreSQL URL (default $KAOHE_DATABASE_URL)")
	if err := parseFlags(fs, rest, stdout); err != nil {
		return err
	}
	st, err := openCLIStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	switch cmd {
	case "up":
		applied, err := st.MigrateUp(ctx)
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		if len(applied) == 0 {
			fmt.Fprintln(stdout, "schema already up to date")
		}
		for _, v := range applied {
			fmt.Fprintf(stdout, "applied %04d\n", v)
		}
	case "down":
		reverted, err := st.MigrateDown(ctx, steps)
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		if len(reverted) == 0 {
			fmt.Fprintln(stdout, "nothing to revert")
		}
		for _, v := range reverted {
			fmt.Fprintf(stdout, "reverted %04d\n", v)
		}
	case "status":
		ms, err := st.MigrationStatus(ctx)
		if err != nil {
			return fmt.Errorf("migrate status: %w", err)
		}
		fmt.Fprintf(stdout, "schema version %d, this binary knows %d\n", ms.Current, ms.Latest)
		for _, a := range ms.Applied {
			fmt.Fprintf(stdout, "  %04d %s  applied %s\n", a.Version, a.Name, a.AppliedAt.UTC().Format(time.RFC3339))
		}
		switch {
		case ms.Current < ms.Latest:
			fmt.Fprintf(stdout, "%d migration(s) to apply: kaohe migrate up\n", ms.Latest-ms.Current)
		case ms.Current > ms.Latest:
			fmt.Fprintln(stdout, "the database is newer than this binary: upgrade kaohe before serving")
		}
	}
	return nil
}
