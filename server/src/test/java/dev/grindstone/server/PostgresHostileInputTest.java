package dev.grindstone.server;

/** Hostile input against PostgreSQL (embedded binaries, on loopback). */
class PostgresHostileInputTest extends HostileInputContractTest {
  @Override
  String jdbcUrl() throws Exception {
    return TestPostgres.freshDatabase();
  }
}
