package dev.grindstone.livecheck;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one test (or of the whole suite, when {@link #execution()} is {@code null}). Every
 * outcome produces one, SKIP included. Immutable.
 *
 * @param app the LiveCheck app's name
 * @param caseName the case
 * @param state the outcome
 * @param execution the test, or {@code null} for a suite report (suite failed, stalled)
 * @param timestamp when the outcome was known (app clock)
 * @param runtime how long the test ran; {@code null} when it did not run (SKIP, suite reports)
 * @param signalLatency per signal name, how long the test waited for it
 * @param error the error message, or {@code null}
 * @param traceback the stack trace, or {@code null}
 * @param consecutiveFailures the case's consecutive failures after this outcome
 * @param totalFailures the case's total failures after this outcome
 * @param suiteFailed whether the case is in a suite failure after this outcome
 */
public record TestReport(
    String app,
    String caseName,
    State state,
    TestExecution execution,
    Instant timestamp,
    Duration runtime,
    Map<String, Duration> signalLatency,
    String error,
    String traceback,
    int consecutiveFailures,
    long totalFailures,
    boolean suiteFailed) {

  public TestReport {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(caseName, "caseName");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(timestamp, "timestamp");
    signalLatency = signalLatency == null ? Map.of() : Map.copyOf(signalLatency);
  }

  /** True for a report about the whole suite rather than one test. */
  public boolean isSuiteReport() {
    return execution == null;
  }
}
