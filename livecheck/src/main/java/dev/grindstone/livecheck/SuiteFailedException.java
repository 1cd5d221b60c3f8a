package dev.grindstone.livecheck;

/** The whole suite of a case failed (not just one test): too many failures, a service down. */
public class SuiteFailedException extends LiveCheckException {
  public SuiteFailedException(String message) {
    super(message);
  }

  public SuiteFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
