package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/cmd/kaohe/orgfile"
)

// simListeningPrefix starts the line `kaohe sim` prints once it serves.
const simListeningPrefix = "kaohe sim: listening on "

// simConfig is the command line of `kaohe sim`.
type simConfig struct {
	listen, addrFile, org      string
	appID, appSecret           string
	callbackURL, eventURL      string
	token, encryptKey          string
	start, clockFile           string
	freeze                     bool
	callbackTimeout, retryEach time.Duration
}

// runSim runs the Lark simulator (package larksim) as its own server: the
// Open API endpoints the bot uses, signed webhook callbacks and events or
// the long connection, and the control interface under /_sim/
// (docs/sim.md), until ctx ends.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c simConfig
	fs := newFlags("sim")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:9900", "address of the Open API and the control interface")
	fs.StringVar(&c.addrFile, "addr-file", "", "write the bound address to this file (useful with port 0)")
	fs.StringVar(&c.org, "org", "", "org file (as kaohe serve's org): its people, units and public chats")
	fs.StringVar(&c.appID, "app-id", "cli_larksim", "the app id the simulator accepts (serve's app_id)")
	fs.StringVar(&c.appSecret, "app-secret", "larksim-secret", "the app secret the simulator accepts (serve's app_secret)")
	fs.StringVar(&c.callbackURL, "callback-url", "", "serve's webhook URL (http://HOST:PORT/lark/webhook); without it callbacks and events go over the long connection")
	fs.StringVar(&c.eventURL, "event-url", "", "where events go, if not to --callback-url")
	fs.StringVar(&c.token, "verification-token", "", "the app's verification token (serve's verification_token)")
	fs.StringVar(&c.encryptKey, "encrypt-key", "", "the app's encrypt key: webhooks are encrypted and signed with it (serve's encrypt_key)")
	fs.StringVar(&c.start, "start", "", "RFC 3339 instant the clock starts at (default: now)")
	fs.StringVar(&c.clockFile, "clock-file", "", "also write the clock to this file on every move (serve's clock_file)")
	fs.BoolVar(&c.freeze, "freeze", false, "the clock stands still between moves (default: it runs from --start)")
	fs.DurationVar(&c.callbackTimeout, "callback-timeout", 3*time.Second, "how long the app may take to answer a card callback (Lark: 3s)")
	fs.DurationVar(&c.retryEach, "retry-interval", time.Second, "how often unacknowledged events due for a re-push are pushed again (real time)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case c.appID == "" || c.appSecret == "":
		return usageError{"sim: --app-id and --app-secret must not be empty"}
	case c.callbackTimeout <= 0 || c.retryEach <= 0:
		return usageError{"sim: --callback-timeout and --retry-interval must be above 0"}
	}
	for name, u := range map[string]string{"--callback-url": c.callbackURL, "--event-url": c.eventURL} {
		if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return usageError{fmt.Sprintf("sim: %s %q: want an http(s) URL", name, u)}
		}
	}
	start := time.Now()
	if c.start != "" {
		t, err := time.Parse(time.RFC3339Nano, c.start)
		if err != nil {
			return usageError{fmt.Sprintf("sim: --start %q: want an RFC 3339 instant such as 2026-10-12T09:00:00+08:00", c.start)}
		}
		start = t
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	var clk larksim.Mover = clock.NewMovable(start)
	if c.freeze {
		clk = clock.NewFake(start)
	}
	sim := larksim.New(larksim.Options{AppID: c.appID, AppSecret: c.appSecret, Clock: clk, CallbackTimeout: c.callbackTimeout})
	sim.Configure(larksim.WebhookConfig{CallbackURL: c.callbackURL, EventURL: c.eventURL,
		VerificationToken: c.token, EncryptKey: c.encryptKey, LongConnection: c.callbackURL == "" && c.eventURL == ""})
	if c.org != "" {
		n, err := loadSimOrg(sim, c.org)
		if err != nil {
			return err
		}
		log.Info("org loaded", "file", c.org, "users", n)
	}
	writeClock := func(t time.Time) {
		if c.clockFile == "" {
			return
		}
		if err := clock.WriteFile(c.clockFile, t); err != nil {
			log.Warn("clock file", "file", c.clockFile, "err", err)
		}
	}
	if c.clockFile != "" {
		if err := clock.WriteFile(c.clockFile, clk.Now()); err != nil {
			return fmt.Errorf("clock file: %w", err)
		}
	}
	moved := make(chan struct{}, 1)
	ctl := larksim.NewControl(sim, larksim.ControlOptions{Clock: clk, Settle: 4 * clock.HTTPMaxAge, OnClockMove: func(t time.Time) {
		writeClock(t)
		log.Info("clock moved", "now", t.Format(time.RFC3339))
		select {
		case moved <- struct{}{}:
		default:
		}
	}})

	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("sim: listen %s: %w", c.listen, err)
	}
	addr := ln.Addr().String()
	if c.addrFile != "" {
		if err := os.WriteFile(c.addrFile, []byte(addr+"\n"), 0o644); err != nil {
			ln.Close()
			return fmt.Errorf("addr file: %w", err)
		}
	}
	// No write timeout: long polls (wait=) and the long connection hold
	// their answers open.
	hs := &http.Server{Handler: logControl(ctl, log), ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	base := "http://" + addr
	mode := "long connection (kaohe serve --callback long)"
	if !sim.WebhookConfig().LongConnection {
		mode = "webhook to " + c.callbackURL
		if c.callbackURL == "" {
			mode = "webhook, events to " + c.eventURL
		}
	}
	fmt.Fprintf(stdout, `%s%s
  Open API:   %s   (kaohe serve: base_url, app_id %s)
  control:    %s/_sim/   (docs/sim.md)
  clock:      %s/_sim/clock   (kaohe serve: clock_url; tests and demonstrations only)
  callbacks:  %s
Ctrl-C stops the simulator.
`, simListeningPrefix, addr, base, c.appID, base, base, mode)

	// Re-push unacknowledged events when they are due: every retryEach,
	// and at once after a clock move. One loop, so one event is never
	// pushed twice at the same moment.
	tick := time.NewTicker(c.retryEach)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			log.Info("shutting down")
			drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if err := hs.Shutdown(drain); err != nil {
				_ = hs.Close()
			}
			return nil
		case err := <-served:
			return fmt.Errorf("sim: http: %w", err)
		case <-tick.C:
			if !c.freeze {
				writeClock(clk.Now()) // a running clock moves the file too
			}
		case <-moved:
		}
		for _, d := range sim.RetryDue(ctx) {
			log.Info("event re-pushed", "event_id", d.EventID, "attempt", d.Attempts, "acked", d.Acked)
		}
	}
}

// logControl logs every control request that changes something (method,
// path, status; never a body, which may hold form values).
func logControl(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || !strings.HasPrefix(r.URL.Path, larksim.ControlPrefix) {
			next.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.Info("control", "method", r.Method, "path", r.URL.Path, "status", sw.status)
	})
}

// statusWriter remembers the status of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// loadSimOrg puts the people of an org file into the simulator: a user per
// person (open_id = id), a department per unit (open_department_id = the
// unit id, so 同步通讯录 reads back the same units) with its leader, and
// every settings.public_chats group with everyone and the bot in it. Ids
// named only as a leader, supervisor, head or HR become users too, so
// cards that @ them pass the simulator's checks. It returns the number of
// users.
func loadSimOrg(sim *larksim.Server, path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("sim: org: %w", err)
	}
	// The same parser as serve's, so a file one refuses the other does too.
	f, err := orgfile.Parse(data)
	if err != nil {
		return 0, fmt.Errorf("sim: org %s: %w", path, err)
	}
	leaderOf := map[string]string{}
	for _, u := range f.Units {
		if u.ID == "" {
			return 0, fmt.Errorf("sim: org %s: a unit has no id", path)
		}
		leaderOf[u.ID] = u.Leader
		if _, err := sim.AddDepartment(larksim.Department{OpenDepartmentID: u.ID, Name: u.Name, LeaderOpenID: u.Leader}); err != nil {
			return 0, fmt.Errorf("sim: org %s: unit %s: %w", path, u.ID, err)
		}
	}
	var ids []string
	seen := map[string]bool{}
	for _, p := range f.People {
		if p.ID == "" || seen[p.ID] {
			return 0, fmt.Errorf("sim: org %s: person %q: empty or repeated id", path, p.ID)
		}
		seen[p.ID] = true
		u := larksim.User{OpenID: p.ID, Name: p.Name}
		if p.Unit != "" {
			u.DepartmentIDs = []string{p.Unit}
			if l := leaderOf[p.Unit]; l != p.ID {
				u.LeaderOpenID = l
			}
		}
		if _, err := sim.AddUser(u); err != nil {
			return 0, fmt.Errorf("sim: org %s: person %s: %w", path, p.ID, err)
		}
		ids = append(ids, p.ID)
	}
	others := []string{f.HR, f.Settings.Head}
	for _, u := range f.Units {
		others = append(others, u.Leader, u.Supervisor)
	}
	for _, id := range others {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		if _, err := sim.AddUser(larksim.User{OpenID: id, Name: id}); err != nil {
			return 0, fmt.Errorf("sim: org %s: %s: %w", path, id, err)
		}
		ids = append(ids, id)
	}
	for i, id := range f.Settings.PublicChats {
		name := f.Settings.Name + "公示群"
		if len(f.Settings.PublicChats) > 1 {
			name = fmt.Sprintf("%s%d", name, i+1)
		}
		if _, err := sim.AddChat(larksim.Chat{ChatID: id, Type: larksim.ChatGroup, Name: name, Members: ids, BotMember: true}); err != nil {
			return 0, fmt.Errorf("sim: org %s: public chat %s: %w", path, id, err)
		}
	}
	return len(ids), nil
}
