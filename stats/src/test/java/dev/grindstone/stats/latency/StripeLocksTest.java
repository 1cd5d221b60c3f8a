package dev.grindstone.stats.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StripeLocksTest {

  @Test
  void stripes_are_rounded_up_to_a_power_of_two_of_at_least_two() {
    assertThat(new StripeLocks(1).stripes()).isEqualTo(2);
    assertThat(new StripeLocks(3).stripes()).isEqualTo(4);
    assertThat(new StripeLocks(8).stripes()).isEqualTo(8);
    assertThat(StripeLocks.forProcessors().stripes())
        .isGreaterThanOrEqualTo(Math.min(2 * Runtime.getRuntime().availableProcessors(), 16))
        .isLessThanOrEqualTo(StripeLocks.MAX_STRIPES_FOR_PROCESSORS);
  }

  @Test
  void a_bad_stripe_count_is_refused_with_the_allowed_range() {
    assertThatThrownBy(() -> new StripeLocks(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 1 and 65536, got 0");
  }

  @Test
  void a_writer_whose_stripe_is_held_takes_another_instead_of_waiting() throws Exception {
    StripeLocks locks = new StripeLocks(2);
    int held = locks.acquire();
    int other =
        CompletableFuture.supplyAsync(
                () -> {
                  int i = locks.acquire();
                  locks.release(i);
                  return i;
                })
            .get(10, TimeUnit.SECONDS);
    assertThat(other).isNotEqualTo(held);
    locks.release(held);
  }

  @Test
  void a_reader_waits_for_the_writer_holding_the_stripe() throws Exception {
    StripeLocks locks = new StripeLocks(2);
    int held = locks.acquire();
    CompletableFuture<Void> reader =
        CompletableFuture.runAsync(
            () -> {
              locks.acquire(held);
              locks.release(held);
            });
    Thread.sleep(50);
    assertThat(reader).as("the reader must not take a held stripe").isNotDone();
    locks.release(held);
    reader.get(10, TimeUnit.SECONDS);
  }

  @Test
  void plain_counters_under_the_locks_lose_no_update_while_a_reader_drains_them() throws Exception {
    StripeLocks locks = new StripeLocks(4);
    long[] counts = new long[locks.stripes()];
    int perThread = 200_000;
    List<Thread> writers = new ArrayList<>();
    Runnable writer =
        () -> {
          for (int n = 0; n < perThread; n++) {
            int i = locks.acquire();
            counts[i]++;
            locks.release(i);
          }
        };
    for (int t = 0; t < 4; t++) {
      writers.add(Thread.ofPlatform().start(writer));
      writers.add(Thread.ofVirtual().start(writer));
    }
    long drained = 0;
    while (writers.stream().anyMatch(Thread::isAlive)) {
      drained += drain(locks, counts);
    }
    drained += drain(locks, counts);
    assertThat(drained).isEqualTo(8L * perThread);
  }

  private static long drain(StripeLocks locks, long[] counts) {
    long sum = 0;
    for (int i = 0; i < counts.length; i++) {
      locks.acquire(i);
      sum += counts[i];
      counts[i] = 0;
      locks.release(i);
    }
    return sum;
  }
}
