package dev.grindstone.compare;

import java.util.List;

/**
 * A finished run as a comparison reads it, from a results folder or from a metrics server.
 *
 * @param source where it was read from: a folder, or a server URL and run id
 * @param id the run's id on a metrics server, or the results folder's name
 * @param startMs the run's start, epoch milliseconds
 * @param endMs its end, epoch milliseconds
 * @param tests per test, by ascending number
 * @param notes what a reader should know about the figures (a run stopped early, a run still going)
 */
public record RunResults(
    String source,
    String name,
    String id,
    long startMs,
    long endMs,
    List<TestResults> tests,
    TestResults totals,
    List<String> notes) {

  public RunResults {
    tests = List.copyOf(tests);
    notes = List.copyOf(notes);
  }

  /** The test numbered {@code number}, or null. */
  public TestResults test(int number) {
    for (TestResults t : tests) {
      if (t.test() == number) {
        return t;
      }
    }
    return null;
  }

  public double durationSeconds() {
    return (endMs - startMs) / 1000.0;
  }
}
