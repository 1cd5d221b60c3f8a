package dev.grindstone.server.report;

import static dev.grindstone.server.report.RunFixtures.freePort;
import static dev.grindstone.server.report.RunFixtures.get;
import static dev.grindstone.server.report.RunFixtures.snapshot;
import static dev.grindstone.server.report.RunFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grindstone.report.RunReporter;
import dev.grindstone.report.SnapshotPost;
import dev.grindstone.server.MetricsServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReporterTest {
  @TempDir Path dir;

  @Test
  void
      snapshots_posted_while_the_server_is_down_are_spooled_and_delivered_in_order_when_it_is_back()
          throws Exception {
    int port = freePort();
    Path spool = dir.resolve("spool");
    RunReporter reporter =
        RunReporter.builder(URI.create("http://127.0.0.1:" + port), spec("r-down"))
            .spoolDir(spool)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .start();
    for (int i = 0; i < 5; i++) {
      reporter.post(snapshot(i));
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline
        && (!Files.exists(reporter.spoolFile())
            || Files.readAllLines(reporter.spoolFile()).size() < 6)) {
      Thread.sleep(20);
    }
    List<String> lines = Files.readAllLines(reporter.spoolFile());
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).startsWith("{\"path\":\"/api/v1/runs\",");
    assertThat(lines.get(5)).contains("\"seq\":4");
    assertThat(reporter.stats().retries()).isPositive();

    try (MetricsServer server =
        MetricsServer.builder().port(port).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      assertThat(reporter.finish(1_700_000_009_000L, Duration.ofSeconds(30))).isTrue();
      reporter.close();
      JsonNode run = get(server.url() + "/api/v1/runs/r-down");
      assertThat(run.get("snapshots").asInt()).isEqualTo(5);
      assertThat(run.get("status").asText()).isEqualTo("finished");
      assertThat(run.get("totals").get("tests").asLong()).isEqualTo(10);
      assertThat(run.get("tests").get(0).get("description").asText()).isEqualTo("Log in");
      assertThat(reporter.stats().delivered()).isEqualTo(7);
      assertThat(reporter.stats().pending()).isZero();
      assertThat(reporter.spoolFile()).doesNotExist();
    }
  }

  @Test
  void a_later_reporter_re_sends_what_an_earlier_one_left_in_the_spool() throws Exception {
    int port = freePort();
    Path spool = dir.resolve("spool");
    RunReporter first =
        RunReporter.builder(URI.create("http://127.0.0.1:" + port), spec("r-later"))
            .spoolDir(spool)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
            .start();
    first.post(snapshot(0));
    first.post(snapshot(1));
    assertThat(first.finish(1_700_000_002_000L, Duration.ofMillis(300))).isFalse();
    first.close();
    assertThat(Files.readAllLines(first.spoolFile())).hasSize(4);

    try (MetricsServer server =
        MetricsServer.builder().port(port).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      RunReporter second =
          RunReporter.builder(URI.create(server.url()), spec("r-later")).spoolDir(spool).start();
      second.post(snapshot(2));
      assertThat(second.finish(1_700_000_003_000L, Duration.ofSeconds(30))).isTrue();
      second.close();
      JsonNode run = get(server.url() + "/api/v1/runs/r-later");
      assertThat(run.get("snapshots").asInt()).isEqualTo(3);
      assertThat(run.get("status").asText()).isEqualTo("finished");
    }
  }

  @Test
  void a_request_the_server_rejects_is_dropped_not_retried_forever() throws Exception {
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      RunReporter r =
          RunReporter.builder(URI.create(server.url()), spec("r-bad"))
              .spoolDir(dir.resolve("s"))
              .start();
      r.post(new SnapshotPost("host-1", -1, "hold", 0, 1, List.of()));
      r.post(snapshot(0));
      assertThat(r.finish(1_700_000_002_000L, Duration.ofSeconds(30))).isTrue();
      r.close();
      assertThat(r.stats().dropped()).isEqualTo(1);
      assertThat(get(server.url() + "/api/v1/runs/r-bad").get("snapshots").asInt()).isEqualTo(1);
      assertThatThrownBy(() -> r.post(snapshot(1))).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void configuration_mistakes_are_named() {
    assertThatThrownBy(() -> spec("bad id")).hasMessageContaining("id");
    assertThatThrownBy(() -> RunReporter.builder(URI.create("ftp://x"), spec("a")).start())
        .hasMessageContaining("server");
  }
}
