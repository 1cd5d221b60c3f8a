package dev.grindstone.engine;

import dev.grindstone.engine.internal.MergedRunEngine;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.spi.Plugin;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.results.TestFigures;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A run made of other processes' intervals, such as the agents of a distributed run: fed each
 * interval merged over them, it drives the sinks of a local run (the live console, summary.txt,
 * latency.hlog, results.json, report.html) and builds the same summary, with thresholds checked on
 * the merged figures. Run figures are exact merges of the intervals (added histograms, pooled
 * statistics); nothing is averaged. One thread feeds it.
 */
public final class MergedRun {
  private final MergedRunEngine engine;

  /**
   * @param plugins the run's plug-ins (the scenario's and the run file's): their statistics are
   *     those the intervals carry
   * @param console where the live console goes, when the configuration has one
   * @param startEpochMillis when the run started
   */
  public MergedRun(
      RunConfig config, List<Plugin> plugins, PrintStream console, long startEpochMillis) {
    this(config, plugins, console, startEpochMillis, List.of());
  }

  /**
   * A merged run of several scenarios.
   *
   * @param scenarios the run's scenarios in the run file's order (the order of its tables); empty
   *     for a run of one unnamed scenario
   */
  public MergedRun(
      RunConfig config,
      List<Plugin> plugins,
      PrintStream console,
      long startEpochMillis,
      List<String> scenarios) {
    this.engine = new MergedRunEngine(config, plugins, console, startEpochMillis, scenarios);
  }

  /**
   * One scenario's figures over an interval, merged over the processes.
   *
   * @param activeUsers its virtual users at the interval's end, summed over the processes
   * @param tests each test it called, its figures merged over the processes (one entry per test)
   */
  public record ScenarioInterval(String name, int activeUsers, List<TestFigures> tests) {
    public ScenarioInterval {
      java.util.Objects.requireNonNull(name, "name");
      tests = List.copyOf(tests);
    }
  }

  /** The statistics the intervals' figures are read into. */
  public StatisticsSchema schema() {
    return engine.schema();
  }

  /** The run as its sinks see it; its output folder, when it has one. */
  public RunInfo info() {
    return engine.info();
  }

  /** Names a test. */
  public void describe(int test, String description) {
    engine.describe(test, description);
  }

  /**
   * One interval, each test's figures merged over the processes (one entry per test).
   *
   * @param lateness how late the interval's iterations started (µs), or null when unknown
   */
  public void interval(
      long sequence,
      String phase,
      long startMs,
      long endMs,
      int activeUsers,
      long lateStarts,
      Histogram lateness,
      List<TestFigures> tests) {
    interval(sequence, phase, startMs, endMs, activeUsers, lateStarts, lateness, tests, List.of());
  }

  /**
   * One interval of a run of several scenarios.
   *
   * @param scenarios each scenario's figures over the interval, merged over the processes; their
   *     calls add up to {@code tests}'
   */
  public void interval(
      long sequence,
      String phase,
      long startMs,
      long endMs,
      int activeUsers,
      long lateStarts,
      Histogram lateness,
      List<TestFigures> tests,
      List<ScenarioInterval> scenarios) {
    engine.interval(
        sequence, phase, startMs, endMs, activeUsers, lateStarts, lateness, tests, scenarios);
  }

  /**
   * Ends the run and writes its results.
   *
   * @param notes what the summary should say went wrong
   * @param lateness the run's start lateness (µs) merged over the processes, or null to keep the
   *     intervals'
   * @param skippedPacedStarts paced starts the processes' users skipped, summed
   */
  public RunSummary finish(
      long endMs,
      List<String> notes,
      boolean interrupted,
      long droppedStarts,
      Map<String, Long> iterationFailures,
      long droppedDataLogRows,
      Histogram lateness,
      long lateStarts,
      long skippedPacedStarts) {
    return engine.finish(
        endMs,
        notes,
        interrupted,
        droppedStarts,
        iterationFailures,
        droppedDataLogRows,
        lateness,
        lateStarts,
        skippedPacedStarts);
  }
}
