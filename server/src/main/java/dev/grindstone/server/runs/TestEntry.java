package dev.grindstone.server.runs;

import java.util.Map;

/**
 * One test's figures in one interval snapshot, validated by {@link SnapshotTests}: exact counts,
 * the {@code timedTests} sample (µs), the other numeric statistics, and the histograms still in
 * their encoded form (merged later, straight into their targets). Immutable.
 *
 * @param timedMin the fastest successful call in µs, exact, or -1 when the snapshot does not say
 *     (written before snapshots carried it) or has no call
 * @param timedMax the slowest successful call in µs, exact, or -1 likewise
 * @param histogramCount the total count of {@code histogram} (0 when absent)
 * @param errorHistogramCount the total count of {@code errorHistogram} (0 when absent)
 * @param buckets the successful calls of {@code histogram} per {@code LatencyBuckets} bucket, for
 *     {@code /metrics}, counted while the posted histogram was checked; null for a stored snapshot
 *     read back
 */
record TestEntry(
    int number,
    long errors,
    long untimed,
    Sample timed,
    long timedMin,
    long timedMax,
    Map<String, Double> other,
    String histogram,
    long histogramCount,
    String errorHistogram,
    long errorHistogramCount,
    long[] buckets) {

  TestEntry {
    other = Map.copyOf(other);
  }

  /** True when the snapshot gives the exact min and max of its timed calls. */
  boolean hasBounds() {
    return timedMin >= 0;
  }

  /** The sum of the timed calls in whole µs (validated to at most 2^62). */
  long timedSumMicros() {
    return Math.round(timed.sum());
  }

  /** Calls counted as tests: timed and untimed (at most 2^54, so never beyond a long). */
  long tests() {
    return timed.count() + untimed;
  }
}
