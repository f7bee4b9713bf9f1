ALTER TABLE periods DROP COLUMN statuses;
