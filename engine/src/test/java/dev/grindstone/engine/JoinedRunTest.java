package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.Shard;
import dev.grindstone.engine.sink.IntervalSnapshot;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.Sink;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A run joined after its start, as a replacement agent joins a distributed run in progress. */
class JoinedRunTest {
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private static RunConfig.Builder config(Phase... phases) {
    RunConfig.Builder b =
        RunConfig.builder("joined").outputRoot(null).console(false).period(Duration.ofMillis(100));
    for (Phase p : phases) {
      b.phase(p);
    }
    return b;
  }

  /** Keeps every interval snapshot. */
  private static final class Intervals implements Sink {
    final List<IntervalSnapshot> all = new CopyOnWriteArrayList<>();

    @Override
    public void interval(IntervalSnapshot interval) {
      all.add(interval);
    }
  }

  @org.junit.jupiter.api.Test
  void a_joined_closed_model_run_skips_ended_phases_and_starts_the_shards_users_of_the_moment() {
    Set<Integer> users = ConcurrentHashMap.newKeySet();
    Intervals intervals = new Intervals();
    Instant started = Instant.now().minusMillis(500);
    RunSummary s =
        Run.of(
                config(
                        Phase.ramp("ramp", Duration.ofMillis(300), 0, 2),
                        // Long enough to outlast a first run's set-up on a busy machine.
                        Phase.hold("hold", Duration.ofMillis(2_500), 8))
                    .build(),
                user -> {
                  users.add(user.number());
                  user.sleep(Duration.ofMillis(5));
                },
                QUIET)
            .shard(new Shard(1, 2))
            .sink(intervals)
            .joinAt(started)
            .execute();
    // The ramp's users 0 and 1 are gone by now; "hold" has users 0..7, of which 1, 3, 5, 7 are
    // agent 1's.
    assertThat(users).containsExactlyInAnyOrder(1, 3, 5, 7);
    assertThat(intervals.all).isNotEmpty().allMatch(i -> i.phase().equals("hold"));
    IntervalSnapshot first = intervals.all.getFirst();
    long elapsed = first.startEpochMillis() - started.toEpochMilli();
    // Numbered as a process running from the start numbers that interval: one per 100 ms boundary
    // before it, and the cut where "hold" began.
    assertThat(first.sequence()).isEqualTo(elapsed / 100 + 1);
    // It ends at the next boundary of the start time's grid (later only on a machine too busy
    // to run the collector on time).
    assertThat(first.endEpochMillis() - started.toEpochMilli())
        .isGreaterThanOrEqualTo((elapsed / 100 + 1) * 100);
    assertThat(s.lateStarts()).as("users started now are not late").isZero();
    assertThat(s.sinkProblems()).anyMatch(n -> n.contains("joined the run") && n.contains("hold"));
  }

  @org.junit.jupiter.api.Test
  void a_joined_open_model_run_starts_only_the_arrivals_planned_from_then_on() {
    AtomicLong arrivals = new AtomicLong();
    Instant started = Instant.now().minusMillis(600);
    RunSummary s =
        Run.of(
                config(Phase.rate("open", Duration.ofMillis(1_000), 100, 10)).build(),
                user -> arrivals.incrementAndGet(),
                QUIET)
            .joinAt(started)
            .execute();
    // The plan has 100 arrivals; the 60 or more before the join are not this process's to start
    // (catching up would start them all at once, late).
    assertThat(arrivals.get()).isBetween(1L, 40L);
    assertThat(s.lateStarts()).isLessThan(arrivals.get());
  }

  @org.junit.jupiter.api.Test
  void a_run_joined_in_the_wait_between_phases_starts_the_next_at_its_time() {
    Set<Integer> users = ConcurrentHashMap.newKeySet();
    Intervals intervals = new Intervals();
    Instant started = Instant.now().minusMillis(300);
    Run.of(
            config(
                    Phase.hold("first", Duration.ofMillis(200), 2),
                    Phase.hold("second", Duration.ofMillis(300), 3))
                .waitBetweenPhases(Duration.ofMillis(2_000))
                .build(),
            user -> {
              users.add(user.number());
              user.sleep(Duration.ofMillis(5));
            },
            QUIET)
        .sink(intervals)
        .joinAt(started)
        .execute();
    assertThat(users).containsExactlyInAnyOrder(0, 1, 2);
    // The wait's intervals are the first phase's, as in a process that ran it.
    assertThat(intervals.all.getFirst().phase()).isEqualTo("first");
    assertThat(intervals.all.getLast().phase()).isEqualTo("second");
    assertThat(intervals.all).allMatch(i -> !i.phase().isEmpty());
  }

  @org.junit.jupiter.api.Test
  void a_run_joined_after_its_plan_ended_runs_nothing_and_says_so() {
    AtomicLong iterations = new AtomicLong();
    RunSummary s =
        Run.of(
                config(Phase.hold("hold", Duration.ofMillis(200), 2)).build(),
                user -> iterations.incrementAndGet(),
                QUIET)
            .joinAt(Instant.now().minusSeconds(5))
            .execute();
    assertThat(iterations).hasValue(0);
    assertThat(s.sinkProblems()).anyMatch(n -> n.contains("when its plan was over"));
  }

  @org.junit.jupiter.api.Test
  void a_run_joined_before_its_start_time_runs_the_whole_plan() {
    Set<Integer> users = ConcurrentHashMap.newKeySet();
    Run.of(
            config(Phase.hold("hold", Duration.ofMillis(200), 3)).build(),
            user -> {
              users.add(user.number());
              user.sleep(Duration.ofMillis(5));
            },
            QUIET)
        .joinAt(Instant.now().plusMillis(200))
        .execute();
    assertThat(users).containsExactlyInAnyOrder(0, 1, 2);
  }

  @org.junit.jupiter.api.Test
  void a_run_joined_in_a_phase_bounded_by_iterations_runs_only_those_its_index_has_not_started() {
    AtomicLong once = new AtomicLong();
    AtomicLong after = new AtomicLong();
    Instant started = Instant.now().minusMillis(400);
    Run run =
        Run.of(
                config(
                        Phase.hold("first", Duration.ofMillis(200), 2),
                        new Phase(
                            "once",
                            null,
                            new dev.grindstone.engine.run.LoadShape.Constant(6),
                            null,
                            null,
                            5,
                            null),
                        Phase.hold("last", Duration.ofMillis(200), 2))
                    .build(),
                user -> {
                  if (user.phase().equals("once")) {
                    once.incrementAndGet();
                  } else if (user.phase().equals("last")) {
                    after.incrementAndGet();
                    user.sleep(Duration.ofMillis(5));
                  }
                },
                QUIET)
            .shard(new Shard(1, 2))
            .joinAt(started);
    List<dev.grindstone.engine.run.Reservation> counts = run.iterationCounts();
    assertThat(counts)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.key()).isEqualTo("iterations of phase 2 'once'");
              assertThat(c.end()).as("3 users of agent 1, 5 iterations each").isEqualTo(15);
            });
    // The attempt it replaces had started 11 of them, as it last reported.
    counts.getFirst().answered(11, 11);
    RunSummary s = run.execute();
    assertThat(once).as("the 4 iterations its index had not started").hasValue(4);
    assertThat(counts.getFirst().used()).isEqualTo(15);
    assertThat(counts.getFirst().reportDue()).as("4 not acknowledged yet").isTrue();
    assertThat(after.get()).as("and then the phases after it").isPositive();
    assertThat(s.sinkProblems())
        .anyMatch(
            n ->
                n.contains("in phase 'once', bounded by iterations, of which it took up")
                    && n.contains("4 of its share's 15 (the attempts before it had started 11"));
  }
}
