package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.stats.results.TestFigures;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Coordinated omission, with known answers: a target that stalls for 10% of the time (200 ms every
 * 2 s, scaled down from 1 s every 10 s). Timed from each request's intended start, an open-model
 * run shows the stall in p99 and max; a closed-model run hides it from p99 unless corrected with
 * the expected interval.
 */
class TimingTruthTest {

  private static final long STALL_EVERY = 2_000_000_000L;
  private static final long STALL_FOR = 200_000_000L;

  /** Answers in about 1 ms, except during the first 200 ms of every 2 s since it started. */
  static final class StallingTarget {
    private final long start = System.nanoTime();

    void call() {
      long now = System.nanoTime();
      long into = (now - start) % STALL_EVERY;
      long until = into < STALL_FOR ? now + (STALL_FOR - into) : now + 1_000_000;
      while (System.nanoTime() < until) {
        LockSupport.parkNanos(until - System.nanoTime());
      }
    }
  }

  private static TestFigures run(Phase phase) {
    StallingTarget target = new StallingTarget();
    Runnable call = new Test(1, "call").wrap(target::call);
    RunConfig config =
        RunConfig.builder("timing").phase(phase).outputRoot(null).console(false).build();
    return Run.of(config, user -> call.run()).execute().tests().getFirst();
  }

  @org.junit.jupiter.api.Test
  void an_open_model_run_shows_the_stall_in_p99_and_max() {
    TestFigures t =
        run(
            new Phase(
                "open",
                Duration.ofMillis(4_100),
                new LoadShape.ArrivalRate(200, 200, 400),
                null,
                null,
                0,
                null));
    assertThat(t.maxMillis()).as("max").isGreaterThan(150);
    assertThat(t.percentileMillis(99)).as("p99").isGreaterThan(100);
    assertThat(t.percentileMillis(90)).as("p90: 10% of requests meet the stall").isGreaterThan(5);
  }

  @org.junit.jupiter.api.Test
  void a_closed_model_run_shows_the_stall_in_p99_only_with_correction() {
    TestFigures plain = run(Phase.hold("closed", Duration.ofMillis(4_100), 1));
    assertThat(plain.maxMillis()).as("the stalled call itself").isGreaterThan(150);
    assertThat(plain.percentileMillis(99)).as("p99 hides the stall").isLessThan(30);

    TestFigures corrected =
        run(
            Phase.hold("closed", Duration.ofMillis(4_100), 1)
                .withExpectedInterval(Duration.ofMillis(1)));
    assertThat(corrected.percentileMillis(99)).as("corrected p99").isGreaterThan(50);
    assertThat(corrected.maxMillis()).isGreaterThan(150);
  }
}
