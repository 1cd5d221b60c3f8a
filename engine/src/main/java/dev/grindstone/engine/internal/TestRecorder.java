package dev.grindstone.engine.internal;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.HdrHistogram.AtomicHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * The aggregate of one test's calls in one run, written by every virtual user and read by the
 * collector once a period.
 *
 * <p>IMPLEMENTATION NOTES. Writers never lock and never allocate: a call enters a
 * {@link WriterReaderPhaser} critical section (one atomic increment), adds its statistics into one
 * of several stripes with atomic adds (the stripe is picked from the thread id, so virtual users
 * rarely share one), records its time in an {@link AtomicHistogram}, and leaves. The collector
 * flips the active and inactive buffers and waits for the writers of the old one to leave, so an
 * interval holds whole calls: a call's count, time and histogram entry always land in the same
 * interval. Within a stripe a sample keeps count, sum, sum of squares, min and max; the interval's
 * population variance is derived from them and from then on merged with the exact pooled formula.
 */
public final class TestRecorder {

  /** The largest latency a histogram holds: one hour in µs. Longer calls are clamped to it. */
  public static final long HIGHEST_TRACKABLE_MICROS = 3_600_000_000L;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int PAD = 16; // longs of padding either side of a stripe: no false sharing

  private final int number;
  private final String description;
  private final StatisticsSchema schema;
  private final SampleIndex timed;
  private final LongIndex errors;
  private final int stripeMask;
  private final WriterReaderPhaser phaser = new WriterReaderPhaser();
  private volatile Buffer active;
  private Buffer inactive;
  private volatile boolean composite;

  public TestRecorder(int number, String description, StatisticsSchema schema) {
    this.number = number;
    this.description = description;
    this.schema = schema;
    this.timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    this.errors = schema.longIndex(StatisticsSchema.ERRORS);
    int stripes = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1) << 1;
    this.stripeMask = stripes - 1;
    this.active = new Buffer(schema, stripes);
    this.inactive = new Buffer(schema, stripes);
  }

  public int number() {
    return number;
  }

  public String description() {
    return description;
  }

  /** True once any call of this test contained a call of another test. */
  public boolean isComposite() {
    return composite;
  }

  public void markComposite() {
    if (!composite) {
      composite = true;
    }
  }

  /**
   * Records a successful call: its time ({@code micros}) as a {@code timedTests} sample and in the
   * success histogram (with coordinated-omission correction when {@code expectedIntervalMicros} is
   * positive), and every basic statistic of {@code call}, or none when {@code call} is null.
   */
  public void recordSuccess(StatisticsSet call, long micros, long expectedIntervalMicros) {
    long v = clamp(micros);
    long phase = phaser.writerCriticalSectionEnter();
    try {
      Buffer b = active;
      Stripe s = b.stripes[(int) Thread.currentThread().threadId() & stripeMask];
      if (call != null) {
        s.addBasics(schema, call);
      }
      s.addSample(timed, v);
      if (expectedIntervalMicros > 0) {
        b.success.recordValueWithExpectedInterval(v, expectedIntervalMicros);
      } else {
        b.success.recordValue(v);
      }
    } finally {
      phaser.writerCriticalSectionExit(phase);
    }
  }

  /** Records a failed call: only {@code errors} counts; the time goes to the error histogram. */
  public void recordFailure(long micros) {
    long v = clamp(micros);
    long phase = phaser.writerCriticalSectionEnter();
    try {
      Buffer b = active;
      Stripe s = b.stripes[(int) Thread.currentThread().threadId() & stripeMask];
      s.add(errors.slot(), 1);
      b.failure.recordValue(v);
    } finally {
      phaser.writerCriticalSectionExit(phase);
    }
  }

  private static long clamp(long micros) {
    return micros < 0 ? 0 : Math.min(micros, HIGHEST_TRACKABLE_MICROS);
  }

  /**
   * Takes everything recorded since the previous call: adds the statistics into {@code into} and
   * the latencies into the two histograms, then clears the buffer. Collector thread only.
   */
  public void drainInterval(StatisticsSet into, Histogram success, Histogram failure) {
    phaser.readerLock();
    try {
      Buffer old = active;
      active = inactive;
      inactive = old;
      phaser.flipPhase();
      old.drainInto(schema, timed, into, success, failure);
    } finally {
      phaser.readerUnlock();
    }
    into.setComposite(composite);
  }

  private static final class Buffer {
    final Stripe[] stripes;
    final AtomicHistogram success = newHistogram();
    final AtomicHistogram failure = newHistogram();

    Buffer(StatisticsSchema schema, int count) {
      stripes = new Stripe[count];
      for (int i = 0; i < count; i++) {
        stripes[i] = new Stripe(schema);
      }
    }

    private static AtomicHistogram newHistogram() {
      return new AtomicHistogram(1, HIGHEST_TRACKABLE_MICROS, 3);
    }

    void drainInto(StatisticsSchema schema, SampleIndex timed, StatisticsSet into, Histogram s, Histogram f) {
      StatisticsSet part = new StatisticsSet(schema);
      for (Stripe stripe : stripes) {
        if (stripe.drainInto(schema, timed, part)) {
          into.add(part);
          part.reset();
        }
      }
      s.add(success);
      f.add(failure);
      success.reset();
      failure.reset();
    }
  }

  /** One stripe's running values; doubles are kept as raw long bits and added with CAS. */
  private static final class Stripe {
    final long[] longs;
    final long[] doubles;
    final long[] sampleSquares; // per sample: sum of squares as double bits

    Stripe(StatisticsSchema schema) {
      longs = new long[PAD + schema.longSlots() + PAD];
      doubles = new long[PAD + schema.doubleSlots() + PAD];
      sampleSquares = new long[PAD + 1 + PAD];
      clear(schema);
    }

    void clear(StatisticsSchema schema) {
      Arrays.fill(longs, 0);
      Arrays.fill(doubles, 0);
      Arrays.fill(sampleSquares, 0);
      for (SampleIndex s : schema.samples()) {
        longs[PAD + s.minSlot()] = Long.MAX_VALUE;
        longs[PAD + s.maxSlot()] = Long.MIN_VALUE;
      }
    }

    void add(int slot, long value) {
      LONGS.getAndAdd(longs, PAD + slot, value);
    }

    void addBasics(StatisticsSchema schema, StatisticsSet call) {
      var ls = schema.longs();
      for (int i = 0, n = ls.size(); i < n; i++) {
        LongIndex l = ls.get(i);
        long v = call.getLong(l);
        if (v != 0 && !l.isTransient()) {
          LONGS.getAndAdd(longs, PAD + l.slot(), v);
        }
      }
      var ds = schema.doubles();
      for (int i = 0, n = ds.size(); i < n; i++) {
        DoubleIndex d = ds.get(i);
        double v = call.getDouble(d);
        if (v != 0) {
          addDouble(doubles, PAD + d.slot(), v);
        }
      }
    }

    void addSample(SampleIndex s, long v) {
      LONGS.getAndAdd(longs, PAD + s.countSlot(), 1L);
      LONGS.getAndAdd(longs, PAD + s.sumSlot(), v);
      addDouble(sampleSquares, PAD, (double) v * v);
      int min = PAD + s.minSlot();
      long m;
      while (v < (m = (long) LONGS.getVolatile(longs, min)) && !LONGS.compareAndSet(longs, min, m, v)) {
        Thread.onSpinWait();
      }
      int max = PAD + s.maxSlot();
      while (v > (m = (long) LONGS.getVolatile(longs, max)) && !LONGS.compareAndSet(longs, max, m, v)) {
        Thread.onSpinWait();
      }
    }

    private static void addDouble(long[] bits, int index, double value) {
      long old;
      do {
        old = (long) LONGS.getVolatile(bits, index);
      } while (!LONGS.compareAndSet(bits, index, old, Double.doubleToRawLongBits(Double.longBitsToDouble(old) + value)));
    }

    /** Adds this stripe into {@code part} (empty on entry); false when it held nothing. */
    boolean drainInto(StatisticsSchema schema, SampleIndex s, StatisticsSet part) {
      boolean any = false;
      for (LongIndex l : schema.longs()) {
        long v = longs[PAD + l.slot()];
        if (v != 0) {
          part.setLong(l, v);
          any = true;
        }
      }
      for (DoubleIndex d : schema.doubles()) {
        double v = Double.longBitsToDouble(doubles[PAD + d.slot()]);
        if (v != 0) {
          part.setDouble(d, v);
          any = true;
        }
      }
      // timedTests is the only sample a call records (as in The Grinder).
      long n = longs[PAD + s.countSlot()];
      if (n > 0) {
        long sum = longs[PAD + s.sumSlot()];
        double mean = (double) sum / n;
        double variance = Math.max(0, Double.longBitsToDouble(sampleSquares[PAD]) / n - mean * mean);
        part.setSample(s, n, sum, variance, longs[PAD + s.minSlot()], longs[PAD + s.maxSlot()]);
        any = true;
      }
      if (any) {
        clear(schema);
      }
      return any;
    }
  }
}
