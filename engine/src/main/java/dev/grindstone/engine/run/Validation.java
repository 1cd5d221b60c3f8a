package dev.grindstone.engine.run;

/** Construction-time checks whose messages name the field, the value and the constraint. */
final class Validation {
  private Validation() {}

  static void atLeast(String field, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", got " + value);
    }
  }
}
