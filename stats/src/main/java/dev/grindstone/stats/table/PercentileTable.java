package dev.grindstone.stats.table;

import dev.grindstone.stats.latency.StatisticsWithLatency;
import java.util.ArrayList;
import java.util.List;

/**
 * The latency table that The Grinder never had: min, p50, p90, p95, p99, p99.9 and max of the
 * successful calls, in milliseconds: min and max exact, percentiles from each test's HdrHistogram
 * (exact to 0.1%). Same layout as
 * {@link SummaryTable}.
 */
public final class PercentileTable {

  /** One test's line: its statistics (exact min and max) and successful calls' latencies (µs). */
  public record Row(int test, String description, StatisticsWithLatency figures, boolean composite) {}

  /** The percentiles shown, in order, after Min and before Max. */
  public static final double[] PERCENTILES = {50, 90, 95, 99, 99.9};

  static final List<String> HEADERS =
      List.of("Min (ms)", "50% (ms)", "90% (ms)", "95% (ms)", "99% (ms)", "99.9% (ms)", "Max (ms)");

  private PercentileTable() {}

  public static String render(List<Row> rows, StatisticsWithLatency totals) {
    StringBuilder out = new StringBuilder();
    TextTable.header(out, HEADERS);
    for (Row r : rows) {
      TextTable.row(out, "Test " + r.test(), cells(r.figures()),
          r.description() == null || r.description().isEmpty() ? null : r.description(), r.composite());
    }
    out.append('\n');
    TextTable.row(out, "Totals", cells(totals), null, false);
    return out.toString();
  }

  static List<String> cells(StatisticsWithLatency f) {
    List<String> cells = new ArrayList<>();
    cells.add(TextTable.formatDouble(f.minMillis()));
    for (double p : PERCENTILES) {
      cells.add(TextTable.formatDouble(f.percentileMillis(p)));
    }
    cells.add(TextTable.formatDouble(f.maxMillis()));
    return cells;
  }
}
