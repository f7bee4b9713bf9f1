-- The committee's decisions on a quota itself (a cap raised up to the
-- scheme's hard maximum, a shortfall under a minimum share kept with a
-- reason), kept on the period next to its decisions
-- (workflow.Period.Overrides, workflow.QuotaOverride as JSON).
ALTER TABLE periods ADD COLUMN overrides jsonb NOT NULL DEFAULT '[]';
