package dev.grindstone.livecheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.livecheck.time.FakeTimeSource;
import dev.grindstone.livecheck.transport.InMemoryTransport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FakeRequestLoopTest {

  @Test
  void only_the_leader_makes_fake_requests_and_leadership_moves_when_it_stops() {
    FakeTimeSource time = new FakeTimeSource();
    InMemoryTransport bus = new InMemoryTransport();
    List<String> calls = new CopyOnWriteArrayList<>();
    LiveCheck[] instances = new LiveCheck[3];
    for (int i = 0; i < 3; i++) {
      String who = "instance-" + i;
      instances[i] =
          LiveCheck.builder("orders-service")
              .time(time)
              .transport(bus)
              .executor(Runnable::run)
              .logReports(false)
              .log(line -> {})
              .build();
      instances[i].register(
          Case.builder("orders.place_order")
              .settings(CaseSettings.builder().frequency("10s").build())
              .run((t, self) -> {})
              .fakeRequest(self -> calls.add(who + "@" + time.nanoTime() / 1_000_000_000))
              .build());
      instances[i].start();
    }
    time.advance(Duration.ofSeconds(25));
    assertThat(calls).containsExactly("instance-0@0", "instance-0@10", "instance-0@20");
    assertThat(instances[0].isLeader()).isTrue();
    assertThat(instances[1].isLeader()).isFalse();

    instances[0].close();
    calls.clear();
    assertThat(instances[1].isLeader()).isTrue();
    time.advance(Duration.ofSeconds(20));
    assertThat(calls).containsExactly("instance-1@25", "instance-1@35", "instance-1@45");

    instances[1].close();
    instances[2].close();
    calls.clear();
    time.advance(Duration.ofSeconds(60));
    assertThat(calls).isEmpty();
  }

  @Test
  void tests_triggered_on_any_instance_run_once_across_instances() {
    FakeTimeSource time = new FakeTimeSource();
    InMemoryTransport bus = new InMemoryTransport();
    List<String> runs = new CopyOnWriteArrayList<>();
    LiveCheck[] instances = new LiveCheck[2];
    Case[] cases = new Case[2];
    for (int i = 0; i < 2; i++) {
      String who = "i" + i;
      instances[i] =
          LiveCheck.builder("orders-service")
              .time(time)
              .transport(bus)
              .executor(Runnable::run)
              .logReports(false)
              .log(l -> {})
              .build();
      cases[i] =
          instances[i].register(
              Case.builder("orders.place_order")
                  .run((t, self) -> runs.add(t.id() + "@" + who))
                  .build());
      instances[i].start();
    }
    for (int n = 0; n < 20; n++) {
      cases[n % 2].trigger("t" + n, Map.of());
    }
    assertThat(runs).hasSize(20);
    assertThat(runs.stream().map(r -> r.substring(0, r.indexOf('@'))).distinct()).hasSize(20);
    assertThat(runs.stream().filter(r -> r.endsWith("@i0"))).isNotEmpty();
    assertThat(runs.stream().filter(r -> r.endsWith("@i1"))).isNotEmpty();
    instances[0].close();
    instances[1].close();
  }

  @Test
  @SuppressWarnings("try")
  void a_signal_sent_on_another_instance_reaches_the_instance_running_the_test() throws Exception {
    FakeTimeSource time = new FakeTimeSource();
    InMemoryTransport bus = new InMemoryTransport();
    List<TestReport> reports = new CopyOnWriteArrayList<>();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newCachedThreadPool();
    LiveCheck[] instances = new LiveCheck[2];
    Case[] cases = new Case[2];
    for (int i = 0; i < 2; i++) {
      instances[i] =
          LiveCheck.builder("orders-service")
              .time(time)
              .transport(bus)
              .executor(pool)
              .logReports(false)
              .log(l -> {})
              .sink(reports::add)
              .build();
      cases[i] =
          instances[i].register(
              Case.builder("orders.place_order")
                  .signal("order_shipped", String.class)
                  .run(
                      (t, self) ->
                          assertThat(
                                  self.signal("order_shipped", String.class)
                                      .await(Duration.ofSeconds(5)))
                              .isEqualTo("SHIPPED"))
                  .build());
      instances[i].start();
    }
    try {
      for (int n = 0; n < 10; n++) {
        TestExecution t = cases[0].trigger("t" + n, Map.of());
        // The shipping step runs on the other instance, inside the same test (as after an HTTP
        // hop).
        try (TestContext.Scope s = TestContext.enter(t)) {
          cases[1].signal("order_shipped", String.class).send("SHIPPED");
        }
      }
      Fixture.awaitCondition(() -> reports.size() == 10);
      assertThat(reports).allMatch(r -> r.state() == State.PASS);
    } finally {
      instances[0].close();
      instances[1].close();
      pool.shutdownNow();
    }
  }

  @Test
  void a_fake_request_still_running_is_not_started_again() throws Exception {
    FakeTimeSource time = new FakeTimeSource();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger started =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newCachedThreadPool();
    java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.Executor counting =
        task ->
            pool.execute(
                () -> {
                  task.run();
                  ran.incrementAndGet();
                });
    try (LiveCheck app =
        LiveCheck.builder("orders-service")
            .time(time)
            .executor(counting)
            .logReports(false)
            .log(l -> {})
            .build()) {
      app.register(
          Case.builder("orders.slow_fake")
              .settings(CaseSettings.builder().frequency("1s").build())
              .run((t, self) -> {})
              .fakeRequest(
                  self -> {
                    started.incrementAndGet();
                    release.await();
                  })
              .build());
      app.start();
      time.advance(Duration.ZERO); // the first fake request is due at once
      Fixture.awaitCondition(() -> started.get() == 1);
      time.advance(Duration.ofSeconds(5));
      Fixture.awaitCondition(() -> ran.get() == 5); // five ticks came and went while the first ran
      pool.shutdown();
      release.countDown();
      assertThat(pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(started.get()).isEqualTo(1);
    }
  }
}
