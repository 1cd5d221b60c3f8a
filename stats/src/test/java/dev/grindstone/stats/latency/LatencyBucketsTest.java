package dev.grindstone.stats.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {

  @Test
  void bounds_run_from_100_us_to_70_s_at_most_one_and_a_half_apart() {
    assertThat(LatencyBuckets.count()).isEqualTo(43);
    assertThat(LatencyBuckets.upperBoundMicros(0)).isEqualTo(100);
    assertThat(LatencyBuckets.upperBoundMicros(41)).isEqualTo(70_000_000);
    assertThat(LatencyBuckets.upperBoundSeconds(42)).isInfinite();
    for (int i = 1; i < 42; i++) {
      double ratio =
          (double) LatencyBuckets.upperBoundMicros(i) / LatencyBuckets.upperBoundMicros(i - 1);
      assertThat(ratio)
          .as("bound %d over bound %d", i, i - 1)
          .isGreaterThan(1)
          .isLessThanOrEqualTo(1.5);
    }
  }

  @Test
  void labels_are_written_as_the_java_client_writes_them() {
    assertThat(LatencyBuckets.label(0)).isEqualTo("1.0E-4");
    assertThat(LatencyBuckets.label(8)).isEqualTo("0.0015");
    assertThat(LatencyBuckets.label(14)).isEqualTo("0.01");
    assertThat(LatencyBuckets.label(41)).isEqualTo("70.0");
    assertThat(LatencyBuckets.label(42)).isEqualTo("+Inf");
  }

  @Test
  void a_value_on_a_bound_counts_in_that_bucket_and_one_above_in_the_next() {
    assertThat(LatencyBuckets.bucketOf(0)).isEqualTo(0);
    assertThat(LatencyBuckets.bucketOf(100)).isEqualTo(0);
    assertThat(LatencyBuckets.bucketOf(101)).isEqualTo(1);
    assertThat(LatencyBuckets.bucketOf(70_000_000)).isEqualTo(41);
    assertThat(LatencyBuckets.bucketOf(70_000_001)).isEqualTo(42);
  }

  @Test
  void calls_are_counted_per_bucket_at_the_upper_end_of_their_histogram_bucket() {
    Histogram h = Histograms.newHistogram();
    h.recordValueWithCount(100, 3); // exact below 2,048 µs: on the first bound
    h.recordValue(1_500); // on 1.5 ms
    h.recordValue(1_501);
    h.recordValue(10_000); // its HdrHistogram bucket ends at 10,007 µs: above the 10 ms bound
    h.recordValue(100_000_000); // beyond 70 s
    long[] counts = new long[LatencyBuckets.count()];
    LatencyBuckets.add(h, counts);
    LatencyBuckets.add(h, counts); // adds up
    assertThat(counts[0]).isEqualTo(6);
    assertThat(counts[LatencyBuckets.bucketOf(1_500)]).isEqualTo(2);
    assertThat(counts[LatencyBuckets.bucketOf(1_501)]).isEqualTo(2);
    assertThat(LatencyBuckets.bucketOf(1_501)).isEqualTo(9);
    assertThat(counts[14]).as("le 0.01").isZero();
    assertThat(counts[15]).as("le 0.015").isEqualTo(2);
    assertThat(counts[42]).isEqualTo(2);
    assertThat(java.util.Arrays.stream(counts).sum()).isEqualTo(14);
  }

  @Test
  void refuses_a_count_array_of_another_size() {
    assertThatThrownBy(() -> LatencyBuckets.add(Histograms.newHistogram(), new long[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("counts: must have 43 slots, got 3");
  }
}
