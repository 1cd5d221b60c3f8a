package dev.grindstone.stats.latency;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.StatisticsSource;
import org.HdrHistogram.Histogram;

/**
 * A statistics set together with the latency histogram (µs) of its {@code timedTests}, so that
 * {@code (percentile timedTests 99.9)} can be evaluated. Implement the two accessors (or use
 * {@link #of}); every read is delegated, allocation-free.
 */
public interface StatisticsWithLatency extends StatisticsSource {

  StatisticsSet statistics();

  /** The successful calls' latencies in µs, or null for none. */
  Histogram latencies();

  /** The plain pairing of a set and its histogram. */
  static StatisticsWithLatency of(StatisticsSet statistics, Histogram latencies) {
    record Pair(StatisticsSet statistics, Histogram latencies) implements StatisticsWithLatency {}
    return new Pair(statistics, latencies);
  }

  /** The fastest successful call in ms, exact (from the sample's minimum), NaN when none. */
  default double minMillis() {
    SampleIndex t = statistics().schema().sampleIndex(StatisticsSchema.TIMED_TESTS);
    return statistics().getCount(t) == 0 ? Double.NaN : statistics().getMin(t) * t.scale();
  }

  /** The slowest successful call in ms, exact, NaN when none. */
  default double maxMillis() {
    SampleIndex t = statistics().schema().sampleIndex(StatisticsSchema.TIMED_TESTS);
    return statistics().getCount(t) == 0 ? Double.NaN : statistics().getMax(t) * t.scale();
  }

  /**
   * The latency at a percentile in ms: from the histogram (within 0.1%), kept within the exact
   * minimum and maximum so that no percentile reads above the slowest call. NaN when none.
   */
  default double percentileMillis(double percentile) {
    SampleIndex t = statistics().schema().sampleIndex(StatisticsSchema.TIMED_TESTS);
    return getPercentile(t, percentile) * t.scale();
  }

  @Override
  default long getLong(LongIndex i) {
    return statistics().getLong(i);
  }

  @Override
  default double getDouble(DoubleIndex i) {
    return statistics().getDouble(i);
  }

  @Override
  default long getSum(SampleIndex i) {
    return statistics().getSum(i);
  }

  @Override
  default long getCount(SampleIndex i) {
    return statistics().getCount(i);
  }

  @Override
  default double getVariance(SampleIndex i) {
    return statistics().getVariance(i);
  }

  @Override
  default long getMin(SampleIndex i) {
    return statistics().getMin(i);
  }

  @Override
  default long getMax(SampleIndex i) {
    return statistics().getMax(i);
  }

  @Override
  default double getPercentile(SampleIndex i, double percentile) {
    Histogram h = latencies();
    if (h == null || h.getTotalCount() == 0 || !i.name().equals(StatisticsSchema.TIMED_TESTS)) {
      return Double.NaN;
    }
    double v = h.getValueAtPercentile(percentile);
    StatisticsSet s = statistics();
    if (s.getCount(i) > 0) {
      v = Math.max(s.getMin(i), Math.min(s.getMax(i), v)); // a bucket's top may pass the true max
    }
    return v;
  }
}
