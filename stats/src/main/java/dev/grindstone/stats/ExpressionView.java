package dev.grindstone.stats;

import dev.grindstone.stats.expr.Expression;
import dev.grindstone.stats.expr.Expressions;
import java.util.Objects;

/**
 * A named expression shown as a column: in the summary table, the console, or the data log.
 *
 * @param displayName the column's name, for example {@code "Mean Test Time (ms)"}
 * @param expression the parsed expression
 * @param showForComposite whether composite tests (tests that contain other tests) show this column
 */
public record ExpressionView(String displayName, Expression expression, boolean showForComposite) {

  public ExpressionView {
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(expression, "expression");
    if (displayName.isBlank()) {
      throw new BadInputException(
          "A statistic view needs a display name; got an empty one for " + expression);
    }
  }

  /** Parses {@code expression} against {@code schema}; not shown for composite tests. */
  public static ExpressionView of(String displayName, String expression, StatisticsSchema schema) {
    return new ExpressionView(displayName, Expressions.parse(expression, schema), false);
  }

  /** The normalized expression text. */
  public String expressionText() {
    return expression.toString();
  }
}
