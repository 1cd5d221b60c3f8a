package dev.grindstone.compare;

import java.util.List;

/**
 * One test of a run, or the run's totals: its figures over the whole run and over each full
 * interval (intervals cut short by a phase boundary or by the end of the run are left out, as their
 * rates and percentiles stand on too few calls).
 *
 * @param test the test number, or -1 for the totals
 */
public record TestResults(int test, String description, Figures run, List<Figures> intervals) {

  public TestResults {
    description = description == null ? "" : description;
    intervals = List.copyOf(intervals);
  }

  public boolean isTotals() {
    return test < 0;
  }

  /** "Test 3" or "Totals", as summary tables name a row. */
  public String scope() {
    return isTotals() ? "Totals" : "Test " + test;
  }
}
