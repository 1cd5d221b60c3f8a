package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.Shard;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

class ShardedRunTest {

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private static RunConfig config() {
    return RunConfig.builder("sharded")
        .phase(Phase.ramp("ramp", Duration.ofMillis(300), 0, 7))
        .phase(Phase.hold("hold", Duration.ofMillis(200), 7))
        .phase(Phase.ramp("down", Duration.ofMillis(200), 7, 3))
        .outputRoot(null)
        .console(false)
        .period(Duration.ofMillis(100))
        .build();
  }

  private static Set<Integer> users(Shard shard) {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    Run.of(
            config(),
            user -> {
              seen.add(user.number());
              user.sleep(Duration.ofMillis(5));
            },
            QUIET)
        .shard(shard)
        .execute();
    return seen;
  }

  @org.junit.jupiter.api.Test
  void agents_run_the_single_process_users_each_once_keeping_their_numbers() {
    Set<Integer> whole = users(Shard.WHOLE);
    Set<Integer> a0 = users(new Shard(0, 2));
    Set<Integer> a1 = users(new Shard(1, 2));
    assertThat(whole).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    assertThat(a0).containsExactlyInAnyOrder(0, 2, 4, 6);
    assertThat(a1).containsExactlyInAnyOrder(1, 3, 5);
    Set<Integer> merged = new TreeSet<>(a0);
    merged.addAll(a1);
    assertThat(merged).isEqualTo(new TreeSet<>(whole));
  }

  @org.junit.jupiter.api.Test
  void agents_of_an_open_model_run_start_the_single_process_arrivals_between_them() {
    // Enough users that no start is dropped on a slow machine: the split, not the pool, is tested.
    RunConfig config =
        RunConfig.builder("open")
            .phase(
                new Phase(
                    "rate",
                    Duration.ofMillis(500),
                    new LoadShape.ArrivalRate(200, 200, 300),
                    null,
                    null,
                    0,
                    null))
            .outputRoot(null)
            .console(false)
            .build();
    long total = 0;
    for (int i = 0; i < 3; i++) {
      AtomicLong starts = new AtomicLong();
      Run.of(config, user -> starts.incrementAndGet(), QUIET).shard(new Shard(i, 3)).execute();
      assertThat(starts.get())
          .as("agent %d of 3: every third of 100 starts", i)
          .isEqualTo(i == 0 ? 34 : 33);
      total += starts.get();
    }
    assertThat(total).isEqualTo(100L);
  }

  @org.junit.jupiter.api.Test
  @org.junit.jupiter.api.Timeout(
      value = 20,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void agents_of_a_phase_bounded_by_iterations_make_their_users_iterations_and_go_on() {
    RunConfig config =
        RunConfig.builder("iterations")
            .phase(new Phase("once", null, new LoadShape.Constant(5), null, null, 3, null))
            .phase(Phase.hold("after", Duration.ofMillis(100), 1))
            .outputRoot(null)
            .console(false)
            .build();
    long total = 0;
    for (int i = 0; i < 2; i++) {
      AtomicLong once = new AtomicLong();
      Run run =
          Run.of(
                  config,
                  user -> {
                    if (user.phase().equals("once")) {
                      once.incrementAndGet();
                    }
                  },
                  QUIET)
              .shard(new Shard(i, 2));
      // Counted as an agent counts them for its replacements: the same iterations.
      var counts = run.iterationCounts();
      counts.getFirst().answered(0, 0);
      run.execute();
      assertThat(once.get())
          .as("agent %d of 2: 3 iterations of each of its users", i)
          .isEqualTo(i == 0 ? 9 : 6);
      assertThat(counts.getFirst().used()).isEqualTo(once.get());
      total += once.get();
    }
    assertThat(total).isEqualTo(15L);
  }
}
