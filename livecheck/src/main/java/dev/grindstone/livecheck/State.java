package dev.grindstone.livecheck;

/**
 * The state of a case and the outcome of one test. INIT, PASS and SKIP are healthy; FAIL, ERROR,
 * TIMEOUT and STALL are failures.
 */
public enum State {
  /** The case has not run yet. */
  INIT,
  /** The test finished without error. */
  PASS,
  /** An {@link AssertionError} in the test, or the whole suite failed. */
  FAIL,
  /** Any other exception in the test. */
  ERROR,
  /** A signal wait timed out. */
  TIMEOUT,
  /** No test arrived within {@code warn_stalled_after}. */
  STALL,
  /** The case is inactive or the test had expired before it ran. */
  SKIP;

  /** True for INIT, PASS and SKIP. */
  public boolean isOk() {
    return this == INIT || this == PASS || this == SKIP;
  }
}
