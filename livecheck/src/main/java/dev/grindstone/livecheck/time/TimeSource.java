package dev.grindstone.livecheck.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The one clock and scheduler LiveCheck uses for every time-based rule: test expiry, signal
 * timeouts, suite-failure debounce, the stall watchdog, the fake-request loop and HTTP retry
 * delays. Production code uses {@link #system()}; tests use {@link FakeTimeSource} and advance it
 * instead of sleeping.
 *
 * <p>{@link #now()} is wall time (timestamps in reports and headers); {@link #nanoTime()} is
 * monotonic and is what durations are measured with. Both come from the same source, so a fake
 * source moves them together.
 *
 * <p>Implementations are thread-safe. Scheduled tasks must be short: they run on the scheduler's
 * thread (system) or on the thread that advances the clock (fake).
 */
public interface TimeSource {

  /** Wall-clock time. */
  Instant now();

  /** Monotonic nanoseconds, only meaningful as differences. */
  long nanoTime();

  /** Runs {@code task} once after {@code delay}. */
  Cancellable schedule(Duration delay, Runnable task);

  /**
   * Runs {@code task} after {@code initialDelay} and then every {@code period}, measured from the
   * intended start of each run so that slow runs do not drift the schedule.
   */
  default Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
    return PeriodicTask.start(this, initialDelay, period, task);
  }

  /** Blocks the calling thread for {@code duration} (HTTP retry delays). */
  void sleep(Duration duration) throws InterruptedException;

  /** The system clock with one daemon scheduler thread shared by every LiveCheck app. */
  static TimeSource system() {
    return SystemTimeSource.INSTANCE;
  }

  /** A scheduled task that may be cancelled; cancelling twice or after it ran is harmless. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
