package dev.grindstone.stats.latency;

import java.util.Arrays;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The classic bucket layout of Grindstone's Prometheus latency histograms, shared by the metrics
 * server's {@code /metrics} and by remote write, so that both give the same series.
 *
 * <p>Upper bounds of 1, 1.5, 2, 3, 4, 5 and 7 times each power of ten from 100 µs to 70 s (42
 * bounds, then {@code +Inf}): neighbouring bounds are at most 1.5 times apart, so a quantile
 * estimated from these buckets lies within a factor of 1.5 of the true one. Every bound is a whole
 * number of microseconds.
 *
 * <p>IMPLEMENTATION NOTES. Latencies come as HdrHistograms of microseconds (3 significant digits).
 * Each of their buckets is counted at its upper end (its highest equivalent value), as its
 * percentiles are reported: a call within 0.1% above a bound may count in the next bucket up, never
 * in a lower one. Below 2,048 µs HdrHistogram's buckets are single microseconds, so the bounds up
 * to 2 ms are exact. Stateless and thread-safe.
 */
public final class LatencyBuckets {

  private static final long[] BOUNDS_MICROS = bounds();

  private LatencyBuckets() {}

  private static long[] bounds() {
    int[] mantissas = {10, 15, 20, 30, 40, 50, 70};
    long[] b = new long[6 * mantissas.length];
    int i = 0;
    for (long decade = 10; decade <= 1_000_000; decade *= 10) {
      for (int m : mantissas) {
        b[i++] = m * decade; // 100 µs ... 70,000,000 µs
      }
    }
    return b;
  }

  /** How many buckets, {@code +Inf} included. */
  public static int count() {
    return BOUNDS_MICROS.length + 1;
  }

  /** Bucket {@code i}'s upper bound in µs; {@link Long#MAX_VALUE} for the last ({@code +Inf}). */
  public static long upperBoundMicros(int i) {
    return i == BOUNDS_MICROS.length ? Long.MAX_VALUE : BOUNDS_MICROS[i];
  }

  /** Bucket {@code i}'s upper bound in seconds; positive infinity for the last. */
  public static double upperBoundSeconds(int i) {
    // Each bound is m × 10^k µs with m < 100: dividing the exact integer gives the nearest double.
    return i == BOUNDS_MICROS.length ? Double.POSITIVE_INFINITY : BOUNDS_MICROS[i] / 1e6;
  }

  /**
   * Bucket {@code i}'s {@code le} label as Prometheus's Java client writes it ({@code "1.0E-4"},
   * {@code "0.0015"}, {@code "70.0"}, {@code "+Inf"}), so remote-written and scraped series match.
   */
  public static String label(int i) {
    return i == BOUNDS_MICROS.length ? "+Inf" : Double.toString(upperBoundSeconds(i));
  }

  /** The bucket a value of {@code micros} falls in (the first whose bound is not below it). */
  public static int bucketOf(long micros) {
    int i = Arrays.binarySearch(BOUNDS_MICROS, micros);
    return i >= 0 ? i : -i - 1;
  }

  /**
   * Adds the calls of {@code histogram} (µs) to {@code counts}, one count per bucket (not
   * cumulative), each HdrHistogram bucket at its upper end.
   *
   * @throws IllegalArgumentException when {@code counts} does not have {@link #count()} slots
   */
  public static void add(Histogram histogram, long[] counts) {
    if (counts.length != count()) {
      throw new IllegalArgumentException(
          "counts: must have " + count() + " slots, got " + counts.length);
    }
    for (HistogramIterationValue v : histogram.recordedValues()) {
      counts[bucketOf(histogram.highestEquivalentValue(v.getValueIteratedTo()))] +=
          v.getCountAtValueIteratedTo();
    }
  }
}
