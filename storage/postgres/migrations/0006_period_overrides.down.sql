ALTER TABLE periods DROP COLUMN overrides;
