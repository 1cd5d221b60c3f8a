package dev.grindstone.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class TimerWheelTest {

  private static final long MS = 1_000_000L;

  @Test
  void ten_thousand_sleeping_virtual_threads_all_wake_and_none_before_its_time() throws Exception {
    try (TimerWheel wheel = new TimerWheel()) {
      AtomicLong early = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      SplittableRandom random = new SplittableRandom(42);
      for (int i = 0; i < 10_000; i++) {
        long sleepNanos = random.nextLong(1 * MS, 60 * MS);
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      TimerWheel.Sleeper me = new TimerWheel.Sleeper();
                      for (int round = 0; round < 3; round++) {
                        long deadline = System.nanoTime() + sleepNanos;
                        wheel.sleepUntil(me, deadline, () -> false);
                        if (System.nanoTime() - deadline < 0) {
                          early.incrementAndGet();
                        }
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join(30_000);
        assertThat(t.isAlive()).as("every sleeper is woken").isFalse();
      }
      assertThat(early.get()).as("sleeps that ended before their deadline").isZero();
    }
  }

  @Test
  void a_stop_request_ends_a_sleep_at_once_and_the_next_sleep_still_lasts_its_time()
      throws Exception {
    try (TimerWheel wheel = new TimerWheel()) {
      AtomicBoolean stop = new AtomicBoolean();
      long[] sleptNanos = new long[2];
      Thread user =
          Thread.ofVirtual()
              .start(
                  () -> {
                    TimerWheel.Sleeper me = new TimerWheel.Sleeper();
                    long t0 = System.nanoTime();
                    wheel.sleepUntil(me, t0 + 60_000 * MS, stop::get);
                    sleptNanos[0] = System.nanoTime() - t0;
                    stop.set(false);
                    long t1 = System.nanoTime();
                    wheel.sleepUntil(
                        me, t1 + 30 * MS, stop::get); // still on the wheel from the first sleep
                    sleptNanos[1] = System.nanoTime() - t1;
                  });
      Thread.sleep(50);
      stop.set(true);
      LockSupport.unpark(user);
      user.join(10_000);
      assertThat(user.isAlive()).isFalse();
      assertThat(sleptNanos[0]).isLessThan(10_000 * MS);
      assertThat(sleptNanos[1]).isGreaterThanOrEqualTo(30 * MS);
    }
  }

  @Test
  void two_threads_sleeping_on_one_sleeper_both_wake_and_neither_early() throws Exception {
    try (TimerWheel wheel = new TimerWheel()) {
      TimerWheel.Sleeper shared = new TimerWheel.Sleeper();
      AtomicLong early = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      for (int round = 0; round < 20; round++) {
                        long deadline = System.nanoTime() + 5 * MS;
                        wheel.sleepUntil(shared, deadline, () -> false);
                        if (System.nanoTime() - deadline < 0) {
                          early.incrementAndGet();
                        }
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
      }
      assertThat(early.get()).isZero();
    }
  }

  @Test
  void closing_the_wheel_lets_sleepers_finish_their_sleep_on_their_own() throws Exception {
    TimerWheel wheel = new TimerWheel();
    long deadline = System.nanoTime() + 300 * MS;
    long[] woke = new long[1];
    Thread user =
        Thread.ofVirtual()
            .start(
                () -> {
                  wheel.sleepUntil(new TimerWheel.Sleeper(), deadline, () -> false);
                  woke[0] = System.nanoTime();
                });
    Thread.sleep(50);
    wheel.close();
    user.join(10_000);
    assertThat(user.isAlive()).isFalse();
    assertThat(woke[0] - deadline).as("woke after its deadline").isGreaterThanOrEqualTo(0);
    long afterClose = System.nanoTime() + 20 * MS;
    wheel.sleepUntil(new TimerWheel.Sleeper(), afterClose, () -> false);
    assertThat(System.nanoTime() - afterClose).isGreaterThanOrEqualTo(0);
  }

  @Test
  void with_nobody_asleep_the_timer_parks_until_a_sleeper_comes() throws Exception {
    try (TimerWheel wheel = new TimerWheel()) {
      awaitParkedWithoutTimeout(wheel.timerThread());
      for (int round = 0; round < 3; round++) {
        long deadline = System.nanoTime() + 5 * MS;
        Thread user =
            Thread.ofVirtual()
                .start(() -> wheel.sleepUntil(new TimerWheel.Sleeper(), deadline, () -> false));
        user.join(10_000);
        assertThat(user.isAlive()).as("the sleeper is woken").isFalse();
        assertThat(System.nanoTime() - deadline).isGreaterThanOrEqualTo(0);
        awaitParkedWithoutTimeout(wheel.timerThread());
      }
    }
  }

  @Test
  void a_sleeper_due_before_the_timer_would_wake_wakes_it_and_later_sleepers_keep_their_time()
      throws Exception {
    try (TimerWheel wheel = new TimerWheel()) {
      long start = System.nanoTime();
      // The timer parks until the first one's tick; the second is beyond a turn of the wheel
      // (about 4.1 s), so its bucket comes round once before it is due.
      long[] deadlines = {start + 3_000 * MS, start + 4_300 * MS};
      long[] woke = new long[2];
      List<Thread> later = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        int k = i;
        later.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      wheel.sleepUntil(new TimerWheel.Sleeper(), deadlines[k], () -> false);
                      woke[k] = System.nanoTime();
                    }));
      }
      Thread.sleep(100); // the timer has placed them and parked until the first one's tick
      long shortDeadline = System.nanoTime() + 5 * MS;
      long[] shortWoke = new long[1];
      Thread shortSleeper =
          Thread.ofVirtual()
              .start(
                  () -> {
                    wheel.sleepUntil(new TimerWheel.Sleeper(), shortDeadline, () -> false);
                    shortWoke[0] = System.nanoTime();
                  });
      shortSleeper.join(10_000);
      assertThat(shortSleeper.isAlive()).isFalse();
      assertThat(shortWoke[0] - shortDeadline).isGreaterThanOrEqualTo(0);
      assertThat(shortWoke[0] - deadlines[0])
          .as("the short sleep ended without waiting for the timer's planned wake")
          .isNegative();
      for (int i = 0; i < 2; i++) {
        later.get(i).join(20_000);
        assertThat(later.get(i).isAlive()).isFalse();
        assertThat(woke[i] - deadlines[i]).as("woke after its deadline").isGreaterThanOrEqualTo(0);
      }
    }
  }

  /** Waits until {@code timer} parks without a timeout (the wheel is empty). */
  private static void awaitParkedWithoutTimeout(Thread timer) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000 * MS;
    while (timer.getState() != Thread.State.WAITING) {
      assertThat(System.nanoTime() - deadline)
          .as("the timer thread parks without a timeout; it is %s", timer.getState())
          .isNegative();
      Thread.sleep(5);
    }
  }
}
