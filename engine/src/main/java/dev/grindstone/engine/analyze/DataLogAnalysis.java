package dev.grindstone.engine.analyze;

import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.results.TestFigures;
import java.util.List;

/**
 * What one or more data logs add up to, as a Grinder worker would have aggregated them: per test
 * and in total, the statistics of the successful calls (an error adds only {@code errors}), and
 * latency histograms of the successful and the failed calls, as {@link TestFigures} whose span is
 * {@link #periodMillis()} and whose cancelled calls are the lines with an empty Test time.
 *
 * @param schema the schema of every set ({@link StatisticsSchema#withHttp()})
 * @param http whether any file had the HTTP plug-in's columns
 * @param rows the number of data lines read
 * @param periodMillis the period TPS is computed over, in milliseconds
 * @param tests one entry per test number, in ascending order
 * @param totals the merge of every test
 */
public record DataLogAnalysis(
    StatisticsSchema schema, boolean http, long rows, long periodMillis, List<TestFigures> tests, TestFigures totals) {

  public DataLogAnalysis {
    tests = List.copyOf(tests);
  }
}
