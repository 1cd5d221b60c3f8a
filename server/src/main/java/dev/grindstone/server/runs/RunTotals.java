package dev.grindstone.server.runs;

import dev.grindstone.server.web.ApiError;
import dev.grindstone.server.web.Limits;
import java.util.List;

/**
 * A run's totals of counts over all its tests and snapshots (the {@code RUNS} columns of the same
 * names): calls counted as tests, errors, and the histograms' total counts. Every total stays at
 * most {@link Limits#MAX_COUNT}, so no total of a test, a phase or an interval (each at most the
 * run's) can overflow, nor can the merged histograms' counts. Immutable.
 */
record RunTotals(long tests, long errors, long histogram, long errorHistogram) {
  static final RunTotals ZERO = new RunTotals(0, 0, 0, 0);

  /**
   * These totals with a snapshot's entries added.
   *
   * @throws ApiError 409 naming the first field that would take a total beyond {@link
   *     Limits#MAX_COUNT}
   */
  RunTotals plus(List<TestEntry> entries) {
    long t = tests;
    long e = errors;
    long h = histogram;
    long eh = errorHistogram;
    for (int i = 0; i < entries.size(); i++) {
      TestEntry x = entries.get(i);
      String at = "tests[" + i + "]";
      t = add(t, x.timed().count(), at + ".statistics.timedTests.count", "calls");
      t = add(t, x.untimed(), at + ".statistics.untimedTests", "calls");
      e = add(e, x.errors(), at + ".statistics.errors", "errors");
      h = add(h, x.histogramCount(), at + ".histogram", "histogram values");
      eh = add(eh, x.errorHistogramCount(), at + ".errorHistogram", "error histogram values");
    }
    return new RunTotals(t, e, h, eh);
  }

  /** {@link #plus}, or null when a total would go beyond the limit. */
  RunTotals plusOrNull(List<TestEntry> entries) {
    try {
      return plus(entries);
    } catch (ApiError overflow) {
      return null;
    }
  }

  private static long add(long total, long n, String field, String what) {
    if (n > Limits.MAX_COUNT - total) {
      throw ApiError.conflict(
          field,
          "'"
              + field
              + "' would take the run's total of "
              + what
              + " beyond "
              + Limits.MAX_COUNT
              + " (2^53 - 1); the run holds "
              + total
              + " and this adds "
              + n
              + "; nothing of this snapshot was stored");
    }
    return total + n;
  }
}
