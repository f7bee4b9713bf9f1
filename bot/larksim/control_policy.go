package larksim

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kaohe/kaohe/bot/larksim/simclient"
)

// The control interface's policies, chat settings and faults: what a Go
// test sets with SetScopes, SetContactRange, SetDataLossPrevention,
// SetMonthlyQuota, SetUrgentQuota, Chat.SettingsForbid and AddFault, for a
// test that drives `kaohe sim` over HTTP (acceptance tests kept outside
// the repository, the browser playground). docs/sim.md, "Policies, chat
// settings and faults", documents each endpoint.

// policyControl serves /_sim/policy, /_sim/chats/{id} and /_sim/faults.
type policyControl struct {
	s *Server

	mu     sync.Mutex
	nextID int64
	faults []*ctlFault // in the order they were added
}

// ctlFault is a fault added through the control interface.
type ctlFault struct {
	id      int64
	wire    simclient.Fault
	h       *FaultHandle
	release chan struct{} // closed on delete when wire.Hold; nil otherwise
	deleted bool
}

// addPolicyRoutes registers the endpoints of this file.
func (c *Control) addPolicyRoutes() {
	p := &policyControl{s: c.s}
	c.routes["policy"] = map[string]func(http.ResponseWriter, *http.Request){
		http.MethodGet: p.getPolicy, http.MethodPost: p.postPolicy}
	c.routes["chats/{id}"] = map[string]func(http.ResponseWriter, *http.Request){
		http.MethodPatch: p.patchChat}
	c.routes["faults"] = map[string]func(http.ResponseWriter, *http.Request){
		http.MethodGet: p.getFaults, http.MethodPost: p.postFault, http.MethodDelete: p.deleteFaults}
	c.routes["faults/{id}"] = map[string]func(http.ResponseWriter, *http.Request){
		http.MethodGet: p.getFault, http.MethodDelete: p.deleteFault}
}

// Policies.

func (p *policyControl) policyView() simclient.PolicyView {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rollQuotaLocked()
	out := simclient.PolicyView{AllScopes: s.scopes == nil, Scopes: []string{}, AllMembers: s.contactRange == nil,
		DLP: s.dlp, MonthlyQuota: s.quota, QuotaUsed: s.quotaUsed, APIScopes: map[string][]string{}}
	if s.scopes != nil {
		out.Scopes = slices.Sorted(maps.Keys(s.scopes))
	}
	if s.contactRange != nil {
		out.ContactRange = &simclient.ContactRange{Departments: slices.Clone(s.contactRange.Departments),
			Users: slices.Clone(s.contactRange.Users)}
	}
	if s.urgentLeft >= 0 {
		n := s.urgentLeft
		out.UrgentQuota = &n
	}
	for api, scopes := range apiScopes {
		out.APIScopes[api] = slices.Clone(scopes)
	}
	return out
}

// getPolicy answers GET /_sim/policy.
func (p *policyControl) getPolicy(w http.ResponseWriter, _ *http.Request) {
	ctlJSON(w, http.StatusOK, p.policyView())
}

// postPolicy answers POST /_sim/policy: change the policies given. Every
// field is checked before any changes, so a refused request changes
// nothing.
func (p *policyControl) postPolicy(w http.ResponseWriter, r *http.Request) {
	var in simclient.Policy
	if !readBody(w, r, &in) {
		return
	}
	switch {
	case in.Scopes != nil && in.AllScopes:
		badRequest(w, "give scopes (exactly these) or all_scopes (every scope), not both")
		return
	case in.ContactRange != nil && in.AllMembers:
		badRequest(w, "give contact_range (these departments and users) or all_members, not both")
		return
	case in.MonthlyQuota != nil && *in.MonthlyQuota < 0:
		badRequest(w, "monthly_quota: want a number of calls ≥ 0 (0: unlimited; the free plan has 10000)")
		return
	}
	if in.ContactRange != nil {
		s := p.s
		s.mu.Lock()
		for _, d := range in.ContactRange.Departments {
			if s.depts[d] == nil {
				s.mu.Unlock()
				ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "contact_range: department "+d+": not found")
				return
			}
		}
		for _, u := range in.ContactRange.Users {
			if s.users[u] == nil {
				s.mu.Unlock()
				ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "contact_range: user "+u+": not found")
				return
			}
		}
		s.mu.Unlock()
	}
	switch {
	case in.AllScopes:
		p.s.SetScopes(nil)
	case in.Scopes != nil:
		p.s.SetScopes(append([]string{}, *in.Scopes...)) // [] is no scope at all, not every scope
	}
	switch {
	case in.AllMembers:
		p.s.SetContactRange(nil)
	case in.ContactRange != nil:
		p.s.SetContactRange(&ContactRange{Departments: in.ContactRange.Departments, Users: in.ContactRange.Users})
	}
	if in.DLP != nil {
		p.s.SetDataLossPrevention(*in.DLP)
	}
	if in.MonthlyQuota != nil {
		p.s.SetMonthlyQuota(*in.MonthlyQuota)
	}
	if in.UrgentQuota != nil {
		p.s.SetUrgentQuota(*in.UrgentQuota)
	}
	ctlJSON(w, http.StatusOK, p.policyView())
}

// Chat settings.

// patchChat answers PATCH /_sim/chats/{chat_id}: change a group's
// settings.
func (p *policyControl) patchChat(w http.ResponseWriter, r *http.Request) {
	var in simclient.ChatSettings
	if !readBody(w, r, &in) {
		return
	}
	id := r.PathValue("id")
	ch, ok := p.s.Chat(id)
	if !ok {
		ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "chat "+id+": not found")
		return
	}
	if ch.Type == ChatP2P {
		badRequest(w, "chat "+id+" is a p2p chat: only a group has settings")
		return
	}
	err := p.s.UpdateChat(id, func(c *Chat) {
		set := func(dst *bool, v *bool) {
			if v != nil {
				*dst = *v
			}
		}
		set(&c.SettingsForbid, in.SettingsForbid)
		set(&c.BotCannotSpeak, in.BotCannotSpeak)
		set(&c.BotMember, in.BotMember)
		set(&c.Dissolved, in.Dissolved)
	})
	if err != nil {
		ctlFail(w, err)
		return
	}
	ch, _ = p.s.Chat(id)
	ctlJSON(w, http.StatusOK, toWireChat(&ch))
}

// Faults.

// faultAPIs are the API names a fault may name: every simulated endpoint.
func faultAPIs() []string {
	out := []string{}
	for _, rt := range routes {
		if !slices.Contains(out, rt.api) {
			out = append(out, rt.api)
		}
	}
	slices.Sort(out)
	return out
}

// toFault checks a wire fault and turns it into the rule it asks for.
func toFault(in simclient.Fault) (Fault, error) {
	f := Fault{API: in.API, Count: in.Count, Percent: in.Percent, Status: in.Status, Code: in.Code, Ext: in.Ext,
		Scopes: slices.Clone(in.Scopes), Body: in.Body, ResetSeconds: in.ResetSeconds,
		AfterEffect: in.AfterEffect, Detached: in.Detached}
	switch apis := faultAPIs(); {
	case in.API != "" && !slices.Contains(apis, in.API):
		return f, fmt.Errorf("api: %q is not one of %q (\"\" for every request)", in.API, apis)
	case in.Count < 0:
		return f, fmt.Errorf("count: want ≥ 0 (0: until deleted)")
	case in.Percent < 0 || in.Percent > 100:
		return f, fmt.Errorf("percent: want 0–100")
	case in.Status != 0 && (in.Status < 100 || in.Status > 599):
		return f, fmt.Errorf("status: %d is not an HTTP status", in.Status)
	case in.Code < 0:
		return f, fmt.Errorf("code: want a Lark code such as 230049")
	case in.ResetSeconds < 0:
		return f, fmt.Errorf("reset_seconds: want ≥ 0")
	case in.Body != "" && (in.Status == 0 || in.Code != 0 || in.Status == http.StatusTooManyRequests):
		return f, fmt.Errorf("body: goes with a status other than 429 and no code")
	case len(in.Scopes) > 0 && in.Code != CodeScopeMissing:
		return f, fmt.Errorf("scopes: go with code %d", CodeScopeMissing)
	case in.Ext != "" && in.Code == 0:
		return f, fmt.Errorf("ext: goes with a code")
	}
	if in.Stall != "" {
		d, err := time.ParseDuration(in.Stall)
		if err != nil || d < 0 {
			return f, fmt.Errorf("stall: %q: want a duration that is not negative, such as 5s", in.Stall)
		}
		f.Stall = d
	}
	return f, nil
}

// faultActive reports whether h is still in the fault plan.
func (s *Server) faultActive(h *FaultHandle) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.faults, h)
}

func (p *policyControl) view(f *ctlFault) simclient.FaultView {
	return simclient.FaultView{ID: f.id, Fault: f.wire, Hits: f.h.Hits(), Active: !f.deleted && p.s.faultActive(f.h)}
}

// postFault answers POST /_sim/faults: add a rule; 201 with its id.
func (p *policyControl) postFault(w http.ResponseWriter, r *http.Request) {
	var in simclient.Fault
	if !readBody(w, r, &in) {
		return
	}
	f, err := toFault(in)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	cf := &ctlFault{wire: in}
	if in.Hold {
		cf.release = make(chan struct{})
		f.Release = cf.release
	}
	p.mu.Lock()
	p.nextID++
	cf.id = p.nextID
	cf.h = p.s.AddFault(f)
	p.faults = append(p.faults, cf)
	p.mu.Unlock()
	ctlJSON(w, http.StatusCreated, p.view(cf))
}

// getFaults answers GET /_sim/faults: every fault added here, in order.
func (p *policyControl) getFaults(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	out := make([]simclient.FaultView, 0, len(p.faults))
	for _, f := range p.faults {
		out = append(out, p.view(f))
	}
	p.mu.Unlock()
	ctlJSON(w, http.StatusOK, map[string]any{"faults": out})
}

// lookup returns the fault named by the path, or answers 404.
func (p *policyControl) lookup(w http.ResponseWriter, r *http.Request) *ctlFault {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		for _, f := range p.faults {
			if f.id == id {
				return f
			}
		}
	}
	ctlError(w, http.StatusNotFound, simclient.ReasonNotFound, "fault "+r.PathValue("id")+": not found")
	return nil
}

// getFault answers GET /_sim/faults/{id}.
func (p *policyControl) getFault(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.lookup(w, r); f != nil {
		ctlJSON(w, http.StatusOK, p.view(f))
	}
}

// remove retires f and lets the requests it holds go on. The caller
// holds p.mu.
func (p *policyControl) remove(f *ctlFault) {
	f.h.Remove()
	if f.release != nil && !f.deleted {
		close(f.release)
	}
	f.deleted = true
}

// deleteFault answers DELETE /_sim/faults/{id}: retire the rule (requests
// it stalls carry on; those it holds go on now) and answer it as it ends.
func (p *policyControl) deleteFault(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.lookup(w, r); f != nil {
		p.remove(f)
		ctlJSON(w, http.StatusOK, p.view(f))
	}
}

// deleteFaults answers DELETE /_sim/faults: remove every rule, those added
// from Go included.
func (p *policyControl) deleteFaults(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	for _, f := range p.faults {
		p.remove(f)
	}
	p.s.ClearFaults()
	out := make([]simclient.FaultView, 0, len(p.faults))
	for _, f := range p.faults {
		out = append(out, p.view(f))
	}
	p.mu.Unlock()
	ctlJSON(w, http.StatusOK, map[string]any{"faults": out})
}
