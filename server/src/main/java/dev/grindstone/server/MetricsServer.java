package dev.grindstone.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.coordinator.Coordinator;
import dev.grindstone.server.coordinator.CoordinatorApi;
import dev.grindstone.server.livecheck.LiveCheckApi;
import dev.grindstone.server.livecheck.LiveCheckStore;
import dev.grindstone.server.metrics.LiveMetrics;
import dev.grindstone.server.metrics.MetricsEndpoint;
import dev.grindstone.server.pytestmonitor.PytestMonitorApi;
import dev.grindstone.server.pytestmonitor.PytestMonitorStore;
import dev.grindstone.server.runs.RunEvents;
import dev.grindstone.server.runs.RunStore;
import dev.grindstone.server.runs.RunsApi;
import dev.grindstone.server.store.Database;
import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.BodyReader;
import dev.grindstone.server.web.JsonBody;
import dev.grindstone.server.web.JsonErrorHandler;
import dev.grindstone.server.web.Routes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Grindstone metrics server: pytest-monitor's remote-server protocol and query routes, the
 * load-test runs API, LiveCheck reports and the web dashboard, over SQLite or PostgreSQL.
 *
 * <pre>{@code
 * try (MetricsServer s = MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:x.db").start()) {
 *   System.out.println(s.url());
 * }
 * }</pre>
 *
 * <p>Bound to loopback by default. Bound to any other address it requires a write token: every
 * write must carry {@code Authorization: Bearer <token>} or use the path prefix {@code /t/<token>}
 * (for clients that cannot send headers). Thread-safe; {@link #close()} stops it.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  /** The default store: an SQLite file in the working folder. */
  public static final String DEFAULT_JDBC_URL = "jdbc:sqlite:grindstone.db";

  /** The default limit of a request body: 1 MiB. */
  public static final int DEFAULT_BODY_LIMIT = 1 << 20;

  private final Javalin app;
  private final Database db;
  private final String url;
  private final LiveCheckApi livecheck;

  private MetricsServer(Javalin app, Database db, String url, LiveCheckApi livecheck) {
    this.app = app;
    this.db = db;
    this.url = url;
    this.livecheck = livecheck;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    return url;
  }

  public Database database() {
    return db;
  }

  /**
   * Stores LiveCheck reports that arrive other than through HTTP, such as those read from a Kafka
   * report topic: each a JSON object as {@code POST /api/v1/livecheck/reports} takes. A report
   * whose app and test id are already stored is skipped (a topic may deliver one twice); an invalid
   * one is skipped and logged. Thread-safe.
   */
  public LiveCheckApi.Ingested ingestLiveCheckReports(java.util.List<String> jsonReports) {
    return livecheck.ingest(
        jsonReports,
        (json, why) ->
            LOG.warn(
                "LiveCheck report skipped: {}: {}",
                why,
                json.length() > 500 ? json.substring(0, 500) + "…" : json));
  }

  @Override
  public void close() {
    try {
      app.stop();
    } finally {
      db.close();
    }
  }

  /** Configuration, validated by {@link #start()}. Not thread-safe. */
  public static final class Builder {
    private int port = 8080;
    private String bind = "127.0.0.1";
    private String jdbcUrl = DEFAULT_JDBC_URL;
    private int bodyLimit = DEFAULT_BODY_LIMIT;
    private int bundleLimit = CoordinatorApi.DEFAULT_BUNDLE_LIMIT;
    private String token;
    private Clock clock = Clock.systemUTC();
    private Duration metricsGrace = Duration.ofMinutes(5);

    private Builder() {}

    /** TCP port, 0 for any free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Address to bind; 127.0.0.1 by default. */
    public Builder bind(String bind) {
      this.bind = bind;
      return this;
    }

    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /** Largest accepted request body in bytes; larger ones get 413. */
    public Builder bodyLimit(int bytes) {
      this.bodyLimit = bytes;
      return this;
    }

    /**
     * Largest accepted run bundle of a distributed run, in bytes (16 MiB by default); larger ones
     * get 413.
     */
    public Builder bundleLimit(int bytes) {
      this.bundleLimit = bytes;
      return this;
    }

    /** Write token; required when bound beyond loopback, optional otherwise. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long a finished run stays on {@code /metrics} (5 minutes by default): long enough for a
     * scrape to see its final figures.
     */
    public Builder metricsGrace(Duration grace) {
      this.metricsGrace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    /** Validates the configuration, opens and migrates the store, and starts listening. */
    public MetricsServer start() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: must be between 0 and 65535, got " + port);
      }
      if (bodyLimit < 1024) {
        throw new IllegalArgumentException(
            "bodyLimit: must be at least 1024 bytes, got " + bodyLimit);
      }
      if (bundleLimit < 1024) {
        throw new IllegalArgumentException(
            "bundleLimit: must be at least 1024 bytes, got " + bundleLimit);
      }
      if (metricsGrace.isNegative()) {
        throw new IllegalArgumentException("metricsGrace: must be 0 or more, got " + metricsGrace);
      }
      if (bind == null || bind.isBlank()) {
        throw new IllegalArgumentException("bind: an address is required, e.g. 127.0.0.1");
      }
      boolean loopback;
      try {
        loopback = InetAddress.getByName(bind).isLoopbackAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("bind: cannot resolve '" + bind + "'");
      }
      if (token != null && (token.isBlank() || !token.matches("[A-Za-z0-9._~-]{8,256}"))) {
        throw new IllegalArgumentException(
            "token: must be 8-256 characters of letters, digits, '.', '_', '~' or '-' (it travels"
                + " in URLs)");
      }
      if (!loopback && token == null) {
        throw new IllegalArgumentException(
            "token: required when bound to '"
                + bind
                + "' (not loopback); writes must be authorized");
      }
      long t0 = System.nanoTime();
      Database db = Database.open(jdbcUrl);
      try {
        return launch(db, loopback, t0);
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
    }

    private MetricsServer launch(Database db, boolean loopback, long t0) {
      ObjectMapper mapper = JsonBody.newMapper();
      RunEvents events = new RunEvents();
      PytestMonitorStore pytestStore = new PytestMonitorStore(db, mapper);
      RunStore runStore = new RunStore(db, mapper);
      LiveCheckStore liveCheckStore = new LiveCheckStore(db, mapper);
      MetricsEndpoint metrics = new MetricsEndpoint(clock, metricsGrace);
      PytestMonitorApi pytest = new PytestMonitorApi(pytestStore, mapper);
      RunsApi runs = new RunsApi(runStore, mapper, clock, events, metrics);
      CoordinatorApi coordinator =
          new CoordinatorApi(new Coordinator(db, clock), db, mapper, clock, bundleLimit);
      runs.checkReporters(coordinator::checkReporter);
      runs.answerReporters(coordinator::reported);
      metrics.readRunsFrom(id -> runView(runStore, id));
      LiveCheckApi livecheck = new LiveCheckApi(liveCheckStore, mapper, metrics);
      BodyReader body = new BodyReader(bodyLimit);
      byte[] tokenBytes = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
      Javalin app =
          Javalin.create(
              cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.concurrency.useVirtualThreads = true;
                cfg.startup.showOldJavalinVersionWarning = false;
                cfg.jetty.host = bind;
                cfg.jetty.port = port;
                // The body reader enforces the limit; Javalin's own check would answer in plain
                // text.
                cfg.http.maxRequestSize = Long.MAX_VALUE;
                // A known path with another method answers 405 with Allow, not 404.
                cfg.http.prefer405over404 = true;
                // Requests Jetty refuses itself get the same JSON error as the routes' answers.
                cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
                cfg.jetty.modifyServletContextHandler(
                    handler -> handler.setErrorHandler(new JsonErrorHandler()));
                cfg.router.javaLangErrorHandler(
                    (res, error) -> {
                      String reference = reference();
                      LOG.error(
                          "request failed with {} (reference {})",
                          error.getClass().getName(),
                          reference,
                          error);
                      writeInternalError(res, reference);
                    });
                cfg.router.ignoreTrailingSlashes = true;
                cfg.router.treatMultipleSlashesAsSingleSlash = true;
                cfg.jsonMapper(new JavalinJackson(mapper, false));
                cfg.staticFiles.enableWebjars();
                cfg.staticFiles.add(
                    sf -> {
                      sf.hostedPath = "/ui";
                      sf.directory = "/web";
                      sf.location = Location.CLASSPATH;
                    });
                metrics.register(
                    cfg.routes); // first: refused requests are timed too, scrapes need no token
                cfg.routes.before(ctx -> authorize(ctx, tokenBytes));
                cfg.routes.before(MetricsServer::refuseUnstorableParameters);
                Routes r = new Routes(cfg.routes, token != null);
                cfg.routes.get("/", ctx -> dashboard(ctx));
                cfg.routes.get("/index.html", ctx -> dashboard(ctx));
                // For probes (Kubernetes' readiness and liveness): the port opens only once the
                // store
                // is open and migrated, and this answer reads no store, so a slow database never
                // gets
                // the process restarted.
                cfg.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
                r.get(
                    "/api/v1/overview",
                    ctx -> {
                      Map<String, Object> m = new LinkedHashMap<>(pytestStore.counts());
                      m.put("runs", runStore.count());
                      m.put("livecheckReports", liveCheckStore.count());
                      ctx.json(m);
                    });
                runs.register(r, body);
                coordinator.register(r, body);
                livecheck.register(r, body);
                pytest.register(r, body);
                cfg.routes.exception(
                    ApiError.class,
                    (e, ctx) -> {
                      if (e.logged()) {
                        LOG.warn(
                            "{} rejected: {}",
                            Objects.requireNonNullElse(describe(ctx), "a request that had ended"),
                            e.getMessage());
                      }
                      error(ctx, e.status(), e.getMessage(), e.field());
                    });
                cfg.routes.exception(
                    HttpResponseException.class,
                    (e, ctx) -> {
                      String allow = e.getDetails().get("availableMethods");
                      if (e.getStatus() == 405 && allow != null) {
                        ctx.header("Allow", allow);
                      }
                      error(
                          ctx,
                          e.getStatus(),
                          e.getMessage() == null || e.getMessage().isBlank()
                              ? "no route " + ctx.method() + " " + ctx.path()
                              : e.getMessage(),
                          null);
                    });
                cfg.routes.exception(
                    Exception.class,
                    (e, ctx) -> {
                      String request = describe(ctx);
                      if (request == null) {
                        // Javalin goes on with an event stream's last steps when its client has
                        // left and Jetty has recycled the exchange; they fail on it, and there is
                        // no one to answer nor anything to store.
                        LOG.debug("a step of a request that had ended failed: {}", e.toString());
                        return;
                      }
                      String reference = reference();
                      LOG.error("{} failed (reference {})", request, reference, e);
                      try {
                        error(ctx, 500, internalError(reference), null);
                      } catch (RuntimeException gone) {
                        // The exchange is over (e.g. an event stream whose client left): only the
                        // log remains.
                      }
                    });
                cfg.routes.error(
                    404,
                    ctx -> {
                      if (ctx.result() == null
                          || ctx.result().isEmpty()
                          || !ctx.result().startsWith("{")) {
                        error(
                            ctx,
                            404,
                            "no route "
                                + ctx.method()
                                + " "
                                + ctx.path()
                                + "; see the README for the API (pytest-monitor routes at / and"
                                + " /api/v1)",
                            null);
                      }
                    });
                cfg.routes.error(
                    405,
                    ctx -> {
                      String allow = ctx.res().getHeader("Allow");
                      error(
                          ctx,
                          405,
                          "method "
                              + ctx.method()
                              + " is not allowed on "
                              + ctx.path()
                              + (allow == null ? "" : "; allowed: " + allow),
                          null);
                    });
              });
      app.start();
      String host = bind.contains(":") ? "[" + bind + "]" : bind;
      String url = "http://" + host + ":" + app.port();
      LOG.info(
          "Grindstone metrics server listening on {} (store: {}{}; started in {} ms)",
          url,
          Secrets.redact(jdbcUrl),
          loopback ? "" : ", writes need the token",
          (System.nanoTime() - t0) / 1_000_000);
      return new MetricsServer(app, db, url, livecheck);
    }
  }

  /** A run as {@code /metrics} labels it: its name, whether it finished, its test descriptions. */
  @SuppressWarnings("unchecked")
  private static java.util.Optional<LiveMetrics.RunView> runView(RunStore runs, String id) {
    Map<String, Object> summary;
    try {
      summary = runs.summary(id);
    } catch (ApiError gone) {
      return java.util.Optional.empty();
    }
    Map<Integer, String> descriptions = new java.util.TreeMap<>();
    for (Map<String, Object> t : (java.util.List<Map<String, Object>>) summary.get("tests")) {
      descriptions.put((Integer) t.get("number"), (String) t.get("description"));
    }
    return java.util.Optional.of(
        new LiveMetrics.RunView(
            (String) summary.get("name"), "finished".equals(summary.get("status")), descriptions));
  }

  private static void dashboard(Context ctx) {
    InputStream in = MetricsServer.class.getResourceAsStream("/web/index.html");
    if (in == null) {
      throw new IllegalStateException("dashboard resource /web/index.html is missing from the jar");
    }
    ctx.contentType("text/html; charset=utf-8").result(in);
  }

  private static void authorize(Context ctx, byte[] token) {
    String path = ctx.path();
    if (token == null) {
      if (path.startsWith("/t/")) {
        throw new ApiError(
            404, "no write token is configured on this server; drop the /t/<token> prefix", null);
      }
      return;
    }
    if (path.startsWith("/t/")) {
      int end = path.indexOf('/', 3);
      String given = end < 0 ? path.substring(3) : path.substring(3, end);
      if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token)) {
        throw new ApiError(401, "wrong token in the /t/<token> path prefix", "token");
      }
      return;
    }
    String method = ctx.method().name();
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      return;
    }
    String auth = ctx.header("Authorization");
    if (auth == null || !auth.startsWith("Bearer ")) {
      throw new ApiError(
          401,
          "writes need 'Authorization: Bearer <token>' or the /t/<token> path prefix",
          "token");
    }
    if (!MessageDigest.isEqual(auth.substring(7).trim().getBytes(StandardCharsets.UTF_8), token)) {
      throw new ApiError(401, "wrong token in the Authorization header", "token");
    }
  }

  /**
   * Query parameters reach the store as bound values: one with a NUL (which PostgreSQL refuses in
   * text) is answered 400 on every store, as a NUL in a body is.
   */
  private static void refuseUnstorableParameters(Context ctx) {
    String query = ctx.queryString();
    if (query == null || query.isEmpty()) {
      return; // most requests: nothing to parse
    }
    for (Map.Entry<String, java.util.List<String>> e : ctx.queryParamMap().entrySet()) {
      boolean bad = e.getKey().indexOf('\0') >= 0;
      for (String v : e.getValue()) {
        bad |= v.indexOf('\0') >= 0;
      }
      if (bad) {
        String name = e.getKey().replace('\0', '?');
        throw ApiError.badRequest(
            name, "query parameter '" + name + "' contains a NUL character (%00); remove it");
      }
    }
  }

  /**
   * "METHOD path" for a log line, the token of a /t/ path hidden; null for an exchange that has
   * ended (Jetty has recycled it), which has neither.
   */
  private static String describe(Context ctx) {
    try {
      return ctx.method() + " " + Secrets.redactPath(ctx.path());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A short random id that ties a 500 answer to its log line (which has the stack trace). */
  private static String reference() {
    return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
  }

  private static String internalError(String reference) {
    return "internal error; nothing of the request was stored; the server log has the details under"
        + " reference "
        + reference;
  }

  private static void writeInternalError(
      jakarta.servlet.http.HttpServletResponse res, String reference) {
    try {
      res.setStatus(500);
      res.setContentType("application/json");
      res.getOutputStream()
          .write(
              ("{\"error\":\"" + internalError(reference) + "\",\"field\":null}")
                  .getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException ignored) {
      // The response is already committed or the client is gone; the log has the failure.
    }
  }

  private static void error(Context ctx, int status, String message, String field) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("field", field);
    ctx.status(status).json(body);
  }
}
