package dev.grindstone.compare;

import java.util.Arrays;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: do two samples come from one
 * distribution, or does one tend to be larger? It assumes nothing about the shape of the
 * distributions, which suits per-interval latencies and TPS (skewed, with outliers).
 *
 * <p>IMPLEMENTATION NOTES. The p-value is exact when both samples have at most {@value #EXACT_MAX}
 * values and no value occurs twice: the null distribution of U is counted by the recurrence P(i, j,
 * u) = i/(i+j) P(i-1, j, u-j) + j/(i+j) P(i, j-1, u), in probabilities so nothing overflows.
 * Otherwise it is the normal approximation with the tie correction of the variance and a continuity
 * correction of 0.5, as statistics packages compute it. Pure; thread-safe.
 */
public final class MannWhitney {

  /** Largest sample size for which the exact distribution is used. */
  static final int EXACT_MAX = 50;

  private MannWhitney() {}

  /**
   * The outcome of one test.
   *
   * @param u the U statistic of the first sample: how many (x, y) pairs have x above y, ties
   *     counting one half
   * @param p the two-sided p-value, in [0, 1]
   * @param exact true when {@code p} comes from the exact distribution of U
   */
  public record Result(double u, double p, boolean exact) {}

  /**
   * Tests {@code x} against {@code y}.
   *
   * @throws IllegalArgumentException when either sample is empty or holds NaN or an infinity
   */
  public static Result test(double[] x, double[] y) {
    int n1 = x.length;
    int n2 = y.length;
    if (n1 == 0 || n2 == 0) {
      throw new IllegalArgumentException(
          "both samples need at least one value, got " + n1 + " and " + n2);
    }
    double[] all = new double[n1 + n2];
    System.arraycopy(x, 0, all, 0, n1);
    System.arraycopy(y, 0, all, n1, n2);
    for (double v : all) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("samples must hold finite numbers, got " + v);
      }
    }
    double[] sorted = all.clone();
    Arrays.sort(sorted);
    // Rank sum of x with mid-ranks for ties; the tie term sum(t^3 - t) for the variance.
    double tieTerm = 0;
    double rankSumX = 0;
    for (double v : x) {
      rankSumX += midRank(sorted, v);
    }
    for (int i = 0; i < sorted.length; ) {
      int j = i;
      while (j < sorted.length && sorted[j] == sorted[i]) {
        j++;
      }
      double t = j - i;
      tieTerm += t * t * t - t;
      i = j;
    }
    double u = rankSumX - n1 * (n1 + 1) / 2.0;
    if (tieTerm == 0 && n1 <= EXACT_MAX && n2 <= EXACT_MAX) {
      return new Result(u, exactP(u, n1, n2), true);
    }
    double n = n1 + n2;
    double mean = n1 * (double) n2 / 2;
    double variance = n1 * (double) n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)));
    if (variance <= 0) {
      return new Result(u, 1, false); // every value the same: no evidence of a difference
    }
    double z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
    return new Result(u, Math.min(1, 2 * upperTail(z)), false);
  }

  /**
   * The smallest two-sided p-value two samples of these sizes can give (no ties): with fewer values
   * a test cannot reach a significance level below it.
   */
  public static double smallestP(int n1, int n2) {
    // 2 / C(n1 + n2, n1), computed as a product so it neither overflows nor underflows early.
    double p = 2;
    int k = Math.min(n1, n2);
    int n = n1 + n2;
    for (int i = 1; i <= k; i++) {
      p *= (double) i / (n - k + i);
    }
    return Math.min(1, p);
  }

  private static double midRank(double[] sorted, double v) {
    int lo = lowerBound(sorted, v);
    int hi = lowerBound(sorted, Math.nextUp(v));
    return (lo + 1 + hi) / 2.0; // ranks lo+1 .. hi
  }

  private static int lowerBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Two-sided exact p-value of U for sample sizes n1, n2 without ties. */
  private static double exactP(double u, int n1, int n2) {
    int max = n1 * n2;
    // P(i, j, .) for the previous i and the current one; the range 0..i*j only grows with i, so a
    // reused row holds zeros beyond what is written into it.
    double[][] prev = new double[n2 + 1][max + 1];
    double[][] cur = new double[n2 + 1][max + 1];
    for (int j = 0; j <= n2; j++) {
      prev[j][0] = 1; // P(0, j, 0) = 1
    }
    cur[0][0] = 1; // P(i, 0, 0) = 1
    for (int i = 1; i <= n1; i++) {
      for (int j = 1; j <= n2; j++) {
        double a = (double) i / (i + j);
        double b = (double) j / (i + j);
        double[] row = cur[j];
        double[] left = cur[j - 1];
        double[] up = prev[j];
        for (int k = 0; k <= i * j; k++) {
          row[k] = b * left[k] + (k >= j ? a * up[k - j] : 0);
        }
      }
      double[][] t = prev;
      prev = cur;
      cur = t;
      cur[0][0] = 1;
    }
    double[] dist = prev[n2];
    // U is an integer without ties; the distribution is symmetric around n1*n2/2.
    long lowU = Math.round(Math.min(u, max - u));
    double tail = 0;
    for (int k = 0; k <= lowU; k++) {
      tail += dist[k];
    }
    return Math.min(1, 2 * tail);
  }

  /** P(Z > z) for a standard normal Z, z >= 0: erfc(z / sqrt 2) / 2. */
  static double upperTail(double z) {
    return erfc(z / Math.sqrt(2)) / 2;
  }

  /**
   * The complementary error function, relative error below 1.2e-7 everywhere (the Chebyshev fit of
   * W. J. Cody's form given in Numerical Recipes, section 6.2).
   */
  static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r =
        t
            * Math.exp(
                -z * z
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }
}
