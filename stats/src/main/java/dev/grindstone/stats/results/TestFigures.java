package dev.grindstone.stats.results;

import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.StatisticsSource;
import dev.grindstone.stats.expr.Expression;
import dev.grindstone.stats.latency.Histograms;
import java.util.List;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * One test's figures over a span of time (an interval, a phase, a whole run, the lines of a data
 * log), or the totals over several tests: the one results model that every output reads, from the
 * console to the metrics server's run pages.
 *
 * <p>What it holds: the test's statistics (count, errors, sum, population variance, exact minimum
 * and maximum of {@code timedTests}, the untimed tests, and every other statistic of the schema,
 * the plug-ins' among them), the latency histograms of the successful and of the failed calls, the
 * calls cancelled at stop, the actual length of the span and the peak TPS. Every figure is derived
 * here, once: TPS is the tests over the span in seconds; a percentile is the histogram's value at
 * it, kept within the exact minimum and maximum; the mean and the deviation are computed exactly as
 * the summary table's expressions compute them, so that every output agrees to the last digit.
 * Registered expressions are evaluated over it with {@link #value(ExpressionView)}: as a {@link
 * StatisticsSource} it reads its statistics and answers {@code (percentile timedTests p)} from the
 * successful calls' histogram.
 *
 * <p>Units: statistics and histograms in their stored unit, so {@code timedTests} in microseconds;
 * the {@code ...Millis()} figures in milliseconds (microsecond precision; the min, the max and the
 * percentiles are their microseconds divided by 1000, correctly rounded: see {@link
 * SampleIndex#shown}); {@link #tps()} and {@link #peakTps()} per second; {@link #spanMillis()} in
 * milliseconds.
 *
 * <p>Immutable and thread-safe: the canonical constructor copies the statistics and the histograms
 * it is given, and the accessors of those mutable parts ({@link #statistics()}, {@link
 * #successes()}, {@link #failures()}) return copies. The copy of the statistics holds {@code
 * period} = {@code spanMillis} and {@code peakTPS} = {@code peakTps}, so expressions that read them
 * (The Grinder's TPS column) agree with {@link #tps()} and {@link #peakTps()}.
 *
 * @param test the test number, or {@link #TOTALS} for the totals over several tests
 * @param description the test's description; empty when unknown (never null)
 * @param composite whether the test contained other tests (then it is left out of the totals)
 * @param spanMillis the actual length of the span the figures cover, in milliseconds
 * @param peakTps the highest TPS of the span's intervals (an interval's own TPS for an interval)
 * @param statistics the statistics: the schema's standard ones ({@code timedTests} in µs, {@code
 *     errors}, {@code untimedTests}, ...) and any others
 * @param successes the successful calls' latencies in µs (null for none)
 * @param failures the failed calls' latencies in µs (null for none)
 * @param cancelled calls still in progress when the run cancelled them at the end of its graceful
 *     stop: not timed, and counted neither as tests nor as errors
 */
public record TestFigures(
    int test,
    String description,
    boolean composite,
    long spanMillis,
    double peakTps,
    StatisticsSet statistics,
    Histogram successes,
    Histogram failures,
    long cancelled)
    implements StatisticsSource {

  /** The test number of the totals over several tests. */
  public static final int TOTALS = -1;

  public TestFigures {
    Objects.requireNonNull(statistics, "statistics");
    description = description == null ? "" : description;
    if (spanMillis < 0) {
      throw new IllegalArgumentException("spanMillis must be zero or more, got " + spanMillis);
    }
    if (cancelled < 0) {
      throw new IllegalArgumentException("cancelled must be zero or more, got " + cancelled);
    }
    StatisticsSchema schema = statistics.schema();
    statistics = statistics.snapshot();
    statistics.setLong(schema.longIndex(StatisticsSchema.PERIOD), spanMillis);
    statistics.setDouble(schema.doubleIndex(StatisticsSchema.PEAK_TPS), peakTps);
    statistics.setComposite(composite);
    successes = own(successes);
    failures = own(failures);
  }

  /** A test's figures with no calls cancelled and the span's own TPS as its peak. */
  public static TestFigures of(
      int test,
      String description,
      boolean composite,
      long spanMillis,
      StatisticsSet statistics,
      Histogram successes,
      Histogram failures) {
    return of(test, description, composite, spanMillis, statistics, successes, failures, 0);
  }

  /** A test's figures over one interval: the span's own TPS is its peak. */
  public static TestFigures of(
      int test,
      String description,
      boolean composite,
      long spanMillis,
      StatisticsSet statistics,
      Histogram successes,
      Histogram failures,
      long cancelled) {
    return new TestFigures(
        test,
        description,
        composite,
        spanMillis,
        tps(statistics, spanMillis),
        statistics,
        successes,
        failures,
        cancelled);
  }

  /**
   * The exact merge of {@code parts} (statistics pooled, histograms added, cancelled calls summed)
   * as the figures of {@code test}: the totals of several tests, or one test's figures from several
   * agents or intervals. The parts must share a schema.
   *
   * @param peakTps the merged span's peak TPS; negative for its own TPS
   */
  public static TestFigures merge(
      int test,
      String description,
      boolean composite,
      long spanMillis,
      double peakTps,
      StatisticsSchema schema,
      List<TestFigures> parts) {
    StatisticsSet s = new StatisticsSet(schema);
    Histogram ok = new Owned();
    Histogram failed = new Owned();
    long cancelled = 0;
    for (TestFigures p : parts) {
      cancelled += p.addTo(s, ok, failed);
    }
    return new TestFigures(
        test,
        description,
        composite,
        spanMillis,
        peakTps < 0 ? tps(s, spanMillis) : peakTps,
        s,
        ok,
        failed,
        cancelled);
  }

  /** The same figures for another test number and description (the totals of a group, say). */
  public TestFigures as(int test, String description) {
    return new TestFigures(
        test,
        description,
        composite,
        spanMillis,
        peakTps,
        statistics,
        successes,
        failures,
        cancelled);
  }

  /**
   * Adds these figures into running sums, as {@link #merge} does: the statistics pooled into {@code
   * statistics} (same schema), the histograms added to {@code successes} and {@code failures}.
   * Reads this record's parts without copying them, so a long run's cumulative figures cost one
   * addition per interval rather than a copy of everything so far.
   *
   * @return the calls cancelled at stop, for the caller to add to its own count
   */
  public long addTo(StatisticsSet statistics, Histogram successes, Histogram failures) {
    statistics.add(this.statistics);
    successes.add(this.successes);
    failures.add(this.failures);
    return cancelled;
  }

  /**
   * A histogram this class made and never hands out (the accessors return copies): the canonical
   * constructor keeps it as it is rather than copying it again, so {@link #merge} and {@link #as}
   * copy nothing.
   */
  private static final class Owned extends Histogram {
    Owned() {
      super(Histograms.SIGNIFICANT_DIGITS);
      setAutoResize(true);
    }

    /** An exact copy of {@code source}: the same structure and counts. */
    Owned(Histogram source) {
      super(source);
      setAutoResize(true);
      add(source);
    }
  }

  private static Histogram own(Histogram h) {
    if (h instanceof Owned) {
      return h;
    }
    return h == null ? new Owned() : new Owned(h);
  }

  /** True for the totals over several tests. */
  public boolean isTotals() {
    return test == TOTALS;
  }

  /**
   * A copy of the statistics ({@code period} and {@code peakTPS} set as the class comment says).
   */
  @Override
  public StatisticsSet statistics() {
    return statistics.snapshot();
  }

  /** A copy of the successful calls' latency histogram (µs). */
  @Override
  public Histogram successes() {
    return successes.copy();
  }

  /** A copy of the failed calls' latency histogram (µs). */
  @Override
  public Histogram failures() {
    return failures.copy();
  }

  /** The schema of the statistics. */
  public StatisticsSchema schema() {
    return statistics.schema();
  }

  private SampleIndex timed() {
    return statistics.schema().sampleIndex(StatisticsSchema.TIMED_TESTS);
  }

  /** Successful timed calls plus untimed tests: The Grinder's Tests column. */
  public long tests() {
    return tests(statistics);
  }

  private static long tests(StatisticsSet s) {
    StatisticsSchema schema = s.schema();
    return s.getCount(schema.sampleIndex(StatisticsSchema.TIMED_TESTS))
        + s.getLong(schema.longIndex(StatisticsSchema.UNTIMED_TESTS));
  }

  /** Failed calls: The Grinder's Errors column. */
  public long errors() {
    return statistics.getLong(statistics.schema().longIndex(StatisticsSchema.ERRORS));
  }

  /** Successful timed calls: the count of {@code timedTests}. */
  public long timedCount() {
    return statistics.getCount(timed());
  }

  /** The sum of the successful calls' times, µs. */
  public long timedSumMicros() {
    return statistics.getSum(timed());
  }

  /** The population variance of the successful calls' times, µs². */
  public double timedVarianceMicros() {
    return statistics.getVariance(timed());
  }

  /**
   * Tests per second over the actual span: {@code tests / (spanMillis / 1000)}, computed as The
   * Grinder's TPS column computes it. NaN for an empty span without tests, infinite for an empty
   * span with some.
   */
  public double tps() {
    return tps(statistics, spanMillis);
  }

  private static double tps(StatisticsSet s, long spanMillis) {
    return 1000 * ((double) tests(s) / spanMillis);
  }

  /** Errors as a percentage of all calls (successes and errors); 0 with no calls. */
  public double errorPercent() {
    long all = tests() + errors();
    return all == 0 ? 0 : errors() * 100.0 / all;
  }

  /** Mean time of the successful calls in ms; NaN with none. */
  public double meanMillis() {
    SampleIndex t = timed();
    long n = statistics.getCount(t);
    return n == 0 ? Double.NaN : statistics.getSum(t) * t.scale() / n;
  }

  /** Standard deviation (population) of the successful calls' times in ms; NaN with none. */
  public double standardDeviationMillis() {
    SampleIndex t = timed();
    return statistics.getCount(t) == 0
        ? Double.NaN
        : Math.sqrt(statistics.getVariance(t) * t.scale() * t.scale());
  }

  /** The fastest successful call in ms, exact; NaN with none. */
  public double minMillis() {
    SampleIndex t = timed();
    return statistics.getCount(t) == 0 ? Double.NaN : t.shown(statistics.getMin(t));
  }

  /** The slowest successful call in ms, exact; NaN with none. */
  public double maxMillis() {
    SampleIndex t = timed();
    return statistics.getCount(t) == 0 ? Double.NaN : t.shown(statistics.getMax(t));
  }

  /**
   * The successful calls' latency at a percentile (0 to 100) in ms: the histogram's value at it
   * (exact to 0.1%), kept within the exact minimum and maximum so that no percentile reads below
   * the fastest call or above the slowest. NaN with no calls.
   */
  public double percentileMillis(double percentile) {
    SampleIndex t = timed();
    return t.shown(getPercentile(t, percentile));
  }

  /** Failed calls whose time is known (in the error latency histogram). */
  public long failedCalls() {
    return failures.getTotalCount();
  }

  /** The failed calls' mean time in ms; NaN with none. */
  public double failedCallsMeanMillis() {
    return failures.getTotalCount() == 0 ? Double.NaN : failures.getMean() / 1000.0;
  }

  /**
   * A registered expression's value over these figures: a {@code Long} or a {@code Double} (NaN
   * when undefined, as the mean of no calls).
   */
  public Number value(ExpressionView view) {
    Expression e = view.expression();
    if (e.isDouble()) {
      return e.getDoubleValue(this);
    }
    return e.getLongValue(this);
  }

  // ---- StatisticsSource: what expressions read ------------------------------------------------

  @Override
  public long getLong(LongIndex index) {
    return statistics.getLong(index);
  }

  @Override
  public double getDouble(DoubleIndex index) {
    return statistics.getDouble(index);
  }

  @Override
  public long getSum(SampleIndex index) {
    return statistics.getSum(index);
  }

  @Override
  public long getCount(SampleIndex index) {
    return statistics.getCount(index);
  }

  @Override
  public double getVariance(SampleIndex index) {
    return statistics.getVariance(index);
  }

  @Override
  public long getMin(SampleIndex index) {
    return statistics.getMin(index);
  }

  @Override
  public long getMax(SampleIndex index) {
    return statistics.getMax(index);
  }

  /** The percentile of {@code timedTests} in µs (see {@link #percentileMillis}); NaN otherwise. */
  @Override
  public double getPercentile(SampleIndex index, double percentile) {
    if (successes.getTotalCount() == 0 || !index.name().equals(StatisticsSchema.TIMED_TESTS)) {
      return Double.NaN;
    }
    double v = successes.getValueAtPercentile(percentile);
    if (statistics.getCount(index) > 0) {
      v =
          Math.max(
              statistics.getMin(index),
              Math.min(statistics.getMax(index), v)); // a bucket's top may pass the max
    }
    return v;
  }
}
