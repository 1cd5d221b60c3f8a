package dev.grindstone.server.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.BodyReader;
import dev.grindstone.server.web.JsonAnswer;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The coordinator's routes. Everything an agent or a controller does is a POST, so on a server with
 * a write token every one of them needs the token (a GET of a run's state does not):
 *
 * <ul>
 *   <li>{@code POST
 *       /api/v1/distributed?name=&agents=&runFile=[&readyTimeoutMs=&leadMs=&onAgentLoss=&lossTimeoutMs=]}
 *       with the run bundle (a zip archive) as the body: 201 with the run;
 *   <li>{@code GET /api/v1/distributed/{id}}: the run, its agents, its start time, and its gaps
 *       (what an index missed between an attempt and its replacement);
 *   <li>{@code GET /api/v1/distributed/{id}/snapshots?after=N}: the snapshots its agents reported,
 *       as posted, after ordinal N (what the controller merges);
 *   <li>{@code POST /api/v1/distributed/{id}/stop};
 *   <li>{@code POST /api/v1/agents} (register), {@code POST /api/v1/agents/{id}/poll} (the agent's
 *       run, with the agent alone among its members), {@code .../bundle}, {@code .../clock}, {@code
 *       .../ready}, {@code .../reserve} (rows of queue feeders, see {@link Reservations}), {@code
 *       .../total}.
 * </ul>
 *
 * Thread-safe.
 */
public final class CoordinatorApi {
  /** The default limit of a run bundle: 16 MiB. */
  public static final int DEFAULT_BUNDLE_LIMIT = 16 << 20;

  private static final Pattern RUN_FILE = Pattern.compile("[A-Za-z0-9._-][A-Za-z0-9._/-]{0,511}");

  private final Coordinator coordinator;
  private final Reservations reservations;
  private final Database db;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final BodyReader bundleReader;
  private final int bundleLimit;

  public CoordinatorApi(
      Coordinator coordinator, Database db, ObjectMapper mapper, Clock clock, int bundleLimit) {
    this.coordinator = coordinator;
    this.reservations = new Reservations(db);
    this.db = db;
    this.mapper = mapper;
    this.clock = clock;
    this.bundleLimit = bundleLimit;
    this.bundleReader = new BodyReader(bundleLimit);
  }

  public void register(Routes r, BodyReader body) {
    r.post("/api/v1/distributed", this::create);
    r.get(
        "/api/v1/distributed/{id}",
        ctx -> {
          DistRun run = coordinator.run(ctx.pathParam("id"));
          Map<String, Object> m = json(run);
          // The clock's measures during the run, with each agent's first offset (not in polls).
          Map<String, List<Coordinator.ClockSample>> samples = coordinator.clockSamples(run.id());
          for (Object member : (List<?>) m.get("members")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> a = (Map<String, Object>) member;
            a.put("clockSamples", samples.getOrDefault((String) a.get("agentId"), List.of()));
          }
          // The spans indexes did not cover between an attempt and its replacement.
          m.put("gaps", coordinator.gaps(run.id()));
          // What replaced attempts reserved of their queue feeders and may have left unused.
          m.put("skipped", reservations.skipped(run.id()));
          JsonAnswer.send(ctx, mapper, m);
        });
    r.get("/api/v1/distributed/{id}/snapshots", this::snapshots);
    r.post(
        "/api/v1/distributed/{id}/stop",
        ctx -> {
          body.read(ctx);
          ctx.json(json(coordinator.stop(ctx.pathParam("id"), "stopped by the controller")));
        });
    r.post(
        "/api/v1/agents", ctx -> registerAgent(ctx, JsonBody.parseObject(mapper, body.read(ctx))));
    r.post(
        "/api/v1/agents/{id}/poll",
        ctx -> {
          body.read(ctx);
          String agent = ctx.pathParam("id");
          JsonAnswer.send(ctx, mapper, pollAnswer(agent, coordinator.poll(agent)));
        });
    r.post(
        "/api/v1/agents/{id}/bundle",
        ctx -> {
          body.read(ctx);
          ctx.contentType("application/zip").result(coordinator.bundle(ctx.pathParam("id")));
        });
    // NTP-style: the agent brackets this answer with its own clock; the time is read last thing.
    r.post(
        "/api/v1/agents/{id}/clock",
        ctx -> {
          Instant now = clock.instant();
          ctx.json(Map.of("serverUs", now.getEpochSecond() * 1_000_000L + now.getNano() / 1000));
        });
    r.post(
        "/api/v1/agents/{id}/ready",
        ctx -> {
          JsonBody b = JsonBody.parseObject(mapper, body.read(ctx));
          double offset = b.number("clockOffsetMs");
          double rtt = b.nonNegative("clockRttMs");
          ctx.json(json(coordinator.ready(ctx.pathParam("id"), offset, rtt)));
        });
    r.post(
        "/api/v1/agents/{id}/reserve",
        ctx -> {
          var asks = Reservations.parse(JsonBody.parseObject(mapper, body.read(ctx)));
          ctx.json(Map.of("reserved", reservations.reserve(ctx.pathParam("id"), asks)));
        });
    r.post(
        "/api/v1/agents/{id}/clock-samples",
        ctx -> {
          JsonBody b = JsonBody.parseObject(mapper, body.read(ctx));
          coordinator.clockSample(
              ctx.pathParam("id"), b.number("clockOffsetMs"), b.nonNegative("clockRttMs"));
          ctx.status(204);
        });
    r.post(
        "/api/v1/agents/{id}/datalog",
        ctx -> {
          byte[] gzip;
          try {
            gzip = bundleReader.read(ctx);
          } catch (ApiError e) {
            if (e.status() == 413) {
              throw new ApiError(
                  413,
                  "the data log is larger than the limit of "
                      + bundleLimit
                      + " bytes compressed (the"
                      + " server's --max-bundle-size); the agent keeps it in its results folder",
                  "datalog");
            }
            throw e;
          }
          coordinator.dataLog(ctx.pathParam("id"), gzip);
          ctx.status(204);
        });
    r.get(
        "/api/v1/distributed/{id}/datalogs/{agent}",
        ctx ->
            ctx.contentType("application/gzip")
                .result(
                    coordinator
                        .dataLog(ctx.pathParam("id"), ctx.pathParam("agent"))
                        .orElseThrow(
                            () ->
                                ApiError.notFound(
                                    "agent",
                                    "agent "
                                        + ctx.pathParam("agent")
                                        + " of run "
                                        + ctx.pathParam("id")
                                        + " sent no data log"))));
    r.post(
        "/api/v1/agents/{id}/total",
        ctx -> {
          JsonBody b = JsonBody.parseObject(mapper, body.read(ctx));
          b.raw("tests"); // required
          ctx.json(json(coordinator.total(ctx.pathParam("id"), b.node().toString())));
        });
  }

  /** Checks a snapshot's reporter before it is stored: a fenced attempt's is refused (409). */
  public void checkReporter(String runId, String agent) {
    coordinator.checkReporter(runId, agent);
  }

  /**
   * What a snapshot's answer carries for an agent of a distributed run, once the snapshot is
   * stored: what its poll would answer ({@code serverMs} and {@code run}), the snapshot being its
   * heartbeat. Null for a reporter that is no agent of a distributed run.
   */
  public Map<String, Object> reported(String runId, String agent) {
    return coordinator
        .reported(runId, agent)
        .map(r -> pollAnswer(r.agentId(), Optional.of(r.run())))
        .orElse(null);
  }

  /** A poll's answer: the agent's run with this agent alone among its members. */
  private Map<String, Object> pollAnswer(String agentId, Optional<DistRun> run) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("serverMs", clock.millis());
    // A hundred agents polling a run of a hundred each second would otherwise make ten thousand
    // members a second.
    m.put("run", run.map(r -> json(r, agentId)).orElse(null));
    return m;
  }

  private void create(Context ctx) {
    String name = required(ctx, "name");
    if (name.length() > 512) {
      throw ApiError.badRequest("name", "'name' must be at most 512 characters");
    }
    int agents = (int) number(ctx, "agents", null, 1, 10_000);
    String runFile = required(ctx, "runFile");
    if (!RUN_FILE.matcher(runFile).matches() || runFile.contains("..")) {
      throw ApiError.badRequest(
          "runFile",
          "'runFile' must be a relative path inside the bundle (letters, digits,"
              + " '.', '_', '-', '/'; no '..'), got '"
              + runFile
              + "'");
    }
    long ready = number(ctx, "readyTimeoutMs", 300_000L, 1, 86_400_000L);
    long lead = number(ctx, "leadMs", 3_000L, 0, 3_600_000L);
    long loss = number(ctx, "lossTimeoutMs", 10_000L, 100, 3_600_000L);
    String onLoss = ctx.queryParam("onAgentLoss") == null ? "fail" : ctx.queryParam("onAgentLoss");
    if (!onLoss.equals("fail") && !onLoss.equals("continue")) {
      throw ApiError.badRequest(
          "onAgentLoss", "'onAgentLoss' is fail or continue, got '" + onLoss + "'");
    }
    byte[] bundle;
    try {
      bundle = bundleReader.read(ctx);
    } catch (ApiError e) {
      if (e.status() == 413) {
        throw new ApiError(
            413,
            "the run bundle is larger than the limit of "
                + bundleLimit
                + " bytes (the server's --max-bundle-size): leave large files out of the run's"
                + " folder, or raise the limit",
            "bundle");
      }
      throw e;
    }
    if (bundle.length < 4 || bundle[0] != 'P' || bundle[1] != 'K') {
      throw ApiError.badRequest("bundle", "the body must be the run bundle, a zip archive");
    }
    DistRun run =
        coordinator.create(
            new Coordinator.Request(name, agents, runFile, bundle, ready, lead, onLoss, loss));
    ctx.status(201).json(json(run));
  }

  private void registerAgent(Context ctx, JsonBody b) {
    String name = b.text("name", 256);
    String version = b.optText("version", 64, "unknown");
    int cores = (int) b.optInteger("cores", 0, 0, 1_000_000);
    long heap = b.optInteger("maxHeap", 0, 0, Long.MAX_VALUE);
    Integer index = b.has("index") ? (int) b.integer("index", 0, 9_999) : null;
    String attempt = b.text("attempt", 128);
    String id =
        coordinator.register(
            new Coordinator.Registration(name, version, cores, heap, index, attempt));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("serverMs", clock.millis());
    ctx.status(201).json(m);
  }

  private void snapshots(Context ctx) {
    String id = ctx.pathParam("id");
    coordinator.run(id); // 404 for an unknown run
    long after = number(ctx, "after", 0L, 0, Long.MAX_VALUE);
    List<Map<String, Object>> rows =
        db.read(
            hd ->
                hd.createQuery(
                        "SELECT AGENT, SEQ, PHASE, START_MS, END_MS, ORDINAL, ACTIVE_USERS,"
                            + " LATE_STARTS, TESTS, SCENARIOS FROM RUN_SNAPSHOTS WHERE RUN_ID = :r"
                            + " AND ORDINAL"
                            + " > :after ORDER BY ORDINAL LIMIT 2000")
                    .bind("r", id)
                    .bind("after", after)
                    .map(
                        (rs, c) -> {
                          Map<String, Object> m = new LinkedHashMap<>();
                          m.put("agent", rs.getString("AGENT"));
                          m.put("seq", rs.getLong("SEQ"));
                          m.put("phase", rs.getString("PHASE"));
                          m.put("startMs", rs.getLong("START_MS"));
                          m.put("endMs", rs.getLong("END_MS"));
                          m.put("ordinal", rs.getLong("ORDINAL"));
                          int users = rs.getInt("ACTIVE_USERS");
                          m.put("activeUsers", rs.wasNull() ? null : users);
                          long late = rs.getLong("LATE_STARTS");
                          m.put("lateStarts", rs.wasNull() ? null : late);
                          // As stored: JSON this server checked before it stored it, so it
                          // goes out as it is, not read into a tree and written out again.
                          m.put("tests", new RawValue(rs.getString("TESTS")));
                          String scenarios = rs.getString("SCENARIOS");
                          if (scenarios != null) {
                            m.put("scenarios", new RawValue(scenarios));
                          }
                          return m;
                        })
                    .list());
    JsonAnswer.send(ctx, mapper, Map.of("snapshots", rows));
  }

  private JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException("a stored snapshot is not JSON", e);
    }
  }

  private Map<String, Object> json(DistRun r) {
    return json(r, null);
  }

  /** The run, with every member or only {@code onlyAgent}'s when it is not null. */
  private Map<String, Object> json(DistRun r, String onlyAgent) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("name", r.name());
    m.put("agents", r.agents());
    m.put("status", r.status());
    m.put("runFile", r.runFile());
    m.put("bundleSha256", r.bundleSha256());
    m.put("bundleBytes", r.bundleBytes());
    m.put("createdMs", r.createdMs());
    m.put("readyDeadlineMs", r.readyDeadlineMs());
    m.put("leadMs", r.leadMs());
    m.put("startMs", r.startMs());
    m.put("onAgentLoss", r.onAgentLoss());
    m.put("lossTimeoutMs", r.lossTimeoutMs());
    m.put("reason", r.reason());
    m.put("serverMs", clock.millis());
    m.put(
        "members",
        r.members().stream()
            .filter(a -> onlyAgent == null || a.agentId().equals(onlyAgent))
            .map(this::json)
            .toList());
    return m;
  }

  private Map<String, Object> json(DistRun.Member a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("agentId", a.agentId());
    m.put("index", a.index());
    m.put("name", a.name());
    m.put("attempt", a.attempt());
    m.put("version", a.version());
    m.put("cores", a.cores());
    m.put("maxHeap", a.maxHeap());
    m.put("status", a.status());
    m.put("reportAs", a.reportAs());
    m.put("registeredMs", a.registeredMs());
    m.put("lastSeenMs", a.lastSeenMs());
    m.put("clockOffsetMs", a.clockOffsetMs());
    m.put("clockRttMs", a.clockRttMs());
    m.put("reason", a.reason());
    m.put("total", a.total() == null ? null : parse(a.total()));
    return m;
  }

  private static String required(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isBlank()) {
      throw ApiError.badRequest(name, "the query parameter '" + name + "' is required");
    }
    return v;
  }

  private static long number(Context ctx, String name, Long dflt, long min, long max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      if (dflt == null) {
        throw ApiError.badRequest(name, "the query parameter '" + name + "' is required");
      }
      return dflt;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest(
        name, "'" + name + "' must be an integer from " + min + " to " + max + ", got '" + v + "'");
  }
}
