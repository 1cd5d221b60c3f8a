package dev.grindstone.server.runs;

import java.util.Map;

/**
 * One test's figures in one interval snapshot, validated by {@link SnapshotTests}: exact counts,
 * the {@code timedTests} sample (µs), the other numeric statistics, and the histograms still in
 * their encoded form (merged later, straight into their targets). Immutable.
 *
 * @param histogramCount the total count of {@code histogram} (0 when absent)
 * @param errorHistogramCount the total count of {@code errorHistogram} (0 when absent)
 */
record TestEntry(
    int number,
    long errors,
    long untimed,
    Sample timed,
    Map<String, Double> other,
    String histogram,
    long histogramCount,
    String errorHistogram,
    long errorHistogramCount) {

  TestEntry {
    other = Map.copyOf(other);
  }

  /** Calls counted as tests: timed and untimed (at most 2^54, so never beyond a long). */
  long tests() {
    return timed.count() + untimed;
  }
}
