package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/kaohe/kaohe/scoring"
	"github.com/kaohe/kaohe/workflow"
)

func runScheme(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"scheme: want check, list or show"}
	}
	if isHelp(args[0]) {
		writeHelp(stdout, "scheme", nil)
		return flag.ErrHelp
	}
	name := "scheme " + args[0]
	if _, ok := helps[name]; !ok {
		return usageError{fmt.Sprintf("scheme: unknown subcommand %q (want check, list or show)", args[0])}
	}
	fs := newFlags(name)
	if err := parseFlagsArgs(fs, args[1:], stdout); err != nil {
		return err
	}
	rest := fs.Args()
	switch args[0] {
	case "check":
		if len(rest) == 0 {
			return usageError{"scheme check: name at least one file"}
		}
		bad := 0
		for _, f := range rest {
			s, err := scoring.LoadFile(f)
			if err != nil {
				bad++
				fmt.Fprintln(stderr, err)
				continue
			}
			fmt.Fprintf(stdout, "%s: ok (%s, %s)\n", f, s.ID, s.Name)
		}
		if bad > 0 {
			return fmt.Errorf("%d of %d scheme files invalid: %w", bad, len(rest), errFailed)
		}
		return nil
	case "list":
		if len(rest) > 0 {
			return usageError{fmt.Sprintf("scheme list: unexpected argument %q", rest[0])}
		}
		var rows [][]string
		// The variants (s4-month) are listed too: serve's schemes: key and
		// scheme show take them like any other.
		for _, id := range append(scoring.BuiltinIDs(), scoring.BuiltinVariantIDs()...) {
			s, err := scoring.Builtin(id)
			if err != nil {
				return fmt.Errorf("built-in scheme %s: %w", id, err)
			}
			name := s.Name
			if s.Cycle == "month" {
				name += "（按月）"
			}
			rows = append(rows, []string{id, name, s.Source})
		}
		return writeTable(stdout, []string{"编号", "名称", "依据"}, rows)
	case "show":
		if len(rest) != 1 {
			return usageError{"scheme show: name one scheme id"}
		}
		data, err := scoring.BuiltinSource(rest[0])
		if err != nil {
			return unknownScheme(rest[0])
		}
		_, err = stdout.Write(data)
		return err
	}
	return nil
}

// unknownScheme names the built-in schemes after an id that is none of
// them.
func unknownScheme(id string) error {
	return fmt.Errorf("%w %q: the built-in schemes are %s (kaohe scheme list)", scoring.ErrUnknownScheme, id, strings.Join(scoring.BuiltinIDs(), ", "))
}

// loadScheme reads a scheme file, or a built-in one by id ("s4").
// A bare word that is neither a built-in id nor an existing file ("s99")
// is answered with the list of built-in ids, not "no such file".
func loadScheme(ref string) (*scoring.Scheme, error) {
	if !strings.ContainsAny(ref, "./\\") {
		s, err := scoring.Builtin(ref)
		if err == nil || !errors.Is(err, scoring.ErrUnknownScheme) {
			return s, err
		}
		if _, err := os.Stat(ref); errors.Is(err, fs.ErrNotExist) {
			return nil, unknownScheme(ref)
		}
	}
	return scoring.LoadFile(ref)
}

// loadUnitSchemes loads the schemes the configuration puts units under
// (its schemes key: unit id → built-in id or scheme file), and every
// built-in variant besides, so that an org file may name s4-month or any
// built-in scheme by id. An unknown scheme names its key.
func loadUnitSchemes(cfg Config) (map[string]*scoring.Scheme, map[string]string, error) {
	schemes := map[string]*scoring.Scheme{}
	for _, id := range append(scoring.BuiltinIDs(), scoring.BuiltinVariantIDs()...) {
		sc, err := scoring.Builtin(id)
		if err != nil {
			return nil, nil, fmt.Errorf("built-in scheme %s: %w", id, err)
		}
		schemes[sc.ID] = sc
	}
	units := map[string]string{}
	for unit, ref := range cfg.Schemes {
		sc, err := loadScheme(ref)
		if err != nil {
			return nil, nil, &ConfigError{Field: "schemes." + unit, Msg: err.Error()}
		}
		if old, ok := schemes[sc.ID]; ok && old.Source != sc.Source && strings.ContainsAny(ref, "./\\") {
			// A scheme file reusing a built-in id would silently change
			// the built-in's periods: refuse it.
			return nil, nil, &ConfigError{Field: "schemes." + unit, Msg: fmt.Sprintf("scheme file %s has id %q, which another scheme has: give it an id of its own", ref, sc.ID)}
		}
		schemes[sc.ID] = sc
		units[unit] = sc.ID
	}
	return schemes, units, nil
}

// checkSchemeUnits refuses a schemes key naming a unit the organisation
// does not have, once it has units (before the first 同步通讯录 it has none,
// and the key waits for them: a warning says so).
func checkSchemeUnits(ctx context.Context, st workflow.Store, cfg Config, log *slog.Logger) error {
	if len(cfg.Schemes) == 0 {
		return nil
	}
	var units []workflow.Unit
	if err := st.InTx(ctx, func(tx workflow.Tx) error {
		var err error
		units, err = tx.Units(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("check the schemes key: %w", err)
	}
	if len(units) == 0 {
		log.Warn("the schemes key names units, but the organisation has none yet: they take their schemes once synced or loaded")
		return nil
	}
	known := map[string]bool{}
	var ids []string
	for _, u := range units {
		known[u.ID] = true
		ids = append(ids, u.ID)
	}
	for _, unit := range slices.Sorted(maps.Keys(cfg.Schemes)) {
		if !known[unit] {
			return &ConfigError{Field: "schemes." + unit, Msg: fmt.Sprintf("no unit %q in the organisation (its units: %s)", unit, strings.Join(ids, ", "))}
		}
	}
	return nil
}
