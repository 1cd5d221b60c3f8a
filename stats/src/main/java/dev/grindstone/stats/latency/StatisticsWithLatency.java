package dev.grindstone.stats.latency;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.StatisticsSource;
import org.HdrHistogram.Histogram;

/**
 * A statistics set together with the latency histogram (µs) of its {@code timedTests}, so that
 * {@code (percentile timedTests 99.9)} can be evaluated. Reads only; allocation-free.
 */
public record StatisticsWithLatency(StatisticsSet statistics, Histogram latencies) implements StatisticsSource {

  public long getLong(LongIndex i) {
    return statistics.getLong(i);
  }

  public double getDouble(DoubleIndex i) {
    return statistics.getDouble(i);
  }

  public long getSum(SampleIndex i) {
    return statistics.getSum(i);
  }

  public long getCount(SampleIndex i) {
    return statistics.getCount(i);
  }

  public double getVariance(SampleIndex i) {
    return statistics.getVariance(i);
  }

  public long getMin(SampleIndex i) {
    return statistics.getMin(i);
  }

  public long getMax(SampleIndex i) {
    return statistics.getMax(i);
  }

  @Override
  public double getPercentile(SampleIndex i, double percentile) {
    return latencies == null || latencies.getTotalCount() == 0
        ? Double.NaN
        : latencies.getValueAtPercentile(percentile);
  }
}
