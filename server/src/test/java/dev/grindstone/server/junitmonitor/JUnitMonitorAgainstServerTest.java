package dev.grindstone.server.junitmonitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.MetricsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The JUnit monitor in remote mode against this real server: rows arrive through pytest-monitor's
 * protocol.
 */
class JUnitMonitorAgainstServerTest {

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
  void monitored_tests_reach_the_server_and_its_query_routes_return_them() throws Exception {
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("m.db")).start()) {
      Launcher launcher = LauncherFactory.create();
      launcher.execute(
          LauncherDiscoveryRequestBuilder.request()
              .selectors(selectClass(MonitoredSamples.class))
              .configurationParameter("grindstone.monitor.server", server.url() + "/api/v1")
              .configurationParameter(
                  "grindstone.monitor.file", dir.resolve("local.jmon").toString())
              .configurationParameter("grindstone.monitor.description", "remote-test")
              .configurationParameter("grindstone.monitor.tags", "suite=server")
              .build());

      JsonNode sessions = get(server.url() + "/api/v1/sessions/");
      assertThat(sessions.path("sessions")).hasSize(1);
      String session = sessions.path("sessions").get(0).path("session_h").asText();
      JsonNode metrics = get(server.url() + "/api/v1/sessions/" + session + "/metrics");
      List<String> variants = new ArrayList<>();
      metrics.path("metrics").forEach(m -> variants.add(m.path("item_variant").asText()));
      assertThat(variants)
          .hasSize(3)
          .anyMatch(v -> v.startsWith("sleeps_a_little"))
          .filteredOn(v -> v.startsWith("takes_a_number"))
          .hasSize(2);
      JsonNode sleeper = null;
      for (JsonNode m : metrics.path("metrics")) {
        if (m.path("item").asText().equals("sleeps_a_little")) {
          sleeper = m;
        }
      }
      assertThat(sleeper).isNotNull();
      assertThat(sleeper.path("total_time").asDouble()).isGreaterThanOrEqualTo(0.05);
      assertThat(
              get(server.url() + "/api/v1/contexts/" + sleeper.path("context_h").asText())
                  .path("contexts"))
          .hasSize(1);
    }
  }
}
