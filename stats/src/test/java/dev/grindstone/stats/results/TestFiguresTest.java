package dev.grindstone.stats.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.table.PercentileTable;
import dev.grindstone.stats.table.TwoDecimals;
import java.util.List;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class TestFiguresTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();
  private final SampleIndex timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
  private final LongIndex errors = schema.longIndex(StatisticsSchema.ERRORS);
  private final LongIndex untimed = schema.longIndex(StatisticsSchema.UNTIMED_TESTS);

  private TestFigures figures(long spanMillis, long... micros) {
    StatisticsSet s = new StatisticsSet(schema);
    Histogram h = Histograms.newHistogram();
    for (long m : micros) {
      s.addSample(timed, m);
      h.recordValue(m);
    }
    return TestFigures.of(1, "t", false, spanMillis, s, h, null);
  }

  @Test
  void the_figures_equal_the_summary_tables_expressions_to_the_last_bit() {
    Random random = new Random(13);
    StatisticsView columns = StandardViews.summary(schema);
    for (int round = 0; round < 500; round++) {
      long[] micros = new long[1 + random.nextInt(50)];
      for (int i = 0; i < micros.length; i++) {
        micros[i] = random.nextInt(2_000_000);
      }
      StatisticsSet s = new StatisticsSet(schema);
      for (long m : micros) {
        s.addSample(timed, m);
      }
      s.setLong(untimed, random.nextInt(3));
      s.setLong(errors, random.nextInt(5));
      TestFigures f = TestFigures.of(1, "", false, 1 + random.nextInt(100_000), s, null, null);
      List<ExpressionView> v = columns.views();
      assertThat(f.value(v.get(0))).isEqualTo(f.tests());
      assertThat(f.value(v.get(1))).isEqualTo(f.errors());
      assertThat(f.value(v.get(2))).as("mean").isEqualTo(f.meanMillis());
      assertThat(f.value(v.get(3))).as("standard deviation").isEqualTo(f.standardDeviationMillis());
      assertThat(f.value(v.get(4))).as("TPS").isEqualTo(f.tps());
    }
  }

  @Test
  void tps_is_the_tests_over_the_actual_span_in_seconds() {
    TestFigures f = figures(2_500, 1_000, 2_000, 3_000, 4_000, 5_000);
    assertThat(f.tps()).isEqualTo(2.0);
    assertThat(f.statistics().getLong(schema.longIndex(StatisticsSchema.PERIOD))).isEqualTo(2_500);
    assertThat(f.peakTps()).as("an interval's peak is its own TPS").isEqualTo(2.0);
  }

  @Test
  void a_percentile_never_reads_beyond_the_exact_min_and_max() {
    TestFigures f = figures(1_000, 5_633, 5_633, 5_633);
    assertThat(f.maxMillis()).isEqualTo(5.633);
    assertThat(f.percentileMillis(99))
        .as("the histogram's bucket top, 5635 µs, is above 5633 µs")
        .isEqualTo(5.633);
    assertThat(f.percentileMillis(0)).isEqualTo(5.633);
    assertThat(figures(1_000).percentileMillis(50)).isNaN();
    assertThat(figures(1_000).minMillis()).isNaN();
  }

  @Test
  void the_percentile_table_and_any_other_text_print_a_figure_alike() {
    TestFigures f = figures(1_000, 5_635);
    String table = PercentileTable.render(List.of(f), f.as(TestFigures.TOTALS, ""));
    assertThat(table).contains("5.63 ").endsWith("5.63\n");
    // String.format("%.2f") printed 5.64 for the same figure: the threshold lines now use this too.
    assertThat(TwoDecimals.format(f.percentileMillis(99))).isEqualTo("5.63");
  }

  @Test
  void merging_pools_the_statistics_and_adds_the_histograms() {
    TestFigures a = figures(1_000, 10_000, 20_000);
    TestFigures b = figures(1_000, 30_000, 40_000);
    TestFigures all =
        TestFigures.merge(TestFigures.TOTALS, "", false, 2_000, -1, schema, List.of(a, b));
    assertThat(all.tests()).isEqualTo(4);
    assertThat(all.meanMillis()).isEqualTo(25.0);
    assertThat(all.standardDeviationMillis() * all.standardDeviationMillis())
        .isCloseTo(125.0, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(all.minMillis()).isEqualTo(10.0);
    assertThat(all.maxMillis()).isEqualTo(40.0);
    assertThat(all.successes().getTotalCount()).isEqualTo(4);
    assertThat(all.tps()).isEqualTo(2.0);
    assertThat(all.isTotals()).isTrue();
  }

  @Test
  void is_immutable_whatever_is_done_to_its_inputs_and_outputs() {
    StatisticsSet s = new StatisticsSet(schema);
    s.addSample(timed, 7_000);
    Histogram h = Histograms.newHistogram();
    h.recordValue(7_000);
    TestFigures f = TestFigures.of(1, "t", false, 1_000, s, h, null);
    s.addSample(timed, 9_000);
    h.recordValue(9_000);
    f.statistics().addSample(timed, 9_000);
    f.successes().recordValue(9_000);
    assertThat(f.tests()).isEqualTo(1);
    assertThat(f.successes().getTotalCount()).isEqualTo(1);
    assertThat(f.maxMillis()).isEqualTo(7.0);
  }

  @Test
  void merged_and_renamed_figures_hand_out_copies_and_add_to_running_sums_as_a_merge_does() {
    TestFigures a = figures(1_000, 10_000, 20_000);
    TestFigures b = figures(1_000, 30_000, 40_000);
    TestFigures merged = TestFigures.merge(1, "", false, 2_000, -1, schema, List.of(a, b));
    TestFigures renamed = merged.as(2, "renamed");
    merged.successes().recordValue(90_000);
    renamed.successes().recordValue(90_000);
    assertThat(merged.successes().getTotalCount()).isEqualTo(4);
    assertThat(renamed.successes().getTotalCount()).isEqualTo(4);
    assertThat(renamed.maxMillis()).isEqualTo(40.0);

    StatisticsSet sums = new StatisticsSet(schema);
    Histogram ok = Histograms.newHistogram();
    Histogram failed = Histograms.newHistogram();
    long cancelled = a.addTo(sums, ok, failed) + b.addTo(sums, ok, failed);
    TestFigures added =
        new TestFigures(1, "", false, 2_000, merged.peakTps(), sums, ok, failed, cancelled);
    assertThat(added).isEqualTo(merged);
    assertThat(a.successes().getTotalCount()).as("the parts are unchanged").isEqualTo(2);
  }

  @Test
  void refuses_a_negative_span_or_cancelled_count() {
    StatisticsSet s = new StatisticsSet(schema);
    assertThatThrownBy(() -> new TestFigures(1, "", false, -1, 0, s, null, null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spanMillis");
    assertThatThrownBy(() -> new TestFigures(1, "", false, 1, 0, s, null, null, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cancelled");
  }
}
