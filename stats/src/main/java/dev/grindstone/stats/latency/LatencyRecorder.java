package dev.grindstone.stats.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The latencies of one test, in microseconds: successful calls and failed calls in separate
 * histograms (The Grinder drops the times of failed calls; we keep them apart). Recording is
 * wait-free and does not allocate (HdrHistogram's {@link Recorder}); any number of threads may
 * record. One reader thread takes interval histograms with {@link #sampleInterval}, recycling the
 * previous ones.
 */
public final class LatencyRecorder {

  private final Recorder success = new Recorder(Histograms.SIGNIFICANT_DIGITS);
  private final Recorder failure = new Recorder(Histograms.SIGNIFICANT_DIGITS);
  private Histogram successInterval;
  private Histogram failureInterval;

  public void recordSuccess(long micros) {
    success.recordValue(Math.max(0, micros));
  }

  public void recordFailure(long micros) {
    failure.recordValue(Math.max(0, micros));
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
