package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.Threshold;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a run's thresholds against its figures: a threshold that names a test is checked for that
 * test (and fails when the test never ran); any other is checked for every non-composite test and
 * for the totals. Stateless.
 */
final class ThresholdCheck {

  private ThresholdCheck() {}

  /** One result per check, in the order of the thresholds, each test's before the totals'. */
  static List<ThresholdResult> check(List<Threshold> thresholds, List<TestFigures> tests, TestFigures totals) {
    List<ThresholdResult> results = new ArrayList<>();
    for (Threshold t : thresholds) {
      if (t.test() >= 0) {
        TestFigures f = tests.stream().filter(x -> x.test() == t.test()).findFirst().orElse(null);
        if (f == null) {
          results.add(new ThresholdResult(t.text(), "Test " + t.test(), Double.NaN, false));
        } else {
          results.add(check(t, f, "Test " + t.test()));
        }
        continue;
      }
      for (TestFigures f : tests) {
        if (!f.composite()) {
          results.add(check(t, f, "Test " + f.test()));
        }
      }
      results.add(check(t, totals, "Totals"));
    }
    return results;
  }

  private static ThresholdResult check(Threshold t, TestFigures f, String scope) {
    double actual = t.actual(f);
    return new ThresholdResult(t.text(), scope, actual, t.passes(actual));
  }
}
