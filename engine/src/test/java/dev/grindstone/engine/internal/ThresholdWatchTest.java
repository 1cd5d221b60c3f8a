package dev.grindstone.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.Threshold;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.RunSummary.ThresholdAbort;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Rolling-window and abort-on-fail rules, checked on intervals with known answers. */
class ThresholdWatchTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();
  private final List<ThresholdAbort> aborts = new ArrayList<>();
  private final List<IntervalSnapshot> seen = new ArrayList<>();
  private long sequence;

  /**
   * One interval of test 1 in {@code phase}, ending {@code endMs} into the run, with these call
   * times.
   */
  private IntervalSnapshot interval(String phase, long endMs, long... micros) {
    StatisticsSet s = new StatisticsSet(schema);
    Histogram h = Histograms.newHistogram();
    for (long v : micros) {
      s.addSample(schema.sampleIndex(StatisticsSchema.TIMED_TESTS), v);
      h.recordValue(v);
    }
    TestFigures t = TestFigures.of(1, "call", false, 1_000, s, h, null);
    TestFigures totals =
        TestFigures.merge(TestFigures.TOTALS, "", false, 1_000, -1, schema, List.of(t));
    IntervalSnapshot snapshot =
        new IntervalSnapshot(
            sequence++,
            phase,
            0,
            endMs - 1_000,
            endMs,
            endMs,
            1,
            List.of(t),
            totals,
            Histograms.newHistogram(),
            0);
    seen.add(snapshot);
    return snapshot;
  }

  private ThresholdWatch watch(List<Threshold> rules) {
    return new ThresholdWatch(
        rules,
        1_000,
        schema,
        new ThresholdWatch.Figures() {
          @Override
          public List<TestFigures> run() {
            List<TestFigures> tests = new ArrayList<>();
            for (IntervalSnapshot s : seen) {
              tests.add(s.tests().getFirst());
            }
            TestFigures t =
                TestFigures.merge(1, "call", false, seen.size() * 1_000L, -1, schema, tests);
            return List.of(
                t,
                TestFigures.merge(
                    TestFigures.TOTALS, "", false, t.spanMillis(), -1, schema, List.of(t)));
          }

          @Override
          public PhaseResult phase(String name) {
            return null;
          }
        },
        aborts::add);
  }

  private static long[] times(int n, long micros) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, micros);
    return a;
  }

  private static long[] concat(long[] a, long[] b) {
    long[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void a_window_merges_its_intervals_histograms_exactly_instead_of_averaging_their_percentiles() {
    Threshold rule = Threshold.parse("p99[2s]<60ms");
    ThresholdWatch w = watch(List.of(rule));
    // Interval 1: half the calls take 100 ms (p99 100 ms); interval 2: all take 1 ms (p99 1 ms).
    // Averaged, the p99s would read 50.5 ms and pass; merged, 50 of 200 calls took 100 ms: p99 100
    // ms.
    w.interval(interval("hold", 1_000, concat(times(50, 100_000), times(50, 1_000))));
    w.interval(interval("hold", 2_000, times(100, 1_000)));

    List<ThresholdResult> r =
        ThresholdCheck.check(
            List.of(rule), List.of(), seen.getLast().totals(), List.of(), List.of(), w);
    assertThat(r)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.scope()).isEqualTo("Totals");
              assertThat(x.passed()).isFalse();
              assertThat(x.actual()).isBetween(99.9, 100.1);
              assertThat(x.detail())
                  .isEqualTo(
                      "worst 2 s window ended at 2.0 s; first failed in the window ended at 2.0 s");
            });
  }

  @Test
  void a_window_is_checked_once_full_and_rolls_on_so_an_early_stall_leaves_later_windows() {
    Threshold rule = Threshold.parse("max[2s]<50ms");
    ThresholdWatch w = watch(List.of(rule));
    w.interval(interval("hold", 1_000, 80_000)); // not checked: the first window is not full yet
    w.interval(interval("hold", 2_000, 1_000)); // window 0-2 s holds the 80 ms call: fails
    w.interval(interval("hold", 3_000, 2_000)); // window 1-3 s: 2 ms
    w.interval(interval("hold", 4_000, 3_000)); // window 2-4 s: 3 ms

    ThresholdWatch.Worst worst = w.worst(rule, "Totals");
    assertThat(worst.actual).isEqualTo(80);
    assertThat(worst.endMillis).isEqualTo(2_000);
    assertThat(worst.firstFailedMillis).isEqualTo(2_000);
    assertThat(aborts).as("no abort_on_fail").isEmpty();
  }

  @Test
  void a_failing_rule_with_abort_on_fail_stops_the_run_once_its_delay_has_passed() {
    Threshold rule = Threshold.parse("max<50ms abort_on_fail delay_abort_eval=2s");
    ThresholdWatch w = watch(List.of(rule));
    w.interval(interval("hold", 1_000, 80_000)); // fails, but within the delay
    assertThat(aborts).isEmpty();
    w.interval(interval("hold", 2_000, 1_000)); // the run so far still holds the 80 ms call
    assertThat(aborts)
        .singleElement()
        .isEqualTo(new ThresholdAbort(rule.text(), "Test 1", 80, 2_000));
    w.interval(interval("hold", 3_000, 1_000));
    assertThat(aborts).as("the first failure stops the run once").hasSize(1);

    List<ThresholdResult> r =
        ThresholdCheck.check(
            List.of(rule),
            List.of(seen.getLast().tests().getFirst()),
            seen.getLast().totals(),
            List.of(),
            List.of(),
            w);
    assertThat(r.getFirst().passed()).isFalse();
    assertThat(r.getFirst().detail()).isEqualTo("failed at 2.0 s");
  }

  @Test
  void windowed_rules_with_abort_on_fail_stop_on_the_first_failing_window() {
    Threshold rule = Threshold.parse("p99[1s]<50ms abort_on_fail");
    ThresholdWatch w = watch(List.of(rule));
    w.interval(interval("hold", 1_000, 1_000));
    w.interval(interval("hold", 2_000, 90_000));
    assertThat(aborts)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.atMillis()).isEqualTo(2_000);
              assertThat(a.actual()).isBetween(89.9, 90.1);
            });
  }

  @Test
  void a_rule_naming_a_phase_looks_only_at_that_phases_intervals() {
    Threshold rule = Threshold.parse("phase steady: max[1s]<50ms");
    ThresholdWatch w = watch(List.of(rule));
    w.interval(interval("warm up", 1_000, 500_000));
    w.interval(interval("steady", 2_000, 2_000));
    w.interval(interval("steady", 3_000, 3_000));
    assertThat(w.worst(rule, "Totals").actual).isEqualTo(3);
    assertThat(w.worst(rule, "Totals").firstFailedMillis).isEqualTo(-1);
  }
}
