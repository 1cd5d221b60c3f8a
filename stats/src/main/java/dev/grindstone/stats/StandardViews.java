package dev.grindstone.stats;

import dev.grindstone.stats.expr.Expressions;
import java.util.List;

/**
 * The standard columns: The Grinder's summary and data-log views, and the HTTP plug-in's.
 * TPS is {@code (* 1000 (/ (+ (count timedTests) untimedTests) period))}: the caller sets
 * {@code period} to the <em>actual</em> length of the interval or run in milliseconds.
 */
public final class StandardViews {

  public static final String TESTS = "Tests";
  public static final String ERRORS = "Errors";
  public static final String MEAN_TEST_TIME = "Mean Test Time (ms)";
  public static final String TEST_TIME_SD = "Test Time Standard Deviation (ms)";
  public static final String TPS = "TPS";
  public static final String PEAK_TPS = "Peak TPS";

  public static final String MEAN_RESPONSE_LENGTH = "Mean response length";
  public static final String RESPONSE_BYTES_PER_SECOND = "Response bytes per second";
  public static final String RESPONSE_ERRORS = "Response errors";
  public static final String MEAN_TIME_TO_RESOLVE_HOST = "Mean time to resolve host";
  public static final String MEAN_TIME_TO_ESTABLISH_CONNECTION = "Mean time to establish connection";
  public static final String MEAN_TIME_TO_FIRST_BYTE = "Mean time to first byte";

  public static final String TEST_TIME = "Test time";

  private StandardViews() {}

  /** Tests, Errors, Mean Test Time (ms), Test Time Standard Deviation (ms), TPS. */
  public static StatisticsView summary(StatisticsSchema schema) {
    return new StatisticsView(List.of(
        view(TESTS, "(+ (count timedTests) untimedTests)", true, schema),
        view(ERRORS, "errors", true, schema),
        view(MEAN_TEST_TIME, "(/ (sum timedTests) (count timedTests))", false, schema),
        view(TEST_TIME_SD, "(sqrt (variance timedTests))", false, schema),
        view(TPS, "(* 1000 (/ (+ (count timedTests) untimedTests) period))", false, schema)));
  }

  /** The HTTP plug-in's six summary columns (the schema must hold the HTTP statistics). */
  public static StatisticsView httpSummary(StatisticsSchema schema) {
    String tests = "(+ (count timedTests) untimedTests)";
    return new StatisticsView(List.of(
        view(MEAN_RESPONSE_LENGTH, "(/ httpplugin.responseLength " + tests + ")", false, schema),
        view(RESPONSE_BYTES_PER_SECOND, "(* 1000 (/ httpplugin.responseLength period))", false, schema),
        view(RESPONSE_ERRORS, "httpplugin.responseErrors", false, schema),
        view(MEAN_TIME_TO_RESOLVE_HOST,
            "(/ httpplugin.dnsTime httpplugin.connectionsEstablished)", false, schema),
        view(MEAN_TIME_TO_ESTABLISH_CONNECTION,
            "(/ httpplugin.connectTime httpplugin.connectionsEstablished)", false, schema),
        view(MEAN_TIME_TO_FIRST_BYTE, "(/ httpplugin.firstByteTime " + tests + ")", false, schema)));
  }

  /** The summary columns and, when {@code http}, the HTTP plug-in's after them. */
  public static StatisticsView summary(StatisticsSchema schema, boolean http) {
    StatisticsView v = summary(schema);
    if (http) {
      v.addAll(httpSummary(schema));
    }
    return v;
  }

  /**
   * The data log's columns after {@code Thread, Run, Test, Start time (ms since Epoch)}: Test time
   * and Errors, and with {@code http} the HTTP plug-in's seven columns, all evaluated over one call's
   * statistics (which hold the call's time even when it failed).
   */
  public static StatisticsView dataLog(StatisticsSchema schema, boolean http) {
    StatisticsView v = new StatisticsView(List.of(
        view(TEST_TIME, "(sum timedTests)", true, schema),
        view(ERRORS, "errors", true, schema)));
    if (http) {
      v.add(view("HTTP response code", "httpplugin.responseStatus", true, schema));
      v.add(view("HTTP response length", "httpplugin.responseLength", true, schema));
      v.add(view("HTTP response errors", "httpplugin.responseErrors", true, schema));
      v.add(view("Time to resolve host", "httpplugin.dnsTime", true, schema));
      v.add(view("Time to establish connection", "httpplugin.connectTime", true, schema));
      v.add(view("Time to first byte", "httpplugin.firstByteTime", true, schema));
      v.add(view("New connections", "httpplugin.connectionsEstablished", true, schema));
    }
    return v;
  }

  /** Peak TPS, the console's addition to the cumulative view. */
  public static ExpressionView peakTps(StatisticsSchema schema) {
    return view(PEAK_TPS, "peakTPS", false, schema);
  }

  private static ExpressionView view(String name, String expression, boolean composite, StatisticsSchema schema) {
    return new ExpressionView(name, Expressions.parse(expression, schema), composite);
  }
}
