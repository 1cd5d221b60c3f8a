package dev.grindstone.server;

/** The storage contract over a real PostgreSQL server (embedded binaries, started on loopback). */
class PostgresServerTest extends ServerContractTest {
  @Override
  String jdbcUrl() throws Exception {
    return TestPostgres.freshDatabase();
  }
}
