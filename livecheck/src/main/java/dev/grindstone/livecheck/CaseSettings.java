package dev.grindstone.livecheck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of a {@link Case}, with Faust LiveCheck's names (snake_case in maps and error
 * messages) and defaults. Durations accept a {@link Duration}, a number of seconds or a string such
 * as {@code "30s"}, {@code "500ms"}, {@code "3h"} (see {@link Durations}). Every constraint is
 * checked at construction; the exception lists every invalid setting with its value and the rule.
 * Immutable and thread-safe.
 *
 * @param probability chance in [0, 1] that {@link Case#maybeTrigger} starts a test (default 0.5)
 * @param warnStalledAfter STALL when no test arrived for this long (default 1800 s)
 * @param testExpires a test not started within this time after its trigger is skipped (default 3 h)
 * @param frequency how often the leader calls {@link Case#makeFakeRequest()}; {@code null} = never
 *     (default)
 * @param realtimeLogs log each step of a test as it happens instead of only at the end (default
 *     false)
 * @param maxHistory entries kept in the runtime, latency and frequency histories (default 100)
 * @param maxConsecutiveFailures the suite fails at this many consecutive failures (default 30)
 * @param stateTransitionDelay debounce: a failed suite recovers, and a new suite failure is
 *     reported again, only after this long (default 60 s)
 * @param urlTimeoutTotal time limit of each attempt of a {@link Case#urlRequest}, connecting and
 *     reading included, as the total timeout of Faust's aiohttp request; {@code null} = none
 *     (default 300 s)
 * @param urlTimeoutConnect connect timeout of each attempt; {@code null} = none (default)
 * @param urlErrorRetries retries after the first failed attempt (default 10)
 * @param urlErrorDelayMin base retry delay; the first sleep is this times the backoff (default 0.5
 *     s)
 * @param urlErrorDelayBackoff multiplier applied before each sleep, at least 1 (default 1.5)
 * @param urlErrorDelayMax cap of a retry delay (default 5 s)
 * @param active an inactive case skips every test (default true)
 */
public record CaseSettings(
    double probability,
    Duration warnStalledAfter,
    Duration testExpires,
    Duration frequency,
    boolean realtimeLogs,
    int maxHistory,
    int maxConsecutiveFailures,
    Duration stateTransitionDelay,
    Duration urlTimeoutTotal,
    Duration urlTimeoutConnect,
    int urlErrorRetries,
    Duration urlErrorDelayMin,
    double urlErrorDelayBackoff,
    Duration urlErrorDelayMax,
    boolean active) {

  /** Every setting's snake_case name, in documentation order. */
  public static final List<String> NAMES =
      List.of(
          "probability",
          "warn_stalled_after",
          "test_expires",
          "frequency",
          "realtime_logs",
          "max_history",
          "max_consecutive_failures",
          "state_transition_delay",
          "url_timeout_total",
          "url_timeout_connect",
          "url_error_retries",
          "url_error_delay_min",
          "url_error_delay_backoff",
          "url_error_delay_max",
          "active");

  private static final String PREFIX = "invalid LiveCheck case settings: ";

  private static final Set<String> NULLABLE =
      Set.of("frequency", "url_timeout_total", "url_timeout_connect");

  public CaseSettings {
    List<String> errors = new ArrayList<>();
    check(
        errors,
        probability >= 0 && probability <= 1,
        "probability",
        probability,
        "must be between 0 and 1");
    positive(errors, "warn_stalled_after", warnStalledAfter, false);
    positive(errors, "test_expires", testExpires, false);
    positive(errors, "frequency", frequency, true);
    check(errors, maxHistory >= 1, "max_history", maxHistory, "must be >= 1");
    check(
        errors,
        maxConsecutiveFailures >= 1,
        "max_consecutive_failures",
        maxConsecutiveFailures,
        "must be >= 1");
    nonNegative(errors, "state_transition_delay", stateTransitionDelay);
    positive(errors, "url_timeout_total", urlTimeoutTotal, true);
    positive(errors, "url_timeout_connect", urlTimeoutConnect, true);
    check(errors, urlErrorRetries >= 0, "url_error_retries", urlErrorRetries, "must be >= 0");
    nonNegative(errors, "url_error_delay_min", urlErrorDelayMin);
    check(
        errors,
        urlErrorDelayBackoff >= 1 && Double.isFinite(urlErrorDelayBackoff),
        "url_error_delay_backoff",
        urlErrorDelayBackoff,
        "must be a finite number >= 1");
    nonNegative(errors, "url_error_delay_max", urlErrorDelayMax);
    if (urlErrorDelayMin != null
        && urlErrorDelayMax != null
        && urlErrorDelayMax.compareTo(urlErrorDelayMin) < 0) {
      errors.add(
          "url_error_delay_max = "
              + Durations.format(urlErrorDelayMax)
              + ": must be >= url_error_delay_min ("
              + Durations.format(urlErrorDelayMin)
              + ")");
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(PREFIX + String.join("; ", errors));
    }
  }

  /** Faust's defaults. */
  public static CaseSettings defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings from a map of snake_case names (for configuration files); missing names keep their
   * defaults, unknown names are errors.
   */
  public static CaseSettings fromMap(Map<String, ?> values) {
    Builder b = builder();
    values.forEach(b::set);
    return b.build();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.set("probability", probability);
    b.set("warn_stalled_after", warnStalledAfter);
    b.set("test_expires", testExpires);
    b.set("frequency", frequency);
    b.set("realtime_logs", realtimeLogs);
    b.set("max_history", maxHistory);
    b.set("max_consecutive_failures", maxConsecutiveFailures);
    b.set("state_transition_delay", stateTransitionDelay);
    b.set("url_timeout_total", urlTimeoutTotal);
    b.set("url_timeout_connect", urlTimeoutConnect);
    b.set("url_error_retries", urlErrorRetries);
    b.set("url_error_delay_min", urlErrorDelayMin);
    b.set("url_error_delay_backoff", urlErrorDelayBackoff);
    b.set("url_error_delay_max", urlErrorDelayMax);
    b.set("active", active);
    return b;
  }

  private static void check(
      List<String> errors, boolean ok, String name, Object value, String rule) {
    if (!ok) {
      errors.add(name + " = " + value + ": " + rule);
    }
  }

  private static void positive(List<String> errors, String name, Duration d, boolean nullable) {
    if (d == null) {
      if (!nullable) {
        errors.add(name + " = null: must be set");
      }
    } else if (d.isNegative() || d.isZero()) {
      errors.add(name + " = " + d + ": must be > 0" + (nullable ? " (or none)" : ""));
    }
  }

  private static void nonNegative(List<String> errors, String name, Duration d) {
    if (d == null) {
      errors.add(name + " = null: must be set");
    } else if (d.isNegative()) {
      errors.add(name + " = " + d + ": must be >= 0");
    }
  }

  /**
   * Collects settings; {@link #build()} reads and checks them all at once. Not thread-safe.
   * Duration settings take a {@link Duration}, seconds or a string; {@link #set(String, Object)}
   * takes any setting by its snake_case name.
   */
  public static final class Builder {
    private final Map<String, Object> raw = new LinkedHashMap<>();

    private Builder() {
      raw.put("probability", 0.5);
      raw.put("warn_stalled_after", Duration.ofSeconds(1800));
      raw.put("test_expires", Duration.ofHours(3));
      raw.put("frequency", null);
      raw.put("realtime_logs", false);
      raw.put("max_history", 100);
      raw.put("max_consecutive_failures", 30);
      raw.put("state_transition_delay", Duration.ofSeconds(60));
      raw.put("url_timeout_total", Duration.ofSeconds(300));
      raw.put("url_timeout_connect", null);
      raw.put("url_error_retries", 10);
      raw.put("url_error_delay_min", Duration.ofMillis(500));
      raw.put("url_error_delay_backoff", 1.5);
      raw.put("url_error_delay_max", Duration.ofSeconds(5));
      raw.put("active", true);
    }

    /** Sets a setting by its snake_case name; the value is checked by {@link #build()}. */
    public Builder set(String name, Object value) {
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException(
            "unknown LiveCheck case setting \""
                + name
                + "\"; known settings: "
                + String.join(", ", NAMES));
      }
      raw.put(name, value);
      return this;
    }

    public Builder probability(double p) {
      return set("probability", p);
    }

    public Builder warnStalledAfter(Object duration) {
      return set("warn_stalled_after", duration);
    }

    public Builder testExpires(Object duration) {
      return set("test_expires", duration);
    }

    /** {@code null} turns the fake-request loop off. */
    public Builder frequency(Object duration) {
      return set("frequency", duration);
    }

    public Builder realtimeLogs(boolean on) {
      return set("realtime_logs", on);
    }

    public Builder maxHistory(int n) {
      return set("max_history", n);
    }

    public Builder maxConsecutiveFailures(int n) {
      return set("max_consecutive_failures", n);
    }

    public Builder stateTransitionDelay(Object duration) {
      return set("state_transition_delay", duration);
    }

    public Builder urlTimeoutTotal(Object duration) {
      return set("url_timeout_total", duration);
    }

    public Builder urlTimeoutConnect(Object duration) {
      return set("url_timeout_connect", duration);
    }

    public Builder urlErrorRetries(int n) {
      return set("url_error_retries", n);
    }

    public Builder urlErrorDelayMin(Object duration) {
      return set("url_error_delay_min", duration);
    }

    public Builder urlErrorDelayBackoff(double factor) {
      return set("url_error_delay_backoff", factor);
    }

    public Builder urlErrorDelayMax(Object duration) {
      return set("url_error_delay_max", duration);
    }

    public Builder active(boolean on) {
      return set("active", on);
    }

    /**
     * Reads and checks every setting.
     *
     * @throws IllegalArgumentException listing every invalid setting: name, value, rule
     */
    public CaseSettings build() {
      List<String> errors = new ArrayList<>();
      Map<String, Object> v = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : raw.entrySet()) {
        String name = e.getKey();
        Object value = e.getValue();
        try {
          v.put(name, read(name, value));
        } catch (IllegalArgumentException ex) {
          errors.add(ex.getMessage());
        }
      }
      if (!errors.isEmpty()) {
        // Check the readable settings too, so one message names every problem.
        Builder defaults = new Builder();
        for (String name : NAMES) {
          if (!v.containsKey(name)) {
            v.put(name, read(name, defaults.raw.get(name)));
          }
        }
        try {
          construct(v);
        } catch (IllegalArgumentException e) {
          errors.add(e.getMessage().substring(PREFIX.length()));
        }
        throw new IllegalArgumentException(PREFIX + String.join("; ", errors));
      }
      return construct(v);
    }

    private static CaseSettings construct(Map<String, Object> v) {
      return new CaseSettings(
          (Double) v.get("probability"),
          (Duration) v.get("warn_stalled_after"),
          (Duration) v.get("test_expires"),
          (Duration) v.get("frequency"),
          (Boolean) v.get("realtime_logs"),
          (Integer) v.get("max_history"),
          (Integer) v.get("max_consecutive_failures"),
          (Duration) v.get("state_transition_delay"),
          (Duration) v.get("url_timeout_total"),
          (Duration) v.get("url_timeout_connect"),
          (Integer) v.get("url_error_retries"),
          (Duration) v.get("url_error_delay_min"),
          (Double) v.get("url_error_delay_backoff"),
          (Duration) v.get("url_error_delay_max"),
          (Boolean) v.get("active"));
    }

    private static Object read(String name, Object value) {
      switch (name) {
        case "probability", "url_error_delay_backoff" -> {
          if (value instanceof Number n) {
            return n.doubleValue();
          }
          if (value instanceof CharSequence cs) {
            try {
              return Double.parseDouble(cs.toString().strip());
            } catch (NumberFormatException e) {
              // falls through to the error below
            }
          }
          throw new IllegalArgumentException(name + " = " + quote(value) + ": must be a number");
        }
        case "max_history", "max_consecutive_failures", "url_error_retries" -> {
          if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long l = ((Number) value).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
              return (int) l;
            }
          }
          if (value instanceof CharSequence cs) {
            try {
              return Integer.parseInt(cs.toString().strip());
            } catch (NumberFormatException e) {
              // falls through to the error below
            }
          }
          throw new IllegalArgumentException(
              name + " = " + quote(value) + ": must be a whole number");
        }
        case "realtime_logs", "active" -> {
          if (value instanceof Boolean b) {
            return b;
          }
          if (value instanceof CharSequence cs
              && (cs.toString().equalsIgnoreCase("true")
                  || cs.toString().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(cs.toString());
          }
          throw new IllegalArgumentException(
              name + " = " + quote(value) + ": must be true or false");
        }
        default -> {
          if (value == null) {
            if (NULLABLE.contains(name)) {
              return null;
            }
            throw new IllegalArgumentException(name + " = null: must be set");
          }
          if (value instanceof CharSequence cs
              && NULLABLE.contains(name)
              && (cs.toString().equalsIgnoreCase("none") || cs.toString().isBlank())) {
            return null;
          }
          return Durations.parse(name, value);
        }
      }
    }

    private static String quote(Object value) {
      return value instanceof CharSequence ? "\"" + value + "\"" : String.valueOf(value);
    }
  }
}
