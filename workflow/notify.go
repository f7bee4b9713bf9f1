package workflow

// Notification templates. The bot renders each as a card; Data holds the
// strings named in each comment. Reminder templates also carry "stage"
// (before, due, overdue, urgent, leader, hr), "due" (YYYY-MM-DD) and
// "item"; those of an urgent nudge also "urgent" (DataUrgent).
const (
	// TplRemind: a nudge to the person who has to act. Data: item, period, due, stage.
	TplRemind = "remind"
	// TplEscalate: a leader or HR is told who has not acted. Data: item,
	// period, due, stage, names (、-separated), count.
	TplEscalate = "escalate"
	// TplStepAssigned: a leader has a step to do. Data: step, person, name, due.
	TplStepAssigned = "step_assigned"
	// TplStepMoved: a pending step changed hands because the organisation
	// changed (a leader replaced or removed, a person moved or gone): its
	// old assignee and the appraised person are told, and HR when nobody
	// may decide it (to is then empty; hr is "1" on HR's copy, which
	// offers 转办). Data: step, person, name, from, to (names), reason, hr.
	TplStepMoved = "step_moved"
	// TplStepReturned: a step came back to a leader. Data: step, person,
	// reason; by ("考核委员会") when the committee sent it back
	// (Service.CommitteeReturn) rather than the next leader.
	TplStepReturned = "step_returned"
	// TplEntryReturned: an entry was sent back to its owner. Data: kind, period, reason.
	TplEntryReturned = "entry_returned"
	// TplEntryCommented: the leader commented an entry. Data: kind, period, comment.
	TplEntryCommented = "entry_commented"
	// TplChainDone: HR is told a person's chain finished. Data: person, period.
	TplChainDone = "chain_done"
	// TplAppraisalReady: HR is told every chain of the period finished. Data: period.
	TplAppraisalReady = "appraisal_ready"
	// TplCommitteeTie: the committee must decide a tie at the quota cap.
	// Data: period, names, grade, explain.
	TplCommitteeTie = "committee_tie"
	// TplCommitteeConfirm: the committee is asked to confirm the grades. Data: period.
	TplCommitteeConfirm = "committee_confirm"
	// TplPublicity: 公示 to a group chat. Data: period, grade, names, until, review_until.
	TplPublicity = "publicity"
	// TplResult: a person's own result (private), at 公示: a quarter's or
	// month's, or the year's (period "2026"). Data: period, grade, state,
	// score, explain, review_until.
	TplResult = "result"
	// TplGradeFilled: a grade withheld during an investigation is filled
	// in (补定) now that the case closed; to the person (with score and
	// explain) and to HR. Data: period, person, grade, state, score,
	// explain.
	TplGradeFilled = "grade_filled"
	// TplSecondedResult: the home unit's leader gets a seconded person's
	// result. Data: period, person, grade.
	TplSecondedResult = "seconded_result"
	// TplFeedbackDue: a leader is asked for 反馈 talks. Data: period, names, count, due.
	TplFeedbackDue = "feedback_due"
	// TplFeedback: a person gets their leader's 反馈. Data: period,
	// strengths, problems, requests.
	TplFeedback = "feedback"
	// TplTalkDue: a leader is asked for the talk a grade calls for
	// (scheme talks). Data: period, person, person_id, kind, grade.
	TplTalkDue = "talk_due"
	// TplHalfYearTalk: a 分管领导 is asked to talk with the lowest-ranked
	// of the units they oversee (S8). Data: period, names (、), person_ids
	// (comma-separated, in the order of names).
	TplHalfYearTalk = "half_year_talk"
	// TplBottomAlert: HR is told a person has had the bottom grade several
	// periods in a row (S4: 诫勉). Data: person, person_id, period (the
	// last of the run), grade, periods.
	TplBottomAlert = "bottom_alert"
	// TplReviewRequested: HR is told of a 复核 request. Data: review, person, reason.
	TplReviewRequested = "review_requested"
	// TplReviewForwarded: the committee must decide a 复核. Data: review, person, opinion.
	TplReviewForwarded = "review_forwarded"
	// TplReviewDecided: the person learns the 复核 outcome. Data: review, outcome, grade, reason.
	TplReviewDecided = "review_decided"
	// TplReviewDisplaced: a person gave up a capped grade to someone's
	// 复核, by the committee's decision. Data: period, grade (now), was.
	TplReviewDisplaced = "review_displaced"
	// TplDelegation: both sides of a delegation. Data: from, to, start, end, reason.
	TplDelegation = "delegation"
	// TplDelegationEnded: both sides of a delegation ended early. Data:
	// from, to, end, by (who ended it), reason; left (a name) when it
	// ended because that person left the organisation (MarkLeft).
	TplDelegationEnded = "delegation_ended"
	// TplTargetsProposed: the reviewer must 审核 年初分解. Data: person (the
	// name), person_id, year, count; revised ("1") when it is a target
	// revised after it was sent back.
	TplTargetsProposed = "targets_proposed"
	// TplTargetsReviewed: the approver must 审定 what the reviewer passed.
	// Data: person, person_id, year, count (targets waiting for 审定).
	TplTargetsReviewed = "targets_reviewed"
	// TplTargetsDecided: the person's targets passed a level. Data: level
	// (TargetLevelReview or TargetLevelApprove), year, count.
	TplTargetsDecided = "targets_decided"
	// TplTargetReturned: a target was sent back to its person. Data:
	// target (the id), title, reason, by (a name), level, year.
	TplTargetReturned = "target_returned"
	// TplFilingDue: HR is reminded of 备案. Data: period, due; with: the
	// half's first quarter, filed with period (备案 by half-year, S8).
	TplFilingDue = "filing_due"
	// TplPeriodOpened: HR is told a period opened by itself. Data: period,
	// summary_due, filing_due, next (the period after it).
	TplPeriodOpened = "period_opened"
	// TplYearCommittee: the committee is asked to confirm the year's
	// grades. Data: year, count.
	TplYearCommittee = "year_committee"
	// TplYearConfirmed: HR is told the committee confirmed the year, to
	// publish its 公示. Data: year, changed (how many drafts it changed).
	TplYearConfirmed = "year_confirmed"
	// TplYearRating: a rater is asked to take part in the year's 年度测评
	// (OpenYearRatings). Data: year, due.
	TplYearRating = "year_rating"
	// TplAppraisalClosed: HR is told the appraisal closed by itself (every
	// chain done, the 民主测评 over) and went to the committee. Data: period,
	// count (people scored), ties (people tied at a cap).
	TplAppraisalClosed = "appraisal_closed"
	// TplAppraisalOverdue: HR is told, after the appraisal's deadline
	// (Service.AppraisalDue), who is still missing. Data: period, due,
	// count, lines (one Missing.Text a line).
	TplAppraisalOverdue = "appraisal_overdue"
	// TplAppraisalStuck: HR is told the appraisal could not close by
	// itself (the engine refused the data). Data: period, reason.
	TplAppraisalStuck = "appraisal_stuck"
	// TplPublicityEnded: HR is told 公示 has ended. Data: period, until,
	// review_until, reviews (requests so far).
	TplPublicityEnded = "publicity_ended"
	// TplReviewWindowEnded: HR is told the 复核 window ended with requests
	// still open. Data: period, review_until, count, names.
	TplReviewWindowEnded = "review_window_ended"
	// TplPeriodClosed: HR is told 公示 and the 复核 window are over and
	// every 复核 decided: the results stand and 备案 may go ahead. Data:
	// period, until, review_until, reviews, filing_due.
	TplPeriodClosed = "period_closed"
	// TplCommitteeReturned: HR is told the committee sent scores that were
	// too uniform back to be scored again, which reopened the appraisal.
	// Data: period, group (the scorer or unit), count, reason.
	TplCommitteeReturned = "committee_returned"
	// TplReviewOutcome: HR is told of the committee's decision on a 复核.
	// Data: review, person, outcome (upheld, changed), grade, was, reason,
	// open (requests of the period still undecided), displaced (a name).
	TplReviewOutcome = "review_outcome"
)
