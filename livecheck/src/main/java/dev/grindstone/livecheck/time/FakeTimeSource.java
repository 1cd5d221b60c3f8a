package dev.grindstone.livecheck.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link TimeSource} that only moves when told to: {@link #advance(Duration)} moves wall and
 * monotonic time together and runs every task that falls due, in due order, on the calling thread.
 * {@link #sleep(Duration)} records the requested delay and advances by it, so code that backs off
 * between retries runs instantly in tests.
 *
 * <p>Thread-safe. Tasks run outside the internal lock, so a task may schedule or cancel others.
 */
public final class FakeTimeSource implements TimeSource {
  private final Instant epoch;
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private final List<Duration> sleeps = new ArrayList<>();
  private long nanos;
  private long seq;
  private int cancelledInQueue;

  /** Starts at {@code 2026-01-01T00:00:00Z}. */
  public FakeTimeSource() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public FakeTimeSource(Instant start) {
    this.epoch = start;
  }

  @Override
  public synchronized Instant now() {
    return epoch.plusNanos(nanos);
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(nanos + Math.max(0, delay.toNanos()), seq++, task);
    queue.add(t);
    return () -> cancel(t);
  }

  private synchronized void cancel(Task t) {
    if (!t.cancelled && !t.done) {
      t.cancelled = true;
      cancelledInQueue++;
      // Purge like ScheduledThreadPoolExecutor's remove-on-cancel, amortised: keeps the queue
      // proportional to live tasks even when millions of timeouts are scheduled and cancelled.
      if (cancelledInQueue > 64 && cancelledInQueue * 2 > queue.size()) {
        queue.removeIf(x -> x.cancelled);
        cancelledInQueue = 0;
      }
    }
  }

  /** Moves time forward by {@code d}, running due tasks in order. */
  public void advance(Duration d) {
    long target;
    synchronized (this) {
      target = nanos + d.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        while (next != null && next.cancelled) {
          queue.poll();
          cancelledInQueue--;
          next = queue.peek();
        }
        if (next == null || next.due > target) {
          nanos = Math.max(nanos, target);
          return;
        }
        queue.poll();
        next.done = true;
        nanos = Math.max(nanos, next.due);
      }
      next.task.run();
    }
  }

  /** Records the delay and advances by it. */
  @Override
  public void sleep(Duration duration) {
    synchronized (this) {
      sleeps.add(duration);
    }
    advance(duration);
  }

  /** Every delay passed to {@link #sleep(Duration)}, in order. */
  public synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  /** Tasks scheduled and neither run nor cancelled. */
  public synchronized int pendingTasks() {
    int n = 0;
    for (Task t : queue) {
      if (!t.cancelled) {
        n++;
      }
    }
    return n;
  }

  /** Entries in the task queue, cancelled ones not yet purged included (for tests). */
  synchronized int queueSize() {
    return queue.size();
  }

  private static final class Task implements Comparable<Task> {
    final long due;
    final long seq;
    final Runnable task;
    boolean cancelled;
    boolean done;

    Task(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
