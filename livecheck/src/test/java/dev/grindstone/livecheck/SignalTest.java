package dev.grindstone.livecheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.livecheck.time.FakeTimeSource;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes are opened for their effect on the thread's context
class SignalTest {

  record Shipment(String orderId, String status) {}

  /** Waits for order_shipped and checks it. */
  static final class PlaceOrder extends Case {
    final Signal<Shipment> shipped = signal("order_shipped", Shipment.class);

    PlaceOrder() {
      super("orders.place_order", CaseSettings.builder().testExpires("1s").build());
    }

    @Override
    protected void run(TestExecution test) {
      Shipment s = shipped.await(Duration.ofSeconds(5));
      if (!s.orderId().equals(test.id())) {
        throw new AssertionError("shipped " + s.orderId() + " instead of " + test.id());
      }
    }
  }

  /** An app on {@code time} that runs tests on the triggering thread and logs nothing. */
  private static LiveCheck.Builder quietApp(FakeTimeSource time) {
    return LiveCheck.builder("orders-service")
        .time(time)
        .executor(Runnable::run)
        .logReports(false)
        .sampleEvery(null)
        .log(line -> {});
  }

  @Test
  void a_waiting_test_gets_the_value_the_service_sends_and_its_latency_is_reported() {
    try (Fixture f = new Fixture(null, false)) {
      PlaceOrder c = f.app.register(new PlaceOrder());
      f.app.start();
      TestExecution t = c.trigger("o-1", Map.of());
      Fixture.awaitCondition(() -> f.app.pendingSignalSlots() == 1);
      f.time.advance(Duration.ofMillis(40));
      try (TestContext.Scope s = TestContext.enter(t)) {
        c.shipped.send(new Shipment("o-1", "SHIPPED"));
      }
      Fixture.awaitCondition(() -> f.reports.size() == 1);
      assertThat(f.last().state()).isEqualTo(State.PASS);
      assertThat(f.last().signalLatency()).containsEntry("order_shipped", Duration.ofMillis(40));
      assertThat(f.app.pendingSignalSlots()).isZero();
    }
  }

  @Test
  void an_event_that_arrives_before_the_wait_is_kept_for_it() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.early")
                  .signal("order_shipped", String.class)
                  .run(
                      (t, self) -> {
                        Signal<String> s = self.signal("order_shipped", String.class);
                        s.send("box-7");
                        assertThat(f.app.pendingSignalSlots()).isEqualTo(1);
                        assertThat(s.await(Duration.ofSeconds(1))).isEqualTo("box-7");
                      })
                  .build());
      f.app.start();
      c.trigger("o-1", Map.of());
      assertThat(f.states()).containsExactly(State.PASS);
      assertThat(f.last().signalLatency()).containsEntry("order_shipped", Duration.ZERO);
      assertThat(f.app.pendingSignalSlots()).isZero();
    }
  }

  @Test
  void only_the_waiter_of_the_key_wakes_and_a_key_has_one_waiter() throws Exception {
    try (Fixture f = new Fixture()) {
      PlaceOrder c = f.app.register(new PlaceOrder());
      f.app.start();
      CompletableFuture<Shipment> a =
          CompletableFuture.supplyAsync(() -> c.shipped.await("a", Duration.ofSeconds(5)));
      CompletableFuture<Shipment> b =
          CompletableFuture.supplyAsync(() -> c.shipped.await("b", Duration.ofSeconds(5)));
      Fixture.awaitCondition(() -> f.app.pendingSignalSlots() == 2 && f.time.pendingTasks() == 3);
      assertThatThrownBy(() -> c.shipped.await("a", Duration.ofSeconds(5)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already awaited for key a; one waiter per key");

      c.shipped.send(new Shipment("a", "SHIPPED"), "a", true);
      assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(new Shipment("a", "SHIPPED"));
      assertThat(b).as("the other waiter is not woken").isNotDone();
      assertThat(f.app.pendingSignalSlots()).isEqualTo(1);

      Fixture.awaitCondition(
          () -> f.time.pendingTasks() == 2); // b's timeout and the stall watchdog
      f.time.advance(Duration.ofSeconds(5));
      assertThatThrownBy(() -> b.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(TestTimeoutException.class);
      assertThat(f.app.pendingSignalSlots()).isZero();
    }
  }

  @Test
  void send_outside_a_test_does_nothing_unless_forced() {
    try (Fixture f = new Fixture()) {
      PlaceOrder c = f.app.register(new PlaceOrder());
      Case other = f.app.register(Case.builder("orders.other").run((t, self) -> {}).build());
      f.app.start();
      c.shipped.send(new Shipment("x", "SHIPPED"));
      c.shipped.send(new Shipment("x", "SHIPPED"), "x");
      assertThat(f.app.pendingSignalSlots()).isZero();

      TestExecution otherTest = other.trigger("t-other", Map.of());
      try (TestContext.Scope s = TestContext.enter(otherTest)) {
        c.shipped.send(new Shipment("x", "SHIPPED"));
      }
      assertThat(f.app.pendingSignalSlots()).as("a test of another case is not ours").isZero();

      assertThatThrownBy(() -> c.shipped.send(new Shipment("x", "S"), null, true))
          .hasMessageContaining(
              "a forced send outside a test of case orders.place_order needs a key");
      c.shipped.send(new Shipment("x", "SHIPPED"), "x", true);
      assertThat(f.app.pendingSignalSlots()).isEqualTo(1);
      assertThat(c.shipped.await("x", Duration.ofSeconds(1)))
          .isEqualTo(new Shipment("x", "SHIPPED"));
    }
  }

  @Test
  void events_nobody_waits_for_are_dropped_when_their_test_expires_and_are_capped() {
    FakeTimeSource time = new FakeTimeSource();
    try (LiveCheck app = quietApp(time).maxPendingSignals(3).build()) {
      PlaceOrder c = app.register(new PlaceOrder());
      app.start();
      for (int i = 0; i < 5; i++) {
        TestExecution t =
            new TestExecution("t" + i, c.name(), time.now(), Map.of(), time.now().plusSeconds(1));
        try (TestContext.Scope s = TestContext.enter(t)) {
          c.shipped.send(new Shipment("t" + i, "SHIPPED"));
        }
      }
      assertThat(app.pendingSignalSlots()).isEqualTo(3);
      assertThat(app.droppedSignals()).isEqualTo(2);
      time.advance(Duration.ofSeconds(1));
      assertThat(app.pendingSignalSlots()).isZero();
      assertThat(time.pendingTasks()).as("stall watchdog only").isEqualTo(1);
    }
  }

  @Test
  void a_million_executions_keep_the_waiter_map_bounded() {
    FakeTimeSource time = new FakeTimeSource();
    AtomicLong passed = new AtomicLong();
    AtomicLong other = new AtomicLong();
    try (LiveCheck app =
        quietApp(time)
            .sink(r -> (r.state() == State.PASS ? passed : other).incrementAndGet())
            .build()) {
      AtomicInteger maxSlots = new AtomicInteger();
      Case c =
          app.register(
              Case.builder("orders.bulk")
                  .settings(CaseSettings.builder().testExpires("1s").build())
                  .signal("order_shipped", Integer.class)
                  .signal("order_billed", Integer.class)
                  .run(
                      (t, self) -> {
                        Signal<Integer> shipped = self.signal("order_shipped", Integer.class);
                        Signal<Integer> billed = self.signal("order_billed", Integer.class);
                        int n = (Integer) t.arg("n");
                        shipped.send(n);
                        // One test in ten also gets an event it never waits for: it must expire.
                        if (n % 10 == 0) {
                          billed.send(n);
                        }
                        maxSlots.accumulateAndGet(app.pendingSignalSlots(), Math::max);
                        if (shipped.await(Duration.ofSeconds(1)) != n) {
                          throw new AssertionError("wrong event");
                        }
                      })
                  .build());
      app.start();
      int total = 1_000_000;
      for (int i = 0; i < total; i++) {
        c.trigger("t" + i, Map.of("n", i));
        time.advance(Duration.ofMillis(1));
      }
      assertThat(passed.get()).isEqualTo(total);
      assertThat(other.get()).isZero();
      // At most one shipped event plus the billed events of the last second (1000 tests, 1 in 10).
      assertThat(maxSlots.get()).as("largest waiter map seen").isLessThanOrEqualTo(102);
      time.advance(Duration.ofSeconds(2));
      assertThat(app.pendingSignalSlots()).isZero();
      assertThat(time.pendingTasks())
          .as("no leftover timers besides the stall watchdog")
          .isEqualTo(1);
    }
  }

  @Test
  void a_later_send_for_a_key_replaces_an_earlier_one_before_the_wait() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.resent")
                  .signal("order_status", String.class)
                  .run(
                      (t, self) -> {
                        Signal<String> s = self.signal("order_status", String.class);
                        s.send("PACKED");
                        s.send("SHIPPED");
                        assertThat(f.app.pendingSignalSlots()).isEqualTo(1);
                        assertThat(s.await(Duration.ofSeconds(1))).isEqualTo("SHIPPED");
                      })
                  .build());
      f.app.start();
      c.trigger("o-1", Map.of());
      assertThat(f.states()).containsExactly(State.PASS);
    }
  }

  @Test
  void a_signal_waited_twice_reports_the_latency_of_the_last_wait() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean firstWaitDone =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (Fixture f = new Fixture(null, false)) {
      Case c =
          f.app.register(
              Case.builder("orders.twice")
                  .signal("order_status", String.class)
                  .run(
                      (t, self) -> {
                        Signal<String> s = self.signal("order_status", String.class);
                        s.await(Duration.ofSeconds(5));
                        firstWaitDone.set(true);
                        s.await(Duration.ofSeconds(5));
                      })
                  .build());
      f.app.start();
      TestExecution t = c.trigger("o-1", Map.of());
      Signal<String> s = c.signal("order_status", String.class);
      Fixture.awaitCondition(() -> f.app.pendingSignalSlots() == 1);
      f.time.advance(Duration.ofMillis(300));
      try (TestContext.Scope scope = TestContext.enter(t)) {
        s.send("PACKED");
      }
      // The second wait is in place: its slot and its timer (beside the stall watchdog).
      Fixture.awaitCondition(
          () ->
              firstWaitDone.get() && f.app.pendingSignalSlots() == 1 && f.time.pendingTasks() == 2);
      f.time.advance(Duration.ofMillis(50));
      try (TestContext.Scope scope = TestContext.enter(t)) {
        s.send("SHIPPED");
      }
      Fixture.awaitCondition(() -> f.reports.size() == 1);
      assertThat(f.last().state()).isEqualTo(State.PASS);
      assertThat(f.last().signalLatency())
          .containsExactly(Map.entry("order_status", Duration.ofMillis(50)));
    }
  }

  @Test
  void when_the_cap_is_reached_the_oldest_kept_event_is_dropped() {
    FakeTimeSource time = new FakeTimeSource();
    try (LiveCheck app = quietApp(time).maxPendingSignals(2).build()) {
      PlaceOrder c = app.register(new PlaceOrder());
      app.start();
      for (String id : java.util.List.of("t0", "t1", "t2")) {
        c.shipped.send(new Shipment(id, "SHIPPED"), id, true);
      }
      assertThat(app.droppedSignals()).isEqualTo(1);
      assertThat(c.shipped.await("t2", Duration.ofMillis(1)))
          .isEqualTo(new Shipment("t2", "SHIPPED"));
      assertThat(c.shipped.await("t1", Duration.ofMillis(1)))
          .isEqualTo(new Shipment("t1", "SHIPPED"));
      assertThat(app.pendingSignalSlots()).isZero();
    }
  }

  @Test
  void events_nobody_claims_are_dropped_after_the_signal_retention() {
    FakeTimeSource time = new FakeTimeSource();
    try (LiveCheck app = quietApp(time).signalRetention(Duration.ofSeconds(30)).build()) {
      PlaceOrder c = app.register(new PlaceOrder()); // tests expire after 1 s
      app.start();
      c.shipped.send(new Shipment("x", "SHIPPED"), "x", true); // forced: no test, no expiry
      time.advance(Duration.ofSeconds(29));
      assertThat(app.pendingSignalSlots()).isEqualTo(1);
      time.advance(Duration.ofSeconds(1));
      assertThat(app.pendingSignalSlots()).isZero();
      assertThat(app.droppedSignals()).as("expiry is no cap drop").isZero();
    }
  }

  @Test
  void a_payload_that_crossed_a_process_boundary_as_json_is_read_as_the_signal_type() {
    try (Fixture f = new Fixture()) {
      PlaceOrder c = f.app.register(new PlaceOrder());
      f.app.start();
      com.fasterxml.jackson.databind.node.ObjectNode json =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .createObjectNode()
              .put("orderId", "o-9")
              .put("status", "SHIPPED");
      f.app
          .signalWaiters()
          .resolve(
              new dev.grindstone.livecheck.internal.SignalWaiters.Key(
                  c.name(), "order_shipped", "o-9"),
              new SignalEvent("order_shipped", c.name(), "o-9", "o-9", json, null));
      assertThat(c.shipped.await("o-9", Duration.ofSeconds(1)))
          .isEqualTo(new Shipment("o-9", "SHIPPED"));
    }
  }
}
