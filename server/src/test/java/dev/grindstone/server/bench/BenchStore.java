package dev.grindstone.server.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;

/**
 * The store a benchmark runs on: an SQLite file in a new temporary folder, or an embedded
 * PostgreSQL.
 */
final class BenchStore implements AutoCloseable {
  private final EmbeddedPostgres pg;
  private final String jdbcUrl;

  private BenchStore(EmbeddedPostgres pg, String jdbcUrl) {
    this.pg = pg;
    this.jdbcUrl = jdbcUrl;
  }

  /** {@code sqlite} or {@code postgresql}. */
  static BenchStore open(String kind) throws IOException {
    if (kind.equals("postgresql")) {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      return new BenchStore(pg, pg.getJdbcUrl("postgres", "postgres"));
    }
    return new BenchStore(
        null, "jdbc:sqlite:" + Files.createTempDirectory("grindstone-bench").resolve("bench.db"));
  }

  String jdbcUrl() {
    return jdbcUrl;
  }

  @Override
  public void close() throws IOException {
    if (pg != null) {
      pg.close();
    }
  }
}
