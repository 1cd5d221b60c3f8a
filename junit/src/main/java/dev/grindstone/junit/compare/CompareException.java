package dev.grindstone.junit.compare;

/**
 * The comparison cannot be made from what the user gave: a missing or foreign file, an unknown or
 * ambiguous session, an unreachable server, a bad option. The message says what and how to fix it.
 */
public final class CompareException extends RuntimeException {
  public CompareException(String message) {
    super(message);
  }

  public CompareException(String message, Throwable cause) {
    super(message, cause);
  }
}
