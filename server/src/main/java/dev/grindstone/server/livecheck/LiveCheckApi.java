package dev.grindstone.server.livecheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grindstone.server.metrics.LiveMetrics;
import dev.grindstone.server.metrics.MetricsEndpoint;
import dev.grindstone.server.pytestmonitor.PytestMonitorApi.BodyReader;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import dev.grindstone.server.web.Pages;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LiveCheck reports: {@code POST /api/livecheck/reports} (one report or an array, stored in one
 * transaction), {@code GET /api/livecheck/cases} (state per case) and {@code GET
 * /api/livecheck/reports?case=&limit=} (newest first). Thread-safe.
 */
public final class LiveCheckApi {
  /** The states a LiveCheck case reports. */
  public static final Set<String> STATES = Set.of("PASS", "FAIL", "ERROR", "TIMEOUT", "STALL", "SKIP", "INIT");
  private static final int HISTORY = 100;

  private final Database db;
  private final ObjectMapper mapper;
  private final MetricsEndpoint metrics;

  public LiveCheckApi(Database db, ObjectMapper mapper, MetricsEndpoint metrics) {
    this.db = db;
    this.mapper = mapper;
    this.metrics = metrics;
  }

  public void register(Routes r, BodyReader body) {
    r.post("/api/livecheck/reports", ctx -> post(ctx, body.read(ctx)));
    r.get("/api/livecheck/reports", this::reports);
    r.get("/api/livecheck/cases", this::cases);
  }

  /**
   * What {@link #ingest} did with a batch.
   *
   * @param stored reports stored
   * @param duplicates reports skipped because a report of their app and test id was already stored
   * @param rejected reports skipped because they are not valid report JSON (each is logged)
   */
  public record Ingested(int stored, int duplicates, int rejected) {}

  /**
   * Stores reports that arrive other than through HTTP (the Kafka report topic): each a JSON
   * object as {@code POST /api/livecheck/reports} takes. A test's report is stored once: one whose
   * app and test id are already stored, or earlier in the batch, is skipped, since a topic may
   * deliver a report twice. Invalid ones are skipped and handed to {@code rejected} with the
   * reason; they never block the valid ones. One transaction per batch.
   */
  public Ingested ingest(List<String> jsonReports, java.util.function.BiConsumer<String, String> rejected) {
    List<Report> valid = new ArrayList<>();
    int bad = 0;
    for (String json : jsonReports) {
      try {
        // The same gate as an HTTP body: parser limits, trailing content, NUL characters.
        valid.add(parse(JsonBody.parseObject(mapper, json.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      } catch (ApiError e) {
        bad++;
        rejected.accept(json, e.getMessage());
      }
    }
    int badCount = bad;
    List<Report> stored = new ArrayList<>();
    Ingested result = db.write(
        hd -> {
          stored.clear();
          int dupes = 0;
          java.util.Set<List<String>> seen = new java.util.HashSet<>();
          for (Report r : valid) {
            if (r.testId != null) {
              boolean known =
                  !seen.add(List.of(r.app, r.testId))
                      || hd.createQuery("SELECT 1 FROM LIVECHECK_REPORTS WHERE TEST_ID = :tid AND APP = :app LIMIT 1")
                          .bind("tid", r.testId).bind("app", r.app).mapTo(Integer.class).findFirst().isPresent();
              if (known) {
                dupes++;
                continue;
              }
            }
            insert(hd, r);
            stored.add(r);
          }
          return new Ingested(stored.size(), dupes, badCount);
        });
    metrics.reportsStored(stored.stream().map(this::live).toList());
    return result;
  }

  /** A stored report as {@code /metrics} counts it. */
  private LiveMetrics.CaseReport live(Report r) {
    Map<String, Double> latency = new LinkedHashMap<>();
    if (r.signalLatency != null) {
      try {
        mapper.readTree(r.signalLatency).fields().forEachRemaining(e -> {
          if (e.getValue().isNumber()) {
            latency.put(e.getKey(), e.getValue().doubleValue());
          }
        });
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("signal_latency was validated as JSON", e);
      }
    }
    return new LiveMetrics.CaseReport(r.app, r.caseName, r.state, r.runtime, latency, r.consecutive, r.total,
        r.testId != null);
  }

  private record Report(
      String app, String caseName, String state, String testId, String testName, double ts, Double runtime,
      String signalLatency, String error, String traceback, long consecutive, long total, boolean suiteFailed) {}

  private void post(Context ctx, byte[] bytes) {
    JsonNode n = JsonBody.parse(mapper, bytes);
    List<Report> reports = new ArrayList<>();
    if (n.isArray()) {
      if (n.isEmpty()) {
        throw ApiError.badRequest(null, "the array of reports is empty");
      }
      for (int i = 0; i < n.size(); i++) {
        reports.add(parse(JsonBody.of(n.get(i), "[" + i + "]")));
      }
    } else if (n.isObject()) {
      reports.add(parse(JsonBody.of(n, "")));
    } else {
      throw ApiError.badRequest(null, "the body must be a report object or an array of them, got " + JsonBody.kind(n));
    }
    db.write(
        hd -> {
          for (Report r : reports) {
            insert(hd, r);
          }
          return null;
        });
    metrics.reportsStored(reports.stream().map(this::live).toList());
    ctx.status(201).json(Map.of("stored", reports.size()));
  }

  private static void insert(org.jdbi.v3.core.Handle hd, Report r) {
    hd.createUpdate(
            "INSERT INTO LIVECHECK_REPORTS (APP, CASE_NAME, STATE, TEST_ID, TEST_NAME, TS, RUNTIME, SIGNAL_LATENCY,"
                + " ERROR, TRACEBACK, CONSECUTIVE_FAILURES, TOTAL_FAILURES, SUITE_FAILED)"
                + " VALUES (:app, :c, :s, :tid, :tn, :ts, :rt, :sl, :e, :tb, :cf, :tf, :sf)")
        .bind("app", r.app).bind("c", r.caseName).bind("s", r.state).bind("tid", r.testId)
        .bind("tn", r.testName).bind("ts", r.ts).bind("rt", r.runtime).bind("sl", r.signalLatency)
        .bind("e", r.error).bind("tb", r.traceback).bind("cf", r.consecutive).bind("tf", r.total)
        .bind("sf", r.suiteFailed ? 1 : 0)
        .execute();
  }

  private Report parse(JsonBody b) {
    String state = b.text("state", 16);
    if (!STATES.contains(state)) {
      throw ApiError.badRequest(b.path("state"), "'" + b.path("state") + "' must be one of PASS, FAIL, ERROR, TIMEOUT, STALL, SKIP, INIT; got '" + state + "'");
    }
    ObjectNode latency = b.optObject("signal_latency");
    if (latency != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = latency.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        String p = b.path("signal_latency") + "." + e.getKey();
        if (!v.isNumber() && !v.isNull()) {
          throw ApiError.badRequest(p, "'" + p + "' must be a number of seconds, got " + JsonBody.kind(v));
        }
        if (v.isNumber() && !(Double.isFinite(v.doubleValue()) && v.doubleValue() >= 0)) {
          throw ApiError.badRequest(p, "'" + p + "' must be a finite number of seconds, 0 or more, got " + v.asText());
        }
      }
    }
    // Both columns are int on every store (2^31 failures are 68 years at one a second).
    long consecutive = b.optInteger("consecutive_failures", 0, 0, Limits.MAX_INT);
    long total = b.optInteger("total_failures", 0, 0, Limits.MAX_INT);
    Double runtime = b.optNonNegative("runtime");
    return new Report(
        b.optText("app", 256, ""),
        b.text("case", 512),
        state,
        b.optText("test_id", 256, null),
        b.optText("test_name", 512, null),
        b.nonNegative("timestamp"),
        runtime,
        latency == null ? null : latency.toString(),
        b.optText("error", 1_000_000, null),
        b.optText("traceback", 1_000_000, null),
        consecutive,
        total,
        b.optBoolean("suite_failed", false));
  }

  private void reports(Context ctx) {
    String caseName = ctx.queryParam("case");
    String app = ctx.queryParam("app");
    int max = Pages.limit(ctx, 100, 500);
    String where = "1 = 1" + (caseName == null ? "" : " AND CASE_NAME = :c") + (app == null ? "" : " AND APP = :a");
    List<Map<String, Object>> rows =
        db.read(hd -> {
          var q = hd.createQuery("SELECT * FROM LIVECHECK_REPORTS WHERE " + where + " ORDER BY ID DESC LIMIT :l").bind("l", max);
          if (caseName != null) {
            q.bind("c", caseName);
          }
          if (app != null) {
            q.bind("a", app);
          }
          return q.map((rs, c) -> row(rs)).list();
        });
    ctx.json(Map.of("reports", rows));
  }

  private Map<String, Object> row(ResultSet rs) throws SQLException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("app", rs.getString("APP"));
    m.put("case", rs.getString("CASE_NAME"));
    m.put("state", rs.getString("STATE"));
    m.put("test_id", rs.getString("TEST_ID"));
    m.put("test_name", rs.getString("TEST_NAME"));
    m.put("timestamp", rs.getDouble("TS"));
    double rt = rs.getDouble("RUNTIME");
    m.put("runtime", rs.wasNull() ? null : rt);
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

  private void cases(Context ctx) {
    List<Map<String, Object>> cases =
        db.read(
            hd -> {
              List<Map<String, Object>> latest =
                  hd.createQuery(
                          "SELECT r.* FROM LIVECHECK_REPORTS r JOIN (SELECT APP, CASE_NAME, MAX(ID) AS MID FROM LIVECHECK_REPORTS"
                              + " GROUP BY APP, CASE_NAME) x ON r.ID = x.MID ORDER BY r.APP, r.CASE_NAME")
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
                hd.createQuery("SELECT STATE, COUNT(*) AS N FROM LIVECHECK_REPORTS WHERE APP = :a AND CASE_NAME = :c GROUP BY STATE ORDER BY STATE")
                    .bind("a", (String) r.get("app")).bind("c", (String) r.get("case"))
                    .map((rs, x) -> Map.entry(rs.getString("STATE"), rs.getLong("N")))
                    .forEach(e -> totals.put(e.getKey(), e.getValue()));
                c.put("totals_by_state", totals);
                c.put("suite_failed", r.get("suite_failed"));
                List<Double> history =
                    new ArrayList<>(hd.createQuery("SELECT RUNTIME FROM LIVECHECK_REPORTS WHERE APP = :a AND CASE_NAME = :c AND RUNTIME IS NOT NULL ORDER BY ID DESC LIMIT :l")
                        .bind("a", (String) r.get("app")).bind("c", (String) r.get("case")).bind("l", HISTORY)
                        .mapTo(Double.class).list());
                Collections.reverse(history);
                c.put("latency_history", history);
                out.add(c);
              }
              return out;
            });
    ctx.json(Map.of("cases", cases));
  }
}
