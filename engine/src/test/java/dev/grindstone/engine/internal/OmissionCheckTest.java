package dev.grindstone.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.ScenarioLoad;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.RunSummary.Omission;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  @Test
  void each_scenario_of_a_phase_is_corrected_with_its_own_cycle_and_the_test_adds_them() {
    Phase phase =
        Phase.of(
            "mixed",
            Duration.ofSeconds(10),
            ScenarioLoad.of("paced")
                .users(1)
                .withThinkTime(new ThinkTime.Pace(Duration.ofMillis(100))),
            ScenarioLoad.of("free").users(1),
            ScenarioLoad.of("open").rate(10, 5));
    TestFigures paced = figures(calls(50, 2_000, 1_000_000));
    TestFigures free = figures(calls(1_000, 4_000, 1_000_000));
    TestFigures open = figures(calls(100, 2_000, 1_000_000));
    TestFigures all =
        TestFigures.merge(1, "call", false, 10_000, -1, schema, List.of(paced, free, open));
    TestFigures totals =
        TestFigures.merge(TestFigures.TOTALS, "", false, 10_000, -1, schema, List.of(all));
    PhaseResult r =
        new PhaseResult(phase.name(), 0, 10_000, List.of(all), totals, Histograms.newHistogram());
    Omission o =
        OmissionCheck.check(
            List.of(phase),
            List.of(r),
            List.of(Map.of("paced", List.of(paced), "free", List.of(free), "open", List.of(open))),
            List.of(all),
            totals,
            List.of(scenario("paced", paced), scenario("free", free), scenario("open", open)),
            schema,
            0);

    Histogram pacedCorrected = paced.successes().copyCorrectedForCoordinatedOmission(100_000);
    long median = free.successes().getValueAtPercentile(50); // 4 ms, as the histogram holds it
    Histogram freeCorrected = free.successes().copyCorrectedForCoordinatedOmission(median);
    assertThat(o.scenarios())
        .extracting(RunSummary.ScenarioOmission::name)
        .as("an open model is timed from intended starts: nothing to correct")
        .containsExactly("paced", "free");
    assertThat(o.scenarios().get(0).tests().getFirst().corrected().successes())
        .isEqualTo(pacedCorrected);
    assertThat(o.scenarios().get(0).tests().getFirst().cycle()).isEqualTo("pace 100.00 ms");
    assertThat(o.scenarios().get(1).tests().getFirst().corrected().successes())
        .isEqualTo(freeCorrected);
    assertThat(o.scenarios().get(1).tests().getFirst().cycle()).isEqualTo("median call 4.00 ms");
    Histogram sum = pacedCorrected.copy();
    sum.add(freeCorrected);
    sum.add(open.successes());
    RunSummary.CorrectedTest merged = o.tests().getFirst();
    assertThat(merged.corrected().successes()).isEqualTo(sum);
    assertThat(merged.omittedCalls())
        .isEqualTo(sum.getTotalCount() - all.successes().getTotalCount());
    assertThat(merged.cycle()).isEqualTo("paced: pace 100.00 ms; free: median call 4.00 ms");
    assertThat(o.totals().successes()).isEqualTo(sum);
  }

  private ScenarioResult scenario(String name, TestFigures t) {
    return new ScenarioResult(
        name,
        1,
        List.of(t),
        TestFigures.merge(TestFigures.TOTALS, "", false, 10_000, -1, schema, List.of(t)));
  }
}
