package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kaohe/kaohe/bot/card"
	"github.com/kaohe/kaohe/bot/larksim"
	"github.com/kaohe/kaohe/workflow/calendar"
)

// maxLoadDuration bounds a load run, so a typo cannot run for hours.
const maxLoadDuration = 5 * time.Minute

// loadConfig is what `kaohe load` sends.
type loadConfig struct {
	URL        string
	EncryptKey string
	Token      string
	AppID      string
	Rate       int
	Duration   time.Duration
	People     int
	Timeout    time.Duration
	MaxFlight  int
	JSON       bool
	// Offset is the index of the first callback, so that runs one after
	// another (around a server restart) send records not yet sent.
	Offset int
	// History, if set, receives one JSON line per callback sent: what was
	// submitted and how the server answered (G3's checker compares it
	// with the database).
	History string
}

// loadHistory is one line of --history.
type loadHistory struct {
	K       int    `json:"k"`
	Person  string `json:"person"`
	Week    string `json:"week"`
	Outcome string `json:"outcome"` // ok, refused, http, net
	Detail  string `json:"detail,omitempty"`
}

var outcomeNames = map[outcome]string{outOK: "ok", outRefused: "refused", outHTTP: "http", outNet: "net"}

// loadReport is the outcome of a run.
type loadReport struct {
	Target      int            `json:"target_per_s"`
	Duration    time.Duration  `json:"duration_ns"`
	Sent        int            `json:"sent"`
	OK          int            `json:"ok"`
	Refused     int            `json:"refused"`     // answered with an error toast
	HTTPErrors  int            `json:"http_errors"` // answered with a non-200 status
	NetErrors   int            `json:"net_errors"`  // no answer (connection, timeout)
	Skipped     int            `json:"skipped"`     // not sent: too many in flight
	Throughput  float64        `json:"throughput_per_s"`
	P50         time.Duration  `json:"p50_ns"`
	P90         time.Duration  `json:"p90_ns"`
	P99         time.Duration  `json:"p99_ns"`
	Max         time.Duration  `json:"max_ns"`
	MaxLateness time.Duration  `json:"max_dispatch_lateness_ns"`
	Refusals    map[string]int `json:"refusals,omitempty"`
}

// runLoad sends card.action.trigger callbacks to a `kaohe serve` in webhook
// mode started with --bench-fixture: open-loop at a fixed rate for a fixed
// duration, each callback encrypted and signed exactly as Lark does
// (larksim.Encrypt, larksim.Signature) and each a real weekly-record
// submission by a different person (or week), so the server verifies,
// decrypts, authorizes and commits every one. Latency is measured from the
// moment a callback was scheduled, so a slow server cannot hide queueing
// (no coordinated omission).
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("load")
	var c loadConfig
	fs.StringVar(&c.URL, "url", "", "webhook URL (http://HOST:PORT/lark/webhook)")
	fs.StringVar(&c.EncryptKey, "encrypt-key", "", "the app's encrypt key")
	fs.StringVar(&c.Token, "token", "", "the app's verification token")
	fs.StringVar(&c.AppID, "app-id", "cli_bench", "app id in the callback header")
	fs.IntVar(&c.Rate, "rate", 500, "callbacks per second")
	fs.DurationVar(&c.Duration, "duration", 20*time.Second, "how long to send (at most 5m)")
	fs.IntVar(&c.People, "people", 0, "the server's --bench-fixture size")
	fs.DurationVar(&c.Timeout, "timeout", 3*time.Second, "per-callback timeout (Lark's is 3s)")
	fs.IntVar(&c.MaxFlight, "max-in-flight", 5000, "callbacks outstanding before new ones are skipped")
	fs.BoolVar(&c.JSON, "json", false, "print the report as JSON")
	fs.IntVar(&c.Offset, "offset", 0, "index of the first callback (continue an earlier run)")
	fs.StringVar(&c.History, "history", "", "write one JSON line per callback sent and its outcome to this file")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case c.URL == "" || c.EncryptKey == "" || c.Token == "":
		return usageError{"load: --url, --encrypt-key and --token are required"}
	case c.People <= 0:
		return usageError{"load: --people must be the server's --bench-fixture size"}
	case c.Offset < 0:
		return usageError{"load: --offset must not be negative"}
	case c.Rate <= 0 || c.Duration <= 0 || c.Duration > maxLoadDuration:
		return usageError{fmt.Sprintf("load: --rate must be above 0 and --duration in (0, %v]", maxLoadDuration)}
	}
	rep, err := loadRun(ctx, c)
	if err != nil {
		return err
	}
	if c.JSON {
		if err := json.NewEncoder(stdout).Encode(rep); err != nil {
			return err
		}
	} else {
		printLoadReport(stdout, c, rep)
	}
	if rep.OK != rep.Sent || rep.Skipped > 0 {
		return fmt.Errorf("load: %d of %d callbacks did not succeed, %d skipped: %w", rep.Sent-rep.OK, rep.Sent, rep.Skipped, errFailed)
	}
	return nil
}

func printLoadReport(stdout io.Writer, c loadConfig, rep loadReport) {
	fmt.Fprintf(stdout, "target      %d/s for %v\n", rep.Target, c.Duration)
	fmt.Fprintf(stdout, "sent        %d (skipped %d)\n", rep.Sent, rep.Skipped)
	fmt.Fprintf(stdout, "ok          %d\nrefused     %d %v\nhttp errors %d\nnet errors  %d\n", rep.OK, rep.Refused, rep.Refusals, rep.HTTPErrors, rep.NetErrors)
	fmt.Fprintf(stdout, "throughput  %.1f/s\n", rep.Throughput)
	fmt.Fprintf(stdout, "latency     p50 %v  p90 %v  p99 %v  max %v\n", ms(rep.P50), ms(rep.P90), ms(rep.P99), ms(rep.Max))
	fmt.Fprintf(stdout, "dispatch    max lateness %v\n", ms(rep.MaxLateness))
}

func ms(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }

// benchWeeks are the weeks of the current quarter that have started: the
// weekly records the bench fixture accepts.
func benchWeeks(now time.Time) []string {
	cal := calendar.Default()
	today := cal.Date(now)
	q := calendar.PeriodContaining(calendar.Quarter, today)
	var out []string
	for w := calendar.PeriodContaining(calendar.Week, q.Start()); !w.Start().After(today); w = w.Next() {
		if w.Start().Before(q.Start()) {
			continue // a week that began in the previous quarter
		}
		out = append(out, w.String())
	}
	return out
}

// callback builds the k-th callback's plaintext: person k mod people
// submits the weekly record of week k div people.
func (c loadConfig) callback(k int, weeks []string, now time.Time) ([]byte, error) {
	person, week := c.record(k, weeks)
	payload := map[string]any{
		"schema": "2.0",
		"header": map[string]any{
			"event_id": randHex(16), "token": c.Token, "create_time": strconv.FormatInt(now.UnixMicro(), 10),
			"event_type": "card.action.trigger", "tenant_key": "bench_tenant", "app_id": c.AppID,
		},
		"event": map[string]any{
			"operator": map[string]any{"tenant_key": "bench_tenant", "open_id": person, "user_id": "u" + person, "union_id": "on" + person},
			"token":    "c-" + randHex(20),
			"action": map[string]any{
				"tag": "button", "name": "submit",
				"value": map[string]any{"k": card.KindWeekly, "id": week, "v": 0},
				"form_value": map[string]any{
					card.TaskField(1, card.PartTitle): "压测周记实", card.TaskField(1, card.PartProgress): "50",
					"attendance": "full",
				},
			},
			"host":    "im_message",
			"context": map[string]any{"open_message_id": "om_bench_" + strconv.Itoa(k), "open_chat_id": "oc_bench_" + person},
		},
	}
	return json.Marshal(payload)
}

// request encrypts and signs plain as Lark's webhook delivery does.
func (c loadConfig) request(ctx context.Context, plain []byte, now time.Time) (*http.Request, error) {
	enc, err := larksim.Encrypt(c.EncryptKey, plain)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	body, _ := json.Marshal(map[string]string{"encrypt": enc})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := randHex(16)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(larksim.HeaderTimestamp, ts)
	req.Header.Set(larksim.HeaderNonce, nonce)
	req.Header.Set(larksim.HeaderSignature, larksim.Signature(ts, nonce, c.EncryptKey, body))
	return req, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

type outcome int

const (
	outOK outcome = iota
	outRefused
	outHTTP
	outNet
)

type result struct {
	k       int
	out     outcome
	latency time.Duration
	refusal string
}

func loadRun(ctx context.Context, c loadConfig) (loadReport, error) {
	weeks := benchWeeks(time.Now())
	total := int(float64(c.Rate) * c.Duration.Seconds())
	if len(weeks) == 0 {
		return loadReport{}, fmt.Errorf("load: no week of the current quarter has started")
	}
	if capacity := c.People * len(weeks); c.Offset+total > capacity {
		return loadReport{}, fmt.Errorf("load: callbacks %d to %d but only %d distinct weekly records (%d people × %d weeks): raise --people", c.Offset, c.Offset+total, capacity, c.People, len(weeks))
	}
	client := &http.Client{
		Timeout:   c.Timeout,
		Transport: &http.Transport{MaxIdleConns: c.MaxFlight, MaxIdleConnsPerHost: c.MaxFlight, IdleConnTimeout: 30 * time.Second},
	}
	defer client.CloseIdleConnections()
	results := make([]result, 0, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, c.MaxFlight)
	rep := loadReport{Target: c.Rate, Refusals: map[string]int{}}
	interval := time.Second / time.Duration(c.Rate)
	start := time.Now()
	var firstDone, lastDone time.Time
	for k := 0; k < total; k++ {
		at := start.Add(time.Duration(k) * interval)
		if d := time.Until(at); d > 0 {
			select {
			case <-ctx.Done():
				k = total
				continue
			case <-time.After(d):
			}
		}
		if late := time.Since(at); late > rep.MaxLateness {
			rep.MaxLateness = late
		}
		select {
		case sem <- struct{}{}:
		default:
			rep.Skipped++
			continue
		}
		rep.Sent++
		wg.Go(func() {
			defer func() { <-sem }()
			r := c.send(ctx, client, c.Offset+k, weeks)
			r.k = c.Offset + k
			done := time.Now()
			r.latency = done.Sub(at)
			mu.Lock()
			results = append(results, r)
			if firstDone.IsZero() {
				firstDone = done
			}
			lastDone = done
			mu.Unlock()
		})
	}
	wg.Wait()
	rep.Duration = time.Since(start)
	lat := make([]time.Duration, 0, len(results))
	for _, r := range results {
		switch r.out {
		case outOK:
			rep.OK++
		case outRefused:
			rep.Refused++
			rep.Refusals[r.refusal]++
		case outHTTP:
			rep.HTTPErrors++
		case outNet:
			rep.NetErrors++
		}
		lat = append(lat, r.latency)
	}
	if c.History != "" {
		if err := c.writeHistory(results, weeks); err != nil {
			return rep, err
		}
	}
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		q := func(p float64) time.Duration { return lat[min(n-1, int(p*float64(n)))] }
		rep.P50, rep.P90, rep.P99, rep.Max = q(0.50), q(0.90), q(0.99), lat[n-1]
	}
	if span := lastDone.Sub(start).Seconds(); span > 0 {
		rep.Throughput = float64(len(results)) / span
	}
	return rep, nil
}

// writeHistory writes --history, in callback order.
func (c loadConfig) writeHistory(results []result, weeks []string) error {
	sorted := slices.Clone(results)
	slices.SortFunc(sorted, func(a, b result) int { return a.k - b.k })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range sorted {
		person, week := c.record(r.k, weeks)
		if err := enc.Encode(loadHistory{K: r.k, Person: person, Week: week, Outcome: outcomeNames[r.out], Detail: r.refusal}); err != nil {
			return err
		}
	}
	if err := os.WriteFile(c.History, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("load: history: %w", err)
	}
	return nil
}

// record is who submits which week in the k-th callback.
func (c loadConfig) record(k int, weeks []string) (person, week string) {
	return BenchPerson(k % c.People), weeks[(k/c.People)%len(weeks)]
}

func (c loadConfig) send(ctx context.Context, client *http.Client, k int, weeks []string) result {
	now := time.Now()
	plain, err := c.callback(k, weeks, now)
	if err != nil {
		return result{out: outNet}
	}
	req, err := c.request(ctx, plain, now)
	if err != nil {
		return result{out: outNet}
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{out: outNet}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return result{out: outNet}
	}
	if resp.StatusCode != http.StatusOK {
		return result{out: outHTTP, refusal: strconv.Itoa(resp.StatusCode)}
	}
	var ans struct {
		Toast *larksim.Toast `json:"toast"`
	}
	if err := json.Unmarshal(body, &ans); err != nil || ans.Toast == nil {
		return result{out: outRefused, refusal: "no toast"}
	}
	if ans.Toast.Type != "success" {
		return result{out: outRefused, refusal: ans.Toast.Content}
	}
	return result{out: outOK}
}
