package dev.grindstone.stats.stress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A small harness for concurrency stress tests of structures with many writers and one reader:
 * writers on platform and on virtual threads start together and run for a fixed time while the
 * calling thread drains as the one reader; after every writer has ended the reader drains once
 * more, so the test can check its totals. A writer's exception or the reader's fails the run; a
 * writer that has not ended within a grace period fails it with that writer's stack, so a lost
 * wake-up or a livelock shows as a failure instead of a hung build.
 *
 * <p>It checks invariants under real contention in bounded time; it does not enumerate memory
 * orderings as jcstress does. Call it from one thread at a time.
 */
public final class Stress {

  /** What one writer does: loop while {@code running} says so. */
  @FunctionalInterface
  public interface Writer {
    /**
     * @param index this writer's number, from 0; platform writers come first
     * @param running true until the run's time is up (one volatile read); its first answer is
     *     always true, and the run lasts until every writer has had it
     */
    void write(int index, BooleanSupplier running) throws Exception;
  }

  /** How long writers may take to notice the end before the run counts as hung. */
  private static final Duration GRACE = Duration.ofSeconds(10);

  private Stress() {}

  /**
   * Lets the other writers run; call it every few dozen operations. Virtual threads are not
   * time-sliced, and {@link Thread#yield()} puts a virtual thread back on its own carrier's queue,
   * ahead of the virtual threads still waiting to start: a short park sends it through the shared
   * queue instead. Platform threads are time-sliced and only yield.
   */
  public static void letOthersRun() {
    if (Thread.currentThread().isVirtual()) {
      LockSupport.parkNanos(1_000);
    } else {
      Thread.yield();
    }
  }

  /**
   * Runs {@code platformWriters + virtualWriters} writers for {@code duration} while this thread
   * calls {@code drain} in a loop, then calls {@code drain} one last time after every writer has
   * ended (their writes happen-before that call).
   *
   * @throws AssertionError when a writer or the reader failed, or a writer did not end in time
   */
  public static void run(
      int platformWriters, int virtualWriters, Duration duration, Writer writer, Runnable drain)
      throws InterruptedException {
    run(platformWriters, virtualWriters, duration, writer, drain, GRACE);
  }

  static void run(
      int platformWriters,
      int virtualWriters,
      Duration duration,
      Writer writer,
      Runnable drain,
      Duration grace)
      throws InterruptedException {
    if (platformWriters < 0 || virtualWriters < 0 || platformWriters + virtualWriters == 0) {
      throw new IllegalArgumentException(
          "a stress run needs at least one writer, got "
              + platformWriters
              + " platform and "
              + virtualWriters
              + " virtual");
    }
    AtomicBoolean stopped = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    // The run lasts at least until every writer has asked once whether to go on, and that first
    // answer is yes: on a loaded machine a writer may otherwise first run after the end, write
    // nothing, and leave its part of the run untested.
    CountDownLatch begun = new CountDownLatch(platformWriters + virtualWriters);
    ConcurrentLinkedQueue<Throwable> writerFailures = new ConcurrentLinkedQueue<>();
    List<Thread> writers = new ArrayList<>();
    for (int i = 0; i < platformWriters + virtualWriters; i++) {
      int index = i;
      BooleanSupplier running =
          new BooleanSupplier() {
            private boolean asked;

            @Override
            public boolean getAsBoolean() {
              if (!asked) {
                asked = true;
                begun.countDown();
                return true;
              }
              return !stopped.get();
            }
          };
      Runnable body =
          () -> {
            try {
              start.await();
              writer.write(index, running);
            } catch (Throwable t) {
              writerFailures.add(t);
            }
          };
      Thread.Builder builder = index < platformWriters ? Thread.ofPlatform() : Thread.ofVirtual();
      writers.add(builder.name("stress-writer-" + index).start(body));
    }

    Throwable readerFailure = null;
    long end = System.nanoTime() + duration.toNanos();
    start.countDown();
    try {
      long latest = end + grace.toNanos();
      while ((System.nanoTime() - end < 0 || begun.getCount() > 0)
          && System.nanoTime() - latest < 0
          && writerFailures.isEmpty()) {
        drain.run();
      }
    } catch (Throwable t) {
      readerFailure = t;
    }
    stopped.set(true);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread w : writers) {
      while (w.isAlive() && System.nanoTime() - deadline < 0) {
        if (readerFailure == null) {
          try {
            drain.run(); // a writer may be waiting for room
          } catch (Throwable t) {
            readerFailure = t;
          }
        }
        w.join(1);
      }
    }

    List<Thread> hung = writers.stream().filter(Thread::isAlive).toList();
    if (!hung.isEmpty()) {
      AssertionError e =
          new AssertionError(
              hung.size() + " writer(s) still running " + grace.toMillis() + " ms after the end");
      for (Thread t : hung) {
        Throwable where = new Throwable(t.getName() + " is here");
        where.setStackTrace(t.getStackTrace());
        e.addSuppressed(where);
      }
      throw e;
    }
    if (readerFailure != null) {
      throw new AssertionError("the reader failed: " + readerFailure.getMessage(), readerFailure);
    }
    if (!writerFailures.isEmpty()) {
      AssertionError e =
          new AssertionError(
              "a writer failed: " + writerFailures.peek().getMessage(), writerFailures.peek());
      writerFailures.stream().skip(1).forEach(e::addSuppressed);
      throw e;
    }
    drain.run();
  }
}
