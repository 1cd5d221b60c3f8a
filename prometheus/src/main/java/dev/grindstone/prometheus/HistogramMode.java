package dev.grindstone.prometheus;

/** How latency histograms are remote-written. */
public enum HistogramMode {
  /**
   * Native histograms until the receiver refuses them (an answer that names native histograms, as
   * Prometheus gives without {@code --enable-feature=native-histograms}); then classic buckets for
   * the rest of the run, the refused request sent again in that form.
   */
  AUTO,
  /**
   * Native histograms only (schema {@value
   * dev.grindstone.prometheus.internal.NativeBuckets#SCHEMA}).
   */
  NATIVE,
  /** Classic buckets ({@code _bucket}, {@code _count}, {@code _sum}) only. */
  CLASSIC
}
