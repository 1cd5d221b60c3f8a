package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.Threshold;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a run's thresholds against its figures: a threshold that names a test is checked for that
 * test (and fails when the test never ran); any other is checked for every non-composite test and
 * for the totals. A threshold of a scenario is checked so on that scenario's figures, its scopes
 * named after it ({@code checkout: Test 2}), and fails when the scenario never ran. Stateless.
 */
final class ThresholdCheck {

  private ThresholdCheck() {}

  /** One result per check, in the order of the thresholds, each test's before the totals'. */
  static List<ThresholdResult> check(List<Threshold> thresholds, List<TestFigures> tests, TestFigures totals) {
    return check(thresholds, tests, totals, List.of());
  }

  /** The same, with each scenario's figures for the thresholds of a scenario. */
  static List<ThresholdResult> check(List<Threshold> thresholds, List<TestFigures> tests, TestFigures totals,
      List<ScenarioResult> scenarios) {
    List<ThresholdResult> results = new ArrayList<>();
    for (Threshold t : thresholds) {
      if (t.scenario() == null) {
        check(t, tests, totals, "", results);
        continue;
      }
      ScenarioResult s = scenarios.stream().filter(x -> x.name().equals(t.scenario())).findFirst().orElse(null);
      if (s == null) {
        results.add(new ThresholdResult(t.text(), t.scenario() + ": never ran", Double.NaN, false));
      } else {
        check(t, s.tests(), s.totals(), s.name() + ": ", results);
      }
    }
    return results;
  }

  private static void check(Threshold t, List<TestFigures> tests, TestFigures totals, String prefix,
      List<ThresholdResult> results) {
    if (t.test() >= 0) {
      TestFigures f = tests.stream().filter(x -> x.test() == t.test()).findFirst().orElse(null);
      if (f == null) {
        results.add(new ThresholdResult(t.text(), prefix + "Test " + t.test(), Double.NaN, false));
      } else {
        results.add(check(t, f, prefix + "Test " + t.test()));
      }
      return;
    }
    for (TestFigures f : tests) {
      if (!f.composite()) {
        results.add(check(t, f, prefix + "Test " + f.test()));
      }
    }
    results.add(check(t, totals, prefix + "Totals"));
  }

  private static ThresholdResult check(Threshold t, TestFigures f, String scope) {
    double actual = t.actual(f);
    return new ThresholdResult(t.text(), scope, actual, t.passes(actual));
  }
}
