package dev.grindstone.stats.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The latencies of one test, in microseconds: successful calls and failed calls in separate
 * histograms (The Grinder drops the times of failed calls; we keep them apart). Recording is
 * wait-free and does not allocate (HdrHistogram's {@link Recorder}); any number of threads may
 * record. One reader thread takes interval histograms with {@link #sampleInterval}, recycling the
 * previous ones.
 *
 * <p>IMPLEMENTATION NOTES. The recorders hold fixed-range atomic histograms (0 to
 * {@link #HIGHEST_TRACKABLE_MICROS}, 3 significant digits) rather than auto-resizing concurrent
 * ones: a record then costs the recorder's two phaser increments and the histogram's two atomic
 * adds, against six atomic operations for a resizing concurrent histogram, which measured about
 * twice as slow (BENCHMARKS.md). Longer calls are recorded as one hour.
 */
public final class LatencyRecorder {

  /** The largest latency recorded: one hour in µs. Longer calls are clamped to it. */
  public static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;

  private final Recorder success = newRecorder();
  private final Recorder failure = newRecorder();
  private Histogram successInterval;
  private Histogram failureInterval;

  private static Recorder newRecorder() {
    return new Recorder(1, HIGHEST_TRACKABLE_MICROS, Histograms.SIGNIFICANT_DIGITS);
  }

  public void recordSuccess(long micros) {
    success.recordValue(clamp(micros));
  }

  public void recordFailure(long micros) {
    failure.recordValue(clamp(micros));
  }

  private static long clamp(long micros) {
    return micros < 0 ? 0 : Math.min(micros, HIGHEST_TRACKABLE_MICROS);
  }

  /**
   * Swaps the interval histograms: the values recorded since the previous call. The returned
   * histograms are reused by the next call; copy what must outlive it. Single reader only.
   */
  public Interval sampleInterval() {
    successInterval = success.getIntervalHistogram(successInterval);
    failureInterval = failure.getIntervalHistogram(failureInterval);
    return new Interval(successInterval, failureInterval);
  }

  /** Successful and failed calls' latencies over one interval (µs). */
  public record Interval(Histogram success, Histogram failure) {}
}
