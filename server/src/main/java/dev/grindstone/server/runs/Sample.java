package dev.grindstone.server.runs;

/**
 * A sample statistic (count, sum, population variance), as The Grinder's {@code timedTests}; units
 * are the caller's (microseconds on the wire). Immutable.
 */
public record Sample(long count, double sum, double variance) {
  public static final Sample EMPTY = new Sample(0, 0, 0);

  public Sample {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
  }

  /**
   * The exact union of two sets: n = n1 + n2, m = (s1 + s2) / n and v = [n1 (v1 + (s1/n1 - m)^2) +
   * n2 (v2 + (s2/n2 - m)^2)] / n (population variance). An empty side yields the other.
   */
  public Sample merge(Sample o) {
    if (o.count == 0) {
      return this;
    }
    if (count == 0) {
      return o;
    }
    long n = count + o.count;
    double m = (sum + o.sum) / n;
    double d1 = sum / count - m;
    double d2 = o.sum / o.count - m;
    double v = (count * (variance + d1 * d1) + o.count * (o.variance + d2 * d2)) / n;
    return new Sample(n, sum + o.sum, v);
  }

  public double mean() {
    return count == 0 ? 0 : sum / count;
  }
}
