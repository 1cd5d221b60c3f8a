-- A run of several scenarios posts, beside the tests array of each snapshot, each scenario's own
-- tests array: {"name", "activeUsers", "tests"} per scenario, as posted. Null for a snapshot of a
-- run of one scenario, and for every snapshot stored before.
ALTER TABLE RUN_SNAPSHOTS ADD COLUMN SCENARIOS TEXT NULL;
