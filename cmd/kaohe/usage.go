package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// help is what `kaohe CMD -h` prints above the flags: the synopsis and a
// paragraph on what the command does. The commands HR runs (score, scheme)
// speak Chinese, flags included; the operator's commands speak English,
// as the logs and the operations guide do.
type help struct {
	synopsis string
	about    string
}

// helps are every command's help, by its words ("audit verify"). A group
// ("scheme", "migrate", "audit") lists its commands. demo prints its own.
var helps = map[string]help{
	"demo": {synopsis: "kaohe demo [--quarters 1-4] [--scoring]"},
	"scheme": {synopsis: "kaohe scheme check|list|show …",
		about: "考核方案：\n  kaohe scheme list            列出内置方案（s1 … s10）\n  kaohe scheme show 编号        打印内置方案的 YAML\n  kaohe scheme check 文件…      校验方案文件，逐条指出错误所在的行"},
	"scheme list":  {synopsis: "kaohe scheme list", about: "列出内置的考核方案：编号、名称和所依据的文件。"},
	"scheme show":  {synopsis: "kaohe scheme show 编号", about: "打印一个内置方案（如 s4）的 YAML，可另存后修改，再用 kaohe scheme check 校验。"},
	"scheme check": {synopsis: "kaohe scheme check 文件…", about: "校验方案文件（YAML 或 JSON）：每个错误一行，写明文件、行号和字段；全部通过时退出码为 0。\n以“-”开头的文件名写在 -- 之后。"},
	"score": {synopsis: "kaohe score --scheme 文件|编号 --input 文件|- [--format json|table]",
		about: "按方案计算一个考核期（kind: period）或一个年度（kind: year）的分数与等次，并说明每一步的依据。\n" +
			"输入为 JSON（字段见 scoring/testdata/*.schema.json）；未知字段、写成字符串的整数、不是数字的分数都会报错，\n" +
			"错误一次全部列出，并写明人员编号和字段路径。分数可以写成数字或数字字符串（\"89.5\"），按十进制精确计算。"},
	"serve": {synopsis: "kaohe serve [--config FILE] [--store postgres|memory] [--listen ADDR] [--callback long|webhook] [--addr-file FILE] [--bench-fixture N]",
		about: "Run the Lark bot: callbacks and events (long connection or webhook), the outbox relay, the reminder scheduler,\n" +
			"/healthz, /readyz and /metrics. Settings come from --config FILE (KAOHE_CONFIG), then KAOHE_* variables, then\n" +
			"these flags; every key is in deploy/kaohe.example.yaml. SIGTERM drains within shutdown_timeout."},
	"sim": {synopsis: "kaohe sim [--listen 127.0.0.1:9900] [--org FILE] [--callback-url URL] [--start TIME] [--freeze] [--clock-file FILE] …",
		about: "Run the Lark simulator: the Open API endpoints kaohe uses, signed callbacks and events or the long connection,\n" +
			"and its control interface under /_sim/ (docs/sim.md). For tests and demonstrations."},
	"migrate": {synopsis: "kaohe migrate up|down [N|all]|status [--database-url URL]",
		about: "Schema migrations, run as the schema owner ($KAOHE_DATABASE_URL):\n  kaohe migrate up           apply every migration not yet applied\n" +
			"  kaohe migrate down [N|all] revert the last N (default 1) or all\n  kaohe migrate status       list what is applied and what this binary knows"},
	"migrate up":     {synopsis: "kaohe migrate up [--database-url URL]", about: "Apply every migration this binary knows and the database has not, each in its own transaction, behind a lock."},
	"migrate down":   {synopsis: "kaohe migrate down [N|all] [--database-url URL]", about: "Revert the last N migrations (default 1), or all of them."},
	"migrate status": {synopsis: "kaohe migrate status [--database-url URL]", about: "List the applied migrations and say whether the database is behind or ahead of this binary."},
	"audit": {synopsis: "kaohe audit verify|export …",
		about: "The audit log:\n  kaohe audit verify [--heads FILE]                  check the hash chain and the published heads\n" +
			"  kaohe audit export --period ID | --from D --to D   write a stretch of it as CSV or JSON lines"},
	"audit verify": {synopsis: "kaohe audit verify [--heads FILE] [--database-url URL]",
		about: "Walk the whole audit chain, name the first row that does not follow from the one before it, and check that\nevery head serve published (audit_head_file) is still in the log with its hash."},
	"audit export": {synopsis: "kaohe audit export (--period 2026-Q3 | --from DATE --to DATE) [--format csv|jsonl] [--out FILE]",
		about: "Write the audit rows of a period or of a stretch of days (China time), for the filing office or an inspector."},
	"export": {synopsis: "kaohe export --period ID --table NAME [--out FILE] [--database-url URL] [--scheme ID] [--publish-all]",
		about: exportAbout()},
	"healthcheck": {synopsis: "kaohe healthcheck URL", about: "GET URL and exit 0 if it answers 200, 1 otherwise: the container health check (the image has no curl)."},
	"version":     {synopsis: "kaohe version", about: "Print the version, the commit it was built from (+dirty for uncommitted changes) and the Go version."},
	"load": {synopsis: "kaohe load --url URL --encrypt-key KEY --token TOKEN --people N [--rate 500] [--duration 20s]",
		about: "Send signed weekly-record callbacks open-loop to a serve started with --bench-fixture N, and report latency\n(BENCHMARKS.md). For load tests on this machine's loopback only."},
}

// newFlags returns a flag set for the command named by its words. It
// prints nothing itself: parseFlags prints the help for -h and turns a
// mistake into a usageError.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses a command's flags and refuses stray arguments.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	if err := parseFlagsArgs(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// parseFlagsArgs parses a command's flags, leaving its arguments in
// fs.Args(). -h (or --help) prints the command's help on stdout and
// returns flag.ErrHelp, which exits 0: asked for, help is output, not an
// error. A mistake is a usageError with the flag package's words.
func parseFlagsArgs(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		writeHelp(stdout, fs.Name(), fs)
		return flag.ErrHelp
	case err != nil:
		return usageError{fs.Name() + ": " + err.Error()}
	}
	return nil
}

// writeHelp prints the help of the command name and, if fs has any, its
// flags.
func writeHelp(w io.Writer, name string, fs *flag.FlagSet) {
	h := helps[name]
	zh := strings.HasPrefix(name, "score") || strings.HasPrefix(name, "scheme")
	label := "usage: "
	if zh {
		label = "用法："
	}
	fmt.Fprintf(w, "%s%s\n", label, h.synopsis)
	if h.about != "" {
		fmt.Fprintf(w, "\n%s\n", h.about)
	}
	if fs == nil {
		return
	}
	var n int
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	if zh {
		fmt.Fprint(w, "\n选项：\n")
	} else {
		fmt.Fprint(w, "\nflags:\n")
	}
	printFlags(w, fs, zh)
}

// printFlags lists fs's flags as the synopses write them (--name VALUE),
// each with its description and, when it has one, its default, in the
// help's language: flag.PrintDefaults writes "-name" and "(default …)"
// in English whatever the command speaks.
func printFlags(w io.Writer, fs *flag.FlagSet, zh bool) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if kind != "" {
			line += " " + kind
		}
		fmt.Fprintln(w, line)
		def := f.DefValue
		switch def {
		case "", "0", "false", "-1":
			def = ""
		}
		switch {
		case def != "" && zh:
			text += "（默认 " + def + "）"
		case def != "":
			text += " (default " + def + ")"
		}
		fmt.Fprintf(w, "        %s\n", text)
	})
}

// helpKey is the longest command named by the leading words of args
// ("audit verify" for `audit verify --heads x`), "" for none.
func helpKey(args []string) string {
	key := ""
	for i := 1; i <= min(len(args), 2); i++ {
		k := strings.Join(args[:i], " ")
		if _, ok := helps[k]; ok {
			key = k
		}
	}
	return key
}

// usageFor is what follows a usageError's message on stderr: the
// command's synopsis and where its help is, or the list of every command
// when the mistake is the command itself.
func usageFor(args []string) string {
	key := helpKey(args)
	if key == "" {
		return usage
	}
	h := helps[key]
	if strings.HasPrefix(key, "score") || strings.HasPrefix(key, "scheme") {
		return fmt.Sprintf("用法：%s\n详见 kaohe %s -h\n", h.synopsis, key)
	}
	return fmt.Sprintf("usage: %s\nmore: kaohe %s -h\n", h.synopsis, key)
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}
