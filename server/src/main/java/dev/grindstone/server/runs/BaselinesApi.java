package dev.grindstone.server.runs;

import dev.grindstone.server.store.Database;
import dev.grindstone.server.store.Jdbc;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.Pages;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Baselines and trends of load-test runs, by run name: {@code POST /api/v1/runs/{id}/baseline}
 * marks a run as the baseline of its name (replacing the one before), {@code GET|DELETE
 * /api/v1/baselines?name=} reads or removes it, {@code GET /api/v1/baselines} lists them, and
 * {@code GET /api/v1/trends?name=} gives each run of a name with its p99, TPS and error rate,
 * oldest first. Names travel as query parameters: a run name may hold any character, a slash
 * included. Thread-safe.
 */
final class BaselinesApi {
  private static final int MAX_NAME = 512;

  private final Database db;
  private final Clock clock;
  private final RunFigures figures;

  BaselinesApi(Database db, Clock clock, RunFigures figures) {
    this.db = db;
    this.clock = clock;
    this.figures = figures;
  }

  void register(Routes r) {
    r.post("/api/v1/runs/{id}/baseline", ctx -> ctx.json(mark(ctx.pathParam("id"))));
    r.get(
        "/api/v1/baselines",
        ctx -> {
          String name = ctx.queryParam("name");
          ctx.json(name == null ? Map.of("baselines", list()) : baseline(name(ctx)));
        });
    r.delete(
        "/api/v1/baselines",
        ctx -> {
          String name = name(ctx);
          int removed =
              db.write(
                  hd ->
                      hd.createUpdate("DELETE FROM RUN_BASELINES WHERE NAME = :n")
                          .bind("n", name)
                          .execute());
          if (removed == 0) {
            throw ApiError.notFound("name", "no baseline for runs named '" + name + "'");
          }
          ctx.status(204);
        });
    r.get("/api/v1/trends", ctx -> ctx.json(trend(name(ctx), Pages.limit(ctx, 50, 500))));
  }

  private static String name(Context ctx) {
    String name = ctx.queryParam("name");
    if (name == null || name.isEmpty()) {
      throw ApiError.badRequest("name", "the query parameter 'name' (a run name) is required");
    }
    if (name.length() > MAX_NAME) {
      throw ApiError.badRequest(
          "name", "'name' is at most " + MAX_NAME + " characters, got " + name.length());
    }
    return name;
  }

  /** Marks the run as its name's baseline. */
  private Map<String, Object> mark(String runId) {
    long now = clock.millis();
    String name =
        db.write(
            hd -> {
              String n =
                  hd.createQuery("SELECT NAME FROM RUNS WHERE ID = :r")
                      .bind("r", runId)
                      .mapTo(String.class)
                      .findOne()
                      .orElseThrow(() -> ApiError.notFound("id", "no run with id '" + runId + "'"));
              hd.createUpdate(
                      "INSERT INTO RUN_BASELINES (NAME, RUN_ID, MARKED_MS) VALUES (:n, :r, :m)"
                          + " ON CONFLICT (NAME) DO UPDATE SET RUN_ID = :r, MARKED_MS = :m")
                  .bind("n", n)
                  .bind("r", runId)
                  .bind("m", now)
                  .execute();
              return n;
            });
    return entry(name, runId, now);
  }

  private Map<String, Object> baseline(String name) {
    return db.read(
            hd ->
                hd.createQuery("SELECT NAME, RUN_ID, MARKED_MS FROM RUN_BASELINES WHERE NAME = :n")
                    .bind("n", name)
                    .map(
                        (rs, c) ->
                            entry(
                                rs.getString("NAME"),
                                rs.getString("RUN_ID"),
                                rs.getLong("MARKED_MS")))
                    .findOne())
        .orElseThrow(() -> ApiError.notFound("name", "no baseline for runs named '" + name + "'"));
  }

  private List<Map<String, Object>> list() {
    return db.read(
        hd ->
            hd.createQuery("SELECT NAME, RUN_ID, MARKED_MS FROM RUN_BASELINES ORDER BY NAME")
                .map(
                    (rs, c) ->
                        entry(
                            rs.getString("NAME"), rs.getString("RUN_ID"), rs.getLong("MARKED_MS")))
                .list());
  }

  private static Map<String, Object> entry(String name, String runId, long markedMs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("runId", runId);
    m.put("markedMs", markedMs);
    return m;
  }

  /** The id of the baseline of {@code name}, or null. */
  static String baselineOf(Handle hd, String name) {
    return hd.createQuery("SELECT RUN_ID FROM RUN_BASELINES WHERE NAME = :n")
        .bind("n", name)
        .mapTo(String.class)
        .findOne()
        .orElse(null);
  }

  /** A run as a trend shows it. */
  private record Row(String id, long startMs, Long endMs, String status, long snapshots) {}

  /** The last {@code limit} runs named {@code name}, oldest first, with their headline figures. */
  private Map<String, Object> trend(String name, int limit) {
    List<Row> rows =
        new ArrayList<>(
            db.read(
                hd ->
                    hd.createQuery(
                            "SELECT ID, START_MS, END_MS, STATUS, SNAPSHOTS FROM RUNS WHERE NAME ="
                                + " :n ORDER BY START_MS DESC, ID DESC LIMIT :l")
                        .bind("n", name)
                        .bind("l", limit)
                        .map(
                            (rs, c) -> {
                              Long endMs = Jdbc.nullableLong(rs, "END_MS");
                              return new Row(
                                  rs.getString("ID"),
                                  rs.getLong("START_MS"),
                                  endMs,
                                  rs.getString("STATUS"),
                                  rs.getLong("SNAPSHOTS"));
                            })
                        .list()));
    java.util.Collections.reverse(rows);
    String baseline = db.read(hd -> baselineOf(hd, name));
    List<Map<String, Object>> runs = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", row.id());
      m.put("startMs", row.startMs());
      m.put("endMs", row.endMs());
      m.put("status", row.status());
      m.put("baseline", row.id().equals(baseline));
      m.putAll(headline(row));
      runs.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", name);
    out.put("baselineId", baseline);
    out.put("runs", runs);
    return out;
  }

  /**
   * tests, errors, errorRate, tps, meanMs, p99Ms of a run's totals: stored once computed for the
   * run's current number of snapshots, computed (and stored) otherwise.
   */
  private Map<String, Object> headline(Row row) {
    Map<String, Object> stored =
        db.read(
            hd ->
                hd.createQuery(
                        "SELECT TESTS, ERRORS, ERROR_RATE, TPS, MEAN_MS, P99_MS FROM RUN_HEADLINES"
                            + " WHERE RUN_ID = :r AND SNAPSHOTS = :s")
                    .bind("r", row.id())
                    .bind("s", row.snapshots())
                    .map(
                        (rs, c) -> {
                          Map<String, Object> m = new LinkedHashMap<>();
                          m.put("tests", rs.getLong("TESTS"));
                          m.put("errors", rs.getLong("ERRORS"));
                          m.put("errorRate", rs.getDouble("ERROR_RATE"));
                          m.put("tps", rs.getDouble("TPS"));
                          m.put("meanMs", Jdbc.nullableDouble(rs, "MEAN_MS"));
                          m.put("p99Ms", Jdbc.nullableDouble(rs, "P99_MS"));
                          return m;
                        })
                    .findOne()
                    .orElse(null));
    if (stored != null) {
      return stored;
    }
    RunFigures.Totals totals = figures.totals(row.id());
    Map<String, Object> t = totals.total();
    Map<String, Object> m = new LinkedHashMap<>();
    for (String k : List.of("tests", "errors", "errorRate", "tps", "meanMs", "p99Ms")) {
      m.put(k, t.get(k));
    }
    // Only what the snapshots counted at that moment is kept: a later snapshot makes it stale.
    db.write(
        hd ->
            hd.createUpdate(
                    "INSERT INTO RUN_HEADLINES (RUN_ID, SNAPSHOTS, TESTS, ERRORS, ERROR_RATE, TPS,"
                        + " MEAN_MS, P99_MS) VALUES (:r, :s, :t, :e, :er, :tps, :mean, :p99) ON"
                        + " CONFLICT (RUN_ID) DO UPDATE SET SNAPSHOTS = :s, TESTS = :t, ERRORS ="
                        + " :e, ERROR_RATE = :er, TPS = :tps, MEAN_MS = :mean, P99_MS = :p99")
                .bind("r", row.id())
                .bind("s", totals.version())
                .bind("t", (Long) t.get("tests"))
                .bind("e", (Long) t.get("errors"))
                .bind("er", (Double) t.get("errorRate"))
                .bind("tps", (Double) t.get("tps"))
                .bind("mean", (Double) t.get("meanMs"))
                .bind("p99", (Double) t.get("p99Ms"))
                .execute());
    return m;
  }
}
