-- Distributed runs: the coordinator's state lives here, so a restarted server keeps its runs.
-- A controller uploads a run (its bundle of files) for N agents; agents register, take an index,
-- report ready, and start at START_MS (server time); RUN_ID is also the id under RUNS to which the
-- agents report their snapshots.
CREATE TABLE DIST_RUNS (
    ID                VARCHAR(64) PRIMARY KEY,
    NAME              VARCHAR(512) NOT NULL,
    AGENTS            INTEGER NOT NULL,
    -- waiting (for agents), running (START_MS set), stopping, done, failed
    STATUS            VARCHAR(16) NOT NULL,
    RUN_FILE          VARCHAR(512) NOT NULL,
    -- The bundle (a zip archive) in base64, the same column type on every store.
    BUNDLE            TEXT NOT NULL,
    BUNDLE_SHA256     VARCHAR(64) NOT NULL,
    BUNDLE_BYTES      BIGINT NOT NULL,
    CREATED_MS        BIGINT NOT NULL,
    READY_DEADLINE_MS BIGINT NOT NULL,
    LEAD_MS           BIGINT NOT NULL,
    START_MS          BIGINT NULL,
    ON_AGENT_LOSS     VARCHAR(16) NOT NULL,
    LOSS_TIMEOUT_MS   BIGINT NOT NULL,
    REASON            TEXT NULL
);

-- One row per agent process (an attempt): a replacement of the same index is a new row, and
-- fences the row it replaces.
CREATE TABLE DIST_AGENTS (
    ID              VARCHAR(64) PRIMARY KEY,
    NAME            VARCHAR(256) NOT NULL,
    VERSION         VARCHAR(64) NOT NULL,
    CORES           INTEGER NOT NULL,
    MAX_HEAP        BIGINT NOT NULL,
    WANTED_INDEX    INTEGER NULL,
    ATTEMPT         VARCHAR(128) NOT NULL,
    REGISTERED_MS   BIGINT NOT NULL,
    LAST_SEEN_MS    BIGINT NOT NULL,
    RUN_ID          VARCHAR(64) NULL REFERENCES DIST_RUNS (ID),
    IDX             INTEGER NULL,
    -- idle, assigned, ready, running, done, fenced, lost
    STATUS          VARCHAR(16) NOT NULL,
    REPORT_AS       VARCHAR(256) NULL,
    CLOCK_OFFSET_MS DOUBLE PRECISION NULL,
    CLOCK_RTT_MS    DOUBLE PRECISION NULL,
    -- The agent's final cumulative figures, as it posted them (JSON).
    TOTAL           TEXT NULL,
    REASON          TEXT NULL
);
CREATE INDEX DIST_AGENTS_BY_RUN ON DIST_AGENTS (RUN_ID, IDX);
CREATE INDEX DIST_AGENTS_BY_REPORT ON DIST_AGENTS (RUN_ID, REPORT_AS);
CREATE INDEX DIST_RUNS_BY_STATUS ON DIST_RUNS (STATUS, CREATED_MS);

-- A distributed run's agents upload their data logs (data.csv, gzip) for the controller's folder.
CREATE TABLE DIST_DATA_LOGS (
    AGENT_ID  VARCHAR(64) PRIMARY KEY REFERENCES DIST_AGENTS (ID),
    RUN_ID    VARCHAR(64) NOT NULL REFERENCES DIST_RUNS (ID),
    IDX       INTEGER NOT NULL,
    GZIP      TEXT NOT NULL,
    BYTES     BIGINT NOT NULL
);

-- The live figures of a snapshot, for the console of a distributed run's controller.
ALTER TABLE RUN_SNAPSHOTS ADD COLUMN ACTIVE_USERS INTEGER NULL;
ALTER TABLE RUN_SNAPSHOTS ADD COLUMN LATE_STARTS BIGINT NULL;
