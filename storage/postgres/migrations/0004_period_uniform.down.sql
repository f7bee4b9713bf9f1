ALTER TABLE periods DROP COLUMN uniform;
