package dev.grindstone.cli;

import dev.grindstone.compare.Comparison;
import dev.grindstone.compare.Metric;
import dev.grindstone.compare.Tolerance;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code compare} and {@code run --baseline} that decide what counts as a
 * regression.
 */
final class ToleranceOptions {

  @Option(
      names = "--max-mean-increase",
      paramLabel = "LIMIT",
      description =
          "Regression when the mean rises by more than this: 10%% of the baseline, or a time (5ms)")
  String mean;

  @Option(names = "--max-p50-increase", paramLabel = "LIMIT", description = "The same for p50")
  String p50;

  @Option(names = "--max-p90-increase", paramLabel = "LIMIT", description = "The same for p90")
  String p90;

  @Option(names = "--max-p99-increase", paramLabel = "LIMIT", description = "The same for p99")
  String p99;

  @Option(
      names = "--max-tps-decrease",
      paramLabel = "LIMIT",
      description =
          "Regression when TPS falls by more than this: 10%% of the baseline, or a number of TPS")
  String tps;

  @Option(
      names = "--max-error-rate-increase",
      paramLabel = "POINTS",
      description =
          "Regression when the error rate rises by more than this many percentage points (0.5%%)")
  String errorRate;

  @Option(
      names = "--alpha",
      paramLabel = "P",
      description =
          "Significance level of the noise test (Mann-Whitney U on per-interval figures); default"
              + " 0.01")
  Double alpha;

  @Option(
      names = "--ignore-noise",
      description =
          "A change beyond a tolerance is a regression even when the noise test finds it within the"
              + " runs' own interval-to-interval spread")
  boolean ignoreNoise;

  /** True when any tolerance or comparison setting was given. */
  boolean any() {
    return mean != null
        || p50 != null
        || p90 != null
        || p99 != null
        || tps != null
        || errorRate != null
        || alpha != null
        || ignoreNoise;
  }

  Comparison.Options options() {
    List<Tolerance> list = new ArrayList<>();
    add(list, Metric.MEAN, "--max-mean-increase", mean);
    add(list, Metric.P50, "--max-p50-increase", p50);
    add(list, Metric.P90, "--max-p90-increase", p90);
    add(list, Metric.P99, "--max-p99-increase", p99);
    add(list, Metric.TPS, "--max-tps-decrease", tps);
    add(list, Metric.ERROR_RATE, "--max-error-rate-increase", errorRate);
    double a = alpha == null ? Comparison.DEFAULT_ALPHA : alpha;
    if (!(a > 0 && a < 1)) {
      throw new IllegalArgumentException(
          "--alpha must be above 0 and below 1 (0.01 or 0.05 are usual), got " + alpha);
    }
    return new Comparison.Options(a, list, ignoreNoise);
  }

  private static void add(List<Tolerance> list, Metric metric, String option, String value) {
    if (value != null) {
      list.add(Tolerance.parse(metric, option, value));
    }
  }
}
