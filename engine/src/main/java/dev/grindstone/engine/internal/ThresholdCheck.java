package dev.grindstone.engine.internal;

import dev.grindstone.engine.run.Threshold;
import dev.grindstone.engine.sink.RunSummary.PhaseResult;
import dev.grindstone.engine.sink.RunSummary.ThresholdResult;
import dev.grindstone.engine.sink.ScenarioResult;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a run's thresholds against its figures: a threshold that names a test is checked for that
 * test (and fails when the test never ran); any other is checked for every non-composite test and
 * for the totals. A threshold that names a phase is checked on that phase's figures (and fails when
 * the phase never ran). A rule over a rolling window reports its worst window, as the run's {@link
 * ThresholdWatch} found it; a rule that failed live and stopped the run stays failed. A threshold
 * of a scenario is checked so on that scenario's figures, its scopes named after it ({@code
 * checkout: Test 2}), and fails when the scenario never ran. Stateless.
 */
final class ThresholdCheck {

  private ThresholdCheck() {}

  /** One result per check, in the order of the thresholds, each test's before the totals'. */
  static List<ThresholdResult> check(
      List<Threshold> thresholds, List<TestFigures> tests, TestFigures totals) {
    return check(thresholds, tests, totals, List.of(), List.of(), null);
  }

  /**
   * @param phases each phase's figures, for the rules that name a phase
   * @param scenarios each scenario's figures, for the rules that name a scenario
   * @param watch what the live checks found, or null when no rule is checked live
   */
  static List<ThresholdResult> check(
      List<Threshold> thresholds,
      List<TestFigures> tests,
      TestFigures totals,
      List<PhaseResult> phases,
      List<ScenarioResult> scenarios,
      ThresholdWatch watch) {
    List<ThresholdResult> results = new ArrayList<>();
    for (Threshold t : thresholds) {
      List<TestFigures> scopeTests = tests;
      TestFigures scopeTotals = totals;
      String over = "the run";
      String prefix = "";
      ThresholdWatch live = watch;
      if (t.scenario() != null) {
        ScenarioResult s =
            scenarios.stream().filter(x -> x.name().equals(t.scenario())).findFirst().orElse(null);
        if (s == null) {
          results.add(
              new ThresholdResult(
                  t.text(),
                  t.scenario() + ": " + (t.test() >= 0 ? "Test " + t.test() : "Totals"),
                  Double.NaN,
                  false,
                  "the scenario '" + t.scenario() + "' never ran"));
          continue;
        }
        scopeTests = s.tests();
        scopeTotals = s.totals();
        over = "the scenario";
        prefix = s.name() + ": ";
        // A scenario's rule has no window and no abort (Threshold.parse): checked at the end.
        live = null;
      } else if (t.phase() != null) {
        PhaseResult p =
            phases.stream().filter(x -> x.name().equals(t.phase())).findFirst().orElse(null);
        if (p == null) {
          results.add(
              new ThresholdResult(
                  t.text(),
                  t.test() >= 0 ? "Test " + t.test() : "Totals",
                  Double.NaN,
                  false,
                  "the phase '" + t.phase() + "' never ran"));
          continue;
        }
        scopeTests = p.tests();
        scopeTotals = p.totals();
        over = "the phase";
      }
      if (t.test() >= 0) {
        TestFigures f =
            scopeTests.stream().filter(x -> x.test() == t.test()).findFirst().orElse(null);
        if (f == null) {
          results.add(
              new ThresholdResult(t.text(), prefix + "Test " + t.test(), Double.NaN, false));
        } else {
          results.add(check(t, f, live, over, prefix));
        }
        continue;
      }
      for (TestFigures f : scopeTests) {
        if (!f.composite()) {
          results.add(check(t, f, live, over, prefix));
        }
      }
      results.add(check(t, scopeTotals, live, over, prefix));
    }
    return results;
  }

  private static ThresholdResult check(
      Threshold t, TestFigures f, ThresholdWatch watch, String over, String prefix) {
    String scope = ThresholdWatch.scope(f);
    if (!prefix.isEmpty()) {
      double actual = t.actual(f);
      return new ThresholdResult(t.text(), prefix + scope, actual, t.passes(actual));
    }
    if (watch != null && t.window() != null) {
      ThresholdWatch.Worst w = watch.worst(t, scope);
      if (w != null) {
        return new ThresholdResult(t.text(), scope, w.actual, w.firstFailedMillis < 0, w.detail(t));
      }
      if (watch.hadFullWindow(t)) {
        // Full windows were checked, and none held a figure for this scope (no calls): as a test
        // that never ran.
        return new ThresholdResult(
            t.text(),
            scope,
            Double.NaN,
            false,
            "no " + ThresholdWatch.window(t) + " window held a call");
      }
      double actual = t.actual(f);
      return new ThresholdResult(
          t.text(),
          scope,
          actual,
          t.passes(actual),
          over
              + " was shorter than the "
              + ThresholdWatch.window(t)
              + " window: checked over all of it");
    }
    if (watch == null && t.window() != null) {
      // A merged distributed run has no live watch: say that the window was not checked.
      double actual = t.actual(f);
      return new ThresholdResult(
          t.text(),
          scope,
          actual,
          t.passes(actual),
          "no rolling windows in this run: checked" + " over all of " + over);
    }
    if (watch != null && t.abortOnFail()) {
      ThresholdWatch.LiveFailure failed = watch.liveFailure(t, scope);
      if (failed != null) {
        return new ThresholdResult(
            t.text(),
            scope,
            failed.actual(),
            false,
            String.format(Locale.ROOT, "failed at %.1f s", failed.atMillis() / 1000.0));
      }
    }
    double actual = t.actual(f);
    return new ThresholdResult(t.text(), scope, actual, t.passes(actual));
  }
}
