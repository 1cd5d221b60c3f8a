package dev.grindstone.livecheck.internal;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One slot per (case, signal, key): a future that the waiting test blocks on and the arriving event
 * completes. Only that one waiter wakes. A slot disappears when its wait ends (value or timeout).
 *
 * <p>An event that arrives before anyone waits is kept for a waiter still to come, until its test
 * expires or {@code retention} passes, whichever is first; a later event for the same key replaces
 * it (as in Faust, where the latest event of a key is the one a wait finds). At most {@code
 * maxUnclaimed} such events are kept: when one more arrives, the oldest kept event is dropped,
 * since it is the least likely to be claimed (with signals broadcast to every instance, most
 * instances never claim most events). The map is so bounded by the tests waiting now plus that cap.
 * Thread-safe.
 */
public final class SignalWaiters {
  /** Identifies one waiter. */
  public record Key(String caseName, String signalName, String key) {}

  private static final TimeoutException TIMED_OUT = new TimeoutException("signal wait timed out");

  private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();
  // Kept events, oldest first; guarded by itself (O(1) add, remove and take-oldest).
  private final LinkedHashSet<Slot> arrivalOrder = new LinkedHashSet<>();
  private final TimeSource time;
  private final int maxUnclaimed;
  private final Duration retention;
  private final AtomicInteger unclaimed = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();

  /**
   * @param maxUnclaimed events kept for waiters still to come, at most
   * @param retention how long such an event is kept at most (also when it carries no expiry)
   */
  public SignalWaiters(TimeSource time, int maxUnclaimed, Duration retention) {
    this.time = time;
    this.maxUnclaimed = maxUnclaimed;
    this.retention = retention;
  }

  /**
   * Waits for the event of {@code key}.
   *
   * @throws TimeoutException when {@code timeout} passes first (on the app's clock)
   * @throws IllegalStateException when another wait for the same key is in progress
   */
  public SignalEvent await(Key key, Duration timeout)
      throws TimeoutException, InterruptedException {
    Slot slot =
        slots.compute(
            key,
            (k, old) -> {
              if (old == null) {
                Slot s = new Slot(key, false);
                s.awaited = true;
                return s;
              }
              if (old.awaited) {
                throw new IllegalStateException(
                    "signal "
                        + k.signalName()
                        + " of case "
                        + k.caseName()
                        + " is already awaited for key "
                        + k.key()
                        + "; one waiter per key");
              }
              old.awaited = true;
              return old;
            });
    if (slot.claim()) {
      release(slot);
    }
    try {
      if (!slot.future.isDone()) {
        TimeSource.Cancellable timer =
            time.schedule(timeout, () -> slot.future.completeExceptionally(TIMED_OUT));
        try {
          return slot.future.get();
        } finally {
          timer.cancel();
        }
      }
      return slot.future.get();
    } catch (ExecutionException e) {
      if (e.getCause() == TIMED_OUT) {
        throw new TimeoutException(
            "no " + key.signalName() + " for key " + key.key() + " within " + timeout);
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      slots.remove(key, slot);
    }
  }

  /**
   * Hands {@code event} to its waiter, or keeps it for a waiter still to come (replacing an event
   * kept for the same key).
   */
  public void resolve(Key key, SignalEvent event) {
    Slot[] created = {null};
    slots.compute(
        key,
        (k, old) -> {
          if (old != null && old.awaited && !old.future.isDone()) {
            old.future.complete(event); // the waiter wakes
            return old;
          }
          if (old != null && !old.awaited) {
            old.future.obtrudeValue(event); // a later send replaces the earlier one
            return old;
          }
          // No slot, or one whose wait already ended: keep the event for the next wait.
          Slot s = new Slot(key, true);
          s.future.complete(event);
          created[0] = s;
          return s;
        });
    Slot slot = created[0];
    if (slot == null) {
      return;
    }
    unclaimed.incrementAndGet();
    synchronized (arrivalOrder) {
      arrivalOrder.add(slot);
    }
    while (unclaimed.get() > maxUnclaimed) {
      Slot oldest;
      synchronized (arrivalOrder) {
        Iterator<Slot> it = arrivalOrder.iterator();
        if (!it.hasNext()) {
          break;
        }
        oldest = it.next();
        it.remove();
      }
      if (oldest.claim()) {
        slots.remove(oldest.key, oldest);
        release(oldest);
        dropped.incrementAndGet();
      }
    }
    Instant now = time.now();
    Duration keep = retention;
    if (event.expires() != null) {
      Duration untilExpiry =
          event.expires().isAfter(now) ? Duration.between(now, event.expires()) : Duration.ZERO;
      keep = untilExpiry.compareTo(keep) < 0 ? untilExpiry : keep;
    }
    if (!slot.isUnclaimed()) {
      return; // already taken by a waiter or dropped: nothing to evict
    }
    slot.eviction =
        time.schedule(
            keep,
            () -> {
              if (slot.claim()) {
                slots.remove(slot.key, slot);
                release(slot);
              }
            });
    if (!slot.isUnclaimed()) {
      // Taken while the eviction was being scheduled; nothing left to evict.
      slot.eviction.cancel();
    }
  }

  /** Slots held now: tests waiting plus events kept for a waiter still to come. */
  public int size() {
    return slots.size();
  }

  /** Events kept for a waiter still to come. */
  public int unclaimed() {
    return unclaimed.get();
  }

  /** Events dropped because {@code maxUnclaimed} newer events were kept. */
  public long dropped() {
    return dropped.get();
  }

  private void release(Slot slot) {
    unclaimed.decrementAndGet();
    synchronized (arrivalOrder) {
      arrivalOrder.remove(slot);
    }
    TimeSource.Cancellable ev = slot.eviction;
    if (ev != null) {
      ev.cancel();
    }
  }

  private static final class Slot {
    final Key key;
    final CompletableFuture<SignalEvent> future = new CompletableFuture<>();
    final AtomicBoolean unclaimedFlag;
    volatile boolean awaited;
    volatile TimeSource.Cancellable eviction;

    Slot(Key key, boolean unclaimed) {
      this.key = key;
      this.unclaimedFlag = new AtomicBoolean(unclaimed);
    }

    /**
     * True once, for a slot created by an event, when a waiter, the eviction or the cap takes it.
     */
    boolean claim() {
      return unclaimedFlag.compareAndSet(true, false);
    }

    boolean isUnclaimed() {
      return unclaimedFlag.get();
    }
  }
}
