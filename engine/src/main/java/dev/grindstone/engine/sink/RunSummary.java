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
 * @param abort the threshold with {@code abort_on_fail} that stopped the run, or null
 * @param omission coordinated omission in the closed-model phases: the tests whose raw percentiles
 *     it hides, with corrected ones, and the paced starts skipped
 * @param outputs how each sink and call listener fared (the built-in sinks included)
 * @param scenarios in a run of several scenarios, each one's figures (per test and in total) and
 *     the most users it had; empty in a run of one unnamed scenario
 */
public record RunSummary(
    RunInfo info,
    long endEpochMillis,
    List<TestFigures> tests,
    TestFigures totals,
    List<PhaseResult> phases,
    List<ThresholdResult> thresholds,
    Histogram lateness,
    long lateStarts,
    long droppedStarts,
    Map<String, Long> iterationFailures,
    long droppedDataLogRows,
    List<String> sinkProblems,
    boolean interrupted,
    ThresholdAbort abort,
    Omission omission,
    List<OutputHealth> outputs,
    List<ScenarioResult> scenarios) {

  public RunSummary {
    omission = omission == null ? Omission.NONE : omission;
    outputs = List.copyOf(outputs);
    scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
  }

  /**
   * The summary of a run of one unnamed scenario that no threshold stopped, without outputs'
   * health.
   */
  public RunSummary(
      RunInfo info,
      long endEpochMillis,
      List<TestFigures> tests,
      TestFigures totals,
      List<PhaseResult> phases,
      List<ThresholdResult> thresholds,
      Histogram lateness,
      long lateStarts,
      long droppedStarts,
      Map<String, Long> iterationFailures,
      long droppedDataLogRows,
      List<String> sinkProblems,
      boolean interrupted) {
    this(
        info,
        endEpochMillis,
        tests,
        totals,
        phases,
        thresholds,
        lateness,
        lateStarts,
        droppedStarts,
        iterationFailures,
        droppedDataLogRows,
        sinkProblems,
        interrupted,
        null,
        Omission.NONE,
        List.of(),
        List.of());
  }

  /** An iteration that starts more than this many microseconds after it was planned is late. */
  public static final long LATE_START_MICROS = 10_000;

  /**
   * One phase's figures.
   *
   * @param lateness how late the phase's iterations started against their schedule (µs)
   */
  public record PhaseResult(
      String name,
      long startEpochMillis,
      long endEpochMillis,
      List<TestFigures> tests,
      TestFigures totals,
      Histogram lateness) {}

  /**
   * A threshold checked against one test or the totals.
   *
   * @param actual the figure checked; for a rule over a rolling window, its worst window's
   * @param detail how the figure was found when the rule is not over the whole run (its worst
   *     window, or the moment it failed live and stopped the run); empty otherwise
   */
  public record ThresholdResult(
      String threshold, String scope, double actual, boolean passed, String detail) {
    public ThresholdResult(String threshold, String scope, double actual, boolean passed) {
      this(threshold, scope, actual, passed, "");
    }

    public ThresholdResult {
      detail = detail == null ? "" : detail;
    }
  }

  /**
   * The rule with {@code abort_on_fail} that stopped the run.
   *
   * @param atMillis when it failed, in ms since the run started
   */
  public record ThresholdAbort(String threshold, String scope, double actual, long atMillis) {}

  public boolean thresholdsPassed() {
    return thresholds.stream().allMatch(ThresholdResult::passed);
  }

  /**
   * Coordinated omission in the closed-model phases. A closed-model user sends nothing while it
   * waits for a slow call, so a stall holds back the calls that would have met it, and the raw
   * percentiles hide it. Each test's successful calls are corrected per phase and per scenario with
   * HdrHistogram's expected-interval correction, the interval being the scenario's intended cycle
   * in the phase: its pace, or else its mean think time plus the test's median call in that
   * scenario, or else that median call alone. Open-model loads (timed from each intended start),
   * run_once waves and loads with an explicit {@code expected_interval} (already corrected) are
   * taken as they are. A test's corrected figures over several scenarios are the sum of the
   * scenarios' corrected histograms.
   *
   * @param tests the tests whose percentiles the correction moves (to at least twice the raw value,
   *     and by 1 ms or more, at p50, p90, p95 or p99) over the whole run or in any one scenario, in
   *     test order; empty when the raw percentiles hide nothing that matters
   * @param totals the corrected totals over every non-composite test; null when {@code tests} is
   *     empty
   * @param skippedPacedStarts paced starts that users skipped because an iteration ran past them
   * @param scenarios in a run of several scenarios, each scenario whose percentiles the correction
   *     moves, with its own corrected figures, in the run's scenario order; empty otherwise
   */
  public record Omission(
      List<CorrectedTest> tests,
      TestFigures totals,
      long skippedPacedStarts,
      List<ScenarioOmission> scenarios) {

    public static final Omission NONE = new Omission(List.of(), null, 0);

    public Omission {
      tests = List.copyOf(tests);
      scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
    }

    /** Coordinated omission in a run of one unnamed scenario. */
    public Omission(List<CorrectedTest> tests, TestFigures totals, long skippedPacedStarts) {
      this(tests, totals, skippedPacedStarts, List.of());
    }
  }

  /**
   * One scenario's figures corrected for coordinated omission, with its own intended cycles.
   *
   * @param tests the scenario's tests whose percentiles the correction moves, in test order
   * @param totals the scenario's corrected totals over its non-composite tests
   */
  public record ScenarioOmission(String name, List<CorrectedTest> tests, TestFigures totals) {

    public ScenarioOmission {
      tests = List.copyOf(tests);
    }
  }

  /**
   * One test's figures corrected for coordinated omission.
   *
   * @param corrected the test's figures with the corrected histogram of its successful calls: its
   *     percentiles are the corrected ones; its statistics (counts, mean, min, max) are as measured
   * @param cycle the intended cycle used, per phase (and per scenario in a test's figures over
   *     several scenarios), e.g. {@code "pace 1000.00 ms"}
   * @param stalls calls that took more than twice the intended cycle, so held back at least one
   * @param omittedCalls the calls the correction adds: those the stalls held back
   */
  public record CorrectedTest(
      TestFigures corrected, String cycle, long stalls, long omittedCalls) {}
}
