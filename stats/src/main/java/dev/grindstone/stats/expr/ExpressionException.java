package dev.grindstone.stats.expr;

import dev.grindstone.stats.BadInputException;

/**
 * An expression that cannot be parsed. The message has The Grinder's shape, {@code Parse exception:
 * <what>, at character N of '<expression>'}, and says what was expected there.
 */
public final class ExpressionException extends BadInputException {
  private final String expression;
  private final int position;
  private final String token;

  ExpressionException(String what, String expression, int position, String token) {
    super("Parse exception: " + what + ", at character " + position + " of '" + expression + "'");
    this.expression = expression;
    this.position = position;
    this.token = token;
  }

  /** The whole expression text. */
  public String expression() {
    return expression;
  }

  /** 1-based character position of the offending token (length + 1 at the end of the text). */
  public int position() {
    return position;
  }

  /** The offending token, or the empty string at the end of the text. */
  public String token() {
    return token;
  }
}
