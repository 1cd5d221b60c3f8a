package dev.grindstone.prometheus.internal;

import java.util.Map;

/**
 * One series' values in one period, before they are encoded in the form the receiver takes. Labels
 * exclude {@code __name__}. Immutable once made.
 */
public sealed interface Point {

  String name();

  Map<String, String> labels();

  /**
   * A counter or gauge value at {@code timestampMillis}, after a 0 at {@code zeroAtMillis} when the
   * series starts in this period (a counter's first value is then known to start from 0, which
   * makes Prometheus's {@code increase()} over the run exact).
   *
   * @param zeroAtMillis when the series started at 0, or -1 when it appeared before this period
   */
  record Value(
      String name,
      Map<String, String> labels,
      long zeroAtMillis,
      long timestampMillis,
      double value)
      implements Point {}

  /**
   * A cumulative latency histogram at {@code timestampMillis}: native buckets, classic bucket
   * counts (per bucket, not cumulative) and the exact sum.
   *
   * @param zeroAtMillis when the series started empty, or -1 when it appeared before this period
   */
  record Histogram(
      String name,
      Map<String, String> labels,
      long zeroAtMillis,
      long timestampMillis,
      NativeBuckets nativeBuckets,
      long[] classic,
      double sumSeconds)
      implements Point {}

  /** The samples this point takes in the given form (see {@link Encoder}). */
  default int samples(boolean nativeHistograms) {
    int times =
        switch (this) {
          case Value v -> v.zeroAtMillis() >= 0 ? 2 : 1;
          case Histogram h -> h.zeroAtMillis() >= 0 ? 2 : 1;
        };
    if (this instanceof Histogram h && !nativeHistograms) {
      return times * (h.classic().length + 2); // every bucket, _count and _sum
    }
    return times;
  }
}
