package dev.grindstone.stats;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;

/**
 * What an {@link dev.grindstone.stats.expr.Expression} reads: stored values by index. Values are in
 * the stored unit (see {@link StatisticIndex}); expressions apply the scale. Implementations must
 * not allocate on these calls.
 */
public interface StatisticsSource {

  long getLong(LongIndex index);

  double getDouble(DoubleIndex index);

  long getSum(SampleIndex index);

  long getCount(SampleIndex index);

  /** Population variance of the samples, in the stored unit squared. */
  double getVariance(SampleIndex index);

  /** Smallest sample, or {@link Long#MAX_VALUE} when there is none. */
  long getMin(SampleIndex index);

  /** Largest sample, or {@link Long#MIN_VALUE} when there is none. */
  long getMax(SampleIndex index);

  /**
   * The value at a percentile (0 to 100) of the sample, in the stored unit, from a latency
   * histogram; NaN when this source holds no histogram for the sample or the sample is empty.
   */
  default double getPercentile(SampleIndex index, double percentile) {
    return Double.NaN;
  }
}
