package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.Run;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.table.TwoDecimals;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run, every output: the figures of summary.txt, its threshold lines, results.json, the metrics
 * server's run and {@code grindstone analyze} of the run's data.csv are the same figures, to the
 * digit.
 */
class OneRunEveryOutputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TIMES =
      List.of("min", "p50", "p90", "p95", "p99", "p999", "max");

  @TempDir static Path out;
  static Path results;
  static JsonNode document;
  static JsonNode server;

  @BeforeAll
  static void run() throws Exception {
    try (MetricsServer metrics =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl("jdbc:sqlite:" + out.resolve("metrics.db"))
            .start()) {
      CliRunner.Result r =
          CliRunner.run(
              "run",
              RunCommandTest.EXAMPLES.resolve("Hello.java").toString(),
              "--users",
              "4",
              "--duration",
              "1500ms",
              "--period",
              "500ms",
              "--out",
              out.resolve("results").toString(),
              "--threshold",
              "p99<2s",
              "--threshold",
              "test 1: p95<2s",
              "--threshold",
              "max<2s",
              "--report-to",
              metrics.url());
      assertThat(r.exitCode()).as(r.err()).isIn(0, Run.EXIT_THRESHOLDS_FAILED);
      assertThat(r.out()).contains("Reported to " + metrics.url());
      try (Stream<Path> s = Files.list(out.resolve("results"))) {
        results = s.filter(Files::isDirectory).findFirst().orElseThrow();
      }
      document = JSON.readTree(results.resolve("results.json").toFile());
      JsonNode runs = get(metrics.url() + "/api/v1/runs");
      String id = (runs.isArray() ? runs.get(0) : runs.path("runs").get(0)).path("id").asText();
      server = get(metrics.url() + "/api/v1/runs/" + id);
    }
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void the_metrics_server_shows_the_runs_own_figures_exact_min_and_max_included() {
    JsonNode tests = document.get("tests");
    JsonNode served = server.get("tests");
    for (int i = 0; i <= tests.size(); i++) {
      JsonNode run = i < tests.size() ? tests.get(i) : document.get("totals");
      JsonNode on = i < tests.size() ? find(served, run.get("test").asInt()) : server.get("totals");
      String what = i < tests.size() ? "test " + run.get("test") : "totals";
      assertThat(on.get("tests").asLong())
          .as(what)
          .isEqualTo(run.get("tests").asLong())
          .isPositive();
      assertThat(on.get("errors").asLong()).as(what).isEqualTo(run.get("errors").asLong());
      assertThat(on.get("meanMs").asDouble())
          .as(what + " mean")
          .isEqualTo(run.get("meanTestTime").asDouble());
      assertThat(TwoDecimals.format(on.get("sdMs").asDouble()))
          .as(what + " deviation")
          .isEqualTo(TwoDecimals.format(run.get("testTimeStandardDeviation").asDouble()));
      for (String key : TIMES) {
        assertThat(on.get(key + "Ms").asDouble())
            .as(what + " " + key)
            .isEqualTo(run.get(key).asDouble());
      }
    }
  }

  private static JsonNode find(JsonNode tests, int number) {
    for (JsonNode t : tests) {
      if (t.get("number").asInt() == number) {
        return t;
      }
    }
    throw new AssertionError("no test " + number + " in " + tests);
  }

  @Test
  void analyze_of_the_data_log_a_run_wrote_gives_the_runs_own_figures() throws IOException {
    CliRunner.Result r =
        CliRunner.run("analyze", "--format", "json", results.resolve("data.csv").toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode analyzed = JSON.readTree(r.out());
    JsonNode tests = document.get("tests");
    assertThat(analyzed.size()).as("each test and the totals").isEqualTo(tests.size() + 1);
    for (int i = 0; i <= tests.size(); i++) {
      JsonNode run = i < tests.size() ? tests.get(i) : document.get("totals");
      JsonNode read = analyzed.get(i);
      String what = i < tests.size() ? "test " + run.get("test") : "totals";
      assertThat(read.get("tests").asLong())
          .as(what)
          .isEqualTo(run.get("tests").asLong())
          .isPositive();
      assertThat(read.get("errors").asLong()).as(what).isEqualTo(run.get("errors").asLong());
      assertThat(read.get("meanTestTime").asDouble())
          .as(what + " mean")
          .isEqualTo(run.get("meanTestTime").asDouble());
      // The same calls' times, pooled in another order: equal to the last few bits, and as printed.
      double sd = run.get("testTimeStandardDeviation").asDouble();
      assertThat(read.get("testTimeStandardDeviation").asDouble())
          .as(what + " deviation")
          .isCloseTo(sd, within(sd * 1e-12));
      assertThat(TwoDecimals.format(read.get("testTimeStandardDeviation").asDouble()))
          .isEqualTo(TwoDecimals.format(sd));
      for (String key : TIMES) {
        assertThat(read.get(key).asDouble())
            .as(what + " " + key)
            .isEqualTo(run.get(key).asDouble());
      }
    }
  }

  @Test
  void summary_txt_its_threshold_lines_and_results_json_print_one_figure_alike()
      throws IOException {
    String summary = Files.readString(results.resolve("summary.txt"));
    JsonNode totals = document.get("totals");
    String p99 = TwoDecimals.format(totals.get("p99").asDouble());
    String max = TwoDecimals.format(totals.get("max").asDouble());
    assertThat(threshold(summary, "p99<2s", "Totals")).isEqualTo(p99);
    assertThat(threshold(summary, "max<2s", "Totals")).isEqualTo(max);
    assertThat(threshold(summary, "test 1: p95<2s", "Test 1"))
        .isEqualTo(TwoDecimals.format(document.get("tests").get(0).get("p95").asDouble()));

    Matcher totalsLine =
        Pattern.compile("(?m)^Totals +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\S+)$")
            .matcher(summary.substring(summary.indexOf("Min (ms)")));
    assertThat(totalsLine.find()).as("the percentile table's Totals line").isTrue();
    for (int i = 0; i < TIMES.size(); i++) {
      assertThat(totalsLine.group(i + 1))
          .as(TIMES.get(i))
          .isEqualTo(TwoDecimals.format(totals.get(TIMES.get(i)).asDouble()));
    }
  }

  /** The actual figure a threshold line of summary.txt prints. */
  private static String threshold(String summary, String rule, String scope) {
    Matcher m =
        Pattern.compile(
                "(?m)^  (?:PASS|FAIL)  "
                    + Pattern.quote(rule)
                    + " +"
                    + Pattern.quote(scope)
                    + " +actual (\\S+)$")
            .matcher(summary);
    assertThat(m.find())
        .as("the threshold line of %s for %s in%n%s", rule, scope, summary)
        .isTrue();
    return m.group(1);
  }
}
