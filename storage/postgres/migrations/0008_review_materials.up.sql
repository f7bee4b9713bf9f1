-- The materials a 复核 request comes with where the scheme asks for them
-- (workflow.Review.Materials; S5 六(四): 经主管领导确认的本人平时考核材料).
-- '' for a request without them.
ALTER TABLE reviews ADD COLUMN materials text NOT NULL DEFAULT '';
