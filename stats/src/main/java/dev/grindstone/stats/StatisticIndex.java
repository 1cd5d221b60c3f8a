package dev.grindstone.stats;

/**
 * A resolved statistic of a {@link StatisticsSchema}: its name and where its value lives in a
 * {@link StatisticsSet}. Resolve names once (at parse or set-up time) and keep the index; reading
 * and writing through an index is an array access.
 *
 * <p>Some statistics are stored in a finer unit than the one The Grinder shows: {@code timedTests}
 * and the HTTP plug-in's times are kept in microseconds but read as milliseconds by expressions and
 * by the script API. {@link #scale()} converts a stored value to its shown unit.
 */
public sealed interface StatisticIndex {

  /** The statistic's name, for example {@code "errors"} or {@code "timedTests"}. */
  String name();

  /** Kind of the statistic, for messages. */
  StatisticKind kind();

  /**
   * A basic long statistic. {@code isTransient} statistics (like {@code period}) are never merged.
   */
  record LongIndex(String name, int slot, boolean isTransient, double scale)
      implements StatisticIndex {
    @Override
    public StatisticKind kind() {
      return StatisticKind.LONG;
    }

    /** True when the shown value is a fraction of the stored one (µs stored, ms shown). */
    public boolean isScaled() {
      return scale != 1.0;
    }
  }

  /** A basic double statistic. */
  record DoubleIndex(String name, int slot) implements StatisticIndex {
    @Override
    public StatisticKind kind() {
      return StatisticKind.DOUBLE;
    }
  }

  /**
   * A long sample statistic: count, sum, population variance, and (beyond The Grinder) the exact
   * minimum and maximum of the samples.
   */
  record SampleIndex(
      String name,
      int sumSlot,
      int countSlot,
      int minSlot,
      int maxSlot,
      int varianceSlot,
      double scale)
      implements StatisticIndex {
    @Override
    public StatisticKind kind() {
      return StatisticKind.SAMPLE;
    }

    public boolean isScaled() {
      return scale != 1.0;
    }

    /**
     * One sample (a min, a max, a percentile) in the shown unit: for microseconds shown as
     * milliseconds, divided by 1000, which is correctly rounded where multiplying by 0.001 (not
     * exact in binary) may land one bit off; otherwise stored × scale.
     */
    public double shown(double stored) {
      return scale == StatisticsSchema.MICROS_AS_MILLIS ? stored / 1000.0 : stored * scale;
    }
  }
}
