package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.server.MetricsServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.surefire.log.api.NullConsoleLogger;
import org.apache.maven.plugins.surefire.report.ReportTestCase;
import org.apache.maven.plugins.surefire.report.ReportTestSuite;
import org.apache.maven.plugins.surefire.report.TestSuiteXmlParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code grindstone compare} and {@code grindstone run --baseline} on real runs: a call of about 1
 * ms, then the same call at about 100 ms (far apart, so a loaded machine cannot blur them), each
 * run for 2 s in intervals of 200 ms.
 */
class CompareCommandTest {

  @TempDir static Path dir;
  static Path fast;
  static Path slow;

  static Path scenario(String name, int sleepMs) throws IOException {
    return Files.writeString(
        dir.resolve(name + ".java"),
        """
        import dev.grindstone.engine.Scenario;
        import dev.grindstone.engine.Test;
        import dev.grindstone.engine.VirtualUser;
        import java.time.Duration;

        public class %s implements Scenario {
          static final Test CALL = new Test(1, "Call");

          @Override
          public void iteration(VirtualUser user) throws Exception {
            CALL.record(() -> user.sleep(Duration.ofMillis(%d)));
          }
        }
        """
            .formatted(name, sleepMs));
  }

  static Path onlyFolderIn(Path root) throws IOException {
    try (Stream<Path> s = Files.list(root)) {
      List<Path> dirs = s.toList();
      assertThat(dirs).hasSize(1);
      return dirs.getFirst();
    }
  }

  static CliRunner.Result run(Path scenario, Path out, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "run",
                scenario.toString(),
                "--name",
                "checkout",
                "--users",
                "2",
                "--duration",
                "2s",
                "--period",
                "200ms",
                "--no-data-log",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return CliRunner.run(args.toArray(String[]::new));
  }

  @BeforeAll
  static void twoRuns() throws IOException {
    CliRunner.Result a = run(scenario("Fast", 1), dir.resolve("a"));
    assertThat(a.exitCode()).as(a.err()).isZero();
    // 100 ms against 1 ms: far beyond what a loaded machine adds to the fast run's calls.
    CliRunner.Result b = run(scenario("Slow", 100), dir.resolve("b"));
    assertThat(b.exitCode()).as(b.err()).isZero();
    fast = onlyFolderIn(dir.resolve("a"));
    slow = onlyFolderIn(dir.resolve("b"));
  }

  @Test
  void a_slower_run_is_a_significant_regression_with_exit_code_1() {
    CliRunner.Result r =
        CliRunner.run(
            "compare",
            fast.toString(),
            slow.toString(),
            "--max-mean-increase",
            "50%",
            "--max-error-rate-increase",
            "1%");
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out())
        .contains("Test 1 \"Call\"")
        .containsPattern("mean \\(ms\\) .* significant \\(p ")
        .contains("FAIL  mean increase at most 50%")
        .contains("PASS  error rate increase at most 1 pts")
        .contains("Regressed: 2 of 4 tolerance checks failed.");
  }

  @Test
  void the_same_comparison_the_other_way_round_is_no_regression() {
    CliRunner.Result r =
        CliRunner.run("compare", slow.toString(), fast.toString(), "--max-mean-increase", "50%");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("No regression: all 2 tolerance checks passed.");
  }

  @Test
  void json_and_markdown_carry_the_same_verdict() throws Exception {
    CliRunner.Result json =
        CliRunner.run(
            "compare",
            fast.toString(),
            slow.toString(),
            "--format",
            "json",
            "--max-p99-increase",
            "2ms");
    JsonNode doc = new ObjectMapper().readTree(json.out());
    assertThat(doc.path("regressed").asBoolean()).isTrue();
    assertThat(doc.at("/tests/0/metrics/mean/noise").asText()).isEqualTo("significant");
    assertThat(doc.at("/a/source").asText()).isEqualTo(fast.toString());
    CliRunner.Result md =
        CliRunner.run(
            "compare",
            fast.toString(),
            slow.toString(),
            "--format",
            "markdown",
            "--max-p99-increase",
            "2ms");
    assertThat(md.exitCode()).isEqualTo(1);
    assertThat(md.out())
        .startsWith("### Load test: checkout against its baseline")
        .contains("| broken tolerance | where | change |");
  }

  @Test
  void the_junit_report_of_a_comparison_is_read_by_surefire() throws Exception {
    Path xml = dir.resolve("compare.xml");
    CliRunner.Result r =
        CliRunner.run(
            "compare",
            fast.toString(),
            slow.toString(),
            "--max-mean-increase",
            "50%",
            "--junit-xml",
            xml.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    List<ReportTestSuite> suites =
        new TestSuiteXmlParser(new NullConsoleLogger()).parse(xml.toString());
    assertThat(suites).hasSize(1);
    assertThat(suites.get(0).getFullClassName()).isEqualTo("grindstone.checkout.baseline");
    ReportTestCase t1 = suites.get(0).getTestCases().get(0);
    assertThat(t1.getName()).isEqualTo("mean increase at most 50% [Test 1 \"Call\"]");
    assertThat(t1.getFailureMessage())
        .startsWith("Test 1 \"Call\": mean ")
        .contains("beyond an increase of at most 50%");
  }

  @Test
  void run_with_a_baseline_reports_the_regression_in_its_files_and_exit_code() throws Exception {
    Path out = dir.resolve("c");
    Path xml = dir.resolve("run.xml");
    CliRunner.Result r =
        run(
            dir.resolve("Slow.java"),
            out,
            "--baseline",
            fast.toString(),
            "--max-mean-increase",
            "50%",
            "--threshold",
            "p99<1s",
            "--junit-xml",
            xml.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(98);
    assertThat(r.out())
        .contains("Comparison with the baseline (A)")
        .contains("FAIL  mean increase at most 50%");
    Path folder = onlyFolderIn(out);
    assertThat(Files.readString(folder.resolve("summary.txt")))
        .contains("All thresholds passed.")
        .contains("Comparison with the baseline (A)")
        .contains("Regressed: 2 of 2 tolerance checks failed.");
    JsonNode doc = new ObjectMapper().readTree(folder.resolve("results.json").toFile());
    assertThat(doc.at("/baseline/regressed").asBoolean()).isTrue();
    assertThat(doc.at("/baseline/a/source").asText()).isEqualTo(fast.toString());
    assertThat(doc.at("/tests/0/tests").asLong())
        .isPositive(); // the run's own figures are still there

    List<ReportTestSuite> suites =
        new TestSuiteXmlParser(new NullConsoleLogger()).parse(xml.toString());
    assertThat(suites)
        .extracting(ReportTestSuite::getFullClassName)
        .containsExactly("grindstone.checkout.thresholds", "grindstone.checkout.baseline");
    assertThat(suites.get(0).getTestCases())
        .extracting(ReportTestCase::getName)
        .containsExactly("p99<1s [Test 1]", "p99<1s [Totals]");
    assertThat(suites.get(0).getNumberOfFailures()).isZero();
    assertThat(suites.get(1).getNumberOfFailures()).isEqualTo(2);
  }

  @Test
  void a_failed_threshold_keeps_exit_code_99_and_its_junit_failure_holds_actual_and_expected()
      throws Exception {
    Path xml = dir.resolve("threshold.xml");
    CliRunner.Result r =
        run(
            dir.resolve("Slow.java"),
            dir.resolve("d"),
            "--baseline",
            fast.toString(),
            "--max-mean-increase",
            "50%",
            "--threshold",
            "mean<1ms",
            "--junit-xml",
            xml.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(99);
    ReportTestCase failed =
        new TestSuiteXmlParser(new NullConsoleLogger())
            .parse(xml.toString())
            .get(0)
            .getTestCases()
            .get(0);
    assertThat(failed.getName()).isEqualTo("mean<1ms [Test 1]");
    assertThat(failed.getFailureMessage())
        .matches("Test 1: mean was \\d+\\.\\d\\d ms, expected < 1 ms");
  }

  @Test
  void runs_on_a_metrics_server_are_compared_by_id() throws Exception {
    try (MetricsServer server =
        MetricsServer.builder()
            .port(0)
            .jdbcUrl("jdbc:sqlite:" + dir.resolve("metrics.db"))
            .start()) {
      assertThat(CliRunner.run("upload", fast.toString(), "--server", server.url()).exitCode())
          .isZero();
      assertThat(CliRunner.run("upload", slow.toString(), "--server", server.url()).exitCode())
          .isZero();
      JsonNode runs =
          new ObjectMapper()
              .readTree(java.net.URI.create(server.url() + "/api/v1/runs").toURL())
              .path("runs");
      String newer = runs.get(0).path("id").asText();
      String older = runs.get(1).path("id").asText();
      CliRunner.Result r =
          CliRunner.run(
              "compare", older, newer, "--server", server.url(), "--max-mean-increase", "50%");
      assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
      assertThat(r.out())
          .contains(server.url() + "/api/v1/runs/" + older)
          .containsPattern("mean \\(ms\\) .* significant \\(p ");
      // A run name stands for the run marked as that name's baseline.
      CliRunner.Result none =
          CliRunner.run("compare", "checkout", fast.toString(), "--server", server.url());
      assertThat(none.exitCode()).isEqualTo(2);
      assertThat(none.err())
          .contains(
              "has neither a run with id 'checkout' nor a baseline for runs named 'checkout'");
      HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(
                      URI.create(server.url() + "/api/v1/runs/" + newer + "/baseline"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      CliRunner.Result byName =
          run(
              dir.resolve("Fast.java"),
              dir.resolve("e"),
              "--server",
              server.url(),
              "--baseline",
              "checkout",
              "--max-mean-increase",
              "10%");
      assertThat(byName.exitCode()).as(byName.err()).isZero();
      assertThat(byName.out()).contains(server.url() + "/api/v1/runs/" + newer);
      // A baseline may also be a server's run while the new run is local.
      CliRunner.Result mixed =
          CliRunner.run(
              "compare",
              older,
              fast.toString(),
              "--server",
              server.url(),
              "--max-mean-increase",
              "50%");
      assertThat(mixed.exitCode()).as(mixed.err()).isZero();
    }
  }

  @Test
  void bad_input_gets_exit_code_2_and_a_message_saying_what_to_give() {
    CliRunner.Result missing =
        CliRunner.run("compare", fast.toString(), dir.resolve("nope").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .contains("B '" + dir.resolve("nope") + "' is not a results folder")
        .contains("--server URL");
    CliRunner.Result format =
        CliRunner.run("compare", fast.toString(), slow.toString(), "--format", "html");
    assertThat(format.exitCode()).isEqualTo(2);
    assertThat(format.err()).contains("--format takes text, json or markdown, got 'html'");
    CliRunner.Result tolerance =
        CliRunner.run("compare", fast.toString(), slow.toString(), "--max-p99-increase", "x");
    assertThat(tolerance.exitCode()).isEqualTo(2);
    assertThat(tolerance.err()).contains("--max-p99-increase takes a percentage");
    CliRunner.Result down =
        CliRunner.run("compare", "run-1", "run-2", "--server", "http://127.0.0.1:9");
    assertThat(down.exitCode()).isEqualTo(2);
    assertThat(down.err()).contains("Cannot reach the metrics server at http://127.0.0.1:9");
    CliRunner.Result noBaseline =
        CliRunner.run("run", dir.resolve("Fast.java").toString(), "--max-p99-increase", "5%");
    assertThat(noBaseline.exitCode()).isEqualTo(2);
    assertThat(noBaseline.err()).contains("add --baseline");
  }
}
