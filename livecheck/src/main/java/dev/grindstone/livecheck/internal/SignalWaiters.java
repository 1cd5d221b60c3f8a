package dev.grindstone.livecheck.internal;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.time.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One slot per (case, signal, key): a future that the waiting test blocks on and the arriving
 * event completes. Only that one waiter wakes. A slot disappears when its wait ends (value or
 * timeout); an event that arrives before anyone waits is kept until its test expires, and at most
 * {@code maxUnclaimed} such events are kept at once, so the map is bounded by the number of tests
 * waiting now plus that cap. Thread-safe.
 */
public final class SignalWaiters {
  /** Identifies one waiter. */
  public record Key(String caseName, String signalName, String key) {}

  private static final TimeoutException TIMED_OUT = new TimeoutException("signal wait timed out");

  private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();
  private final TimeSource time;
  private final int maxUnclaimed;
  private final Duration defaultRetention;
  private final AtomicInteger unclaimed = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();

  public SignalWaiters(TimeSource time, int maxUnclaimed, Duration defaultRetention) {
    this.time = time;
    this.maxUnclaimed = maxUnclaimed;
    this.defaultRetention = defaultRetention;
  }

  /**
   * Waits for the event of {@code key}.
   *
   * @throws TimeoutException when {@code timeout} passes first (on the app's clock)
   * @throws IllegalStateException when another wait for the same key is in progress
   */
  public SignalEvent await(Key key, Duration timeout) throws TimeoutException, InterruptedException {
    Slot slot =
        slots.compute(
            key,
            (k, old) -> {
              if (old == null) {
                Slot s = new Slot(false);
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
      unclaimed.decrementAndGet();
      TimeSource.Cancellable ev = slot.eviction;
      if (ev != null) {
        ev.cancel();
      }
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
        throw new TimeoutException("no " + key.signalName() + " for key " + key.key() + " within " + timeout);
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      slots.remove(key, slot);
    }
  }

  /** Hands {@code event} to its waiter, or keeps it for a waiter still to come. */
  public void resolve(Key key, SignalEvent event) {
    boolean[] created = {false};
    Slot slot =
        slots.computeIfAbsent(
            key,
            k -> {
              if (unclaimed.get() >= maxUnclaimed) {
                return null;
              }
              unclaimed.incrementAndGet();
              created[0] = true;
              return new Slot(true);
            });
    if (slot == null) {
      dropped.incrementAndGet();
      return;
    }
    slot.future.complete(event);
    if (created[0]) {
      Instant now = time.now();
      Duration keep =
          event.expires() != null && event.expires().isAfter(now)
              ? Duration.between(now, event.expires())
              : event.expires() != null ? Duration.ZERO : defaultRetention;
      slot.eviction =
          time.schedule(
              keep,
              () -> {
                if (slot.claim()) {
                  unclaimed.decrementAndGet();
                  slots.remove(key, slot);
                }
              });
      if (slot.awaited) {
        // The waiter claimed the slot before the eviction existed; nothing left to evict.
        slot.eviction.cancel();
      }
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

  /** Events dropped because {@code maxUnclaimed} events were already kept. */
  public long dropped() {
    return dropped.get();
  }

  private static final class Slot {
    final CompletableFuture<SignalEvent> future = new CompletableFuture<>();
    final AtomicBoolean unclaimedFlag;
    volatile boolean awaited;
    volatile TimeSource.Cancellable eviction;

    Slot(boolean unclaimed) {
      this.unclaimedFlag = new AtomicBoolean(unclaimed);
    }

    /** True once, for a slot created by an event, when a waiter or the eviction takes it. */
    boolean claim() {
      return unclaimedFlag.compareAndSet(true, false);
    }
  }
}
