-- The message that carried each 公示 to each group (workflow.PublicityMessage),
-- so HR's 进度 shows who has read it for as long as the 公示 runs. Until
-- now the id lived in an idempotency record, which the pruner deletes after
-- 72 h by default, before a 5-working-day 公示 ends. Never pruned: a few
-- rows per period.
CREATE TABLE publicity_messages (
    period     text COLLATE "C" NOT NULL,
    chat       text COLLATE "C" NOT NULL,
    grade      text COLLATE "C" NOT NULL,
    message_id text NOT NULL,
    sent_at    timestamptz,
    PRIMARY KEY (period, chat, grade)
);

GRANT SELECT, INSERT ON publicity_messages TO kaohe_app;
