// Command kaohe is the routine-appraisal (平时考核) system: the Lark bot
// server, the demo playground and the command-line tools, in one binary.
//
// Usage:
//
//	kaohe demo [--listen ADDR]                   the playground: a Lark-like page on localhost (no servers)
//	kaohe demo --story [--quarters N] | --scoring play the sample year in the terminal, or only score
//	kaohe scheme check FILE...                   validate scheme files
//	kaohe scheme list                            list the built-in seed schemes
//	kaohe scheme show ID                         print a built-in scheme's YAML
//	kaohe score --scheme FILE|ID --input FILE [--format json|table]
//	kaohe serve [--config FILE] [--store postgres|memory] [--listen ADDR] [--callback long|webhook]
//	kaohe sim [--listen ADDR] [--org FILE] [--callback-url URL] [--start TIME] [--clock-file FILE]
//	kaohe migrate up|down [N|all]|status [--database-url URL]
//	kaohe audit verify [--heads FILE] | export --period ID [--format csv|jsonl]
//	kaohe export --period ID --table NAME [--out FILE]  a filing form (备案表) as .xlsx
//	kaohe load --url URL --encrypt-key KEY --token TOKEN [--rate N] [--duration D]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	flush := quietStdout()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	flush()
	if errors.Is(err, flag.ErrHelp) {
		return // the flag set has printed its help
	}
	if err != nil {
		var ue usageError
		if !errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "kaohe:", err)
		} else {
			fmt.Fprintln(os.Stderr, "kaohe:", ue.msg)
			fmt.Fprint(os.Stderr, usageFor(os.Args[1:]))
		}
		os.Exit(exitCode(err))
	}
}

const usage = `usage:
  kaohe demo [--listen 127.0.0.1:8800]          the playground: kaohe serve and the Lark simulator in this process
                                                and a Lark-like page in the browser to act as anyone of 县财政局
  kaohe demo --story [--quarters 1-4]           play 县财政局's 2026 in the terminal, people clicking cards
  kaohe demo --scoring                          only score a sample office under S4
  kaohe scheme check FILE...                    validate scheme files
  kaohe scheme list                             list the built-in seed schemes (s1 … s10)
  kaohe scheme show ID                          print a built-in scheme's YAML
  kaohe score --scheme FILE|ID --input FILE|- [--format json|table]
                                                score a period or a year (input "kind")
  kaohe serve [--config FILE] [--store postgres|memory] [--listen ADDR] [--callback long|webhook] [--addr-file FILE] [--bench-fixture N]
                                                run the Lark bot; settings from --config FILE and KAOHE_* variables
  kaohe sim [--listen 127.0.0.1:9900] [--addr-file FILE] [--org FILE] [--app-id ID --app-secret S]
            [--callback-url URL] [--verification-token T] [--encrypt-key K] [--start TIME] [--freeze] [--clock-file FILE]
                                                run the Lark simulator with its control interface (docs/sim.md)
  kaohe migrate up|down [N|all]|status [--database-url URL]
                                                apply, revert or list schema migrations ($KAOHE_DATABASE_URL)
  kaohe audit verify [--heads FILE] [--database-url URL]
                                                check the audit log's hash chain and the published heads
  kaohe audit export (--period 2026-Q3 | --from DATE --to DATE) [--format csv|jsonl] [--out FILE]
                                                write the audit rows of a period
  kaohe export --period 2026-Q3 --table s4-register|s4-summary|s9-register|s9-summary|s10-record|s2-filing|publicity
               [--out FILE] [--database-url URL] [--scheme ID] [--publish-all]
                                                write a filing form (备案表) as .xlsx (docs/filing.md)
  kaohe healthcheck URL                         exit 0 if URL answers 200 (container health checks)
  kaohe version                                 print the version, the commit it was built from and the Go version
  kaohe load --url URL --encrypt-key KEY --token TOKEN [--rate 500] [--duration 20s] [--people N]
                                                send signed card callbacks open-loop and report latency
  kaohe help [COMMAND]                          this list, or a command's help (the same as kaohe COMMAND -h)
`

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errFailed marks a command that ran and reported problems (an invalid
// scheme or input) that it has already printed.
var errFailed = errors.New("failed")

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// run is main without the process: tests call it with their own arguments,
// environment (getenv) and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command"}
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout)
	case "scheme":
		return runScheme(args[1:], stdout, stderr)
	case "score":
		return runScore(args[1:], stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "load":
		return runLoad(ctx, args[1:], stdout, stderr)
	case "sim":
		return runSim(ctx, args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], getenv, stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], stdout)
	case "version", "--version":
		if err := parseFlags(newFlags("version"), args[1:], stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
		return nil
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[0] == "help" {
			return run(ctx, append(args[1:], "-h"), getenv, stdin, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// versionLine describes the build: the module version ("(devel)" for a
// plain go build), the VCS revision and time with "+dirty" for uncommitted
// changes, and the Go version; what an operator quotes in a report.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "kaohe (unknown build)"
	}
	line := "kaohe " + bi.Main.Version
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		line += " " + rev + dirty
	}
	if at != "" {
		line += " " + at
	}
	return line + " " + bi.GoVersion
}
