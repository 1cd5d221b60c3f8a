package dev.grindstone.livecheck;

/** Thrown from a test to skip it; the runner reports SKIP. */
public final class TestSkippedException extends LiveCheckException {
  public TestSkippedException(String message) {
    super(message);
  }
}
