package dev.grindstone.engine.run;

import dev.grindstone.engine.sink.Sink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a run needs but the scenario: phases, collection period, thresholds, outputs.
 * Validated at construction; build one with {@link #builder(String)}.
 *
 * @param outputRoot results go to {@code outputRoot/<name>-<yyyyMMdd-HHmmss>/}; null for no files
 * @param dataLog whether to write the per-call data log (data.csv)
 * @param http whether the summary and the data log carry the HTTP plug-in's columns
 * @param webSocket whether they also carry the HTTP plug-in's WebSocket columns
 * @param console whether to print the live console and the final tables
 * @param gracefulStop how long iterations in progress may finish after the last phase or Ctrl-C
 * @param dataLogCapacity rows the data-log queue holds before it drops (and counts) rows
 */
public record RunConfig(
    String name, List<Phase> phases, Duration waitBetweenPhases, Duration period, List<Threshold> thresholds,
    Path outputRoot, boolean dataLog, boolean http, boolean webSocket, boolean console, Duration gracefulStop, int dataLogCapacity,
    List<Sink> sinks) {

  public RunConfig {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("A run name must be letters, digits, '.', '_' or '-' (it names the"
          + " results folder), got '" + name + "'");
    }
    if (phases == null || phases.isEmpty()) {
      throw new IllegalArgumentException("Run '" + name + "' needs at least one phase");
    }
    phases = List.copyOf(phases);
    thresholds = List.copyOf(thresholds);
    sinks = List.copyOf(sinks);
    if (waitBetweenPhases.isNegative()) {
      throw new IllegalArgumentException("wait_between_phases must be zero or more, got " + waitBetweenPhases);
    }
    if (gracefulStop.isNegative()) {
      throw new IllegalArgumentException("graceful_stop must be zero or more, got " + gracefulStop);
    }
    if (period.toMillis() < 10) {
      throw new IllegalArgumentException("The collection period must be at least 10 ms, got " + period);
    }
    if (dataLogCapacity < 2 || Integer.bitCount(dataLogCapacity) != 1) {
      throw new IllegalArgumentException("dataLogCapacity must be a power of two, got " + dataLogCapacity);
    }
    List<String> seen = new ArrayList<>();
    for (Phase p : phases) {
      if (seen.contains(p.name())) {
        throw new IllegalArgumentException("Two phases are called '" + p.name() + "'; phase names must differ");
      }
      seen.add(p.name());
    }
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
    b.http = http;
    b.webSocket = webSocket;
    b.console = console;
    b.gracefulStop = gracefulStop;
    b.dataLogCapacity = dataLogCapacity;
    b.sinks.addAll(sinks);
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
    private boolean http;
    private boolean webSocket;
    private boolean console = true;
    private Duration gracefulStop = Duration.ofSeconds(10);
    private int dataLogCapacity = 1 << 16;
    private final List<Sink> sinks = new ArrayList<>();

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

    public Builder outputRoot(Path root) {
      outputRoot = root;
      return this;
    }

    public Builder dataLog(boolean on) {
      dataLog = on;
      return this;
    }

    public Builder http(boolean on) {
      http = on;
      return this;
    }

    /** Adds the WebSocket columns (handshake time, time to first message, messages). */
    public Builder webSocket(boolean on) {
      webSocket = on;
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

    public Builder sink(Sink sink) {
      sinks.add(sink);
      return this;
    }

    public RunConfig build() {
      return new RunConfig(name, phases, waitBetweenPhases, period, thresholds, outputRoot, dataLog, http, webSocket,
          console, gracefulStop, dataLogCapacity, sinks);
    }
  }
}
