package dev.grindstone.compare;

/**
 * A figure compared between two runs, as it is read from a run's totals and from each of its
 * intervals.
 */
public enum Metric {
  /** Successful calls (The Grinder's Tests column). Depends on the run's length: no noise test. */
  COUNT("count", "count", "", 0),
  /** Successful calls per second over the actual time. */
  TPS("tps", "TPS", "", -1),
  /** Mean time of successful calls, ms. */
  MEAN("mean", "mean", "ms", 1),
  P50("p50", "p50", "ms", 1),
  P90("p90", "p90", "ms", 1),
  P99("p99", "p99", "ms", 1),
  /** The slowest successful call, ms. */
  MAX("max", "max", "ms", 1),
  /** Errors as a percentage of all calls; changes are in percentage points. */
  ERROR_RATE("errorRate", "error rate", "%", 1);

  private final String key;
  private final String label;
  private final String unit;
  private final int worse;

  Metric(String key, String label, String unit, int worse) {
    this.key = key;
    this.label = label;
    this.unit = unit;
    this.worse = worse;
  }

  /** The key in JSON output. */
  public String key() {
    return key;
  }

  /** The name in text and Markdown output. */
  public String label() {
    return label;
  }

  /** "ms", "%" (error rate, in percent) or "" (a count or a rate). */
  public String unit() {
    return unit;
  }

  /** +1 when a larger value is worse, -1 when a smaller one is, 0 when neither. */
  public int worseDirection() {
    return worse;
  }

  /** True when a change is judged in percentage points rather than relative to the old value. */
  public boolean changesInPoints() {
    return this == ERROR_RATE;
  }
}
