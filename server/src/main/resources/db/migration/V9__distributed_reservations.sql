-- What an agent process (an attempt of an index) of a distributed run reserved of a sequence its
-- index's attempts share, such as the rows of a queue feeder's share: positions FROM_POS to
-- RESERVED - 1 are that attempt's, USED the positions it last said it had taken. A newer attempt
-- of the index starts at the highest RESERVED of the attempts before it, so no position is taken
-- twice; an older attempt's RESERVED - USED are the positions it may have left unused.
CREATE TABLE DIST_RESERVATIONS (
    AGENT_ID  VARCHAR(64) NOT NULL REFERENCES DIST_AGENTS (ID),
    COUNTER   VARCHAR(256) NOT NULL,
    RUN_ID    VARCHAR(64) NOT NULL REFERENCES DIST_RUNS (ID),
    IDX       INTEGER NOT NULL,
    FROM_POS  BIGINT NOT NULL,
    USED      BIGINT NOT NULL,
    RESERVED  BIGINT NOT NULL,
    PRIMARY KEY (AGENT_ID, COUNTER)
);
CREATE INDEX DIST_RESERVATIONS_BY_INDEX ON DIST_RESERVATIONS (RUN_ID, IDX, COUNTER);
