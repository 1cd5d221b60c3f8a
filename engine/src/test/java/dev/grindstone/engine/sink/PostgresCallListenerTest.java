package dev.grindstone.engine.sink;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on a real PostgreSQL server, embedded (one for the class, a database per test). */
class PostgresCallListenerTest extends JdbcCallListenerContract {

  private static EmbeddedPostgres pg;
  private static int databases;

  @BeforeAll
  static void start() throws Exception {
    pg = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  @Override
  String freshDatabase() throws Exception {
    String name = "calls_" + ++databases;
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return pg.getJdbcUrl("postgres", name);
  }
}
