package dev.grindstone.report;

import dev.grindstone.stats.StatisticIndex;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.latency.Histograms;
import dev.grindstone.stats.results.TestFigures;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/runs/<id>/snapshots}: each test's figures over one interval.
 * {@code (agent, seq)} makes a re-post idempotent; times are epoch milliseconds.
 *
 * <p>On the wire each test is {@code {"number", "statistics", "histogram", "errorHistogram"}}: the
 * statistics by name (basic ones that are not zero; {@code timedTests} as {@code count}, {@code
 * sum} (µs), {@code variance} (µs², population) and, when there are calls, their exact {@code min}
 * and {@code max} (µs); {@code cancelledTests}, the calls cancelled at stop, when there are any),
 * and the interval's latency histograms of the successful and the failed calls in HdrHistogram's
 * compressed form, base64, µs.
 *
 * @param tests each test's figures over the interval
 * @param activeUsers virtual users running at the end of the interval, or null (a live figure for
 *     the server's {@code /metrics}; not stored)
 * @param lateStarts iterations in the interval that started more than 10 ms late, or null (a live
 *     figure for {@code /metrics}; not stored)
 * @param scenarios in a run of several scenarios, each one's figures over the interval (their calls
 *     add up to {@code tests}'); null otherwise, and then not sent
 */
public record SnapshotPost(
    String agent,
    long seq,
    String phase,
    long startMs,
    long endMs,
    List<TestFigures> tests,
    Integer activeUsers,
    Long lateStarts,
    List<Scenario> scenarios) {
  public SnapshotPost {
    tests = List.copyOf(tests);
    scenarios = scenarios == null || scenarios.isEmpty() ? null : List.copyOf(scenarios);
  }

  /** A snapshot of a run of one scenario. */
  public SnapshotPost(
      String agent,
      long seq,
      String phase,
      long startMs,
      long endMs,
      List<TestFigures> tests,
      Integer activeUsers,
      Long lateStarts) {
    this(agent, seq, phase, startMs, endMs, tests, activeUsers, lateStarts, null);
  }

  /**
   * One scenario's figures over the interval: on the wire {@code {"name", "activeUsers", "tests"}},
   * each test as in {@code tests}.
   *
   * @param activeUsers its virtual users running at the end of the interval, or null
   */
  public record Scenario(String name, Integer activeUsers, List<TestFigures> tests) {
    public Scenario {
      tests = List.copyOf(tests);
    }
  }

  /** A snapshot without the live figures. */
  public SnapshotPost(
      String agent, long seq, String phase, long startMs, long endMs, List<TestFigures> tests) {
    this(agent, seq, phase, startMs, endMs, tests, null, null);
  }

  /** One test's figures as the wire carries them (see the class comment). */
  static Map<String, Object> wire(TestFigures t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("number", t.test());
    m.put("statistics", statistics(t));
    m.put("histogram", Histograms.encode(t.successes()));
    m.put("errorHistogram", Histograms.encode(t.failures()));
    return m;
  }

  private static Map<String, Object> statistics(TestFigures t) {
    StatisticsSchema schema = t.schema();
    Map<String, Object> m = new LinkedHashMap<>();
    for (StatisticIndex i : schema.all()) {
      switch (i) {
        case LongIndex l -> {
          if (!l.isTransient() && t.getLong(l) != 0) {
            m.put(l.name(), t.getLong(l));
          }
        }
        case DoubleIndex d -> {
          if (t.getDouble(d) != 0 && !d.name().equals(StatisticsSchema.PEAK_TPS)) {
            m.put(d.name(), t.getDouble(d));
          }
        }
        case SampleIndex x -> {
          Map<String, Object> sample = new LinkedHashMap<>();
          sample.put("count", t.getCount(x));
          sample.put("sum", t.getSum(x));
          sample.put("variance", t.getVariance(x));
          if (t.getCount(x) > 0) {
            sample.put("min", t.getMin(x));
            sample.put("max", t.getMax(x));
          }
          m.put(x.name(), sample);
        }
      }
    }
    m.putIfAbsent(StatisticsSchema.ERRORS, 0L);
    m.putIfAbsent(StatisticsSchema.UNTIMED_TESTS, 0L);
    if (t.cancelled() > 0) {
      m.put("cancelledTests", t.cancelled()); // calls cancelled at stop: counted, never timed
    }
    return m;
  }
}
