package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StartAtTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private static RunConfig config() {
    return RunConfig.builder("start-at")
        .phase(Phase.hold("hold", Duration.ofMillis(200), 2))
        .outputRoot(null)
        .console(false)
        .period(Duration.ofMillis(100))
        .build();
  }

  @Test
  void a_run_given_a_start_time_starts_its_clock_and_its_first_users_there() {
    Instant at = Instant.now().plusMillis(400);
    AtomicLong firstCall = new AtomicLong(Long.MAX_VALUE);
    RunSummary summary =
        Run.of(
                config(),
                user -> {
                  firstCall.accumulateAndGet(System.currentTimeMillis(), Math::min);
                  user.sleep(Duration.ofMillis(10));
                },
                QUIET)
            .startAt(at)
            .execute();
    assertThat(summary.info().startEpochMillis())
        .as("the run's clock starts at the start time, not after its set-up")
        .isEqualTo(at.toEpochMilli());
    // The wall clock and the monotonic one the engine waits on may part by a ms or so.
    assertThat(firstCall.get())
        .as("no user starts before the start time")
        .isGreaterThanOrEqualTo(at.toEpochMilli() - 2);
  }

  @Test
  void the_warm_up_before_a_start_time_runs_nothing_of_the_scenario() {
    Instant at = Instant.now().plusMillis(300);
    Set<Integer> users = ConcurrentHashMap.newKeySet();
    AtomicLong before = new AtomicLong();
    AtomicLong early = new AtomicLong();
    Scenario scenario =
        new Scenario() {
          @Override
          public void beforeUser(VirtualUser user) {
            before.incrementAndGet();
            users.add(user.number());
            if (System.currentTimeMillis() < at.toEpochMilli() - 2) {
              early.incrementAndGet();
            }
          }

          @Override
          public void iteration(VirtualUser user) {
            users.add(user.number());
            user.sleep(Duration.ofMillis(10));
          }
        };
    Run.of(config(), scenario, QUIET).startAt(at).execute();
    assertThat(before.get()).as("users started: the plan's two, no other").isEqualTo(2);
    assertThat(users).as("the users' numbers").containsExactlyInAnyOrder(0, 1);
    assertThat(early.get()).as("users started before the start time").isZero();
  }

  @Test
  void a_run_given_a_start_time_already_past_keeps_its_clock_there_and_starts_its_load_at_once() {
    Instant at = Instant.now().minusMillis(100);
    AtomicLong calls = new AtomicLong();
    RunSummary summary =
        Run.of(
                RunConfig.builder("behind")
                    .phase(Phase.hold("hold", Duration.ofMillis(600), 2))
                    .outputRoot(null)
                    .console(false)
                    .period(Duration.ofMillis(100))
                    .build(),
                user -> {
                  calls.incrementAndGet();
                  user.sleep(Duration.ofMillis(10));
                },
                QUIET)
            .startAt(at)
            .execute();
    assertThat(summary.info().startEpochMillis())
        .as("the clock keeps time with runs that started at the start time")
        .isEqualTo(at.toEpochMilli());
    assertThat(calls.get()).as("the load runs, behind").isPositive();
    assertThat(summary.sinkProblems())
        .anySatisfy(n -> assertThat(n).contains("The run's load started", "after its start time"));
  }

  @Test
  void a_run_stopped_while_it_waits_for_its_start_time_ends_without_load() throws Exception {
    AtomicLong calls = new AtomicLong();
    Run run =
        Run.of(config(), user -> calls.incrementAndGet(), QUIET)
            .startAt(Instant.now().plusSeconds(60));
    Thread stopper =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                  run.stop();
                });
    RunSummary summary = run.execute();
    stopper.join();
    assertThat(calls.get()).isZero();
    assertThat(summary.interrupted()).isTrue();
  }
}
