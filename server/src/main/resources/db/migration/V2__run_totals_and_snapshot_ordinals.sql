-- Each run's totals of counts, kept by every snapshot write: a snapshot that would take a total
-- beyond 2^53 - 1 is refused (409) without summing the run again.
ALTER TABLE RUNS ADD COLUMN TESTS_TOTAL BIGINT NOT NULL DEFAULT 0;
ALTER TABLE RUNS ADD COLUMN ERRORS_TOTAL BIGINT NOT NULL DEFAULT 0;
ALTER TABLE RUNS ADD COLUMN HISTOGRAM_TOTAL BIGINT NOT NULL DEFAULT 0;
ALTER TABLE RUNS ADD COLUMN ERROR_HISTOGRAM_TOTAL BIGINT NOT NULL DEFAULT 0;
-- 0 for runs stored before this migration: their next snapshot write sums their totals once.
ALTER TABLE RUNS ADD COLUMN TOTALS_KNOWN INTEGER NOT NULL DEFAULT 1;

-- A per-run ordinal of snapshots (1, 2, ...). It is assigned while the run's row is locked, so
-- ordinals commit in order and a reader catches up on a run by reading the snapshots after the
-- last ordinal it saw, on one server or on several sharing the store.
ALTER TABLE RUNS ADD COLUMN SNAPSHOTS BIGINT NOT NULL DEFAULT 0;
ALTER TABLE RUN_SNAPSHOTS ADD COLUMN ORDINAL BIGINT NOT NULL DEFAULT 0;
UPDATE RUN_SNAPSHOTS SET ORDINAL =
    (SELECT COUNT(*) FROM RUN_SNAPSHOTS s WHERE s.RUN_ID = RUN_SNAPSHOTS.RUN_ID AND s.ID <= RUN_SNAPSHOTS.ID);
UPDATE RUNS SET SNAPSHOTS = (SELECT COUNT(*) FROM RUN_SNAPSHOTS s WHERE s.RUN_ID = RUNS.ID);
UPDATE RUNS SET TOTALS_KNOWN = 0 WHERE SNAPSHOTS > 0;
CREATE UNIQUE INDEX RUN_SNAPSHOTS_ORDINAL ON RUN_SNAPSHOTS (RUN_ID, ORDINAL);
