package bot

import (
	"strconv"
	"time"

	"github.com/kaohe/kaohe/workflow"
)

// Metrics receives what the bot and the relay count, for an operator's
// dashboards. cmd/kaohe implements it with Prometheus; this package only
// calls it, so neither bot nor workflow imports a metrics library.
// Implementations must be safe for concurrent use and must not block:
// they are called on the callback path. NopMetrics is the default.
type Metrics interface {
	// Callback is one card callback answered: its kind (card.Value's k;
	// "invalid" for a value the card package refused, whose k is not one
	// of the known kinds), how it ended and how long it took.
	Callback(kind string, outcome Outcome, took time.Duration)
	// Message is one text message handled (a command in a private chat),
	// how it ended and how long it took; Lark re-pushes it if the answer
	// takes over 3 s.
	Message(outcome Outcome, took time.Duration)
	// Send is one attempt to send a notification (or make one urgent): its
	// template and Lark's result code, "0" when Lark took it, "transport"
	// when no answer came (timeout, connection refused).
	Send(template, code string)
	// GaveUp is a notification the relay gave up on (refused by Lark,
	// unrenderable or out of time): HR's digest names it.
	GaveUp(template string)
	// RateLimitWait is one wait of the relay for the shared send limiter,
	// and its length: sends queued behind Lark's limits.
	RateLimitWait(took time.Duration)
}

// Outcome is how a callback or a message ended.
type Outcome string

// Outcomes: "ok" acted, "refused" answered with a reason (no right, stale
// card, closed window, a form error), "busy" could not finish in time or
// the store failed (the person is told to retry), "repeat" a re-delivery
// answered from the stored reply.
const (
	OutcomeOK      Outcome = "ok"
	OutcomeRefused Outcome = "refused"
	OutcomeBusy    Outcome = "busy"
	OutcomeRepeat  Outcome = "repeat"
)

// NopMetrics counts nothing.
type NopMetrics struct{}

// Callback implements Metrics.
func (NopMetrics) Callback(string, Outcome, time.Duration) {}

// Message implements Metrics.
func (NopMetrics) Message(Outcome, time.Duration) {}

// Send implements Metrics.
func (NopMetrics) Send(string, string) {}

// GaveUp implements Metrics.
func (NopMetrics) GaveUp(string) {}

// RateLimitWait implements Metrics.
func (NopMetrics) RateLimitWait(time.Duration) {}

var _ Metrics = NopMetrics{}

// IsReminder reports whether template is a reminder: the nudges of a
// plan (the person, their leader, HR), whose sends and failures an
// operator counts apart from the results and decisions they wait on. The
// 加急 that follows an urgent nudge (TplUrgent) is not one: the reminder
// it follows was counted when it was sent.
func IsReminder(template string) bool { return droppable[template] }

// outcomeOf classifies a refused callback or command by its error.
func outcomeOf(err error) Outcome {
	if workflow.Message(err) == busyMessage {
		return OutcomeBusy
	}
	return OutcomeRefused
}

// sendCode is the result code of a failed send for Send: Lark's code;
// "http_<status>" when an HTTP error came without one (a gateway's 502);
// "transport" when no answer came at all.
func sendCode(ae *APIError) string {
	switch {
	case ae.Code != 0:
		return strconv.Itoa(ae.Code)
	case ae.HTTPStatus != 0:
		return "http_" + strconv.Itoa(ae.HTTPStatus)
	}
	return "transport"
}
