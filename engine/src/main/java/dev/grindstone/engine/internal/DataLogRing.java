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
 * A bounded, lock-free, multi-producer single-consumer ring of data-log rows. Producers copy a call
 * into a preallocated slot (no allocation); when the ring is full the row is dropped and counted,
 * never blocking a virtual user. The single consumer drains rows in order.
 *
 * <p>IMPLEMENTATION NOTES. A row is five longs in one flat array (who, run, when, the call's time
 * with its error and cancelled flags packed together, and its route: phase, scenario and the call
 * listeners that take it), so consecutive rows share cache lines and a producer touches about 50
 * bytes. A call's request (two references and two longs) is copied only when call listeners read
 * it. Only a call that set statistics of its own (an HTTP request's status, sizes and timings, a
 * user statistic) also copies them, into a flat area of its slot; most calls set none. Rows as
 * objects holding a statistics set each cost about 350 ns per call in cache misses (BENCHMARKS.md).
 * The claim counter, the consumer's position and the producers' cached copy of it sit on cache
 * lines of their own; producers read the consumer's position only when their cached copy says the
 * ring is full, and the consumer publishes it once per batch of rows.
 */
public final class DataLogRing {

  /** The consumer's view of one row. Reused for every row; copy what you keep. */
  public static final class Row {
    public int thread;
    public long run;
    public int test;

    /** When the call started, {@link System#nanoTime()}. */
    public long startNanos;

    /**
     * True for a call cancelled at the end of the run: it has no time and no outcome, and its
     * statistics are empty.
     */
    public boolean cancelled;

    /** The call's time in ns, failed or not; 0 when cancelled. */
    public long elapsedNanos;

    /** The call's time in µs, failed or not; 0 when cancelled. */
    public long micros;

    /** True when the call failed. */
    public boolean failed;

    /** The index of the phase the call ran in. */
    public int phase;

    /** The index of the scenario its user ran. */
    public int scenario;

    /** The call listeners that take the call's record, one bit per listener index. */
    public int listeners;

    /** The call's last request, when the ring carries requests and the call told one; else null. */
    public String method;

    public String url;
    public int status;
    public long bytes;

    /**
     * The call's statistics, with {@code timedTests} holding its one time and {@code errors} 0 or
     * 1.
     */
    public final StatisticsSet statistics;

    Row(StatisticsSchema schema) {
      statistics = new StatisticsSet(schema);
    }
  }

  /** A call's route with every listener: for callers that have no phase, scenario or selection. */
  public static final long EVERY_LISTENER = 0xFFFF_FFFFL;

  private static final int HEAD = 5; // longs per row: run, start, thread|test, nanos|flags, route
  private static final int FLAG_BITS = 4;
  private static final long FAILED = 1;
  private static final long HAS_STATISTICS = 2;
  private static final long CANCELLED = 4;
  private static final long HAS_REQUEST = 8;

  private final SampleIndex timed;
  private final LongIndex errors;
  private final long[] heads;
  private final int longSlots;
  private final int doubleSlots;
  private final long[] longs; // a call's own statistics, longSlots per slot
  private final double[] doubles; // doubleSlots per slot
  private final Object[]
      requestRefs; // method and URL per slot, or null when requests are not carried
  private final long[] requestValues; // status and bytes per slot
  private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int CLAIMED = 8; // the next sequence number to hand out
  private static final int CONSUMED = 24; // rows [0, consumed) are free again
  private static final int GATE = 40; // the producers' last look at CONSUMED
  private static final int BATCH = 256; // rows the consumer reads before it frees them

  private final long[] counters = new long[GATE + 8 + 8]; // 64 bytes between two counters
  private final AtomicLongArray published; // slot i holds the sequence number written into it
  private final int mask;
  private final AtomicLong dropped = new AtomicLong();
  private final Row row;

  /** A ring that does not carry the calls' requests (no call listener reads them). */
  public DataLogRing(StatisticsSchema schema, int capacity) {
    this(schema, capacity, false);
  }

  /**
   * @param requests whether rows carry the request a call told ({@link
   *     dev.grindstone.engine.spi.TestStatistics#request}): call listeners read it, the data log
   *     not
   */
  public DataLogRing(StatisticsSchema schema, int capacity, boolean requests) {
    if (capacity < 2 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException(
          "The data-log queue capacity must be a power of two ≥ 2, got " + capacity);
    }
    timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    errors = schema.longIndex(StatisticsSchema.ERRORS);
    heads = new long[capacity * HEAD];
    longSlots = schema.longSlots();
    doubleSlots = schema.doubleSlots();
    longs = new long[capacity * longSlots];
    doubles = new double[capacity * doubleSlots];
    requestRefs = requests ? new Object[capacity * 2] : null;
    requestValues = requests ? new long[capacity * 2] : null;
    published = new AtomicLongArray(capacity);
    for (int i = 0; i < capacity; i++) {
      published.set(i, -1);
    }
    mask = capacity - 1;
    row = new Row(schema);
  }

  /**
   * The route of a call: the phase and scenario it ran in and the listeners that take its record.
   */
  public static long route(int phase, int scenario, int listeners) {
    return (long) (phase & 0xFFFF) << 48
        | (long) (scenario & 0xFFFF) << 32
        | (listeners & 0xFFFF_FFFFL);
  }

  /**
   * Adds a row, or drops and counts it when the ring is full. Any thread; never blocks. The row's
   * statistics are {@code call}'s (none when it is null or was never written), with {@code
   * timedTests} holding the one sample (the call's time in µs, failed or not) and {@code errors}
   * set to {@code failed ? 1 : 0}.
   *
   * @param startNanos when the call started, {@link System#nanoTime()}
   * @param elapsedNanos the call's time
   * @param route from {@link #route}
   * @param method the call's last request's method, or null when it told none
   */
  public boolean offer(
      int thread,
      long run,
      int test,
      long startNanos,
      long elapsedNanos,
      StatisticsSet call,
      boolean failed,
      long route,
      String method,
      String url,
      int status,
      long bytes) {
    return offer(
        thread,
        run,
        test,
        startNanos,
        call,
        elapsedNanos,
        failed ? FAILED : 0,
        route,
        method,
        url,
        status,
        bytes);
  }

  /**
   * Adds the row of a call cancelled at the end of the run (no time, no outcome, no statistics), or
   * drops and counts it when the ring is full.
   */
  public boolean offerCancelled(int thread, long run, int test, long startNanos, long route) {
    return offer(thread, run, test, startNanos, null, 0, CANCELLED, route, null, null, 0, 0);
  }

  private boolean offer(
      int thread,
      long run,
      int test,
      long startNanos,
      StatisticsSet call,
      long elapsedNanos,
      long flags,
      long route,
      String method,
      String url,
      int status,
      long bytes) {
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
    if (method != null && requestRefs != null) {
      int r = slot * 2;
      requestRefs[r] = method;
      requestRefs[r + 1] = url;
      requestValues[r] = status;
      requestValues[r + 1] = bytes;
      flags |= HAS_REQUEST;
    }
    heads[h] = run;
    heads[h + 1] = startNanos;
    heads[h + 2] = (long) thread << 32 | (test & 0xFFFF_FFFFL);
    heads[h + 3] = elapsedNanos << FLAG_BITS | flags;
    heads[h + 4] = route;
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
      r.startNanos = heads[h + 1];
      r.thread = (int) (heads[h + 2] >>> 32);
      r.test = (int) heads[h + 2];
      long timeAndFlags = heads[h + 3];
      long nanos = timeAndFlags >>> FLAG_BITS;
      long route = heads[h + 4];
      r.phase = (short) (route >>> 48);
      r.scenario = (short) (route >>> 32);
      r.listeners = (int) route;
      if ((timeAndFlags & HAS_STATISTICS) != 0) {
        r.statistics.copyFrom(longs, slot * longSlots, doubles, slot * doubleSlots);
      } else {
        r.statistics.reset();
      }
      if ((timeAndFlags & HAS_REQUEST) != 0) {
        int q = slot * 2;
        r.method = (String) requestRefs[q];
        r.url = (String) requestRefs[q + 1];
        r.status = (int) requestValues[q];
        r.bytes = requestValues[q + 1];
        requestRefs[q] = null; // hold no request's URL longer than its row
        requestRefs[q + 1] = null;
      } else {
        r.method = null;
        r.url = null;
        r.status = 0;
        r.bytes = 0;
      }
      r.cancelled = (timeAndFlags & CANCELLED) != 0;
      r.elapsedNanos = nanos;
      long micros = nanos / 1_000;
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
    return (long) COUNTERS.getVolatile(counters, CLAIMED)
        - (long) COUNTERS.getVolatile(counters, CONSUMED);
  }
}
