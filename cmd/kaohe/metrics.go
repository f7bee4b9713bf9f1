package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kaohe/kaohe/bot"
	"github.com/kaohe/kaohe/clock"
	"github.com/kaohe/kaohe/workflow"
)

// MetricsPath is where serve answers Prometheus' scrapes.
const MetricsPath = "/metrics"

// metrics is serve's Prometheus side: it implements bot.Metrics for the
// bot and the relay, counts the scheduler's ticks, and reads the outbox
// and the audit head from the store when scraped. Every series is named
// in docs/operations.md ("Metrics").
type metrics struct {
	reg *prometheus.Registry

	callbacks       *prometheus.CounterVec
	callbackSeconds *prometheus.HistogramVec
	messages        *prometheus.CounterVec
	messageSeconds  prometheus.Histogram
	sends           *prometheus.CounterVec
	gaveUp          *prometheus.CounterVec
	reminders       *prometheus.CounterVec
	limiterWaits    prometheus.Counter
	limiterSeconds  prometheus.Counter
	firings         prometheus.Counter
	misses          prometheus.Counter
	queued          prometheus.Counter
	tickErrors      prometheus.Counter
}

// latencyBuckets fit Lark's 3 s: the callback budget is 2.5 s
// (bot.DefaultCallbackBudget), so the buckets are finest below it and one
// past it says how many answers came too late.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 1.5, 2, 2.5, 3, 5}

// newMetrics registers every series; mon, when the store has one, feeds
// the outbox and audit gauges at each scrape (see storeCollector).
func newMetrics(mon workflow.Monitor, clk clock.Clock, log *slog.Logger) *metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &metrics{reg: reg,
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kaohe_callbacks_total",
			Help: "Card callbacks answered, by kind (the card value's k) and outcome (ok, refused, busy, repeat)."}, []string{"kind", "outcome"}),
		callbackSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kaohe_callback_duration_seconds",
			Help: "Time to answer a card callback, by kind; Lark gives up after 3 s.", Buckets: latencyBuckets}, []string{"kind"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kaohe_messages_total",
			Help: "Text messages (commands) handled, by outcome."}, []string{"outcome"}),
		messageSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kaohe_message_duration_seconds",
			Help: "Time to handle a text message and queue its answer.", Buckets: latencyBuckets}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kaohe_sends_total",
			Help: `Attempts to send a message or make one urgent, by Lark's result code ("0" taken, "transport" no answer, "http_<status>" an HTTP error without a code).`}, []string{"code"}),
		gaveUp: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kaohe_notifications_given_up_total",
			Help: "Notifications the relay gave up on (HR's undeliverable digest names them), by template."}, []string{"template"}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kaohe_reminders_total",
			Help: "Reminders (nudges, escalations, 反馈 and 备案 reminders) delivered (sent) or given up on (failed)."}, []string{"result"}),
		limiterWaits: prometheus.NewCounter(prometheus.CounterOpts{Name: "kaohe_ratelimit_waits_total",
			Help: "Times the relay waited for the shared send limiter (Lark's limits)."}),
		limiterSeconds: prometheus.NewCounter(prometheus.CounterOpts{Name: "kaohe_ratelimit_wait_seconds_total",
			Help: "Time the relay spent waiting for the shared send limiter."}),
		firings: prometheus.NewCounter(prometheus.CounterOpts{Name: "kaohe_schedule_firings_total",
			Help: "Reminder slots this replica fired (each slot fires on one replica only)."}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{Name: "kaohe_schedule_misses_total",
			Help: "Reminder slots recorded as missed: older than reminder_grace when a replica came back."}),
		queued: prometheus.NewCounter(prometheus.CounterOpts{Name: "kaohe_reminders_queued_total",
			Help: "Notifications the scheduler queued for the slots it fired."}),
		tickErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "kaohe_tick_errors_total",
			Help: "Scheduler runs that failed (the next run retries)."}),
	}
	for _, c := range []prometheus.Collector{m.callbacks, m.callbackSeconds, m.messages, m.messageSeconds, m.sends, m.gaveUp, m.reminders,
		m.limiterWaits, m.limiterSeconds, m.firings, m.misses, m.queued, m.tickErrors} {
		f(c)
	}
	// The reminder results exist from the start, so a rate over them is 0,
	// not absent, before the first reminder.
	m.reminders.WithLabelValues("sent")
	m.reminders.WithLabelValues("failed")
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f(buildInfo())
	if mon != nil {
		f(&storeCollector{mon: mon, clock: clk, log: log})
	}
	return m
}

// handler serves the registry in Prometheus' text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, Timeout: 5 * time.Second})
}

// Callback implements bot.Metrics.
func (m *metrics) Callback(kind string, o bot.Outcome, took time.Duration) {
	m.callbacks.WithLabelValues(kind, string(o)).Inc()
	m.callbackSeconds.WithLabelValues(kind).Observe(took.Seconds())
}

// Message implements bot.Metrics.
func (m *metrics) Message(o bot.Outcome, took time.Duration) {
	m.messages.WithLabelValues(string(o)).Inc()
	m.messageSeconds.Observe(took.Seconds())
}

// Send implements bot.Metrics.
func (m *metrics) Send(template, code string) {
	m.sends.WithLabelValues(code).Inc()
	if code == "0" && bot.IsReminder(template) {
		m.reminders.WithLabelValues("sent").Inc()
	}
}

// GaveUp implements bot.Metrics.
func (m *metrics) GaveUp(template string) {
	m.gaveUp.WithLabelValues(template).Inc()
	if bot.IsReminder(template) {
		m.reminders.WithLabelValues("failed").Inc()
	}
}

// RateLimitWait implements bot.Metrics.
func (m *metrics) RateLimitWait(took time.Duration) {
	m.limiterWaits.Inc()
	m.limiterSeconds.Add(took.Seconds())
}

var _ bot.Metrics = (*metrics)(nil)

// tick counts one scheduler run from the report workflow.Service.Tick
// returns, so the domain needs no hook of its own.
func (m *metrics) tick(rep workflow.TickReport, err error) {
	if err != nil {
		m.tickErrors.Inc()
	}
	m.firings.Add(float64(rep.Fired))
	m.misses.Add(float64(rep.Missed))
	m.queued.Add(float64(rep.Sent))
}

// buildInfo is kaohe_build_info{version, revision, goversion} 1, so a
// dashboard shows which build each replica runs during an upgrade.
func buildInfo() prometheus.Collector {
	version, revision, goVersion := "unknown", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		version, goVersion = bi.Main.Version, bi.GoVersion
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "kaohe_build_info", Help: "The running build; always 1.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": goVersion}})
	g.Set(1)
	return g
}

// storeCollector reads the outbox and the audit head when Prometheus
// scrapes, with a bounded query outside any transaction
// (workflow.Monitor). A replica scraped by several servers, or hammered
// through a proxy that forwards too much, queries at most once per
// minRead; a failed read leaves the gauges out of that scrape
// (absent, not a false 0) and counts kaohe_store_read_errors_total.
type storeCollector struct {
	mon   workflow.Monitor
	clock clock.Clock
	log   *slog.Logger

	mu     sync.Mutex
	readAt time.Time
	last   storeReading
	errs   float64
}

type storeReading struct {
	ok      bool
	outbox  workflow.OutboxStats
	head    int64
	agedSec float64
}

// minRead bounds how often the store is read for metrics: short enough
// that any scrape interval sees fresh figures.
const minRead = time.Second

var (
	descPending = prometheus.NewDesc("kaohe_outbox_pending", "Notifications waiting to be sent.", nil, nil)
	descOldest  = prometheus.NewDesc("kaohe_outbox_oldest_pending_seconds",
		"Age of the oldest notification waiting to be sent (0 when none waits); growing means the relay cannot send.", nil, nil)
	descDead      = prometheus.NewDesc("kaohe_outbox_dead", "Notifications given up on and not yet pruned (retention_dead).", nil, nil)
	descHead      = prometheus.NewDesc("kaohe_audit_head_seq", "Sequence number of the last audit row (0 for an empty log).", nil, nil)
	descReadError = prometheus.NewDesc("kaohe_store_read_errors_total", "Scrapes whose read of the outbox or audit head failed.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPending, descOldest, descDead, descHead, descReadError} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); c.readAt.IsZero() || now.Sub(c.readAt) >= minRead {
		c.readAt = now
		c.last = c.read()
		if !c.last.ok {
			c.errs++
		}
	}
	ch <- prometheus.MustNewConstMetric(descReadError, prometheus.CounterValue, c.errs)
	if !c.last.ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(c.last.outbox.Pending))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, c.last.agedSec)
	ch <- prometheus.MustNewConstMetric(descDead, prometheus.GaugeValue, float64(c.last.outbox.Dead))
	ch <- prometheus.MustNewConstMetric(descHead, prometheus.GaugeValue, float64(c.last.head))
}

func (c *storeCollector) read() storeReading {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.mon.OutboxStats(ctx)
	if err != nil {
		c.log.Warn("metrics: read the outbox", "err", err)
		return storeReading{}
	}
	r := storeReading{ok: true, outbox: st}
	if !st.OldestPending.IsZero() {
		// The domain's clock dated the row, so its clock measures the age.
		r.agedSec = max(c.clock.Now().Sub(st.OldestPending).Seconds(), 0)
	}
	head, err := c.mon.AuditHead(ctx)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
	case err != nil:
		c.log.Warn("metrics: read the audit head", "err", err)
		return storeReading{}
	default:
		r.head = head.Seq
	}
	return r
}
