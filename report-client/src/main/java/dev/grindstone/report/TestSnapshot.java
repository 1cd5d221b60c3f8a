package dev.grindstone.report;

import java.util.Map;

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
}
