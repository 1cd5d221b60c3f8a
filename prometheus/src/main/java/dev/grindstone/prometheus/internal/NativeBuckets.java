package dev.grindstone.prometheus.internal;

import dev.grindstone.prometheus.internal.prompb.RemoteWrite;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A native histogram of latencies in seconds, cumulative since it was made: schema {@value
 * #SCHEMA}, so bucket bounds grow by 2^(1/32) (2.2%); bucket {@code i} holds the values in
 * (2^((i−1)/32), 2^(i/32)] seconds. Values of 0 go to the zero bucket.
 *
 * <p>Each HdrHistogram bucket (µs, 0.1% wide) is counted at its upper end, as its percentiles are
 * reported, so a quantile Prometheus estimates from these buckets lies in the same native bucket as
 * the HdrHistogram's (within 2.2%, plus HdrHistogram's 0.1%). Not thread-safe.
 */
public final class NativeBuckets {

  /** Native histogram schema: 2^5 = 32 buckets per power of two. */
  public static final int SCHEMA = 5;

  /** Prometheus's default zero threshold, 2^-128: the zero bucket holds exactly the zeros here. */
  static final double ZERO_THRESHOLD = Math.scalb(1.0, -128);

  private static final int PER_POWER = 1 << SCHEMA;

  /** 2^(i/32) / 2 for i in 0..31: the bucket bounds within one power of two, in [0.5, 1). */
  private static final double[] BOUNDS = new double[PER_POWER];

  static {
    for (int i = 0; i < PER_POWER; i++) {
      BOUNDS[i] = Math.pow(2, (double) i / PER_POWER) / 2;
    }
  }

  private final TreeMap<Integer, Long> buckets = new TreeMap<>();
  private long zeroCount;
  private long count;

  /**
   * The index of the bucket holding {@code seconds} (above 0), as Prometheus computes it: with
   * {@code seconds = fraction × 2^exponent} and {@code fraction} in [0.5, 1), the first bound not
   * below the fraction, plus 32 per power of two.
   */
  public static int indexOf(double seconds) {
    int exponent =
        Math.getExponent(seconds) + 1; // seconds = fraction × 2^exponent, fraction in [0.5, 1)
    double fraction = Math.scalb(seconds, -exponent);
    int i = java.util.Arrays.binarySearch(BOUNDS, fraction);
    int within = i >= 0 ? i : -i - 1;
    return within + (exponent - 1) * PER_POWER;
  }

  /** The upper bound of bucket {@code index}, seconds: 2^(index/32). */
  public static double upperBound(int index) {
    return Math.pow(2, (double) index / PER_POWER);
  }

  /** Adds every call of {@code micros} (an HdrHistogram of µs). */
  public void add(Histogram micros) {
    for (HistogramIterationValue v : micros.recordedValues()) {
      long value = micros.highestEquivalentValue(v.getValueIteratedTo());
      long n = v.getCountAtValueIteratedTo();
      if (value == 0) {
        zeroCount += n;
      } else {
        buckets.merge(indexOf(value / 1e6), n, Long::sum);
      }
      count += n;
    }
  }

  public long count() {
    return count;
  }

  /**
   * This histogram as remote write's message: spans of consecutive indexes, counts as deltas.
   *
   * @param sumSeconds the exact sum of the values
   */
  public RemoteWrite.Histogram toMessage(double sumSeconds, long timestampMillis) {
    RemoteWrite.Histogram.Builder h =
        RemoteWrite.Histogram.newBuilder()
            .setCountInt(count)
            .setSum(sumSeconds)
            .setSchema(SCHEMA)
            .setZeroThreshold(ZERO_THRESHOLD)
            .setZeroCountInt(zeroCount)
            .setTimestamp(timestampMillis);
    int spanStart = 0;
    int spanLength = 0;
    int previousEnd = 0; // the index after the last span's end
    long previousCount = 0;
    boolean first = true;
    for (Map.Entry<Integer, Long> e : buckets.entrySet()) {
      int index = e.getKey();
      if (first || index != spanStart + spanLength) {
        if (!first) {
          h.addPositiveSpans(span(spanStart - previousEnd, spanLength));
          previousEnd = spanStart + spanLength;
        } else {
          previousEnd = 0;
        }
        spanStart = index;
        spanLength = 0;
        first = false;
      }
      spanLength++;
      h.addPositiveDeltas(e.getValue() - previousCount);
      previousCount = e.getValue();
    }
    if (!first) {
      h.addPositiveSpans(span(spanStart - previousEnd, spanLength));
    }
    return h.build();
  }

  private static RemoteWrite.BucketSpan span(int offset, int length) {
    return RemoteWrite.BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
  }

  /** A copy, for a point in time. */
  public NativeBuckets copy() {
    NativeBuckets c = new NativeBuckets();
    c.buckets.putAll(buckets);
    c.zeroCount = zeroCount;
    c.count = count;
    return c;
  }
}
