package dev.grindstone.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StatisticsSetTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();
  private final SampleIndex timed = schema.sampleIndex("timedTests");
  private final LongIndex errors = schema.longIndex("errors");
  private final LongIndex period = schema.longIndex("period");

  @Test
  void variance_is_the_population_variance_of_the_samples() {
    StatisticsSet s = new StatisticsSet(schema);
    for (long ms : new long[] {10, 20, 30, 40}) {
      s.addSample(timed, ms);
    }
    assertThat(s.getCount(timed)).isEqualTo(4);
    assertThat(s.getSum(timed)).isEqualTo(100);
    assertThat(s.getVariance(timed))
        .as("population variance, not the sample variance 166.67")
        .isCloseTo(125.0, within(1e-12));
    assertThat(s.getMin(timed)).isEqualTo(10);
    assertThat(s.getMax(timed)).isEqualTo(40);
  }

  @Test
  void a_set_copied_to_flat_storage_and_back_keeps_every_value() {
    StatisticsSet s = new StatisticsSet(schema);
    s.addSample(timed, 10);
    s.addSample(timed, 30);
    s.setLong(errors, 2);
    s.setDouble(schema.doubleIndex("userDouble3"), 1.5);
    long[] longs = new long[3 + schema.longSlots()];
    double[] doubles = new double[5 + schema.doubleSlots()];
    s.copyTo(longs, 3, doubles, 5);
    StatisticsSet back = new StatisticsSet(schema);
    back.copyFrom(longs, 3, doubles, 5);
    assertThat(back.toString()).isEqualTo(s.toString());
    assertThat(back.getVariance(timed)).isEqualTo(100.0);
    assertThat(back.getMin(timed)).isEqualTo(10);
    assertThat(back.isTouched()).isTrue();
  }

  @Test
  void variance_of_merged_sets_equals_variance_of_union() {
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 0; round < 200; round++) {
      int parts = 1 + random.nextInt(6);
      List<StatisticsSet> sets = new ArrayList<>();
      StatisticsSet union = new StatisticsSet(schema);
      List<Long> all = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        StatisticsSet part = new StatisticsSet(schema);
        int n = random.nextInt(50); // some parts are empty
        for (int i = 0; i < n; i++) {
          long x = random.nextLong(1, 5_000_000);
          part.addSample(timed, x);
          union.addSample(timed, x);
          all.add(x);
        }
        part.addLong(errors, random.nextInt(3));
        union.addLong(errors, part.getLong(errors));
        sets.add(part);
      }
      // left fold
      StatisticsSet left = new StatisticsSet(schema);
      sets.forEach(left::add);
      // right fold: (a + (b + (c + ...)))
      StatisticsSet right = new StatisticsSet(schema);
      for (int i = sets.size() - 1; i >= 0; i--) {
        StatisticsSet t = sets.get(i).snapshot();
        t.add(right);
        right = t;
      }
      double expected = populationVariance(all);
      for (StatisticsSet merged : List.of(left, right)) {
        assertThat(merged.getCount(timed)).isEqualTo(union.getCount(timed));
        assertThat(merged.getSum(timed)).isEqualTo(union.getSum(timed));
        assertThat(merged.getLong(errors)).isEqualTo(union.getLong(errors));
        assertRelativelyClose(merged.getVariance(timed), expected);
        assertRelativelyClose(union.getVariance(timed), expected);
        if (!all.isEmpty()) {
          assertThat(merged.getMin(timed))
              .isEqualTo(all.stream().mapToLong(x -> x).min().orElseThrow());
          assertThat(merged.getMax(timed))
              .isEqualTo(all.stream().mapToLong(x -> x).max().orElseThrow());
        }
      }
    }
  }

  private static void assertRelativelyClose(double actual, double expected) {
    double tolerance = Math.max(Math.abs(expected) * 1e-9, 1e-9);
    assertThat(actual).isCloseTo(expected, within(tolerance));
  }

  private static double populationVariance(List<Long> xs) {
    if (xs.isEmpty()) {
      return 0;
    }
    // two-pass with exact long sum, as an independent reference
    long sum = 0;
    for (long x : xs) {
      sum += x;
    }
    double mean = (double) sum / xs.size();
    double ss = 0;
    for (long x : xs) {
      ss += (x - mean) * (x - mean);
    }
    return ss / xs.size();
  }

  @Test
  void merging_sums_basic_values_but_leaves_transient_period_alone() {
    StatisticsSet a = new StatisticsSet(schema);
    StatisticsSet b = new StatisticsSet(schema);
    a.setLong(period, 1000);
    b.setLong(period, 2000);
    b.setLong(errors, 2);
    b.addDouble(schema.doubleIndex("userDouble0"), 1.5);
    a.add(b);
    assertThat(a.getLong(period)).isEqualTo(1000);
    assertThat(a.getLong(errors)).isEqualTo(2);
    assertThat(a.getDouble(schema.doubleIndex("userDouble0"))).isEqualTo(1.5);
  }

  @Test
  void composite_flag_is_ored_by_merge_and_cleared_by_reset() {
    StatisticsSet a = new StatisticsSet(schema);
    StatisticsSet b = new StatisticsSet(schema);
    b.setComposite(true);
    a.add(b);
    assertThat(a.isComposite()).isTrue();
    a.reset();
    assertThat(a.isComposite()).isFalse();
    assertThat(a.isZero()).isTrue();
  }

  @Test
  void snapshot_is_independent_and_equal() {
    StatisticsSet a = new StatisticsSet(schema);
    a.addSample(timed, 5);
    StatisticsSet copy = a.snapshot();
    assertThat(copy).isEqualTo(a);
    a.addSample(timed, 7);
    assertThat(copy.getCount(timed)).isEqualTo(1);
    StatisticsSet target = new StatisticsSet(schema);
    target.copyFrom(a);
    assertThat(target).isEqualTo(a);
  }

  @Test
  void sets_of_different_schemas_do_not_mix() {
    StatisticsSet a = new StatisticsSet(StatisticsSchema.standard());
    StatisticsSet b =
        new StatisticsSet(StatisticsSchema.builder().standard().registerLong("bytesSent").build());
    assertThatThrownBy(() -> a.add(b))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different schemas");
  }

  @Test
  void empty_sample_has_no_min_or_max_and_zero_variance() {
    StatisticsSet s = new StatisticsSet(schema);
    assertThat(s.getMin(timed)).isEqualTo(Long.MAX_VALUE);
    assertThat(s.getMax(timed)).isEqualTo(Long.MIN_VALUE);
    s.setSample(timed, 0, 0, 3.0, 1, 2);
    assertThat(s.getVariance(timed)).isZero();
  }
}
