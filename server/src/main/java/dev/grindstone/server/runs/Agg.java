package dev.grindstone.server.runs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/**
 * The exact merge of snapshot entries: counts, the {@code timedTests} sample (pooled), the other
 * statistics (summed as doubles) and both histograms (µs, 3 significant digits, made on first
 * use). Counts cannot overflow: the run's totals, which bound every merge, stay at most 2^53 − 1.
 * Not thread-safe.
 */
final class Agg {
  private static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

  private long untimed;
  private long errors;
  private Sample timed = Sample.EMPTY;
  private Histogram histogram;
  private Histogram errorHistogram;
  private final Map<String, Double> other = new TreeMap<>();

  /** Adds {@code e} to every one of {@code aggs}, decoding each of its histograms once. */
  static void addAll(TestEntry e, Agg... aggs) {
    for (Agg a : aggs) {
      a.untimed += e.untimed();
      a.errors += e.errors();
      a.timed = a.timed.merge(e.timed());
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

  long tests() {
    return timed.count() + untimed;
  }

  /** Empties this merge, keeping its histograms' arrays for the next use. */
  void reset() {
    untimed = 0;
    errors = 0;
    timed = Sample.EMPTY;
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
    return 200 + (histogram == null ? 0 : histogram.getEstimatedFootprintInBytes())
        + (errorHistogram == null ? 0 : errorHistogram.getEstimatedFootprintInBytes());
  }

  private long count(Histogram h) {
    return h == null ? 0 : h.getTotalCount();
  }

  /** Every figure of a run's table: counts, mean, SD, TPS over {@code seconds}, percentiles (ms). */
  Map<String, Object> figures(double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tests", tests());
    m.put("errors", errors);
    m.put("errorRate", tests() + errors == 0 ? 0.0 : (double) errors / (tests() + errors));
    m.put("meanMs", timed.count() == 0 ? null : timed.mean() / 1000.0);
    m.put("sdMs", timed.count() == 0 ? null : Math.sqrt(Math.max(0, timed.variance())) / 1000.0);
    m.put("tps", seconds <= 0 ? 0.0 : tests() / seconds);
    boolean any = count(histogram) > 0;
    m.put("minMs", any ? histogram.getMinValue() / 1000.0 : null);
    for (double p : PERCENTILES) {
      m.put("p" + (p == 99.9 ? "999" : Integer.toString((int) p)) + "Ms", any ? histogram.getValueAtPercentile(p) / 1000.0 : null);
    }
    m.put("maxMs", any ? histogram.getMaxValue() / 1000.0 : null);
    m.put("histogramCount", count(histogram));
    m.put("errorHistogramCount", count(errorHistogram));
    m.put("statistics", new TreeMap<>(other));
    return m;
  }

  /** The figures of one interval of a series. */
  Map<String, Object> shortFigures(double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    boolean any = count(histogram) > 0;
    m.put("tests", tests());
    m.put("tps", seconds <= 0 ? 0.0 : tests() / seconds);
    m.put("errors", errors);
    m.put("meanMs", timed.count() == 0 ? null : timed.mean() / 1000.0);
    m.put("p50Ms", any ? histogram.getValueAtPercentile(50) / 1000.0 : null);
    m.put("p95Ms", any ? histogram.getValueAtPercentile(95) / 1000.0 : null);
    m.put("p99Ms", any ? histogram.getValueAtPercentile(99) / 1000.0 : null);
    return m;
  }
}
