package dev.grindstone.engine.config;

import dev.grindstone.engine.config.YamlNode.Mapping;
import dev.grindstone.engine.config.YamlNode.Scalar;
import dev.grindstone.engine.config.YamlNode.Sequence;
import dev.grindstone.stats.Spelling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads over a {@link YamlNode} tree that record problems instead of stopping at the first. A
 * read that fails returns the default and adds a problem naming the field and what is expected.
 */
public final class ConfigReader {

  private static final Pattern DURATION =
      Pattern.compile("\\s*([0-9]*\\.?[0-9]+)\\s*(ms|s|m|h|us|µs)?\\s*");

  private final ConfigProblems problems;

  public ConfigReader(ConfigProblems problems) {
    this.problems = problems;
  }

  public ConfigProblems problems() {
    return problems;
  }

  /** Reports fields of {@code map} that are not in {@code known}, suggesting the closest one. */
  public void checkFields(Mapping map, Set<String> known) {
    for (var e : map.fields().entrySet()) {
      if (!known.contains(e.getKey())) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known) {
          int d = Spelling.editDistance(e.getKey(), k);
          if (d < bestD) {
            bestD = d;
            best = k;
          }
        }
        problems.add(
            e.getValue(),
            "unknown field '"
                + e.getKey()
                + "'"
                + (best != null && bestD <= 3
                    ? "; did you mean '" + best + "'?"
                    : "; known fields: " + String.join(", ", known.stream().sorted().toList())));
      }
    }
  }

  public Mapping mapping(YamlNode node, String what) {
    if (node instanceof Mapping m) {
      return m;
    }
    if (node != null) {
      problems.add(node, "expected " + what + " (a mapping of fields)");
    }
    return null;
  }

  public List<YamlNode> list(YamlNode node) {
    if (node == null) {
      return List.of();
    }
    if (node instanceof Sequence s) {
      return s.items();
    }
    return List.of(node); // a single value where a list is allowed
  }

  public String string(YamlNode node, String fallback) {
    if (node == null || node instanceof Scalar s && s.isNull()) {
      return fallback;
    }
    if (node instanceof Scalar s) {
      return s.text();
    }
    problems.add(
        node, "expected a single value, not a " + (node instanceof Mapping ? "mapping" : "list"));
    return fallback;
  }

  public String requiredString(Mapping parent, String field) {
    YamlNode n = parent.get(field);
    if (n == null) {
      problems.add(parent.line(), parent.column(), child(parent, field), "is required");
      return null;
    }
    return string(n, null);
  }

  public long integer(YamlNode node, long fallback, long min) {
    String text = string(node, null);
    if (text == null) {
      return fallback;
    }
    try {
      long v = Long.parseLong(text.trim());
      if (v < min) {
        problems.add(node, "must be at least " + min + ", got " + v);
        return fallback;
      }
      return v;
    } catch (NumberFormatException e) {
      problems.add(node, "expected a whole number, got '" + text + "'");
      return fallback;
    }
  }

  public double number(YamlNode node, double fallback, double min) {
    String text = string(node, null);
    if (text == null) {
      return fallback;
    }
    try {
      double v = Double.parseDouble(text.trim().replace("/s", ""));
      if (!(v >= min) || Double.isInfinite(v)) {
        problems.add(node, "must be a number of at least " + min + ", got " + text);
        return fallback;
      }
      return v;
    } catch (NumberFormatException e) {
      problems.add(node, "expected a number, got '" + text + "'");
      return fallback;
    }
  }

  public boolean bool(YamlNode node, boolean fallback) {
    String text = string(node, null);
    if (text == null) {
      return fallback;
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> {
        problems.add(node, "expected true or false, got '" + text + "'");
        yield fallback;
      }
    };
  }

  /** A duration: {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 1.5s}, or seconds. */
  public Duration duration(YamlNode node, Duration fallback) {
    String text = string(node, null);
    if (text == null) {
      return fallback;
    }
    Duration d = parseDuration(text);
    if (d == null) {
      problems.add(node, whyNotDuration(text));
      return fallback;
    }
    return d;
  }

  /** Why {@link #parseDuration} gave null for {@code text}, for a message. */
  public static String whyNotDuration(String text) {
    return DURATION.matcher(text).matches()
        ? "'"
            + text.strip()
            + "' is longer than the longest duration, "
            + Duration.ofNanos(Long.MAX_VALUE).toDays()
            + " days (2^63 - 1 ns)"
        : "expected a duration such as 30s, 500ms, 2m or 1h, got '" + text + "'";
  }

  /**
   * Parses {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 250us} or a number of
   * seconds; null if not one or longer than 2^63 - 1 ns.
   */
  public static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return null;
    }
    double v = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double nanos =
        v
            * switch (unit) {
              case "ms" -> 1e6;
              case "us", "µs" -> 1e3;
              case "m" -> 60e9;
              case "h" -> 3600e9;
              default -> 1e9;
            };
    if (!(nanos < 0x1p63)) {
      return null; // beyond Long.MAX_VALUE ns: rounding would clip it silently
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  public List<Duration> durations(YamlNode node) {
    List<Duration> out = new ArrayList<>();
    for (YamlNode n : list(node)) {
      Duration d = duration(n, null);
      if (d != null) {
        out.add(d);
      }
    }
    return out;
  }

  static String child(YamlNode parent, String field) {
    return parent.path().isEmpty() ? field : parent.path() + "." + field;
  }
}
