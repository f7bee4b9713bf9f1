// Package larksim is a local, in-process Lark (Feishu) Open Platform for
// tests and the demo. It speaks the part of the Open API that kaohe's bot
// uses — same paths, JSON shapes, HTTP statuses, error codes and limits —
// so the bot runs against it with the real SDK
// (github.com/larksuite/oapi-sdk-go/v3) pointed at it:
//
//	sim := larksim.New(larksim.Options{AppID: "cli_x", AppSecret: "s", Clock: fake})
//	srv := httptest.NewServer(sim)
//	client := lark.NewClient("cli_x", "s", lark.WithOpenBaseUrl(srv.URL))
//
// # What is simulated
//
//   - Auth: tenant_access_token/internal and app_access_token/internal. A
//     token lives 2 h; while ≥ 30 min remain the same token is returned,
//     after that a new one (both valid). Missing, malformed, unknown or
//     expired tokens get 99991661 / 99991671 / 99991663. [D15][D3b]
//   - im/v1 messages: create (receive_id_type open_id, union_id, user_id,
//     email, chat_id; text, post and interactive), reply, PATCH of shared
//     cards (update_multi true before and after, 14 days, 5 QPS per
//     message, "card action is lock" while a 2.0 card's callback is in
//     flight), uuid de-duplication for one hour (the duplicate gets the
//     original message and nothing is sent). [D1][D4]
//   - Receiver conditions, configurable per User and Chat: unknown ids,
//     outside availability or resigned (230013), stopped the bot (230053),
//     blocked (230035), bot not in group (230002), bot may not speak
//     (230035), dissolved (232009), or any code via User.SendErrorCode.
//   - Delayed card update (interactive/v1/card/update) with the callback
//     token: 30 min, 2 uses; updates made before the callback is answered
//     are reverted, as the doc warns. [D6]
//   - im/v1 chats list, create, members; contact/v3 department children
//     (fetch_child), users find_by_department (direct members) and user
//     get, with Lark's page_size bounds, has_more and page_token. [D17][D18][D20]
//   - Rate limits, on the injected clock, with sliding windows: per API and
//     app 50/s and 1000/min (HTTP 429, code 99991400, x-ogw-ratelimit-limit
//     and x-ogw-ratelimit-reset); 5/s per receiving chat for sends and per
//     message for PATCH (HTTP 400, code 230020). [D1][D2]
//   - Card checks (ValidateCard): 30 KB as the request carries the card
//     (JSON-escaped), JSON 2.0 structure, ≤ 200 elements, known tags, form
//     naming rules, element_id rules, a table of component properties from
//     the component docs (cardprops.go), plus <at>/person ids that must
//     name known users (100290). [D1][D5]
//   - Callbacks and events over the HTTP webhook: ClickCard / ClickButton
//     deliver card.action.trigger (schema 2.0 envelope, AES-256-CBC with
//     sha256(encrypt key), X-Lark-Signature over timestamp+nonce+key+body),
//     enforce the 3 s deadline (a real-time context; Options.CallbackTimeout)
//     and apply the toast/card answer; ClickButton submits a form only with
//     what the client lets a person enter (required fields, max_length in
//     characters, select options, picked dates; formcheck.go) [D5c-f]; SendText delivers
//     im.message.receive_v1 and re-pushes unacknowledged events at 15 s,
//     5 min, 1 h and 6 h via RetryDue — signed afresh, or byte for byte
//     the first attempt with WebhookConfig.RepushReusesHeaders, since the
//     docs do not say which Lark does; VerifyURL runs the url_verification
//     challenge. [D8][D11][D13]
//   - The long connection (WebhookConfig.LongConnection): the bootstrap
//     POST /callback/ws/endpoint and a WebSocket speaking the SDK's own
//     protobuf frames, so larkws.NewClient(…, larkws.WithDomain(url)) works
//     unchanged; callbacks and events go as plaintext frames to one random
//     connected client, the same 3 s deadline applies, ≤ 50 connections.
//     [D10b][D13c][SDK ws]
//   - Fault injection: fail the next N requests or a seeded percentage with
//     a 5xx, a 429 burst or any Lark code (Fault.Code), stall requests on
//     the clock or until released (AddFault, FailNext, Burst429); let the
//     request take effect and lose the answer (Fault.AfterEffect), which
//     uuid retries must survive; or keep it going after its client gave up
//     (Fault.Detached), when a retry with its uuid gets 230049.
//   - Policies (policy.go), each off by default: the app's scopes per API
//     (SetScopes; 99991672 naming them), the free plan's monthly quota
//     (SetMonthlyQuota; 429 with 99991403, IM counted, contact free),
//     data-loss prevention (SetDataLossPrevention; 230028 for a plain
//     phone number or e-mail address in visible text). A group whose
//     settings forbid the bot answers 230018 (Chat.SettingsForbid). [D1][D3]
//   - 加急 and read receipts (urgent.go): urgent_app marks the bot's own
//     message urgent for users in its chat (invalid_user_id_list for the
//     others), refusing with the documented codes — not the bot's 230012,
//     deleted 230110, 200 unread urgent messages 230023
//     (Options.UrgentUnreadCap), a used-up allowance 230024
//     (SetUrgentQuota); read_users lists who read one of the bot's
//     messages, for 7 days (230033 after). People read a message by Read,
//     by clicking its card and by typing in its chat. [D25][D26]
//   - The contact directory as the app sees it (directory_scope.go): its
//     contact data scope (SetContactRange: chosen departments and users;
//     the root then answers 40004) and its field scopes (with SetScopes, a
//     field whose scope the app lacks is left out of departments and users,
//     per the docs' field tables). [D17][D18][D31]
//   - Recording: every accepted message (om_…, oc_…, ou_… ids), with its
//     update history, for assertions (Messages, MessagesTo, Message, Chat,
//     Stats).
//   - Mentions: SendText's mentions put Lark's keys ("@_user_1" …) into the
//     text and list the people (or MentionBot) in the event's
//     message.mentions. [D24]
//
// # The control interface
//
// NewControl serves the same abilities as JSON over HTTP under
// ControlPrefix ("/_sim/"), on the same listener as the Open API: act as a
// person (list my chats and messages with their current cards, click a
// button with form values, type a text with mentions), move the clock,
// set the webhook, read what was sent, long-poll for changes, and set the
// policies, a group's settings and faults (control_policy.go). `kaohe sim`
// serves it for the browser playground, acceptance tests kept outside the
// repository and end-to-end tests of separate processes; package
// simclient is its Go client and holds its wire types; docs/sim.md
// documents every endpoint.
//
// # Limits
//
// Not simulated: images/files and the other message types, message recall/edit/forward APIs, batch_send, card
// templates and CardKit card entities (refused with 200380), @all
// permission checks, a group's "who may urge" setting (230052), SMS and
// phone urgent, scopes of the APIs kaohe does not call, old-style
// card.action.trigger_v1 callbacks, properties of components kaohe does
// not use, long-connection payload splitting (sum > 1) and
// server-pushed reconnects. Cards must declare "schema":"2.0" unless
// Options.AllowCardV1 is set. Where Lark's docs are silent larksim makes a
// documented choice: delayed-update errors come with HTTP 200; unknown ids
// get the gateway 9999235x codes; a callback answer of "null" is refused
// as a bad body (answer "{}"); the rate-limit windows slide.
//
// Sources are the official docs (offline mirror: repository
// wxkingstar/doc-hub-mcp, folder feishu/), cited as [Dn] with the index in
// docs/lark.md, and the SDK v3.12.0 source. Error codes
// and their sources are collected in codes.go.
//
// # Using it with the SDK
//
// The SDK caches tokens in a process-wide store aged by the wall clock;
// give tests a TokenCache on the same fake clock (see TokenCache) and a
// distinct app id per simulator, since the cache is keyed by app id.
package larksim
