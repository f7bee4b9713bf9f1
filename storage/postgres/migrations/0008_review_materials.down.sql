ALTER TABLE reviews DROP COLUMN materials;
