-- Raters beyond the members of a 考核单元 (S1 第八条(二), S8 四(三)2).
-- people.vote_groups: the 考核单元 a person votes in without being rated
-- (workflow.Person.VoteGroups). periods.outside: HR's tallies of the raters
-- outside the chat, a JSON object by person (workflow.Period.Outside,
-- workflow.OutsideTally); JSON null for none.
ALTER TABLE people ADD COLUMN vote_groups text[] NOT NULL DEFAULT '{}';
ALTER TABLE periods ADD COLUMN outside jsonb NOT NULL DEFAULT 'null';
