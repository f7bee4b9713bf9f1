-- Back to one confirmation: what was approved (or done) stays confirmed;
-- what was only reviewed or sent back waits for confirmation again.
UPDATE targets SET state = 'confirmed' WHERE state = 'approved';
UPDATE targets SET state = 'draft', approved_by = '' WHERE state IN ('reviewed', 'returned');
ALTER TABLE targets DROP COLUMN exceeded;
ALTER TABLE targets DROP COLUMN return_reason;
ALTER TABLE targets DROP COLUMN return_level;
ALTER TABLE targets DROP COLUMN returned_by;
ALTER TABLE targets DROP COLUMN reviewed_by;
ALTER TABLE targets RENAME COLUMN approved_by TO confirmed_by;
