package dev.grindstone.livecheck.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeTimeSourceTest {

  @Test
  void advance_runs_due_tasks_in_order_with_the_clock_at_their_due_time() {
    FakeTimeSource t = new FakeTimeSource();
    List<String> seen = new ArrayList<>();
    t.schedule(Duration.ofSeconds(2), () -> seen.add("b@" + t.nanoTime() / 1_000_000_000));
    t.schedule(Duration.ofSeconds(1), () -> seen.add("a@" + t.nanoTime() / 1_000_000_000));
    t.schedule(Duration.ofSeconds(5), () -> seen.add("late"));
    t.advance(Duration.ofSeconds(3));
    assertThat(seen).containsExactly("a@1", "b@2");
    assertThat(t.nanoTime()).isEqualTo(3_000_000_000L);
    assertThat(t.pendingTasks()).isEqualTo(1);
  }

  @Test
  void fixed_rate_tasks_repeat_and_stop_when_cancelled() {
    FakeTimeSource t = new FakeTimeSource();
    List<Long> at = new ArrayList<>();
    TimeSource.Cancellable c =
        t.scheduleAtFixedRate(
            Duration.ZERO, Duration.ofSeconds(10), () -> at.add(t.nanoTime() / 1_000_000_000));
    t.advance(Duration.ofSeconds(35));
    assertThat(at).containsExactly(0L, 10L, 20L, 30L);
    c.cancel();
    t.advance(Duration.ofSeconds(60));
    assertThat(at).hasSize(4);
  }

  @Test
  void cancelled_tasks_do_not_pile_up() {
    FakeTimeSource t = new FakeTimeSource();
    for (int i = 0; i < 100_000; i++) {
      t.schedule(Duration.ofHours(3), () -> {}).cancel();
    }
    assertThat(t.pendingTasks()).isZero();
    assertThat(t.queueSize()).as("queue entries after 100,000 cancellations").isLessThan(200);
    t.schedule(Duration.ofHours(1), () -> {});
    assertThat(t.pendingTasks()).isEqualTo(1);
  }

  @Test
  void sleep_records_and_advances() {
    FakeTimeSource t = new FakeTimeSource();
    t.sleep(Duration.ofMillis(750));
    t.sleep(Duration.ofMillis(1125));
    assertThat(t.sleeps()).containsExactly(Duration.ofMillis(750), Duration.ofMillis(1125));
    assertThat(t.nanoTime()).isEqualTo(1_875_000_000L);
    assertThat(t.now()).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:01.875Z"));
  }
}
