package dev.grindstone.engine.sink;

import dev.grindstone.stats.results.TestFigures;
import java.util.List;
import java.util.Objects;

/**
 * One scenario's figures in a run of several scenarios: each test it called and its totals, in the
 * one results model, over an interval or over the whole run. A test's figures for the whole run are
 * the exact merge of its scenarios'. Immutable.
 *
 * @param name the scenario's name
 * @param users in an interval, the scenario's virtual users active at the interval's end; in a
 *     run's summary, the most it had active at the end of an interval
 * @param tests each test the scenario called, by number
 * @param totals the totals over its non-composite tests
 */
public record ScenarioResult(String name, int users, List<TestFigures> tests, TestFigures totals) {

  public ScenarioResult {
    Objects.requireNonNull(name, "name");
    tests = List.copyOf(tests);
    Objects.requireNonNull(totals, "totals");
  }
}
