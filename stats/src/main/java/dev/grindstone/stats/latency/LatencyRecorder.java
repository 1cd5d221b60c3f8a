package dev.grindstone.stats.latency;

import org.HdrHistogram.Histogram;

/**
 * The latencies of one test, in microseconds: successful calls and failed calls in separate
 * histograms (The Grinder drops the times of failed calls; we keep them apart). Any number of
 * threads may record; one reader takes interval histograms with {@link #sampleInterval}, recycling
 * the previous ones. Recording does not allocate (but for each stripe's first record, see {@link
 * LatencyStripe}) and does not wait for other writers.
 *
 * <p>IMPLEMENTATION NOTES. A record takes a stripe ({@link StripeLocks}: one compare-and-set),
 * stores into that stripe's plain histogram and releases the stripe with a plain store.
 * HdrHistogram's {@code Recorder} over a fixed-range atomic histogram needs four atomic
 * read-modify-writes per record (two phaser increments, the bucket and the total) and measured 36
 * ns against this design's figure in BENCHMARKS.md. The reader drains each stripe while holding it;
 * writers meanwhile use another stripe.
 */
public final class LatencyRecorder {

  /** The largest latency recorded: one hour in µs. Longer calls are clamped to it. */
  public static final long HIGHEST_TRACKABLE_MICROS = LatencyStripe.HIGHEST_TRACKABLE_MICROS;

  private final StripeLocks locks;
  private final LatencyStripe[] stripes;
  private Histogram successInterval = Histograms.newHistogram();
  private Histogram failureInterval = Histograms.newHistogram();

  public LatencyRecorder() {
    this(StripeLocks.forProcessors());
  }

  LatencyRecorder(StripeLocks locks) {
    this.locks = locks;
    this.stripes = new LatencyStripe[locks.stripes()];
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new LatencyStripe();
    }
  }

  public void recordSuccess(long micros) {
    long v = LatencyStripe.clamp(micros);
    int i = locks.acquire();
    try {
      stripes[i].recordSuccess(v);
    } finally {
      locks.release(i);
    }
  }

  public void recordFailure(long micros) {
    long v = LatencyStripe.clamp(micros);
    int i = locks.acquire();
    try {
      stripes[i].recordFailure(v);
    } finally {
      locks.release(i);
    }
  }

  /**
   * The values recorded since the previous call. The returned histograms are reused by the next
   * call; copy what must outlive it. Single reader only.
   */
  public Interval sampleInterval() {
    successInterval.reset();
    failureInterval.reset();
    for (int i = 0; i < stripes.length; i++) {
      locks.acquire(i);
      try {
        stripes[i].drainInto(successInterval, failureInterval);
      } finally {
        locks.release(i);
      }
    }
    return new Interval(successInterval, failureInterval);
  }

  /** Successful and failed calls' latencies over one interval (µs). */
  public record Interval(Histogram success, Histogram failure) {}
}
