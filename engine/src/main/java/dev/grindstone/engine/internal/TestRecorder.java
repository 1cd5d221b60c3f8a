package dev.grindstone.engine.internal;

import dev.grindstone.stats.StatisticIndex.DoubleIndex;
import dev.grindstone.stats.StatisticIndex.LongIndex;
import dev.grindstone.stats.StatisticIndex.SampleIndex;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.StatisticsSet;
import dev.grindstone.stats.latency.LatencyStripe;
import dev.grindstone.stats.latency.StripeLocks;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The aggregate of one test's calls in one run, written by every virtual user and read by the
 * collector once a period.
 *
 * <p>IMPLEMENTATION NOTES. Writers never allocate and never wait for each other: a call takes a
 * stripe ({@link StripeLocks}: one compare-and-set, the stripe its thread hashes to or the next
 * free one), adds its statistics and its time into that stripe's plain accumulators and histogram,
 * and releases the stripe with a plain store. That is one atomic operation per call where striped
 * atomic counters, a phaser and an atomic histogram needed seven (BENCHMARKS.md). The collector
 * drains each stripe while holding it, so an interval holds whole calls: a call's count, time and
 * histogram entry always land in the same interval. Within a stripe a sample keeps count, sum, sum
 * of squares, min and max; the interval's population variance is derived from them and from then on
 * merged with the exact pooled formula.
 */
public final class TestRecorder {

  private static final int PAD = 8; // longs either side of a stripe's values: no false sharing

  private final int number;
  private final String description;
  private final StatisticsSchema schema;
  private final SampleIndex timed;
  private final LongIndex errors;
  private final LongIndex untimed;
  private final StripeLocks locks = StripeLocks.forProcessors();
  private final Stripe[] stripes;
  private final StatisticsSet part; // the collector's scratch set
  private volatile boolean composite;
  private final AtomicLong cancelled = new AtomicLong();

  public TestRecorder(int number, String description, StatisticsSchema schema) {
    this.number = number;
    this.description = description;
    this.schema = schema;
    this.timed = schema.sampleIndex(StatisticsSchema.TIMED_TESTS);
    this.errors = schema.longIndex(StatisticsSchema.ERRORS);
    this.untimed = schema.longIndex(StatisticsSchema.UNTIMED_TESTS);
    this.stripes = new Stripe[locks.stripes()];
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Stripe(schema);
    }
    this.part = new StatisticsSet(schema);
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
    long v = LatencyStripe.clamp(micros);
    int i = locks.acquire();
    try {
      Stripe s = stripes[i];
      if (call != null) {
        s.addBasics(schema, call);
      }
      s.addSample(timed, v);
      if (expectedIntervalMicros > 0) {
        s.latency.recordSuccess(v, expectedIntervalMicros);
      } else {
        s.latency.recordSuccess(v);
      }
    } finally {
      locks.release(i);
    }
  }

  /**
   * Records a successful call without its time, as The Grinder reports calls to its console when
   * {@code grinder.reportTimesToConsole} is false: {@code untimedTests} counts it (so it counts as
   * a test and in TPS), and every basic statistic of {@code call} is added, or none when {@code
   * call} is null. No {@code timedTests} sample, no histogram entry.
   */
  public void recordUntimed(StatisticsSet call) {
    int i = locks.acquire();
    try {
      Stripe s = stripes[i];
      if (call != null) {
        s.addBasics(schema, call);
      }
      s.longs[PAD + untimed.slot()]++;
    } finally {
      locks.release(i);
    }
  }

  /** Records a failed call: only {@code errors} counts; the time goes to the error histogram. */
  public void recordFailure(long micros) {
    long v = LatencyStripe.clamp(micros);
    int i = locks.acquire();
    try {
      Stripe s = stripes[i];
      s.longs[PAD + errors.slot()]++;
      s.latency.recordFailure(v);
    } finally {
      locks.release(i);
    }
  }

  /**
   * Counts a call that was still in progress when the run cancelled the calls in progress: it is
   * neither timed nor a test nor an error. Rare (only at the end of a run), so a plain atomic.
   */
  public void recordCancelled() {
    cancelled.incrementAndGet();
  }

  /** Calls cancelled since the previous call of this method. Collector thread only. */
  public long drainCancelled() {
    return cancelled.getAndSet(0);
  }

  /**
   * Takes everything recorded since the previous call: adds the statistics into {@code into} and
   * the latencies into the two histograms, and empties the stripes. Collector thread only.
   */
  public void drainInterval(StatisticsSet into, Histogram success, Histogram failure) {
    for (int i = 0; i < stripes.length; i++) {
      locks.acquire(i);
      try {
        Stripe s = stripes[i];
        if (s.drainInto(schema, timed, part)) {
          into.add(part);
          part.reset();
        }
        s.latency.drainInto(success, failure);
      } finally {
        locks.release(i);
      }
    }
    into.setComposite(composite);
  }

  /** One stripe's running values: plain fields, written only by the stripe's holder. */
  private static final class Stripe {
    final long[] longs;
    final double[] doubles;
    final LatencyStripe latency = new LatencyStripe();
    double sumOfSquares; // of the timedTests sample

    Stripe(StatisticsSchema schema) {
      longs = new long[PAD + schema.longSlots() + PAD];
      doubles = new double[PAD + schema.doubleSlots() + PAD];
      clear(schema);
    }

    void clear(StatisticsSchema schema) {
      Arrays.fill(longs, 0);
      Arrays.fill(doubles, 0);
      sumOfSquares = 0;
      for (SampleIndex s : schema.samples()) {
        longs[PAD + s.minSlot()] = Long.MAX_VALUE;
        longs[PAD + s.maxSlot()] = Long.MIN_VALUE;
      }
    }

    void addBasics(StatisticsSchema schema, StatisticsSet call) {
      var ls = schema.longs();
      for (int i = 0, n = ls.size(); i < n; i++) {
        LongIndex l = ls.get(i);
        if (!l.isTransient()) {
          longs[PAD + l.slot()] += call.getLong(l);
        }
      }
      var ds = schema.doubles();
      for (int i = 0, n = ds.size(); i < n; i++) {
        DoubleIndex d = ds.get(i);
        doubles[PAD + d.slot()] += call.getDouble(d);
      }
    }

    void addSample(SampleIndex s, long v) {
      longs[PAD + s.countSlot()]++;
      longs[PAD + s.sumSlot()] += v;
      sumOfSquares += (double) v * v;
      int min = PAD + s.minSlot();
      if (v < longs[min]) {
        longs[min] = v;
      }
      int max = PAD + s.maxSlot();
      if (v > longs[max]) {
        longs[max] = v;
      }
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
        double v = doubles[PAD + d.slot()];
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
        double variance = Math.max(0, sumOfSquares / n - mean * mean);
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
