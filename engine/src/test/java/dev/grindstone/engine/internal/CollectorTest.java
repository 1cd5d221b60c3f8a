package dev.grindstone.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.StandardViews;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.latency.LatencyRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CollectorTest {

  private final StatisticsSchema schema = StatisticsSchema.standard();
  private final Recording recording =
      new Recording(PluginSchema.none(), null, 0, 0, StandardViews.summary(schema));
  private final LatencyRecorder lateness = new LatencyRecorder();
  private final AtomicLong lateStarts = new AtomicLong();
  private final List<IntervalSnapshot> intervals = new ArrayList<>();
  private final Collector collector =
      new Collector(recording, intervals::add, () -> 7, lateness, lateStarts::get, 1_000);

  @Test
  void eachIntervalCarriesTheLatenessOfTheStartsInItAndPhasesAndTheRunAddThemUp() {
    collector.beginPhase("start", 0, 0);
    start(200);
    start(30_000);
    collector.sample(1_000_000_000L);
    start(400);
    collector.sample(2_000_000_000L);
    collector.beginPhase("steady", 1, 2_000_000_000L);
    start(50_000);
    start(60_000);
    start(300);
    collector.sample(3_000_000_000L);

    assertThat(intervals).extracting(i -> i.lateness().getTotalCount()).containsExactly(2L, 1L, 3L);
    assertThat(intervals).extracting(IntervalSnapshot::lateStarts).containsExactly(1L, 0L, 2L);
    assertThat(intervals.get(2).lateness().getMaxValue()).isBetween(60_000L, 60_100L);
    List<PhaseResult> phases = collector.phaseResults();
    assertThat(phases).extracting(p -> p.lateness().getTotalCount()).containsExactly(3L, 3L);
    assertThat(phases.get(0).lateness().getMaxValue()).isBetween(30_000L, 30_100L);
    assertThat(collector.runLateness().getTotalCount()).isEqualTo(6);
  }

  @Test
  void anIntervalWithNoStartsHasAnEmptyLateness() {
    collector.beginPhase("hold", 0, 0);
    collector.sample(1_000_000_000L);

    assertThat(intervals)
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.lateness().getTotalCount()).isZero();
              assertThat(i.lateStarts()).isZero();
              assertThat(i.activeUsers()).isEqualTo(7);
            });
  }

  /** What a user does when an iteration starts {@code micros} late. */
  private void start(long micros) {
    lateness.recordSuccess(micros);
    if (micros > dev.grindstone.engine.sink.RunSummary.LATE_START_MICROS) {
      lateStarts.incrementAndGet();
    }
  }
}
