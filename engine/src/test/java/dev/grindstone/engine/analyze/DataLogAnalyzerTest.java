package dev.grindstone.engine.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.expr.Expressions;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLogAnalyzerTest {

  static final String HEADER = "Thread, Run, Test, Start time (ms since Epoch), Test time, Errors";

  /** Four successes of 10, 20, 30 and 40 ms and an error of 55 ms, spanning 2000 ms. */
  static final String WORKED_EXAMPLE =
      HEADER
          + "\n"
          + "0, 0, 1, 1700000000000, 10, 0\n"
          + "0, 1, 1, 1700000000500, 20, 0\n"
          + "1, 0, 1, 1700000001000, 30, 0\n"
          + "1, 1, 1, 1700000001500, 40, 0\n"
          + "0, 2, 1, 1700000001945, 55, 1\n";

  private final StatisticsSchema schema = DataLogAnalyzer.create().schema();
  private final SampleIndex timed = schema.sampleIndex("timedTests");
  private final LongIndex errors = schema.longIndex("errors");
  private final LongIndex period = schema.longIndex("period");

  static DataLogAnalysis analyze(String... files) {
    return analyze(DataLogAnalyzer.create(), OptionalLong.empty(), files);
  }

  /** Reads {@code files} as {@code data0.log}, {@code data1.log}, ... and analyzes them. */
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

  @Test
  void worked_example_gives_grinders_figures() {
    DataLogAnalysis a = analyze(WORKED_EXAMPLE);
    assertThat(a.rows()).isEqualTo(5);
    assertThat(a.periodMillis()).as("latest start + time minus earliest start").isEqualTo(2000);
    assertThat(a.tests()).hasSize(1);
    TestFigures t = a.tests().get(0);
    assertThat(t.statistics().getCount(timed)).isEqualTo(4);
    assertThat(t.statistics().getLong(errors)).isEqualTo(1);
    assertThat(eval("(/ (sum timedTests) (count timedTests))", t)).isEqualTo(25.0);
    assertThat(eval("(variance timedTests)", t))
        .as("population variance")
        .isCloseTo(125.0, within(1e-9));
    assertThat(eval("(sqrt (variance timedTests))", t)).isCloseTo(11.18, within(0.005));
    assertThat(eval("(* 1000 (/ (+ (count timedTests) untimedTests) period))", t)).isEqualTo(2.0);
    assertThat(a.totals().statistics().getLong(period)).isEqualTo(2000);
  }

  @Test
  void fractional_milliseconds_round_to_the_nearest_microsecond() {
    DataLogAnalysis a =
        analyze(
            HEADER
                + "\n"
                + "0, 0, 1, 1000, 0.213, 0\n"
                + "0, 0, 2, 1000, 0.0005, 0\n"
                + "0, 0, 3, 1000, 0.0004999, 0\n"
                + "0, 0, 4, 1000, 1.0E3, 0\n"
                + "0, 0, 5, 1000, 12., 0\n"
                + "0, 0, 6, 1000, .5, 0\n"
                + "0, 0, 7, 1000, 2.71828, 0\n");
    long[] expected = {213, 1, 0, 1_000_000, 12_000, 500, 2_718};
    for (int i = 0; i < expected.length; i++) {
      assertThat(a.tests().get(i).statistics().getSum(timed))
          .as("test %d", i + 1)
          .isEqualTo(expected[i]);
      assertThat(
              Math.round(
                  Double.parseDouble(
                          new String[] {
                                "0.213", "0.0005", "0.0004999", "1.0E3", "12.", ".5", "2.71828"
                              }
                              [i])
                      * 1000))
          .as("same as Math.round(x * 1000)")
          .isEqualTo(expected[i]);
    }
  }

  @Test
  void extra_registered_columns_are_read_and_ignored() {
    DataLogAnalysis a =
        analyze(
            HEADER
                + ", userLong0, Cache hits\n"
                + "0, 0, 1, 1000, 10, 0, 5, whatever\n"
                + "0, 0, 1, 1010, 20, 0, 7,\n");
    assertThat(a.plugins()).as("no plug-in's columns").isEmpty();
    assertThat(a.tests().get(0).statistics().getCount(timed)).isEqualTo(2);
    assertThat(a.tests().get(0).statistics().getLong(schema.longIndex("userLong0"))).isZero();
  }

  @Test
  void separators_may_carry_any_spaces_and_lines_may_end_in_crlf_after_a_byte_order_mark() {
    DataLogAnalysis a =
        analyze(
            "\uFEFF"
                + HEADER.replace(", ", ",")
                + "\r\n"
                + "0,0,1,1000,10,0\r\n"
                + "\r\n"
                + "  0 ,\t0 ,  1 , 1010 ,20 ,0  \r\n"
                + "0, 0, 1, 1020, 30, 0");
    TestFigures t = a.tests().get(0);
    assertThat(t.statistics().getCount(timed)).isEqualTo(3);
    assertThat(t.statistics().getSum(timed)).isEqualTo(60_000);
    assertThat(a.periodMillis()).isEqualTo(50);
  }

  @Test
  void several_files_add_up_as_several_workers() {
    String worker0 =
        HEADER + "\n0, 0, 1, 1000, 10, 0\n0, 1, 2, 1010, 20, 0\n0, 2, 1, 1040, 55, 1\n";
    String worker1 = HEADER + "\n0, 0, 1, 2000, 30, 0\n0, 1, 1, 2030, 40, 0\n";
    DataLogAnalysis merged = analyze(worker0, worker1);
    assertThat(merged.rows()).isEqualTo(5);
    assertThat(merged.periodMillis()).isEqualTo(2070 - 1000);
    TestFigures one = merged.tests().get(0);
    assertThat(one.statistics().getCount(timed)).isEqualTo(3);
    assertThat(one.statistics().getLong(errors)).isEqualTo(1);
    assertThat(eval("(variance timedTests)", one))
        .as("of 10, 30, 40")
        .isCloseTo(1400.0 / 9, within(1e-9));
    assertThat(merged.totals().statistics().getCount(timed)).isEqualTo(4);
    assertThat(eval("(variance timedTests)", merged.totals()))
        .as("of 10, 20, 30, 40")
        .isCloseTo(125.0, within(1e-9));
    assertThat(merged.totals().successes().getTotalCount()).isEqualTo(4);
    assertThat(merged.totals().failures().getTotalCount()).isEqualTo(1);
  }

  @Test
  void tests_are_listed_by_number_whatever_their_size_or_sign() {
    DataLogAnalysis a =
        analyze(
            HEADER
                + "\n"
                + "0, 0, 5000, 1000, 1, 0\n"
                + "0, 0, 3, 1000, 1, 0\n"
                + "0, 0, -2, 1000, 1, 0\n"
                + "0, 0, 1023, 1000, 1, 0\n"
                + "0, 0, 1024, 1000, 1, 0\n"
                + "0, 0, 5000, 1000, 1, 0\n");
    assertThat(a.tests()).extracting(TestFigures::test).containsExactly(-2, 3, 1023, 1024, 5000);
    assertThat(a.tests().get(4).statistics().getCount(timed)).isEqualTo(2);
  }

  @Test
  void a_given_period_replaces_the_span_of_the_calls() {
    DataLogAnalysis a = analyze(DataLogAnalyzer.create(), OptionalLong.of(4000), WORKED_EXAMPLE);
    assertThat(a.periodMillis()).isEqualTo(4000);
    assertThat(eval("(* 1000 (/ (count timedTests) period))", a.tests().get(0))).isEqualTo(1.0);
    assertThatThrownBy(() -> analyze(DataLogAnalyzer.create(), OptionalLong.of(0), WORKED_EXAMPLE))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("positive");
  }

  @Test
  void a_header_without_rows_is_an_empty_analysis() {
    DataLogAnalysis a = analyze(HEADER + "\n");
    assertThat(a.rows()).isZero();
    assertThat(a.tests()).isEmpty();
    assertThat(a.periodMillis()).isZero();
    assertThat(a.totals().statistics().isZero()).isTrue();
  }

  @Test
  void files_are_read_from_disk_and_named_as_given(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("host-0-data.log");
    Files.writeString(f, WORKED_EXAMPLE);
    DataLogAnalyzer analyzer = DataLogAnalyzer.create();
    assertThat(analyzer.add(f)).isEqualTo(5);
    assertThat(analyzer.analyze(OptionalLong.empty()).totals().statistics().getCount(timed))
        .isEqualTo(4);

    assertThatThrownBy(() -> DataLogAnalyzer.create().add(dir.resolve("missing.log")))
        .isInstanceOf(BadInputException.class)
        .hasMessage(dir.resolve("missing.log") + ": no such file");
    assertThatThrownBy(() -> DataLogAnalyzer.create().add(dir))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining(dir + ": is a folder");
  }

  // --- bad input: every message names the file, the line and the column ---

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

  @Test
  void an_empty_file_is_refused() {
    assertThat(badInput(""))
        .isEqualTo(
            "data0.log: the file is empty; a Grinder data log starts with the header line 'Thread,"
                + " Run, Test, Start time (ms since Epoch), Test time, Errors'");
    assertThat(badInput("\n  \n")).startsWith("data0.log: the file is empty");
  }

  @Test
  void a_file_without_the_header_is_refused() {
    assertThat(badInput("0, 0, 1, 1700000000103, 40, 0\n"))
        .isEqualTo(
            "data0.log:1: column 1 (Thread): expected the header 'Thread', found '0'; a Grinder"
                + " data log starts with the line 'Thread, Run, Test, Start time (ms since Epoch),"
                + " Test time, Errors'");
    assertThat(badInput("Thread, Run, Test, Start time, Test time, Errors\n"))
        .startsWith(
            "data0.log:1: column 4 (Start time (ms since Epoch)): expected the header"
                + " 'Start time (ms since Epoch)', found 'Start time'");
    assertThat(badInput("Thread, Run, Test\n"))
        .startsWith(
            "data0.log:1: column 4 (Start time (ms since Epoch)) is missing from the header");
  }

  @Test
  void a_value_that_is_not_a_number_is_refused() {
    assertThat(badInput(WORKED_EXAMPLE + "0, 3, 1, 1700000002000, abc, 0\n"))
        .isEqualTo("data0.log:7: column 5 (Test time): 'abc' is not a number");
    assertThat(badInput(HEADER + "\n0, 0, x1, 1000, 1, 0\n"))
        .isEqualTo("data0.log:2: column 3 (Test): 'x1' is not a number");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 12ms, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '12ms' is not a number");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 1.5.2, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '1.5.2' is not a number");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 1e, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '1e' is not a number");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 1 2, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '1 2' is not a number");
  }

  @Test
  void a_fraction_where_a_whole_number_belongs_is_refused() {
    assertThat(badInput(HEADER + "\n0, 0, 1.5, 1000, 1, 0\n"))
        .isEqualTo("data0.log:2: column 3 (Test): '1.5' is not a whole number");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 1, \n"))
        .isEqualTo("data0.log:2: column 6 (Errors): the value is empty; expected a whole number");
  }

  @Test
  void negative_times_and_errors_and_numbers_out_of_range_are_refused() {
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, -3, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '-3' must not be negative");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 3, -1\n"))
        .isEqualTo("data0.log:2: column 6 (Errors): '-1' must not be negative");
    assertThat(badInput(HEADER + "\n0, 0, 99999999999, 1000, 3, 0\n"))
        .isEqualTo("data0.log:2: column 3 (Test): '99999999999' is out of range for a test number");
    assertThat(badInput(HEADER + "\n0, 0, 1, 99999999999999999999, 3, 0\n"))
        .isEqualTo(
            "data0.log:2: column 4 (Start time (ms since Epoch)): '99999999999999999999' is out of"
                + " range");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 1e300, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '1e300' is out of range");
  }

  @Test
  void a_missing_column_is_refused() {
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000\n"))
        .isEqualTo(
            "data0.log:2: column 5 (Test time) is missing: the line has 4 columns, the header 6");
  }

  @Test
  void a_line_with_more_columns_than_the_header_is_refused() {
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 1, 0, 200, 10\n"))
        .isEqualTo(
            "data0.log:2: column 7: unexpected; the line has 8 columns but the header 6;"
                + " remove the extra columns or name them in the header");
  }

  @Test
  void a_line_longer_than_the_buffer_is_refused() {
    DataLogAnalyzer analyzer = DataLogAnalyzer.builder().bufferBytes(128).threads(1).build();
    String log = HEADER + "\n0, 0, 1, 1000, 1, 0" + " ".repeat(200) + "\n";
    assertThatThrownBy(() -> analyze(analyzer, OptionalLong.empty(), log))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "data0.log:2: the line is longer than 128 bytes; a data log line holds a few"
                + " comma-separated numbers");
  }

  @Test
  void errors_name_the_line_counted_from_one_in_the_file_that_holds_it() {
    String good = WORKED_EXAMPLE;
    DataLogAnalyzer analyzer = DataLogAnalyzer.create();
    assertThatThrownBy(
            () ->
                analyze(analyzer, OptionalLong.empty(), good, HEADER + "\n\n0, 0, 1, 1000, ?, 0\n"))
        .hasMessage("data1.log:3: column 5 (Test time): '?' is not a number");
  }

  @Test
  void a_time_beyond_the_accepted_range_is_refused_at_its_line() {
    String nineE15 =
        HEADER + "\n0, 0, 1, 1000, 9e15, 0\n0, 1, 1, 1000, 9e15, 0\n0, 2, 1, 1000, 9e15, 0\n";
    assertThat(badInput(nineE15))
        .isEqualTo("data0.log:2: column 5 (Test time): '9e15' is out of range");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 9000000000000000, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '9000000000000000' is out of range");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, 1000000000000000.001, 0\n"))
        .isEqualTo("data0.log:2: column 5 (Test time): '1000000000000000.001' is out of range");
  }

  @Test
  void times_at_the_top_of_the_range_keep_an_exact_sum() {
    DataLogAnalysis a =
        analyze(
            HEADER + "\n0, 0, 1, 1000, 1000000000000000, 0\n0, 1, 1, 1000, 999999999999999, 0\n");
    TestFigures t = a.tests().get(0);
    assertThat(t.statistics().getSum(timed)).isEqualTo(1_999_999_999_999_999_000L);
    assertThat(eval("(/ (sum timedTests) (count timedTests))", t))
        .isCloseTo(999_999_999_999_999.5, within(0.5));
    assertThat(eval("(sqrt (variance timedTests))", t))
        .as("double precision: 16 digits")
        .isCloseTo(0.5, within(0.05));
  }

  @Test
  void times_that_add_up_beyond_what_a_sum_holds_are_refused_naming_the_line_and_test() {
    StringBuilder log = new StringBuilder(HEADER + "\n");
    for (int i = 0; i < 10; i++) {
      log.append("0, ").append(i).append(", 3, 1000, 1e15, 0\n");
    }
    assertThat(badInput(log.toString()))
        .isEqualTo(
            "data0.log:11: column 5 (Test time): test 3: the Test time"
                + " values add up to more than "
                + DataLogAnalyzer.SUM_LIMIT);
  }

  @Test
  void sums_that_overflow_only_when_chunks_or_files_are_merged_are_refused_too(@TempDir Path dir)
      throws IOException {
    StringBuilder half = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      half.append("0, ").append(i).append(", 1, 1000, 1e15, 0\n");
    }
    Path one = Files.writeString(dir.resolve("one.log"), HEADER + "\n" + half);
    Path two = Files.writeString(dir.resolve("two.log"), HEADER + "\n" + half);
    DataLogAnalyzer analyzer = DataLogAnalyzer.create();
    analyzer.add(one);
    assertThatThrownBy(() -> analyzer.add(two))
        .isInstanceOf(BadInputException.class)
        .hasMessage(
            "test 1: the Test time values add up to more than " + DataLogAnalyzer.SUM_LIMIT);
    Path tests =
        Files.writeString(
            dir.resolve("tests.log"),
            HEADER + "\n" + half + half.toString().replace(", 1, 1000", ", 2, 1000"));
    DataLogAnalyzer both = DataLogAnalyzer.create();
    both.add(tests);
    assertThatThrownBy(() -> both.analyze(OptionalLong.empty()))
        .hasMessage(
            "the totals: the Test time values add up to more than " + DataLogAnalyzer.SUM_LIMIT);
  }

  @Test
  void a_line_with_an_empty_test_time_is_a_call_cancelled_at_stop_neither_timed_nor_counted() {
    DataLogAnalysis a =
        analyze(WORKED_EXAMPLE + "1, 2, 1, 1700000001990,,\n0, 3, 1, 1700000001999, , \n");
    TestFigures t = a.tests().get(0);
    assertThat(t.cancelled()).isEqualTo(2);
    assertThat(t.statistics().getCount(timed))
        .as("the worked example's figures are untouched")
        .isEqualTo(4);
    assertThat(t.statistics().getLong(errors)).isEqualTo(1);
    assertThat(t.successes().getTotalCount() + t.failures().getTotalCount()).isEqualTo(5);
    assertThat(a.totals().cancelled()).isEqualTo(2);
    assertThat(a.rows()).isEqualTo(7);
    assertThat(a.periodMillis()).isEqualTo(2000);
    assertThat(analyze(HEADER + "\n0, 0, 7, 1000,,\n").periodMillis())
        .as("only cancelled calls")
        .isZero();
  }

  @Test
  void a_line_with_an_empty_test_time_and_other_values_is_refused() {
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000, , 0\n"))
        .isEqualTo(
            "data0.log:2: column 6 (Errors): '0' after an empty Test time; a line whose Test time"
                + " is empty (a call cancelled at stop) has every value after the start time"
                + " empty");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000,\n"))
        .isEqualTo(
            "data0.log:2: column 6 (Errors) is missing: the line has 5 columns, the header 6");
    assertThat(badInput(HEADER + "\n0, 0, 1, 1000,,,\n"))
        .startsWith("data0.log:2: column 7: unexpected");
  }

  @Test
  void a_log_of_several_scenarios_is_read_with_its_scenario_column_cancelled_rows_too() {
    DataLogAnalysis a =
        analyze(
            """
            Thread, Run, Test, Start time (ms since Epoch), Test time, Errors, Scenario
            0, 0, 1, 1700000000000, 10, 0, browse
            1, 0, 2, 1700000000005, 20, 0, buy
            1, 1, 2, 1700000000030,,, buy
            """);
    assertThat(a.rows()).isEqualTo(3);
    assertThat(a.totals().tests()).isEqualTo(2);
    assertThat(a.scenarios())
        .extracting(DataLogAnalysis.ScenarioFigures::name)
        .containsExactly("browse", "buy");
    assertThat(a.scenarios().get(1).totals().cancelled()).isEqualTo(1);
  }

  @Test
  void each_scenario_s_figures_are_its_lines_added_up_over_the_logs_period(@TempDir Path dir)
      throws IOException {
    // Test 1 is called by both scenarios; lines of both interleave, over many chunks.
    StringBuilder log =
        new StringBuilder(
            "Thread, Run, Test, Start time (ms since Epoch), Test time, Errors, Scenario\n");
    Map<String, Histogram> times = new HashMap<>();
    Map<String, long[]> counts = new HashMap<>();
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String scenario = random.nextInt(3) == 0 ? "buy" : "browse";
      int test = scenario.equals("buy") && random.nextBoolean() ? 2 : 1;
      long micros = 1_000 + random.nextInt(50_000);
      boolean error = random.nextInt(20) == 0;
      log.append(i % 7)
          .append(", ")
          .append(i)
          .append(", ")
          .append(test)
          .append(", ")
          .append(1_700_000_000_000L + i)
          .append(", ")
          .append(micros / 1000)
          .append('.')
          .append(String.format(Locale.ROOT, "%03d", micros % 1000))
          .append(", ")
          .append(error ? 1 : 0)
          .append(", ")
          .append(scenario)
          .append('\n');
      long[] c = counts.computeIfAbsent(scenario + test, k -> new long[2]);
      c[error ? 1 : 0]++;
      if (!error) {
        times.computeIfAbsent(scenario + test, k -> Histograms.newHistogram()).recordValue(micros);
      }
    }
    Path file = Files.writeString(dir.resolve("data.csv"), log);
    for (int threads : new int[] {1, 4}) {
      DataLogAnalyzer analyzer =
          DataLogAnalyzer.builder().threads(threads).minChunkBytes(4096).bufferBytes(1024).build();
      analyzer.add(file);
      DataLogAnalysis a = analyzer.analyze(OptionalLong.empty());
      assertThat(a.scenarios())
          .as("%d threads", threads)
          .extracting(DataLogAnalysis.ScenarioFigures::name)
          .containsExactly("browse", "buy");
      long all = 0;
      for (DataLogAnalysis.ScenarioFigures sc : a.scenarios()) {
        for (TestFigures t : sc.tests()) {
          String key = sc.name() + t.test();
          assertThat(t.tests()).as(key).isEqualTo(counts.get(key)[0]);
          assertThat(t.errors()).as(key).isEqualTo(counts.get(key)[1]);
          assertThat(t.successes()).as(key).isEqualTo(times.get(key));
          assertThat(t.spanMillis()).as("the logs' period").isEqualTo(a.periodMillis());
          all += t.tests() + t.errors();
        }
        assertThat(sc.totals().tests())
            .isEqualTo(sc.tests().stream().mapToLong(TestFigures::tests).sum());
      }
      assertThat(all).isEqualTo(a.totals().tests() + a.totals().errors()).isEqualTo(20_000);
      // Test 1 over the whole logs is the exact merge of both scenarios' test 1.
      Histogram test1 = times.get("browse1").copy();
      test1.add(times.get("buy1"));
      assertThat(a.tests().getFirst().successes()).isEqualTo(test1);
    }
  }

  @Test
  void the_report_of_logs_of_several_scenarios_has_each_scenario_s_tables_and_rows() {
    DataLogAnalysis a =
        analyze(
            """
            Thread, Run, Test, Start time (ms since Epoch), Test time, Errors, Scenario
            0, 0, 1, 1700000000000, 10, 0, browse
            1, 0, 2, 1700000000005, 20, 0, buy
            1, 1, 1, 1700000000030, 30, 1, buy
            """);
    AnalysisReport report = AnalysisReport.of(a, List.of());
    assertThat(report.text()).contains("\nScenario browse\n", "\nScenario buy\n");
    assertThat(report.keys()).last().isEqualTo(AnalysisReport.SCENARIO_KEY);
    String[] csv = report.csv().split("\n");
    assertThat(csv).hasSize(1 + 3 + 2 + 3);
    assertThat(csv[1]).startsWith("1,").endsWith(",");
    assertThat(csv[4]).startsWith("1,").endsWith(",browse");
    assertThat(csv[8]).startsWith("Totals,").endsWith(",buy");
    assertThat(report.json()).contains("\"scenario\": null", "\"scenario\": \"buy\"");
  }
}
