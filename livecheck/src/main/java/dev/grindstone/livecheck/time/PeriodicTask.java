package dev.grindstone.livecheck.time;

import java.time.Duration;

/** Fixed-rate repetition built on one-shot scheduling, so every {@link TimeSource} gets it. */
final class PeriodicTask implements TimeSource.Cancellable {
  private final TimeSource time;
  private final long periodNanos;
  private final Runnable task;
  private final long startNanos;
  private long runs;
  private volatile boolean cancelled;
  private volatile TimeSource.Cancellable next;

  private PeriodicTask(TimeSource time, long startNanos, long periodNanos, Runnable task) {
    this.time = time;
    this.startNanos = startNanos;
    this.periodNanos = periodNanos;
    this.task = task;
  }

  static PeriodicTask start(
      TimeSource time, Duration initialDelay, Duration period, Runnable task) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be > 0, was " + period);
    }
    PeriodicTask p =
        new PeriodicTask(time, time.nanoTime() + initialDelay.toNanos(), period.toNanos(), task);
    p.next = time.schedule(initialDelay, p::fire);
    return p;
  }

  private void fire() {
    if (cancelled) {
      return;
    }
    try {
      task.run();
    } finally {
      runs++;
      if (!cancelled) {
        long due = startNanos + runs * periodNanos;
        long delay = Math.max(0, due - time.nanoTime());
        next = time.schedule(Duration.ofNanos(delay), this::fire);
      }
    }
  }

  @Override
  public void cancel() {
    cancelled = true;
    TimeSource.Cancellable n = next;
    if (n != null) {
      n.cancel();
    }
  }
}
