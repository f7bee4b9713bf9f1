package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/contact"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/cmd/kaohe/config"
	"github.com/kaohe/kaohe/workflow"
)

// WebhookPath is where the webhook mode serves Lark's callbacks and events.
const WebhookPath = "/lark/webhook"

// listeningPrefix starts the line serve prints on stdout once it accepts
// connections; tests and scripts read the address from it.
const listeningPrefix = "kaohe: listening on "

// runServe runs the bot server until ctx ends, then drains within
// Config.ShutdownTimeout. The port is bound first, so that while the
// database is still unreachable /healthz answers and /readyz says why the
// replica is not ready; the "listening on" line is printed once it serves.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := LoadConfig(args, getenv, io.Discard)
	if errors.Is(err, flag.ErrHelp) {
		// The flags are package config's.
		writeHelp(stdout, "serve", config.Flags())
		return err
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	log.Info("starting", "config", cfg)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return &ConfigError{Field: "listen", Env: "KAOHE_LISTEN", Msg: err.Error()}
	}
	if cfg.AddrFile != "" {
		if err := os.WriteFile(cfg.AddrFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			ln.Close()
			return fmt.Errorf("addr file: %w", err)
		}
	}
	p := &probes{}
	p.starting("starting")
	hs := &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	s, err := newServer(ctx, cfg, log, p.starting)
	if err != nil {
		_ = hs.Close()
		return err
	}
	defer s.deps.close()
	p.serve(s.handler())
	return s.run(ctx, hs, ln.Addr().String(), served, stdout)
}

// probes is the HTTP handler from the moment the port is bound: before the
// server is built it answers /healthz and, with the reason, /readyz 503;
// then it hands every request to the server's handler.
type probes struct {
	reason atomic.Value // string
	next   atomic.Pointer[http.Handler]
}

func (p *probes) starting(reason string) { p.reason.Store(reason) }

func (p *probes) serve(h http.Handler) { p.next.Store(&h) }

// ServeHTTP implements http.Handler.
func (p *probes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := p.next.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	switch r.URL.Path {
	case "/healthz":
		_, _ = io.WriteString(w, "ok\n")
	case "/readyz":
		reason, _ := p.reason.Load().(string)
		http.Error(w, "not ready: "+reason, http.StatusServiceUnavailable)
	default:
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	lvl, _ := cfg.Level()
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// server is one running kaohe: the store, the domain, the bot and the
// loops that move its outbox and its reminders.
type server struct {
	cfg     Config
	log     *slog.Logger
	store   *notifyStore
	svc     *workflow.Service
	bot     *bot.Bot
	relay   *bot.Relay
	webhook http.Handler // nil in long-connection mode
	ws      *larkws.Client
	deps    *deps
	metrics *metrics
	// ready is the Lark side: the long connection is up (in webhook mode:
	// serving, and lark then says whether Lark answers).
	ready atomic.Bool
	// wsReason is why the long connection last went down ("" while up).
	wsReason atomic.Value
	// lark answers whether Lark can be reached in webhook mode (nil in
	// long-connection mode, where the connection's state says it).
	lark  *larkProbe
	clock clock.Clock
}

// newServer builds the server; waiting is told why it is not ready yet
// while the database is unreachable.
func newServer(ctx context.Context, cfg Config, log *slog.Logger, waiting func(string)) (*server, error) {
	sc, err := loadScheme(cfg.Scheme)
	if err != nil {
		return nil, &ConfigError{Field: "scheme", Env: "KAOHE_SCHEME", Msg: err.Error()}
	}
	var clk clock.Clock = clock.Real{}
	if cfg.ClockFile != "" {
		fc, err := clock.OpenFile(cfg.ClockFile)
		if err != nil {
			return nil, &ConfigError{Field: "clock_file", Env: "KAOHE_CLOCK_FILE", Msg: err.Error()}
		}
		log.Warn("the clock is read from a file: for tests and demonstrations only", "file", cfg.ClockFile, "now", fc.Now())
		clk = fc
	}
	if cfg.ClockURL != "" {
		hc, err := clock.OpenHTTP(ctx, cfg.ClockURL, clock.HTTPOptions{OnError: func(err error) {
			log.Warn("the clock URL does not answer: the clock stands still until it does", "err", err)
		}})
		if err != nil {
			return nil, &ConfigError{Field: "clock_url", Env: "KAOHE_CLOCK_URL", Msg: err.Error()}
		}
		log.Warn("the clock is read from a Lark simulator: for tests and demonstrations only", "url", cfg.ClockURL, "now", hc.Now())
		clk = hc
	}
	if err := cfg.CheckChainTiers(sc); err != nil {
		return nil, err
	}
	schemes, unitSchemes, err := loadUnitSchemes(cfg)
	if err != nil {
		return nil, err
	}
	cal, err := cfg.BuildCalendar()
	if err != nil {
		return nil, err
	}
	quietFrom, quietTo, err := cfg.QuietHours()
	if err != nil {
		return nil, err
	}
	votes, err := cfg.VotesSetting()
	if err != nil {
		return nil, err
	}
	plans, err := cfg.Plans()
	if err != nil {
		return nil, err
	}
	dl, err := cfg.Deadlines(cal)
	if err != nil {
		return nil, fmt.Errorf("deadlines: %w", err)
	}
	d, err := openDeps(ctx, cfg, log, waiting)
	if err != nil {
		return nil, err
	}
	mon, _ := d.store.(workflow.Monitor)
	s := &server{cfg: cfg, log: log, store: newNotifyStore(d.store), deps: d, clock: clk, metrics: newMetrics(mon, clk, log)}
	ok := false
	defer func() {
		if !ok {
			d.close()
		}
	}()
	s.svc, err = workflow.New(workflow.Config{Store: s.store, Clock: clk, Calendar: cal, Scheme: sc, Logger: log, Deadlines: dl,
		Schemes: schemes, UnitSchemes: unitSchemes,
		Plans: plans, Grace: time.Duration(cfg.ReminderGrace), ManualOpen: cfg.OpenPeriods == "manual", PublishAll: cfg.PublishAll,
		QuotaPerUnit: cfg.QuotaPerUnit, HalfYearTalk: cfg.HalfYearTalk, BottomAlertAfter: cfg.BottomAlertAfter,
		StepWorkdays: cfg.StepWorkdays, FeedbackWorkdays: cfg.FeedbackWorkdays, PublicityWorkdays: cfg.PublicityWorkdays, ReviewDays: cfg.ReviewDays,
		Uniformity: cfg.UniformRule(), Chains: cfg.WorkflowChains(), QuietFrom: quietFrom, QuietTo: quietTo, Votes: votes})
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	if cfg.Org != "" {
		waiting("loading the organisation")
		if err := seedOrg(ctx, s.svc, s.store, cfg.Org, log); err != nil {
			return nil, err
		}
	}
	if err := checkSchemeUnits(ctx, s.store, cfg, log); err != nil {
		return nil, err
	}
	if cfg.BenchFixture > 0 {
		err := seedOnce(ctx, s.store, log, fmt.Sprintf("benchmark fixture of %d people", cfg.BenchFixture), func() error {
			return loadBenchFixture(ctx, s.svc, cal, clk.Now(), cfg.BenchFixture)
		})
		if err != nil {
			return nil, fmt.Errorf("bench fixture: %w", err)
		}
	}
	lk, err := bot.NewLark(bot.LarkConfig{AppID: cfg.AppID, AppSecret: cfg.AppSecret, BaseURL: cfg.BaseURL, Timeout: time.Duration(cfg.LarkTimeout), Log: log})
	if err != nil {
		return nil, fmt.Errorf("lark client: %w", err)
	}
	s.bot, err = bot.New(bot.Config{Service: s.svc, Store: s.store, Calendar: cal, Clock: clk, Log: log,
		VerificationToken: cfg.VerificationToken, EncryptKey: cfg.EncryptKey, Lark: lk, Nonces: d.nonces,
		Contact: contact.Options{TierBy: cfg.Contact.TierBy, Tiers: cfg.Contact.Tiers}, Metrics: s.metrics})
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	// A 同步通讯录 a crash or restart cut short runs again before events
	// are taken (its event was acknowledged, so Lark will not push it).
	if n, err := s.bot.ResumeJobs(ctx); err != nil {
		log.Warn("resume contact sync jobs", "err", err)
	} else if n > 0 {
		log.Info("contact sync jobs resumed", "count", n)
	}
	s.relay = &bot.Relay{Store: s.store, Sender: lk, Render: s.bot.Render, Limiter: d.limiter, Clock: clk, Log: log, Metrics: s.metrics}
	switch cfg.Callback {
	case CallbackWebhook:
		s.webhook, err = s.bot.Handler()
		if err != nil {
			return nil, fmt.Errorf("webhook mode (set encrypt_key/KAOHE_ENCRYPT_KEY and verification_token/KAOHE_VERIFICATION_TOKEN as in the Lark console): %w", err)
		}
		s.lark = &larkProbe{fetch: tenantTokenFetch(lk, cfg.AppID, cfg.AppSecret), clock: clock.Real{}}
	case CallbackLong:
		s.ws = larkws.NewClient(cfg.AppID, cfg.AppSecret,
			larkws.WithEventHandler(s.bot.Dispatcher("", "")),
			larkws.WithDomain(cfg.BaseURL),
			larkws.WithLogger(bot.SDKLogger(log, "larkws")),
			larkws.WithOnReady(func() { s.ready.Store(true); s.wsReason.Store(""); log.Info("long connection ready") }),
			larkws.WithOnDisconnected(func() { s.ready.Store(false); s.noteWS("disconnected", nil) }),
			larkws.WithOnReconnecting(func() { s.noteWS("reconnecting", nil) }),
			larkws.WithOnReconnected(func() { s.ready.Store(true); s.wsReason.Store(""); log.Info("long connection reconnected") }),
			larkws.WithOnError(func(err error) { s.noteWS("error", err) }),
		)
	}
	ok = true
	return s, nil
}

// handler is the HTTP surface: the webhook (in webhook mode), the probes
// and Prometheus' /metrics. Only the webhook is for Lark: a reverse proxy
// in front of serve forwards WebhookPath alone (docs/operations.md).
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET "+MetricsPath, s.metrics.handler())
	if s.webhook != nil {
		mux.Handle("POST "+WebhookPath, s.webhook)
	}
	return mux
}

// run serves until ctx ends, then shuts down: the HTTP server stops taking
// requests and finishes those in flight, the long connection closes, the
// loops stop, and a last relay pass sends what the final callbacks queued,
// all within ShutdownTimeout.
func (s *server) run(ctx context.Context, hs *http.Server, addr string, served <-chan error, stdout io.Writer) error {
	loops, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	fatal := make(chan error, 3)
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case err := <-served:
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				fatal <- fmt.Errorf("http: %w", err)
			}
		case <-loops.Done():
		}
	})
	var wsDone chan error
	if s.ws != nil {
		wsDone = make(chan error, 1)
		go func() { wsDone <- s.ws.Start(loops) }()
	} else {
		s.ready.Store(true)
	}
	wg.Go(func() { s.relayLoop(loops) })
	if s.cfg.TickInterval > 0 {
		wg.Go(func() { s.tickLoop(loops) })
	}
	if s.cfg.AuditHeadFile != "" || s.cfg.AuditHeadChat != "" {
		wg.Go(func() { s.auditHeadLoop(loops) })
	}
	wg.Go(func() { newPruner(s.cfg, s.store, s.clock, s.log).loop(loops) })
	s.log.Info("serving", "addr", addr, "callback", s.cfg.Callback)
	fmt.Fprintln(stdout, listeningPrefix+addr)

	var runErr error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	case runErr = <-fatal:
	case err := <-wsDone:
		runErr = fmt.Errorf("long connection: %w", err)
		wsDone = nil
	}
	s.ready.Store(false)
	drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(s.cfg.ShutdownTimeout))
	defer cancel()
	if err := hs.Shutdown(drain); err != nil {
		s.log.Warn("http shutdown", "err", err)
		_ = hs.Close()
	}
	if wsDone != nil {
		if err := s.ws.CloseAndWait(drain); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("long connection close", "err", err)
		}
	}
	stopLoops()
	wg.Wait()
	// Jobs that events started (a contact sync) finish or run out of
	// shutdown time; what they queued goes out with the last pass.
	jobs := make(chan struct{})
	go func() { s.bot.Wait(); close(jobs) }()
	select {
	case <-jobs:
	case <-drain.Done():
		s.log.Warn("shutdown: a job started by an event did not finish in time")
	}
	// The last callbacks may have queued answers: one more pass, bounded.
	if rep, err := s.relay.RunOnce(drain); err != nil {
		s.log.Warn("final relay pass", "err", err, "sent", rep.Sent)
	}
	s.log.Info("stopped")
	return runErr
}

// relayLoop delivers the outbox every RelayInterval, or at once when a
// transaction queued a notification.
func (s *server) relayLoop(ctx context.Context) {
	t := time.NewTicker(time.Duration(s.cfg.RelayInterval))
	defer t.Stop()
	for {
		rep, err := s.relay.RunOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("relay", "err", err)
		case rep.Sent+rep.Retry+rep.Dead > 0:
			s.log.Info("relay", "sent", rep.Sent, "retry", rep.Retry, "dead", rep.Dead)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.store.wake:
		}
	}
}

// tickLoop fires reminder slots every TickInterval (workflow.Service.Tick
// records each slot, so a repeated or late tick never sends twice).
func (s *server) tickLoop(ctx context.Context) {
	t := time.NewTicker(time.Duration(s.cfg.TickInterval))
	defer t.Stop()
	for {
		rep, err := s.svc.Tick(ctx)
		if ctx.Err() == nil {
			s.metrics.tick(rep, err)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("tick", "err", err)
		case rep.Fired+rep.Missed > 0:
			s.log.Info("tick", "fired", rep.Fired, "missed", rep.Missed, "sent", rep.Sent)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// notifyStore is the store with a doorbell: a transaction that queued a
// notification and committed wakes the relay, so command answers go out at
// once instead of at the next RelayInterval.
type notifyStore struct {
	workflow.Store
	wake chan struct{}
}

func newNotifyStore(st workflow.Store) *notifyStore {
	return &notifyStore{Store: st, wake: make(chan struct{}, 1)}
}

// InTx implements workflow.Store.
func (s *notifyStore) InTx(ctx context.Context, fn func(tx workflow.Tx) error) error {
	var queued bool
	err := s.Store.InTx(ctx, func(tx workflow.Tx) error {
		queued = false
		return fn(watchTx{Tx: tx, queued: &queued})
	})
	if err == nil && queued {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return err
}

var _ workflow.Store = (*notifyStore)(nil)

// watchTx notes an Enqueue.
type watchTx struct {
	workflow.Tx
	queued *bool
}

// Enqueue implements workflow.Tx.
func (t watchTx) Enqueue(ctx context.Context, n workflow.Notification) (int64, error) {
	id, err := t.Tx.Enqueue(ctx, n)
	if err == nil {
		*t.queued = true
	}
	return id, err
}

// noteWS keeps why the long connection is down for /readyz, and logs it:
// an error's text is cut before anything that could carry a payload or a
// key (bot.SDKLine).
func (s *server) noteWS(state string, err error) {
	reason := state
	if err != nil {
		reason += ": " + bot.SDKLine(err.Error())
	}
	s.wsReason.Store(reason)
	s.log.Warn("long connection", "state", reason)
}

// readyz reports every dependency on its own line ("postgres: ok",
// "redis: down: …", "lark: down: long connection not connected (…)",
// "lark: down: tenant token: …") and answers 503 when a critical one
// fails. Lark is critical: a replica that cannot reach it answers clicks
// but sends nothing. In webhook mode Lark is asked for a tenant token
// (larkProbe), at most every 30 s.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	var b strings.Builder
	ready := true
	for _, c := range s.deps.checks {
		if err := c.check(ctx); err != nil {
			fmt.Fprintf(&b, "%s: down: %v\n", c.name, err)
			ready = ready && !c.critical
			continue
		}
		fmt.Fprintf(&b, "%s: ok\n", c.name)
	}
	switch {
	case s.ready.Load() && s.lark != nil:
		if err := s.lark.check(ctx); err != nil {
			fmt.Fprintf(&b, "lark: down: %v\n", err)
			ready = false
		} else {
			b.WriteString("lark: ok\n")
		}
	case s.ready.Load():
		b.WriteString("lark: ok\n")
	case s.ws != nil:
		why := "long connection not connected"
		if r, _ := s.wsReason.Load().(string); r != "" {
			why += " (" + r + ")"
		}
		b.WriteString("lark: down: " + why + "\n")
		ready = false
	default:
		b.WriteString("lark: down: not serving yet\n")
		ready = false
	}
	if !ready {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready\n"+b.String())
		return
	}
	_, _ = io.WriteString(w, "ready\n"+b.String())
}
