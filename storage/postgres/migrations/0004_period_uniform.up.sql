-- The scorers and units whose scores were too uniform to tell people apart
-- (大锅饭), kept on the period for the committee like its quotas
-- (workflow.Period.Uniform, scoring.UniformStat as JSON).
ALTER TABLE periods ADD COLUMN uniform jsonb NOT NULL DEFAULT '[]';
