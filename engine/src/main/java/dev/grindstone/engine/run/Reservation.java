package dev.grindstone.engine.run;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Positions 0, 1, 2, ... of a sequence that the successive attempts of one agent index of a
 * distributed run share, such as the rows of a {@code queue} feeder's share, taken within what a
 * coordinator has reserved for this attempt: an attempt that replaces another one starts after
 * every position reserved before it, so no position is ever taken twice.
 *
 * <p>One side takes positions ({@link #tryTake}, {@link #await}); the other, one thread, asks the
 * coordinator ahead of need ({@link #ask}) and hands its answers on ({@link #answered}). The
 * coordinator is asked again when less than {@link #ahead()} positions are left: two intervals'
 * worth at the rate positions were taken over the last interval, and never less than the minimum
 * given (the users that may start at once, say) or {@link #FLOOR}; it is asked for twice that
 * beyond the positions taken. A taker that finds nothing reserved (a burst beyond the margin, or a
 * coordinator away) waits for the next answer.
 *
 * <p>A {@linkplain #counted counted} sequence (the iterations of a phase bounded by iterations) is
 * not reserved ahead: its positions are taken freely and reported to the coordinator at least every
 * interval, so a replacement starts after the positions its older attempt had taken as it last
 * reported them; those it took after that are taken again.
 *
 * <p>Thread-safe. {@link #tryTake} does not lock or allocate while a position is reserved.
 */
public final class Reservation {

  /** What {@link #tryTake} answers while nothing is reserved beyond the positions taken. */
  public static final long NONE = -1;

  /** The fewest positions asked for ahead. */
  public static final long FLOOR = 16;

  /** The longest key: a longer one is cut to this many characters. */
  public static final int MAX_KEY = 256;

  private final String key;
  private final boolean counted;
  private final long end;
  private final long minimum;

  /** The next position to take; never beyond {@link #limit} nor {@link #end}. */
  private final AtomicLong next = new AtomicLong();

  /**
   * Positions below it are reserved for this attempt (of a counted sequence: acknowledged by the
   * coordinator). Only grows.
   */
  private volatile long limit;

  /** Where this attempt started: the coordinator's first answer; -1 before it. */
  private volatile long from = -1;

  /** Below this many positions left, a taker wakes the asking side. */
  private volatile long lowMark;

  private volatile Runnable onDemand = () -> {};
  private final AtomicBoolean demanded = new AtomicBoolean();
  private final AtomicInteger waiting = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition granted = lock.newCondition();
  private final AtomicLong waits = new AtomicLong();
  private final AtomicLong longestWaitNanos = new AtomicLong();

  // The asking side's own state: one thread.
  private long ahead;
  private long rateUsed;
  private long rateNanos;
  private boolean measured;

  /**
   * A sequence reserved ahead.
   *
   * @param key what the positions are, unique within a run, e.g. {@code queue feeder 'users.csv'};
   *     cut to {@link #MAX_KEY} characters
   * @param end how many positions there are (a feeder's rows); {@link Long#MAX_VALUE} for no end
   * @param minimum the fewest positions to keep reserved ahead, beyond {@link #FLOOR}: the users
   *     that may take one at once
   * @throws IllegalArgumentException for a blank key, a negative end or minimum
   */
  public Reservation(String key, long end, long minimum) {
    this(key, end, minimum, false);
  }

  /**
   * A sequence whose positions are taken freely and reported after (see the class comment).
   *
   * @param end how many positions there are (the iterations of a phase's share)
   */
  public static Reservation counted(String key, long end) {
    return new Reservation(key, end, 0, true);
  }

  private Reservation(String key, long end, long minimum, boolean counted) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("A reservation needs a key, got '" + key + "'");
    }
    if (end < 0 || minimum < 0) {
      throw new IllegalArgumentException(
          "end and minimum must be 0 or more, got " + end + " and " + minimum);
    }
    this.key = key.length() > MAX_KEY ? key.substring(0, MAX_KEY) : key;
    this.counted = counted;
    this.end = end;
    this.minimum = Math.max(FLOOR, minimum);
    this.ahead = this.minimum;
    this.lowMark = this.minimum / 2;
  }

  public String key() {
    return key;
  }

  /** How many positions there are. */
  public long end() {
    return end;
  }

  /** True for a sequence taken freely and reported after, not reserved ahead. */
  public boolean isCounted() {
    return counted;
  }

  /** Runs {@code r} (quickly, on the taker's thread) when the asking side should ask now. */
  public void onDemand(Runnable r) {
    onDemand = r;
  }

  /**
   * The next position, or {@link #NONE} when none is reserved now (then {@link #await}); a position
   * at or beyond {@link #end} when every position is taken (it is not taken: the sequence is used
   * up). A counted sequence's next position is never {@link #NONE}.
   */
  public long tryTake() {
    while (true) {
      long n = next.get();
      if (n >= end) {
        return n;
      }
      if (counted) {
        if (next.compareAndSet(n, n + 1)) {
          return n;
        }
        continue;
      }
      long l = limit;
      if (n >= l) {
        return NONE;
      }
      if (next.compareAndSet(n, n + 1)) {
        if (l - n <= lowMark) {
          demand();
        }
        return n;
      }
    }
  }

  /**
   * Waits until a position is reserved beyond those taken, or the sequence is used up, or {@code
   * stop} says so (checked every 50 ms).
   *
   * @return false when it stopped waiting because of {@code stop} or an interrupt
   */
  public boolean await(BooleanSupplier stop) {
    long t0 = System.nanoTime();
    waiting.incrementAndGet();
    demand();
    lock.lock();
    try {
      while (next.get() >= limit && next.get() < end) {
        if (stop.getAsBoolean()) {
          return false;
        }
        granted.await(50, TimeUnit.MILLISECONDS);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
      waiting.decrementAndGet();
      long waited = System.nanoTime() - t0;
      waits.incrementAndGet();
      longestWaitNanos.accumulateAndGet(waited, Math::max);
    }
  }

  private void demand() {
    if (demanded.compareAndSet(false, true)) {
      onDemand.run();
    }
  }

  /**
   * True when a taker asked for more since the last {@link #ask}: the asking side checks it before
   * it sleeps, as a wake-up may be lost while it waits for the coordinator.
   */
  public boolean demanded() {
    return demanded.get();
  }

  /** The positions taken so far, this attempt's and those before it: the next one to take. */
  public long used() {
    return next.get();
  }

  /** Positions below it are reserved for this attempt. */
  public long limit() {
    return limit;
  }

  /** Where this attempt started (the positions before were reserved by earlier attempts), or -1. */
  public long from() {
    return from;
  }

  /** How many takers wait now. */
  public int waiting() {
    return waiting.get();
  }

  /** How many takers found nothing reserved and waited. */
  public long waits() {
    return waits.get();
  }

  /** The longest a taker waited, ns. */
  public long longestWaitNanos() {
    return longestWaitNanos.get();
  }

  /** The positions kept reserved ahead now (see the class comment). */
  public long ahead() {
    return ahead;
  }

  /**
   * How many positions beyond those taken to ask the coordinator to reserve now, or 0 when enough
   * are reserved. Called by the asking side at least once an interval, and when a taker asks for
   * it. Measures the rate positions are taken at, over an interval at least.
   *
   * @param nowNanos {@link System#nanoTime()}
   * @param periodNanos the run's interval
   */
  public long ask(long nowNanos, long periodNanos) {
    if (counted) {
      return 0;
    }
    demanded.set(false); // a taker that needs more from now on asks again
    long used = used();
    if (!measured) {
      measured = true;
      rateUsed = used;
      rateNanos = nowNanos;
    } else if (nowNanos - rateNanos >= periodNanos) {
      double perPeriod = (double) (used - rateUsed) * periodNanos / (nowNanos - rateNanos);
      ahead = Math.max(minimum, (long) Math.ceil(2 * perPeriod));
      lowMark = ahead / 2;
      rateUsed = used;
      rateNanos = nowNanos;
    }
    long waiters = waiting.get();
    if (limit >= end || (limit - used >= ahead && waiters == 0)) {
      return 0;
    }
    return Math.min(end - used, 2 * ahead + waiters);
  }

  /** True when a counted sequence has taken positions the coordinator has not acknowledged. */
  public boolean reportDue() {
    return counted && used() > limit;
  }

  /**
   * The coordinator's answer: this attempt starts at {@code from} (the first answer says it; later
   * ones repeat it) and may take positions below {@code reserved} (of a counted sequence: the
   * coordinator holds the positions taken below it).
   *
   * @throws IllegalStateException when the coordinator moves the start of an attempt that began
   */
  public void answered(long from, long reserved) {
    lock.lock();
    try {
      if (this.from < 0) {
        this.from = from;
        next.set(Math.min(from, end));
        rateUsed = Math.min(from, end); // nothing was taken before: the rate counts from here
      } else if (this.from != from) {
        throw new IllegalStateException(
            "The coordinator moved the start of "
                + key
                + " from "
                + this.from
                + " to "
                + from
                + " after this attempt began");
      }
      if (reserved > limit) {
        limit = reserved;
        granted.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes every position from 0 on without asking: the coordinator does not reserve (an older
   * server), so this attempt starts at the first position, as every attempt then does.
   */
  public void unlimited() {
    answered(from < 0 ? 0 : from, Long.MAX_VALUE);
  }
}
