package dev.grindstone.engine.config;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScriptSleep;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads The Grinder's {@code grinder.properties} as a run: {@code grinder.processes} × {@code
 * grinder.threads} virtual users (processes become load agents elsewhere; on one machine they
 * multiply the users), {@code grinder.runs} iterations per user (0 = no limit), {@code
 * grinder.duration} (ms), {@code grinder.initialSleepTime} (ms, uniform), {@code
 * grinder.initialProcesses}/{@code processIncrement}/{@code processIncrementInterval} as a stepped
 * ramp, {@code grinder.sleepTimeFactor} and {@code grinder.sleepTimeVariation} (how the scenario's
 * sleeps are scaled and varied; the factor scales the initial sleep too, as in The Grinder), {@code
 * grinder.reportTimesToConsole} (false: successful calls count as untimed tests, with their times
 * in the data log only) and {@code grinder.script} (a Java scenario file here). Values given as
 * {@code -Dgrinder.*} system properties win, as in The Grinder. Any other {@code grinder.*}
 * property is reported in {@link Loaded#warnings()}, by name and line.
 */
public final class GrinderProperties {

  /**
   * The run's settings and the script to run (resolved against the file's folder).
   *
   * @param warnings one line per {@code grinder.*} property that Grindstone does not support and
   *     ignores, each naming the property and where it was set
   */
  public record Loaded(RunConfig.Builder config, Path script, List<String> warnings) {
    public Loaded {
      warnings = List.copyOf(warnings);
    }
  }

  /** The properties this reader honours; any other {@code grinder.*} key gets a warning. */
  static final Set<String> SUPPORTED =
      Set.of(
          "grinder.processes",
          "grinder.threads",
          "grinder.runs",
          "grinder.duration",
          "grinder.initialSleepTime",
          "grinder.initialProcesses",
          "grinder.processIncrement",
          "grinder.processIncrementInterval",
          "grinder.script",
          "grinder.sleepTimeFactor",
          "grinder.sleepTimeVariation",
          "grinder.reportTimesToConsole");

  private GrinderProperties() {}

  /** Longest time a millisecond property may give: what a {@link Duration} holds in nanoseconds. */
  private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000;

  /**
   * Reads {@code file} (UTF-8, or ISO-8859-1 as The Grinder reads it) and the {@code -Dgrinder.*}
   * system properties. Every problem is reported at once, each with the file and line of the
   * property (or the {@code -D} option that set it).
   */
  public static Loaded load(Path file) {
    String name = file.getFileName().toString();
    Source p = Source.read(name, ConfigText.properties(file));
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("grinder."))
        .forEach(k -> p.override(k, System.getProperty(k)));
    List<String> problems = p.problems;
    int processes = (int) p.number("grinder.processes", 1, 1, Integer.MAX_VALUE);
    int threads = (int) p.number("grinder.threads", 1, 1, Integer.MAX_VALUE);
    long runs = p.number("grinder.runs", 1, 0, Long.MAX_VALUE);
    long durationMs = p.number("grinder.duration", 0, 0, MAX_MILLIS);
    long initialSleep = p.number("grinder.initialSleepTime", 0, 0, MAX_MILLIS);
    int initialProcesses =
        (int) p.number("grinder.initialProcesses", processes, 0, Integer.MAX_VALUE);
    int increment = (int) p.number("grinder.processIncrement", 0, 0, Integer.MAX_VALUE);
    long incrementInterval = p.number("grinder.processIncrementInterval", 60_000, 1, MAX_MILLIS);
    double factor = p.decimal("grinder.sleepTimeFactor", 1, Double.MAX_VALUE);
    double variation = p.decimal("grinder.sleepTimeVariation", 0.2, 1);
    boolean reportTimes = p.bool("grinder.reportTimesToConsole", true);
    String script = p.value("grinder.script", "grinder.py").trim();
    if (!script.endsWith(".java")) {
      problems.add(
          p.where("grinder.script")
              + "grinder.script: '"
              + script
              + "' is not a Java scenario; Grindstone"
              + " runs .java scenario files (a class implementing dev.grindstone.engine.Scenario)");
    }
    if (runs == 0 && durationMs == 0) {
      problems.add(
          p.where("grinder.runs")
              + "grinder.runs is 0 (run forever) and grinder.duration is not set:"
              + " set one of them");
    }
    long users = (long) processes * threads;
    if (users > Integer.MAX_VALUE) {
      problems.add(
          p.where("grinder.threads")
              + "grinder.processes × grinder.threads is "
              + users
              + " virtual users, more than "
              + Integer.MAX_VALUE);
    }
    if (!problems.isEmpty()) {
      throw new BadInputException(String.join("\n", problems));
    }
    LoadShape shape =
        increment > 0 && initialProcesses < processes
            ? new LoadShape.Steps(
                (int) Math.min(Integer.MAX_VALUE, (long) initialProcesses * threads),
                (int) users,
                List.of((int) Math.min(Integer.MAX_VALUE, (long) increment * threads)),
                null,
                List.of(Duration.ofMillis(incrementInterval)),
                false)
            : new LoadShape.Constant((int) users);
    Duration duration = durationMs == 0 ? null : Duration.ofMillis(durationMs);
    // The Grinder's initial sleep goes through its sleeper, so the factor scales it too.
    Duration initial =
        Duration.ofNanos((long) Math.min(Long.MAX_VALUE, initialSleep * 1e6 * factor));
    Phase phase = new Phase("grinder", duration, shape, ThinkTime.NONE, initial, runs, null);
    String runName = name.replaceFirst("\\.properties$", "").replaceAll("[^A-Za-z0-9._-]", "-");
    RunConfig.Builder b =
        RunConfig.builder(runName.isEmpty() ? "grinder" : runName)
            .phase(phase)
            .scriptSleep(new ScriptSleep(factor, variation))
            .reportTimes(reportTimes);
    List<String> warnings = new ArrayList<>();
    for (String key : new TreeSet<>(p.values.stringPropertyNames())) {
      if (key.startsWith("grinder.") && !SUPPORTED.contains(key)) {
        warnings.add(
            p.where(key)
                + key
                + " is not supported by Grindstone and is ignored (supported: "
                + String.join(", ", new TreeSet<>(SUPPORTED))
                + ")");
      }
    }
    Path dir = file.toAbsolutePath().getParent();
    return new Loaded(b, dir.resolve(script), warnings);
  }

  /**
   * The properties with where each was set: read one logical line at a time (a line ending in an
   * odd number of backslashes continues on the next), each through {@link Properties#load}, so the
   * syntax is exactly Java's and every key keeps its line.
   */
  private static final class Source {
    final String file;
    final Properties values = new Properties();
    final Map<String, String> origin = new HashMap<>();
    final List<String> problems = new ArrayList<>();

    private Source(String file) {
      this.file = file;
    }

    static Source read(String file, String text) {
      Source s = new Source(file);
      String[] lines = text.split("\r\n|\r|\n", -1);
      for (int i = 0; i < lines.length; ) {
        int first = i;
        String start = lines[i].replaceFirst("^[ \t\f]+", "");
        if (start.isEmpty() || start.startsWith("#") || start.startsWith("!")) {
          i++;
          continue;
        }
        StringBuilder logical = new StringBuilder(lines[i]);
        while (endsInOddBackslashes(lines[i]) && i + 1 < lines.length) {
          logical.append('\n').append(lines[++i]);
        }
        i++;
        Properties one = new Properties();
        try {
          one.load(new StringReader(logical.toString()));
        } catch (IllegalArgumentException | IOException e) {
          s.problems.add(
              file
                  + ":"
                  + (first + 1)
                  + ": "
                  + e.getMessage()
                  + " (a \\u escape needs four hexadecimal digits)");
          continue;
        }
        for (String k : one.stringPropertyNames()) {
          s.values.setProperty(k, one.getProperty(k));
          s.origin.put(k, file + ":" + (first + 1));
        }
      }
      return s;
    }

    private static boolean endsInOddBackslashes(String line) {
      int n = 0;
      for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
        n++;
      }
      return n % 2 == 1;
    }

    void override(String key, String value) {
      values.setProperty(key, value);
      origin.put(key, "-D" + key);
    }

    String value(String key, String fallback) {
      return values.getProperty(key, fallback);
    }

    /** "file:line: " or "-Dkey: " where the key was set, or "file: " when it was not. */
    String where(String key) {
      return origin.getOrDefault(key, file) + ": ";
    }

    /** "file:line: key: " or "-Dkey: ", the start of a problem with the key's value. */
    private String at(String key) {
      return origin.get(key).startsWith("-D") ? origin.get(key) + ": " : where(key) + key + ": ";
    }

    double decimal(String key, double fallback, double max) {
      String v = values.getProperty(key);
      if (v == null || v.isBlank()) {
        return fallback;
      }
      double d;
      try {
        d = Double.parseDouble(v.trim());
      } catch (NumberFormatException e) {
        problems.add(at(key) + "'" + v + "' is not a number");
        return fallback;
      }
      if (!(d >= 0 && d <= max)) {
        problems.add(
            at(key)
                + (max == Double.MAX_VALUE
                    ? "must be a finite number of at least 0"
                    : "must be between 0 and " + max)
                + ", got "
                + v.trim());
        return fallback;
      }
      return d;
    }

    /**
     * "true" or "false" in any case; where The Grinder reads anything else as false, we report it.
     */
    boolean bool(String key, boolean fallback) {
      String v = values.getProperty(key);
      if (v == null || v.isBlank()) {
        return fallback;
      }
      String t = v.trim();
      if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
        problems.add(at(key) + "'" + v + "' is not true or false");
        return fallback;
      }
      return Boolean.parseBoolean(t);
    }

    long number(String key, long fallback, long min, long max) {
      String v = values.getProperty(key);
      if (v == null || v.isBlank()) {
        return fallback;
      }
      String at =
          origin.get(key).startsWith("-D") ? origin.get(key) + ": " : where(key) + key + ": ";
      long n;
      try {
        n = Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        problems.add(
            at
                + "'"
                + v
                + "' is not a whole number"
                + (v.trim().matches("-?\\d+") ? " between " + min + " and " + max : ""));
        return fallback;
      }
      if (n < min || n > max) {
        problems.add(at + "must be between " + min + " and " + max + ", got " + n);
        return fallback;
      }
      return n;
    }
  }
}
