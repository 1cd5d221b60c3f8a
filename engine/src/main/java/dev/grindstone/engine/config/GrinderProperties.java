package dev.grindstone.engine.config;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.stats.BadInputException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Reads The Grinder's {@code grinder.properties} as a run: {@code grinder.processes} ×
 * {@code grinder.threads} virtual users (processes become load agents elsewhere; on one machine
 * they multiply the users), {@code grinder.runs} iterations per user (0 = no limit),
 * {@code grinder.duration} (ms), {@code grinder.initialSleepTime} (ms, uniform),
 * {@code grinder.initialProcesses}/{@code processIncrement}/{@code processIncrementInterval} as a
 * stepped ramp, and {@code grinder.script} (a Java scenario file here). Values given as
 * {@code -Dgrinder.*} system properties win, as in The Grinder.
 */
public final class GrinderProperties {

  /** The run's settings and the script to run (resolved against the file's folder). */
  public record Loaded(RunConfig.Builder config, Path script) {}

  private GrinderProperties() {}

  public static Loaded load(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new BadInputException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("grinder."))
        .forEach(k -> p.setProperty(k, System.getProperty(k)));
    List<String> problems = new ArrayList<>();
    String name = file.getFileName().toString();
    int processes = (int) number(p, "grinder.processes", 1, 1, problems, name);
    int threads = (int) number(p, "grinder.threads", 1, 1, problems, name);
    long runs = number(p, "grinder.runs", 1, 0, problems, name);
    long durationMs = number(p, "grinder.duration", 0, 0, problems, name);
    long initialSleep = number(p, "grinder.initialSleepTime", 0, 0, problems, name);
    int initialProcesses = (int) number(p, "grinder.initialProcesses", processes, 0, problems, name);
    int increment = (int) number(p, "grinder.processIncrement", 0, 0, problems, name);
    long incrementInterval = number(p, "grinder.processIncrementInterval", 60_000, 1, problems, name);
    String script = p.getProperty("grinder.script", "grinder.py").trim();
    if (!script.endsWith(".java")) {
      problems.add(name + ": grinder.script: '" + script + "' is not a Java scenario; Grindstone runs .java"
          + " scenario files (a class implementing dev.grindstone.engine.Scenario)");
    }
    if (runs == 0 && durationMs == 0) {
      problems.add(name + ": grinder.runs is 0 (run forever) and grinder.duration is not set: set one of them");
    }
    if (!problems.isEmpty()) {
      throw new BadInputException(String.join("\n", problems));
    }
    int users = processes * threads;
    LoadShape shape = increment > 0 && initialProcesses < processes
        ? new LoadShape.Steps(initialProcesses * threads, users, List.of(increment * threads), null,
            List.of(Duration.ofMillis(incrementInterval)), false)
        : new LoadShape.Constant(users);
    Duration duration = durationMs == 0 ? null : Duration.ofMillis(durationMs);
    Phase phase = new Phase("grinder", duration, shape, ThinkTime.NONE, Duration.ofMillis(initialSleep), runs, null);
    String runName = file.getFileName().toString().replaceFirst("\\.properties$", "").replaceAll("[^A-Za-z0-9._-]", "-");
    RunConfig.Builder b = RunConfig.builder(runName.isEmpty() ? "grinder" : runName).phase(phase);
    Path dir = file.toAbsolutePath().getParent();
    return new Loaded(b, dir.resolve(script));
  }

  private static long number(Properties p, String key, long fallback, long min, List<String> problems, String file) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < min) {
        problems.add(file + ": " + key + " must be at least " + min + ", got " + n);
        return fallback;
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(file + ": " + key + ": '" + v + "' is not a whole number");
      return fallback;
    }
  }
}
