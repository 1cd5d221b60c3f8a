package dev.grindstone.engine.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Wakes sleeping virtual users in batches: one platform thread ticks every {@link #TICK_NANOS} and
 * unparks every user whose wake-up time has passed. Users park without a timeout meanwhile.
 *
 * <p>IMPLEMENTATION NOTES. A virtual thread's timed park schedules a task in the JDK's shared delay
 * queue (a binary heap under a lock) and cancels or runs it; with 100,000 users thinking 1 s that
 * is 100,000 heap insertions and removals a second competing with the users for two cores, and
 * users woke tens of milliseconds late at p99 (BENCHMARKS.md). Here a sleep is one compare-and-set
 * onto a stack of new sleepers; the timer thread alone moves them into a hashed wheel of one-tick
 * buckets (Varghese and Lauck's scheme, as in Netty's {@code HashedWheelTimer}) and, each tick,
 * wakes the bucket that came due. A user wakes at most one tick plus the scheduler's delay late,
 * never early. Each user owns one reusable {@link Sleeper}, so sleeping does not allocate. Sleeps
 * shorter than two ticks use a plain timed park.
 *
 * <p>The timer thread does not tick through empty buckets: it parks until the next tick that has
 * sleepers, or until woken when nobody sleeps, and publishes that tick in {@link #parkedUntil}. A
 * new sleeper due before it unparks the timer; a busy wheel (a sleeper due every tick) is never
 * unparked by its users. Ticking every 250 µs with nobody asleep cost about 7% of a core in every
 * JVM running a load test, agents included (BENCHMARKS.md).
 *
 * <p>Thread-safety: {@link #sleepUntil} from any number of threads; {@link #close} once.
 */
final class TimerWheel implements AutoCloseable {

  /**
   * The wheel's resolution: how late, at most, a timer-woken user is woken (before scheduling). A
   * quarter of a millisecond measured a p50 lateness of 0.25 ms against 1 ms for a 1 ms tick, for
   * no more CPU at 100,000 users (BENCHMARKS.md).
   */
  static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(250);

  private static final int BUCKETS = 16_384; // ticks per turn of the wheel: about 4 s
  private static final int MASK = BUCKETS - 1;

  /** One user's place on the wheel; reused for each of its sleeps. */
  static final class Sleeper {
    private static final VarHandle QUEUED;

    static {
      try {
        QUEUED = MethodHandles.lookup().findVarHandle(Sleeper.class, "queued", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    Thread thread;
    long deadline;
    Sleeper next;

    /** True from the moment it is queued until the timer thread wakes it. */
    volatile boolean queued;

    /**
     * How many times the timer thread woke it: a sleep ends when this moves on. Timer thread
     * writes.
     */
    volatile int wakes;

    /** Claims this sleeper for one sleep; false while it is still on the wheel. */
    boolean claim() {
      return QUEUED.compareAndSet(this, false, true);
    }
  }

  /** {@link #parkedUntil} while the timer thread is awake: no sleeper needs to wake it. */
  private static final long AWAKE = Long.MIN_VALUE;

  /** {@link #parkedUntil} while the wheel is empty: any new sleeper wakes the timer. */
  private static final long IDLE = Long.MAX_VALUE;

  private final AtomicReference<Sleeper> incoming = new AtomicReference<>();

  /**
   * The tick the parked timer thread will wake for by itself, or {@link #AWAKE} or {@link #IDLE}. A
   * sleeper pushed on {@link #incoming} and then reading this, against the timer writing it and
   * then reading {@link #incoming}: one of the two sees the other (both volatile), so no sleeper
   * waits past its tick for a timer parked longer.
   */
  private volatile long parkedUntil = AWAKE;

  private final Sleeper[] buckets = new Sleeper[BUCKETS]; // timer thread only
  private final long origin = System.nanoTime();
  private final Thread timer;
  private volatile boolean closed;

  TimerWheel() {
    timer = Thread.ofPlatform().daemon().name("grindstone-timer").start(this::tickLoop);
  }

  /**
   * Parks the calling thread until {@code deadline} ({@link System#nanoTime} time) or until {@code
   * stop} is true after an unpark. {@code sleeper} must be the caller's own.
   */
  void sleepUntil(Sleeper sleeper, long deadline, BooleanSupplier stop) {
    if (deadline - System.nanoTime() < 2 * TICK_NANOS || closed || !sleeper.claim()) {
      // Short, or the sleeper is still on the wheel (from a sleep cut short, or another thread
      // sleeping for the same user): a timed park.
      parkUntil(deadline, stop);
      return;
    }
    // Read after the claim: the timer counts a wake before it releases the sleeper, so this sleep
    // ends when the count moves past this value, whoever claims the sleeper next.
    int wakes = sleeper.wakes;
    sleeper.thread = Thread.currentThread();
    sleeper.deadline = deadline;
    Sleeper head;
    do {
      head = incoming.get();
      sleeper.next = head;
    } while (!incoming.compareAndSet(head, sleeper));
    if (dueTick(deadline) < parkedUntil) {
      LockSupport.unpark(timer);
    }
    while (sleeper.wakes == wakes && !stop.getAsBoolean()) {
      if (closed) {
        // The timer stopped (after this sleeper was queued, or it would have woken it): finish
        // the sleep without the wheel.
        parkUntil(deadline, stop);
        return;
      }
      LockSupport.park(this);
    }
  }

  /**
   * Sleeps with timed parks until {@code deadline}, or until {@code stop} is true after an unpark.
   */
  private static void parkUntil(long deadline, BooleanSupplier stop) {
    long left;
    while (!stop.getAsBoolean() && (left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  private long tickOf(long nanos) {
    return Math.floorDiv(nanos - origin, TICK_NANOS);
  }

  /**
   * The tick whose processing wakes a sleeper due at {@code deadline}: the tick after the one in
   * which the deadline falls, as that one is processed only from its start.
   */
  private long dueTick(long deadline) {
    return tickOf(deadline) + 1;
  }

  private void tickLoop() {
    long done = tickOf(System.nanoTime()); // every tick up to this one was processed
    while (!closed) {
      parkedUntil = AWAKE;
      long now = System.nanoTime();
      long current = tickOf(now);
      placeIncoming(current, now);
      // Only occupied buckets can have sleepers due; after a long park, sleepers of a later turn
      // stay where they are.
      long from = Math.max(done + 1, current - MASK);
      for (long t = from; t <= current; t++) {
        wakeDue(t, now);
      }
      done = Math.max(done, current);
      long wake = nextOccupied(current);
      parkedUntil = wake;
      if (incoming.get() != null) {
        continue; // a sleeper came while the wake tick was chosen: place it first
      }
      if (wake == IDLE) {
        LockSupport.park(this);
      } else {
        LockSupport.parkNanos(this, origin + wake * TICK_NANOS - System.nanoTime());
      }
    }
    wakeAll();
  }

  /**
   * The first tick after {@code current} whose bucket holds a sleeper (of this turn of the wheel or
   * a later one: waking for a later turn's sleeper early is harmless), or {@link #IDLE}.
   */
  private long nextOccupied(long current) {
    for (long t = current + 1; t <= current + BUCKETS; t++) {
      if (buckets[(int) (t & MASK)] != null) {
        return t;
      }
    }
    return IDLE;
  }

  /** Moves the sleepers queued since the last tick into their buckets, waking any already due. */
  private void placeIncoming(long current, long now) {
    Sleeper s = incoming.getAndSet(null);
    while (s != null) {
      Sleeper next = s.next;
      if (s.deadline - now <= 0) {
        wake(s);
      } else {
        // The tick in which the deadline falls is processed after the deadline has passed
        // only from the next tick on, so a sleeper goes one tick later than its deadline's.
        long due = Math.max(dueTick(s.deadline), current + 1);
        int b = (int) (due & MASK);
        s.next = buckets[b];
        buckets[b] = s;
      }
      s = next;
    }
  }

  /** Wakes the sleepers of tick {@code t} whose deadline has passed; later turns stay. */
  private void wakeDue(long t, long now) {
    int b = (int) (t & MASK);
    Sleeper s = buckets[b];
    Sleeper keep = null;
    while (s != null) {
      Sleeper next = s.next;
      if (s.deadline - now <= 0) {
        wake(s);
      } else {
        s.next = keep;
        keep = s;
      }
      s = next;
    }
    buckets[b] = keep;
  }

  private static void wake(Sleeper s) {
    Thread t = s.thread; // read before the release: the sleeper may be claimed again at once
    s.next = null;
    s.wakes++; // only this thread writes it
    s.queued = false;
    LockSupport.unpark(t);
  }

  private void wakeAll() {
    for (int b = 0; b < BUCKETS; b++) {
      for (Sleeper s = buckets[b]; s != null; ) {
        Sleeper next = s.next;
        LockSupport.unpark(s.thread);
        s = next;
      }
      buckets[b] = null;
    }
    for (Sleeper s = incoming.getAndSet(null); s != null; s = s.next) {
      LockSupport.unpark(s.thread);
    }
  }

  /** The timer thread, for tests of when it parks. */
  Thread timerThread() {
    return timer;
  }

  /** Stops the timer; users still asleep finish their sleep with a timed park. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(timer);
    try {
      timer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
