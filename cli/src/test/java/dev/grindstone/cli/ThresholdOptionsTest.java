package dev.grindstone.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.surefire.log.api.NullConsoleLogger;
import org.apache.maven.plugins.surefire.report.ReportTestCase;
import org.apache.maven.plugins.surefire.report.ReportTestSuite;
import org.apache.maven.plugins.surefire.report.TestSuiteXmlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Windowed, per-phase and aborting thresholds from the command line and a run file. */
class ThresholdOptionsTest {

  @TempDir Path dir;

  @Test
  void an_aborting_windowed_rule_stops_the_run_with_exit_code_99_and_lands_in_the_junit_report()
      throws Exception {
    Path xml = dir.resolve("thresholds.xml");
    CliRunner.Result r =
        CliRunner.run(
            "run",
            RunCommandTest.EXAMPLES.resolve("Hello.java").toString(),
            "--users",
            "1",
            "--duration",
            "20s",
            "--period",
            "100ms",
            "--out",
            dir.resolve("results").toString(),
            "--threshold",
            "p50[200ms]<0.01ms abort_on_fail",
            "--threshold",
            "phase main: errors==0",
            "--junit-xml",
            xml.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(99);
    assertThat(r.out())
        .contains(", stopped by the threshold 'p50[200ms]<0.01ms abort_on_fail'")
        .contains("FAIL  p50[200ms]<0.01ms abort_on_fail")
        .contains("(worst 200 ms window ended at ")
        .contains("PASS  phase main: errors==0");

    List<ReportTestSuite> suites =
        new TestSuiteXmlParser(new NullConsoleLogger()).parse(xml.toString());
    List<ReportTestCase> cases = suites.getFirst().getTestCases();
    assertThat(cases)
        .extracting(ReportTestCase::getName)
        .contains("p50[200ms]<0.01ms abort_on_fail [Totals]", "phase main: errors==0 [Totals]");
    ReportTestCase windowed =
        cases.stream()
            .filter(c -> c.getName().startsWith("p50[200ms]") && c.getName().endsWith("[Totals]"))
            .findFirst()
            .orElseThrow();
    assertThat(windowed.getFailureMessage())
        .startsWith("Totals: p50 was ")
        .contains("expected < 0.01 ms")
        .contains("(worst 200 ms window ended at ");
  }

  @Test
  void a_run_file_takes_thresholds_in_k6s_object_form() throws Exception {
    Files.copy(RunCommandTest.EXAMPLES.resolve("Hello.java"), dir.resolve("Hello.java"));
    Path yaml =
        Files.writeString(
            dir.resolve("run.yaml"),
            """
            name: objects
            scenario: Hello.java
            period: 100ms
            thresholds:
              - "errors==0"
              - {threshold: "max[200ms]<0.001ms", phase: hold, abort_on_fail: true, delay_abort_eval: 300ms}
            phases:
              - {name: hold, duration: 20s, users: 1}
            """);
    CliRunner.Result r =
        CliRunner.run("run", yaml.toString(), "--out", dir.resolve("results").toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(99);
    assertThat(r.out())
        .contains(
            "stopped by the threshold 'phase 'hold': max[200ms]<0.001ms abort_on_fail"
                + " delay_abort_eval=300ms'");
    try (Stream<Path> s = Files.list(dir.resolve("results"))) {
      Path folder = s.findFirst().orElseThrow();
      assertThat(Files.readString(folder.resolve("results.json"))).contains("\"abortedBy\"");
    }
  }

  @Test
  void a_threshold_object_with_a_delay_and_no_abort_is_refused_at_its_line() throws Exception {
    Files.copy(RunCommandTest.EXAMPLES.resolve("Hello.java"), dir.resolve("Hello.java"));
    Path yaml =
        Files.writeString(
            dir.resolve("bad.yaml"),
            """
            name: bad
            scenario: Hello.java
            thresholds:
              - {threshold: "p99<1s", delay_abort_eval: 5s, abort: true}
            phases: [{name: hold, duration: 1s, users: 1}]
            """);
    CliRunner.Result r =
        CliRunner.run("run", yaml.toString(), "--out", dir.resolve("results").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .contains("bad.yaml:4:")
        .contains("unknown field 'abort'")
        .contains("delays abort_on_fail: add abort_on_fail: true, or drop it");
  }
}
