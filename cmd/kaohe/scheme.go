package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kaohe/kaohe/scoring"
)

func runScheme(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"scheme: want check, list or show"}
	}
	switch args[0] {
	case "check":
		if len(args) < 2 {
			return usageError{"scheme check: name at least one file"}
		}
		bad := 0
		for _, f := range args[1:] {
			s, err := scoring.LoadFile(f)
			if err != nil {
				bad++
				fmt.Fprintln(stderr, err)
				continue
			}
			fmt.Fprintf(stdout, "%s: ok (%s, %s)\n", f, s.ID, s.Name)
		}
		if bad > 0 {
			return fmt.Errorf("%d of %d scheme files invalid: %w", bad, len(args)-1, errFailed)
		}
		return nil
	case "list":
		for _, id := range scoring.BuiltinIDs() {
			s, err := scoring.Builtin(id)
			if err != nil {
				return fmt.Errorf("built-in scheme %s: %w", id, err)
			}
			fmt.Fprintf(stdout, "%-4s %s（%s）\n", id, s.Name, s.Source)
		}
		return nil
	case "show":
		if len(args) != 2 {
			return usageError{"scheme show: name one scheme id"}
		}
		data, err := scoring.BuiltinSource(args[1])
		if err != nil {
			return fmt.Errorf("%w %q (built in: %s)", scoring.ErrUnknownScheme, args[1], strings.Join(scoring.BuiltinIDs(), ", "))
		}
		_, err = stdout.Write(data)
		return err
	}
	return usageError{fmt.Sprintf("scheme: unknown subcommand %q", args[0])}
}

// loadScheme reads a scheme file, or a built-in one by id ("s4").
func loadScheme(ref string) (*scoring.Scheme, error) {
	if !strings.ContainsAny(ref, "./\\") {
		s, err := scoring.Builtin(ref)
		if err == nil || !errors.Is(err, scoring.ErrUnknownScheme) {
			return s, err
		}
	}
	return scoring.LoadFile(ref)
}
