package dev.grindstone.prometheus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.prometheus.internal.prompb.RemoteWrite;
import dev.grindstone.stats.latency.Histograms;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class NativeBucketsTest {

  @Test
  void powers_of_two_close_their_buckets_and_anything_above_opens_the_next() {
    assertThat(NativeBuckets.indexOf(1.0)).isEqualTo(0);
    assertThat(NativeBuckets.indexOf(2.0)).isEqualTo(32);
    assertThat(NativeBuckets.indexOf(0.5)).isEqualTo(-32);
    assertThat(NativeBuckets.indexOf(Math.nextUp(1.0))).isEqualTo(1);
    assertThat(NativeBuckets.indexOf(1e-6)).isEqualTo(-637); // 1 µs: log2(1e-6) × 32 = −637.8
    assertThat(NativeBuckets.upperBound(32)).isEqualTo(2.0);
  }

  @Test
  void every_bucket_holds_the_values_above_its_lower_bound_up_to_its_upper_bound() {
    for (double v = 1e-6; v < 100; v *= 1.013) {
      int i = NativeBuckets.indexOf(v);
      assertThat(v)
          .as("bucket %d", i)
          .isGreaterThan(NativeBuckets.upperBound(i - 1) * (1 - 1e-12))
          .isLessThanOrEqualTo(NativeBuckets.upperBound(i) * (1 + 1e-12));
    }
  }

  @Test
  void a_histogram_travels_as_spans_of_present_buckets_and_count_deltas() {
    Histogram h = Histograms.newHistogram();
    h.recordValue(0);
    h.recordValueWithCount(
        1_000_000, 2); // its HdrHistogram bucket ends at 1.000447 s: native bucket 1
    h.recordValue(1_050_000); // ends at 1.050623 s: log2 × 32 = 2.28, native bucket 3
    NativeBuckets b = new NativeBuckets();
    b.add(h);

    RemoteWrite.Histogram m = b.toMessage(3.05, 1234);
    assertThat(m.getCountInt()).isEqualTo(4);
    assertThat(m.getZeroCountInt()).isEqualTo(1);
    assertThat(m.getSum()).isEqualTo(3.05);
    assertThat(m.getSchema()).isEqualTo(5);
    assertThat(m.getTimestamp()).isEqualTo(1234);
    assertThat(m.getPositiveSpansList())
        .extracting(RemoteWrite.BucketSpan::getOffset, RemoteWrite.BucketSpan::getLength)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, 1), org.assertj.core.groups.Tuple.tuple(1, 1));
    assertThat(m.getPositiveDeltasList()).containsExactly(2L, -1L);
  }

  @Test
  void an_empty_histogram_has_no_spans() {
    RemoteWrite.Histogram m = new NativeBuckets().toMessage(0, 1);
    assertThat(m.getCountInt()).isZero();
    assertThat(m.getPositiveSpansList()).isEmpty();
  }
}
