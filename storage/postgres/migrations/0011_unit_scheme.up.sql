-- Units may be appraised under different schemes (workflow.Unit.Scheme:
-- '' is the organisation's default), and a period records the scheme it
-- runs under when it opens (workflow.Period.Scheme), so a later change of
-- configuration does not re-grade history. '' on rows stored before.
ALTER TABLE units ADD COLUMN scheme text NOT NULL DEFAULT '';
ALTER TABLE periods ADD COLUMN scheme text NOT NULL DEFAULT '';
