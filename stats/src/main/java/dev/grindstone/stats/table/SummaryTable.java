package dev.grindstone.stats.table;

import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticsSource;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.List;

/**
 * The Grinder's summary table, to the character: one row per test in test-number order, composite
 * tests in parentheses showing only the columns meant for them, a Totals line over the
 * non-composite tests (and a parenthesized one over the composite tests, if any), and the footnote.
 *
 * <p>Each line shows one test's {@link TestFigures}: its number, description, whether it is
 * composite, and the columns evaluated over its figures (whose {@code period} is their span, for
 * TPS).
 */
public final class SummaryTable {

  static final String FOOTNOTE =
      """
        Tests resulting in error only contribute to the Errors column.
        The times of failed calls are kept in the data log and in the error latency histogram.
        Composite tests (tests that contain other tests) are shown in parentheses and left out
        of the totals.
      """;

  private SummaryTable() {}

  /**
   * Renders the table.
   *
   * @param tests one line each, in the order given
   * @param totals the merged figures of the non-composite tests
   * @param compositeTotals the merged figures of the composite tests, or null when there are none
   */
  public static String render(
      StatisticsView view,
      List<TestFigures> tests,
      TestFigures totals,
      TestFigures compositeTotals) {
    List<ExpressionView> columns = view.views();
    StringBuilder out = new StringBuilder();
    List<String> names = new ArrayList<>();
    for (ExpressionView c : columns) {
      names.add(c.displayName());
    }
    TextTable.header(out, names);
    for (TestFigures t : tests) {
      TextTable.row(
          out,
          "Test " + t.test(),
          cells(columns, t, t.composite()),
          t.description().isEmpty() ? null : t.description(),
          t.composite());
    }
    out.append('\n');
    TextTable.row(out, "Totals", cells(columns, totals, false), null, false);
    if (compositeTotals != null) {
      TextTable.row(out, "Totals", cells(columns, compositeTotals, true), null, true);
    }
    out.append('\n').append(FOOTNOTE);
    return out.toString();
  }

  static List<String> cells(List<ExpressionView> columns, StatisticsSource s, boolean composite) {
    List<String> cells = new ArrayList<>(columns.size());
    for (ExpressionView c : columns) {
      cells.add(composite && !c.showForComposite() ? "" : format(c, s));
    }
    return cells;
  }

  /** A value as the tables print it: longs as integers, doubles as 0.00, NaN as "-". */
  public static String format(ExpressionView column, StatisticsSource s) {
    return column.expression().isDouble()
        ? TextTable.formatDouble(column.expression().getDoubleValue(s))
        : Long.toString(column.expression().getLongValue(s));
  }
}
