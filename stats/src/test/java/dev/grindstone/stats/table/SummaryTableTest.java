package dev.grindstone.stats.table;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.latency.StatisticsWithLatency;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTableTest {

  private final StatisticsSchema schema = StatisticsSchema.withHttp();
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
    StatisticsSet totals = test1.snapshot();
    totals.setLong(period, 2000);
    String table = SummaryTable.render(StandardViews.summary(schema),
        List.of(new SummaryTable.Row(1, "Example", test1, false)), totals, null);
    assertGolden(table, "worked-example.txt");
    assertThat(table).contains(
        "Test 1       4            1            25.00        11.18        2.00          \"Example\"");
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
    StatisticsSet totals = inner.snapshot();
    totals.setLong(period, 2000);
    String table = SummaryTable.render(StandardViews.summary(schema),
        List.of(new SummaryTable.Row(1, "Inner", inner, false), new SummaryTable.Row(2, "Flow", outer, true)),
        totals, outer);
    assertGolden(table, "composite.txt");
  }

  @Test
  void empty_test_prints_nan_as_dash() {
    StatisticsSet none = new StatisticsSet(schema);
    none.setLong(period, 1000);
    String table = SummaryTable.render(StandardViews.summary(schema),
        List.of(new SummaryTable.Row(3, "", none, false)), none, null);
    // No timed call: the deviation is as undefined as the mean.
    assertThat(table).contains("Test 3       0            0            -            -            0.00\n");
  }

  @Test
  void http_columns_follow_the_standard_ones() throws IOException {
    StatisticsSet s = workedExample();
    s.setLong(schema.longIndex("httpplugin.responseLength"), 4000);
    s.setLong(schema.longIndex("httpplugin.responseErrors"), 1);
    s.setLong(schema.longIndex("httpplugin.dnsTime"), 3_000);
    s.setLong(schema.longIndex("httpplugin.connectTime"), 9_000);
    s.setLong(schema.longIndex("httpplugin.connectionsEstablished"), 2);
    s.setLong(schema.longIndex("httpplugin.firstByteTime"), 60_500);
    StatisticsView view = StandardViews.summary(schema, true);
    String table = SummaryTable.render(view, List.of(new SummaryTable.Row(1, "Page", s, false)), s, null);
    assertGolden(table, "http.txt");
  }

  @Test
  void percentile_table_shows_min_percentiles_and_max_in_milliseconds() throws IOException {
    Histogram h = Histograms.newHistogram();
    StatisticsSet ramp = new StatisticsSet(schema);
    for (int ms = 1; ms <= 1000; ms++) {
      h.recordValue(ms * 1000L);
      ramp.addSample(timed, ms * 1000L);
    }
    var figures = StatisticsWithLatency.of(ramp, h);
    var idle = StatisticsWithLatency.of(new StatisticsSet(schema), Histograms.newHistogram());
    String table = PercentileTable.render(
        List.of(new PercentileTable.Row(1, "Ramp", figures, false), new PercentileTable.Row(2, "Idle", idle, false)),
        figures);
    assertGolden(table, "percentiles.txt");
  }
}
