package dev.grindstone.livecheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CaseStateTest {

  static final class Flaky extends Case {
    final AtomicBoolean failing = new AtomicBoolean();
    final List<String> suiteFails = new CopyOnWriteArrayList<>();

    Flaky(CaseSettings s) {
      super("orders.flaky", s);
    }

    @Override
    protected void run(TestExecution test) {
      if (failing.get()) {
        throw new AssertionError("not shipped");
      }
    }

    @Override
    protected void onSuiteFail(SuiteFailedException e, State newState) {
      suiteFails.add(newState + " " + e.getMessage());
    }
  }

  private static CaseSettings settings() {
    return CaseSettings.builder().maxConsecutiveFailures(3).stateTransitionDelay("60s").build();
  }

  @Test
  void the_suite_fails_after_max_consecutive_failures_and_reports_once_per_transition_delay() {
    try (Fixture f = new Fixture()) {
      Flaky c = f.app.register(new Flaky(settings()));
      f.app.start();
      c.failing.set(true);
      c.trigger("1", Map.of());
      c.trigger("2", Map.of());
      assertThat(c.status()).isEqualTo(State.FAIL);
      assertThat(c.suiteFailed()).isFalse();
      assertThat(c.consecutiveFailures()).isEqualTo(2);
      c.trigger("3", Map.of());
      assertThat(c.suiteFailed()).isTrue();
      assertThat(c.lastFail()).contains(f.time.now());
      assertThat(c.suiteFails)
          .containsExactly("FAIL failed 3 times in a row (max_consecutive_failures=3)");
      TestReport suite = f.last();
      assertThat(suite.isSuiteReport()).isTrue();
      assertThat(suite.state()).isEqualTo(State.FAIL);
      assertThat(suite.suiteFailed()).isTrue();
      assertThat(suite.consecutiveFailures()).isEqualTo(3);

      f.time.advance(Duration.ofSeconds(10));
      c.trigger("4", Map.of());
      assertThat(c.suiteFails).as("debounced: within 60 s of the last suite failure").hasSize(1);
      assertThat(f.reports.stream().filter(TestReport::isSuiteReport)).hasSize(1);

      f.time.advance(Duration.ofSeconds(61));
      c.trigger("5", Map.of());
      assertThat(c.suiteFails).as("reported again after the delay").hasSize(2);
      assertThat(c.totalFailures()).isEqualTo(5);
      assertThat(c.totalByState()).containsEntry(State.FAIL, 5L);
    }
  }

  @Test
  void a_failed_suite_recovers_only_after_the_transition_delay() {
    try (Fixture f = new Fixture()) {
      Flaky c = f.app.register(new Flaky(settings()));
      f.app.start();
      c.failing.set(true);
      for (int i = 0; i < 3; i++) {
        c.trigger("f" + i, Map.of());
      }
      c.failing.set(false);
      f.time.advance(Duration.ofSeconds(30));
      c.trigger("p1", Map.of());
      assertThat(c.status()).as("30 s after the suite failed").isEqualTo(State.FAIL);
      assertThat(c.consecutiveFailures()).as("a pass ends the streak").isZero();
      assertThat(c.secondsSinceLastFail()).hasValue(30.0);
      f.time.advance(Duration.ofSeconds(31));
      c.trigger("p2", Map.of());
      assertThat(c.status()).isEqualTo(State.PASS);
      assertThat(c.suiteFailed()).isFalse();
      assertThat(f.changes).containsExactly("orders.flaky INIT->FAIL", "orders.flaky FAIL->PASS");
    }
  }

  @Test
  void a_single_failure_followed_by_a_pass_goes_back_to_pass_at_once() {
    try (Fixture f = new Fixture()) {
      Flaky c = f.app.register(new Flaky(settings()));
      f.app.start();
      c.failing.set(true);
      c.trigger("1", Map.of());
      c.failing.set(false);
      c.trigger("2", Map.of());
      assertThat(f.changes).containsExactly("orders.flaky INIT->FAIL", "orders.flaky FAIL->PASS");
      assertThat(c.lastFail()).isEmpty();
      assertThat(c.secondsSinceLastFail()).isEmpty();
    }
  }

  @Test
  void no_test_for_warn_stalled_after_makes_the_case_stall_and_it_recovers_when_tests_arrive() {
    try (Fixture f = new Fixture()) {
      Flaky c =
          f.app.register(
              new Flaky(settings().toBuilder().warnStalledAfter("100s").testExpires("1s").build()));
      f.app.start();
      f.time.advance(Duration.ofSeconds(99));
      assertThat(c.status()).isEqualTo(State.INIT);
      f.time.advance(Duration.ofSeconds(1));
      assertThat(c.status()).isEqualTo(State.STALL);
      TestReport stall = f.last();
      assertThat(stall.state()).isEqualTo(State.STALL);
      assertThat(stall.isSuiteReport()).isTrue();
      assertThat(stall.error()).isEqualTo("no test received for 100s (warn_stalled_after=100s)");
      assertThat(c.suiteFails).containsExactly("STALL " + stall.error());

      // Tests arrive again (skipped ones count as arrivals): the next check recovers.
      TestExecution expired =
          new TestExecution("late", c.name(), f.time.now(), Map.of(), f.time.now());
      f.time.advance(Duration.ofSeconds(50));
      f.app.execute(expired);
      f.time.advance(Duration.ofSeconds(50));
      assertThat(c.status()).isEqualTo(State.PASS);
      assertThat(f.changes).containsExactly("orders.flaky INIT->STALL", "orders.flaky STALL->PASS");

      // Quiet again: stalls again 100 s after the last arrival.
      f.time.advance(Duration.ofSeconds(49));
      assertThat(c.status()).isEqualTo(State.PASS);
      f.time.advance(Duration.ofSeconds(1));
      assertThat(c.status()).isEqualTo(State.STALL);
    }
  }

  @Test
  void the_sampler_logs_the_medians_every_ten_seconds() {
    dev.grindstone.livecheck.time.FakeTimeSource time =
        new dev.grindstone.livecheck.time.FakeTimeSource();
    List<String> logs = new CopyOnWriteArrayList<>();
    try (LiveCheck app =
        LiveCheck.builder("orders-service")
            .time(time)
            .executor(Runnable::run)
            .logReports(false)
            .log(logs::add)
            .build()) {
      Case c =
          app.register(
              Case.builder("orders.sampled")
                  .run((t, self) -> time.advance(Duration.ofMillis(Long.parseLong(t.id()))))
                  .build());
      app.start();
      time.advance(Duration.ofSeconds(10));
      assertThat(logs).noneMatch(l -> l.startsWith("stats")); // nothing measured yet
      for (String ms : List.of("100", "300", "200")) {
        c.trigger(ms, Map.of());
      }
      time.advance(Duration.ofSeconds(10));
      assertThat(logs.stream().filter(l -> l.startsWith("stats")))
          .containsExactly(
              "stats orders.sampled: (median) frequency=0.200s latency=none runtime=0.200s");
      assertThat(CaseSnapshot.median(List.of(1.0, 4.0, 2.0, 3.0))).hasValue(2.5);
    }
  }

  @Test
  void histories_are_bounded_by_max_history_and_measure_gaps_between_tests() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.paced")
                  .settings(CaseSettings.builder().maxHistory(3).frequency("10s").build())
                  .run((t, self) -> f.time.advance(Duration.ofMillis(Long.parseLong(t.id()))))
                  .build());
      f.app.start(); // the case has no fake request: tests are triggered by hand
      long[] gaps = {0, 10_000, 12_000, 8_000, 15_000};
      for (long gap : gaps) {
        f.time.advance(Duration.ofMillis(gap));
        c.trigger(String.valueOf(gap / 100), Map.of());
      }
      // Runtimes (0, 100, 120, 80, 150 ms) shift the start times a little: gaps measured from
      // starts.
      assertThat(c.runtimeHistory()).containsExactly(0.12, 0.08, 0.15);
      assertThat(c.frequencyHistory()).containsExactly(12.1, 8.12, 15.08);
      assertThat(c.latencyHistory()).hasSize(3);
      assertThat(c.latencyHistory().get(0))
          .isCloseTo(2.1, org.assertj.core.data.Offset.offset(1e-9));
      // The averages are the sampler's medians (as in Faust), not means; this fixture's sampler is
      // off.
      assertThat(c.runtimeAvg()).as("no sample taken").isEmpty();
      CaseSnapshot snap = c.snapshot();
      assertThat(snap.status()).isEqualTo(State.PASS);
      assertThat(snap.totalByState()).containsEntry(State.PASS, 5L);
      assertThat(snap.lastTestReceived()).isNotNull();
      assertThat(snap.frequencyAvg()).isEmpty();
    }
  }

  @Test
  void the_averages_are_the_medians_sampled_every_ten_seconds_and_empty_before() {
    dev.grindstone.livecheck.time.FakeTimeSource time =
        new dev.grindstone.livecheck.time.FakeTimeSource();
    try (LiveCheck app =
        LiveCheck.builder("orders-service")
            .time(time)
            .executor(Runnable::run)
            .logReports(false)
            .log(l -> {})
            .build()) {
      Case c =
          app.register(
              Case.builder("orders.sampled")
                  .settings(
                      CaseSettings.builder()
                          .frequency("1h")
                          .build()) // no fake request within the test
                  .run((t, self) -> time.advance(Duration.ofMillis(Long.parseLong(t.id()))))
                  .build());
      app.start();
      for (String ms : List.of("100", "300", "800")) {
        c.trigger(ms, Map.of());
      }
      assertThat(c.runtimeAvg()).as("before the first sample").isEmpty();
      assertThat(c.frequencyAvg()).isEmpty();
      assertThat(c.latencyAvg()).isEmpty();
      time.advance(Duration.ofMillis(10_000 - 1_200)); // the sampler's first run, 10 s after start
      // Runtimes 0.1, 0.3, 0.8 s: the median is 0.3 (the mean would be 0.4).
      assertThat(c.runtimeAvg()).hasValue(0.3);
      assertThat(c.frequencyAvg()).hasValue(0.2); // gaps between starts: 0.1 and 0.3
      assertThat(c.latencyAvg().getAsDouble())
          .isCloseTo(0.2 - 3600, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(c.snapshot().runtimeAvg()).hasValue(0.3);

      c.trigger("900", Map.of());
      assertThat(c.runtimeAvg()).as("unchanged until the next sample").hasValue(0.3);
      time.advance(Duration.ofSeconds(10));
      assertThat(c.runtimeAvg()).hasValue((0.3 + 0.8) / 2);
    }
  }
}
