package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// auditPage is how many audit rows one read takes.
const auditPage = 2000

// auditHead is one published head: the line serve appends to
// audit_head_file, and what `kaohe audit verify --heads` reads back.
type auditHead struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
}

// auditHeader is a store that can say what its last audit row is.
type auditHeader interface {
	AuditHead(ctx context.Context) (workflow.AuditEntry, error)
}

// runAudit is `kaohe audit verify|export`.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"audit: want verify or export"}
	}
	switch {
	case isHelp(args[0]):
		writeHelp(stdout, "audit", nil)
		return flag.ErrHelp
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, args[1:], getenv, stdout, stderr)
	case "export":
		return auditExport(ctx, args[1:], getenv, stdout, stderr)
	}
	return usageError{fmt.Sprintf("audit: unknown command %q (want verify or export)", args[0])}
}

// auditVerify walks the whole chain page by page, names the first row that
// does not follow from the one before it, and checks that every published
// head is still in the log with its hash (rows deleted from the end leave
// an intact chain that only a head kept elsewhere can expose).
func auditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify")
	dbURL := fs.String("database-url", getenv("KAOHE_DATABASE_URL"), "PostgreSQL URL (default $KAOHE_DATABASE_URL)")
	headsFile := fs.String("heads", "", "a file of heads published by serve (audit_head_file), checked against the log")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	var heads []auditHead
	if *headsFile != "" {
		var err error
		if heads, err = readHeads(*headsFile); err != nil {
			return err
		}
	}
	st, err := openCLIStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	want := map[int64]auditHead{}
	for _, h := range heads {
		want[h.Seq] = h
	}
	var prev *workflow.AuditEntry
	var n int64
	var broken error
	err = eachAuditPage(ctx, st, func(page []workflow.AuditEntry) {
		if err := workflow.VerifyAudit(prev, page); err != nil && broken == nil {
			broken = err
		}
		for _, r := range page {
			if h, ok := want[r.Seq]; ok {
				if r.RowHash != h.Hash {
					fmt.Fprintf(stdout, "published head %d (%s): the row's hash differs: the row was rewritten\n", h.Seq, h.At.Format(time.RFC3339))
					broken = errors.Join(broken, &workflow.AuditBreak{Seq: h.Seq, Reason: "published head hash differs"})
				}
				delete(want, r.Seq)
			}
		}
		n += int64(len(page))
		prev = &page[len(page)-1]
		if n%(50*auditPage) == 0 {
			fmt.Fprintf(stderr, "verified %d rows…\n", n)
		}
	})
	if err != nil {
		return err
	}
	for _, h := range heads {
		if _, missing := want[h.Seq]; missing {
			fmt.Fprintf(stdout, "published head %d (%s) is missing: the log lost its rows from %d on\n", h.Seq, h.At.Format(time.RFC3339), h.Seq)
			broken = errors.Join(broken, &workflow.AuditBreak{Seq: h.Seq, Reason: "published head row is missing"})
		}
	}
	if broken != nil {
		var br *workflow.AuditBreak
		if errors.As(broken, &br) {
			fmt.Fprintf(stdout, "audit log NOT intact: first problem at row %d: %s\n", br.Seq, br.Reason)
		}
		return errFailed
	}
	head := "empty log"
	if prev != nil {
		head = fmt.Sprintf("head row %d, hash %s", prev.Seq, prev.RowHash)
	}
	fmt.Fprintf(stdout, "audit log intact: %d rows, %s; %d published heads checked\n", n, head, len(heads))
	return nil
}

// eachAuditPage hands fn the whole audit log, a page at a time in seq
// order, each page read in its own short transaction.
func eachAuditPage(ctx context.Context, st workflow.Store, fn func(page []workflow.AuditEntry)) error {
	var after int64
	for {
		var page []workflow.AuditEntry
		if err := st.InTx(ctx, func(tx workflow.Tx) error {
			var err error
			page, err = tx.Audit(ctx, after, auditPage)
			return err
		}); err != nil {
			return fmt.Errorf("read audit log after row %d: %w", after, err)
		}
		if len(page) == 0 {
			return nil
		}
		fn(page)
		after = page[len(page)-1].Seq
	}
}

// readHeads reads a heads file: one JSON object per line; blank lines are
// skipped, anything else is an error naming the line.
func readHeads(path string) ([]auditHead, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("heads file: %w", err)
	}
	defer f.Close()
	var out []auditHead
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var h auditHead
		if err := json.Unmarshal([]byte(text), &h); err != nil || h.Seq < 1 || h.Hash == "" {
			return nil, fmt.Errorf("heads file %s line %d: want {\"seq\":N,\"hash\":\"…\",\"at\":\"…\"}", path, line)
		}
		out = append(out, h)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("heads file %s: %w", path, err)
	}
	return out, nil
}

// auditExport writes the audit rows of a stretch of time as CSV or JSON
// lines, for the filing office or an inspector.
func auditExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("audit export")
	dbURL := fs.String("database-url", getenv("KAOHE_DATABASE_URL"), "PostgreSQL URL (default $KAOHE_DATABASE_URL)")
	period := fs.String("period", "", "an appraisal period (2026-Q3, 2026-09, 2026): its days, China time")
	from := fs.String("from", "", "first day (2026-07-01), China time")
	to := fs.String("to", "", "last day, included")
	format := fs.String("format", "csv", "csv or jsonl")
	out := fs.String("out", "-", "output file (- for standard output)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if *format != "csv" && *format != "jsonl" {
		return usageError{fmt.Sprintf("audit export: --format %q: want csv or jsonl", *format)}
	}
	start, end, err := exportWindow(*period, *from, *to)
	if err != nil {
		return usageError{"audit export: " + err.Error()}
	}
	st, err := openCLIStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	w := stdout
	var file *os.File
	if *out != "-" {
		if file, err = os.Create(*out); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if *format == "csv" {
		_ = cw.Write([]string{"seq", "at", "actor", "action", "object", "detail", "denied", "prev_hash", "row_hash"})
	}
	var n int64
	err = eachAuditPage(ctx, st, func(page []workflow.AuditEntry) {
		for _, r := range page {
			if r.At.Before(start) || !r.At.Before(end) {
				continue
			}
			n++
			if *format == "csv" {
				_ = cw.Write([]string{strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano), r.Actor, r.Action, r.Object,
					r.Detail, strconv.FormatBool(r.Denied), r.PrevHash, r.RowHash})
				continue
			}
			b, _ := json.Marshal(exportRow(r))
			_, _ = bw.Write(append(b, '\n'))
		}
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := errors.Join(cw.Error(), bw.Flush()); err != nil {
		return fmt.Errorf("audit export: write: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
	}
	fmt.Fprintf(stderr, "exported %d audit rows from %s to %s\n", n, start.Format(time.DateOnly), end.Add(-time.Nanosecond).Format(time.DateOnly))
	return nil
}

type exportedRow struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Object   string    `json:"object"`
	Detail   string    `json:"detail,omitempty"`
	Denied   bool      `json:"denied"`
	PrevHash string    `json:"prev_hash"`
	RowHash  string    `json:"row_hash"`
}

func exportRow(r workflow.AuditEntry) exportedRow {
	return exportedRow{Seq: r.Seq, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, Object: r.Object, Detail: r.Detail,
		Denied: r.Denied, PrevHash: r.PrevHash, RowHash: r.RowHash}
}

// exportWindow turns --period or --from/--to into [start, end) instants;
// days are China time, as the periods themselves are.
func exportWindow(period, from, to string) (time.Time, time.Time, error) {
	loc := calendar.DefaultLocation()
	day := func(d calendar.Date) time.Time { return d.In(loc) }
	if period != "" {
		if from != "" || to != "" {
			return time.Time{}, time.Time{}, errors.New("give --period or --from/--to, not both")
		}
		if y, err := strconv.Atoi(period); err == nil && len(period) == 4 {
			return time.Date(y, 1, 1, 0, 0, 0, 0, loc), time.Date(y+1, 1, 1, 0, 0, 0, 0, loc), nil
		}
		p, err := calendar.ParsePeriod(period)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--period %q: want 2026-Q3, 2026-09 or 2026", period)
		}
		return day(p.Start()), day(p.End().AddDays(1)), nil
	}
	if from == "" || to == "" {
		return time.Time{}, time.Time{}, errors.New("give --period, or both --from and --to")
	}
	f, err := calendar.ParseDate(from)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--from %q: want a date like 2026-07-01", from)
	}
	t, err := calendar.ParseDate(to)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("--to %q: want a date like 2026-09-30", to)
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, errors.New("--to is before --from")
	}
	return day(f), day(t.AddDays(1)), nil
}

// auditHeadLoop publishes the audit head every AuditHeadInterval. Each
// slot is recorded as a schedule firing, so of several replicas exactly
// one publishes it: that one appends the head to audit_head_file and
// queues it, in the same transaction, for the admin chat.
func (s *server) auditHeadLoop(ctx context.Context) {
	every := time.Duration(s.cfg.AuditHeadInterval)
	for {
		if err := s.publishAuditHead(ctx, every); err != nil && ctx.Err() == nil {
			s.log.Error("publish audit head", "err", err)
		}
		now := s.clock.Now()
		wait := now.Truncate(every).Add(every).Sub(now)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (s *server) publishAuditHead(ctx context.Context, every time.Duration) error {
	ah, ok := s.deps.store.(auditHeader)
	if !ok {
		return nil
	}
	head, err := ah.AuditHead(ctx)
	if errors.Is(err, workflow.ErrNotFound) {
		return nil // nothing to publish yet
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	slot := now.Truncate(every)
	won := false
	err = s.store.InTx(ctx, func(tx workflow.Tx) error {
		won = false
		err := tx.RecordFire(ctx, workflow.Fire{ScheduleID: "audit-head", SlotAt: slot, Outcome: workflow.FireFired, Sent: 1, FiredAt: now})
		if errors.Is(err, workflow.ErrConflict) {
			return nil // another replica published this slot
		}
		if err != nil {
			return err
		}
		won = true
		if s.cfg.AuditHeadChat == "" {
			return nil
		}
		_, err = tx.Enqueue(ctx, workflow.Notification{Key: workflow.DedupeKey("audit-head", slot.UTC().Format(time.RFC3339)),
			To: s.cfg.AuditHeadChat, Chat: true, Template: bot.TplAuditHead, CreatedAt: now,
			Data: map[string]string{"seq": strconv.FormatInt(head.Seq, 10), "hash": head.RowHash, "at": head.At.UTC().Format(time.RFC3339)}})
		return err
	})
	if err != nil || !won || s.cfg.AuditHeadFile == "" {
		return err
	}
	line, _ := json.Marshal(auditHead{Seq: head.Seq, Hash: head.RowHash, At: head.At.UTC()})
	f, err := os.OpenFile(s.cfg.AuditHeadFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("audit head file: %w", err)
	}
	_, werr := f.Write(append(line, '\n'))
	return errors.Join(werr, f.Close())
}
