-- The special states of a period's people as they stood when its
-- appraisal closed (workflow.Period.Statuses, a JSON object by person),
-- so a later 复核 or 补定 scores the period under the states of its time.
-- NULL until the appraisal closes.
ALTER TABLE periods ADD COLUMN statuses jsonb;
