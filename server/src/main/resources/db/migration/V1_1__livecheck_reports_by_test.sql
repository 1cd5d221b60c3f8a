-- Reports read from a Kafka topic may arrive twice (after a rebalance or a crash); the server
-- keeps the first per (app, test id) and looks it up by this index.
CREATE INDEX LIVECHECK_REPORTS_TEST ON LIVECHECK_REPORTS (TEST_ID, APP);
