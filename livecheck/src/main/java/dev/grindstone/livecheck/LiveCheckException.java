package dev.grindstone.livecheck;

/** Base of LiveCheck's own exceptions. */
public class LiveCheckException extends RuntimeException {
  public LiveCheckException(String message) {
    super(message);
  }

  public LiveCheckException(String message, Throwable cause) {
    super(message, cause);
  }
}
