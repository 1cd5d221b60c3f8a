package dev.grindstone.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** The storage contract over a real PostgreSQL server (embedded binaries, started on loopback). */
class PostgresServerTest extends ServerContractTest {
  private EmbeddedPostgres pg;

  @Override
  String jdbcUrl() throws Exception {
    pg = EmbeddedPostgres.builder().start();
    return pg.getJdbcUrl("postgres", "postgres");
  }

  @Override
  void stopDatabase() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }
}
