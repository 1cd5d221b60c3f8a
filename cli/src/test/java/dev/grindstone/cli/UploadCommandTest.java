package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.Run;
import dev.grindstone.engine.Scenario;
import dev.grindstone.engine.Test;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.ServerSink;
import dev.grindstone.report.Spool;
import dev.grindstone.server.MetricsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs whose server was down at the end, or that never reported, are sent later with {@code
 * grindstone upload}, to a real server, and end up on it exactly as the run's own results say.
 */
class UploadCommandTest {

  @TempDir Path dir;

  private static final Test WORK = new Test(1, "Work");
  private static final Test FLAKY = new Test(2, "Flaky");

  /** Two tests, one failing every fifth call, so the totals have times, errors and deviation. */
  private static Scenario scenario() {
    AtomicLong calls = new AtomicLong();
    return user -> {
      WORK.record(() -> user.sleep(Duration.ofMillis(2)));
      try {
        FLAKY.record(
            () -> {
              if (calls.incrementAndGet() % 5 == 0) {
                throw new IllegalStateException("flaky");
              }
            });
      } catch (IllegalStateException expected) {
        // an error of test 2
      }
    };
  }

  private record Ran(RunSummary summary, String console) {
    Path folder() {
      return summary.info().outputDirectory();
    }
  }

  private Ran run(String name, URI server, Duration length, Runnable midway) {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream messages = new PrintStream(console, true, StandardCharsets.UTF_8);
    RunConfig config =
        RunConfig.builder(name)
            .phase(Phase.hold("hold", length, 3))
            .period(Duration.ofMillis(100))
            .outputRoot(dir.resolve("results"))
            .console(false)
            .build();
    Run run =
        Run.of(config, scenario())
            .sink(
                ServerSink.builder()
                    .server(server)
                    .messages(messages)
                    .finishWait(Duration.ofMillis(300))
                    .build());
    if (midway != null) {
      Thread.ofPlatform()
          .start(
              () -> {
                try {
                  Thread.sleep(length.toMillis() / 3);
                } catch (InterruptedException e) {
                  return;
                }
                midway.run();
              });
    }
    RunSummary s = run.execute();
    return new Ran(s, console.toString(StandardCharsets.UTF_8));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private MetricsServer server(int port) {
    return MetricsServer.builder()
        .port(port)
        .jdbcUrl("jdbc:sqlite:" + dir.resolve("metrics.db"))
        .start();
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  private static String runId(Ran ran) throws IOException {
    String first = Files.readAllLines(ran.folder().resolve(ServerSink.REQUESTS_FILE)).getFirst();
    return new ObjectMapper().readTree(first).at("/body/id").asText();
  }

  /**
   * The server's figures for the run equal its own results.json and the Totals line of summary.txt.
   */
  private static JsonNode assertServerHasTheRunsTotals(MetricsServer server, Ran ran)
      throws Exception {
    JsonNode onServer = get(server.url() + "/api/v1/runs/" + runId(ran));
    assertThat(onServer.get("status").asText()).isEqualTo("finished");
    assertThat(onServer.get("endMs").asLong()).isEqualTo(ran.summary().endEpochMillis());
    JsonNode local = new ObjectMapper().readTree(ran.folder().resolve("results.json").toFile());
    for (String scope : List.of("/totals", "/tests/0", "/tests/1")) {
      JsonNode mine = local.at(scope);
      JsonNode theirs = scope.equals("/totals") ? onServer.get("totals") : onServer.at(scope);
      assertThat(theirs.get("tests").asLong())
          .as(scope + " tests")
          .isEqualTo(mine.get("tests").asLong())
          .isPositive();
      assertThat(theirs.get("errors").asLong())
          .as(scope + " errors")
          .isEqualTo(mine.get("errors").asLong());
      assertThat(theirs.get("meanMs").asDouble())
          .as(scope + " mean")
          .isCloseTo(mine.get("meanTestTime").asDouble(), within(1e-9));
      assertThat(theirs.get("sdMs").asDouble())
          .as(scope + " deviation")
          .isCloseTo(mine.get("testTimeStandardDeviation").asDouble(), within(1e-6));
    }
    JsonNode totals = onServer.get("totals");
    assertThat(totals.get("errors").asLong()).isPositive();
    String summary = Files.readString(ran.folder().resolve("summary.txt"));
    assertThat(summary)
        .containsPattern(
            String.format(
                Locale.ROOT,
                "Totals +%d +%d +%.2f +%.2f ",
                totals.get("tests").asLong(),
                totals.get("errors").asLong(),
                totals.get("meanMs").asDouble(),
                totals.get("sdMs").asDouble()));
    return onServer;
  }

  @org.junit.jupiter.api.Test
  void
      a_run_whose_server_went_down_is_completed_by_upload_once_it_is_back_and_uploading_again_changes_nothing()
          throws Exception {
    int port = freePort();
    URI url = URI.create("http://127.0.0.1:" + port);
    MetricsServer first = server(port);
    Ran ran = run("down", url, Duration.ofMillis(1500), first::close);

    Path spool = ran.folder().resolve("spool");
    assertThat(Spool.files(spool)).hasSize(1);
    String command = "grindstone upload " + ran.folder() + " --server " + url;
    assertThat(ran.console())
        .contains("did not take everything")
        .contains(command)
        .doesNotContain("when this run id reports next");

    try (MetricsServer back = server(port)) {
      JsonNode partial = get(back.url() + "/api/v1/runs/" + runId(ran));
      assertThat(partial.get("status").asText()).as("before the upload").isEqualTo("running");

      CliRunner.Result r =
          CliRunner.run("upload", ran.folder().toString(), "--server", url.toString());
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(r.out()).contains(ran.folder() + ": uploaded to " + url + " as run " + runId(ran));
      assertThat(spool).as("nothing left to send").doesNotExist();
      JsonNode once = assertServerHasTheRunsTotals(back, ran);

      CliRunner.Result again =
          CliRunner.run("upload", ran.folder().toString(), "--server", url.toString());
      assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
      JsonNode twice = assertServerHasTheRunsTotals(back, ran);
      assertThat(twice.get("snapshots")).isEqualTo(once.get("snapshots"));
      assertThat(twice.get("totals")).isEqualTo(once.get("totals"));
      assertThat(twice.get("tests")).isEqualTo(once.get("tests"));
    }
  }

  @org.junit.jupiter.api.Test
  void a_run_that_never_reported_is_uploaded_whole() throws Exception {
    Ran ran = run("never", null, Duration.ofMillis(600), null);
    assertThat(ran.folder().resolve(ServerSink.REQUESTS_FILE)).isNotEmptyFile();
    assertThat(ran.folder().resolve("spool")).doesNotExist();
    try (MetricsServer server = server(0)) {
      CliRunner.Result r =
          CliRunner.run("upload", ran.folder().toString(), "--server", server.url());
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      JsonNode once = assertServerHasTheRunsTotals(server, ran);
      assertThat(once.get("snapshots").asInt())
          .isEqualTo(
              new ObjectMapper()
                  .readTree(ran.folder().resolve("results.json").toFile())
                  .get("intervals")
                  .size());
      assertThat(
              CliRunner.run("upload", ran.folder().toString(), "--server", server.url()).exitCode())
          .isZero();
      assertThat(assertServerHasTheRunsTotals(server, ran).get("totals"))
          .isEqualTo(once.get("totals"));
    }
  }

  @org.junit.jupiter.api.Test
  void a_missing_or_wrong_token_delivers_nothing_and_says_so_and_the_right_one_uploads()
      throws Exception {
    Ran ran = run("token", null, Duration.ofMillis(300), null);
    try (MetricsServer server =
        MetricsServer.builder()
            .port(0)
            .token("s3cret-token")
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("metrics.db"))
            .start()) {
      CliRunner.Result none =
          CliRunner.run("upload", ran.folder().toString(), "--server", server.url());
      assertThat(none.exitCode()).isEqualTo(1);
      assertThat(none.out())
          .contains("the server answered 401")
          .contains("is the token missing or wrong?");
      CliRunner.Result wrong =
          CliRunner.run(
              "upload",
              ran.folder().toString(),
              "--server",
              server.url(),
              "--token",
              "not-the-token");
      assertThat(wrong.exitCode()).isEqualTo(1);
      CliRunner.Result right =
          CliRunner.run(
              "upload",
              ran.folder().toString(),
              "--server",
              server.url(),
              "--token",
              "s3cret-token");
      assertThat(right.exitCode()).as(right.out() + right.err()).isZero();
      assertServerHasTheRunsTotals(server, ran);
    }
  }

  @org.junit.jupiter.api.Test
  void a_run_killed_before_its_end_is_finished_at_its_last_interval() throws Exception {
    Ran ran = run("killed", null, Duration.ofMillis(400), null);
    Path journal = ran.folder().resolve(ServerSink.REQUESTS_FILE);
    List<String> lines = Files.readAllLines(journal);
    assertThat(lines.getLast()).contains("/finish");
    Files.write(journal, lines.subList(0, lines.size() - 1));
    Files.delete(ran.folder().resolve("results.json"));
    long lastEnd =
        new ObjectMapper().readTree(lines.get(lines.size() - 2)).at("/body/endMs").asLong();
    try (MetricsServer server = server(0)) {
      CliRunner.Result r =
          CliRunner.run("upload", ran.folder().toString(), "--server", server.url());
      assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
      assertThat(r.out())
          .contains("the run did not end normally")
          .contains("its last interval's end");
      JsonNode run = get(server.url() + "/api/v1/runs/" + runId(ran));
      assertThat(run.get("status").asText()).isEqualTo("finished");
      assertThat(run.get("endMs").asLong()).isEqualTo(lastEnd);
    }
  }

  @org.junit.jupiter.api.Test
  void a_later_run_reporting_to_the_same_server_re_sends_what_earlier_runs_left_spooled()
      throws Exception {
    int port = freePort();
    URI url = URI.create("http://127.0.0.1:" + port);
    Ran earlier = run("earlier", url, Duration.ofMillis(400), null); // no server at all
    Path spool = Spool.files(earlier.folder().resolve("spool")).getFirst();
    try (MetricsServer server = server(port)) {
      Ran later = run("later", url, Duration.ofMillis(800), null);
      assertThat(later.console()).contains("Reported to " + url);
      assertThat(later.folder().resolve("spool")).as("everything was delivered").doesNotExist();
      assertThat(later.console()).contains("Earlier runs: re-sent").contains(spool.toString());
      assertThat(spool).doesNotExist();
      assertServerHasTheRunsTotals(server, earlier);
      assertServerHasTheRunsTotals(server, later);
    }
  }

  @org.junit.jupiter.api.Test
  void
      an_unreachable_server_keeps_the_spool_and_exits_1_and_a_folder_without_anything_to_send_exits_2()
          throws Exception {
    int port = freePort();
    URI url = URI.create("http://127.0.0.1:" + port);
    Ran ran = run("unreachable", url, Duration.ofMillis(300), null);
    Path spool = Spool.files(ran.folder().resolve("spool")).getFirst();
    List<String> before = Files.readAllLines(spool);
    CliRunner.Result r =
        CliRunner.run("upload", ran.folder().toString(), "--server", url.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("cannot be reached").contains("Run this command again later");
    assertThat(Files.readAllLines(spool)).isEqualTo(before);

    Path empty = Files.createDirectories(dir.resolve("empty"));
    CliRunner.Result nothing =
        CliRunner.run("upload", empty.toString(), "--server", url.toString());
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).contains(empty + ": nothing to upload");
    CliRunner.Result missing =
        CliRunner.run("upload", dir.resolve("nope").toString(), "--server", url.toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no such results folder");
  }
}
