package dev.grindstone.engine.run;

import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.results.TestFigures;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pass/fail rule over a run's results, such as {@code p99<250ms}, {@code errors<1%},
 * {@code mean<=100ms}, {@code tps>=500} or, for one test, {@code test 3: p95<1s}. Checked for every
 * test and for the totals (or only for the test named). A rule prefixed by {@code scenario NAME:}
 * ({@code scenario checkout: p95<300ms}) is checked on that scenario's figures only, in a run of
 * several scenarios. Any failed threshold makes the run's exit code 99.
 *
 * @param metric one of min, mean, p50, p90, p95, p99, p99.9, max (milliseconds), errors (a
 *     percentage of calls when the limit ends in %, otherwise a count) and tps
 * @param test the test number it applies to, or -1 for every test and the totals
 * @param scenario the scenario whose figures it is checked on, or null for the run's
 */
public record Threshold(String text, int test, String metric, String operator, double limit, boolean percent,
    String scenario) {

  private static final Pattern SCENARIO = Pattern.compile("\\s*scenario\\s+([A-Za-z0-9._-]+)\\s*:(.*)",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  /** A rule checked on the run's figures. */
  public Threshold(String text, int test, String metric, String operator, double limit, boolean percent) {
    this(text, test, metric, operator, limit, percent, null);
  }

  /** The same rule checked on one scenario's figures only; its text gains the {@code scenario NAME:} prefix. */
  public Threshold forScenario(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new BadInputException("Threshold '" + text + "': a scenario name is letters, digits, '.', '_' or '-',"
          + " got '" + name + "'");
    }
    String rule = scenario == null ? text : text.substring(text.indexOf(':') + 1).trim();
    return new Threshold("scenario " + name + ": " + rule, test, metric, operator, limit, percent, name);
  }

  private static final Pattern FORM = Pattern.compile(
      "\\s*(?:test\\s*(\\d+)\\s*:\\s*)?(min|mean|avg|max|p\\d+(?:\\.\\d+)?|errors|error_rate|tps)\\s*(<=|>=|<|>|==)\\s*"
          + "([0-9]*\\.?[0-9]+(?:[eE][-+]?\\d+)?)\\s*(ms|s|us|µs|%)?\\s*",
      Pattern.CASE_INSENSITIVE);

  /** Parses the text form; bad text gets a message with the accepted forms. */
  public static Threshold parse(String text) {
    Matcher s = SCENARIO.matcher(text);
    if (s.matches()) {
      return parse(s.group(2)).forScenario(s.group(1));
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new BadInputException("Threshold '" + text + "' is not understood. Write METRIC OP VALUE, e.g."
          + " 'p99<250ms', 'mean<=80ms', 'max<2s', 'errors<1%', 'errors==0', 'tps>=100', optionally"
          + " prefixed by 'test N:'. Metrics: min, mean, p50, p90, p95, p99, p99.9, max, errors, tps.");
    }
    int test = m.group(1) == null ? -1 : testNumber(text, m.group(1));
    String metric = m.group(2).toLowerCase(Locale.ROOT);
    if (metric.equals("avg")) {
      metric = "mean";
    }
    if (metric.equals("error_rate")) {
      metric = "errors";
    }
    double value = Double.parseDouble(m.group(4));
    if (Double.isInfinite(value)) {
      throw new BadInputException("Threshold '" + text + "': " + m.group(4) + " is beyond the largest number ("
          + Double.MAX_VALUE + "); give a finite limit");
    }
    String unit = m.group(5) == null ? "" : m.group(5).toLowerCase(Locale.ROOT);
    boolean isTime = !metric.equals("errors") && !metric.equals("tps");
    if (metric.startsWith("p")) {
      double p = Double.parseDouble(metric.substring(1));
      if (p <= 0 || p > 100) {
        throw new BadInputException("Threshold '" + text + "': a percentile must be above 0 and at most 100");
      }
    }
    if (unit.equals("%") && !metric.equals("errors")) {
      throw new BadInputException("Threshold '" + text + "': only errors can be given as a percentage");
    }
    if (!isTime && (unit.equals("ms") || unit.equals("s") || unit.equals("us") || unit.equals("µs"))) {
      throw new BadInputException("Threshold '" + text + "': " + metric + " is not a time; drop the unit");
    }
    if (unit.equals("%") && value > 100) {
      throw new BadInputException("Threshold '" + text + "': a percentage of calls is at most 100%, got "
          + m.group(4) + "%");
    }
    double millis = switch (unit) {
      case "s" -> value * 1000;
      case "us", "µs" -> value / 1000;
      default -> value; // ms, or no unit (times default to ms)
    };
    if (Double.isInfinite(millis)) {
      throw new BadInputException("Threshold '" + text + "': " + m.group(4) + m.group(5)
          + " is beyond the longest time a threshold can hold (" + Double.MAX_VALUE + " ms)");
    }
    return new Threshold(text.trim(), test, metric, m.group(3), isTime ? millis : value, unit.equals("%"));
  }

  private static int testNumber(String text, String digits) {
    String n = digits.replaceFirst("^0+(?=.)", "");
    if (n.length() > 10 || Long.parseLong(n) > Integer.MAX_VALUE) {
      throw new BadInputException("Threshold '" + text + "': test number " + digits
          + " is out of range; test numbers go from 0 to " + Integer.MAX_VALUE);
    }
    return Integer.parseInt(n);
  }

  /**
   * The figure this rule checks, read from {@code figures}: milliseconds for the times (percentiles
   * as {@link TestFigures#percentileMillis} gives them, within the exact min and max), a count or
   * a percentage of calls for errors, tests per second for tps. NaN when undefined (a time of no
   * calls).
   */
  public double actual(TestFigures figures) {
    return switch (metric) {
      case "min" -> figures.minMillis();
      case "max" -> figures.maxMillis();
      case "mean" -> figures.meanMillis();
      case "errors" -> percent ? figures.errorPercent() : figures.errors();
      case "tps" -> figures.tps();
      default -> figures.percentileMillis(Double.parseDouble(metric.substring(1)));
    };
  }

  /** True when {@code actual} satisfies the rule. NaN (no data) satisfies nothing but errors/tps rules. */
  public boolean passes(double actual) {
    if (Double.isNaN(actual)) {
      return false;
    }
    return switch (operator) {
      case "<" -> actual < limit;
      case "<=" -> actual <= limit;
      case ">" -> actual > limit;
      case ">=" -> actual >= limit;
      default -> actual == limit;
    };
  }
}
