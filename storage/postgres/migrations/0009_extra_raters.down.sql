ALTER TABLE periods DROP COLUMN outside;
ALTER TABLE people DROP COLUMN vote_groups;
