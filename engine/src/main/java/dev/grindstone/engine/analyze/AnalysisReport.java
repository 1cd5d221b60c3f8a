package dev.grindstone.engine.analyze;

import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.engine.spi.SummaryColumn;
import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.ExpressionView;
import dev.grindstone.stats.StatisticsView;
import dev.grindstone.stats.results.TestFigures;
import dev.grindstone.stats.table.PercentileTable;
import dev.grindstone.stats.table.SummaryTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Prints a {@link DataLogAnalysis}: as The Grinder's summary table followed by the percentile
 * table, as JSON or as CSV.
 *
 * <p>JSON is an array with one object per test and a last one for the totals, one object per line.
 * Each object's keys, in order, are {@link #keys()}: {@code test} (the test number, or {@code
 * "Totals"}), {@code description} (always null: a data log does not name its tests), {@code tests},
 * {@code errors}, ({@code cancelled}, only when some line is a call cancelled at stop), {@code
 * meanTestTime}, {@code testTimeStandardDeviation}, {@code tps}; the keys of the summary columns of
 * each plug-in whose columns the logs have (the HTTP plug-in's: {@code meanResponseLength}, {@code
 * responseBytesPerSecond}, {@code responseErrors}, {@code meanTimeToResolveHost}, {@code
 * meanTimeToEstablishConnection}, {@code meanTimeToFirstByte}); then {@code min}, {@code p50},
 * {@code p90}, {@code p95}, {@code p99}, {@code p999}, {@code max} (ms, successful calls, from the
 * latency histogram); then each registered expression under its display name. Times are in
 * milliseconds, TPS and bytes per second per second of the period. Figures are numbers; one that is
 * not defined (NaN, as the mean of no calls) is null. CSV has a header row of the same keys and one
 * row per object; an undefined figure is an empty cell.
 *
 * <p>Immutable; thread-safe.
 */
public final class AnalysisReport {

  public static final List<String> SUMMARY_KEYS =
      List.of("tests", "errors", "meanTestTime", "testTimeStandardDeviation", "tps");
  public static final List<String> LATENCY_KEYS =
      List.of("min", "p50", "p90", "p95", "p99", "p999", "max");

  /** Calls cancelled at stop (lines with an empty Test time); a key only when there are any. */
  public static final String CANCELLED_KEY = "cancelled";

  /**
   * The last key in logs of a run of several scenarios: the scenario of a row, null (JSON) or empty
   * (CSV) in the rows of the whole logs.
   */
  public static final String SCENARIO_KEY = "scenario";

  private final DataLogAnalysis analysis;
  private final StatisticsView view;
  private final List<String> keys;

  /** The summary columns: the standard ones and the plug-ins' in the files. */
  private final int standardColumns;

  private AnalysisReport(DataLogAnalysis analysis, List<ExpressionView> registered) {
    this.analysis = analysis;
    this.view = analysis.known().summaryView(analysis.plugins());
    this.standardColumns = view.size();
    List<String> fixed = new ArrayList<>(List.of("test", "description"));
    fixed.addAll(SUMMARY_KEYS);
    if (hasCancelled()) {
      fixed.add(fixed.indexOf("errors") + 1, CANCELLED_KEY);
    }
    Set<String> reserved = new HashSet<>();
    for (Plugin p : analysis.known().plugins()) {
      for (SummaryColumn c : p.summaryColumns()) {
        reserved.add(c.key());
        if (analysis.plugins().contains(p)) {
          fixed.add(c.key());
        }
      }
    }
    fixed.addAll(LATENCY_KEYS);
    reserved.addAll(fixed);
    reserved.add(CANCELLED_KEY);
    reserved.add(SCENARIO_KEY);
    List<String> k = new ArrayList<>(fixed);
    for (ExpressionView r : registered) {
      if (reserved.contains(r.displayName())) {
        throw new BadInputException(
            "The summary expression name '"
                + r.displayName()
                + "' is one of the report's own keys ("
                + String.join(", ", fixed)
                + "); choose another name for "
                + r.expressionText());
      }
      if (view.add(r)) {
        k.add(r.displayName());
      }
    }
    if (!analysis.scenarios().isEmpty()) {
      k.add(SCENARIO_KEY);
    }
    this.keys = List.copyOf(k);
  }

  /**
   * A report of {@code analysis} with {@code registered} summary expressions as extra columns
   * (parsed over {@link DataLogAnalysis#schema()}); a repeated one is shown once. Throws {@link
   * BadInputException} when a name is taken by another column or key.
   */
  public static AnalysisReport of(DataLogAnalysis analysis, List<ExpressionView> registered) {
    return new AnalysisReport(analysis, registered);
  }

  /** The keys of every JSON object and the CSV header, in order. */
  public List<String> keys() {
    return keys;
  }

  /**
   * The summary table (with the columns of the plug-ins whose columns the logs have), then the
   * percentile table; in logs of several scenarios, both again for each scenario.
   */
  public String text() {
    String text =
        SummaryTable.render(view, analysis.tests(), analysis.totals(), null)
            + "\n"
            + PercentileTable.render(analysis.tests(), analysis.totals());
    if (hasCancelled()) {
      List<String> which = new ArrayList<>();
      for (TestFigures t : analysis.tests()) {
        if (t.cancelled() > 0) {
          which.add("test " + t.test() + ": " + t.cancelled());
        }
      }
      text +=
          "\n"
              + "  Calls cancelled at stop (lines with an empty Test time; not timed, and counted"
              + " neither as tests nor as errors): "
              + String.join(", ", which)
              + ".\n";
    }
    StringBuilder out = new StringBuilder(text);
    for (DataLogAnalysis.ScenarioFigures sc : analysis.scenarios()) {
      out.append("\nScenario ")
          .append(sc.name())
          .append("\n")
          .append(SummaryTable.render(view, sc.tests(), sc.totals(), null))
          .append("\n")
          .append(PercentileTable.render(sc.tests(), sc.totals()));
    }
    return out.toString();
  }

  private boolean hasCancelled() {
    return analysis.totals().cancelled() > 0;
  }

  public String json() {
    StringBuilder out = new StringBuilder("[\n");
    jsonObjects(out, analysis.tests(), analysis.totals(), null);
    for (DataLogAnalysis.ScenarioFigures sc : analysis.scenarios()) {
      out.append(",\n");
      jsonObjects(out, sc.tests(), sc.totals(), sc.name());
    }
    return out.append("\n]\n").toString();
  }

  private void jsonObjects(
      StringBuilder out, List<TestFigures> tests, TestFigures totals, String scenario) {
    for (TestFigures t : tests) {
      jsonObject(out, Integer.toString(t.test()), t, scenario);
      out.append(",\n");
    }
    jsonObject(out, "\"Totals\"", totals, scenario);
  }

  public String csv() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < keys.size(); i++) {
      out.append(i == 0 ? "" : ",").append(csvText(keys.get(i)));
    }
    out.append('\n');
    for (TestFigures t : analysis.tests()) {
      csvRow(out, Integer.toString(t.test()), t, null);
    }
    csvRow(out, "Totals", analysis.totals(), null);
    for (DataLogAnalysis.ScenarioFigures sc : analysis.scenarios()) {
      for (TestFigures t : sc.tests()) {
        csvRow(out, Integer.toString(t.test()), t, sc.name());
      }
      csvRow(out, "Totals", sc.totals(), sc.name());
    }
    return out.toString();
  }

  /** Every figure of a row after {@code test} and {@code description}: Long, Double or null. */
  private List<Number> figures(TestFigures f) {
    List<ExpressionView> views = view.views();
    int standard = standardColumns;
    List<Number> values = new ArrayList<>(keys.size());
    for (int i = 0; i < standard; i++) {
      values.add(value(views.get(i), f));
      if (i == 1 && hasCancelled()) {
        values.add(f.cancelled()); // after errors
      }
    }
    values.add(defined(f.minMillis()));
    for (double p : PercentileTable.PERCENTILES) {
      values.add(defined(f.percentileMillis(p)));
    }
    values.add(defined(f.maxMillis()));
    for (int i = standard; i < views.size(); i++) {
      values.add(value(views.get(i), f));
    }
    return values;
  }

  private static Number value(ExpressionView v, TestFigures f) {
    Number n = f.value(v);
    return n instanceof Double d ? defined(d) : n;
  }

  private static Double defined(double d) {
    return Double.isFinite(d) ? d : null;
  }

  private void jsonObject(StringBuilder out, String test, TestFigures f, String scenario) {
    out.append("  {\"test\": ").append(test).append(", \"description\": null");
    List<Number> values = figures(f);
    for (int i = 0; i < values.size(); i++) {
      out.append(", ");
      jsonString(out, keys.get(i + 2));
      out.append(": ").append(values.get(i) == null ? "null" : values.get(i).toString());
    }
    if (!analysis.scenarios().isEmpty()) {
      out.append(", ");
      jsonString(out, SCENARIO_KEY);
      out.append(": ");
      if (scenario == null) {
        out.append("null");
      } else {
        jsonString(out, scenario);
      }
    }
    out.append('}');
  }

  private void csvRow(StringBuilder out, String test, TestFigures f, String scenario) {
    out.append(test).append(',');
    for (Number v : figures(f)) {
      out.append(',');
      if (v != null) {
        out.append(v);
      }
    }
    if (!analysis.scenarios().isEmpty()) {
      out.append(',').append(scenario == null ? "" : csvText(scenario));
    }
    out.append('\n');
  }

  static void jsonString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  static String csvText(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
