package dev.grindstone.compare;

/**
 * One test's (or the totals') figures over a run or over one interval. Times in milliseconds, NaN
 * where a figure is undefined (a latency with no successful call) or was not recorded (a percentile
 * that older results files do not keep per interval).
 *
 * @param count successful calls
 * @param errors failed calls
 * @param tps successful calls per second over the actual time
 */
public record Figures(
    long count,
    long errors,
    double tps,
    double mean,
    double p50,
    double p90,
    double p99,
    double max) {

  /** The figure of {@code metric}; NaN where undefined. */
  public double value(Metric metric) {
    return switch (metric) {
      case COUNT -> count;
      case TPS -> tps;
      case MEAN -> mean;
      case P50 -> p50;
      case P90 -> p90;
      case P99 -> p99;
      case MAX -> max;
      case ERROR_RATE -> count + errors == 0 ? Double.NaN : errors * 100.0 / (count + errors);
    };
  }
}
