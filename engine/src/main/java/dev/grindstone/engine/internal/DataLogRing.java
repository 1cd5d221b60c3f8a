package dev.grindstone.engine.internal;

import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded, lock-free, multi-producer single-consumer ring of data-log rows. Producers copy a
 * call's statistics into a preallocated slot (no allocation); when the ring is full the row is
 * dropped and counted, never blocking a virtual user. The single consumer drains rows in order.
 */
public final class DataLogRing {

  /** One row: who, when, which test, and the call's statistics. Reused; copy what you keep. */
  public static final class Row {
    public int thread;
    public long run;
    public int test;
    public long startEpochMillis;
    public final StatisticsSet statistics;

    Row(StatisticsSchema schema) {
      statistics = new StatisticsSet(schema);
    }
  }

  private final Row[] rows;
  private final AtomicLongArray published; // slot i holds the sequence number written into it
  private final int mask;
  private final AtomicLong claimed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile long consumed; // rows [0, consumed) are free again

  public DataLogRing(StatisticsSchema schema, int capacity) {
    if (capacity < 2 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("The data-log queue capacity must be a power of two ≥ 2, got " + capacity);
    }
    rows = new Row[capacity];
    published = new AtomicLongArray(capacity);
    for (int i = 0; i < capacity; i++) {
      rows[i] = new Row(schema);
      published.set(i, -1);
    }
    mask = capacity - 1;
  }

  /**
   * Adds a row, or drops and counts it when the ring is full. Any thread; never blocks. The row's
   * statistics are {@code call}'s, with {@code timed} holding the one sample {@code micros} (the
   * call's time, failed or not) and {@code errors} set to {@code failed ? 1 : 0}.
   */
  public boolean offer(int thread, long run, int test, long startEpochMillis, StatisticsSet call,
      SampleIndex timed, LongIndex errors, long micros, boolean failed) {
    long seq;
    do {
      seq = claimed.get();
      if (seq - consumed >= rows.length) {
        dropped.incrementAndGet();
        return false;
      }
    } while (!claimed.compareAndSet(seq, seq + 1));
    Row r = rows[(int) seq & mask];
    r.thread = thread;
    r.run = run;
    r.test = test;
    r.startEpochMillis = startEpochMillis;
    r.statistics.copyFrom(call);
    r.statistics.setSample(timed, 1, micros, 0, micros, micros);
    r.statistics.setLong(errors, failed ? 1 : 0);
    published.lazySet((int) seq & mask, seq);
    return true;
  }

  /**
   * Hands every published row, in order, to {@code consumer}; returns how many. Single consumer
   * thread only.
   */
  public int drain(java.util.function.Consumer<Row> consumer) {
    int n = 0;
    long next = consumed;
    while (published.get((int) next & mask) == next) {
      consumer.accept(rows[(int) next & mask]);
      next++;
      n++;
      consumed = next; // free the slot only after the consumer is done with it
    }
    return n;
  }

  /** Rows dropped because the writer could not keep up. */
  public long dropped() {
    return dropped.get();
  }

  /** Rows claimed but not yet drained. */
  public long backlog() {
    return claimed.get() - consumed;
  }
}
