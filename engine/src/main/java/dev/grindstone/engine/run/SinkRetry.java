package dev.grindstone.engine.run;

import java.time.Duration;
import java.util.Objects;

/**
 * What a run does with a sink or call listener that throws. A sink that fails is given the same
 * event again after a backoff that doubles from {@code firstBackoff} up to {@code maxBackoff},
 * while later events wait in its queue; a call listener is given the next records (a record is
 * never given twice). Either is stopped only after {@code maxConsecutiveFailures} failures in a
 * row; one success resets the count. The summary reports every output that failed, and whether it
 * recovered or was stopped.
 *
 * @param maxConsecutiveFailures failures in a row that stop the output, at least 1
 * @param firstBackoff a sink's wait before its first retry, positive
 * @param maxBackoff the longest wait between two retries, at least {@code firstBackoff}
 */
public record SinkRetry(int maxConsecutiveFailures, Duration firstBackoff, Duration maxBackoff) {

  /** 5 failures in a row stop an output; a sink waits 100 ms, 200 ms, 400 ms, ... up to 5 s. */
  public static final SinkRetry DEFAULT =
      new SinkRetry(5, Duration.ofMillis(100), Duration.ofSeconds(5));

  public SinkRetry {
    Objects.requireNonNull(firstBackoff, "firstBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxConsecutiveFailures < 1) {
      throw new IllegalArgumentException(
          "max_consecutive_failures must be at least 1, got " + maxConsecutiveFailures);
    }
    if (!firstBackoff.isPositive()) {
      throw new IllegalArgumentException("The first backoff must be positive, got " + firstBackoff);
    }
    if (maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException(
          "The longest backoff ("
              + maxBackoff
              + ") must be at least the"
              + " first ("
              + firstBackoff
              + ")");
    }
  }

  /** The wait before the retry that follows the {@code failures}-th failure in a row (from 1). */
  public Duration backoff(int failures) {
    Duration d = firstBackoff;
    for (int i = 1; i < failures && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }
}
