package dev.grindstone.server.runs;

import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.results.TestFigures;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/**
 * The exact merge of snapshot entries: counts and the {@code timedTests} sample (pooled, with its
 * exact min and max) in a statistics set, the other statistics (summed as doubles) and both
 * histograms (µs, 3 significant digits, made on first use). Its figures are a {@link TestFigures},
 * so that the server defines none of its own: mean, deviation, TPS and percentiles are computed as
 * every other output computes them. Counts cannot overflow: the run's totals, which bound every
 * merge, stay at most 2^53 − 1, and its sum of times at most 2^63 − 1 µs. Not thread-safe.
 */
final class Agg {
  private static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};
  private static final StatisticsSchema SCHEMA = StatisticsSchema.standard();
  private static final SampleIndex TIMED = SCHEMA.sampleIndex(StatisticsSchema.TIMED_TESTS);
  private static final LongIndex ERRORS = SCHEMA.longIndex(StatisticsSchema.ERRORS);
  private static final LongIndex UNTIMED = SCHEMA.longIndex(StatisticsSchema.UNTIMED_TESTS);

  private final StatisticsSet statistics = new StatisticsSet(SCHEMA);

  /** True once an entry with calls but without their exact min and max was merged. */
  private boolean boundsUnknown;

  private Histogram histogram;
  private Histogram errorHistogram;
  private final Map<String, Double> other = new TreeMap<>();

  /** Adds {@code e} to every one of {@code aggs}, decoding each of its histograms once. */
  static void addAll(TestEntry e, Agg... aggs) {
    StatisticsSet entry = new StatisticsSet(SCHEMA);
    Sample t = e.timed();
    entry.setSample(
        TIMED,
        t.count(),
        e.timedSumMicros(),
        t.variance(),
        e.hasBounds() ? e.timedMin() : Long.MAX_VALUE,
        e.hasBounds() ? e.timedMax() : Long.MIN_VALUE);
    entry.setLong(ERRORS, e.errors());
    entry.setLong(UNTIMED, e.untimed());
    for (Agg a : aggs) {
      a.statistics.add(entry);
      a.boundsUnknown |= t.count() > 0 && !e.hasBounds();
      e.other().forEach((k, v) -> a.other.merge(k, v, Double::sum));
    }
    if (e.histogram() != null) {
      AbstractHistogram[] into = new AbstractHistogram[aggs.length];
      for (int i = 0; i < aggs.length; i++) {
        into[i] = aggs[i].histogram();
      }
      HistogramDecoder.decode(e.histogram(), "histogram", null, into);
    }
    if (e.errorHistogram() != null) {
      AbstractHistogram[] into = new AbstractHistogram[aggs.length];
      for (int i = 0; i < aggs.length; i++) {
        into[i] = aggs[i].errorHistogram();
      }
      HistogramDecoder.decode(e.errorHistogram(), "errorHistogram", null, into);
    }
  }

  private Histogram histogram() {
    if (histogram == null) {
      histogram = newHistogram();
    }
    return histogram;
  }

  private Histogram errorHistogram() {
    if (errorHistogram == null) {
      errorHistogram = newHistogram();
    }
    return errorHistogram;
  }

  private static Histogram newHistogram() {
    Histogram h = new Histogram(HistogramDecoder.MAX_SIGNIFICANT_DIGITS);
    h.setAutoResize(true);
    return h;
  }

  /** Empties this merge, keeping its histograms' arrays for the next use. */
  void reset() {
    statistics.reset();
    boundsUnknown = false;
    other.clear();
    if (histogram != null) {
      histogram.reset();
    }
    if (errorHistogram != null) {
      errorHistogram.reset();
    }
  }

  /** Bytes the histograms hold, for the cache's budget. */
  long footprint() {
    return 400
        + (histogram == null ? 0 : histogram.getEstimatedFootprintInBytes())
        + (errorHistogram == null ? 0 : errorHistogram.getEstimatedFootprintInBytes());
  }

  private static long count(Histogram h) {
    return h == null ? 0 : h.getTotalCount();
  }

  /**
   * The merged figures over {@code spanMillis}. The min and max are the exact ones the snapshots
   * sent; when some snapshot did not send them (an older client), the histogram's, which are exact
   * to its 3 significant digits.
   */
  TestFigures figures(long spanMillis) {
    StatisticsSet s = statistics;
    if (boundsUnknown && count(histogram) > 0) {
      s = statistics.snapshot();
      s.setSample(
          TIMED,
          s.getCount(TIMED),
          s.getSum(TIMED),
          s.getVariance(TIMED),
          histogram.getMinValue(),
          histogram.getMaxValue());
    }
    return new TestFigures(
        TestFigures.TOTALS, "", false, spanMillis, 0, s, histogram, errorHistogram, 0);
  }

  /** True when the min and max of the calls are known: exact, or from the histogram. */
  private boolean boundsKnown(TestFigures f) {
    return f.timedCount() > 0 && (!boundsUnknown || count(histogram) > 0);
  }

  /**
   * Every figure of a run's table: counts, mean, SD, TPS over {@code spanMillis}, percentiles (ms).
   */
  Map<String, Object> table(long spanMillis) {
    TestFigures f = figures(spanMillis);
    boolean bounds = boundsKnown(f);
    Map<String, Object> m = new LinkedHashMap<>();
    long tests = f.tests();
    long errors = f.errors();
    m.put("tests", tests);
    m.put("errors", errors);
    m.put("errorRate", tests + errors == 0 ? 0.0 : (double) errors / (tests + errors));
    m.put("meanMs", defined(f.meanMillis()));
    m.put("sdMs", defined(f.standardDeviationMillis()));
    m.put("tps", spanMillis <= 0 ? 0.0 : f.tps());
    m.put("minMs", bounds ? defined(f.minMillis()) : null);
    for (double p : PERCENTILES) {
      m.put(
          "p" + (p == 99.9 ? "999" : Integer.toString((int) p)) + "Ms",
          defined(f.percentileMillis(p)));
    }
    m.put("maxMs", bounds ? defined(f.maxMillis()) : null);
    m.put("histogramCount", count(histogram));
    m.put("errorHistogramCount", count(errorHistogram));
    m.put("statistics", new TreeMap<>(other));
    return m;
  }

  /** The figures of one interval of a series, over {@code spanMillis}. */
  Map<String, Object> shortFigures(long spanMillis) {
    TestFigures f = figures(spanMillis);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tests", f.tests());
    m.put("tps", spanMillis <= 0 ? 0.0 : f.tps());
    m.put("errors", f.errors());
    m.put("meanMs", defined(f.meanMillis()));
    m.put("p50Ms", defined(f.percentileMillis(50)));
    m.put("p95Ms", defined(f.percentileMillis(95)));
    m.put("p99Ms", defined(f.percentileMillis(99)));
    return m;
  }

  private static Double defined(double d) {
    return Double.isFinite(d) ? d : null;
  }
}
