package dev.grindstone.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReservationTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void nothing_is_taken_before_the_coordinator_answers_and_then_only_what_it_reserved() {
    Reservation r = new Reservation("queue feeder 'users.csv'", 1000, 0);
    assertThat(r.tryTake()).isEqualTo(Reservation.NONE);
    r.answered(0, 3);
    assertThat(List.of(r.tryTake(), r.tryTake(), r.tryTake())).containsExactly(0L, 1L, 2L);
    assertThat(r.tryTake()).as("position 3 is not reserved").isEqualTo(Reservation.NONE);
    assertThat(r.used()).isEqualTo(3);
    r.answered(0, 5);
    assertThat(r.tryTake()).isEqualTo(3);
  }

  @Test
  void a_replacement_starts_where_the_coordinator_says_its_older_attempts_stopped_reserving() {
    Reservation r = new Reservation("queue feeder 'users.csv'", 1000, 0);
    r.answered(200, 240);
    assertThat(r.from()).isEqualTo(200);
    assertThat(r.tryTake()).isEqualTo(200);
    assertThat(r.used()).isEqualTo(201);
    assertThatThrownBy(() -> r.answered(0, 300))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("moved the start of queue feeder 'users.csv' from 200 to 0");
  }

  @Test
  void a_used_up_sequence_answers_its_end_without_taking_it() {
    Reservation r = new Reservation("rows", 2, 0);
    r.answered(0, 2);
    assertThat(List.of(r.tryTake(), r.tryTake())).containsExactly(0L, 1L);
    assertThat(r.tryTake()).isEqualTo(2);
    assertThat(r.tryTake()).isEqualTo(2);
    assertThat(r.used()).isEqualTo(2);
    assertThat(r.ask(0, SECOND)).as("nothing left to reserve").isZero();
  }

  @Test
  void the_first_ask_reserves_twice_the_minimum_ahead_and_never_beyond_the_end() {
    assertThat(new Reservation("a", 1000, 0).ask(0, SECOND)).isEqualTo(2 * Reservation.FLOOR);
    assertThat(new Reservation("b", 1000, 100).ask(0, SECOND)).isEqualTo(200);
    assertThat(new Reservation("c", 50, 100).ask(0, SECOND)).isEqualTo(50);
  }

  @Test
  void it_asks_again_when_less_than_two_intervals_worth_is_left_at_the_rate_measured() {
    Reservation r = new Reservation("rows", 1_000_000, 0);
    r.ask(0, SECOND);
    r.answered(0, 32);
    take(r, 10);
    assertThat(r.ask(SECOND / 2, SECOND)).as("16 or more left, within an interval").isZero();
    take(r, 10); // 20 used, 12 left
    // 20 positions over the first interval: 40 ahead; 12 left is too few: ask for 80 beyond 20.
    assertThat(r.ask(SECOND, SECOND)).isEqualTo(80);
    assertThat(r.ahead()).isEqualTo(40);
    r.answered(0, 100);
    take(r, 30); // 50 used, 50 left
    assertThat(r.ask(3 * SECOND / 2, SECOND)).as("the rate is measured over an interval").isZero();
    // 30 over the second interval: 60 ahead, 50 left.
    assertThat(r.ask(2 * SECOND, SECOND)).isEqualTo(120);
    r.answered(0, 170);
    // None over the next interval: the floor ahead, and 120 are left.
    assertThat(r.ask(3 * SECOND, SECOND)).isZero();
    assertThat(r.ahead()).isEqualTo(Reservation.FLOOR);
  }

  @Test
  void a_taker_below_half_the_margin_asks_for_more_once_until_the_next_ask() {
    Reservation r = new Reservation("rows", 1000, 0);
    AtomicInteger demands = new AtomicInteger();
    r.onDemand(demands::incrementAndGet);
    r.ask(0, SECOND);
    r.answered(0, 32);
    take(r, 24);
    assertThat(demands).hasValue(0);
    take(r, 1); // 8 left: half of the 16 ahead
    assertThat(demands).hasValue(1);
    take(r, 4);
    assertThat(demands).as("once until it is asked").hasValue(1);
    r.ask(1, SECOND);
    take(r, 1);
    assertThat(demands).hasValue(2);
  }

  @Test
  void a_taker_beyond_the_reservation_waits_for_the_next_answer_and_is_counted() throws Exception {
    Reservation r = new Reservation("rows", 1000, 0);
    r.answered(0, 1);
    assertThat(r.tryTake()).isZero();
    AtomicLong asked = new AtomicLong();
    Thread grant =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (r.waiting() == 0) {
                    Thread.onSpinWait();
                  }
                  // The asking side sees the waiter and asks for it beyond the margin.
                  asked.set(r.ask(0, SECOND));
                  r.answered(0, 2 + 2 * Reservation.FLOOR);
                });
    long deadline = System.nanoTime() + 10 * SECOND;
    assertThat(r.await(() -> System.nanoTime() > deadline)).isTrue();
    assertThat(r.tryTake()).isEqualTo(1);
    grant.join();
    assertThat(asked).hasValue(2 * Reservation.FLOOR + 1);
    assertThat(r.waits()).isEqualTo(1);
    assertThat(r.longestWaitNanos()).isPositive();
  }

  @Test
  void a_waiting_taker_stops_waiting_when_told_to() {
    Reservation r = new Reservation("rows", 1000, 0);
    r.answered(0, 0);
    AtomicInteger checks = new AtomicInteger();
    assertThat(r.await(() -> checks.incrementAndGet() > 2)).isFalse();
    assertThat(checks).hasValue(3);
    assertThat(r.tryTake()).isEqualTo(Reservation.NONE);
  }

  @Test
  void concurrent_takers_take_each_reserved_position_once() throws Exception {
    Reservation r = new Reservation("rows", 10_000, 0);
    r.answered(100, 100);
    Set<Long> taken = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    List<Thread> users = new ArrayList<>();
    for (int u = 0; u < 16; u++) {
      users.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (true) {
                      long p = r.tryTake();
                      if (p == Reservation.NONE) {
                        if (!r.await(() -> false)) {
                          return;
                        }
                        continue;
                      }
                      if (p >= r.end()) {
                        return;
                      }
                      if (!taken.add(p)) {
                        duplicates.incrementAndGet();
                      }
                    }
                  }));
    }
    // The coordinator reserves in steps of 37 until the end.
    for (long upTo = 137; upTo < 10_000 + 37; upTo += 37) {
      r.answered(100, Math.min(upTo, 10_000));
      TimeUnit.MICROSECONDS.sleep(50);
    }
    for (Thread t : users) {
      t.join(10_000);
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(duplicates).hasValue(0);
    assertThat(taken).hasSize(9_900).doesNotContain(99L).contains(100L, 9_999L);
  }

  @Test
  void an_unlimited_reservation_takes_every_position_from_the_first() {
    Reservation r = new Reservation("rows", 3, 0);
    r.unlimited();
    assertThat(List.of(r.tryTake(), r.tryTake(), r.tryTake(), r.tryTake()))
        .containsExactly(0L, 1L, 2L, 3L);
    assertThat(r.ask(0, SECOND)).isZero();
  }

  @Test
  void rejects_a_blank_key_and_negative_sizes() {
    assertThatThrownBy(() -> new Reservation(" ", 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a key");
    assertThatThrownBy(() -> new Reservation("rows", -1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 or more, got -1");
  }

  @Test
  void a_counted_sequence_is_taken_freely_from_where_its_attempt_starts_and_reported_after() {
    Reservation r = Reservation.counted("iterations of phase 2 'once'", 10);
    assertThat(r.isCounted()).isTrue();
    r.answered(4, 4);
    assertThat(r.reportDue()).isFalse();
    assertThat(List.of(r.tryTake(), r.tryTake())).containsExactly(4L, 5L);
    assertThat(r.ask(0, SECOND)).as("never reserved ahead").isZero();
    assertThat(r.reportDue()).isTrue();
    r.answered(4, 6);
    assertThat(r.reportDue()).isFalse();
    take(r, 4);
    assertThat(r.tryTake()).as("all 10 taken").isEqualTo(10);
    assertThat(r.used()).isEqualTo(10);
  }

  @Test
  void a_key_longer_than_the_limit_is_cut() {
    assertThat(new Reservation("k".repeat(300), 1, 0).key()).hasSize(Reservation.MAX_KEY);
  }

  private static void take(Reservation r, int n) {
    for (int i = 0; i < n; i++) {
      assertThat(r.tryTake()).as("take %d", i).isNotEqualTo(Reservation.NONE);
    }
  }
}
