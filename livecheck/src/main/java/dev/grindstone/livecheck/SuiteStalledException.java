package dev.grindstone.livecheck;

/** No test of the case arrived within {@code warn_stalled_after}. */
public final class SuiteStalledException extends SuiteFailedException {
  public SuiteStalledException(String message) {
    super(message);
  }
}
