package dev.grindstone.engine.analyze;

import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.PluginSchema;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.results.TestFigures;
import java.util.List;

/**
 * What one or more data logs add up to, as a Grinder worker would have aggregated them: per test
 * and in total, the statistics of the successful calls (an error adds only {@code errors}), and
 * latency histograms of the successful and the failed calls, as {@link TestFigures} whose span is
 * {@link #periodMillis()} and whose cancelled calls are the lines with an empty Test time.
 *
 * @param known the plug-ins the analyzer knew, and the schema of every figure
 * @param plugins those of them whose columns the files had, in the known order
 * @param rows the number of data lines read
 * @param periodMillis the period TPS is computed over, in milliseconds
 * @param tests one entry per test number, in ascending order
 * @param totals the merge of every test
 * @param scenarios in logs of a run of several scenarios (their last column, {@code Scenario}),
 *     each scenario's own figures, in the order the logs first name them; empty otherwise
 */
public record DataLogAnalysis(
    PluginSchema known,
    List<Plugin> plugins,
    long rows,
    long periodMillis,
    List<TestFigures> tests,
    TestFigures totals,
    List<ScenarioFigures> scenarios) {

  public DataLogAnalysis {
    plugins = List.copyOf(plugins);
    tests = List.copyOf(tests);
    scenarios = List.copyOf(scenarios);
  }

  /**
   * One scenario's lines, added up as the whole logs are: per test and in total, over the same
   * period.
   */
  public record ScenarioFigures(String name, List<TestFigures> tests, TestFigures totals) {
    public ScenarioFigures {
      tests = List.copyOf(tests);
    }
  }

  /** The schema of every figure: the standard statistics and the known plug-ins'. */
  public StatisticsSchema schema() {
    return known.statistics();
  }
}
