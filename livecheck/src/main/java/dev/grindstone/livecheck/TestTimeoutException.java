package dev.grindstone.livecheck;

/** A signal wait timed out; the runner reports the test as TIMEOUT. */
public final class TestTimeoutException extends LiveCheckException {
  public TestTimeoutException(String message) {
    super(message);
  }
}
