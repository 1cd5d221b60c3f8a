package dev.grindstone.compare;

import dev.grindstone.stats.BadInputException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much worse a figure may get from run A (the baseline) to run B before the comparison counts
 * as a regression: {@code --max-p99-increase 10%}, {@code --max-mean-increase 5ms}, {@code
 * --max-tps-decrease 10%}, {@code --max-error-rate-increase 0.5%} (percentage points). Checked for
 * every test found in both runs and for the totals.
 *
 * @param metric MEAN, P50, P90, P99 (an increase), TPS (a decrease) or ERROR_RATE (an increase)
 * @param limit the allowed worsening: percent of A when {@code relative}, otherwise in the metric's
 *     unit (ms, TPS, or percentage points for the error rate)
 * @param text the option as given, for messages
 */
public record Tolerance(Metric metric, double limit, boolean relative, String text) {

  private static final Pattern FORM =
      Pattern.compile("\\s*([0-9]*\\.?[0-9]+(?:[eE][-+]?\\d+)?)\\s*(%|ms|s|us|µs)?\\s*");

  public Tolerance {
    if (metric == Metric.COUNT || metric == Metric.MAX) {
      throw new IllegalArgumentException(
          "no tolerance for "
              + metric.label()
              + ": it is not a stable figure of a run; use the mean or a percentile");
    }
    if (!(limit >= 0) || Double.isInfinite(limit)) {
      throw new IllegalArgumentException(
          "a tolerance must be a finite number of 0 or more, got " + limit);
    }
    if (metric == Metric.ERROR_RATE && relative) {
      throw new IllegalArgumentException(
          "an error-rate tolerance is in percentage points, not relative");
    }
  }

  /**
   * Parses the value of an option such as {@code --max-p99-increase}: latencies take {@code 10%}
   * (of A) or a time ({@code 20ms}, {@code 1s}, {@code 500us}); TPS takes {@code 10%} or a number
   * of TPS; the error rate takes percentage points ({@code 0.5%}).
   */
  public static Tolerance parse(Metric metric, String option, String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    String forms =
        switch (metric) {
          case TPS -> "a percentage of the baseline's TPS (10%) or a number of TPS (50)";
          case ERROR_RATE -> "percentage points of all calls (0.5% lets 1.0% become at most 1.5%)";
          default -> "a percentage of the baseline's figure (10%) or a time (20ms, 1s, 500us)";
        };
    if (!m.matches()) {
      throw new BadInputException(option + " takes " + forms + ", got '" + text + "'");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    if (Double.isInfinite(value)) {
      throw new BadInputException(
          option + ": " + m.group(1) + " is beyond the largest number; give a finite limit");
    }
    boolean time = metric != Metric.TPS && metric != Metric.ERROR_RATE;
    double limit;
    boolean relative;
    if (metric == Metric.ERROR_RATE) {
      if (!unit.equals("%")) {
        throw new BadInputException(option + " takes " + forms + ", got '" + text + "' (add %)");
      }
      if (value > 100) {
        throw new BadInputException(
            option + ": an error rate rises by at most 100 points, got " + text.trim());
      }
      limit = value;
      relative = false;
    } else if (unit.equals("%")) {
      limit = value;
      relative = true;
    } else if (time) {
      if (unit.isEmpty()) {
        throw new BadInputException(
            option + " takes " + forms + ", got '" + text + "' (add % or a unit)");
      }
      limit =
          switch (unit) {
            case "s" -> value * 1000;
            case "us", "µs" -> value / 1000;
            default -> value;
          };
      relative = false;
    } else {
      if (!unit.isEmpty()) {
        throw new BadInputException(
            option + ": TPS is not a time; give " + forms + ", got '" + text + "'");
      }
      limit = value;
      relative = false;
    }
    return new Tolerance(metric, limit, relative, option + " " + text.trim());
  }

  /**
   * "p99 increase at most 10%", "TPS decrease at most 50", "error rate increase at most 0.50 pts".
   */
  public String rule() {
    String verb = metric.worseDirection() < 0 ? " decrease" : " increase";
    return metric.label() + verb + " at most " + limitText();
  }

  private String limitText() {
    if (relative) {
      return Numbers.trim(limit) + "%";
    }
    return switch (metric) {
      case ERROR_RATE -> Numbers.trim(limit) + " pts";
      case TPS -> Numbers.trim(limit);
      default -> Numbers.trim(limit) + " ms";
    };
  }

  /**
   * How much worse B is than A, in this tolerance's terms (negative when better); NaN if unknown.
   */
  double worsening(Change c) {
    double sign = metric.worseDirection();
    return relative ? sign * c.relativePercent() : sign * c.difference();
  }

  /**
   * Checks one change. It breaks the tolerance when it is worse by more than the limit and the
   * noise test does not find it within the runs' own spread (a change the test calls noise passes,
   * with a note, unless {@code ignoreNoise}). When B has no figure and A has one (no successful
   * call in B), the rule fails.
   */
  public RuleResult check(Change c, String scope, boolean ignoreNoise) {
    String expected =
        (metric.worseDirection() < 0 ? "a decrease of " : "an increase of ")
            + "at most "
            + limitText();
    String figures = Numbers.withUnit(c.a(), metric) + " -> " + Numbers.withUnit(c.b(), metric);
    if (Double.isNaN(c.b()) && !Double.isNaN(c.a())) {
      return new RuleResult(
          rule(),
          scope,
          false,
          "no figure in B (" + figures + ")",
          expected,
          scope
              + ": "
              + metric.label()
              + " has no figure in B (no successful call), against "
              + Numbers.withUnit(c.a(), metric)
              + " in A");
    }
    double worse = worsening(c);
    String actual = c.describe() + " (" + figures + ")";
    if (Double.isNaN(worse)) {
      return new RuleResult(
          rule(), scope, true, actual, expected, "nothing to compare: no figure in A");
    }
    boolean beyond = worse > limit;
    boolean excused = beyond && !ignoreNoise && c.noise().verdict() == Noise.Verdict.WITHIN_NOISE;
    String message =
        scope
            + ": "
            + metric.label()
            + " "
            + figures
            + " ("
            + c.describe()
            + ")"
            + (beyond ? ", beyond " : ", within ")
            + expected
            + "; "
            + c.noise().describe()
            + (excused ? ": not counted as a regression" : "");
    return new RuleResult(rule(), scope, !beyond || excused, actual, expected, message);
  }
}
