package larksim

import (
	"context"
	"net/http"
	"time"
)

// Fault is one rule of the fault plan. A request that matches a rule is
// stalled and/or answered by it instead of (or before) the simulated API.
// Rules are tried in the order they were added; the first that applies
// wins.
type Fault struct {
	// API restricts the rule to one API (APIMessageCreate, …); "" matches
	// every request, token requests included.
	API string
	// Count is how many requests the rule applies to before it retires
	// itself; 0 means until removed.
	Count int
	// Percent, if > 0, applies the rule to that share (0–100) of matching
	// requests, drawn from the server's seeded generator, so a run is
	// reproducible for a given Options.Seed and request order.
	Percent float64
	// Status is the HTTP status to answer with. 429 sends Lark's throttling
	// answer (code 99991400 and the x-ogw-ratelimit headers); any other
	// status sends {"code":10500,"msg":"internal server error"} unless Code
	// or Body is set. 0 answers nothing (the request proceeds normally
	// after the stall) unless Code is set.
	Status int
	// Code, if set, answers Lark's error body with this code and its msg
	// (codes.go), e.g. 230049 or 99991403, with Status or, when Status is
	// 0, HTTP 400 (99991403: 429), as the IM APIs send their codes.
	// CodeScopeMissing names Scopes.
	Code int
	// Ext is appended to Code's msg as Lark does (", ext=…").
	Ext string
	// Scopes are the scopes a CodeScopeMissing answer names.
	Scopes []string
	// Body, if set, is sent verbatim as text/html (e.g. a proxy error page,
	// which the SDK cannot decode).
	Body string
	// ResetSeconds is x-ogw-ratelimit-reset for Status 429; default 1.
	ResetSeconds int
	// Stall holds the request this long on the server clock before the
	// rule answers (with a fake clock: until the test advances it).
	Stall time.Duration
	// Release, if non-nil, holds the request until it is closed.
	Release <-chan struct{}
	// AfterEffect lets the API do its work first (the message is sent, the
	// card patched) and only then stalls and/or replaces the answer: the
	// answer is lost on the way back, which is what uuid de-duplication is
	// for. Without it the request fails before it has any effect.
	AfterEffect bool
	// Detached keeps the request going when its client gives up: the
	// stall runs to its end whatever the client does, and the request then
	// proceeds (Status 0) or is answered, to nobody. As Lark finishes a
	// send whose caller timed out, its uuid stays in flight meanwhile, and
	// a retry with that uuid gets 230049.
	Detached bool
}

// FaultHandle controls an added rule.
type FaultHandle struct {
	s        *Server
	f        Fault
	hits     int // guarded by s.mu
	stalled  chan struct{}
	finished chan struct{}
}

// AddFault adds a rule to the fault plan.
func (s *Server) AddFault(f Fault) *FaultHandle {
	h := &FaultHandle{s: s, f: f, stalled: make(chan struct{}, 1024), finished: make(chan struct{}, 1024)}
	s.mu.Lock()
	s.faults = append(s.faults, h)
	s.mu.Unlock()
	return h
}

// FailNext makes the next n requests to api fail with status.
func (s *Server) FailNext(api string, n, status int) *FaultHandle {
	return s.AddFault(Fault{API: api, Count: n, Status: status})
}

// Burst429 makes the next n requests to api answer Lark's 429.
func (s *Server) Burst429(api string, n int) *FaultHandle {
	return s.AddFault(Fault{API: api, Count: n, Status: http.StatusTooManyRequests})
}

// ClearFaults removes every rule.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// Remove retires the rule; requests already stalled by it carry on.
func (h *FaultHandle) Remove() {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	h.s.removeFaultLocked(h)
}

// Hits returns how many requests the rule has applied to.
func (h *FaultHandle) Hits() int {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	return h.hits
}

// Stalled receives once for each request that starts waiting in the rule's
// stall, after the wait is armed: a test can then advance the fake clock
// knowing the request will see it.
func (h *FaultHandle) Stalled() <-chan struct{} { return h.stalled }

// Finished receives once for each request the rule applied to, when the
// server is done with it: answered, abandoned by its client, or (Detached)
// carried through to its effect with nobody listening.
func (h *FaultHandle) Finished() <-chan struct{} { return h.finished }

func (s *Server) removeFaultLocked(h *FaultHandle) {
	for i, f := range s.faults {
		if f == h {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			return
		}
	}
}

// pickFaultLocked returns the rule that applies to this request, if any,
// and counts the hit.
func (s *Server) pickFaultLocked(api string) *FaultHandle {
	for _, h := range s.faults {
		f := &h.f
		if f.API != "" && f.API != api {
			continue
		}
		if f.Percent > 0 && s.rng.Float64()*100 >= f.Percent {
			continue
		}
		h.hits++
		if f.Count > 0 && h.hits >= f.Count {
			s.removeFaultLocked(h)
		}
		s.stats.FaultsInjected++
		return h
	}
	return nil
}

// afterClock is a clock that can also wake a waiter (clock.Fake does).
type afterClock interface {
	After(time.Duration) <-chan time.Time
}

// after waits d on the server clock.
func (s *Server) after(d time.Duration) <-chan time.Time {
	if a, ok := s.opts.Clock.(afterClock); ok {
		return a.After(d)
	}
	return time.After(d)
}

// pickFault returns the rule for this request, if any.
func (s *Server) pickFault(api string) *FaultHandle {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pickFaultLocked(api)
}

// runFault stalls and/or answers one request per its rule. It returns true
// when the request has been answered (or abandoned by the client).
func (s *Server) runFault(w http.ResponseWriter, r *http.Request, h *FaultHandle) bool {
	f := h.f
	ctx := r.Context()
	if f.Detached {
		ctx = context.WithoutCancel(ctx)
	}
	if f.Stall > 0 {
		wake := s.after(f.Stall)
		notify(h.stalled)
		select {
		case <-wake:
		case <-ctx.Done():
			return true
		}
	}
	if f.Release != nil {
		if f.Stall <= 0 {
			notify(h.stalled)
		}
		select {
		case <-f.Release:
		case <-ctx.Done():
			return true
		}
	}
	switch {
	case f.Code != 0:
		status := f.Status
		switch {
		case status != 0:
		case f.Code == CodeQuotaExceeded:
			status = http.StatusTooManyRequests
		default:
			status = http.StatusBadRequest
		}
		if f.Code == CodeScopeMissing {
			s.writeScopeError(w, f.Scopes)
		} else {
			s.writeError(w, status, f.Code, f.Ext)
		}
	case f.Status == 0:
		return false
	case f.Status == http.StatusTooManyRequests:
		reset := f.ResetSeconds
		if reset <= 0 {
			reset = 1
		}
		writeRateLimited(w, s.opts.AppPerSecond, time.Duration(reset)*time.Second)
	case f.Body != "":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
	default:
		writeJSON(w, f.Status, map[string]any{"code": CodeInternal, "msg": "internal server error"})
	}
	return true
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
