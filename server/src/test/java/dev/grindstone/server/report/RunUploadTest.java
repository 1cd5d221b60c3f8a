package dev.grindstone.server.report;

import static dev.grindstone.server.report.RunFixtures.freePort;
import static dev.grindstone.server.report.RunFixtures.get;
import static dev.grindstone.server.report.RunFixtures.snapshot;
import static dev.grindstone.server.report.RunFixtures.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.report.RunReporter;
import dev.grindstone.report.RunRequest;
import dev.grindstone.report.RunUpload;
import dev.grindstone.report.Spool;
import dev.grindstone.server.MetricsServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunUploadTest {
  @TempDir Path dir;

  /**
   * A reporter that cannot reach {@code port} leaves its whole run (creation, 3 snapshots, finish)
   * spooled.
   */
  private Path leaveSpool(Path spoolDir, int port, String id) {
    RunReporter r =
        RunReporter.builder(URI.create("http://127.0.0.1:" + port), spec(id))
            .spoolDir(spoolDir)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(50))
            .start();
    for (int i = 0; i < 3; i++) {
      r.post(snapshot(i));
    }
    assertThat(r.finish(1_700_000_003_000L, Duration.ofMillis(200))).isFalse();
    r.close();
    return r.spoolFile();
  }

  @Test
  void a_spool_names_its_server_without_secrets_and_a_re_send_completes_the_run_and_removes_it()
      throws Exception {
    int port = freePort();
    Path spool = leaveSpool(dir.resolve("spool"), port, "r-spool");
    assertThat(Spool.server(spool)).isEqualTo("http://127.0.0.1:" + port);
    assertThat(Spool.read(spool)).hasSize(5);
    assertThat(Spool.read(spool).getLast().isFinish()).isTrue();
    try (MetricsServer server =
        MetricsServer.builder().port(port).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      RunUpload.Result r = new RunUpload(URI.create(server.url()), null).resendSpool(spool);
      assertThat(r.complete()).isTrue();
      assertThat(r.delivered()).isEqualTo(5);
      assertThat(spool).doesNotExist();
      assertThat(Spool.files(dir.resolve("spool"))).isEmpty();
      JsonNode run = get(server.url() + "/api/v1/runs/r-spool");
      assertThat(run.get("status").asText()).isEqualTo("finished");
      assertThat(run.get("snapshots").asInt()).isEqualTo(3);
      assertThat(run.at("/totals/tests").asLong()).isEqualTo(6);

      RunUpload.Result again =
          new RunUpload(URI.create(server.url()), null)
              .send(
                  List.of(
                      RunRequest.create(spec("r-spool")),
                      RunRequest.snapshot("r-spool", snapshot(0)),
                      RunRequest.finish("r-spool", "host-1", 1_700_000_003_000L)));
      assertThat(again.complete()).isTrue();
      JsonNode after = get(server.url() + "/api/v1/runs/r-spool");
      assertThat(after.get("snapshots").asInt()).as("re-posts are not counted twice").isEqualTo(3);
      assertThat(after.get("totals")).isEqualTo(run.get("totals"));
      assertThat(after.get("endMs")).isEqualTo(run.get("endMs"));
    }
  }

  @Test
  void the_server_key_leaves_out_user_info_and_path_tokens() {
    assertThat(Spool.serverKey(URI.create("http://u:secret@host:8080/t/abc123/api/v1/")))
        .isEqualTo("http://host:8080/t/-/api/v1");
    assertThat(Spool.serverKey(URI.create("https://host/"))).isEqualTo("https://host");
  }

  @Test
  void the_answers_of_the_snapshots_the_server_took_are_handed_on_and_no_other() throws Exception {
    List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("a.db")).start()) {
      RunReporter r =
          RunReporter.builder(URI.create(server.url()), spec("r-answers"))
              .spoolDir(dir.resolve("spool"))
              .snapshotAnswers(answers::add)
              .start();
      r.post(snapshot(0));
      r.post(snapshot(1));
      r.post(snapshot(1)); // a re-post is answered too
      assertThat(r.finish(1_700_000_003_000L, Duration.ofSeconds(10))).isTrue();
      r.close();
    }
    assertThat(answers).hasSize(3);
    assertThat(answers)
        .extracting(a -> new ObjectMapper().readTree(a).get("seq").asLong())
        .containsExactly(0L, 1L, 1L);
    assertThat(answers.getLast()).contains("\"duplicate\":true");
  }

  @Test
  void a_spool_in_use_by_a_live_reporter_is_not_re_sent_under_it() throws Exception {
    int port = freePort();
    RunReporter live =
        RunReporter.builder(URI.create("http://127.0.0.1:" + port), spec("r-live"))
            .spoolDir(dir.resolve("spool"))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(50))
            .start();
    try {
      live.post(snapshot(0));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!Files.exists(live.spoolFile()) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(
              new RunUpload(URI.create("http://127.0.0.1:" + port), null)
                  .resendSpool(live.spoolFile()))
          .isNull();
    } finally {
      live.close();
    }
    try (Spool.Lease lease = Spool.lease(live.spoolFile())) {
      assertThat(lease).as("released when the reporter closes").isNotNull();
    }
  }

  @Test
  void a_server_that_does_not_know_the_run_leaves_the_spool_whole() throws Exception {
    int port = freePort();
    RunReporter r =
        RunReporter.builder(URI.create("http://127.0.0.1:" + port), spec("r-gone"))
            .spoolDir(dir.resolve("spool"))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(50))
            .start();
    r.post(snapshot(0));
    r.finish(1_700_000_001_000L, Duration.ofMillis(100));
    r.close();
    Path spool = r.spoolFile();
    List<RunRequest> tail =
        new ArrayList<>(Spool.read(spool).subList(1, 3)); // as if the creation had been delivered
    try (Spool.Lease lease = Spool.lease(spool)) {
      lease.keep(tail);
    }
    try (MetricsServer server =
        MetricsServer.builder().port(0).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      RunUpload.Result result = new RunUpload(URI.create(server.url()), null).resendSpool(spool);
      assertThat(result.runUnknown()).isTrue();
      assertThat(result.failure()).isEqualTo("the server has no run r-gone");
      assertThat(Spool.read(spool)).isEqualTo(tail);
    }
  }

  @Test
  void later_runs_re_send_in_the_background_only_the_spools_meant_for_their_server()
      throws Exception {
    int port = freePort();
    Path root = dir.resolve("results");
    Path mine = leaveSpool(root.resolve("a-1").resolve("spool"), port, "r-a");
    Path other = leaveSpool(root.resolve("b-1").resolve("spool"), freePort(), "r-b");
    Path own = leaveSpool(root.resolve("c-1").resolve("spool"), port, "r-c");
    try (MetricsServer server =
        MetricsServer.builder().port(port).jdbcUrl("jdbc:sqlite:" + dir.resolve("g.db")).start()) {
      List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread t =
          new RunUpload(URI.create(server.url()), null)
              .resendInBackground(root, root.resolve("c-1"), 20, said::add);
      t.join(30_000);
      assertThat(mine).doesNotExist();
      assertThat(other).as("meant for another server").exists();
      assertThat(own).as("the running run's own folder").exists();
      assertThat(said).containsExactly("re-sent 5 requests spooled in " + mine);
      assertThat(get(server.url() + "/api/v1/runs/r-a").get("status").asText())
          .isEqualTo("finished");
    }
  }

  @Test
  void a_server_url_that_is_not_http_is_refused() {
    assertThatThrownBy(() -> new RunUpload(URI.create("ftp://host"), null))
        .hasMessageContaining("server: must be");
  }
}
