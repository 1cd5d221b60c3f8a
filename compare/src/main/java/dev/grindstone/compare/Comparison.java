package dev.grindstone.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * Run B set against run A (the baseline): per test and for the totals, the change of every {@link
 * Metric}, whether it stands out from the runs' own interval-to-interval spread ({@link Noise}),
 * and the tolerances checked. Immutable.
 *
 * @param tests the tests found in both runs, by number, then the totals
 * @param onlyInA tests of A that B does not have
 * @param onlyInB tests of B that A does not have
 * @param tolerances every tolerance checked against every test of {@code tests}
 * @param notes what a reader should know (runs of different names, changed descriptions, ...)
 */
public record Comparison(
    RunResults a,
    RunResults b,
    Options options,
    List<TestComparison> tests,
    List<TestResults> onlyInA,
    List<TestResults> onlyInB,
    List<RuleResult> tolerances,
    List<String> notes) {

  /** The default significance level of the noise test. */
  public static final double DEFAULT_ALPHA = 0.01;

  /**
   * How to compare.
   *
   * @param alpha the significance level of the noise test, above 0 and below 1
   * @param tolerances the rules a change must keep to
   * @param ignoreNoise true: a change beyond a tolerance fails even when the noise test finds it
   *     within the runs' own spread
   */
  public record Options(double alpha, List<Tolerance> tolerances, boolean ignoreNoise) {
    public Options {
      if (!(alpha > 0 && alpha < 1)) {
        throw new IllegalArgumentException(
            "the significance level must be above 0 and below 1, got " + alpha);
      }
      tolerances = List.copyOf(tolerances);
    }

    public static Options defaults() {
      return new Options(DEFAULT_ALPHA, List.of(), false);
    }
  }

  /** One test (or the totals) in both runs. */
  public record TestComparison(int test, String description, List<Change> changes) {
    public TestComparison {
      changes = List.copyOf(changes);
    }

    public String scope() {
      return test < 0 ? "Totals" : "Test " + test;
    }

    /** The change of {@code metric}. */
    public Change change(Metric metric) {
      for (Change c : changes) {
        if (c.metric() == metric) {
          return c;
        }
      }
      throw new IllegalArgumentException("no change of " + metric);
    }
  }

  public Comparison {
    tests = List.copyOf(tests);
    onlyInA = List.copyOf(onlyInA);
    onlyInB = List.copyOf(onlyInB);
    tolerances = List.copyOf(tolerances);
    notes = List.copyOf(notes);
  }

  /** True when a tolerance was broken. */
  public boolean regressed() {
    return tolerances.stream().anyMatch(r -> !r.passed());
  }

  /** Compares {@code b} with the baseline {@code a}. */
  public static Comparison of(RunResults a, RunResults b, Options options) {
    List<TestComparison> tests = new ArrayList<>();
    List<TestResults> onlyInA = new ArrayList<>();
    List<TestResults> onlyInB = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!a.name().equals(b.name())) {
      notes.add(
          "The runs have different names: '" + a.name() + "' (A) and '" + b.name() + "' (B).");
    }
    a.notes().forEach(n -> notes.add("A: " + n + "."));
    b.notes().forEach(n -> notes.add("B: " + n + "."));
    for (TestResults ta : a.tests()) {
      TestResults tb = b.test(ta.test());
      if (tb == null) {
        onlyInA.add(ta);
        continue;
      }
      if (!ta.description().equals(tb.description())) {
        notes.add(
            ta.scope()
                + " is \""
                + ta.description()
                + "\" in A and \""
                + tb.description()
                + "\" in B.");
      }
      tests.add(compare(ta, tb, tb.description(), options.alpha()));
    }
    for (TestResults tb : b.tests()) {
      if (a.test(tb.test()) == null) {
        onlyInB.add(tb);
      }
    }
    tests.add(compare(a.totals(), b.totals(), "", options.alpha()));
    List<RuleResult> rules = new ArrayList<>();
    for (Tolerance t : options.tolerances()) {
      for (TestComparison tc : tests) {
        rules.add(t.check(tc.change(t.metric()), scopeText(tc), options.ignoreNoise()));
      }
    }
    return new Comparison(a, b, options, tests, onlyInA, onlyInB, rules, notes);
  }

  /** {@code Test 1 "Log in"}, or {@code Totals}. */
  static String scopeText(TestComparison tc) {
    return tc.description().isEmpty() ? tc.scope() : tc.scope() + " \"" + tc.description() + "\"";
  }

  private static TestComparison compare(
      TestResults a, TestResults b, String description, double alpha) {
    List<Change> changes = new ArrayList<>();
    for (Metric m : Metric.values()) {
      changes.add(new Change(m, a.run().value(m), b.run().value(m), noise(m, a, b, alpha)));
    }
    return new TestComparison(a.test(), description, changes);
  }

  /** The Mann-Whitney U test of the metric's per-interval values in A against those in B. */
  static Noise noise(Metric m, TestResults a, TestResults b, double alpha) {
    if (m == Metric.COUNT) {
      return Noise.NOT_TESTED; // a count grows with the run's length; its rate is TPS
    }
    double[] x = values(m, a.intervals());
    double[] y = values(m, b.intervals());
    if (x.length == 0 || y.length == 0) {
      return new Noise(Noise.Verdict.NOT_TESTED, Double.NaN, x.length, y.length);
    }
    if (MannWhitney.smallestP(x.length, y.length) >= alpha) {
      return new Noise(Noise.Verdict.TOO_FEW_INTERVALS, Double.NaN, x.length, y.length);
    }
    double p = MannWhitney.test(x, y).p();
    return new Noise(
        p < alpha ? Noise.Verdict.SIGNIFICANT : Noise.Verdict.WITHIN_NOISE, p, x.length, y.length);
  }

  private static double[] values(Metric m, List<Figures> intervals) {
    return intervals.stream().mapToDouble(f -> f.value(m)).filter(v -> !Double.isNaN(v)).toArray();
  }
}
