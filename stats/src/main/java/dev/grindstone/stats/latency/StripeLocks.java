package dev.grindstone.stats.latency;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Try-locks over a small set of stripes, for recorders whose writers update plain (non-atomic)
 * accumulators. A writer takes the stripe its thread hashes to or, when another writer holds that
 * one, the next free stripe: it never waits for a holder unless every stripe is held at once. A
 * reader takes each stripe in turn, waiting for its writer to leave, and reads and clears it.
 *
 * <p>IMPLEMENTATION NOTES. One compare-and-set to enter and one release store to leave replace the
 * four to seven atomic read-modify-writes a multi-writer histogram and striped atomic counters need
 * per record (BENCHMARKS.md): everything in between is plain stores, made visible to the reader by
 * the release store that pairs with the reader's compare-and-set. Virtual threads are not preempted
 * between two plain stores, so a stripe is held for tens of nanoseconds; a platform thread
 * descheduled while holding one only sends other writers to the next stripe. The flags sit a cache
 * line apart so writers on different stripes never share one.
 *
 * <p>Thread-safety: any number of writer threads; readers must not hold a stripe while taking
 * another. Allocation: none after construction.
 */
public final class StripeLocks {

  private static final VarHandle FLAGS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final int SPACING = 16; // ints: 64 bytes between two flags
  private static final int FREE = 0;
  private static final int HELD = 1;

  private final int[] flags;
  private final int mask;

  /** The most stripes {@link #forProcessors} makes, whatever the number of processors. */
  public static final int MAX_STRIPES_FOR_PROCESSORS = 16;

  /**
   * Stripes for twice as many threads as there are processors (at least 2, at most {@value
   * #MAX_STRIPES_FOR_PROCESSORS}), a power of two. A writer holds a stripe for tens of nanoseconds,
   * a small part of any call's time, so even on many cores few writers meet; the cap bounds what a
   * recorder's per-stripe histograms can cost (about 94 KB each).
   */
  public static StripeLocks forProcessors() {
    return new StripeLocks(
        Math.min(Runtime.getRuntime().availableProcessors() * 2, MAX_STRIPES_FOR_PROCESSORS));
  }

  /** At least {@code minStripes} stripes, rounded up to a power of two. */
  public StripeLocks(int minStripes) {
    if (minStripes < 1 || minStripes > 1 << 16) {
      throw new IllegalArgumentException("stripes must be between 1 and 65536, got " + minStripes);
    }
    int stripes = Math.max(2, Integer.highestOneBit(minStripes - 1) << 1);
    this.mask = stripes - 1;
    this.flags = new int[(stripes + 1) * SPACING];
  }

  /** How many stripes there are. */
  public int stripes() {
    return mask + 1;
  }

  /**
   * Takes a free stripe for the calling thread and returns its index; the caller must {@link
   * #release} it, normally in a {@code finally} block, after a few plain stores.
   */
  public int acquire() {
    long id = Thread.currentThread().threadId();
    int first = (int) (id ^ (id >>> 16)) & mask;
    for (int i = first; ; i = (i + 1) & mask) {
      int slot = (i + 1) * SPACING;
      if ((int) FLAGS.getOpaque(flags, slot) == FREE
          && FLAGS.compareAndSet(flags, slot, FREE, HELD)) {
        return i;
      }
      if (i == ((first - 1) & mask)) {
        Thread.onSpinWait(); // every stripe was held: go round again
      }
    }
  }

  /** Takes stripe {@code index}, waiting for its writer to leave. For readers. */
  public void acquire(int index) {
    int slot = (index + 1) * SPACING;
    while (!FLAGS.compareAndSet(flags, slot, FREE, HELD)) {
      Thread.onSpinWait();
    }
  }

  /**
   * Leaves stripe {@code index}: what was stored while holding it becomes visible to its next
   * holder.
   */
  public void release(int index) {
    FLAGS.setRelease(flags, (index + 1) * SPACING, FREE);
  }
}
