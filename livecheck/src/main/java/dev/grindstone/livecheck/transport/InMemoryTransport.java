package dev.grindstone.livecheck.transport;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestExecution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} for the instances of an app inside one JVM. Members of an app form a group in
 * join order; the first is the leader, and when it leaves the next one takes over. A test id is
 * owned by member {@code floorMod(hash(id), size)}, so a test and its signals land on the same
 * member. Delivery is synchronous, on the publisher's thread. Thread-safe.
 */
public final class InMemoryTransport implements Transport {
  private final Map<String, List<Slot>> groups = new HashMap<>();
  private final AtomicLong undelivered = new AtomicLong();

  @Override
  public Membership join(String app, Member member) {
    Slot slot = new Slot(app, member);
    boolean leader;
    synchronized (this) {
      List<Slot> g = groups.computeIfAbsent(app, a -> new ArrayList<>());
      g.add(slot);
      leader = g.size() == 1;
      slot.leader = leader;
    }
    if (leader) {
      member.onLeadership(true);
    }
    return slot;
  }

  @Override
  public void publishExecution(String app, TestExecution execution) {
    Member m = owner(app, execution.id());
    if (m == null) {
      undelivered.incrementAndGet();
    } else {
      m.onExecution(execution, () -> {});
    }
  }

  @Override
  public void publishSignal(String app, SignalEvent event) {
    Member m = owner(app, event.testId() != null ? event.testId() : event.key());
    if (m == null) {
      undelivered.incrementAndGet();
    } else {
      m.onSignal(event);
    }
  }

  /** Messages published while no member of their app was there. */
  public long undelivered() {
    return undelivered.get();
  }

  private synchronized Member owner(String app, String key) {
    List<Slot> g = groups.get(app);
    if (g == null || g.isEmpty()) {
      return null;
    }
    return g.get(Math.floorMod(key.hashCode(), g.size())).member;
  }

  private void leave(Slot slot) {
    Slot next = null;
    synchronized (this) {
      List<Slot> g = groups.get(slot.app);
      if (g == null || !g.remove(slot)) {
        return;
      }
      if (slot.leader) {
        slot.leader = false;
        if (!g.isEmpty()) {
          next = g.get(0);
          next.leader = true;
        }
      }
      if (g.isEmpty()) {
        groups.remove(slot.app);
      }
    }
    if (next != null) {
      next.member.onLeadership(true);
    }
  }

  private final class Slot implements Membership {
    final String app;
    final Member member;
    volatile boolean leader;

    Slot(String app, Member member) {
      this.app = app;
      this.member = member;
    }

    @Override
    public boolean isLeader() {
      return leader;
    }

    @Override
    public void close() {
      boolean was = leader;
      leave(this);
      if (was) {
        member.onLeadership(false);
      }
    }
  }
}
