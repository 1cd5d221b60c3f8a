package dev.grindstone.engine;

/**
 * A failure a scenario reports on purpose to end an iteration, such as a failed check. The run
 * counts iterations ended this way by message alone (without the exception's class), so keep the
 * message stable: say what failed and where, not when.
 */
public class IterationFailure extends RuntimeException {
  public IterationFailure(String message) {
    super(message, null, false, false);
  }

  public IterationFailure(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
