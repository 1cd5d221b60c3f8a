package dev.grindstone.report;

import dev.grindstone.stats.StatisticIndex;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.Histograms;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One test's figures for one interval.
 *
 * @param statistics statistic name to value: numbers, and {@code timedTests} as a map with {@code
 *     count}, {@code sum} (µs) and {@code variance} (µs², population)
 * @param histogram the interval's latency histogram in µs, HdrHistogram compressed form, base64
 *     (null when empty)
 * @param errorHistogram the same for failed calls, or null
 */
public record TestSnapshot(int number, Map<String, Object> statistics, String histogram, String errorHistogram) {
  public TestSnapshot {
    statistics = Map.copyOf(statistics);
  }

  /**
   * A test's interval in the wire form: basic statistics by name (zeros, transient ones and
   * {@code peakTPS}, which the server derives, left out), sample statistics as count, sum and
   * variance (µs), {@code cancelledTests} when calls were cancelled at stop (counted, never timed),
   * and the histograms (µs) compressed.
   *
   * @param successes the interval's latency histogram of successful calls (µs), or null
   * @param failures the same for failed calls, or null
   */
  public static TestSnapshot of(
      int number, StatisticsSet statistics, long cancelled, Histogram successes, Histogram failures) {
    Map<String, Object> m = wire(statistics);
    if (cancelled > 0) {
      m.put("cancelledTests", cancelled);
    }
    return new TestSnapshot(number, m, successes == null ? null : Histograms.encode(successes),
        failures == null ? null : Histograms.encode(failures));
  }

  private static Map<String, Object> wire(StatisticsSet set) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (StatisticIndex i : set.schema().all()) {
      switch (i) {
        case LongIndex l -> {
          if (!l.isTransient() && set.getLong(l) != 0) {
            m.put(l.name(), set.getLong(l));
          }
        }
        case DoubleIndex d -> {
          if (set.getDouble(d) != 0 && !d.name().equals("peakTPS")) {
            m.put(d.name(), set.getDouble(d));
          }
        }
        case SampleIndex x -> m.put(x.name(),
            Map.of("count", set.getCount(x), "sum", set.getSum(x), "variance", set.getVariance(x)));
      }
    }
    m.putIfAbsent("errors", 0L);
    m.putIfAbsent("untimedTests", 0L);
    return m;
  }
}
