package dev.grindstone.junit.internal;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands rows from test threads to one consumer thread without a lock: a test thread never waits for
 * the consumer to be scheduled (with a lock-based queue it can, when the consumer holds the lock
 * and loses its CPU on a busy machine). The consumer wakes every {@code pollNanos}, or at once when
 * the handoff closes. Producers: thread-safe; consumer: one thread.
 */
final class Handoff<T> {
  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int capacity;
  private final long pollNanos;
  private volatile boolean closed;
  private volatile Thread consumer;

  Handoff(int capacity, long pollNanos) {
    this.capacity = capacity;
    this.pollNanos = pollNanos;
  }

  /** Adds unless {@code capacity} items wait already; never blocks. */
  boolean offer(T item) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      return false;
    }
    queue.add(item);
    return true;
  }

  /** Adds, waiting while {@code capacity} items wait (only a stalled consumer makes it wait). */
  void put(T item) {
    while (!offer(item)) {
      if (closed) return;
      LockSupport.parkNanos(1_000_000);
    }
  }

  /**
   * Consumer: moves what waits into {@code into}, first sleeping up to the poll period when nothing
   * does. Returns false once closed and empty.
   */
  boolean drainTo(List<T> into) {
    consumer = Thread.currentThread();
    if (queue.isEmpty() && !closed) LockSupport.parkNanos(this, pollNanos);
    T t;
    while ((t = queue.poll()) != null) {
      size.decrementAndGet();
      into.add(t);
    }
    return !(closed && queue.isEmpty() && into.isEmpty());
  }

  /** Items waiting. */
  int size() {
    return size.get();
  }

  /** Drops what waits; returns how many. */
  int clear() {
    int n = 0;
    while (queue.poll() != null) {
      size.decrementAndGet();
      n++;
    }
    return n;
  }

  /** No more items will come: wakes the consumer to finish. */
  void close() {
    closed = true;
    Thread c = consumer;
    if (c != null) LockSupport.unpark(c);
  }
}
