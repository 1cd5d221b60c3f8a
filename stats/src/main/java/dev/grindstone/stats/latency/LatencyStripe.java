package dev.grindstone.stats.latency;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * One stripe's latencies in microseconds, successful and failed calls apart, in plain histograms of
 * fixed range (0 to {@link #HIGHEST_TRACKABLE_MICROS}, 3 significant digits). Values must be in
 * that range: callers pass them through {@link #clamp} once (longer calls count as one hour,
 * negative ones as 0), so a recorder that also keeps the value elsewhere clamps only once.
 *
 * <p>Thread-safety: none; the holder of the stripe's {@link StripeLocks} stripe is its only user.
 * Allocation: each histogram (about 94 KB) is made the first time its stripe records into it, never
 * again. Counts are ints: a stripe is drained every period, long before 2^31 calls.
 */
public final class LatencyStripe {

  /** The largest latency recorded: one hour in µs. Longer calls are clamped to it. */
  public static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;

  private IntCountsHistogram success;
  private IntCountsHistogram failure;

  /** Records a successful call's time. */
  public void recordSuccess(long micros) {
    success().recordValue(micros);
  }

  /**
   * Records a successful call's time with coordinated-omission correction: a time longer than
   * {@code expectedIntervalMicros} also records the calls that would have been made meanwhile.
   */
  public void recordSuccess(long micros, long expectedIntervalMicros) {
    success().recordValueWithExpectedInterval(micros, expectedIntervalMicros);
  }

  /** Records a failed call's time. */
  public void recordFailure(long micros) {
    IntCountsHistogram h = failure;
    if (h == null) {
      h = failure = newHistogram();
    }
    h.recordValue(micros);
  }

  private IntCountsHistogram success() {
    IntCountsHistogram h = success;
    if (h == null) {
      h = success = newHistogram();
    }
    return h;
  }

  /** Adds what this stripe holds to the two histograms and empties it. */
  public void drainInto(Histogram successInto, Histogram failureInto) {
    drain(success, successInto);
    drain(failure, failureInto);
  }

  private static void drain(AbstractHistogram from, Histogram into) {
    if (from != null && from.getTotalCount() > 0) {
      into.add(from);
      from.reset();
    }
  }

  /** {@code micros} within the histograms' range. */
  public static long clamp(long micros) {
    return micros < 0 ? 0 : Math.min(micros, HIGHEST_TRACKABLE_MICROS);
  }

  private static IntCountsHistogram newHistogram() {
    return new IntCountsHistogram(1, HIGHEST_TRACKABLE_MICROS, Histograms.SIGNIFICANT_DIGITS);
  }
}
