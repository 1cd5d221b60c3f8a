package dev.grindstone.server.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.metrics.MetricsEndpoint;
import dev.grindstone.server.pytestmonitor.PytestMonitorApi.BodyReader;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Limits;
import dev.grindstone.server.web.Pages;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;

/**
 * The load-test runs API under {@code /api/v1/runs}: create (idempotent by id, merging tests, phases
 * and agents), interval snapshots (idempotent by agent and sequence number), finish, and the read
 * side whose totals and percentiles come from the exact merge of every agent's histograms.
 * Thread-safe.
 */
public final class RunsApi {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final Database db;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final RunEvents events;
  private final RunFigures figures;
  private final MetricsEndpoint metrics;

  public RunsApi(Database db, ObjectMapper mapper, Clock clock, RunEvents events, MetricsEndpoint metrics) {
    this.db = db;
    this.mapper = mapper;
    this.clock = clock;
    this.events = events;
    this.figures = new RunFigures(db, mapper);
    this.metrics = metrics;
  }

  public void register(Routes r, BodyReader body) {
    r.post("/api/v1/runs", ctx -> create(ctx, body.read(ctx)));
    r.get("/api/v1/runs", this::list);
    r.get("/api/v1/runs/{id}", ctx -> ctx.json(run(ctx.pathParam("id"))));
    r.get("/api/v1/runs/{id}/series",
        ctx -> ctx.contentType("application/json").result(series(ctx.pathParam("id"), after(ctx))));
    r.post("/api/v1/runs/{id}/snapshots", ctx -> snapshot(ctx, ctx.pathParam("id"), body.read(ctx)));
    r.post("/api/v1/runs/{id}/finish", ctx -> finish(ctx, ctx.pathParam("id"), body.read(ctx)));
    for (String p : r.apiPrefixes()) {
      r.raw().before(p + "/api/v1/runs/{id}/events", ctx -> requireRun(ctx.pathParam("id")));
      r.raw().sse(
          p + "/api/v1/runs/{id}/events",
          client -> {
            String id = client.ctx().pathParam("id");
            client.keepAlive();
            // Subscribed before the summary is read, so no event between the two is missed.
            RunEvents.Subscription subscription = events.subscribe(id, client);
            Map<String, Object> summary = summary(id);
            if ("finished".equals(summary.get("status"))) {
              subscription.sendLast("finished", json(summary));
            } else {
              subscription.send("hello", json(summary));
            }
          });
    }
  }

  // ---------------------------------------------------------------- writes

  private void create(Context ctx, byte[] bytes) {
    JsonBody b = JsonBody.parseObject(mapper, bytes);
    String id = b.optText("id", 64, null);
    if (id == null) {
      id = Long.toString(clock.millis(), 36) + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    } else if (!ID.matcher(id).matches()) {
      throw ApiError.badRequest("id", "'id' must be 1-64 letters, digits, '.', '_' or '-' and start with a letter or digit, got '" + id + "'");
    }
    String name = b.text("name", 512);
    String agent = b.optText("agent", 256, "default");
    long startMs = b.optInteger("startMs", clock.millis(), 0, Long.MAX_VALUE);
    List<Object[]> phases = new ArrayList<>();
    JsonNode ph = b.optArray("phases");
    if (ph != null) {
      for (int i = 0; i < ph.size(); i++) {
        JsonBody p = JsonBody.of(ph.get(i), "phases[" + i + "]");
        long d = p.optInteger("durationMs", 0, 0, Long.MAX_VALUE);
        phases.add(new Object[] {p.text("name", 256), i, d});
      }
    }
    List<Object[]> tests = new ArrayList<>();
    JsonNode ts = b.optArray("tests");
    if (ts != null) {
      for (int i = 0; i < ts.size(); i++) {
        JsonBody t = JsonBody.of(ts.get(i), "tests[" + i + "]");
        tests.add(new Object[] {testNumber(t), t.optText("description", 1024, "")});
      }
    }
    String runId = id;
    db.write(
        hd -> {
          hd.createUpdate("INSERT INTO RUNS (ID, NAME, START_MS, END_MS, STATUS) VALUES (:id, :n, :s, NULL, 'running')"
                  + " ON CONFLICT (ID) DO NOTHING")
              .bind("id", runId).bind("n", name).bind("s", startMs).execute();
          hd.createUpdate("UPDATE RUNS SET START_MS = :s WHERE ID = :id AND START_MS > :s")
              .bind("id", runId).bind("s", startMs).execute();
          addAgent(hd, runId, agent);
          for (Object[] p : phases) {
            hd.createUpdate("INSERT INTO RUN_PHASES (RUN_ID, NAME, POSITION, DURATION_MS) VALUES (:r, :n, :p, :d)"
                    + " ON CONFLICT (RUN_ID, NAME) DO NOTHING")
                .bind("r", runId).bind("n", (String) p[0]).bind("p", (int) p[1]).bind("d", (long) p[2]).execute();
          }
          for (Object[] t : tests) {
            addTest(hd, runId, (int) t[0], (String) t[1]);
          }
          updateStatus(hd, runId);
          return null;
        });
    ctx.status(201).json(summary(runId));
  }

  private static int testNumber(JsonBody t) {
    return (int) t.integer("number", 0, Integer.MAX_VALUE);
  }

  private static void addAgent(Handle hd, String runId, String agent) {
    int added = hd.createUpdate("INSERT INTO RUN_AGENTS (RUN_ID, AGENT, FINISHED, END_MS) VALUES (:r, :a, 0, NULL)"
            + " ON CONFLICT (RUN_ID, AGENT) DO NOTHING")
        .bind("r", runId).bind("a", agent).execute();
    if (added > 0) {
      hd.createUpdate("UPDATE RUNS SET STATUS = 'running', END_MS = NULL WHERE ID = :r").bind("r", runId).execute();
    }
  }

  private static void addTest(Handle hd, String runId, int number, String description) {
    hd.createUpdate("INSERT INTO RUN_TESTS (RUN_ID, NUMBER, DESCRIPTION) VALUES (:r, :n, :d) ON CONFLICT (RUN_ID, NUMBER) DO NOTHING")
        .bind("r", runId).bind("n", number).bind("d", description).execute();
    if (!description.isEmpty()) {
      hd.createUpdate("UPDATE RUN_TESTS SET DESCRIPTION = :d WHERE RUN_ID = :r AND NUMBER = :n AND DESCRIPTION = ''")
          .bind("r", runId).bind("n", number).bind("d", description).execute();
    }
  }

  private static void updateStatus(Handle hd, String runId) {
    long open = hd.createQuery("SELECT COUNT(*) FROM RUN_AGENTS WHERE RUN_ID = :r AND FINISHED = 0")
        .bind("r", runId).mapTo(Long.class).one();
    if (open == 0) {
      Long end = hd.createQuery("SELECT MAX(END_MS) FROM RUN_AGENTS WHERE RUN_ID = :r").bind("r", runId)
          .mapTo(Long.class).findOne().orElse(null);
      hd.createUpdate("UPDATE RUNS SET STATUS = 'finished', END_MS = :e WHERE ID = :r")
          .bind("r", runId).bind("e", end).execute();
    }
  }

  private void snapshot(Context ctx, String runId, byte[] bytes) {
    JsonBody b = JsonBody.parseObject(mapper, bytes);
    String agent = b.text("agent", 256);
    long seq = b.integer("seq", 0, Long.MAX_VALUE);
    String phase = b.optText("phase", 256, null);
    long start = b.integer("startMs", 0, Long.MAX_VALUE);
    long end = b.integer("endMs", 0, Long.MAX_VALUE);
    if (end < start) {
      throw ApiError.badRequest("endMs", "'endMs' (" + end + ") must not be before 'startMs' (" + start + ")");
    }
    // Live figures for /metrics only: the store keeps neither.
    Integer activeUsers = b.has("activeUsers") ? (int) b.integer("activeUsers", 0, Integer.MAX_VALUE) : null;
    Long lateStarts = b.has("lateStarts") ? b.integer("lateStarts", 0, Limits.MAX_COUNT) : null;
    JsonNode tests = b.raw("tests");
    List<TestEntry> entries = SnapshotTests.parse(tests);
    String testsJson = tests.toString();
    long version =
        db.write(
            hd -> {
              StoredTotals run = lockRun(hd, runId);
              if (hd.createQuery("SELECT COUNT(*) FROM RUN_SNAPSHOTS WHERE RUN_ID = :r AND AGENT = :a AND SEQ = :s")
                      .bind("r", runId).bind("a", agent).bind("s", seq).mapTo(Long.class).one() > 0) {
                return -1L;
              }
              RunTotals totals = run.known() ? run.totals() : sumStored(hd, runId);
              RunTotals next = totals.plus(entries);
              addAgent(hd, runId, agent);
              for (TestEntry t : entries) {
                addTest(hd, runId, t.number(), "");
              }
              long ordinal = run.snapshots() + 1;
              hd.createUpdate(
                      "INSERT INTO RUN_SNAPSHOTS (RUN_ID, AGENT, SEQ, PHASE, START_MS, END_MS, TESTS, ORDINAL)"
                          + " VALUES (:r, :a, :s, :p, :st, :e, :t, :o)")
                  .bind("r", runId).bind("a", agent).bind("s", seq).bind("p", phase)
                  .bind("st", start).bind("e", end).bind("t", testsJson).bind("o", ordinal)
                  .execute();
              hd.createUpdate(
                      "UPDATE RUNS SET SNAPSHOTS = :o, TESTS_TOTAL = :t, ERRORS_TOTAL = :e, HISTOGRAM_TOTAL = :h,"
                          + " ERROR_HISTOGRAM_TOTAL = :eh, TOTALS_KNOWN = 1 WHERE ID = :r")
                  .bind("r", runId).bind("o", ordinal).bind("t", next.tests()).bind("e", next.errors())
                  .bind("h", next.histogram()).bind("eh", next.errorHistogram())
                  .execute();
              return ordinal;
            });
    boolean inserted = version > 0;
    Map<String, Object> ack = new LinkedHashMap<>();
    ack.put("runId", runId);
    ack.put("agent", agent);
    ack.put("seq", seq);
    ack.put("startMs", start);
    ack.put("endMs", end);
    if (inserted) {
      ack.put("version", version);
      events.publish(runId, "snapshot", json(ack));
      metrics.snapshotStored(runId, agent, LiveFigures.of(entries), activeUsers, lateStarts);
    }
    ack.put("duplicate", !inserted);
    ctx.status(201).json(ack);
  }

  /** A run's row as a snapshot write sees it, locked until the write commits. */
  private record StoredTotals(long snapshots, RunTotals totals, boolean known) {}

  /**
   * Reads (and on PostgreSQL locks) the run's counters, so concurrent writes to one run, from
   * this server or another sharing the store, check totals and take ordinals one after another.
   */
  private StoredTotals lockRun(Handle hd, String runId) {
    return hd.createQuery("SELECT SNAPSHOTS, TESTS_TOTAL, ERRORS_TOTAL, HISTOGRAM_TOTAL, ERROR_HISTOGRAM_TOTAL, TOTALS_KNOWN"
            + " FROM RUNS WHERE ID = :r" + db.forUpdate())
        .bind("r", runId)
        .map((rs, c) -> new StoredTotals(rs.getLong("SNAPSHOTS"),
            new RunTotals(rs.getLong("TESTS_TOTAL"), rs.getLong("ERRORS_TOTAL"), rs.getLong("HISTOGRAM_TOTAL"),
                rs.getLong("ERROR_HISTOGRAM_TOTAL")),
            rs.getInt("TOTALS_KNOWN") != 0))
        .findOne()
        .orElseThrow(() -> ApiError.notFound("id", "no run with id '" + runId + "'"));
  }

  /**
   * The totals of a run stored before they were kept, summed once from its snapshots; a stored
   * snapshot that is unreadable or would overflow counts for nothing, as when its figures are read.
   */
  private RunTotals sumStored(Handle hd, String runId) {
    RunTotals totals = RunTotals.ZERO;
    for (String tests : hd.createQuery("SELECT TESTS FROM RUN_SNAPSHOTS WHERE RUN_ID = :r ORDER BY ORDINAL")
        .bind("r", runId).mapTo(String.class).list()) {
      List<TestEntry> entries = SnapshotTests.readStored(mapper, tests);
      RunTotals next = entries == null ? null : totals.plusOrNull(entries);
      if (next != null) {
        totals = next;
      }
    }
    return totals;
  }

  private void finish(Context ctx, String runId, byte[] bytes) {
    JsonBody b = JsonBody.parseObject(mapper, bytes);
    String agent = b.optText("agent", 256, "default");
    long end = b.optInteger("endMs", clock.millis(), 0, Long.MAX_VALUE);
    db.write(
        hd -> {
          requireRun(hd, runId);
          addAgent(hd, runId, agent);
          hd.createUpdate("UPDATE RUN_AGENTS SET FINISHED = 1, END_MS = :e WHERE RUN_ID = :r AND AGENT = :a")
              .bind("r", runId).bind("a", agent).bind("e", end).execute();
          updateStatus(hd, runId);
          return null;
        });
    Map<String, Object> summary = summary(runId);
    if ("finished".equals(summary.get("status"))) {
      events.finish(runId, json(summary));
    }
    ctx.status(200).json(summary);
  }

  // ---------------------------------------------------------------- reads

  private void list(Context ctx) {
    int max = Pages.limit(ctx, 200, 1000);
    List<String> ids =
        db.read(hd -> hd.createQuery("SELECT ID FROM RUNS ORDER BY START_MS DESC, ID LIMIT :l").bind("l", max)
            .mapTo(String.class).list());
    List<Map<String, Object>> runs = new ArrayList<>();
    for (String id : ids) {
      runs.add(summary(id));
    }
    ctx.json(Map.of("runs", runs));
  }

  private void requireRun(String runId) {
    db.read(hd -> {
      requireRun(hd, runId);
      return null;
    });
  }

  private static void requireRun(Handle hd, String runId) {
    if (hd.createQuery("SELECT COUNT(*) FROM RUNS WHERE ID = :r").bind("r", runId).mapTo(Long.class).one() == 0) {
      throw ApiError.notFound("id", "no run with id '" + runId + "'");
    }
  }

  /** id, name, status, startMs, endMs, agents, tests (number and description), phases. */
  public Map<String, Object> summary(String runId) {
    return db.read(
        hd -> {
          requireRun(hd, runId);
          Map<String, Object> m =
              hd.createQuery("SELECT ID, NAME, STATUS, START_MS, END_MS FROM RUNS WHERE ID = :r")
                  .bind("r", runId)
                  .map((rs, c) -> {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("id", rs.getString("ID"));
                    x.put("name", rs.getString("NAME"));
                    x.put("status", rs.getString("STATUS"));
                    x.put("startMs", rs.getLong("START_MS"));
                    long e = rs.getLong("END_MS");
                    x.put("endMs", rs.wasNull() ? null : e);
                    return x;
                  })
                  .one();
          m.put("agents", hd.createQuery("SELECT AGENT FROM RUN_AGENTS WHERE RUN_ID = :r ORDER BY AGENT")
              .bind("r", runId).mapTo(String.class).list());
          m.put("tests", hd.createQuery("SELECT NUMBER, DESCRIPTION FROM RUN_TESTS WHERE RUN_ID = :r ORDER BY NUMBER")
              .bind("r", runId)
              .map((rs, c) -> {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("number", rs.getInt("NUMBER"));
                t.put("description", rs.getString("DESCRIPTION"));
                return t;
              })
              .list());
          m.put("phases", hd.createQuery("SELECT NAME, DURATION_MS FROM RUN_PHASES WHERE RUN_ID = :r ORDER BY POSITION, NAME")
              .bind("r", runId)
              .map((rs, c) -> {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", rs.getString("NAME"));
                p.put("durationMs", rs.getLong("DURATION_MS"));
                return p;
              })
              .list());
          return m;
        });
  }

  /**
   * One run with per-test, per-phase and total figures merged over every agent and snapshot; the
   * merge is kept up to date as snapshots arrive ({@link RunFigures}).
   */
  public Map<String, Object> run(String runId) {
    RunFigures.Totals figures = this.figures.totals(runId);
    Map<String, Object> m = summary(runId);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> tests = (List<Map<String, Object>>) m.get("tests");
    Map<String, Object> empty = new Agg().figures(0);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> t : tests) {
      Map<String, Object> row = new LinkedHashMap<>(t);
      row.putAll(figures.perTest().getOrDefault((Integer) t.get("number"), empty));
      out.add(row);
    }
    m.put("tests", out);
    m.put("totals", figures.total());
    m.put("dataStartMs", figures.dataStartMs());
    m.put("dataEndMs", figures.dataEndMs());
    m.put("snapshots", figures.snapshots());
    m.put("skippedSnapshots", figures.skippedSnapshots());
    m.put("version", figures.version());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> phases = (List<Map<String, Object>>) m.get("phases");
    for (Map<String, Object> p : phases) {
      Map<String, Object> totals = figures.perPhase().get((String) p.get("name"));
      if (totals != null) {
        p.put("totals", totals);
      }
    }
    return m;
  }

  /**
   * Per-interval TPS, errors and percentiles, per test and in total, as JSON; with {@code after},
   * only the intervals that changed after that version (the {@code version} of an earlier answer).
   */
  public byte[] series(String runId, long after) {
    RunFigures.Series series = figures.series(runId, after);
    byte[] head = ("{\"id\":" + json(runId) + ",\"intervalMs\":" + series.intervalMs() + ",\"version\":"
        + series.version() + ",\"intervals\":[").getBytes(StandardCharsets.UTF_8);
    int length = head.length + Math.max(0, series.intervals().size() - 1) + 2;
    for (byte[] iv : series.intervals()) {
      length += iv.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length).put(head);
    for (int i = 0; i < series.intervals().size(); i++) {
      if (i > 0) {
        out.put((byte) ',');
      }
      out.put(series.intervals().get(i));
    }
    return out.put((byte) ']').put((byte) '}').array();
  }

  private static long after(Context ctx) {
    String a = ctx.queryParam("after");
    if (a == null) {
      return 0;
    }
    try {
      long v = Long.parseLong(a.trim());
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // Answered below.
    }
    throw ApiError.badRequest("after", "after must be a version from an earlier answer (an integer, 0 or more), got '" + a + "'");
  }

  private String json(Object o) {
    try {
      return mapper.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
