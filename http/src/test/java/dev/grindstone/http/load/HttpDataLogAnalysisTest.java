package dev.grindstone.http.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.analyze.AnalysisReport;
import dev.grindstone.engine.analyze.DataLogAnalysis;
import dev.grindstone.engine.analyze.DataLogAnalyzer;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.expr.Expressions;
import dev.grindstone.stats.results.TestFigures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP plug-in's data-log columns, read and added up by {@code grindstone analyze}. */
class HttpDataLogAnalysisTest {

  static final String HEADER = "Thread, Run, Test, Start time (ms since Epoch), Test time, Errors";
  static final String HTTP_HEADER =
      HEADER
          + ", HTTP response code, HTTP response length, HTTP response errors, Time to resolve"
          + " host, Time to establish connection, Time to first byte, New connections";

  private static final List<Plugin> PLUGINS = List.of(HttpPlugin.INSTANCE);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StatisticsSchema schema = DataLogAnalyzer.create(PLUGINS).schema();
  private final SampleIndex timed = schema.sampleIndex("timedTests");
  private final LongIndex errors = schema.longIndex("errors");

  private static DataLogAnalyzer.Builder analyzer() {
    return DataLogAnalyzer.builder().plugins(PLUGINS);
  }

  static DataLogAnalysis analyze(String... files) {
    return analyze(DataLogAnalyzer.create(PLUGINS), OptionalLong.empty(), files);
  }

  static DataLogAnalysis analyze(DataLogAnalyzer analyzer, OptionalLong period, String... files) {
    try {
      for (int i = 0; i < files.length; i++) {
        analyzer.add(
            "data" + i + ".log",
            new ByteArrayInputStream(files[i].getBytes(StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return analyzer.analyze(period);
  }

  private double eval(String expression, TestFigures f) {
    return Expressions.parse(expression, schema).getDoubleValue(f);
  }

  private static String badInput(String content) {
    List<String> messages = new ArrayList<>();
    try {
      analyze(content);
    } catch (BadInputException e) {
      messages.add(e.getMessage());
    }
    assertThat(messages).as("a BadInputException").hasSize(1);
    return messages.get(0);
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void a_failed_call_adds_only_errors_and_its_time_goes_to_the_error_histogram() {
    DataLogAnalysis a =
        analyze(
            HTTP_HEADER
                + "\n"
                + "0, 0, 3, 1000, 55, 1, 500, 2048, 1, 2, 3, 4, 1\n"
                + "0, 1, 3, 1100, 7, 0, 200, 100, 0, 0, 0, 6, 0\n");
    TestFigures t = a.tests().get(0);
    StatisticsSet s = t.statistics();
    assertThat(s.getLong(errors)).isEqualTo(1);
    assertThat(s.getCount(timed)).isEqualTo(1);
    assertThat(s.getSum(timed)).isEqualTo(7_000);
    assertThat(s.getLong(schema.longIndex("httpplugin.responseLength"))).isEqualTo(100);
    assertThat(s.getLong(schema.longIndex("httpplugin.responseErrors"))).isZero();
    assertThat(s.getLong(schema.longIndex("httpplugin.dnsTime"))).isZero();
    assertThat(s.getLong(schema.longIndex("httpplugin.connectionsEstablished"))).isZero();
    assertThat(t.failures().getTotalCount()).isEqualTo(1);
    assertThat(t.failures().valuesAreEquivalent(t.failures().getMaxValue(), 55_000)).isTrue();
    assertThat(t.successes().getTotalCount()).isEqualTo(1);
  }

  @Test
  void http_columns_are_summed_except_the_status_which_keeps_the_last_value() {
    DataLogAnalysis a =
        analyze(
            HTTP_HEADER
                + "\n"
                + "0, 0, 1, 1000, 10, 0, 200, 1000, 0, 1.5, 3.25, 8, 1\n"
                + "0, 1, 1, 1010, 20, 0, 404, 500, 1, 0.25, 0.5, 12.125, 1\n"
                + "0, 2, 1, 1030, 30, 0, 302, 0, 0, 0, 0, 20, 0\n");
    assertThat(a.plugins()).containsExactly(HttpPlugin.INSTANCE);
    StatisticsSet s = a.tests().get(0).statistics();
    assertThat(s.getLong(schema.longIndex("httpplugin.responseStatus"))).isEqualTo(302);
    assertThat(s.getLong(schema.longIndex("httpplugin.responseLength"))).isEqualTo(1500);
    assertThat(s.getLong(schema.longIndex("httpplugin.responseErrors"))).isEqualTo(1);
    assertThat(s.getLong(schema.longIndex("httpplugin.dnsTime"))).as("µs").isEqualTo(1_750);
    assertThat(s.getLong(schema.longIndex("httpplugin.connectTime"))).as("µs").isEqualTo(3_750);
    assertThat(s.getLong(schema.longIndex("httpplugin.firstByteTime"))).as("µs").isEqualTo(40_125);
    assertThat(s.getLong(schema.longIndex("httpplugin.connectionsEstablished"))).isEqualTo(2);
    TestFigures totals = a.totals();
    assertThat(totals.statistics().getLong(schema.longIndex("httpplugin.responseStatus")))
        .isEqualTo(302);
    assertThat(eval("(/ httpplugin.dnsTime httpplugin.connectionsEstablished)", totals))
        .isEqualTo(0.875);
  }

  @Test
  void lines_split_across_buffer_refills_read_as_whole_lines() {
    Random random = new Random(42);
    StringBuilder log = new StringBuilder(HTTP_HEADER).append('\n');
    for (int i = 0; i < 2_000; i++) {
      log.append(i % 7)
          .append(", ")
          .append(i)
          .append(", ")
          .append(random.nextInt(5))
          .append(", ")
          .append(1_700_000_000_000L + i * 3L)
          .append(", ")
          .append(random.nextInt(1000))
          .append('.')
          .append(random.nextInt(1000))
          .append(", ")
          .append(random.nextInt(20) == 0 ? 1 : 0)
          .append(", 200, ")
          .append(random.nextInt(100_000))
          .append(", 0, 0.5, 1.25, ")
          .append(random.nextInt(100))
          .append(", 1")
          .append(i % 3 == 0 ? "\r\n" : "\n");
    }
    DataLogAnalysis big = analyze(log.toString());
    DataLogAnalysis small =
        analyze(
            analyzer().bufferBytes(HTTP_HEADER.length() + 2).threads(1).build(),
            OptionalLong.empty(),
            log.toString());
    assertThat(small.rows()).isEqualTo(2_000);
    assertThat(small.periodMillis()).isEqualTo(big.periodMillis());
    for (int i = 0; i < big.tests().size(); i++) {
      assertThat(small.tests().get(i).statistics()).isEqualTo(big.tests().get(i).statistics());
      assertThat(small.tests().get(i).successes()).isEqualTo(big.tests().get(i).successes());
    }
  }

  private static String randomHttpLog(int rows) {
    Random random = new Random(7);
    StringBuilder log = new StringBuilder(HTTP_HEADER).append('\n');
    for (int i = 0; i < rows; i++) {
      log.append(i % 5)
          .append(", ")
          .append(i)
          .append(", ")
          .append(1 + random.nextInt(4))
          .append(", ")
          .append(1_700_000_000_000L + i)
          .append(", ")
          .append(random.nextInt(500))
          .append('.')
          .append(random.nextInt(10))
          .append(", ")
          .append(random.nextInt(10) == 0 ? 1 : 0)
          .append(", ")
          .append(200 + random.nextInt(4))
          .append(", ")
          .append(random.nextInt(9000))
          .append(", 0, 0.25, 1, ")
          .append(random.nextInt(50))
          .append(", 1\n");
    }
    return log.toString();
  }

  @Test
  void a_file_read_in_parallel_chunks_gives_the_figures_of_a_sequential_read(@TempDir Path dir)
      throws IOException {
    String log = randomHttpLog(3_000);
    Path f = Files.writeString(dir.resolve("big-data.log"), log);
    DataLogAnalyzer sequential = DataLogAnalyzer.create(PLUGINS);
    sequential.add("big-data.log", new ByteArrayInputStream(log.getBytes(StandardCharsets.UTF_8)));
    DataLogAnalysis expected = sequential.analyze(OptionalLong.empty());
    DataLogAnalyzer chunked = analyzer().bufferBytes(512).threads(3).minChunkBytes(1_000).build();
    assertThat(chunked.add(f)).isEqualTo(3_000);
    DataLogAnalysis actual = chunked.analyze(OptionalLong.empty());
    assertThat(actual.rows()).isEqualTo(expected.rows());
    assertThat(actual.periodMillis()).isEqualTo(expected.periodMillis());
    assertThat(actual.tests()).hasSameSizeAs(expected.tests());
    for (int i = 0; i < expected.tests().size(); i++) {
      TestFigures e = expected.tests().get(i);
      TestFigures a = actual.tests().get(i);
      assertThat(a.statistics().getCount(timed)).isEqualTo(e.statistics().getCount(timed));
      assertThat(a.statistics().getSum(timed)).isEqualTo(e.statistics().getSum(timed));
      assertThat(a.statistics().getVariance(timed))
          .isCloseTo(
              e.statistics().getVariance(timed), within(1e-9 * e.statistics().getVariance(timed)));
      for (LongIndex l : schema.longs()) {
        assertThat(a.statistics().getLong(l)).as(l.name()).isEqualTo(e.statistics().getLong(l));
      }
      assertThat(a.successes()).isEqualTo(e.successes());
      assertThat(a.failures()).isEqualTo(e.failures());
    }
    assertThat(actual.totals().statistics().getLong(schema.longIndex("httpplugin.responseStatus")))
        .as("the last line's status")
        .isEqualTo(
            expected.totals().statistics().getLong(schema.longIndex("httpplugin.responseStatus")));
  }

  @Test
  void a_bad_line_in_a_later_chunk_is_numbered_from_the_start_of_the_file(@TempDir Path dir)
      throws IOException {
    List<String> lines = new ArrayList<>(randomHttpLog(3_000).lines().toList());
    lines.set(2_500, lines.get(2_500).replaceAll(", 1$", ", one"));
    Path f = Files.writeString(dir.resolve("bad-data.log"), String.join("\n", lines) + "\n");
    assertThatThrownBy(
            () -> analyzer().bufferBytes(512).threads(3).minChunkBytes(1_000).build().add(f))
        .isInstanceOf(BadInputException.class)
        .hasMessage(f + ":2501: column 13 (New connections): 'one' is not a number");

    lines.set(10, lines.get(10).replaceFirst("^((?:[^,]*,){4})[^,]*", "$1 2x0"));
    Files.writeString(f, String.join("\n", lines) + "\n");
    assertThatThrownBy(
            () -> analyzer().bufferBytes(512).threads(3).minChunkBytes(1_000).build().add(f))
        .as("the first bad line of the file")
        .hasMessage(f + ":11: column 5 (Test time): '2x0' is not a number");
  }

  @Test
  void http_columns_out_of_order_are_refused() {
    assertThat(badInput(HEADER + ", HTTP response code, HTTP response errors\n"))
        .startsWith(
            "data0.log:1: column 8 (HTTP response length): expected the HTTP plug-in's column"
                + " 'HTTP response length', found 'HTTP response errors'");
    assertThat(badInput(HEADER + ", Cache hits, HTTP response code\n"))
        .startsWith(
            "data0.log:1: column 8 (HTTP response code): the HTTP plug-in's columns must follow"
                + " 'Errors'");
    assertThat(badInput(HEADER + ", , Cache hits\n"))
        .startsWith("data0.log:1: column 7: the header has an empty column name");
  }

  @Test
  void a_value_that_is_not_a_number_is_refused() {
    assertThat(badInput(HTTP_HEADER + "\n0, 0, 1, 1000, 1, 0, 200, 10, 0, 0, 0, fast, 0\n"))
        .isEqualTo("data0.log:2: column 12 (Time to first byte): 'fast' is not a number");
  }

  @Test
  void a_missing_column_is_refused() {
    assertThat(badInput(HTTP_HEADER + "\n0, 0, 1, 1000, 1, 0, 200\n"))
        .isEqualTo(
            "data0.log:2: column 8 (HTTP response length) is missing: the line has 7 columns,"
                + " the header 13");
  }

  @Test
  void a_time_beyond_the_accepted_range_is_refused_at_its_line() {
    assertThat(badInput(HTTP_HEADER + "\n0, 0, 1, 1000, 1, 0, 200, 10, 0, 2e15, 0, 0, 1\n"))
        .isEqualTo("data0.log:2: column 10 (Time to resolve host): '2e15' is out of range");
  }

  @Test
  void times_that_add_up_beyond_what_a_sum_holds_are_refused_naming_the_line_and_test() {
    String lengths =
        HTTP_HEADER
            + "\n0, 0, 1, 1000, 1, 0, 200, 5000000000000000000, 0, 0, 0, 0, 1\n"
            + "0, 1, 1, 1000, 1, 0, 200, 5000000000000000000, 0, 0, 0, 0, 1\n";
    assertThat(badInput(lengths))
        .isEqualTo(
            "data0.log:3: column 8 (HTTP response length): test 1: the HTTP"
                + " response length values add up to more than "
                + SUM_LIMIT);
  }

  @Test
  void a_line_with_an_empty_test_time_is_a_call_cancelled_at_stop_neither_timed_nor_counted() {
    DataLogAnalysis http =
        analyze(
            HTTP_HEADER
                + "\n0, 0, 1, 1000, 10, 0, 200, 1000, 1, 1.5, 3, 8, 1\n0, 1, 1, 1010,,,,,,,,,\n");
    assertThat(http.tests().get(0).cancelled()).isEqualTo(1);
  }

  @Test
  void http_keys_follow_the_summary_keys_when_the_logs_have_http_columns() throws Exception {
    AnalysisReport report =
        AnalysisReport.of(
            analyze(HTTP_HEADER + "\n0, 0, 1, 1000, 10, 0, 200, 1000, 1, 1.5, 3, 8, 1\n"),
            List.of());
    JsonNode test = JSON.readTree(report.json()).get(0);
    assertThat(fieldNames(test))
        .containsSequence(
            "tps",
            "meanResponseLength",
            "responseBytesPerSecond",
            "responseErrors",
            "meanTimeToResolveHost",
            "meanTimeToEstablishConnection",
            "meanTimeToFirstByte",
            "min");
    assertThat(test.get("meanResponseLength").asDouble()).isEqualTo(1000.0);
    assertThat(test.get("responseBytesPerSecond").asDouble()).isEqualTo(100_000.0);
    assertThat(test.get("responseErrors").isIntegralNumber()).isTrue();
    assertThat(test.get("meanTimeToResolveHost").asDouble()).isEqualTo(1.5);
    assertThat(test.get("meanTimeToEstablishConnection").asDouble()).isEqualTo(3.0);
    assertThat(test.get("meanTimeToFirstByte").asDouble()).isEqualTo(8.0);
  }

  @Test
  void a_registered_name_that_is_a_report_key_or_another_column_is_refused() {
    var analysis = analyze(HEADER + "\n0, 0, 1, 1000, 10, 0\n");
    ExpressionView errors = ExpressionView.of("meanTimeToFirstByte", "errors", analysis.schema());
    assertThatThrownBy(() -> AnalysisReport.of(analysis, List.of(errors)))
        .isInstanceOf(BadInputException.class);
  }

  /** What a sum can hold, as the analyzer's messages say it. */
  private static final String SUM_LIMIT =
      "2^63 - 1 (in µs for times: about 292,000 years), which is as far"
          + " as they can be added exactly; a data log of calls never gets there";
}
