package dev.grindstone.engine.analyze;

import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.StatisticsSource;
import dev.grindstone.stats.latency.StatisticsWithLatency;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one or more data logs add up to, as a Grinder worker would have aggregated them: per test
 * and in total, the statistics of the successful calls (an error adds only {@code errors}), and
 * latency histograms of the successful and the failed calls.
 *
 * <p>Every set's {@code period} holds {@link #periodMillis()}, so TPS can be evaluated directly.
 * The sets and histograms are owned by this value: treat them as read-only.
 *
 * @param schema the schema of every set ({@link StatisticsSchema#withHttp()})
 * @param http whether any file had the HTTP plug-in's columns
 * @param rows the number of data lines read
 * @param periodMillis the period TPS is computed over, in milliseconds
 * @param tests one entry per test number, in ascending order
 * @param totals the merge of every test
 */
public record DataLogAnalysis(
    StatisticsSchema schema, boolean http, long rows, long periodMillis, List<TestResult> tests, Figures totals) {

  public DataLogAnalysis {
    tests = List.copyOf(tests);
  }

  /** One test's figures. */
  public record TestResult(int test, Figures figures) {}

  /**
   * Statistics and latency histograms (µs) of one test or of the totals. As a
   * {@link StatisticsSource} it reads the set and answers {@code (percentile timedTests p)} from the
   * successful calls' histogram.
   *
   * @param cancelled lines with an empty Test time: calls cancelled at stop, neither timed nor
   *     counted as tests or errors
   */
  public record Figures(StatisticsSet statistics, Histogram successes, Histogram failures, long cancelled)
      implements StatisticsWithLatency {

    @Override
    public Histogram latencies() {
      return successes;
    }
  }
}
