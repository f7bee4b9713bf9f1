-- 0001: the whole workflow.Store. Key and ordering columns use COLLATE "C"
-- so ORDER BY matches Go's byte-wise string order whatever the database's
-- default collation is.

CREATE TABLE settings (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    name         text NOT NULL,
    head         text NOT NULL,
    public_chats text[],
    version      integer NOT NULL
);

CREATE TABLE units (
    id         text COLLATE "C" PRIMARY KEY,
    name       text NOT NULL,
    leader     text NOT NULL,
    supervisor text NOT NULL
);

CREATE TABLE people (
    id          text COLLATE "C" PRIMARY KEY,
    name        text NOT NULL,
    unit        text NOT NULL,
    assessed_by text NOT NULL,
    grp         text NOT NULL,
    tier        text NOT NULL,
    frontline   boolean NOT NULL,
    hr          boolean NOT NULL,
    committee   boolean NOT NULL,
    assessed    boolean NOT NULL,
    status      jsonb NOT NULL,
    absences    jsonb NOT NULL,
    version     integer NOT NULL
);

CREATE TABLE delegations (
    id        text COLLATE "C" PRIMARY KEY,
    from_id   text NOT NULL,
    to_id     text NOT NULL,
    starts_at timestamptz,
    ends_at   timestamptz
);
CREATE INDEX delegations_from_id ON delegations (from_id);
CREATE INDEX delegations_to_id ON delegations (to_id);

CREATE TABLE targets (
    id           text COLLATE "C" PRIMARY KEY,
    person       text NOT NULL,
    year         integer NOT NULL,
    title        text NOT NULL,
    quantity     text NOT NULL,
    deadline     date,
    standard     text NOT NULL,
    is_lead      boolean NOT NULL,
    state        text NOT NULL,
    confirmed_by text NOT NULL,
    done_on      date,
    version      integer NOT NULL
);
CREATE INDEX targets_person_year ON targets (person, year);

CREATE TABLE periods (
    id            text COLLATE "C" PRIMARY KEY,
    kind          text NOT NULL,
    start_on      date,
    end_on        date,
    state         text NOT NULL,
    summary_due   date,
    filing_due    date,
    decisions     jsonb NOT NULL,
    quotas        jsonb NOT NULL,
    published_at  timestamptz,
    publicity_end date,
    review_end    date,
    filed_at      timestamptz,
    version       integer NOT NULL
);

CREATE TABLE entries (
    kind         text COLLATE "C" NOT NULL,
    person       text COLLATE "C" NOT NULL,
    period       text COLLATE "C" NOT NULL,
    cycle        text NOT NULL,
    state        text NOT NULL,
    body         jsonb NOT NULL,
    comment      text NOT NULL,
    comment_by   text NOT NULL,
    reason       text NOT NULL,
    submitted_at timestamptz,
    version      integer NOT NULL,
    PRIMARY KEY (kind, person, period)
);
CREATE INDEX entries_cycle ON entries (cycle);
CREATE INDEX entries_person ON entries (person);

CREATE TABLE steps (
    id         text COLLATE "C" PRIMARY KEY,
    period     text COLLATE "C" NOT NULL,
    person     text COLLATE "C" NOT NULL,
    seq        integer NOT NULL,
    idx        integer NOT NULL,
    role       text NOT NULL,
    name       text NOT NULL,
    assignee   text NOT NULL,
    state      text NOT NULL,
    due        date,
    assessment jsonb NOT NULL,
    reason     text NOT NULL,
    acted_by   text NOT NULL,
    acted_at   timestamptz,
    version    integer NOT NULL
);
CREATE INDEX steps_period_person_seq ON steps (period, person, seq);
CREATE INDEX steps_assignee_state ON steps (assignee, state);

-- 民主测评 (see the package documentation for the threat model). One row
-- per period in each table, rewritten whole by every vote: no row, id or
-- order belongs to one voter, and the only row versions left visible are
-- the ones the last vote wrote, which hold every voter and every ballot.
CREATE TABLE vote_marks (
    period text COLLATE "C" PRIMARY KEY,
    voters text[] COLLATE "C" NOT NULL
);
CREATE TABLE ballots (
    period  text COLLATE "C" PRIMARY KEY,
    -- Parallel arrays sorted by target, then score.
    targets text[] COLLATE "C" NOT NULL,
    scores  numeric[] NOT NULL,
    CHECK (cardinality(targets) = cardinality(scores))
);

CREATE TABLE results (
    period      text COLLATE "C" NOT NULL,
    person      text COLLATE "C" NOT NULL,
    score       numeric,
    score_grade text NOT NULL,
    grade       text NOT NULL,
    state       text NOT NULL,
    flags       text[],
    explain     text[],
    feedback    jsonb,
    version     integer NOT NULL,
    PRIMARY KEY (period, person)
);

CREATE TABLE reviews (
    id         text COLLATE "C" PRIMARY KEY,
    period     text NOT NULL,
    person     text NOT NULL,
    reason     text NOT NULL,
    state      text NOT NULL,
    opinion    text NOT NULL,
    old_grade  text NOT NULL,
    new_grade  text NOT NULL,
    decision   text NOT NULL,
    decided_by text NOT NULL,
    created_at timestamptz,
    version    integer NOT NULL
);
CREATE INDEX reviews_period ON reviews (period);

CREATE TABLE annuals (
    year    integer NOT NULL,
    person  text COLLATE "C" NOT NULL,
    total   numeric,
    grade   text NOT NULL,
    explain text[],
    PRIMARY KEY (year, person)
);

-- docs/reliability.md §1: one row per schedule slot is what makes a firing
-- exactly-once.
CREATE TABLE schedule_fires (
    schedule_id text NOT NULL,
    slot_at     timestamptz NOT NULL,
    outcome     text NOT NULL,
    sent        integer NOT NULL,
    fired_at    timestamptz,
    PRIMARY KEY (schedule_id, slot_at)
);

CREATE TABLE idempotency (
    source     text NOT NULL,
    key        text NOT NULL,
    result     text NOT NULL,
    created_at timestamptz,
    PRIMARY KEY (source, key)
);

CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        text NOT NULL UNIQUE,
    to_id      text NOT NULL,
    chat       boolean NOT NULL,
    template   text NOT NULL,
    data       jsonb NOT NULL,
    created_at timestamptz,
    state      text NOT NULL,
    attempts   integer NOT NULL,
    updated_at timestamptz,
    not_before timestamptz
);
-- The relays' claim scans only pending rows, in ID order.
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';

-- docs/reliability.md §5: hash-chained and append-only.
CREATE TABLE audit_log (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    logged_at timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    object    text NOT NULL,
    detail    text NOT NULL,
    denied    boolean NOT NULL,
    prev_hash text NOT NULL,
    row_hash  text NOT NULL
);

CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END
$$;
-- Statement-level, so even an UPDATE or DELETE that matches no row is
-- refused.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();

-- The application role. Roles are cluster-wide: another schema or
-- database may have created it already (or be creating it now, outside
-- our advisory lock, which is per database), so both cases are tolerated.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'kaohe_app') THEN
        BEGIN
            CREATE ROLE kaohe_app NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO kaohe_app', current_schema());
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    settings, units, people, delegations, targets, periods, entries, steps,
    vote_marks, ballots, results, reviews, annuals, schedule_fires,
    idempotency, outbox
    TO kaohe_app;
GRANT SELECT, INSERT ON audit_log TO kaohe_app;
GRANT SELECT ON schema_migrations TO kaohe_app;
