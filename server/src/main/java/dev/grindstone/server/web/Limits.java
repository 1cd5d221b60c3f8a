package dev.grindstone.server.web;

/**
 * What the server accepts, in one place (the README's metrics-server section lists the same
 * figures). Anything beyond is answered with a 4xx naming the field, and nothing is stored.
 */
public final class Limits {
  private Limits() {}

  /**
   * The largest count (calls, errors, histogram counts), per snapshot and summed over a run: 2^53 −
   * 1. Every count is then exact as a JSON number in readers that use doubles (JavaScript, the
   * dashboard), and the sum of a few of them never overflows a {@code long}.
   */
  public static final long MAX_COUNT = (1L << 53) - 1;

  /** Columns that pytest-monitor's own schema and LiveCheck declare {@code int}: 2^31 − 1. */
  public static final long MAX_INT = Integer.MAX_VALUE;

  /** JSON nesting depth: the deepest document the server reads needs 4 levels. */
  public static final int JSON_MAX_NESTING = 64;

  /** Characters in a JSON number; longer ones cannot fit any field anyway. */
  public static final int JSON_MAX_NUMBER_LENGTH = 1000;

  /** Characters in a JSON field name (statistic names, description keys). */
  public static final int JSON_MAX_NAME_LENGTH = 1000;

  /** Description keys in one {@code with_flags} query (and values in {@code restrict_flags}). */
  public static final int MAX_FLAGS = 100;

  /** Tests in one interval snapshot. */
  public static final int MAX_TESTS_PER_SNAPSHOT = 1000;

  /**
   * Bytes of histogram counts one snapshot's histograms may decode to (64 MiB): a bound on the work
   * one request can ask for, far above what 1,000 tests' histograms of one interval need.
   */
  public static final long MAX_HISTOGRAM_BYTES_PER_SNAPSHOT = 64L << 20;
}
