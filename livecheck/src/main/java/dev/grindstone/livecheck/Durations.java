package dev.grindstone.livecheck;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the duration forms every LiveCheck setting accepts: a {@link Duration}, a number of seconds
 * ({@code 30}, {@code 0.5}), or a string: a number with an optional unit ({@code "30s"}, {@code
 * "500ms"}, {@code "5m"}, {@code "3h"}, {@code "1d"}, {@code "2.5"} = seconds) or ISO-8601 ({@code
 * "PT30S"}). Stateless and thread-safe.
 */
public final class Durations {
  private static final Pattern FORM =
      Pattern.compile("\\s*(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ns|us|µs|ms|s|sec|m|min|h|d)?\\s*");

  private Durations() {}

  /**
   * Parses {@code value} for the setting {@code setting}.
   *
   * @throws IllegalArgumentException naming the setting, the value and the accepted forms
   */
  public static Duration parse(String setting, Object value) {
    if (value instanceof Duration d) {
      return d;
    }
    if (value instanceof Number n) {
      double secs = n.doubleValue();
      if (Double.isNaN(secs) || Double.isInfinite(secs)) {
        throw bad(setting, value);
      }
      return ofSeconds(BigDecimal.valueOf(secs));
    }
    if (value instanceof CharSequence cs) {
      String s = cs.toString();
      if (s.strip().toUpperCase(Locale.ROOT).startsWith("PT") || s.strip().startsWith("P")) {
        try {
          return Duration.parse(s.strip());
        } catch (DateTimeParseException e) {
          throw bad(setting, value);
        }
      }
      Matcher m = FORM.matcher(s);
      if (!m.matches()) {
        throw bad(setting, value);
      }
      BigDecimal amount = new BigDecimal(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      BigDecimal seconds =
          switch (unit) {
            case "ns" -> amount.movePointLeft(9);
            case "us", "µs" -> amount.movePointLeft(6);
            case "ms" -> amount.movePointLeft(3);
            case "s", "sec" -> amount;
            case "m", "min" -> amount.multiply(BigDecimal.valueOf(60));
            case "h" -> amount.multiply(BigDecimal.valueOf(3600));
            case "d" -> amount.multiply(BigDecimal.valueOf(86400));
            default -> throw bad(setting, value);
          };
      return ofSeconds(seconds);
    }
    throw bad(setting, value);
  }

  /** Seconds as a double, for JSON and logs. */
  public static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  /** A short human form: {@code 1.5s}, {@code 250ms}, {@code 3h}. */
  public static String format(Duration d) {
    if (d == null) {
      return "none";
    }
    long ms = d.toMillis();
    if (ms < 1000 && d.toNanos() % 1_000_000 == 0) {
      return ms + "ms";
    }
    if (d.toNanos() < 1_000_000_000L) {
      return BigDecimal.valueOf(d.toNanos() / 1e6)
              .setScale(1, java.math.RoundingMode.HALF_UP)
              .stripTrailingZeros()
              .toPlainString()
          + "ms";
    }
    if (d.toNanos() % 1_000_000 != 0) {
      return BigDecimal.valueOf(seconds(d))
              .setScale(3, java.math.RoundingMode.HALF_UP)
              .stripTrailingZeros()
              .toPlainString()
          + "s";
    }
    if (d.toNanos() % 3_600_000_000_000L == 0) {
      return d.toHours() + "h";
    }
    if (d.toNanos() % 60_000_000_000L == 0) {
      return d.toMinutes() + "m";
    }
    return BigDecimal.valueOf(seconds(d)).stripTrailingZeros().toPlainString() + "s";
  }

  private static Duration ofSeconds(BigDecimal seconds) {
    BigDecimal nanos = seconds.movePointRight(9);
    return Duration.ofNanos(nanos.longValue());
  }

  private static IllegalArgumentException bad(String setting, Object value) {
    return new IllegalArgumentException(
        setting
            + ": cannot read "
            + (value instanceof CharSequence ? "\"" + value + "\"" : String.valueOf(value))
            + " as a duration; use a java.time.Duration, a number of seconds (30, 0.5) or a"
            + " string such as \"30s\", \"500ms\", \"5m\", \"3h\"");
  }
}
