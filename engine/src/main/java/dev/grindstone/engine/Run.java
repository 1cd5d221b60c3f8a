package dev.grindstone.engine;

import dev.grindstone.engine.internal.RunEngine;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.Shard;
import dev.grindstone.engine.sink.ConsoleSink;
import dev.grindstone.engine.sink.HdrLogSink;
import dev.grindstone.engine.sink.ResultsFilesSink;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import dev.grindstone.engine.sink.SummaryFileSink;
import dev.grindstone.engine.spi.CallListener;
import dev.grindstone.engine.spi.Plugin;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * One load test: a scenario run through the phases of a {@link RunConfig}.
 *
 * <pre>{@code
 * RunSummary summary = Run.of(RunConfig.builder("checkout")
 *         .phase(Phase.ramp("ramp up", Duration.ofSeconds(10), 0, 50))
 *         .phase(Phase.hold("hold", Duration.ofSeconds(30), 50))
 *         .threshold("p99<250ms")
 *         .build(), user -> checkout.run())
 *     .execute();
 * }</pre>
 *
 * <p>Besides the sinks added with {@link #sink}, a run writes the live console (when the
 * configuration's {@code console}) and, when it has an output folder, summary.txt, data.csv,
 * latency.hlog, results.json and report.html.
 */
public final class Run {

  /** Exit code of a run whose thresholds failed. */
  public static final int EXIT_THRESHOLDS_FAILED = 99;

  private final RunEngine engine;

  private Run(RunConfig config, Scenario scenario, PrintStream console) {
    Objects.requireNonNull(scenario, "scenario");
    List<String> names = config.scenarioNames();
    if (names.size() > 1) {
      throw new IllegalArgumentException(
          "The phases of run '"
              + config.name()
              + "' run the scenarios "
              + String.join(", ", names)
              + ": give each its code with Run.of(config, Map.of(name, scenario, ...))");
    }
    this.engine =
        names.isEmpty()
            ? new RunEngine(config, scenario, defaults(config, console))
            : new RunEngine(config, Map.of(names.getFirst(), scenario), defaults(config, console));
  }

  private Run(RunConfig config, Map<String, ? extends Scenario> scenarios, PrintStream console) {
    List<String> names = config.scenarioNames();
    List<String> missing = names.stream().filter(n -> !scenarios.containsKey(n)).toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "Run '"
              + config.name()
              + "' has no code for the scenario"
              + (missing.size() == 1 ? " " : "s ")
              + String.join(", ", missing)
              + " that its phases run; give it"
              + " with the others in Run.of(config, Map.of(name, scenario, ...))");
    }
    List<String> unused =
        scenarios.keySet().stream().filter(n -> !names.contains(n)).sorted().toList();
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(
          "No phase of run '"
              + config.name()
              + "' runs the scenario"
              + (unused.size() == 1 ? " " : "s ")
              + String.join(", ", unused)
              + "; name "
              + (unused.size() == 1 ? "it" : "them")
              + " in a phase (Phase.withScenario) or leave "
              + (unused.size() == 1 ? "it" : "them")
              + " out");
    }
    Map<String, Scenario> ordered = new LinkedHashMap<>();
    for (String n : names) {
      ordered.put(n, Objects.requireNonNull(scenarios.get(n), n));
    }
    this.engine = new RunEngine(config, ordered, defaults(config, console));
  }

  private static List<java.util.function.Function<RunInfo, List<Sink>>> defaults(
      RunConfig config, PrintStream console) {
    List<java.util.function.Function<RunInfo, List<Sink>>> defaults = new ArrayList<>();
    defaults.add(
        info -> {
          List<Sink> sinks = new ArrayList<>();
          if (config.console()) {
            sinks.add(new ConsoleSink(console));
          }
          if (info.outputDirectory() != null) {
            sinks.add(new SummaryFileSink(info.outputDirectory()));
            sinks.add(new HdrLogSink(info.outputDirectory()));
            sinks.add(new ResultsFilesSink(info.outputDirectory()));
          }
          return sinks;
        });
    return defaults;
  }

  public static Run of(RunConfig config, Scenario scenario) {
    return new Run(config, scenario, System.out);
  }

  /**
   * A run of several scenarios at once: {@code scenarios} gives the code of every scenario the
   * phases name ({@link dev.grindstone.engine.run.ScenarioLoad}), by name. Results are kept per
   * test and per scenario, in the order the phases first name the scenarios.
   *
   * @throws IllegalArgumentException when a scenario the phases run has no code here, or one here
   *     is run by no phase
   */
  public static Run of(RunConfig config, Map<String, ? extends Scenario> scenarios) {
    return new Run(config, scenarios, System.out);
  }

  /** The same, with the live console going to {@code console}. */
  public static Run of(
      RunConfig config, Map<String, ? extends Scenario> scenarios, PrintStream console) {
    return new Run(config, scenarios, console);
  }

  /** The same, with the live console going to {@code console}. */
  public static Run of(RunConfig config, Scenario scenario, PrintStream console) {
    return new Run(config, scenario, console);
  }

  /**
   * Adds a sink: it gets the run's start, its interval snapshots and its summary, on a thread of
   * its own, after the built-in ones. Before {@link #execute} only.
   */
  public Run sink(Sink sink) {
    engine.addSink(sink);
    return this;
  }

  /**
   * Runs only one agent's part of the plan when the run is split over several agents (see {@link
   * Shard}); the whole plan by default. Before {@link #execute} only.
   */
  public Run shard(Shard shard) {
    engine.shard(shard);
    return this;
  }

  /**
   * Starts the run at {@code at} by this process's clock, instead of as soon as it is set up:
   * {@link #execute} prepares everything first (the results folder, the data log, listeners, sinks
   * and the collector) and then waits, so that the first users' intended start is {@code at}
   * itself, however long the set-up took. Agents of a distributed run start together this way. When
   * {@code at} has already passed, the run's clock still starts at {@code at}, so that its
   * intervals and phases keep time with the other agents', and its load starts at once, behind:
   * arrivals planned before now start at once and count as late starts. Before {@link #execute}
   * only.
   */
  public Run startAt(Instant at) {
    engine.startAt(at);
    return this;
  }

  /**
   * Joins a run that started at {@code at} (this process's clock) elsewhere, as a replacement agent
   * of a distributed run does: as {@link #startAt}, but when {@code at} has passed, the load takes
   * the plan up where it stands once the set-up is done (see {@link
   * dev.grindstone.engine.run.PlanPoint}) instead of catching up. Phases that ended are skipped;
   * the phase going on runs for its remaining time, with the closed-model users the plan has then
   * (started now) or the open-model arrivals from now on at the plan's times, none counted late for
   * the time before; a phase bounded by iterations runs from now, only the iterations its index has
   * not started when they are counted ({@link #iterationCounts}), else in full; waves of {@code
   * run_once} start again with the first. The summary says where the run was joined. Before {@link
   * #execute} only.
   */
  public Run joinAt(Instant at) {
    engine.joinAt(at);
    return this;
  }

  /**
   * On an agent of a distributed run, counts the iterations of each closed-model phase bounded by
   * iterations (with a fixed number of users) that its users start: a sequence per phase and
   * scenario, {@code users × iterations} of this agent's share, that the agent reports to its
   * coordinator and starts where its index's older attempts left it. A replacement that joins in
   * such a phase then runs only the iterations its index has not started, its users taking them
   * between them (each at most the phase's iterations). After {@link #shard}, before {@link
   * #execute}.
   */
  public List<dev.grindstone.engine.run.Reservation> iterationCounts() {
    return engine.iterationCounts();
  }

  /**
   * Adds a call listener: it receives every call's record (or only those of the tests that name it
   * with {@link Test#listeners}), off the virtual users' threads, through the data-log queue. Names
   * must differ; at most 32. Before {@link #execute} only.
   */
  public Run listener(CallListener listener) {
    engine.addListener(listener);
    return this;
  }

  /**
   * Adds a protocol plug-in: its statistics join the run's schema and its columns the summary and
   * the data log, after those of the scenario's own {@link Scenario#plugins()}. Before {@link
   * #execute} only.
   */
  public Run plugin(Plugin plugin) {
    engine.addPlugin(plugin);
    return this;
  }

  /** Runs the test on the calling thread until it ends or is stopped, and returns the results. */
  public RunSummary execute() {
    return engine.execute();
  }

  /**
   * Stops the run early: iterations in progress may finish (up to the graceful stop), then every
   * queue is drained and the results are written. Any thread.
   */
  public void stop() {
    engine.requestStop();
  }

  /**
   * Makes Ctrl-C (SIGINT) and SIGTERM stop this run gracefully; a second Ctrl-C ends the process at
   * once (exit code 130).
   */
  public Run stopOnSignals(PrintStream messages) {
    AtomicInteger count = new AtomicInteger();
    SignalHandler handler =
        signal -> {
          if (count.incrementAndGet() == 1) {
            messages.println();
            messages.println(
                "Stopping: letting iterations finish and writing the results."
                    + " Press Ctrl-C again to quit at once.");
            stop();
          } else {
            Runtime.getRuntime().halt(130);
          }
        };
    Signal.handle(new Signal("INT"), handler);
    Signal.handle(new Signal("TERM"), handler);
    return this;
  }

  /** How long the run has been going; zero before it starts. Any thread. */
  public java.time.Duration currentRuntime() {
    return engine.currentRuntime();
  }

  /** 0 when every threshold passed, {@link #EXIT_THRESHOLDS_FAILED} otherwise. */
  public static int exitCode(RunSummary summary) {
    return summary.thresholdsPassed() ? 0 : EXIT_THRESHOLDS_FAILED;
  }
}
