-- A replacement agent (a newer attempt of an index whose older attempt was fenced or lost) joins
-- its run in progress: the server time it was given the run, null for the agents there from the
-- start. The span its index did not cover (the gap) runs from the older attempt's last snapshot
-- to the newer one's first.
ALTER TABLE DIST_AGENTS ADD COLUMN JOINED_MS BIGINT NULL;
