package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.prometheus.testing.PrometheusProcess;
import dev.grindstone.server.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scrapes a real metrics server while a run reports to it; what Prometheus then
 * answers equals the run's own totals, and every query of the Grafana dashboard in {@code
 * deploy/grafana/} names only series the server exports and returns data.
 */
class PrometheusScrapeTest {

  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "grindstone.json");
  private static final Pattern SERIES = Pattern.compile("\\bgrindstone_[a-z0-9_]+");

  @TempDir Path dir;

  private static HttpResponse<String> send(HttpRequest.Builder r) throws Exception {
    return HttpClient.newHttpClient()
        .send(r.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Every query of the dashboard, its variables filled in as Grafana would. */
  static List<String> dashboardQueries() throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText());
      }
    }
    return out;
  }

  @Test
  void every_dashboard_query_names_only_series_the_server_exports() throws Exception {
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("m.db")).start()) {
      feedLiveCheck(server);
      CliRunner.Result r =
          CliRunner.run(
              "run",
              IdleScenario.class.getName(),
              "--users",
              "1",
              "--duration",
              "500ms",
              "--out",
              dir.resolve("out").toString(),
              "--report-to",
              server.url());
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      Set<String> exported = new TreeSet<>();
      String body =
          send(HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                  .header("Accept", "text/plain"))
              .body();
      for (String line : body.split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          exported.add(line.replaceFirst("[{ ].*", ""));
        }
      }
      List<String> queries = dashboardQueries();
      assertThat(queries).hasSizeGreaterThanOrEqualTo(8);
      for (String q : queries) {
        Matcher m = SERIES.matcher(q);
        assertThat(m.find()).as("a series in %s", q).isTrue();
        do {
          assertThat(exported).as("series of the query %s", q).contains(m.group());
        } while (m.find());
      }
    }
  }

  private static void feedLiveCheck(MetricsServer server) throws Exception {
    HttpResponse<String> posted =
        send(
            HttpRequest.newBuilder(URI.create(server.url() + "/api/livecheck/reports"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"app\":\"orders\",\"case\":\"orders.place\",\"state\":\"PASS\","
                            + "\"test_id\":\"t1\",\"timestamp\":1700000000.5,\"runtime\":0.25,\"signal_latency\":{\"shipped\":0.05},"
                            + "\"consecutive_failures\":0,\"total_failures\":0}")));
    assertThat(posted.statusCode()).isEqualTo(201);
  }

  @Test
  void
      prometheus_scraping_the_server_during_a_run_answers_the_runs_own_totals_and_the_dashboards_queries()
          throws Exception {
    assumeTrue(PrometheusProcess.binary().isPresent(), PrometheusProcess.MISSING);
    try (MetricsServer server =
            MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("m.db")).start();
        PrometheusProcess prometheus =
            PrometheusProcess.builder()
                .scrape(URI.create(server.url()).getAuthority())
                .scrapeInterval(Duration.ofMillis(200))
                .start()) {
      feedLiveCheck(server);
      CliRunner.Result r =
          CliRunner.run(
              "run",
              IdleScenario.class.getName(),
              "--users",
              "3",
              "--duration",
              "2s",
              "--period",
              "250ms",
              "--out",
              dir.resolve("out").toString(),
              "--report-to",
              server.url());
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();

      Path results;
      try (Stream<Path> s = Files.list(dir.resolve("out"))) {
        results = s.filter(Files::isDirectory).findFirst().orElseThrow();
      }
      JsonNode local = new ObjectMapper().readTree(results.resolve("results.json").toFile());
      long tests = local.at("/totals/tests").asLong();
      long errors = local.at("/totals/errors").asLong();
      String runId =
          new ObjectMapper()
              .readTree(
                  send(HttpRequest.newBuilder(URI.create(server.url() + "/api/v1/runs"))).body())
              .at("/runs/0/id")
              .asText();
      String calls =
          "sum(grindstone_calls_total{job=\"grindstone\",run_id=\"" + runId + "\",outcome=\"%s\"})";

      // The finished run stays on /metrics for the grace period: the next scrapes carry its totals.
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      double scraped = Double.NaN;
      while (System.nanoTime() < deadline && scraped != tests) {
        scraped = prometheus.scalar(String.format(calls, "success"), Double.NaN);
        Thread.sleep(100);
      }
      assertThat(scraped)
          .as("calls in Prometheus; targets: %s", prometheus.targets())
          .isEqualTo((double) tests)
          .isPositive();
      assertThat(prometheus.scalar(String.format(calls, "error"), Double.NaN))
          .isEqualTo((double) errors);
      assertThat(
              prometheus.scalar(
                  "sum(grindstone_call_duration_seconds_count{run_id=\"" + runId + "\"})",
                  Double.NaN))
          .isEqualTo((double) tests);
      assertThat(
              prometheus.scalar(
                  "grindstone_livecheck_case_state{app=\"orders\",state=\"PASS\"}", Double.NaN))
          .isEqualTo(1.0);

      for (String q : dashboardQueries()) {
        String filled =
            q.replace("$__rate_interval", "1m").replace("$run_id", runId).replace("$app", ".*");
        // A rate needs two scrapes of a series; the finished run stays on /metrics, so later
        // scrapes come.
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        var answer = prometheus.query(filled, Double.NaN);
        while (answer.isEmpty() && System.nanoTime() < until) {
          Thread.sleep(200);
          answer = prometheus.query(filled, Double.NaN);
        }
        assertThat(answer).as("dashboard query %s", filled).isNotEmpty();
      }
    }
  }
}
