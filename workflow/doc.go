// Package workflow is the appraisal domain: organisation, periods, entries,
// approval chains, reminders, 公示 and 复核 (docs/design.md §2). It decides what
// is due, who must act, what each action does and which notifications go
// out; it never calls Lark, a database or the wall clock. It declares the
// interfaces it needs — Store (with its Tx), Calendar, and the clock from
// package clock — and the adapters in storage/ and bot/ plug into them.
//
// Every state change is one Store transaction holding the change, its
// hash-chained audit row (AuditHash, VerifyAudit) and its notifications
// (the outbox). Authorization is checked inside that transaction against
// stored state; the actor is always the caller's verified id. Approvals are
// compare-and-set (Tx.DecideStep); reminder slots are exactly-once
// (Tx.RecordFire); inbound events are deduplicated (WithIdempotencyKey).
// Errors are the sentinels in errors.go; Message turns one into Chinese.
//
// # An entry (周记实, 月小结, 季度小结)
//
//	            Submit                      Comment
//	(missing) ──────────► submitted ───────────────────► commented
//	    │                  │    ▲                            │
//	    │ Waive (weekly,   │    │ Submit again                │ Return
//	    │ leader + reason) │    │                            ▼
//	    ▼          Return/ └─► returned ◄─────────────────────┘
//	 waived      send back     (reason)
//
// A self-summary (季度小结) is refused while weekly records of the period
// are missing and not waived; submitting it starts the person's chain, and
// only the chain's first step can return it.
//
// # A chain step (初评 → 审定 → 评鉴)
//
//	                 Act(approve)  [assignee or active delegate,
//	   ┌──────────► approved ───►   version matches]  next step created
//	   │                            (or the chain is done)
//	pending ──Act(send_back, reason)──► returned ───► a new pending step
//	   │                                              for the previous leader,
//	   │ Reassign (HR), or an organisation change     or the self-summary
//	   │ (Setup, MovePerson, MarkLeft): holderOf      back to the employee
//	   └──► pending (new assignee or nobody, version+1)
//
// Overdue steps escalate by reminders: the assignee (and delegates), then
// the assignee's superior (unit leader → 分管领导 → 主管领导), then HR.
//
// # A period (quarter, or month for window units)
//
//	 OpenPeriod    Tick, or CloseAppraisal     ConfirmResults       Publish
//	──────────► open ─────────────────► committee ───────────► confirmed ─────► published
//	   entries, votes,   all chains done;    ties at the quota     公示 to chats,   │
//	   chains            period ended;       cap: CommitteeDecide; results, 反馈,    │ Tick after the
//	                     votes over (Tick);  floors and caps:      复核 window opens │ 复核 window, no
//	                     scored; quota       CommitteeQuota; no                     ▼ review open
//	                     applied             quota broken                        closed (MarkFiled: 备案)
//
// CommitteeReturn takes a period at the committee back to open: the
// scores of a flagged (大锅饭) scorer or unit are sent back to be scored
// again, and the period comes back to the committee by itself.
//
// # A 复核 (review)
//
//	  RequestReview          HandleReview(forward)        DecideReview
//	──────────────► requested ─────────────────► forwarded ─────────────┬─► upheld
//	 (inside the window)  │                     (committee)            └─► changed (result rewritten)
//	                      └── HandleReview(reject, reason) ──► rejected
package workflow
