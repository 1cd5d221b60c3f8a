package dev.grindstone.stats;

import dev.grindstone.stats.expr.Expressions;
import java.util.List;

/**
 * The standard columns of The Grinder's summary table (plug-ins add theirs after them). TPS is
 * {@code (* 1000 (/ (+ (count timedTests) untimedTests) period))}: the caller sets {@code period}
 * to the <em>actual</em> length of the interval or run in milliseconds.
 */
public final class StandardViews {

  public static final String TESTS = "Tests";
  public static final String ERRORS = "Errors";
  public static final String MEAN_TEST_TIME = "Mean Test Time (ms)";
  public static final String TEST_TIME_SD = "Test Time Standard Deviation (ms)";
  public static final String TPS = "TPS";
  public static final String PEAK_TPS = "Peak TPS";

  private StandardViews() {}

  /** Tests, Errors, Mean Test Time (ms), Test Time Standard Deviation (ms), TPS. */
  public static StatisticsView summary(StatisticsSchema schema) {
    return new StatisticsView(
        List.of(
            view(TESTS, "(+ (count timedTests) untimedTests)", true, schema),
            view(ERRORS, "errors", true, schema),
            view(MEAN_TEST_TIME, "(/ (sum timedTests) (count timedTests))", false, schema),
            view(TEST_TIME_SD, "(sqrt (variance timedTests))", false, schema),
            view(TPS, "(* 1000 (/ (+ (count timedTests) untimedTests) period))", false, schema)));
  }

  /** Peak TPS, the console's addition to the cumulative view. */
  public static ExpressionView peakTps(StatisticsSchema schema) {
    return view(PEAK_TPS, "peakTPS", false, schema);
  }

  private static ExpressionView view(
      String name, String expression, boolean composite, StatisticsSchema schema) {
    return new ExpressionView(name, Expressions.parse(expression, schema), composite);
  }
}
