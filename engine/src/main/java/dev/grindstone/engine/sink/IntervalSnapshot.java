package dev.grindstone.engine.sink;

import dev.grindstone.stats.results.TestFigures;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What the collector hands to the sinks every period: each test's figures over the interval, and
 * the totals over the non-composite tests.
 *
 * @param sequence 0-based interval number
 * @param phase the phase the interval belongs to
 * @param elapsedMillis the interval's end, in ms since the run started
 * @param activeUsers virtual users running at the interval's end
 * @param lateness how late the iterations that started in the interval started against their
 *     schedule (µs)
 * @param lateStarts how many of them started more than {@link RunSummary#LATE_START_MICROS} late
 * @param scenarios in a run of several scenarios, each one's figures over the interval and its
 *     users at the interval's end; empty in a run of one unnamed scenario
 */
public record IntervalSnapshot(
    long sequence,
    String phase,
    int phaseIndex,
    long startEpochMillis,
    long endEpochMillis,
    long elapsedMillis,
    int activeUsers,
    List<TestFigures> tests,
    TestFigures totals,
    Histogram lateness,
    long lateStarts,
    List<ScenarioResult> scenarios) {

  public IntervalSnapshot {
    scenarios = scenarios == null ? List.of() : List.copyOf(scenarios);
  }

  /** An interval of a run of one unnamed scenario. */
  public IntervalSnapshot(
      long sequence,
      String phase,
      int phaseIndex,
      long startEpochMillis,
      long endEpochMillis,
      long elapsedMillis,
      int activeUsers,
      List<TestFigures> tests,
      TestFigures totals,
      Histogram lateness,
      long lateStarts) {
    this(
        sequence,
        phase,
        phaseIndex,
        startEpochMillis,
        endEpochMillis,
        elapsedMillis,
        activeUsers,
        tests,
        totals,
        lateness,
        lateStarts,
        List.of());
  }

  /** The interval's actual length in milliseconds. */
  public long lengthMillis() {
    return endEpochMillis - startEpochMillis;
  }
}
