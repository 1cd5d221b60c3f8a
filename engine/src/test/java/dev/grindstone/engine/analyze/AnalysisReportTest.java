package dev.grindstone.engine.analyze;

import static dev.grindstone.engine.analyze.DataLogAnalyzerTest.HEADER;
import static dev.grindstone.engine.analyze.DataLogAnalyzerTest.WORKED_EXAMPLE;
import static dev.grindstone.engine.analyze.DataLogAnalyzerTest.analyze;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.ExpressionView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalysisReportTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ExpressionView expression(String name, String text) {
    return ExpressionView.of(name, text, DataLogAnalyzer.create().schema());
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void json_has_one_object_per_test_and_one_for_the_totals_with_the_figures_as_numbers()
      throws Exception {
    AnalysisReport report = AnalysisReport.of(analyze(WORKED_EXAMPLE), List.of());
    JsonNode array = JSON.readTree(report.json());
    assertThat(array.size()).isEqualTo(2);
    JsonNode test = array.get(0);
    assertThat(fieldNames(test))
        .containsExactly(
            "test",
            "description",
            "tests",
            "errors",
            "meanTestTime",
            "testTimeStandardDeviation",
            "tps",
            "min",
            "p50",
            "p90",
            "p95",
            "p99",
            "p999",
            "max");
    assertThat(test.get("test").isInt()).isTrue();
    assertThat(test.get("test").asInt()).isEqualTo(1);
    assertThat(test.get("description").isNull()).isTrue();
    assertThat(test.get("tests").isIntegralNumber()).as("a long column stays whole").isTrue();
    assertThat(test.get("tests").asLong()).isEqualTo(4);
    assertThat(test.get("errors").asLong()).isEqualTo(1);
    assertThat(test.get("meanTestTime").asDouble()).isEqualTo(25.0);
    assertThat(test.get("testTimeStandardDeviation").asDouble()).isEqualTo(Math.sqrt(125));
    assertThat(test.get("tps").asDouble()).isEqualTo(2.0);
    assertThat(test.get("min").asDouble()).isEqualTo(10.0);
    assertThat(array.get(1).get("test").asText()).isEqualTo("Totals");
    assertThat(report.keys()).isEqualTo(fieldNames(test));
  }

  @Test
  void undefined_figures_are_null_in_json_and_empty_in_csv() throws Exception {
    AnalysisReport report =
        AnalysisReport.of(analyze(HEADER + "\n0, 0, 1, 1000, 5, 1\n"), List.of());
    JsonNode test = JSON.readTree(report.json()).get(0);
    assertThat(test.get("tests").asLong()).isZero();
    assertThat(test.get("errors").asLong()).isEqualTo(1);
    // No call succeeded: the deviation of no times is as undefined as their mean.
    for (String key : List.of("meanTestTime", "testTimeStandardDeviation", "min", "p50", "max")) {
      assertThat(test.get(key).isNull()).as(key).isTrue();
    }
    assertThat(report.csv().lines().toList().get(1)).isEqualTo("1,,0,1,,,0.0,,,,,,,");
    assertThat(report.text())
        .as("the text table shows both as '-'")
        .containsPattern("Test 1 +0 +1 +- +- +0\\.00");
  }

  @Test
  void registered_expressions_come_last_by_display_name_and_repeats_show_once() throws Exception {
    AnalysisReport report =
        AnalysisReport.of(
            analyze(WORKED_EXAMPLE),
            List.of(
                expression("Error rate", "(/ errors (+ (count timedTests) errors))"),
                expression("Slowest, \"exact\"", "(max timedTests)"),
                expression("Error rate", "(/ errors (+ (count timedTests)   errors))")));
    assertThat(report.keys()).endsWith("max", "Error rate", "Slowest, \"exact\"");
    JsonNode totals = JSON.readTree(report.json()).get(1);
    assertThat(totals.get("Error rate").asDouble()).isEqualTo(0.2);
    assertThat(totals.get("Slowest, \"exact\"").asDouble()).isEqualTo(40.0);
    assertThat(report.csv().lines().findFirst().orElseThrow())
        .endsWith(",max,Error rate,\"Slowest, \"\"exact\"\"\"");
    assertThat(report.text()).contains("Error rate");
  }

  @Test
  void a_percentile_expression_reads_the_tests_latency_histogram() throws Exception {
    AnalysisReport report =
        AnalysisReport.of(
            analyze(WORKED_EXAMPLE), List.of(expression("Median", "(percentile timedTests 50)")));
    JsonNode test = JSON.readTree(report.json()).get(0);
    assertThat(test.get("Median").asDouble())
        .isEqualTo(test.get("p50").asDouble())
        .isBetween(20.0, 20.02);
  }

  @Test
  void a_registered_name_that_is_a_report_key_or_another_column_is_refused() {
    var analysis = analyze(WORKED_EXAMPLE);
    assertThatThrownBy(
            () -> AnalysisReport.of(analysis, List.of(expression("tps", "(count timedTests)"))))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'tps' is one of the report's own keys");
    assertThatThrownBy(() -> AnalysisReport.of(analysis, List.of(expression("TPS", "errors"))))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("The column 'TPS' is already registered");
  }

  @Test
  void text_shows_the_summary_table_then_the_percentile_table() {
    String text = AnalysisReport.of(analyze(WORKED_EXAMPLE), List.of()).text();
    assertThat(text)
        .contains("Test 1       4            1            25.00        11.18        2.00\n");
    assertThat(text.indexOf("Mean Test")).isLessThan(text.indexOf("Min (ms)"));
    assertThat(text).doesNotContain("Mean time to");
  }

  @Test
  void calls_cancelled_at_stop_get_a_key_after_errors_and_a_note_only_when_there_are_any()
      throws Exception {
    AnalysisReport report =
        AnalysisReport.of(analyze(WORKED_EXAMPLE + "0, 3, 1, 1700000001990,,\n"), List.of());
    JsonNode test = JSON.readTree(report.json()).get(0);
    assertThat(fieldNames(test)).containsSequence("tests", "errors", "cancelled", "meanTestTime");
    assertThat(test.get("cancelled").asLong()).isEqualTo(1);
    assertThat(test.get("meanTestTime").asDouble()).isEqualTo(25.0);
    assertThat(JSON.readTree(report.json()).get(1).get("cancelled").asLong()).isEqualTo(1);
    assertThat(report.csv().lines().findFirst().orElseThrow())
        .startsWith("test,description,tests,errors,cancelled,");
    assertThat(report.csv().lines().toList().get(1)).startsWith("1,,4,1,1,25.0,");
    assertThat(report.text())
        .contains(
            "Calls cancelled at stop (lines with an empty Test time; not timed, and"
                + " counted neither as tests nor as errors): test 1: 1.");
    AnalysisReport none = AnalysisReport.of(analyze(WORKED_EXAMPLE), List.of());
    assertThat(none.keys()).doesNotContain("cancelled");
    assertThat(none.text()).doesNotContain("cancelled at stop");
  }
}
