-- The year-end ratings (年度测评: S2 三(三)'s annual raters, S9's 优秀票;
-- workflow/yearrate.go). year_rounds: a year's round, opened by HR with a
-- deadline. year_rating_marks and year_ballots keep who rated and the
-- ballots apart exactly as vote_marks and ballots do for the 民主测评 (see
-- the package documentation): one row per year in each, rewritten whole and
-- sorted by every rating, so no row, id or order belongs to one rater.
CREATE TABLE year_rounds (
    year      integer PRIMARY KEY,
    due       date NOT NULL,
    opened_by text NOT NULL,
    opened_at timestamptz NOT NULL
);
CREATE TABLE year_rating_marks (
    year   integer PRIMARY KEY,
    raters text[] COLLATE "C" NOT NULL
);
CREATE TABLE year_ballots (
    year    integer PRIMARY KEY,
    -- Parallel arrays sorted by source, target, then score.
    sources text[] COLLATE "C" NOT NULL,
    targets text[] COLLATE "C" NOT NULL,
    scores  numeric[] NOT NULL,
    CHECK (cardinality(sources) = cardinality(targets) AND cardinality(targets) = cardinality(scores))
);

GRANT SELECT, INSERT, UPDATE, DELETE ON year_rounds, year_rating_marks, year_ballots TO kaohe_app;
