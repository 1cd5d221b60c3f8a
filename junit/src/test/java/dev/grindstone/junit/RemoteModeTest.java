package dev.grindstone.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.junit.samples.SecondSamples;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteModeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static List<String> fields(String json) throws Exception {
    List<String> names = new ArrayList<>();
    Iterator<String> it = JSON.readTree(json).fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }

  @Test
  void rows_reach_the_server_through_pytest_monitors_protocol() throws Exception {
    Path file = dir.resolve("remote.jmon");
    try (RecordingServer server = RecordingServer.pytestMonitorLike()) {
      List<String> warnings =
          Launch.run(
              Map.of(
                  "grindstone.monitor.file",
                  file.toString(),
                  "grindstone.monitor.server",
                  server.url() + "/api/v1",
                  "grindstone.monitor.description",
                  "nightly",
                  "grindstone.monitor.tags",
                  "team=core"),
              Map.of("BUILD_NUMBER", "7", "BRANCH_NAME", "main"),
              SecondSamples.class);
      assertThat(warnings).isEmpty();
      List<RecordingServer.Request> reqs = List.copyOf(server.requests);
      String ctxH =
          (String) Db.query(file, "SELECT ENV_H FROM EXECUTION_CONTEXTS").get(0).get("ENV_H");
      String sessionH =
          (String) Db.query(file, "SELECT SESSION_H FROM TEST_SESSIONS").get(0).get("SESSION_H");
      assertThat(reqs.stream().map(r -> r.method() + " " + r.path()).toList())
          .containsExactly(
              "GET /api/v1/contexts/" + ctxH,
              "POST /api/v1/contexts/",
              "POST /api/v1/sessions/",
              "POST /api/v1/metrics/",
              "POST /api/v1/metrics/");
      assertThat(reqs.subList(1, 5))
          .allSatisfy(r -> assertThat(r.contentType()).isEqualTo("application/json"));
      assertThat(fields(reqs.get(1).body()))
          .containsExactly(
              "cpu_count",
              "cpu_frequency",
              "cpu_type",
              "cpu_vendor",
              "ram_total",
              "machine_node",
              "machine_type",
              "machine_arch",
              "system_info",
              "python_info",
              "h");
      JsonNode ctx = JSON.readTree(reqs.get(1).body());
      assertThat(ctx.get("h").asText()).isEqualTo(ctxH);
      assertThat(ctx.get("cpu_count").isInt()).isTrue();
      assertThat(ctx.get("cpu_frequency").isNumber()).isTrue();
      JsonNode session = JSON.readTree(reqs.get(2).body());
      assertThat(fields(reqs.get(2).body()))
          .containsExactly("session_h", "run_date", "scm_ref", "description");
      assertThat(session.get("session_h").asText()).isEqualTo(sessionH);
      assertThat(session.get("description").toString())
          .isEqualTo(
              "{\"pipeline_branch\":\"main\",\"pipeline_build_no\":\"7\",\"description\":\"nightly\",\"team\":\"core\"}");
      assertThat(fields(reqs.get(3).body()))
          .containsExactly(
              "session_h",
              "context_h",
              "item_start_time",
              "item_path",
              "item",
              "item_variant",
              "item_fs_loc",
              "kind",
              "component",
              "total_time",
              "user_time",
              "kernel_time",
              "cpu_usage",
              "mem_usage");
      List<String> items = new ArrayList<>();
      for (RecordingServer.Request r : reqs.subList(3, 5)) {
        JsonNode m = JSON.readTree(r.body());
        assertThat(m.get("session_h").asText()).isEqualTo(sessionH);
        assertThat(m.get("context_h").asText()).isEqualTo(ctxH);
        assertThat(m.get("total_time").isNumber()).isTrue();
        items.add(m.get("item_path").asText() + " " + m.get("item").asText());
      }
      assertThat(items)
          .containsExactlyInAnyOrder(
              "dev.grindstone.junit.samples.SecondSamples quick",
              "dev.grindstone.junit.samples.SecondSamples$Inner innerTest");
      assertThat(Db.query(file, "SELECT * FROM TEST_METRICS")).hasSize(2);
    }
  }

  @Test
  void a_known_context_is_not_posted_again_and_the_servers_hash_is_used() throws Exception {
    try (RecordingServer server =
        new RecordingServer(
            r ->
                r.method().equals("GET")
                    ? new RecordingServer.Answer(
                        200, "{\"contexts\":[{\"h\":\"server-side-h\"}],\"total_page\":1}")
                    : new RecordingServer.Answer(201, "{}"))) {
      List<String> warnings =
          Launch.run(
              Map.of(
                  "grindstone.monitor.file",
                  dir.resolve("k.jmon").toString(),
                  "grindstone.monitor.server",
                  server.url()),
              Map.of(),
              SecondSamples.class);
      assertThat(warnings).isEmpty();
      List<RecordingServer.Request> reqs = List.copyOf(server.requests);
      assertThat(
              reqs.stream()
                  .map(r -> r.method() + " " + r.path().replaceAll("/contexts/.+", "/contexts/<h>"))
                  .toList())
          .containsExactly(
              "GET /contexts/<h>", "POST /sessions/", "POST /metrics/", "POST /metrics/");
      assertThat(JSON.readTree(reqs.get(2).body()).get("context_h").asText())
          .isEqualTo("server-side-h");
    }
  }

  @Test
  void unreachable_server_gives_one_warning_and_local_rows_are_kept() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Path file = dir.resolve("down.jmon");
    List<String> warnings =
        Launch.run(
            Map.of(
                "grindstone.monitor.file",
                file.toString(),
                "grindstone.monitor.server",
                "http://127.0.0.1:" + closedPort),
            Map.of(),
            SecondSamples.class);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0))
        .contains("http://127.0.0.1:" + closedPort, "results stay in the local file");
    assertThat(Db.query(file, "SELECT * FROM TEST_METRICS")).hasSize(2);
  }

  @Test
  void a_server_that_never_answers_costs_one_timeout_and_one_warning() throws Exception {
    // Accepts connections (the backlog does) but never reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Path file = dir.resolve("silent.jmon");
      long t0 = System.nanoTime();
      List<String> warnings =
          Launch.run(
              Map.of(
                  "grindstone.monitor.file",
                  file.toString(),
                  "grindstone.monitor.server",
                  "http://127.0.0.1:" + silent.getLocalPort(),
                  "grindstone.monitor.server.timeoutMillis",
                  "300"),
              Map.of(),
              SecondSamples.class);
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0))
          .contains("HttpTimeoutException", "results stay in the local file");
      assertThat(Db.query(file, "SELECT * FROM TEST_METRICS")).hasSize(2);
      // Bounded by the 3 x timeout wait at the end, whatever the machine's speed.
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }
  }

  @Test
  void server_answering_wrongly_gives_one_warning_and_sending_stops() throws Exception {
    try (RecordingServer server =
        new RecordingServer(
            r ->
                r.path().endsWith("/metrics/")
                    ? new RecordingServer.Answer(500, "boom")
                    : r.method().equals("GET")
                        ? new RecordingServer.Answer(404, "")
                        : new RecordingServer.Answer(201, "{\"h\":\"x\"}"))) {
      Path file = dir.resolve("wrong.jmon");
      List<String> warnings =
          Launch.run(
              Map.of(
                  "grindstone.monitor.file",
                  file.toString(),
                  "grindstone.monitor.server",
                  server.url()),
              Map.of(),
              SecondSamples.class);
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0)).contains("POST /metrics/ answered 500 instead of 201");
      assertThat(server.requests.stream().filter(r -> r.path().endsWith("/metrics/")).count())
          .isLessThanOrEqualTo(2);
      assertThat(Db.query(file, "SELECT * FROM TEST_METRICS")).hasSize(2);
    }
  }

  @Test
  void without_keep_going_every_row_is_tried_and_every_failure_reported() throws Exception {
    try (RecordingServer server =
        new RecordingServer(
            r ->
                r.path().endsWith("/metrics/")
                    ? new RecordingServer.Answer(503, "")
                    : r.method().equals("GET")
                        ? new RecordingServer.Answer(204, "")
                        : new RecordingServer.Answer(201, "{\"h\":\"x\"}"))) {
      List<String> warnings =
          Launch.run(
              Map.of(
                  "grindstone.monitor.file",
                  dir.resolve("strict.jmon").toString(),
                  "grindstone.monitor.server",
                  server.url(),
                  "grindstone.monitor.server.keepGoing",
                  "false"),
              Map.of(),
              SecondSamples.class);
      assertThat(warnings).hasSize(2).allSatisfy(w -> assertThat(w).contains("answered 503"));
      assertThat(server.requests.stream().filter(r -> r.path().endsWith("/metrics/")).count())
          .isEqualTo(2);
    }
  }

  @Test
  void a_201_without_a_hash_is_a_protocol_error() throws Exception {
    try (RecordingServer server =
        new RecordingServer(
            r ->
                r.method().equals("GET")
                    ? new RecordingServer.Answer(204, "")
                    : new RecordingServer.Answer(201, ""))) {
      List<String> warnings =
          Launch.run(
              Map.of(
                  "grindstone.monitor.file",
                  dir.resolve("nohash.jmon").toString(),
                  "grindstone.monitor.server",
                  server.url()),
              Map.of(),
              SecondSamples.class);
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0)).contains("POST /contexts/ answered 201 without an \"h\"");
    }
  }
}
