package dev.grindstone.stats;

/** A statistic name that the schema does not hold, or that is of another kind than asked. */
public final class NoSuchStatisticException extends BadInputException {
  public NoSuchStatisticException(String message) {
    super(message);
  }
}
