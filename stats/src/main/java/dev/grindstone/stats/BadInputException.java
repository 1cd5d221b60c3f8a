package dev.grindstone.stats;

/**
 * The user gave input that cannot be used: a malformed file, expression, option or configuration.
 * The message says what was wrong, where, and how to fix it; command-line tools print it without a
 * stack trace and exit with code 2.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
