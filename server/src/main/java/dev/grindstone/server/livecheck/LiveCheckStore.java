package dev.grindstone.server.livecheck;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.store.Jdbc;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * LiveCheck reports (LIVECHECK_REPORTS): stored as they come, and read back newest first or rolled
 * up into each case's state. Thread-safe.
 */
public final class LiveCheckStore {
  /** How many runtimes a case's latency history holds. */
  private static final int HISTORY = 100;

  private final Database db;
  private final ObjectMapper mapper;

  public LiveCheckStore(Database db, ObjectMapper mapper) {
    this.db = db;
    this.mapper = mapper;
  }

  /**
   * What {@link #saveOnce} stored.
   *
   * @param stored the reports stored, in order
   * @param duplicates reports skipped because a report of their app and test id was already stored
   */
  record Saved(List<ReportPost> stored, int duplicates) {
    Saved {
      stored = List.copyOf(stored);
    }
  }

  /** Stores the reports in one transaction: all, or none. */
  void save(List<ReportPost> reports) {
    db.write(
        hd -> {
          for (ReportPost r : reports) {
            insert(hd, r);
          }
          return null;
        });
  }

  /**
   * Stores reports that may arrive twice (a topic delivers at least once): a test's report is
   * stored once, so one whose app and test id are already stored, or earlier in the list, is
   * skipped. Suite reports (no test id) are always stored. One transaction.
   */
  Saved saveOnce(List<ReportPost> reports) {
    return db.write(
        hd -> {
          List<ReportPost> stored = new ArrayList<>();
          int dupes = 0;
          Set<List<String>> seen = new HashSet<>();
          for (ReportPost r : reports) {
            if (r.testId() != null) {
              boolean known =
                  !seen.add(List.of(r.app(), r.testId()))
                      || hd.createQuery(
                              "SELECT 1 FROM LIVECHECK_REPORTS WHERE TEST_ID = :tid AND APP = :app"
                                  + " LIMIT 1")
                          .bind("tid", r.testId())
                          .bind("app", r.app())
                          .mapTo(Integer.class)
                          .findFirst()
                          .isPresent();
              if (known) {
                dupes++;
                continue;
              }
            }
            insert(hd, r);
            stored.add(r);
          }
          return new Saved(stored, dupes);
        });
  }

  private static void insert(Handle hd, ReportPost r) {
    hd.createUpdate(
            "INSERT INTO LIVECHECK_REPORTS (APP, CASE_NAME, STATE, TEST_ID, TEST_NAME, TS, RUNTIME,"
                + " SIGNAL_LATENCY, ERROR, TRACEBACK, CONSECUTIVE_FAILURES, TOTAL_FAILURES,"
                + " SUITE_FAILED) VALUES (:app, :c, :s, :tid, :tn, :ts, :rt, :sl, :e, :tb, :cf,"
                + " :tf, :sf)")
        .bind("app", r.app())
        .bind("c", r.caseName())
        .bind("s", r.state())
        .bind("tid", r.testId())
        .bind("tn", r.testName())
        .bind("ts", r.timestamp())
        .bind("rt", r.runtime())
        .bind("sl", r.signalLatency())
        .bind("e", r.error())
        .bind("tb", r.traceback())
        .bind("cf", r.consecutiveFailures())
        .bind("tf", r.totalFailures())
        .bind("sf", r.suiteFailed() ? 1 : 0)
        .execute();
  }

  /** How many reports are stored. */
  public long count() {
    return db.read(
        hd -> hd.createQuery("SELECT COUNT(*) FROM LIVECHECK_REPORTS").mapTo(Long.class).one());
  }

  /** The newest {@code limit} reports, of one case and one app when they are not null. */
  List<Map<String, Object>> reports(String caseName, String app, int limit) {
    String where =
        "1 = 1"
            + (caseName == null ? "" : " AND CASE_NAME = :c")
            + (app == null ? "" : " AND APP = :a");
    return db.read(
        hd -> {
          var q =
              hd.createQuery(
                      "SELECT * FROM LIVECHECK_REPORTS WHERE "
                          + where
                          + " ORDER BY ID DESC LIMIT :l")
                  .bind("l", limit);
          if (caseName != null) {
            q.bind("c", caseName);
          }
          if (app != null) {
            q.bind("a", app);
          }
          return q.map((rs, c) -> row(rs)).list();
        });
  }

  private Map<String, Object> row(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("app", rs.getString("APP"));
    m.put("case", rs.getString("CASE_NAME"));
    m.put("state", rs.getString("STATE"));
    m.put("test_id", rs.getString("TEST_ID"));
    m.put("test_name", rs.getString("TEST_NAME"));
    m.put("timestamp", rs.getDouble("TS"));
    m.put("runtime", Jdbc.nullableDouble(rs, "RUNTIME"));
    String sl = rs.getString("SIGNAL_LATENCY");
    try {
      m.put("signal_latency", sl == null ? null : mapper.readTree(sl));
    } catch (java.io.IOException e) {
      m.put("signal_latency", null);
    }
    m.put("error", rs.getString("ERROR"));
    m.put("traceback", rs.getString("TRACEBACK"));
    m.put("consecutive_failures", rs.getLong("CONSECUTIVE_FAILURES"));
    m.put("total_failures", rs.getLong("TOTAL_FAILURES"));
    m.put("suite_failed", rs.getInt("SUITE_FAILED") != 0);
    return m;
  }

  /** Each case's latest state, failures, totals by state and latency history, by app and case. */
  List<Map<String, Object>> cases() {
    return db.read(
        hd -> {
          List<Map<String, Object>> latest =
              hd.createQuery(
                      "SELECT r.* FROM LIVECHECK_REPORTS r JOIN (SELECT APP, CASE_NAME, MAX(ID) AS"
                          + " MID FROM LIVECHECK_REPORTS GROUP BY APP, CASE_NAME) x ON r.ID = x.MID"
                          + " ORDER BY r.APP, r.CASE_NAME")
                  .map((rs, c) -> row(rs))
                  .list();
          List<Map<String, Object>> out = new ArrayList<>();
          for (Map<String, Object> r : latest) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("app", r.get("app"));
            c.put("case", r.get("case"));
            c.put("state", r.get("state"));
            c.put("last_report_timestamp", r.get("timestamp"));
            c.put("consecutive_failures", r.get("consecutive_failures"));
            c.put("total_failures", r.get("total_failures"));
            Map<String, Long> totals = new LinkedHashMap<>();
            hd.createQuery(
                    "SELECT STATE, COUNT(*) AS N FROM LIVECHECK_REPORTS WHERE APP = :a AND"
                        + " CASE_NAME = :c GROUP BY STATE ORDER BY STATE")
                .bind("a", (String) r.get("app"))
                .bind("c", (String) r.get("case"))
                .map((rs, x) -> Map.entry(rs.getString("STATE"), rs.getLong("N")))
                .forEach(e -> totals.put(e.getKey(), e.getValue()));
            c.put("totals_by_state", totals);
            c.put("suite_failed", r.get("suite_failed"));
            List<Double> history =
                new ArrayList<>(
                    hd.createQuery(
                            "SELECT RUNTIME FROM LIVECHECK_REPORTS WHERE APP = :a AND CASE_NAME ="
                                + " :c AND RUNTIME IS NOT NULL ORDER BY ID DESC LIMIT :l")
                        .bind("a", (String) r.get("app"))
                        .bind("c", (String) r.get("case"))
                        .bind("l", HISTORY)
                        .mapTo(Double.class)
                        .list());
            Collections.reverse(history);
            c.put("latency_history", history);
            out.add(c);
          }
          return out;
        });
  }
}
