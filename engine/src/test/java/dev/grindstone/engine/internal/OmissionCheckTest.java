package dev.grindstone.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary.Omission;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class OmissionCheckTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();

  @Test
  void the_correction_counts_exactly_what_hdrhistograms_own_correction_counts() {
    SplittableRandom random = new SplittableRandom(7);
    Histogram raw = Histograms.newHistogram();
    for (int i = 0; i < 20_000; i++) {
      raw.recordValue(200 + random.nextLong(3_000));
    }
    raw.recordValue(1_000_000); // a 1 s stall
    raw.recordValue(3_456_789);
    for (long interval : new long[] {250, 1_000, 3_333, 100_000}) {
      Histogram ours = OmissionCheck.correct(raw, interval);
      Histogram theirs = raw.copyCorrectedForCoordinatedOmission(interval);
      assertThat(ours.getTotalCount()).as("interval " + interval).isEqualTo(theirs.getTotalCount());
      assertThat(ours).as("interval " + interval + ": every bucket").isEqualTo(theirs);
    }
  }

  private TestFigures figures(long... micros) {
    StatisticsSet s = new StatisticsSet(schema);
    Histogram h = Histograms.newHistogram();
    for (long v : micros) {
      s.addSample(schema.sampleIndex(StatisticsSchema.TIMED_TESTS), v);
      h.recordValue(v);
    }
    return TestFigures.of(1, "call", false, 10_000, s, h, null);
  }

  private Omission check(Phase phase, TestFigures t) {
    TestFigures totals =
        TestFigures.merge(TestFigures.TOTALS, "", false, 10_000, -1, schema, List.of(t));
    PhaseResult r =
        new PhaseResult(phase.name(), 0, 10_000, List.of(t), totals, Histograms.newHistogram());
    return OmissionCheck.check(List.of(phase), List.of(r), List.of(t), totals, schema, 0);
  }

  private static long[] calls(int n, long micros, long... more) {
    long[] a = java.util.Arrays.copyOf(more, n + more.length);
    java.util.Arrays.fill(a, more.length, a.length, micros);
    return a;
  }

  @Test
  void a_stall_far_longer_than_the_median_call_is_flagged_with_the_median_as_the_cycle() {
    Omission o =
        check(
            Phase.hold("hold", Duration.ofSeconds(10), 1), figures(calls(1_000, 2_000, 1_000_000)));
    assertThat(o.tests())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.cycle()).isEqualTo("median call 2.00 ms");
              assertThat(c.stalls()).isEqualTo(1);
              assertThat(c.omittedCalls()).as("998, 996, ... 2 ms").isEqualTo(499);
              assertThat(c.corrected().percentileMillis(99)).isGreaterThan(900);
            });
    assertThat(o.totals().percentileMillis(99)).isGreaterThan(900);
  }

  @Test
  void think_time_and_pace_set_the_cycle_and_calls_within_it_are_not_flagged() {
    TestFigures steady = figures(calls(1_000, 2_000, 2_500, 3_000));
    assertThat(check(Phase.hold("hold", Duration.ofSeconds(10), 1), steady).tests())
        .as("no call took twice the median")
        .isEmpty();
    Phase thinking =
        Phase.hold("hold", Duration.ofSeconds(10), 1)
            .withThinkTime(new ThinkTime.Uniform(Duration.ofMillis(50), Duration.ofMillis(150)));
    assertThat(check(thinking, figures(calls(100, 2_000, 1_000_000))).tests().getFirst().cycle())
        .isEqualTo("think time 100.00 ms + median call 2.00 ms");
    assertThat(check(thinking, figures(calls(1_000, 2_000, 1_000_000))).tests())
        .as(
            "with a 102 ms cycle, a 1 s stall held back 8 calls: under 1% of 1000, p99 stays as it"
                + " was")
        .isEmpty();
    assertThat(
            check(
                    Phase.hold("p", Duration.ofSeconds(10), 1).withPace(Duration.ofSeconds(1)),
                    figures(calls(100, 2_000, 5_000_000)))
                .tests()
                .getFirst()
                .cycle())
        .isEqualTo("pace 1000.00 ms");
  }

  @Test
  void open_model_phases_and_phases_with_an_expected_interval_are_taken_as_they_are() {
    TestFigures stalled = figures(calls(1_000, 2_000, 1_000_000));
    assertThat(check(Phase.rate("open", Duration.ofSeconds(10), 100, 10), stalled).tests())
        .isEmpty();
    assertThat(
            check(
                    new Phase(
                        "c",
                        Duration.ofSeconds(10),
                        new LoadShape.Constant(1),
                        null,
                        null,
                        0,
                        Duration.ofMillis(1)),
                    stalled)
                .tests())
        .isEmpty();
  }
}
