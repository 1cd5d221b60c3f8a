package dev.grindstone.stats.table;

import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.List;

/**
 * The latency table that The Grinder never had: min, p50, p90, p95, p99, p99.9 and max of the
 * successful calls, in milliseconds: min and max exact, percentiles from each test's HdrHistogram
 * (exact to 0.1%, kept within the exact min and max: see {@link TestFigures#percentileMillis}).
 * Same layout as {@link SummaryTable}.
 */
public final class PercentileTable {

  /** The percentiles shown, in order, after Min and before Max. */
  public static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

  static final List<String> HEADERS =
      List.of("Min (ms)", "50% (ms)", "90% (ms)", "95% (ms)", "99% (ms)", "99.9% (ms)", "Max (ms)");

  private PercentileTable() {}

  /** One line per test, in the order given, then the totals. */
  public static String render(List<TestFigures> tests, TestFigures totals) {
    StringBuilder out = new StringBuilder();
    TextTable.header(out, HEADERS);
    for (TestFigures t : tests) {
      TextTable.row(
          out,
          "Test " + t.test(),
          cells(t),
          t.description().isEmpty() ? null : t.description(),
          t.composite());
    }
    out.append('\n');
    TextTable.row(out, "Totals", cells(totals), null, false);
    return out.toString();
  }

  static List<String> cells(TestFigures f) {
    List<String> cells = new ArrayList<>();
    cells.add(TextTable.formatDouble(f.minMillis()));
    for (double p : PERCENTILES) {
      cells.add(TextTable.formatDouble(f.percentileMillis(p)));
    }
    cells.add(TextTable.formatDouble(f.maxMillis()));
    return cells;
  }
}
