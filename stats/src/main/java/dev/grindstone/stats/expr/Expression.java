package dev.grindstone.stats.expr;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSource;

/**
 * A parsed statistic expression in The Grinder's prefix language, for example {@code (* 1000 (/ (+
 * (count timedTests) untimedTests) period))}. Parse one with {@link Expressions#parse}.
 *
 * <p>An expression is typed: long unless it involves a double ({@link #isDouble()}). Long
 * arithmetic wraps; reading a double expression as long truncates. {@code /} and {@code sqrt} are
 * always double. Statistics stored in microseconds (see {@link
 * dev.grindstone.stats.StatisticsSchema}) are read in milliseconds, which makes them double.
 *
 * <p>Expressions are immutable and thread-safe; evaluation does not allocate. {@link #toString()}
 * gives the normalized text: {@code (op a b)} with single spaces.
 */
public sealed interface Expression {

  long getLongValue(StatisticsSource source);

  double getDoubleValue(StatisticsSource source);

  boolean isDouble();

  /** A whole-number literal. */
  record LongConstant(long value) implements Expression {
    public long getLongValue(StatisticsSource s) {
      return value;
    }

    public double getDoubleValue(StatisticsSource s) {
      return value;
    }

    public boolean isDouble() {
      return false;
    }

    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  /** A literal that is not a whole number, such as {@code 2.5} or {@code 1e3}. */
  record DoubleConstant(double value, String text) implements Expression {
    public long getLongValue(StatisticsSource s) {
      return (long) value;
    }

    public double getDoubleValue(StatisticsSource s) {
      return value;
    }

    public boolean isDouble() {
      return true;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** A basic long statistic, read in its shown unit. */
  record LongStatistic(LongIndex index) implements Expression {
    public long getLongValue(StatisticsSource s) {
      return index.isScaled() ? (long) getDoubleValue(s) : s.getLong(index);
    }

    public double getDoubleValue(StatisticsSource s) {
      return s.getLong(index) * index.scale();
    }

    public boolean isDouble() {
      return index.isScaled();
    }

    @Override
    public String toString() {
      return index.name();
    }
  }

  /** A basic double statistic. */
  record DoubleStatistic(DoubleIndex index) implements Expression {
    public long getLongValue(StatisticsSource s) {
      return (long) s.getDouble(index);
    }

    public double getDoubleValue(StatisticsSource s) {
      return s.getDouble(index);
    }

    public boolean isDouble() {
      return true;
    }

    @Override
    public String toString() {
      return index.name();
    }
  }

  /** One attribute of a sample statistic: {@code (sum s)}, {@code (count s)}, ... */
  record SampleAttribute(Attribute attribute, SampleIndex index) implements Expression {
    public long getLongValue(StatisticsSource s) {
      return isDouble() ? (long) getDoubleValue(s) : rawLong(s);
    }

    private long rawLong(StatisticsSource s) {
      return attribute == Attribute.COUNT ? s.getCount(index) : s.getSum(index);
    }

    public double getDoubleValue(StatisticsSource s) {
      double scale = index.scale();
      return switch (attribute) {
        case SUM -> s.getSum(index) * scale;
        case COUNT -> s.getCount(index);
        case VARIANCE -> s.getCount(index) == 0 ? Double.NaN : s.getVariance(index) * scale * scale;
        case MIN -> s.getCount(index) == 0 ? Double.NaN : index.shown(s.getMin(index));
        case MAX -> s.getCount(index) == 0 ? Double.NaN : index.shown(s.getMax(index));
      };
    }

    public boolean isDouble() {
      return switch (attribute) {
        case SUM -> index.isScaled();
        case COUNT -> false;
        case VARIANCE, MIN, MAX -> true;
      };
    }

    @Override
    public String toString() {
      return "(" + attribute.symbol() + " " + index.name() + ")";
    }
  }

  /** What {@link SampleAttribute} reads. {@code min} and {@code max} are additions to Grinder's. */
  enum Attribute {
    SUM("sum"),
    COUNT("count"),
    VARIANCE("variance"),
    MIN("min"),
    MAX("max");

    private final String symbol;

    Attribute(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /** {@code (percentile timedTests 99.9)}: from the source's latency histogram, shown unit. */
  record Percentile(SampleIndex index, double percentile, String percentileText)
      implements Expression {
    public long getLongValue(StatisticsSource s) {
      return (long) getDoubleValue(s);
    }

    public double getDoubleValue(StatisticsSource s) {
      return index.shown(s.getPercentile(index, percentile));
    }

    public boolean isDouble() {
      return true;
    }

    @Override
    public String toString() {
      return "(percentile " + index.name() + " " + percentileText + ")";
    }
  }

  /** {@code (+ e*)}: 0 when empty. */
  record Sum(Expression[] operands, boolean isDouble) implements Expression {
    public long getLongValue(StatisticsSource s) {
      if (isDouble) {
        return (long) getDoubleValue(s);
      }
      long total = 0;
      for (int i = 0; i < operands.length; i++) {
        total += operands[i].getLongValue(s);
      }
      return total;
    }

    public double getDoubleValue(StatisticsSource s) {
      if (!isDouble) {
        return getLongValue(s);
      }
      double total = 0;
      for (int i = 0; i < operands.length; i++) {
        total += operands[i].getDoubleValue(s);
      }
      return total;
    }

    @Override
    public String toString() {
      return Expressions.format("+", operands);
    }
  }

  /** {@code (* e*)}: 1 when empty. */
  record Product(Expression[] operands, boolean isDouble) implements Expression {
    public long getLongValue(StatisticsSource s) {
      if (isDouble) {
        return (long) getDoubleValue(s);
      }
      long total = 1;
      for (int i = 0; i < operands.length; i++) {
        total *= operands[i].getLongValue(s);
      }
      return total;
    }

    public double getDoubleValue(StatisticsSource s) {
      if (!isDouble) {
        return getLongValue(s);
      }
      double total = 1;
      for (int i = 0; i < operands.length; i++) {
        total *= operands[i].getDoubleValue(s);
      }
      return total;
    }

    @Override
    public String toString() {
      return Expressions.format("*", operands);
    }
  }

  /** {@code (- e)} negates; {@code (- e f g)} is e − f − g. */
  record Difference(Expression[] operands, boolean isDouble) implements Expression {
    public long getLongValue(StatisticsSource s) {
      if (isDouble) {
        return (long) getDoubleValue(s);
      }
      long first = operands[0].getLongValue(s);
      if (operands.length == 1) {
        return -first;
      }
      for (int i = 1; i < operands.length; i++) {
        first -= operands[i].getLongValue(s);
      }
      return first;
    }

    public double getDoubleValue(StatisticsSource s) {
      if (!isDouble) {
        return getLongValue(s);
      }
      double first = operands[0].getDoubleValue(s);
      if (operands.length == 1) {
        return -first;
      }
      for (int i = 1; i < operands.length; i++) {
        first -= operands[i].getDoubleValue(s);
      }
      return first;
    }

    @Override
    public String toString() {
      return Expressions.format("-", operands);
    }
  }

  /** {@code (/ a b)}: always double; x/0 gives infinity or NaN. */
  record Quotient(Expression dividend, Expression divisor) implements Expression {
    public long getLongValue(StatisticsSource s) {
      return (long) getDoubleValue(s);
    }

    public double getDoubleValue(StatisticsSource s) {
      return dividend.getDoubleValue(s) / divisor.getDoubleValue(s);
    }

    public boolean isDouble() {
      return true;
    }

    @Override
    public String toString() {
      return "(/ " + dividend + " " + divisor + ")";
    }
  }

  /** {@code (sqrt e)}: always double. */
  record SquareRoot(Expression operand) implements Expression {
    public long getLongValue(StatisticsSource s) {
      return (long) getDoubleValue(s);
    }

    public double getDoubleValue(StatisticsSource s) {
      return Math.sqrt(operand.getDoubleValue(s));
    }

    public boolean isDouble() {
      return true;
    }

    @Override
    public String toString() {
      return "(sqrt " + operand + ")";
    }
  }
}
