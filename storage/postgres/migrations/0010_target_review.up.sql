-- Annual targets are confirmed at two levels, as the 个人岗位职责和工作任务
-- 认定表 has two signatures: 审核 by the section head, then 审定 by the
-- superior; either may send a target back with a reason
-- (workflow.Target, docs/design.md "Annual targets").
ALTER TABLE targets RENAME COLUMN confirmed_by TO approved_by;
ALTER TABLE targets ADD COLUMN reviewed_by text NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN returned_by text NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN return_level text NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN return_reason text NOT NULL DEFAULT '';
ALTER TABLE targets ADD COLUMN exceeded boolean NOT NULL DEFAULT false;
-- A target confirmed under the one-level rule was agreed by the section
-- head: it stays agreed (weekly records already point at it) and counts as
-- reviewed and approved by the same leader.
UPDATE targets SET state = 'approved', reviewed_by = approved_by WHERE state = 'confirmed';
UPDATE targets SET reviewed_by = approved_by WHERE state = 'done';
