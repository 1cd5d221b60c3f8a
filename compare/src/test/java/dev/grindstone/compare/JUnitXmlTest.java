package dev.grindstone.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.surefire.log.api.NullConsoleLogger;
import org.apache.maven.plugins.surefire.report.ReportTestCase;
import org.apache.maven.plugins.surefire.report.ReportTestSuite;
import org.apache.maven.plugins.surefire.report.TestSuiteXmlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report as Maven Surefire's report parser (what surefire-report and CI plugins use) reads it.
 */
class JUnitXmlTest {

  @Test
  void surefire_reads_each_rule_as_a_test_case_and_each_failure_with_actual_and_expected(
      @TempDir Path dir) throws Exception {
    Path file = dir.resolve("reports/TEST-grindstone.xml");
    JUnitXml.write(
        file,
        List.of(
            new JUnitXml.Suite(
                "grindstone.checkout.thresholds",
                1_700_000_000_000L,
                30.5,
                List.of(
                    new RuleResult(
                        "p99<250ms",
                        "Test 1",
                        true,
                        "212.40 ms",
                        "< 250 ms",
                        "Test 1: p99 212.40 ms, < 250 ms"),
                    new RuleResult(
                        "p99<250ms",
                        "Totals",
                        false,
                        "312.40 ms",
                        "< 250 ms",
                        "Totals: p99 was 312.40 ms, expected < 250 ms"))),
            new JUnitXml.Suite(
                "grindstone.checkout.baseline",
                1_700_000_000_000L,
                30.5,
                List.of(
                    new RuleResult(
                        "p99 increase at most 10%",
                        "Test 2 \"<Search> & \u0001find\"",
                        false,
                        "+30.00% (15.00 ms -> 19.50 ms)",
                        "an increase of at most 10%",
                        "Test 2: p99 rose & <broke> it")))));

    List<ReportTestSuite> suites =
        new TestSuiteXmlParser(new NullConsoleLogger()).parse(file.toString());

    assertThat(suites)
        .extracting(ReportTestSuite::getFullClassName)
        .containsExactly("grindstone.checkout.thresholds", "grindstone.checkout.baseline");
    ReportTestSuite thresholds = suites.get(0);
    assertThat(thresholds.getNumberOfTests()).isEqualTo(2);
    assertThat(thresholds.getNumberOfFailures()).isEqualTo(1);
    assertThat(thresholds.getTestCases())
        .extracting(ReportTestCase::getName)
        .containsExactly("p99<250ms [Test 1]", "p99<250ms [Totals]");
    ReportTestCase failed = thresholds.getTestCases().get(1);
    assertThat(failed.hasFailure()).isTrue();
    assertThat(failed.getFailureMessage())
        .isEqualTo("Totals: p99 was 312.40 ms, expected < 250 ms");
    assertThat(failed.getFailureDetail())
        .contains("actual: 312.40 ms")
        .contains("expected: < 250 ms");
    assertThat(thresholds.getTestCases().get(0).isSuccessful()).isTrue();

    ReportTestCase tolerance = suites.get(1).getTestCases().get(0);
    assertThat(tolerance.getName())
        .isEqualTo("p99 increase at most 10% [Test 2 \"<Search> & \uFFFDfind\"]");
    assertThat(tolerance.getFailureMessage()).isEqualTo("Test 2: p99 rose & <broke> it");
  }

  @Test
  void no_rules_make_an_empty_suite_that_still_parses(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("TEST-empty.xml");
    JUnitXml.write(file, List.of(new JUnitXml.Suite("grindstone.x.thresholds", 0, 1, List.of())));
    List<ReportTestSuite> suites =
        new TestSuiteXmlParser(new NullConsoleLogger()).parse(file.toString());
    assertThat(suites).hasSize(1);
    assertThat(suites.get(0).getNumberOfTests()).isZero();
  }
}
