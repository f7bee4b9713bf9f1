package simclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// The tenant's and the app's settings that make Lark refuse what it
// otherwise accepts (scopes, the contact data scope, data-loss
// prevention, the monthly quota, the 加急 allowance), a group's settings,
// and injected faults: the wire types of /_sim/policy, /_sim/chats/{id}
// and /_sim/faults (docs/sim.md, "Policies, chat settings and faults").

// ContactRange is the app's contact data scope when it is not all
// members: these departments (open_department_ids, each with everything
// below it) and these users (open_ids).
type ContactRange struct {
	Departments []string `json:"departments,omitempty"`
	Users       []string `json:"users,omitempty"`
}

// Policy is POST /_sim/policy: only the fields given change.
type Policy struct {
	// Scopes gives the app exactly these scopes (an empty list: none); an
	// API whose scopes it has none of answers 99991672, and the contact
	// API leaves out each field whose field scope is missing.
	Scopes *[]string `json:"scopes,omitempty"`
	// AllScopes gives the app every scope again (the default).
	AllScopes bool `json:"all_scopes,omitempty"`
	// ContactRange limits the contact data scope (the root department
	// then answers 40004).
	ContactRange *ContactRange `json:"contact_range,omitempty"`
	// AllMembers gives the app a contact scope of all members again (the
	// default).
	AllMembers bool `json:"all_members,omitempty"`
	// DLP turns the data-loss-prevention audit on or off (230028 for a
	// plain phone number or e-mail address in visible text).
	DLP *bool `json:"dlp,omitempty"`
	// MonthlyQuota is the tenant's API calls a month (10000 on the free
	// plan; 0: unlimited, the default); beyond it 99991403.
	MonthlyQuota *int `json:"monthly_quota,omitempty"`
	// UrgentQuota sets how many more in-app 加急 marks the tenant may
	// make (230024 beyond); negative: no allowance, the default.
	UrgentQuota *int `json:"urgent_quota,omitempty"`
}

// PolicyView is the answer of GET and POST /_sim/policy.
type PolicyView struct {
	// AllScopes is true while the app has every scope; otherwise Scopes
	// lists the ones it has, sorted.
	AllScopes bool     `json:"all_scopes"`
	Scopes    []string `json:"scopes"`
	// AllMembers is true while the contact data scope is all members;
	// otherwise ContactRange is the scope.
	AllMembers   bool          `json:"all_members"`
	ContactRange *ContactRange `json:"contact_range,omitempty"`
	DLP          bool          `json:"dlp"`
	MonthlyQuota int           `json:"monthly_quota"`
	// QuotaUsed counts the month's counted calls (on the simulator's
	// clock).
	QuotaUsed int `json:"quota_used"`
	// UrgentQuota is the 加急 marks left; nil while no allowance is set.
	UrgentQuota *int `json:"urgent_quota"`
	// APIScopes lists, per API the simulator checks, the scopes of which
	// any one lets the app call it.
	APIScopes map[string][]string `json:"api_scopes"`
}

// ChatSettings is PATCH /_sim/chats/{chat_id}: a group's settings, only
// the fields given change.
type ChatSettings struct {
	// SettingsForbid: the group's settings forbid the bot's message
	// (230018).
	SettingsForbid *bool `json:"settings_forbid,omitempty"`
	// BotCannotSpeak: only the owner and admins may speak (230035).
	BotCannotSpeak *bool `json:"bot_cannot_speak,omitempty"`
	// BotMember puts the bot in the group or takes it out (230002).
	BotMember *bool `json:"bot_member,omitempty"`
	// Dissolved dissolves the group (232009).
	Dissolved *bool `json:"dissolved,omitempty"`
}

// Fault is POST /_sim/faults: one rule of the fault plan. A request that
// matches it is stalled and/or answered by it instead of the simulated
// API; rules are tried in the order they were added and the first that
// applies wins.
type Fault struct {
	// API restricts the rule to one API ("im.message.create" …, the names
	// of GET /_sim/stats); "" matches every request, token requests
	// included.
	API string `json:"api,omitempty"`
	// Count is how many requests the rule applies to before it retires;
	// 0: until deleted.
	Count int `json:"count,omitempty"`
	// Percent (0–100), if set, applies the rule to that share of the
	// matching requests, drawn from the simulator's seeded generator.
	Percent float64 `json:"percent,omitempty"`
	// Status is the HTTP status to answer (429 with Lark's throttling
	// headers; others with code 10500 unless Code or Body is set).
	Status int `json:"status,omitempty"`
	// Code answers Lark's error body with this code and its msg (230049,
	// 230018, 230028, 99991403, 99991672 …), with Status or HTTP 400
	// (99991403: 429).
	Code int `json:"code,omitempty"`
	// Ext is appended to Code's msg as Lark does (", ext=…").
	Ext string `json:"ext,omitempty"`
	// Scopes are the scopes a 99991672 answer names.
	Scopes []string `json:"scopes,omitempty"`
	// Body is sent verbatim as text/html with Status (a proxy's page).
	Body string `json:"body,omitempty"`
	// ResetSeconds is x-ogw-ratelimit-reset for Status 429 (default 1).
	ResetSeconds int `json:"reset_seconds,omitempty"`
	// Stall (a Go duration) holds the request this long on the
	// simulator's clock before the rule answers.
	Stall string `json:"stall,omitempty"`
	// Hold holds each matching request until the fault is deleted.
	Hold bool `json:"hold,omitempty"`
	// AfterEffect lets the request take effect first and loses the answer.
	AfterEffect bool `json:"after_effect,omitempty"`
	// Detached finishes the request after its client gave up (a retry
	// with its uuid gets 230049 meanwhile).
	Detached bool `json:"detached,omitempty"`
}

// FaultView is a fault as the simulator holds it.
type FaultView struct {
	// ID names the fault in /_sim/faults/{id}.
	ID int64 `json:"id"`
	Fault
	// Hits counts the requests it applied to.
	Hits int `json:"hits"`
	// Active is false once it retired (Count reached) or was deleted.
	Active bool `json:"active"`
}

// Policy returns the app's and the tenant's policies.
func (c *Client) Policy(ctx context.Context) (PolicyView, error) {
	var out PolicyView
	err := c.do(ctx, http.MethodGet, "/_sim/policy", nil, &out)
	return out, err
}

// SetPolicy changes the policies given in p and returns them all.
func (c *Client) SetPolicy(ctx context.Context, p Policy) (PolicyView, error) {
	var out PolicyView
	err := c.do(ctx, http.MethodPost, "/_sim/policy", p, &out)
	return out, err
}

// SetChat changes a group's settings and returns the chat.
func (c *Client) SetChat(ctx context.Context, chatID string, cs ChatSettings) (Chat, error) {
	var out Chat
	err := c.do(ctx, http.MethodPatch, "/_sim/chats/"+url.PathEscape(chatID), cs, &out)
	return out, err
}

// AddFault adds a rule to the fault plan and returns it with its id.
func (c *Client) AddFault(ctx context.Context, f Fault) (FaultView, error) {
	var out FaultView
	err := c.do(ctx, http.MethodPost, "/_sim/faults", f, &out)
	return out, err
}

// Faults returns every fault added through the control interface, the
// retired and deleted ones included, in the order they were added.
func (c *Client) Faults(ctx context.Context) ([]FaultView, error) {
	var out struct {
		Faults []FaultView `json:"faults"`
	}
	err := c.do(ctx, http.MethodGet, "/_sim/faults", nil, &out)
	return out.Faults, err
}

// Fault returns one fault.
func (c *Client) Fault(ctx context.Context, id int64) (FaultView, error) {
	var out FaultView
	err := c.do(ctx, http.MethodGet, "/_sim/faults/"+strconv.FormatInt(id, 10), nil, &out)
	return out, err
}

// RemoveFault deletes a fault and lets the requests it holds go on.
func (c *Client) RemoveFault(ctx context.Context, id int64) (FaultView, error) {
	var out FaultView
	err := c.do(ctx, http.MethodDelete, "/_sim/faults/"+strconv.FormatInt(id, 10), nil, &out)
	return out, err
}

// ClearFaults deletes every fault, those added from Go included.
func (c *Client) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/_sim/faults", nil, nil)
}
