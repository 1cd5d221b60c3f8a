package dev.grindstone.stats.stress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class StressTest {

  @Test
  void writers_run_on_platform_and_virtual_threads_and_the_last_drain_sees_all_their_writes()
      throws Exception {
    Set<String> kinds = ConcurrentHashMap.newKeySet();
    AtomicLongArray written = new AtomicLongArray(6);
    AtomicLong pending = new AtomicLong();
    long[] drained = {0};
    Stress.run(
        2,
        4,
        Duration.ofMillis(100),
        (index, running) -> {
          kinds.add((index < 2) + "/" + Thread.currentThread().isVirtual());
          while (running.getAsBoolean()) {
            written.incrementAndGet(index);
            pending.incrementAndGet();
            Stress.letOthersRun();
          }
        },
        () -> drained[0] += pending.getAndSet(0));
    long total = 0;
    for (int i = 0; i < written.length(); i++) {
      assertThat(written.get(i)).as("writes of writer %d", i).isPositive();
      total += written.get(i);
    }
    assertThat(drained[0]).isEqualTo(total);
    assertThat(kinds).containsExactlyInAnyOrder("true/false", "false/true");
  }

  @Test
  void a_failing_writer_fails_the_run() {
    assertThatThrownBy(
            () ->
                Stress.run(
                    1,
                    1,
                    Duration.ofSeconds(5),
                    (index, running) -> {
                      if (index == 1) {
                        throw new IllegalStateException("lost a record");
                      }
                    },
                    () -> {}))
        .isInstanceOf(AssertionError.class)
        .hasMessage("a writer failed: lost a record");
  }

  @Test
  void a_failing_reader_stops_the_writers_and_fails_the_run() {
    assertThatThrownBy(
            () ->
                Stress.run(
                    1,
                    2,
                    Duration.ofSeconds(5),
                    (index, running) -> {
                      while (running.getAsBoolean()) {
                        Thread.onSpinWait();
                      }
                    },
                    () -> {
                      throw new AssertionError("record counted twice");
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessage("the reader failed: record counted twice");
  }

  @Test
  void a_writer_that_never_ends_is_reported_with_where_it_is() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try {
      assertThatThrownBy(
              () ->
                  Stress.run(
                      0,
                      1,
                      Duration.ofMillis(10),
                      (index, running) -> release.await(),
                      () -> {},
                      Duration.ofMillis(200)))
          .isInstanceOf(AssertionError.class)
          .hasMessage("1 writer(s) still running 200 ms after the end")
          .satisfies(
              e ->
                  assertThat(e.getSuppressed())
                      .singleElement()
                      .satisfies(
                          where -> {
                            assertThat(where).hasMessage("stress-writer-0 is here");
                            assertThat(where.getStackTrace()).isNotEmpty();
                          }));
    } finally {
      release.countDown();
    }
  }

  @Test
  void a_run_needs_a_writer() {
    assertThatThrownBy(() -> Stress.run(0, 0, Duration.ofMillis(1), (i, r) -> {}, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a stress run needs at least one writer, got 0 platform and 0 virtual");
  }
}
