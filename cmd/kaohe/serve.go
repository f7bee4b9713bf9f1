package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/bot/ratelimit"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/storage/memory"
	"github.com/kaohe/kaohe/workflow"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// WebhookPath is where the webhook mode serves Lark's callbacks and events.
const WebhookPath = "/lark/webhook"

// listeningPrefix starts the line serve prints on stdout once it accepts
// connections; tests and scripts read the address from it.
const listeningPrefix = "kaohe: listening on "

// runServe runs the bot server until ctx ends, then drains within
// Config.ShutdownTimeout.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := LoadConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	log.Info("starting", "config", cfg)
	s, err := newServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	return s.run(ctx, stdout)
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	lvl, _ := cfg.level()
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
	ready   atomic.Bool
}

func newServer(ctx context.Context, cfg Config, log *slog.Logger) (*server, error) {
	sc, err := loadScheme(cfg.Scheme)
	if err != nil {
		return nil, &ConfigError{Field: "scheme", Env: "KAOHE_SCHEME", Msg: err.Error()}
	}
	clk := clock.Real{}
	cal := calendar.Default()
	s := &server{cfg: cfg, log: log, store: newNotifyStore(memory.New())}
	dl, err := cfg.deadlines(cal)
	if err != nil {
		return nil, fmt.Errorf("deadlines: %w", err)
	}
	s.svc, err = workflow.New(workflow.Config{Store: s.store, Clock: clk, Calendar: cal, Scheme: sc, Logger: log, Deadlines: dl})
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	if cfg.Org != "" {
		if err := loadOrg(ctx, s.svc, cfg.Org); err != nil {
			return nil, err
		}
		log.Info("organisation loaded", "file", cfg.Org)
	}
	if cfg.BenchFixture > 0 {
		if err := loadBenchFixture(ctx, s.svc, cal, clk.Now(), cfg.BenchFixture); err != nil {
			return nil, fmt.Errorf("bench fixture: %w", err)
		}
		log.Info("benchmark organisation loaded", "people", cfg.BenchFixture)
	}
	lk, err := bot.NewLark(bot.LarkConfig{AppID: cfg.AppID, AppSecret: cfg.AppSecret, BaseURL: cfg.BaseURL, Timeout: time.Duration(cfg.LarkTimeout)})
	if err != nil {
		return nil, fmt.Errorf("lark client: %w", err)
	}
	s.bot, err = bot.New(bot.Config{Service: s.svc, Store: s.store, Calendar: cal, Clock: clk, Log: log,
		VerificationToken: cfg.VerificationToken, EncryptKey: cfg.EncryptKey, Lark: lk})
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	s.relay = &bot.Relay{Store: s.store, Sender: lk, Render: s.bot.Render, Limiter: ratelimit.NewMemory(clk), Clock: clk, Log: log}
	switch cfg.Callback {
	case CallbackWebhook:
		s.webhook, err = s.bot.Handler()
		if err != nil {
			return nil, fmt.Errorf("webhook mode (set encrypt_key/KAOHE_ENCRYPT_KEY and verification_token/KAOHE_VERIFICATION_TOKEN as in the Lark console): %w", err)
		}
	case CallbackLong:
		s.ws = larkws.NewClient(cfg.AppID, cfg.AppSecret,
			larkws.WithEventHandler(s.bot.Dispatcher("", "")),
			larkws.WithDomain(cfg.BaseURL),
			larkws.WithLogger(sdkLogger{log.With("component", "larkws")}),
			larkws.WithOnReady(func() { s.ready.Store(true); log.Info("long connection ready") }),
			larkws.WithOnDisconnected(func() { s.ready.Store(false) }),
			larkws.WithOnReconnected(func() { s.ready.Store(true) }),
		)
	}
	return s, nil
}

// handler is the HTTP surface: the webhook (in webhook mode) and the probes.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
	})
	if s.webhook != nil {
		mux.Handle("POST "+WebhookPath, s.webhook)
	}
	return mux
}

// run serves until ctx ends, then shuts down: the HTTP server stops taking
// requests and finishes those in flight, the long connection closes, the
// loops stop, and a last relay pass sends what the final callbacks queued,
// all within ShutdownTimeout.
func (s *server) run(ctx context.Context, stdout io.Writer) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return &ConfigError{Field: "listen", Env: "KAOHE_LISTEN", Msg: err.Error()}
	}
	addr := ln.Addr().String()
	if s.cfg.AddrFile != "" {
		if err := os.WriteFile(s.cfg.AddrFile, []byte(addr+"\n"), 0o644); err != nil {
			ln.Close()
			return fmt.Errorf("addr file: %w", err)
		}
	}
	hs := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	loops, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	fatal := make(chan error, 3)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fatal <- fmt.Errorf("http: %w", err)
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

// sdkLogger sends the Lark SDK's log lines to slog.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Debug(ctx context.Context, args ...any) {
	l.log.DebugContext(ctx, fmt.Sprint(args...))
}
func (l sdkLogger) Info(ctx context.Context, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprint(args...))
}
func (l sdkLogger) Warn(ctx context.Context, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprint(args...))
}
func (l sdkLogger) Error(ctx context.Context, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprint(args...))
}
