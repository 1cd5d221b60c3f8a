package dev.grindstone.engine.spi;

import java.util.Objects;

/**
 * One call of a test, as a {@link CallListener} receives it: who made it, when, how long it took
 * and how it ended, and, for a call that made a request (HTTP), what it asked and got. Made off the
 * virtual users' threads, from the call's data-log row; immutable, so a listener may keep it.
 *
 * <p>Times are nanoseconds since the epoch, measured with the monotonic clock from the run's start
 * (so they order and subtract exactly within a run); {@code elapsedNanos} is {@code endEpochNanos -
 * startEpochNanos}, the time the test's figures count (an open-model call's time starts when it
 * should have started). A call cancelled at the end of the run was never timed: its end and elapsed
 * time are 0.
 *
 * @param run the run's id ({@code checkout-1700000000123}: its name and start time)
 * @param phase the phase the call's iteration ran in
 * @param scenario the scenario the virtual user ran
 * @param user the virtual user's number, from 0
 * @param iteration the user's iteration (The Grinder's run number), from 0
 * @param test the test's number
 * @param testName the test's description
 * @param startEpochNanos when the call started
 * @param endEpochNanos when it ended; 0 when cancelled
 * @param elapsedNanos how long it took; 0 when cancelled
 * @param outcome how it ended
 * @param request the call's last request, or null when it made none through a plug-in that tells
 */
public record CallRecord(
    String run,
    String phase,
    String scenario,
    int user,
    long iteration,
    int test,
    String testName,
    long startEpochNanos,
    long endEpochNanos,
    long elapsedNanos,
    Outcome outcome,
    Request request) {

  public CallRecord {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(testName, "testName");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** How a call ended. */
  public enum Outcome {
    /** It returned, and nothing marked it failed. */
    SUCCESS,
    /** It threw, or the scenario marked it failed ({@code setSuccess(false)}). */
    ERROR,
    /** It was still in progress when the run cancelled its calls: not timed, no outcome. */
    CANCELLED
  }

  /** True when the call failed. */
  public boolean error() {
    return outcome == Outcome.ERROR;
  }

  /**
   * The request a call made, as the protocol plug-in told it through {@link
   * TestStatistics#request}: of a call that made several, the last one's method, URL and status,
   * and the bytes of them all.
   *
   * @param method the request's method, {@code GET}
   * @param url the URL without its query or fragment
   * @param status the response's status; 0 when no response came (the request failed)
   * @param bytes response body bytes
   */
  public record Request(String method, String url, int status, long bytes) {
    public Request {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(url, "url");
    }
  }
}
