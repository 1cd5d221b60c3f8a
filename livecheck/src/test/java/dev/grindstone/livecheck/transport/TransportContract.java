package dev.grindstone.livecheck.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.livecheck.SignalEvent;
import dev.grindstone.livecheck.TestExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Transport} must do; run over each implementation (the in-memory one here, the
 * Kafka one in livecheck-kafka). Deliveries and leadership may be asynchronous, so the checks wait
 * for them, up to {@link #patience()}.
 */
public abstract class TransportContract {
  private final List<Transport.Membership> memberships = new ArrayList<>();

  /** A fresh transport; apps named in one test are unique to it. */
  protected abstract Transport transport();

  /** How long a delivery or a leadership change may take. */
  protected Duration patience() {
    return Duration.ofSeconds(1);
  }

  @AfterEach
  void leave() {
    memberships.forEach(Transport.Membership::close);
  }

  /** Records what a member is told. */
  protected static final class Recorder implements Transport.Member {
    final List<String> got = new CopyOnWriteArrayList<>();
    final List<Boolean> leadership = new CopyOnWriteArrayList<>();

    @Override
    public void onExecution(TestExecution execution, Runnable done) {
      got.add("test " + execution.id());
      done.run();
    }

    @Override
    public void onSignal(SignalEvent event) {
      got.add("signal " + event.key());
    }

    @Override
    public void onLeadership(boolean leader) {
      leadership.add(leader);
    }
  }

  private Transport.Membership join(Transport t, String app, Recorder r) {
    Transport.Membership m = t.join(app, r);
    memberships.add(m);
    return m;
  }

  private static TestExecution test(String id) {
    Instant now = Instant.now();
    return new TestExecution(id, "c", now, Map.of(), now.plusSeconds(60));
  }

  /** Waits until {@code condition} holds; fails with {@code what} after {@link #patience()}. */
  protected void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + patience().toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + patience());
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(what + ": interrupted");
      }
    }
  }

  @Test
  void the_first_member_leads_and_leadership_moves_when_it_leaves() {
    Transport t = transport();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    Transport.Membership ma = join(t, "lead", a);
    eventually("the first member leads", ma::isLeader);
    Transport.Membership mb = join(t, "lead", b);
    Transport.Membership other = join(t, "lead-other", new Recorder());
    eventually("the other app has a leader of its own", other::isLeader);
    assertThat(ma.isLeader()).as("a second member does not take the lead").isTrue();
    assertThat(mb.isLeader()).isFalse();
    ma.close();
    eventually("the second member leads once the first left", mb::isLeader);
    assertThat(a.leadership).containsExactly(true, false);
    assertThat(b.leadership).containsExactly(true);
  }

  @Test
  void each_test_reaches_one_member_and_its_signals_reach_that_member() {
    Transport t = transport();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    Recorder otherApp = new Recorder();
    join(t, "orders", a);
    join(t, "orders", b);
    join(t, "other", otherApp);
    awaitReady(t, "orders", 2);
    for (int i = 0; i < 50; i++) {
      t.publishExecution("orders", test("t" + i));
      t.publishSignal("orders", new SignalEvent("s", "c", "custom-key-" + i, "t" + i, i, null));
    }
    eventually(
        "every test delivered",
        () ->
            a.got.stream().filter(g -> g.startsWith("test ")).count()
                    + b.got.stream().filter(g -> g.startsWith("test ")).count()
                >= 50);
    for (int i = 0; i < 50; i++) {
      String test = "test t" + i;
      assertThat(a.got.contains(test) ^ b.got.contains(test))
          .as("%s reached exactly one member", test)
          .isTrue();
      Recorder owner = a.got.contains(test) ? a : b;
      String signal = "signal custom-key-" + i;
      eventually(signal + " reaches the member that got " + test, () -> owner.got.contains(signal));
    }
    assertThat(
            a.got.stream().filter(g -> g.startsWith("test ")).count()
                + b.got.stream().filter(g -> g.startsWith("test ")).count())
        .as("no test delivered twice")
        .isEqualTo(50);
    assertThat(otherApp.got).as("another app's member").isEmpty();
  }

  /**
   * Waits until {@code members} members of {@code app} receive what is published from now on; a
   * transport whose members join asynchronously overrides it.
   */
  protected void awaitReady(Transport t, String app, int members) {}
}
