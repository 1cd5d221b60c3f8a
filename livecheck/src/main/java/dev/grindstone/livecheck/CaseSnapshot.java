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
 * @param runtimeAvg the median of the runtime history at the sampler's last run (Faust's {@code
 *     runtime_avg}), empty until a sample found values
 * @param latencyAvg the same for the latency history
 * @param frequencyAvg the same for the frequency history
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
    List<Double> frequencyHistory,
    OptionalDouble runtimeAvg,
    OptionalDouble latencyAvg,
    OptionalDouble frequencyAvg) {

  /** Median of {@code values} (the middle value, or the mean of the two middle ones). */
  public static OptionalDouble median(List<Double> values) {
    if (values.isEmpty()) {
      return OptionalDouble.empty();
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int mid = v.length / 2;
    return OptionalDouble.of(v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
  }

  /** The sampler's log line: the sampled medians, as Faust LiveCheck logs them. */
  public String statsLine() {
    return "stats "
        + name
        + ": (median) frequency="
        + fmt(frequencyAvg)
        + " latency="
        + fmt(latencyAvg)
        + " runtime="
        + fmt(runtimeAvg);
  }

  private static String fmt(OptionalDouble d) {
    return d.isPresent() ? String.format(java.util.Locale.ROOT, "%.3fs", d.getAsDouble()) : "none";
  }
}
