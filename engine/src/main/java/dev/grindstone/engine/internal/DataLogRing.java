package dev.grindstone.engine.internal;

import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * A bounded, lock-free, multi-producer single-consumer ring of data-log rows. Producers copy a
 * call into a preallocated slot (no allocation); when the ring is full the row is dropped and
 * counted, never blocking a virtual user. The single consumer drains rows in order.
 *
 * <p>IMPLEMENTATION NOTES. A row is four longs in one flat array (who, run, when, and the call's
 * time with its error and cancelled flags packed together), so consecutive rows share cache lines and a producer
 * touches about 40 bytes. Only a call that set statistics of its own (an HTTP request's status,
 * sizes and timings, a user statistic) also copies them, into a flat area of its slot; most calls
 * set none. Rows as objects holding a statistics set each cost about 350 ns per call in cache
 * misses (BENCHMARKS.md). The claim counter, the consumer's position and the producers' cached
 * copy of it sit on cache lines of their own; producers read the consumer's position only when
 * their cached copy says the ring is full, and the consumer publishes it once per batch of rows.
 */
public final class DataLogRing {

  /** The consumer's view of one row. Reused for every row; copy what you keep. */
  public static final class Row {
    public int thread;
    public long run;
    public int test;
    public long startEpochMillis;
    /**
     * True for a call cancelled at the end of the run: it has no time and no outcome, and its
     * statistics are empty.
     */
    public boolean cancelled;
    /** The call's time in µs, failed or not; 0 when cancelled. */
    public long micros;
    /** True when the call failed. */
    public boolean failed;
    /** The call's statistics, with {@code timedTests} holding its one time and {@code errors} 0 or 1. */
    public final StatisticsSet statistics;

    Row(StatisticsSchema schema) {
      statistics = new StatisticsSet(schema);
    }
  }

  private static final int HEAD = 4; // longs per row: run, start, thread|test, micros|flags
  private static final int FLAG_BITS = 3;
  private static final long FAILED = 1;
  private static final long HAS_STATISTICS = 2;
  private static final long CANCELLED = 4;

  private final SampleIndex timed;
  private final LongIndex errors;
  private final long[] heads;
  private final int longSlots;
  private final int doubleSlots;
  private final long[] longs;     // a call's own statistics, longSlots per slot
  private final double[] doubles; // doubleSlots per slot
  private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int CLAIMED = 8;   // the next sequence number to hand out
  private static final int CONSUMED = 24; // rows [0, consumed) are free again
  private static final int GATE = 40;     // the producers' last look at CONSUMED
  private static final int BATCH = 256;   // rows the consumer reads before it frees them

  private final long[] counters = new long[GATE + 8 + 8]; // 64 bytes between two counters
  private final AtomicLongArray published; // slot i holds the sequence number written into it
  private final int mask;
  private final AtomicLong dropped = new AtomicLong();
  private final Row row;

  public DataLogRing(StatisticsSchema schema, int capacity) {
    if (capacity < 2 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("The data-log queue capacity must be a power of two ≥ 2, got " + capacity);
    }
    timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    errors = schema.longIndex(StatisticsSchema.ERRORS);
    heads = new long[capacity * HEAD];
    longSlots = schema.longSlots();
    doubleSlots = schema.doubleSlots();
    longs = new long[capacity * longSlots];
    doubles = new double[capacity * doubleSlots];
    published = new AtomicLongArray(capacity);
    for (int i = 0; i < capacity; i++) {
      published.set(i, -1);
    }
    mask = capacity - 1;
    row = new Row(schema);
  }

  /**
   * Adds a row, or drops and counts it when the ring is full. Any thread; never blocks. The row's
   * statistics are {@code call}'s (none when it is null or was never written), with
   * {@code timedTests} holding the one sample {@code micros} (the call's time, failed or not) and
   * {@code errors} set to {@code failed ? 1 : 0}.
   */
  public boolean offer(int thread, long run, int test, long startEpochMillis, StatisticsSet call,
      long micros, boolean failed) {
    return offer(thread, run, test, startEpochMillis, call, micros, failed ? FAILED : 0);
  }

  /**
   * Adds the row of a call cancelled at the end of the run (no time, no outcome, no statistics),
   * or drops and counts it when the ring is full.
   */
  public boolean offerCancelled(int thread, long run, int test, long startEpochMillis) {
    return offer(thread, run, test, startEpochMillis, null, 0, CANCELLED);
  }

  private boolean offer(int thread, long run, int test, long startEpochMillis, StatisticsSet call,
      long micros, long flags) {
    long seq;
    do {
      seq = (long) COUNTERS.getVolatile(counters, CLAIMED);
      if (seq - (long) COUNTERS.getOpaque(counters, GATE) > mask) {
        long consumed = (long) COUNTERS.getVolatile(counters, CONSUMED);
        COUNTERS.setOpaque(counters, GATE, consumed);
        if (seq - consumed > mask) {
          dropped.incrementAndGet();
          return false;
        }
      }
    } while (!COUNTERS.compareAndSet(counters, CLAIMED, seq, seq + 1));
    int slot = (int) seq & mask;
    int h = slot * HEAD;
    if (call != null && call.isTouched()) {
      call.copyTo(longs, slot * longSlots, doubles, slot * doubleSlots);
      flags |= HAS_STATISTICS;
    }
    heads[h] = run;
    heads[h + 1] = startEpochMillis;
    heads[h + 2] = (long) thread << 32 | (test & 0xFFFF_FFFFL);
    heads[h + 3] = micros << FLAG_BITS | flags;
    published.lazySet(slot, seq);
    return true;
  }

  /**
   * Hands every published row, in order, to {@code consumer}; returns how many. Single consumer
   * thread only.
   */
  public int drain(Consumer<Row> consumer) {
    int n = 0;
    long next = (long) COUNTERS.getOpaque(counters, CONSUMED);
    while (published.get((int) next & mask) == next) {
      int slot = (int) next & mask;
      int h = slot * HEAD;
      Row r = row;
      r.run = heads[h];
      r.startEpochMillis = heads[h + 1];
      r.thread = (int) (heads[h + 2] >>> 32);
      r.test = (int) heads[h + 2];
      long timeAndFlags = heads[h + 3];
      long micros = timeAndFlags >>> FLAG_BITS;
      if ((timeAndFlags & HAS_STATISTICS) != 0) {
        r.statistics.copyFrom(longs, slot * longSlots, doubles, slot * doubleSlots);
      } else {
        r.statistics.reset();
      }
      r.cancelled = (timeAndFlags & CANCELLED) != 0;
      r.micros = micros;
      r.failed = (timeAndFlags & FAILED) != 0;
      if (!r.cancelled) {
        r.statistics.setSample(timed, 1, micros, 0, micros, micros);
        r.statistics.setLong(errors, (timeAndFlags & FAILED) != 0 ? 1 : 0);
      }
      consumer.accept(r);
      next++;
      n++;
      if ((n & (BATCH - 1)) == 0) {
        COUNTERS.setRelease(counters, CONSUMED, next); // free the slots only after they were read
      }
    }
    COUNTERS.setRelease(counters, CONSUMED, next);
    return n;
  }

  /** Rows dropped because the writer could not keep up. */
  public long dropped() {
    return dropped.get();
  }

  /** Rows claimed but not yet drained. */
  public long backlog() {
    return (long) COUNTERS.getVolatile(counters, CLAIMED) - (long) COUNTERS.getVolatile(counters, CONSUMED);
  }
}
