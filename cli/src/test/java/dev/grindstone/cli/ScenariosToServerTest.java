package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.engine.sink.ServerSink;
import dev.grindstone.server.MetricsServer;
import dev.grindstone.stats.results.TestFigures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of two scenarios reported to the real metrics server: the server's figures per scenario, in
 * the run's detail and in {@code /metrics}, equal the run's own.
 */
class ScenariosToServerTest {

  @TempDir Path dir;

  private static final dev.grindstone.engine.Test BROWSE =
      new dev.grindstone.engine.Test(1, "Browse");
  private static final dev.grindstone.engine.Test BUY = new dev.grindstone.engine.Test(2, "Buy");
  private static final AtomicLong PURCHASES = new AtomicLong();

  private static HttpResponse<String> get(String url, String accept) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return r;
  }

  @Test
  void each_scenario_s_figures_on_the_server_equal_the_run_s() throws Exception {
    try (MetricsServer server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("metrics.db"))
            .start()) {
      RunConfig config =
          RunConfig.builder("two-scenarios")
              .phase(
                  Phase.of(
                      "mixed",
                      Duration.ofMillis(1_500),
                      ScenarioLoad.of("browse")
                          .users(3)
                          .withThinkTime(new ThinkTime.Constant(Duration.ofMillis(5))),
                      ScenarioLoad.of("buy")
                          .users(1)
                          .withThinkTime(new ThinkTime.Constant(Duration.ofMillis(10)))))
              .period(Duration.ofMillis(250))
              .outputRoot(dir.resolve("out"))
              .console(false)
              .build();
      Scenario browse =
          user -> {
            BROWSE.record(
                () -> {
                  Thread.sleep(1);
                  return null;
                });
            BUY.record(() -> {});
          };
      Scenario buy =
          user -> {
            try {
              BUY.record(
                  () -> {
                    if (PURCHASES.incrementAndGet() % 5 == 0) {
                      throw new IllegalStateException("out of stock");
                    }
                  });
            } catch (IllegalStateException expected) {
              // an error of test 2
            }
          };
      RunSummary s =
          Run.of(config, Map.of("browse", browse, "buy", buy))
              .sink(ServerSink.to(URI.create(server.url())))
              .execute();
      assertThat(s.scenarios()).hasSize(2);

      JsonNode detail =
          new ObjectMapper()
              .readTree(
                  get(server.url() + "/api/v1/runs/" + s.info().id(), "application/json").body());
      JsonNode scenarios = detail.path("scenarios");
      assertThat(scenarios.size()).as(detail.toString()).isEqualTo(2);
      for (int k = 0; k < 2; k++) {
        ScenarioResult r = s.scenarios().get(k);
        JsonNode sc = scenarios.get(k);
        assertThat(sc.path("name").asText()).isEqualTo(r.name());
        assertThat(sc.at("/totals/tests").asLong()).as(r.name()).isEqualTo(r.totals().tests());
        assertThat(sc.at("/totals/errors").asLong()).isEqualTo(r.totals().errors());
        assertThat(sc.path("tests").size()).isEqualTo(r.tests().size());
        for (int i = 0; i < r.tests().size(); i++) {
          TestFigures t = r.tests().get(i);
          JsonNode row = sc.path("tests").get(i);
          assertThat(row.path("number").asInt()).isEqualTo(t.test());
          assertThat(row.path("tests").asLong()).as(r.name() + " " + t.test()).isEqualTo(t.tests());
          assertThat(row.path("errors").asLong()).isEqualTo(t.errors());
          assertThat(row.path("p99Ms").asDouble())
              .as("merged histograms, not averaged percentiles")
              .isCloseTo(t.percentileMillis(99), within(0.001));
        }
      }
      assertThat(s.scenarios().get(1).totals().errors()).isPositive();

      String metrics = get(server.url() + "/metrics", "text/plain").body();
      for (ScenarioResult r : s.scenarios()) {
        for (TestFigures t : r.tests()) {
          for (String outcome : new String[] {"success", "error"}) {
            assertThat(
                    value(
                        metrics,
                        "grindstone_calls_total",
                        "scenario=\"" + r.name() + "\"",
                        "test=\"" + t.test() + "\"",
                        "outcome=\"" + outcome + "\""))
                .as(r.name() + ", test " + t.test() + ", " + outcome)
                .isEqualTo(outcome.equals("success") ? t.tests() : t.errors());
          }
        }
      }
      assertThat(metrics).contains("grindstone_active_users{").contains("scenario=\"buy\"");
    }
  }

  /** The value of the one sample of {@code name} whose labels hold every one of {@code labels}. */
  private static long value(String exposition, String name, String... labels) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
            .matcher(exposition);
    Long found = null;
    while (m.find()) {
      boolean all = true;
      for (String l : labels) {
        all &= m.group(1).contains(l);
      }
      if (all) {
        assertThat(found).as("one sample only for " + String.join(",", labels)).isNull();
        found = (long) Double.parseDouble(m.group(2));
      }
    }
    assertThat(found)
        .as(name + " with " + String.join(",", labels) + " in\n" + exposition)
        .isNotNull();
    return found;
  }
}
