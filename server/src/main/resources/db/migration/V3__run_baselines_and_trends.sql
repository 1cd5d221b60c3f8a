-- The run each run name is compared with: at most one per name, replaced when another is marked.
CREATE TABLE RUN_BASELINES (
    NAME      VARCHAR(512) NOT NULL PRIMARY KEY,
    RUN_ID    VARCHAR(64) NOT NULL REFERENCES RUNS (ID),
    MARKED_MS BIGINT NOT NULL
);

-- A run's headline figures for trends, computed once from its merged snapshots and kept with the
-- number of snapshots they cover (RUNS.SNAPSHOTS): a run that took more snapshots since is
-- computed again, so a trend never shows stale figures and never folds every run on each read.
CREATE TABLE RUN_HEADLINES (
    RUN_ID     VARCHAR(64) NOT NULL PRIMARY KEY REFERENCES RUNS (ID),
    SNAPSHOTS  BIGINT NOT NULL,
    TESTS      BIGINT NOT NULL,
    ERRORS     BIGINT NOT NULL,
    ERROR_RATE DOUBLE PRECISION NOT NULL,
    TPS        DOUBLE PRECISION NOT NULL,
    MEAN_MS    DOUBLE PRECISION NULL,
    P99_MS     DOUBLE PRECISION NULL
);

CREATE INDEX RUNS_BY_NAME ON RUNS (NAME, START_MS);
