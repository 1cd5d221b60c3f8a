package dev.grindstone.engine.sink;

import dev.grindstone.stats.results.TestFigures;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A run's final figures: per test and in total, for the whole run and per phase, with thresholds
 * and everything that went wrong on the way.
 *
 * @param tests cumulative per test, period = the run's length
 * @param phases the same per phase
 * @param lateness how late iterations started against their schedule (µs)
 * @param lateStarts iterations that started more than 10 ms late
 * @param droppedStarts open-model starts dropped because every allowed user was busy
 * @param iterationFailures uncaught exceptions that ended iterations, by type and message
 * @param droppedDataLogRows rows the data log could not keep up with (never silently lost)
 * @param sinkProblems sinks that failed or lagged, with what happened
 * @param interrupted true when the run was stopped early (Ctrl-C, SIGTERM)
 * @param scenarios in a run of several scenarios, each one's figures (per test and in total) and
 *     the most users it had; empty in a run of one unnamed scenario
 */
public record RunSummary(
    RunInfo info, long endEpochMillis, List<TestFigures> tests, TestFigures totals, List<PhaseResult> phases,
    List<ThresholdResult> thresholds, Histogram lateness, long lateStarts, long droppedStarts,
    Map<String, Long> iterationFailures, long droppedDataLogRows, List<String> sinkProblems, boolean interrupted,
    List<ScenarioResult> scenarios) {

  public RunSummary {
    scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
  }

  /** The summary of a run of one unnamed scenario. */
  public RunSummary(RunInfo info, long endEpochMillis, List<TestFigures> tests, TestFigures totals,
      List<PhaseResult> phases, List<ThresholdResult> thresholds, Histogram lateness, long lateStarts,
      long droppedStarts, Map<String, Long> iterationFailures, long droppedDataLogRows, List<String> sinkProblems,
      boolean interrupted) {
    this(info, endEpochMillis, tests, totals, phases, thresholds, lateness, lateStarts, droppedStarts,
        iterationFailures, droppedDataLogRows, sinkProblems, interrupted, List.of());
  }

  /** An iteration that starts more than this many microseconds after it was planned is late. */
  public static final long LATE_START_MICROS = 10_000;

  /**
   * One phase's figures.
   *
   * @param lateness how late the phase's iterations started against their schedule (µs)
   */
  public record PhaseResult(String name, long startEpochMillis, long endEpochMillis, List<TestFigures> tests,
      TestFigures totals, Histogram lateness) {}

  /** A threshold checked against one test or the totals. */
  public record ThresholdResult(String threshold, String scope, double actual, boolean passed) {}

  public boolean thresholdsPassed() {
    return thresholds.stream().allMatch(ThresholdResult::passed);
  }
}
