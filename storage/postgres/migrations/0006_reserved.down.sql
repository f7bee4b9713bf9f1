-- Placeholder, intentionally empty (see 0006_reserved.up.sql).
SELECT 1;
