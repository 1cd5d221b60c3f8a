package dev.grindstone.engine.run;

import dev.grindstone.stats.BadInputException;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pass/fail rule over a run's results, such as {@code p99<250ms}, {@code errors<1%}, {@code
 * mean<=100ms}, {@code tps>=500}, for one test {@code test 3: p95<1s}, for one phase {@code phase
 * steady: p99<300ms}, or over a rolling window {@code p99[30s]<500ms}. Checked for every test and
 * for the totals (or only for the test named), over the whole run (or the phase named). A rule
 * prefixed by {@code scenario NAME:} ({@code scenario checkout: p95<300ms}) is checked on that
 * scenario's figures only, in a run of several scenarios. Any failed threshold makes the run's exit
 * code 99.
 *
 * <p>The text form is {@code [SELECTOR:]... METRIC[\[WINDOW\]] OP VALUE [OPTION]...}. Selectors:
 * {@code test N}, {@code phase NAME}, {@code scenario NAME}. Options: {@code abort_on_fail} stops
 * the run as soon as the rule fails, evaluated live once a period, and {@code
 * delay_abort_eval=DURATION} waits that long after the run's (or the named phase's) start before
 * the rule may abort it, as k6's {@code abortOnFail} and {@code delayAbortEval}.
 *
 * @param text the rule as written (parsing it again gives the same rule)
 * @param test the test number it applies to, or -1 for every test and the totals
 * @param metric one of min, mean, p50, p90, p95, p99, p99.9, max (milliseconds), errors (a
 *     percentage of calls when the limit ends in %, otherwise a count) and tps
 * @param phase the phase whose figures it checks, or null for the whole run
 * @param window a rolling window: the rule is checked live, once a period, over each window of this
 *     length (the intervals merged exactly), and fails when any window fails; null to check the
 *     figures of the whole run (or phase)
 * @param abortOnFail whether a failure stops the run
 * @param delayAbortEval how long after the run's (or the phase's) start a failure may first stop
 *     the run; zero with no delay
 * @param scenario the scenario whose figures it is checked on, or null for the run's
 */
public record Threshold(
    String text,
    int test,
    String metric,
    String operator,
    double limit,
    boolean percent,
    String phase,
    Duration window,
    boolean abortOnFail,
    Duration delayAbortEval,
    String scenario) {

  private static final Pattern SELECTOR =
      Pattern.compile("\\s*(test|phase|scenario)\\s*([^:]*?)\\s*:", Pattern.CASE_INSENSITIVE);

  private static final Pattern FORM =
      Pattern.compile(
          "\\s*(min|mean|avg|max|p\\d+(?:\\.\\d+)?|errors|error_rate|tps)\\s*(?:\\[\\s*([^\\]]*?)\\s*])?\\s*"
              + "(<=|>=|<|>|==)\\s*([0-9]*\\.?[0-9]+(?:[eE][-+]?\\d+)?)\\s*(ms|s|us|µs|%)?((?:\\s+\\S+)*)\\s*",
          Pattern.CASE_INSENSITIVE);

  public Threshold {
    Objects.requireNonNull(text, "text");
    delayAbortEval = delayAbortEval == null ? Duration.ZERO : delayAbortEval;
  }

  /** Parses the text form; bad text gets a message with the accepted forms. */
  public static Threshold parse(String text) {
    int test = -1;
    String phase = null;
    String scenario = null;
    int at = 0;
    Matcher sel = SELECTOR.matcher(text);
    while (sel.region(at, text.length()).lookingAt()) {
      String kind = sel.group(1).toLowerCase(Locale.ROOT);
      String value = unquote(sel.group(2).trim());
      if (value.isEmpty()) {
        throw new BadInputException(
            "Threshold '"
                + text
                + "': '"
                + kind
                + ":' needs a "
                + kind
                + (kind.equals("test")
                    ? " number, e.g. 'test 3: p99<1s'"
                    : " name, e.g. 'phase steady: p99<1s'"));
      }
      if (kind.equals("test")) {
        if (test >= 0 || !value.matches("\\d+")) {
          throw notUnderstood(text);
        }
        test = testNumber(text, value);
      } else if (kind.equals("scenario")) {
        if (scenario != null) {
          throw new BadInputException(
              "Threshold '" + text + "' names two scenarios; a rule checks one scenario");
        }
        scenario = scenarioName(text, value);
      } else {
        if (phase != null) {
          throw new BadInputException(
              "Threshold '" + text + "' names two phases; a rule checks one phase");
        }
        phase = value;
      }
      at = sel.end();
    }
    Matcher m = FORM.matcher(text).region(at, text.length());
    if (!m.matches()) {
      throw notUnderstood(text);
    }
    String metric = m.group(1).toLowerCase(Locale.ROOT);
    if (metric.equals("avg")) {
      metric = "mean";
    }
    if (metric.equals("error_rate")) {
      metric = "errors";
    }
    Duration window = m.group(2) == null ? null : window(text, m.group(2));
    double value = Double.parseDouble(m.group(4));
    if (Double.isInfinite(value)) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': "
              + m.group(4)
              + " is beyond the largest number ("
              + Double.MAX_VALUE
              + "); give a finite limit");
    }
    String unit = m.group(5) == null ? "" : m.group(5).toLowerCase(Locale.ROOT);
    boolean isTime = !metric.equals("errors") && !metric.equals("tps");
    if (metric.startsWith("p")) {
      double p = Double.parseDouble(metric.substring(1));
      if (p <= 0 || p > 100) {
        throw new BadInputException(
            "Threshold '" + text + "': a percentile must be above 0 and at most 100");
      }
    }
    if (unit.equals("%") && !metric.equals("errors")) {
      throw new BadInputException(
          "Threshold '" + text + "': only errors can be given as a percentage");
    }
    if (!isTime
        && (unit.equals("ms") || unit.equals("s") || unit.equals("us") || unit.equals("µs"))) {
      throw new BadInputException(
          "Threshold '" + text + "': " + metric + " is not a time; drop the unit");
    }
    if (unit.equals("%") && value > 100) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': a percentage of calls is at most 100%, got "
              + m.group(4)
              + "%");
    }
    double millis =
        switch (unit) {
          case "s" -> value * 1000;
          case "us", "µs" -> value / 1000;
          default -> value; // ms, or no unit (times default to ms)
        };
    if (Double.isInfinite(millis)) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': "
              + m.group(4)
              + m.group(5)
              + " is beyond the longest time a threshold can hold ("
              + Double.MAX_VALUE
              + " ms)");
    }
    boolean abort = false;
    Duration delay = Duration.ZERO;
    for (String option : m.group(6).trim().split("\\s+")) {
      String o = option.toLowerCase(Locale.ROOT);
      if (o.isEmpty()) {
        continue;
      }
      if (o.equals("abort_on_fail")) {
        abort = true;
      } else if (o.startsWith("delay_abort_eval=")) {
        delay = duration(text, "delay_abort_eval", option.substring(option.indexOf('=') + 1));
      } else {
        throw new BadInputException(
            "Threshold '"
                + text
                + "': '"
                + option
                + "' is not an option; after the limit come 'abort_on_fail' and"
                + " 'delay_abort_eval=DURATION' (e.g. 'p99<500ms abort_on_fail"
                + " delay_abort_eval=10s')");
      }
    }
    if (!delay.isZero() && !abort) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': delay_abort_eval delays abort_on_fail; add"
              + " abort_on_fail, or drop the delay");
    }
    if (scenario != null && (window != null || abort)) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': a scenario's rule is checked on its figures at the end"
              + " of the run, so it takes no rolling window and no abort_on_fail; drop 'scenario "
              + scenario
              + ":' to check the run's figures live");
    }
    if (scenario != null && phase != null) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': a scenario's figures are kept for the whole run, not"
              + " per phase; name the scenario or the phase");
    }
    return new Threshold(
        text.trim(),
        test,
        metric,
        m.group(3),
        isTime ? millis : value,
        unit.equals("%"),
        phase,
        window,
        abort,
        delay,
        scenario);
  }

  private static String scenarioName(String text, String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': a scenario name is letters, digits, '.', '_' or '-',"
              + " got '"
              + name
              + "'");
    }
    return name;
  }

  /**
   * The same rule checked on one scenario's figures only; its text gains the {@code scenario NAME:}
   * prefix.
   */
  public Threshold forScenario(String name) {
    scenarioName(text, name);
    String rule =
        scenario == null ? text : text.replaceFirst("(?i)\\s*scenario\\s*[^:]*?\\s*:\\s*", "");
    return parse("scenario " + name + ": " + rule);
  }

  private static BadInputException notUnderstood(String text) {
    return new BadInputException(
        "Threshold '"
            + text
            + "' is not understood. Write METRIC OP VALUE, e.g. 'p99<250ms', 'mean<=80ms',"
            + " 'max<2s', 'errors<1%', 'errors==0', 'tps>=100', optionally prefixed by 'test N:',"
            + " 'phase NAME:' and 'scenario NAME:', with a rolling window after the metric"
            + " ('p99[30s]<500ms') and followed by 'abort_on_fail' and 'delay_abort_eval=DURATION'."
            + " Metrics: min, mean, p50, p90, p95, p99, p99.9, max, errors, tps.");
  }

  private static String unquote(String s) {
    if (s.length() >= 2
        && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static Duration window(String text, String spec) {
    Duration d = duration(text, "the window", spec);
    if (!d.isPositive()) {
      throw new BadInputException(
          "Threshold '" + text + "': the window must be longer than 0, got [" + spec + "]");
    }
    return d;
  }

  private static final Pattern DURATION =
      Pattern.compile("([0-9]*\\.?[0-9]+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

  /** 250ms, 30s, 1.5m, 1h. */
  private static Duration duration(String text, String what, String spec) {
    Matcher d = DURATION.matcher(spec.trim());
    if (!d.matches()) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': "
              + what
              + " '"
              + spec
              + "' is not a duration; write"
              + " it as 500ms, 30s, 5m or 1h");
    }
    double n = Double.parseDouble(d.group(1));
    double nanos =
        n
            * switch (d.group(2).toLowerCase(Locale.ROOT)) {
              case "ms" -> 1e6;
              case "s" -> 1e9;
              case "m" -> 60e9;
              default -> 3600e9;
            };
    if (nanos >= Long.MAX_VALUE) {
      throw new BadInputException(
          "Threshold '" + text + "': " + what + " '" + spec + "' is longer than 106,751 days");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /**
   * This rule, stopping the run when it fails, not before {@code delay} into the run (or its
   * phase).
   */
  public Threshold abortingOnFail(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay_abort_eval must be zero or more, got " + delay);
    }
    String rule = text.replaceAll("(?i)\\s+(abort_on_fail|delay_abort_eval=\\S+)", "");
    return parse(
        rule
            + " abort_on_fail"
            + (delay.isZero() ? "" : " delay_abort_eval=" + delay.toMillis() + "ms"));
  }

  /** True when the rule is checked live, once a period: it has a window, or it may stop the run. */
  public boolean isLive() {
    return window != null || abortOnFail;
  }

  private static int testNumber(String text, String digits) {
    String n = digits.replaceFirst("^0+(?=.)", "");
    if (n.length() > 10 || Long.parseLong(n) > Integer.MAX_VALUE) {
      throw new BadInputException(
          "Threshold '"
              + text
              + "': test number "
              + digits
              + " is out of range; test numbers go from 0 to "
              + Integer.MAX_VALUE);
    }
    return Integer.parseInt(n);
  }

  /**
   * The figure this rule checks, read from {@code figures}: milliseconds for the times (percentiles
   * as {@link TestFigures#percentileMillis} gives them, within the exact min and max), a count or a
   * percentage of calls for errors, tests per second for tps. NaN when undefined (a time of no
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

  /**
   * True when {@code actual} satisfies the rule. NaN (no data) satisfies nothing but errors/tps
   * rules.
   */
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
