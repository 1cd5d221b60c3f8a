package dev.grindstone.compare;

/**
 * One figure of one test in run A and in run B.
 *
 * @param a the figure in A (NaN where undefined)
 * @param b the figure in B (NaN where undefined)
 */
public record Change(Metric metric, double a, double b, Noise noise) {

  /** B minus A, in the metric's unit (percentage points for the error rate). */
  public double difference() {
    return b - a;
  }

  /** The change relative to A, in percent; NaN when A is 0 or either is undefined. */
  public double relativePercent() {
    return a == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : (b - a) * 100 / a;
  }

  /** "+12.50%" (relative), "+0.40 pts" (the error rate), "-" when undefined. */
  public String describe() {
    if (metric.changesInPoints()) {
      double d = difference();
      return Double.isNaN(d) ? "-" : Numbers.signed(d) + " pts";
    }
    double r = relativePercent();
    if (Double.isNaN(r)) {
      return Double.isNaN(difference()) ? "-" : Numbers.signed(difference());
    }
    return Numbers.signed(r) + "%";
  }
}
