package dev.grindstone.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.latency.Histograms;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a real server fed through its API with fixed figures. */
class MetricsEndpointTest {

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock();
  private final HttpClient http = HttpClient.newHttpClient();
  private MetricsServer server;

  /** A clock the test moves; the server reads it for the grace period. */
  static final class MutableClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @BeforeEach
  void start() {
    server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("m.db"))
            .clock(clock)
            .metricsGrace(Duration.ofMinutes(5))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder r) throws Exception {
    return http.send(
        r.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void post(String path, String body) throws Exception {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(server.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(r.statusCode()).as(path + ": " + r.body()).isBetween(200, 201);
  }

  /** What Prometheus 2.42 sends without native histograms. */
  private static final String PROMETHEUS_ACCEPT =
      "application/openmetrics-text;version=1.0.0,"
          + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  private HttpResponse<String> scrape(String accept) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.url() + "/metrics"));
    r.header("Accept", accept);
    HttpResponse<String> response = send(r);
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  private static String histogram(long... micros) {
    Histogram h = Histograms.newHistogram();
    for (long v : micros) {
      h.recordValue(v);
    }
    return Histograms.encode(h);
  }

  private static String test(int number, long errors, long cancelled, long... micros) {
    long sum = Arrays.stream(micros).sum();
    return "{\"number\":"
        + number
        + ",\"statistics\":{\"errors\":"
        + errors
        + ",\"untimedTests\":0"
        + (cancelled > 0 ? ",\"cancelledTests\":" + cancelled : "")
        + ",\"timedTests\":{\"count\":"
        + micros.length
        + ",\"sum\":"
        + sum
        + ",\"variance\":0}},"
        + "\"histogram\":\""
        + histogram(micros)
        + "\"}";
  }

  /** Two agents, two tests, a re-post; three LiveCheck reports. */
  private void feed() throws Exception {
    post(
        "/api/v1/runs",
        "{\"id\":\"checkout-1\",\"name\":\"checkout\",\"agent\":\"host-1\",\"tests\":[{\"number\":1,\"description\":\"Log"
            + " in\"},{\"number\":2,\"description\":\"Buy\"}],\"startMs\":1700000000000}");
    String first =
        "{\"agent\":\"host-1\",\"seq\":0,\"phase\":\"hold\",\"startMs\":1700000000000,"
            + "\"endMs\":1700000001000,\"activeUsers\":10,\"lateStarts\":2,\"tests\":["
            + test(1, 1, 0, 80, 950, 1_200)
            + ","
            + test(2, 0, 0, 20_000)
            + "]}";
    post("/api/v1/runs/checkout-1/snapshots", first);
    post("/api/v1/runs/checkout-1/snapshots", first); // a re-post counts once
    post(
        "/api/v1/runs/checkout-1/snapshots",
        "{\"agent\":\"host-1\",\"seq\":1,\"phase\":\"hold\","
            + "\"startMs\":1700000001000,\"endMs\":1700000002000,\"activeUsers\":12,\"lateStarts\":1,\"tests\":["
            + test(1, 0, 1, 3_000_000)
            + "]}");
    post(
        "/api/v1/runs/checkout-1/snapshots",
        "{\"agent\":\"host-2\",\"seq\":0,\"phase\":\"hold\","
            + "\"startMs\":1700000000000,\"endMs\":1700000001000,\"activeUsers\":5,\"tests\":["
            + test(3, 0, 0, 150)
            + "]}");
    post(
        "/api/livecheck/reports",
        "[{\"app\":\"orders\",\"case\":\"orders.place\",\"state\":\"PASS\","
            + "\"test_id\":\"t1\",\"timestamp\":1700000000.5,\"runtime\":0.25,\"signal_latency\":{\"shipped\":0.05},"
            + "\"consecutive_failures\":0,\"total_failures\":3},"
            + "{\"app\":\"orders\",\"case\":\"orders.place\",\"state\":\"FAIL\",\"test_id\":\"t2\","
            + "\"timestamp\":1700000001.5,\"runtime\":1.5,\"signal_latency\":{\"shipped\":0.5},"
            + "\"consecutive_failures\":1,\"total_failures\":4},"
            + "{\"app\":\"orders\",\"case\":\"orders.refund\",\"state\":\"STALL\",\"test_id\":null,"
            + "\"timestamp\":1700000002,\"consecutive_failures\":0,\"total_failures\":0,\"suite_failed\":false}]");
  }

  /** The body without the server's own families (their figures are timings). */
  private static String withoutServerFamilies(String body) {
    return Arrays.stream(body.split("\n", -1))
        .filter(l -> !l.contains("grindstone_server_"))
        .collect(Collectors.joining("\n"));
  }

  @Test
  void the_text_format_carries_runs_livecheck_cases_and_the_server() throws Exception {
    feed();
    HttpResponse<String> r = scrape("text/plain");

    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertGolden(withoutServerFamilies(r.body()), "metrics.txt");
    assertThat(r.body())
        .contains("grindstone_server_ingested_total{kind=\"run_snapshot\"} 3.0")
        .contains("grindstone_server_ingested_total{kind=\"livecheck_report\"} 3.0")
        .contains(
            "grindstone_server_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/runs/{id}/snapshots\",status=\"201\"}"
                + " 4");
  }

  @Test
  void openmetrics_is_answered_to_a_scraper_that_asks_for_it() throws Exception {
    feed();
    HttpResponse<String> r = scrape(PROMETHEUS_ACCEPT);

    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertGolden(withoutServerFamilies(r.body()), "metrics-openmetrics.txt");
    assertThat(r.body()).endsWith("# EOF\n");
  }

  @Test
  void a_scraper_asking_for_protobuf_gets_the_text_format() throws Exception {
    HttpResponse<String> r =
        scrape(
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                + "encoding=delimited;q=0.6,text/plain;version=0.0.4;q=0.3");
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void without_a_prometheus_format_in_accept_the_path_is_pytest_monitors_list_of_metrics()
      throws Exception {
    for (String accept : new String[] {"*/*", "application/json"}) {
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(URI.create(server.url() + "/metrics/"))
                  .header("Accept", accept));
      assertThat(r.statusCode()).as(accept).isIn(200, 204);
      assertThat(r.body()).as(accept).doesNotContain("# TYPE");
    }
    HttpResponse<String> none =
        send(
            HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/metrics"))
                .header("Accept", "text/plain"));
    assertThat(none.body()).as("/api/v1/metrics stays pytest-monitor's").doesNotContain("# TYPE");
  }

  @Test
  void a_finished_run_stays_for_the_grace_period_then_leaves() throws Exception {
    feed();
    post("/api/v1/runs/checkout-1/finish", "{\"agent\":\"host-1\",\"endMs\":1700000002000}");
    post("/api/v1/runs/checkout-1/finish", "{\"agent\":\"host-2\",\"endMs\":1700000001000}");
    assertThat(scrape("text/plain").body())
        .as("its final figures are seen")
        .contains("run_id=\"checkout-1\"");

    clock.now = clock.now.plus(Duration.ofMinutes(5));
    assertThat(scrape("text/plain").body()).contains("run_id=\"checkout-1\"");
    clock.now = clock.now.plusMillis(1);
    assertThat(scrape("text/plain").body())
        .doesNotContain("checkout-1")
        .contains("grindstone_livecheck_case_state");
  }

  @Test
  void a_run_that_goes_quiet_without_finishing_leaves_after_the_idle_time() throws Exception {
    feed();
    clock.now = clock.now.plus(LiveMetrics.IDLE);
    assertThat(scrape("text/plain").body()).contains("checkout-1");
    clock.now = clock.now.plusMillis(1);
    assertThat(scrape("text/plain").body()).doesNotContain("checkout-1");
  }

  /**
   * Run with {@code -Dgolden.update=true} to rewrite the file after an intended change; review the
   * diff.
   */
  static void assertGolden(String actual, String name) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden", name), actual);
    }
    try (InputStream in = MetricsEndpointTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
