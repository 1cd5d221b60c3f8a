package dev.grindstone.livecheck;

/** A service the case calls did not answer successfully within the retry policy. */
public final class ServiceDownException extends SuiteFailedException {
  public ServiceDownException(String message, Throwable cause) {
    super(message, cause);
  }
}
