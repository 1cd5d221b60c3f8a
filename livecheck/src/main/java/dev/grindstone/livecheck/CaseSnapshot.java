package dev.grindstone.livecheck;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A consistent copy of a case's state and figures at one moment. Times in seconds. Immutable.
 *
 * @param name the case
 * @param status its current state
 * @param consecutiveFailures failures since the last pass
 * @param totalFailures failures ever (FAIL, ERROR, TIMEOUT)
 * @param totalByState reports per state
 * @param lastFail when the suite last failed, or {@code null}
 * @param lastTestReceived when a test last started or was skipped, or {@code null}
 * @param secondsSinceLastFail seconds since {@code lastFail}, or empty
 * @param suiteFailed whether the case is in a suite failure not yet recovered
 * @param runtimeHistory runtimes of the last {@code max_history} passing tests, oldest first
 * @param latencyHistory delays beyond {@code frequency} between consecutive tests, oldest first
 * @param frequencyHistory times between consecutive tests, oldest first
 */
public record CaseSnapshot(
    String name,
    State status,
    int consecutiveFailures,
    long totalFailures,
    Map<State, Long> totalByState,
    Instant lastFail,
    Instant lastTestReceived,
    OptionalDouble secondsSinceLastFail,
    boolean suiteFailed,
    List<Double> runtimeHistory,
    List<Double> latencyHistory,
    List<Double> frequencyHistory) {

  /** Mean of {@link #runtimeHistory()}. */
  public OptionalDouble runtimeAvg() {
    return runtimeHistory.stream().mapToDouble(Double::doubleValue).average();
  }

  /** Mean of {@link #latencyHistory()}. */
  public OptionalDouble latencyAvg() {
    return latencyHistory.stream().mapToDouble(Double::doubleValue).average();
  }

  /** Mean of {@link #frequencyHistory()}. */
  public OptionalDouble frequencyAvg() {
    return frequencyHistory.stream().mapToDouble(Double::doubleValue).average();
  }
}
