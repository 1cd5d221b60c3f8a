package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run streamed to the real metrics server: the server's totals equal the run's own. */
class ReportToServerTest {

  @TempDir Path dir;

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  @Test
  void the_demo_streams_its_run_and_the_server_merges_the_same_totals() throws Exception {
    try (MetricsServer server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("metrics.db"))
            .start()) {
      CliRunner.Result r =
          CliRunner.run(
              "demo",
              "--duration",
              "3s",
              "--users",
              "3",
              "--out",
              dir.resolve("out").toString(),
              "--server",
              server.url());
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).contains("Reported to " + server.url());

      JsonNode runs = get(server.url() + "/api/v1/runs");
      JsonNode run = runs.isArray() ? runs.get(0) : runs.path("runs").get(0);
      assertThat(run.path("status").asText()).isEqualTo("finished");
      JsonNode detail = get(server.url() + "/api/v1/runs/" + run.path("id").asText());

      Path results;
      try (Stream<Path> s = Files.list(dir.resolve("out"))) {
        results = s.findFirst().orElseThrow();
      }
      JsonNode local = new ObjectMapper().readTree(results.resolve("results.json").toFile());
      assertThat(detail.toString()).contains("Check out");
      assertThat(detail.at("/totals/tests").asLong())
          .as(detail.toString())
          .isEqualTo(local.at("/totals/tests").asLong());
      assertThat(detail.at("/totals/errors").asLong())
          .isEqualTo(local.at("/totals/errors").asLong());
    }
  }

  @Test
  void the_livecheck_demo_posts_its_reports_and_the_server_keeps_each_cases_state()
      throws Exception {
    try (MetricsServer server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("livecheck.db"))
            .start()) {
      CliRunner.Result r =
          CliRunner.run("livecheck", "demo", "--duration", "3s", "--server", server.url());
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      JsonNode cases = get(server.url() + "/api/livecheck/cases").path("cases");
      assertThat(cases.size()).as(cases.toString()).isGreaterThanOrEqualTo(1);
      JsonNode c = cases.get(0);
      assertThat(c.path("state").asText())
          .isIn("PASS", "FAIL", "ERROR", "TIMEOUT", "STALL", "SKIP");
      assertThat(c.path("totals_by_state").size()).isPositive();
      JsonNode reports =
          get(server.url() + "/api/livecheck/reports?case=" + c.path("case").asText());
      assertThat(reports.path("reports").size()).isPositive();
    }
  }
}
