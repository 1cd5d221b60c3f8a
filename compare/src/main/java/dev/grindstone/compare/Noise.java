package dev.grindstone.compare;

/**
 * Whether a change stands out from the runs' own interval-to-interval spread: the Mann-Whitney U
 * test of one figure's per-interval values in run A against those in run B.
 *
 * @param p the two-sided p-value (NaN unless tested)
 * @param intervalsA the intervals of A that had the figure
 * @param intervalsB the same for B
 */
public record Noise(Verdict verdict, double p, int intervalsA, int intervalsB) {

  /** What the test says. */
  public enum Verdict {
    /** p below the significance level: the change is larger than the runs' own spread. */
    SIGNIFICANT("significant"),
    /** p at or above the level: the change cannot be told from the spread. */
    WITHIN_NOISE("within noise"),
    /** Too few intervals for any result to reach the level (short runs, rare tests). */
    TOO_FEW_INTERVALS("too few intervals"),
    /** No per-interval figures for this metric (the count, or a percentile older files lack). */
    NOT_TESTED("not tested");

    private final String text;

    Verdict(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  static final Noise NOT_TESTED = new Noise(Verdict.NOT_TESTED, Double.NaN, 0, 0);

  /** "significant (p = 0.0012)", "within noise (p = 0.43)", "too few intervals (3 and 4)". */
  public String describe() {
    return switch (verdict) {
      case SIGNIFICANT, WITHIN_NOISE -> verdict.text() + " (p " + formatP(p) + ")";
      case TOO_FEW_INTERVALS -> verdict.text() + " (" + intervalsA + " and " + intervalsB + ")";
      case NOT_TESTED -> verdict.text();
    };
  }

  /** "= 0.043", "< 0.0001". */
  static String formatP(double p) {
    if (p < 0.0001) {
      return "< 0.0001";
    }
    return "= "
        + (p < 0.01
            ? String.format(java.util.Locale.ROOT, "%.4f", p)
            : String.format(java.util.Locale.ROOT, "%.2f", p));
  }
}
