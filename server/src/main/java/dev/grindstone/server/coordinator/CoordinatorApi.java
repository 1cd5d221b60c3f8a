package dev.grindstone.server.coordinator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.store.Jdbc;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.BodyReader;
import dev.grindstone.server.web.JsonAnswer;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.Routes;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
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
          Map<String, Object> more = new LinkedHashMap<>();
          // The spans indexes did not cover between an attempt and its replacement.
          more.put("gaps", coordinator.gaps(run.id()));
          // What replaced attempts reserved of their queue feeders and may have left unused.
          more.put("skipped", reservations.skipped(run.id()));
          JsonAnswer.send(
              ctx,
              mapper,
              new RunJson(
                  run,
                  null,
                  clock.millis(),
                  this::parse,
                  // The clock's measures during the run, with each agent's first offset (not in
                  // polls).
                  coordinator.clockSamples(run.id()),
                  more));
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
                Jdbc.list(
                    hd,
                    "SELECT AGENT, SEQ, PHASE, START_MS, END_MS, ORDINAL, ACTIVE_USERS,"
                        + " LATE_STARTS, TESTS, SCENARIOS FROM RUN_SNAPSHOTS WHERE RUN_ID = ? AND"
                        + " ORDINAL > ? ORDER BY ORDINAL LIMIT 2000",
                    ps -> {
                      ps.setString(1, id);
                      ps.setLong(2, after);
                    },
                    rs -> {
                      Map<String, Object> m = new LinkedHashMap<>();
                      m.put("agent", rs.getString("AGENT"));
                      m.put("seq", rs.getLong("SEQ"));
                      m.put("phase", rs.getString("PHASE"));
                      m.put("startMs", rs.getLong("START_MS"));
                      m.put("endMs", rs.getLong("END_MS"));
                      m.put("ordinal", rs.getLong("ORDINAL"));
                      m.put("activeUsers", Jdbc.nullableInt(rs, "ACTIVE_USERS"));
                      m.put("lateStarts", Jdbc.nullableLong(rs, "LATE_STARTS"));
                      // As stored: JSON this server checked before it stored it, so it goes out
                      // as it is, not read into a tree and written out again.
                      m.put("tests", JsonAnswer.raw(rs.getString("TESTS")));
                      String scenarios = rs.getString("SCENARIOS");
                      if (scenarios != null) {
                        m.put("scenarios", JsonAnswer.raw(scenarios));
                      }
                      return m;
                    }));
    JsonAnswer.send(ctx, mapper, Map.of("snapshots", rows));
  }

  private JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException("a stored total is not JSON", e);
    }
  }

  private RunJson json(DistRun r) {
    return json(r, null);
  }

  /** The run, with every member or only {@code onlyAgent}'s when it is not null. */
  private RunJson json(DistRun r, String onlyAgent) {
    return new RunJson(r, onlyAgent, clock.millis(), this::parse, null, Map.of());
  }

  /**
   * A run as JSON, written field by field as it is answered rather than built as maps first: a
   * poll's answer, which a snapshot's answer carries, holds one and goes out a hundred times a
   * second with a hundred agents, and a controller reads the whole run four times a second.
   *
   * @param onlyAgent the one member to give, or null for all
   * @param serverMs the server's clock when the answer was made
   * @param parse reads a member's stored total
   * @param clockSamples each member's clock samples by agent id, or null to leave them out
   * @param more fields after the run's own
   */
  private record RunJson(
      DistRun run,
      String onlyAgent,
      long serverMs,
      Function<String, JsonNode> parse,
      Map<String, List<Coordinator.ClockSample>> clockSamples,
      Map<String, Object> more)
      implements JsonSerializable {
    // Field names encoded once, as Jackson's own serializers keep them.
    private static final SerializableString ID = name("id");
    private static final SerializableString NAME = name("name");
    private static final SerializableString AGENTS = name("agents");
    private static final SerializableString STATUS = name("status");
    private static final SerializableString RUN_FILE = name("runFile");
    private static final SerializableString BUNDLE_SHA256 = name("bundleSha256");
    private static final SerializableString BUNDLE_BYTES = name("bundleBytes");
    private static final SerializableString CREATED_MS = name("createdMs");
    private static final SerializableString READY_DEADLINE_MS = name("readyDeadlineMs");
    private static final SerializableString LEAD_MS = name("leadMs");
    private static final SerializableString START_MS = name("startMs");
    private static final SerializableString ON_AGENT_LOSS = name("onAgentLoss");
    private static final SerializableString LOSS_TIMEOUT_MS = name("lossTimeoutMs");
    private static final SerializableString REASON = name("reason");
    private static final SerializableString SERVER_MS = name("serverMs");
    private static final SerializableString MEMBERS = name("members");
    private static final SerializableString AGENT_ID = name("agentId");
    private static final SerializableString INDEX = name("index");
    private static final SerializableString ATTEMPT = name("attempt");
    private static final SerializableString VERSION = name("version");
    private static final SerializableString CORES = name("cores");
    private static final SerializableString MAX_HEAP = name("maxHeap");
    private static final SerializableString REPORT_AS = name("reportAs");
    private static final SerializableString REGISTERED_MS = name("registeredMs");
    private static final SerializableString LAST_SEEN_MS = name("lastSeenMs");
    private static final SerializableString CLOCK_OFFSET_MS = name("clockOffsetMs");
    private static final SerializableString CLOCK_RTT_MS = name("clockRttMs");
    private static final SerializableString TOTAL = name("total");
    private static final SerializableString CLOCK_SAMPLES = name("clockSamples");

    private static SerializableString name(String name) {
      SerializedString s = new SerializedString(name);
      s.asQuotedUTF8(); // encoded now, not by the first answer
      return s;
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      DistRun r = run;
      g.writeStartObject();
      field(g, ID, r.id());
      field(g, NAME, r.name());
      field(g, AGENTS, r.agents());
      field(g, STATUS, r.status());
      field(g, RUN_FILE, r.runFile());
      field(g, BUNDLE_SHA256, r.bundleSha256());
      field(g, BUNDLE_BYTES, r.bundleBytes());
      field(g, CREATED_MS, r.createdMs());
      field(g, READY_DEADLINE_MS, r.readyDeadlineMs());
      field(g, LEAD_MS, r.leadMs());
      field(g, START_MS, r.startMs());
      field(g, ON_AGENT_LOSS, r.onAgentLoss());
      field(g, LOSS_TIMEOUT_MS, r.lossTimeoutMs());
      field(g, REASON, r.reason());
      field(g, SERVER_MS, serverMs);
      g.writeFieldName(MEMBERS);
      g.writeStartArray();
      for (DistRun.Member a : r.members()) {
        if (onlyAgent == null || a.agentId().equals(onlyAgent)) {
          member(g, provider, a);
        }
      }
      g.writeEndArray();
      for (Map.Entry<String, Object> e : more.entrySet()) {
        provider.defaultSerializeField(e.getKey(), e.getValue(), g);
      }
      g.writeEndObject();
    }

    private void member(JsonGenerator g, SerializerProvider provider, DistRun.Member a)
        throws IOException {
      g.writeStartObject();
      field(g, AGENT_ID, a.agentId());
      field(g, INDEX, a.index());
      field(g, NAME, a.name());
      field(g, ATTEMPT, a.attempt());
      field(g, VERSION, a.version());
      field(g, CORES, a.cores());
      field(g, MAX_HEAP, a.maxHeap());
      field(g, STATUS, a.status());
      field(g, REPORT_AS, a.reportAs());
      field(g, REGISTERED_MS, a.registeredMs());
      field(g, LAST_SEEN_MS, a.lastSeenMs());
      field(g, CLOCK_OFFSET_MS, a.clockOffsetMs());
      field(g, CLOCK_RTT_MS, a.clockRttMs());
      field(g, REASON, a.reason());
      g.writeFieldName(TOTAL);
      g.writeTree(a.total() == null ? null : parse.apply(a.total()));
      if (clockSamples != null) {
        g.writeFieldName(CLOCK_SAMPLES);
        provider.defaultSerializeValue(clockSamples.getOrDefault(a.agentId(), List.of()), g);
      }
      g.writeEndObject();
    }

    private static void field(JsonGenerator g, SerializableString name, String value)
        throws IOException {
      g.writeFieldName(name);
      g.writeString(value); // null as null
    }

    private static void field(JsonGenerator g, SerializableString name, long value)
        throws IOException {
      g.writeFieldName(name);
      g.writeNumber(value);
    }

    /** A Long or a Double that may be null. */
    private static void field(JsonGenerator g, SerializableString name, Number value)
        throws IOException {
      g.writeFieldName(name);
      switch (value) {
        case null -> g.writeNull();
        case Double d -> g.writeNumber(d);
        default -> g.writeNumber(value.longValue());
      }
    }

    @Override
    public void serializeWithType(
        JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer) throws IOException {
      serialize(g, provider);
    }
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
