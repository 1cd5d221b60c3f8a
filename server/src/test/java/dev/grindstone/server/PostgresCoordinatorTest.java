package dev.grindstone.server;

/** The coordinator over a real PostgreSQL server (embedded binaries, started on loopback). */
class PostgresCoordinatorTest extends CoordinatorContractTest {
  @Override
  String jdbcUrl() throws Exception {
    return TestPostgres.freshDatabase();
  }
}
