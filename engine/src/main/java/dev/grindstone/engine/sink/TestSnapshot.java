package dev.grindstone.engine.sink;

import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.StatisticsWithLatency;
import org.HdrHistogram.Histogram;

/**
 * One test's figures over an interval, a phase or the whole run; or the totals when
 * {@link #isTotals()}. The statistics' {@code period} holds the span in milliseconds (so TPS
 * expressions divide by the actual time), {@code peakTPS} the highest interval TPS. Histograms are
 * in microseconds. Immutable by convention: sinks must not change it.
 *
 * @param test the test number; -1 for totals
 * @param cancelled calls still in progress when the run cancelled them at the end of its graceful
 *     stop: not timed, and counted neither as tests nor as errors
 */
public record TestSnapshot(
    int test, String description, boolean composite, StatisticsSet statistics, Histogram successes,
    Histogram failures, long cancelled) {

  /** A snapshot with no cancelled calls. */
  public TestSnapshot(int test, String description, boolean composite, StatisticsSet statistics,
      Histogram successes, Histogram failures) {
    this(test, description, composite, statistics, successes, failures, 0);
  }

  public boolean isTotals() {
    return test < 0;
  }

  /** Successful calls plus untimed tests. */
  public long tests() {
    StatisticsSchema s = statistics.schema();
    return statistics.getCount(s.sampleIndex(StatisticsSchema.TIMED_TESTS))
        + statistics.getLong(s.longIndex(StatisticsSchema.UNTIMED_TESTS));
  }

  public long errors() {
    return statistics.getLong(statistics.schema().longIndex(StatisticsSchema.ERRORS));
  }

  /** Tests per second over the actual span. */
  public double tps() {
    long period = statistics.getLong(statistics.schema().longIndex(StatisticsSchema.PERIOD));
    return period <= 0 ? 0 : tests() * 1000.0 / period;
  }

  public double peakTps() {
    return statistics.getDouble(statistics.schema().doubleIndex(StatisticsSchema.PEAK_TPS));
  }

  /** Mean time of successful calls, ms (µs precision). */
  public double meanMillis() {
    var t = statistics.schema().sampleIndex(StatisticsSchema.TIMED_TESTS);
    long n = statistics.getCount(t);
    return n == 0 ? Double.NaN : statistics.getSum(t) / 1000.0 / n;
  }

  public double standardDeviationMillis() {
    var t = statistics.schema().sampleIndex(StatisticsSchema.TIMED_TESTS);
    return statistics.getCount(t) == 0 ? Double.NaN : Math.sqrt(statistics.getVariance(t)) / 1000.0;
  }

  public double percentileMillis(double p) {
    return source().percentileMillis(p);
  }

  /** The fastest successful call, ms, exact. */
  public double minMillis() {
    return source().minMillis();
  }

  /** The slowest successful call, ms, exact. */
  public double maxMillis() {
    return source().maxMillis();
  }

  /** Errors as a percentage of all calls (successes and errors); 0 with no calls. */
  public double errorPercent() {
    long all = tests() + errors();
    return all == 0 ? 0 : errors() * 100.0 / all;
  }

  /** What expressions evaluate over, percentiles included. */
  public StatisticsWithLatency source() {
    return StatisticsWithLatency.of(statistics, successes);
  }
}
