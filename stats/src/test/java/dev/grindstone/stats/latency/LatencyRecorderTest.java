package dev.grindstone.stats.latency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  @Test
  void an_interval_holds_the_values_recorded_since_the_previous_one() {
    LatencyRecorder r = new LatencyRecorder();
    r.recordSuccess(10_000);
    r.recordSuccess(20_000);
    r.recordFailure(55_000);
    LatencyRecorder.Interval first = r.sampleInterval();
    assertThat(first.success().getTotalCount()).isEqualTo(2);
    assertThat(first.success().getMinValue()).isEqualTo(10_000);
    assertThat(first.failure().getTotalCount()).isEqualTo(1);
    assertThat(first.failure().valuesAreEquivalent(first.failure().getMaxValue(), 55_000)).isTrue();
    r.recordSuccess(30_000);
    LatencyRecorder.Interval second = r.sampleInterval();
    assertThat(second.success().getTotalCount()).isEqualTo(1);
    assertThat(second.failure().getTotalCount()).isZero();
  }

  @Test
  void values_beyond_an_hour_are_clamped_and_negative_ones_recorded_as_zero_never_lost() {
    LatencyRecorder r = new LatencyRecorder();
    r.recordSuccess(LatencyRecorder.HIGHEST_TRACKABLE_MICROS * 10);
    r.recordSuccess(Long.MAX_VALUE);
    r.recordSuccess(-5);
    Histogram h = r.sampleInterval().success();
    assertThat(h.getTotalCount()).isEqualTo(3);
    assertThat(h.getMinValue()).isZero();
    assertThat(h.valuesAreEquivalent(h.getMaxValue(), LatencyRecorder.HIGHEST_TRACKABLE_MICROS))
        .isTrue();
  }

  @Test
  void interval_histograms_merge_into_an_auto_resizing_total() {
    LatencyRecorder r = new LatencyRecorder();
    Histogram total = Histograms.newHistogram();
    for (int i = 1; i <= 1000; i++) {
      r.recordSuccess(i * 1000L);
      if (i % 100 == 0) {
        total.add(r.sampleInterval().success());
      }
    }
    assertThat(total.getTotalCount()).isEqualTo(1000);
    assertThat(Histograms.percentileMillis(total, 50)).isBetween(500.0, 500.5);
  }

  @Test
  void concurrent_writers_lose_no_value() throws InterruptedException {
    LatencyRecorder r = new LatencyRecorder();
    Histogram total = Histograms.newHistogram();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      writers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 50_000; i++) {
                      r.recordSuccess(1 + i % 5000);
                    }
                  }));
    }
    while (writers.stream().anyMatch(Thread::isAlive)) {
      total.add(r.sampleInterval().success());
      Thread.sleep(1);
    }
    total.add(r.sampleInterval().success());
    assertThat(total.getTotalCount()).isEqualTo(200_000);
  }
}
