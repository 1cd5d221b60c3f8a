package dev.grindstone.engine.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a run needs but the scenario and where its results go beyond the built-in files:
 * phases, collection period, thresholds, outputs. Sinks attach to the {@link
 * dev.grindstone.engine.Run}. Validated at construction; build one with {@link #builder(String)}.
 *
 * @param outputRoot results go to {@code outputRoot/<name>-<yyyyMMdd-HHmmss>/}; null for no files
 * @param dataLog whether to write the per-call data log (data.csv)
 * @param console whether to print the live console and the final tables
 * @param gracefulStop how long iterations in progress may finish after the last phase or Ctrl-C
 * @param dataLogCapacity rows the data-log queue holds before it drops (and counts) rows
 * @param scriptSleep how the scenario's own sleeps are scaled and varied (The Grinder's {@code
 *     grinder.sleepTimeFactor} and {@code grinder.sleepTimeVariation})
 * @param reportTimes false to count successful calls as untimed tests in every output but the data
 *     log, as The Grinder's {@code grinder.reportTimesToConsole=false} does
 * @param sinkRetry what happens to a sink or call listener that throws
 * @param jdbcListeners call listeners that write every call's record into a database table
 */
public record RunConfig(
    String name,
    List<Phase> phases,
    Duration waitBetweenPhases,
    Duration period,
    List<Threshold> thresholds,
    Path outputRoot,
    boolean dataLog,
    boolean console,
    Duration gracefulStop,
    int dataLogCapacity,
    ScriptSleep scriptSleep,
    boolean reportTimes,
    SinkRetry sinkRetry,
    List<JdbcListenerConfig> jdbcListeners) {

  /**
   * A run whose sleeps are exact, whose calls are timed, with the default sink retry and no JDBC
   * listener.
   */
  public RunConfig(
      String name,
      List<Phase> phases,
      Duration waitBetweenPhases,
      Duration period,
      List<Threshold> thresholds,
      Path outputRoot,
      boolean dataLog,
      boolean console,
      Duration gracefulStop,
      int dataLogCapacity) {
    this(
        name,
        phases,
        waitBetweenPhases,
        period,
        thresholds,
        outputRoot,
        dataLog,
        console,
        gracefulStop,
        dataLogCapacity,
        ScriptSleep.EXACT,
        true,
        SinkRetry.DEFAULT,
        List.of());
  }

  public RunConfig {
    scriptSleep = scriptSleep == null ? ScriptSleep.EXACT : scriptSleep;
    Objects.requireNonNull(sinkRetry, "sinkRetry");
    jdbcListeners = List.copyOf(jdbcListeners);
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "A run name must be letters, digits, '.', '_' or '-' (it names the"
              + " results folder), got '"
              + name
              + "'");
    }
    if (phases == null || phases.isEmpty()) {
      throw new IllegalArgumentException("Run '" + name + "' needs at least one phase");
    }
    phases = List.copyOf(phases);
    thresholds = List.copyOf(thresholds);
    if (waitBetweenPhases.isNegative()) {
      throw new IllegalArgumentException(
          "wait_between_phases must be zero or more, got " + waitBetweenPhases);
    }
    if (gracefulStop.isNegative()) {
      throw new IllegalArgumentException("graceful_stop must be zero or more, got " + gracefulStop);
    }
    if (period.toMillis() < 10) {
      throw new IllegalArgumentException(
          "The collection period must be at least 10 ms, got " + period);
    }
    if (dataLogCapacity < 2 || Integer.bitCount(dataLogCapacity) != 1) {
      throw new IllegalArgumentException(
          "dataLogCapacity must be a power of two, got " + dataLogCapacity);
    }
    List<String> seen = new ArrayList<>();
    for (Phase p : phases) {
      if (seen.contains(p.name())) {
        throw new IllegalArgumentException(
            "Two phases are called '" + p.name() + "'; phase names must differ");
      }
      seen.add(p.name());
    }
    long named = phases.stream().filter(p -> !p.scenarios().isEmpty()).count();
    if (named != 0 && named != phases.size()) {
      Phase without =
          phases.stream().filter(p -> p.scenarios().isEmpty()).findFirst().orElseThrow();
      throw new IllegalArgumentException(
          "Phase '"
              + without.name()
              + "' names no scenario, but other phases of run '"
              + name
              + "' do: in a run of several scenarios, each phase lists the scenarios it runs");
    }
    List<String> scenarios = scenarioNames(phases);
    for (Threshold t : thresholds) {
      if (t.scenario() != null && !scenarios.contains(t.scenario())) {
        throw new IllegalArgumentException(
            "Threshold '"
                + t.text()
                + "' is for scenario '"
                + t.scenario()
                + "', which no phase runs; "
                + (scenarios.isEmpty()
                    ? "the run has no named scenarios"
                    : "the scenarios are " + String.join(", ", scenarios)));
      }
      if (t.phase() != null && !seen.contains(t.phase())) {
        throw new IllegalArgumentException(
            "Threshold '"
                + t.text()
                + "' names the phase '"
                + t.phase()
                + "', but the run has no such phase; its phases are "
                + String.join(", ", seen));
      }
      if (t.window() != null && t.window().compareTo(period) < 0) {
        throw new IllegalArgumentException(
            "Threshold '"
                + t.text()
                + "': the window ("
                + t.window().toMillis()
                + " ms) is shorter than the collection period ("
                + period.toMillis()
                + " ms); a window holds whole"
                + " periods, so make it at least one period long");
      }
    }
  }

  /**
   * The names of the scenarios the phases run, in the order they first appear; empty for a run of
   * one unnamed scenario.
   */
  public List<String> scenarioNames() {
    return scenarioNames(phases);
  }

  private static List<String> scenarioNames(List<Phase> phases) {
    List<String> names = new ArrayList<>();
    for (Phase p : phases) {
      for (ScenarioLoad s : p.scenarios()) {
        if (!names.contains(s.scenario())) {
          names.add(s.scenario());
        }
      }
    }
    return names;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.phases.addAll(phases);
    b.waitBetweenPhases = waitBetweenPhases;
    b.period = period;
    b.thresholds.addAll(thresholds);
    b.outputRoot = outputRoot;
    b.dataLog = dataLog;
    b.console = console;
    b.gracefulStop = gracefulStop;
    b.dataLogCapacity = dataLogCapacity;
    b.scriptSleep = scriptSleep;
    b.reportTimes = reportTimes;
    b.sinkRetry = sinkRetry;
    b.jdbcListeners.addAll(jdbcListeners);
    return b;
  }

  /** Builds a {@link RunConfig}; not thread-safe. */
  public static final class Builder {
    private String name;
    private final List<Phase> phases = new ArrayList<>();
    private Duration waitBetweenPhases = Duration.ZERO;
    private Duration period = Duration.ofSeconds(1);
    private final List<Threshold> thresholds = new ArrayList<>();
    private Path outputRoot = Path.of("results");
    private boolean dataLog = true;
    private boolean console = true;
    private Duration gracefulStop = Duration.ofSeconds(10);
    private int dataLogCapacity = 1 << 16;
    private ScriptSleep scriptSleep = ScriptSleep.EXACT;
    private boolean reportTimes = true;
    private SinkRetry sinkRetry = SinkRetry.DEFAULT;
    private final List<JdbcListenerConfig> jdbcListeners = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder phase(Phase phase) {
      phases.add(phase);
      return this;
    }

    /** Replaces the phases. */
    public Builder phases(List<Phase> list) {
      phases.clear();
      phases.addAll(list);
      return this;
    }

    public List<Phase> phases() {
      return List.copyOf(phases);
    }

    public Builder waitBetweenPhases(Duration d) {
      waitBetweenPhases = d;
      return this;
    }

    public Builder period(Duration d) {
      period = d;
      return this;
    }

    public Builder threshold(String text) {
      thresholds.add(Threshold.parse(text));
      return this;
    }

    /**
     * Adds a rule made in code, e.g. {@code
     * Threshold.parse("p99[30s]<500ms").abortingOnFail(Duration.ZERO)}.
     */
    public Builder threshold(Threshold rule) {
      thresholds.add(Objects.requireNonNull(rule, "rule"));
      return this;
    }

    /**
     * Adds a rule checked on one scenario's figures only, e.g. {@code threshold("checkout",
     * "p95<300ms")}.
     */
    public Builder threshold(String scenario, String text) {
      thresholds.add(Threshold.parse(text).forScenario(scenario));
      return this;
    }

    public Builder outputRoot(Path root) {
      outputRoot = root;
      return this;
    }

    public Builder dataLog(boolean on) {
      dataLog = on;
      return this;
    }

    public Builder console(boolean on) {
      console = on;
      return this;
    }

    public Builder gracefulStop(Duration d) {
      gracefulStop = d;
      return this;
    }

    public Builder dataLogCapacity(int rows) {
      dataLogCapacity = rows;
      return this;
    }

    /**
     * How the scenario's own sleeps are scaled and varied; {@link ScriptSleep#EXACT} by default.
     */
    public Builder scriptSleep(ScriptSleep s) {
      scriptSleep = s;
      return this;
    }

    /** False to count successful calls as untimed tests everywhere but in the data log. */
    public Builder reportTimes(boolean on) {
      reportTimes = on;
      return this;
    }

    /**
     * What happens to a sink or call listener that throws; {@link SinkRetry#DEFAULT} unless set.
     */
    public Builder sinkRetry(SinkRetry retry) {
      sinkRetry = retry;
      return this;
    }

    /** Adds a call listener that writes every call's record into a database table. */
    public Builder jdbcListener(JdbcListenerConfig listener) {
      jdbcListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public RunConfig build() {
      return new RunConfig(
          name,
          phases,
          waitBetweenPhases,
          period,
          thresholds,
          outputRoot,
          dataLog,
          console,
          gracefulStop,
          dataLogCapacity,
          scriptSleep,
          reportTimes,
          sinkRetry,
          jdbcListeners);
    }
  }
}
