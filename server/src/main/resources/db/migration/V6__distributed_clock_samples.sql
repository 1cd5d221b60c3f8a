-- An agent of a distributed run measures its clock against the server's again every minute while
-- it runs; each measure is kept with the run's offsets (the first is DIST_AGENTS.CLOCK_OFFSET_MS).
CREATE TABLE DIST_CLOCK_SAMPLES (
    AGENT_ID  VARCHAR(64) NOT NULL REFERENCES DIST_AGENTS (ID),
    -- server time of the measure, epoch ms
    AT_MS     BIGINT NOT NULL,
    -- server time minus the agent's clock, and the best round trip of the measure (its error is at
    -- most half of it)
    OFFSET_MS DOUBLE PRECISION NOT NULL,
    RTT_MS    DOUBLE PRECISION NOT NULL
);
CREATE INDEX DIST_CLOCK_SAMPLES_BY_AGENT ON DIST_CLOCK_SAMPLES (AGENT_ID, AT_MS);
