package dev.grindstone.stats.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTableTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();
  private final SampleIndex timed = schema.sampleIndex("timedTests");
  private final LongIndex errors = schema.longIndex("errors");
  private final LongIndex period = schema.longIndex("period");

  /**
   * The golden file's text. Run with {@code -Dgolden.update=true} to rewrite the files from the
   * actual output after an intended change, then review the diff.
   */
  static void assertGolden(String actual, String name) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources/golden", name), actual);
    }
    try (InputStream in = SummaryTableTest.class.getResourceAsStream("/golden/" + name)) {
      assertThat(in).as("golden file " + name).isNotNull();
      assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Figures over the worked example's 2000 ms. */
  private static TestFigures figures(int test, String description, StatisticsSet s) {
    return TestFigures.of(test, description, false, 2000, s, null, null);
  }

  private StatisticsSet workedExample() {
    StatisticsSet s = new StatisticsSet(schema);
    for (long ms : new long[] {10, 20, 30, 40}) {
      s.addSample(timed, ms * 1000);
    }
    s.addLong(errors, 1); // the 55 ms error adds only errors
    s.setLong(period, 2000);
    return s;
  }

  @Test
  void worked_example_prints_grinders_table_to_the_character() throws IOException {
    StatisticsSet test1 = workedExample();
    String table =
        SummaryTable.render(
            StandardViews.summary(schema),
            List.of(figures(1, "Example", test1)),
            figures(TestFigures.TOTALS, "", test1),
            null);
    assertGolden(table, "worked-example.txt");
    assertThat(table)
        .contains(
            "Test 1       4            1            25.00        11.18        2.00         "
                + " \"Example\"");
  }

  @Test
  void composite_tests_are_parenthesized_show_only_tests_and_errors_and_stay_out_of_totals()
      throws IOException {
    StatisticsSet inner = workedExample();
    StatisticsSet outer = new StatisticsSet(schema);
    outer.addSample(timed, 120_000);
    outer.addSample(timed, 80_000);
    outer.setComposite(true);
    outer.setLong(period, 2000);
    TestFigures flow = TestFigures.of(2, "Flow", true, 2000, outer, null, null);
    String table =
        SummaryTable.render(
            StandardViews.summary(schema),
            List.of(figures(1, "Inner", inner), flow),
            figures(TestFigures.TOTALS, "", inner),
            flow.as(TestFigures.TOTALS, ""));
    assertGolden(table, "composite.txt");
  }

  @Test
  void empty_test_prints_nan_as_dash() {
    StatisticsSet none = new StatisticsSet(schema);
    none.setLong(period, 1000);
    TestFigures idle = TestFigures.of(3, "", false, 1000, none, null, null);
    String table = SummaryTable.render(StandardViews.summary(schema), List.of(idle), idle, null);
    // No timed call: the deviation is as undefined as the mean.
    assertThat(table)
        .contains("Test 3       0            0            -            -            0.00\n");
  }

  @Test
  void percentile_table_shows_min_percentiles_and_max_in_milliseconds() throws IOException {
    Histogram h = Histograms.newHistogram();
    StatisticsSet ramp = new StatisticsSet(schema);
    for (int ms = 1; ms <= 1000; ms++) {
      h.recordValue(ms * 1000L);
      ramp.addSample(timed, ms * 1000L);
    }
    TestFigures figures = TestFigures.of(1, "Ramp", false, 1000, ramp, h, null);
    TestFigures idle =
        TestFigures.of(2, "Idle", false, 1000, new StatisticsSet(schema), null, null);
    String table =
        PercentileTable.render(List.of(figures, idle), figures.as(TestFigures.TOTALS, ""));
    assertGolden(table, "percentiles.txt");
  }
}
