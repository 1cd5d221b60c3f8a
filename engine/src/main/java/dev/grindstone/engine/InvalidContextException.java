package dev.grindstone.engine;

/**
 * A statistics or test call made where it has no meaning: off a virtual user's thread, with no test
 * in progress, before any test ran, or after a report was already sent. The message says how to
 * make the call correctly.
 */
public final class InvalidContextException extends IllegalStateException {
  public InvalidContextException(String message) {
    super(message);
  }
}
