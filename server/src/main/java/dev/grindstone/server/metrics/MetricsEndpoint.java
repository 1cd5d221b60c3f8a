package dev.grindstone.server.metrics;

import dev.grindstone.stats.latency.LatencyBuckets;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper asks for it in
 * {@code Accept} (see {@link #register}); {@link LiveMetrics} plus the server's own figures, {@code
 * grindstone_server_ingested_total} ({@code kind} run_snapshot or livecheck_report) and {@code
 * grindstone_server_request_duration_seconds} ({@code method}, {@code route} as registered, with
 * placeholders such as {@code {id}} and {@code {token}}, and {@code status}). Event streams are not
 * timed (they last as long as their subscriber). Thread-safe.
 */
public final class MetricsEndpoint {

  private static final String ROUTE = MetricsEndpoint.class.getName() + ".route";

  private final LiveMetrics live;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Counter ingested;
  private final Histogram requests;

  private volatile Function<String, Optional<LiveMetrics.RunView>> runs = id -> Optional.empty();

  /**
   * @param grace how long a finished run stays (see {@link LiveMetrics})
   */
  public MetricsEndpoint(Clock clock, Duration grace) {
    this.live = new LiveMetrics(clock, grace, id -> runs.apply(id));
    registry.register(live);
    ingested =
        Counter.builder()
            .name("grindstone_server_ingested")
            .help(
                "What this server stored: run snapshots (re-posts not counted) and LiveCheck"
                    + " reports.")
            .labelNames("kind")
            .register(registry);
    double[] bounds = new double[LatencyBuckets.count() - 1];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = LatencyBuckets.upperBoundSeconds(i);
    }
    requests =
        Histogram.builder()
            .name("grindstone_server_request_duration_seconds")
            .help("How long the server took to answer, by method, route and status.")
            .unit(Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(bounds)
            .labelNames("method", "route", "status")
            .register(registry);
  }

  /** Where run names, states and test descriptions are read (the runs API, made after this). */
  public void readRunsFrom(Function<String, Optional<LiveMetrics.RunView>> runs) {
    this.runs = runs;
  }

  /** A run snapshot was stored (not a re-post). */
  public void snapshotStored(
      String runId,
      String agent,
      java.util.List<LiveMetrics.TestFigures> tests,
      Integer activeUsers,
      Long lateStarts) {
    snapshotStored(runId, agent, tests, activeUsers, lateStarts, java.util.List.of());
  }

  /** A run snapshot was stored (not a re-post), with each scenario's figures in it. */
  public void snapshotStored(
      String runId,
      String agent,
      java.util.List<LiveMetrics.TestFigures> tests,
      Integer activeUsers,
      Long lateStarts,
      java.util.List<LiveMetrics.ScenarioFigures> scenarios) {
    live.snapshotStored(runId, agent, tests, activeUsers, lateStarts, scenarios);
    ingested.labelValues("run_snapshot").inc();
  }

  /** LiveCheck reports were stored. */
  public void reportsStored(java.util.List<LiveMetrics.CaseReport> reports) {
    reports.forEach(live::caseReported);
    if (!reports.isEmpty()) {
      ingested.labelValues("livecheck_report").inc(reports.size());
    }
  }

  /**
   * Serves scrapes at {@code GET /metrics} and times every request: register this before the other
   * handlers. The path is also pytest-monitor's list of metrics (JSON), so a request is a scrape
   * when its {@code Accept} names a Prometheus format, {@code text/plain} or {@code
   * application/openmetrics-text}, as every Prometheus scraper's does; other requests (JSON, {@code
   * *}{@code /*}, none) go on to pytest-monitor's route.
   */
  public void register(RoutesConfig routes) {
    routes.before(ctx -> ctx.attribute(MetricsEndpoint.class.getName(), System.nanoTime()));
    routes.before(
        "/metrics",
        ctx -> {
          String accept = ctx.header("Accept");
          if (ctx.method() == io.javalin.http.HandlerType.GET
              && accept != null
              && (accept.contains("text/plain")
                  || accept.contains("application/openmetrics-text"))) {
            scrape(ctx);
            ctx.attribute(ROUTE, "/metrics");
            ctx.skipRemainingHandlers();
          }
        });
    routes.after(
        ctx -> {
          Long start = ctx.attribute(MetricsEndpoint.class.getName());
          io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
          String route =
              ctx.attribute(ROUTE) != null
                  ? ctx.attribute(ROUTE)
                  : matched == null ? "unmatched" : matched.path;
          if (start == null || route.endsWith("/events")) {
            return;
          }
          requests
              .labelValues(ctx.method().name(), route, Integer.toString(ctx.statusCode()))
              .observe((System.nanoTime() - start) / 1e9);
        });
  }

  private void scrape(Context ctx) throws IOException {
    ExpositionFormatWriter writer = formats.findWriter(ctx.header("Accept"));
    if (!writer.isAvailable()) {
      writer =
          formats.getPrometheusTextFormatWriter(); // the protobuf format is not on the class path
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
    writer.write(body, registry.scrape());
    ctx.contentType(writer.getContentType()).result(body.toByteArray());
  }
}
