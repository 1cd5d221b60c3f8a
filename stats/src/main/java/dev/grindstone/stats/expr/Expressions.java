package dev.grindstone.stats.expr;

import dev.grindstone.stats.StatisticIndex;
import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticKind;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.expr.Expression.Attribute;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses The Grinder's prefix statistic expressions.
 *
 * <pre>
 * expression := number | statistic | "(" operator operand* ")"
 * operator   := "+" | "*"            any number of operands (0 and 1 when empty)
 *             | "-"                  one (negation) or more
 *             | "/"                  exactly two, always double
 *             | "sqrt"               exactly one, double
 *             | "sum" | "count" | "variance" | "min" | "max"   a sample statistic's name
 *             | "percentile"         a sample statistic's name and a percentile 0..100
 * </pre>
 *
 * A token is a maximal run of characters other than white space and parentheses. A leaf token is
 * read as a {@code long}, then as a {@code double}, then as a basic statistic's name. {@code min},
 * {@code max} and {@code percentile} are additions to The Grinder's language.
 */
public final class Expressions {

  private static final String OPERATORS = "+ - * / sqrt sum count variance min max percentile";
  private static final java.util.Set<String> OPERATOR_SET = java.util.Set.of(OPERATORS.split(" "));

  private Expressions() {}

  /** Parses {@code text} against {@code schema}; throws {@link ExpressionException} if invalid. */
  public static Expression parse(String text, StatisticsSchema schema) {
    Parser p = new Parser(text, schema);
    Expression e = p.expression();
    Token extra = p.next();
    if (extra != null) {
      throw p.error(
          "unexpected '"
              + extra.text
              + "' after the end of the expression; wrap several"
              + " terms in an operator such as (+ a b)",
          extra);
    }
    return e;
  }

  static String format(String op, Expression[] operands) {
    StringBuilder b = new StringBuilder("(").append(op);
    for (Expression e : operands) {
      b.append(' ').append(e);
    }
    return b.append(')').toString();
  }

  private record Token(String text, int position) {
    boolean is(String s) {
      return text.equals(s);
    }
  }

  private static final class Parser {
    private final String text;
    private final StatisticsSchema schema;
    private final List<Token> tokens = new ArrayList<>();
    private int cursor;

    Parser(String text, StatisticsSchema schema) {
      this.text = text;
      this.schema = schema;
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '(' || c == ')') {
          tokens.add(new Token(String.valueOf(c), i + 1));
          i++;
        } else {
          int start = i;
          while (i < text.length()
              && !Character.isWhitespace(text.charAt(i))
              && text.charAt(i) != '('
              && text.charAt(i) != ')') {
            i++;
          }
          tokens.add(new Token(text.substring(start, i), start + 1));
        }
      }
    }

    Token next() {
      return cursor < tokens.size() ? tokens.get(cursor++) : null;
    }

    Token peek() {
      return cursor < tokens.size() ? tokens.get(cursor) : null;
    }

    ExpressionException error(String what, Token at) {
      return at == null
          ? new ExpressionException(what, text, text.length() + 1, "")
          : new ExpressionException(what, text, at.position, at.text);
    }

    Expression expression() {
      Token t = next();
      if (t == null) {
        throw error(
            cursor == 0
                ? "the expression is empty; expected a number, a statistic name or '('"
                : "the expression ended; expected a number, a statistic name or '('",
            null);
      }
      if (t.is(")")) {
        throw error("unexpected ')'; expected a number, a statistic name or '('", t);
      }
      if (t.is("(")) {
        return operation(t);
      }
      return leaf(t);
    }

    private Expression operation(Token open) {
      Token op = next();
      if (op == null || op.is(")") || op.is("(")) {
        throw error("expected an operator (" + OPERATORS + ") after '('", op);
      }
      Expression result =
          switch (op.text) {
            case "+", "*", "-" -> arithmetic(op);
            case "/" -> {
              Expression[] operands = operands(op, 2, 2);
              yield new Expression.Quotient(operands[0], operands[1]);
            }
            case "sqrt" -> new Expression.SquareRoot(operands(op, 1, 1)[0]);
            case "sum" -> sampleAttribute(Attribute.SUM, op);
            case "count" -> sampleAttribute(Attribute.COUNT, op);
            case "variance" -> sampleAttribute(Attribute.VARIANCE, op);
            case "min" -> sampleAttribute(Attribute.MIN, op);
            case "max" -> sampleAttribute(Attribute.MAX, op);
            case "percentile" -> percentile(op);
            default ->
                throw error("unknown operator '" + op.text + "'; expected one of " + OPERATORS, op);
          };
      close(open);
      return result;
    }

    private Expression arithmetic(Token op) {
      Expression[] operands = operands(op, op.is("-") ? 1 : 0, Integer.MAX_VALUE);
      boolean isDouble = false;
      for (Expression e : operands) {
        isDouble |= e.isDouble();
      }
      return switch (op.text) {
        case "+" -> new Expression.Sum(operands, isDouble);
        case "*" -> new Expression.Product(operands, isDouble);
        default -> new Expression.Difference(operands, isDouble);
      };
    }

    private Expression[] operands(Token op, int min, int max) {
      List<Expression> list = new ArrayList<>();
      while (peek() != null && !peek().is(")")) {
        if (list.size() == max) {
          throw error("'" + op.text + "' takes " + arity(min, max) + ", found more", peek());
        }
        list.add(expression());
      }
      if (list.size() < min) {
        throw error(
            "'" + op.text + "' takes " + arity(min, max) + ", found " + list.size(), peek());
      }
      return list.toArray(new Expression[0]);
    }

    private static String arity(int min, int max) {
      if (min == max) {
        return "exactly " + min + (min == 1 ? " operand" : " operands");
      }
      return "at least " + min + (min == 1 ? " operand" : " operands");
    }

    private void close(Token open) {
      Token t = next();
      if (t == null) {
        throw error(
            "expected ')' to close the '(' at character "
                + open.position
                + ", but the expression ended",
            null);
      }
      if (!t.is(")")) {
        throw error(
            "expected ')' to close the '(' at character "
                + open.position
                + ", found '"
                + t.text
                + "'",
            t);
      }
    }

    private SampleIndex sampleName(Token op) {
      Token name = next();
      if (name == null || name.is(")") || name.is("(")) {
        throw error(
            "'" + op.text + "' takes the name of a sample statistic such as timedTests", name);
      }
      StatisticIndex found = schema.find(name.text);
      if (found instanceof SampleIndex s) {
        return s;
      }
      if (found != null) {
        throw error(
            "'"
                + name.text
                + "' is a "
                + found.kind().label()
                + " statistic; '"
                + op.text
                + "' needs a sample statistic such as timedTests",
            name);
      }
      throw error(
          "unknown sample statistic '"
              + name.text
              + "'"
              + suggestion(name.text, StatisticKind.SAMPLE),
          name);
    }

    private Expression sampleAttribute(Attribute attribute, Token op) {
      return new Expression.SampleAttribute(attribute, sampleName(op));
    }

    private Expression percentile(Token op) {
      SampleIndex sample = sampleName(op);
      Token p = next();
      double value;
      try {
        value = p == null ? Double.NaN : Double.parseDouble(p.text);
      } catch (NumberFormatException e) {
        value = Double.NaN;
      }
      if (!(value >= 0 && value <= 100)) {
        throw error(
            "'percentile' takes a sample statistic and a number from 0 to 100, as in"
                + " (percentile timedTests 99.9)",
            p);
      }
      return new Expression.Percentile(sample, value, p.text);
    }

    private Expression leaf(Token t) {
      try {
        return new Expression.LongConstant(Long.parseLong(t.text));
      } catch (NumberFormatException notLong) {
        // next form
      }
      try {
        return new Expression.DoubleConstant(Double.parseDouble(t.text), t.text);
      } catch (NumberFormatException notDouble) {
        // next form
      }
      StatisticIndex found = schema.find(t.text);
      return switch (found) {
        case LongIndex l -> new Expression.LongStatistic(l);
        case DoubleIndex d -> new Expression.DoubleStatistic(d);
        case SampleIndex s ->
            throw error(
                "'"
                    + s.name()
                    + "' is a sample statistic; read it with (sum "
                    + s.name()
                    + "), (count "
                    + s.name()
                    + ") or (variance "
                    + s.name()
                    + ")",
                t);
        case null -> {
          if (OPERATOR_SET.contains(t.text)) {
            throw error(
                "the operator '" + t.text + "' must follow '(', as in (" + t.text + " ...)", t);
          }
          throw error("unknown token '" + t.text + "'" + suggestion(t.text, StatisticKind.LONG), t);
        }
      };
    }

    private String suggestion(String name, StatisticKind kind) {
      try {
        switch (kind) {
          case SAMPLE -> schema.sampleIndex(name);
          default -> schema.longIndex(name);
        }
        return "";
      } catch (dev.grindstone.stats.NoSuchStatisticException e) {
        String m = e.getMessage();
        int dot = m.indexOf(". ");
        return dot < 0 ? "" : "; expected a number or a statistic name" + m.substring(dot);
      }
    }
  }
}
