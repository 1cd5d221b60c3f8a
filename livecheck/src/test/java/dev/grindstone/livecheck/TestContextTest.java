package dev.grindstone.livecheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes are opened for their effect on the thread's context
class TestContextTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static TestExecution test(String id) {
    return new TestExecution(id, "orders.place_order", T0, Map.of(), T0.plusSeconds(60));
  }

  @Test
  void the_current_test_is_visible_on_the_thread_and_nested_scopes_restore_the_outer_one() {
    assertThat(LiveCheck.current()).isEmpty();
    try (TestContext.Scope outer = TestContext.enter(test("a"))) {
      assertThat(LiveCheck.current().map(TestExecution::id)).contains("a");
      try (TestContext.Scope inner = TestContext.enter(test("b"))) {
        assertThat(LiveCheck.current().map(TestExecution::id)).contains("b");
      }
      assertThat(LiveCheck.current().map(TestExecution::id)).contains("a");
    }
    assertThat(LiveCheck.current()).isEmpty();
  }

  @Test
  void threads_started_inside_a_test_see_it_until_the_scope_closes() throws Exception {
    AtomicReference<Optional<TestExecution>> during = new AtomicReference<>();
    AtomicReference<Optional<TestExecution>> after = new AtomicReference<>();
    CountDownLatch closed = new CountDownLatch(1);
    CountDownLatch read = new CountDownLatch(1);
    Thread child;
    try (TestContext.Scope s = TestContext.enter(test("a"))) {
      child =
          new Thread(
              () -> {
                during.set(LiveCheck.current());
                read.countDown();
                try {
                  closed.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                after.set(LiveCheck.current());
              });
      child.start();
      assertThat(read.await(10, TimeUnit.SECONDS)).isTrue();
    }
    closed.countDown();
    child.join(10_000);
    assertThat(during.get().map(TestExecution::id)).contains("a");
    assertThat(after.get()).as("a pooled thread must not keep a finished test").isEmpty();
  }

  @Test
  void executors_carry_the_test_when_wrapped() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      pool.submit(() -> {}).get(); // the worker exists before any test
      try (TestContext.Scope s = TestContext.enter(test("a"))) {
        assertThat(
                CompletableFuture.supplyAsync(LiveCheck::current, pool).get(10, TimeUnit.SECONDS))
            .as("plain submission")
            .isEmpty();
        assertThat(
                CompletableFuture.supplyAsync(LiveCheck::current, TestContext.propagating(pool))
                    .get(10, TimeUnit.SECONDS)
                    .map(TestExecution::id))
            .contains("a");
        AtomicReference<Optional<TestExecution>> seen = new AtomicReference<>();
        pool.submit(TestContext.wrap(() -> seen.set(LiveCheck.current()))).get();
        assertThat(seen.get().map(TestExecution::id)).contains("a");
        assertThat(
                pool.submit(TestContext.wrap(() -> LiveCheck.current().map(TestExecution::id)))
                    .get())
            .contains("a");
      }
      assertThat(pool.submit(LiveCheck::current).get())
          .as("nothing left behind on the worker")
          .isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }
}
