package dev.grindstone.engine.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.Run;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.run.JdbcListenerConfig;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.spi.TestStatistics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The JDBC call listener on one database: run by {@link SqliteCallListenerTest} and {@link
 * PostgresCallListenerTest}, so both databases hold the same rows for the same run.
 */
abstract class JdbcCallListenerContract {

  /** The JDBC URL of an empty database. */
  abstract String freshDatabase() throws Exception;

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private RunSummary runThreeUsers(String url, int batch) {
    Test browse = new Test(1, "Browse");
    Test buy = new Test(2, "Buy");
    RunConfig config =
        RunConfig.builder("shop")
            .phase(new Phase("hold", null, new LoadShape.Constant(3), null, null, 40, null))
            .period(Duration.ofMillis(100))
            .outputRoot(null)
            .jdbcListener(new JdbcListenerConfig("db", url, null, null, "calls", batch))
            .build();
    return Run.of(
            config,
            user -> {
              browse.record(
                  () ->
                      TestStatistics.current()
                          .request("GET", "http://127.0.0.1:9/items?page=2", 200, 512));
              try {
                buy.record(
                    () -> {
                      if (user.iteration() % 10 == 3) {
                        throw new IllegalStateException("sold out");
                      }
                    });
              } catch (IllegalStateException expected) {
                // the test's error
              }
            },
            QUIET)
        .execute();
  }

  @org.junit.jupiter.api.Test
  void writes_one_row_per_call_in_batches_matching_the_runs_own_totals() throws Exception {
    String url = freshDatabase();
    RunSummary s =
        runThreeUsers(url, 7); // 7 does not divide the 240 calls: the last batch is partial

    assertThat(s.outputs())
        .filteredOn(o -> o.name().equals("db"))
        .singleElement()
        .satisfies(o -> assertThat(o.failures()).isZero());
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      assertThat(count(st, "SELECT COUNT(*) FROM calls"))
          .isEqualTo(s.totals().tests() + s.totals().errors())
          .isEqualTo(240);
      assertThat(count(st, "SELECT COUNT(*) FROM calls WHERE outcome = 'ERROR'"))
          .isEqualTo(s.totals().errors())
          .isEqualTo(12);
      for (var t : s.tests()) {
        assertThat(
                count(
                    st,
                    "SELECT COUNT(*) FROM calls WHERE test = "
                        + t.test()
                        + " AND outcome = 'SUCCESS'"))
            .as("test %d", t.test())
            .isEqualTo(t.tests());
      }
      assertThat(count(st, "SELECT COUNT(DISTINCT user_number) FROM calls")).isEqualTo(3);
      assertThat(count(st, "SELECT COUNT(*) FROM calls WHERE end_ns - start_ns <> elapsed_ns"))
          .isZero();
      assertThat(
              strings(
                  st,
                  "SELECT DISTINCT run || ' ' || phase || ' ' || scenario || ' ' || test_name || '"
                      + " ' || COALESCE(method, '-') || ' ' || COALESCE(url, '-') || ' ' ||"
                      + " COALESCE(CAST(status AS TEXT), '-') || ' ' || COALESCE(CAST(bytes AS"
                      + " TEXT), '-') FROM calls ORDER BY 1"))
          .containsExactly(
              s.info().id() + " hold shop Browse GET http://127.0.0.1:9/items 200 512",
              s.info().id() + " hold shop Buy - - - -");
      assertThat(count(st, "SELECT SUM(elapsed_ns / 1000) FROM calls WHERE outcome = 'SUCCESS'"))
          .as("the same µs the summary's mean is made of")
          .isEqualTo(s.totals().statistics().getSum(s.info().schema().sampleIndex("timedTests")));
    }
  }

  @org.junit.jupiter.api.Test
  void a_second_run_appends_its_rows_to_the_existing_table() throws Exception {
    String url = freshDatabase();
    RunSummary first = runThreeUsers(url, 500);
    RunSummary second = runThreeUsers(url, 500);

    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      assertThat(count(st, "SELECT COUNT(*) FROM calls")).isEqualTo(480);
      assertThat(count(st, "SELECT COUNT(*) FROM calls WHERE run = '" + second.info().id() + "'"))
          .isEqualTo(240);
      assertThat(first.info().id()).isNotEqualTo(second.info().id());
    }
  }

  static long count(Statement st, String sql) throws SQLException {
    try (ResultSet r = st.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  static List<String> strings(Statement st, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet r = st.executeQuery(sql)) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }
}
