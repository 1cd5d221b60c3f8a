package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ThinkTime;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.SummaryText;
import dev.grindstone.stats.results.TestFigures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iterations that run as stages ({@link StagedScenario}): completed on another thread (here one
 * scheduler thread, as an HTTP client's event loop), timed and counted as calls on the user's own
 * thread are, and run back to back there while nothing needs the user's thread.
 */
class StagedScenarioTest {

  @TempDir Path dir;

  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "test-loop"));

  @AfterEach
  void stopLoop() {
    loop.shutdownNow();
  }

  private RunConfig.Builder config(String name) {
    return RunConfig.builder(name).outputRoot(dir).console(false).period(Duration.ofMillis(100));
  }

  /** A stage that the loop completes with {@code value} after {@code millis}. */
  private <T> CompletableFuture<T> later(long millis, T value) {
    CompletableFuture<T> f = new CompletableFuture<>();
    loop.schedule(() -> f.complete(value), millis, TimeUnit.MILLISECONDS);
    return f;
  }

  /**
   * A staged scenario whose iterations start with {@code start}, and run {@code onThread} when they
   * run on a thread.
   */
  private static StagedScenario staged(
      Function<VirtualUser, CompletionStage<?>> start, Scenario onThread) {
    return new StagedScenario() {
      @Override
      public CompletionStage<?> startIteration(VirtualUser user) {
        return start.apply(user);
      }

      @Override
      public void iteration(VirtualUser user) throws Exception {
        onThread.iteration(user);
      }
    };
  }

  /**
   * Which thread starts an iteration: a closed-model user's own ("user"), the loop that completes
   * the stages ("loop"), an arrival's own ("virtual") or the run's pacing thread, here the test's
   * ("platform").
   */
  private static String starter() {
    Thread t = Thread.currentThread();
    if (t.isVirtual()) {
      return t.getName().startsWith("user-") ? "user" : "virtual";
    }
    return t.getName().equals("test-loop") ? "loop" : "platform";
  }

  /** A staged scenario of one call of {@code test} per iteration, each completed after 2 ms. */
  private StagedScenario twoMillisecondCalls(Test test, Set<String> starters, AtomicLong finished) {
    return new StagedScenario() {
      @Override
      public CompletionStage<?> startIteration(VirtualUser user) {
        starters.add(starter());
        return test.recordAsync(
            () -> later(2, user.number()),
            n -> {
              finished.incrementAndGet();
              return n;
            });
      }

      @Override
      public void iteration(VirtualUser user) throws Exception { // the same on the user's thread
        starters.add("iteration on " + starter());
        test.record(
            () -> {
              user.sleep(Duration.ofMillis(2));
              finished.incrementAndGet();
            });
      }
    };
  }

  @org.junit.jupiter.api.Test
  void staged_iterations_follow_each_other_where_the_last_completed_and_every_call_counts()
      throws Exception {
    Test call = new Test(1, "Staged 2 ms call");
    Set<String> starters = ConcurrentHashMap.newKeySet();
    AtomicLong finished = new AtomicLong();
    RunConfig c = config("chained").phase(Phase.hold("hold", Duration.ofMillis(400), 4)).build();

    RunSummary s = Run.of(c, twoMillisecondCalls(call, starters, finished)).execute();

    TestFigures t = s.tests().getFirst();
    assertThat(t.tests()).as("every completed call, and only those").isEqualTo(finished.get());
    assertThat(t.tests()).isGreaterThan(20);
    assertThat(t.errors()).isZero();
    assertThat(t.minMillis()).as("timed to its completion").isGreaterThanOrEqualTo(2.0);
    assertThat(starters)
        .as("the first on the user's thread, the next on the loop")
        .containsExactlyInAnyOrder("user", "loop");
    assertThat(s.iterationFailures()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void with_think_time_each_staged_iteration_starts_from_the_users_thread() throws Exception {
    Test call = new Test(1, "Staged 2 ms call");
    Set<String> starters = ConcurrentHashMap.newKeySet();
    AtomicLong finished = new AtomicLong();
    RunConfig c =
        config("paused")
            .phase(
                Phase.hold("hold", Duration.ofMillis(300), 2)
                    .withThinkTime(new ThinkTime.Constant(Duration.ofMillis(5))))
            .build();

    RunSummary s = Run.of(c, twoMillisecondCalls(call, starters, finished)).execute();

    assertThat(s.tests().getFirst().tests()).isEqualTo(finished.get()).isGreaterThan(4);
    assertThat(starters).containsExactly("user");
  }

  @org.junit.jupiter.api.Test
  void a_staged_call_still_in_flight_when_the_graceful_stop_runs_out_is_cancelled_never_timed()
      throws Exception {
    Test slow = new Test(1, "Completes after 600 ms");
    RunConfig c =
        config("cancel")
            .gracefulStop(Duration.ofMillis(150))
            .phase(Phase.hold("hold", Duration.ofMillis(100), 2))
            .build();
    StagedScenario scenario =
        staged(user -> slow.recordAsync(() -> later(600, 0), r -> r), user -> {});

    RunSummary s = Run.of(c, scenario).execute();

    TestFigures t = s.tests().getFirst();
    assertThat(t.cancelled()).as("each user's one call").isEqualTo(2);
    assertThat(t.tests()).isZero();
    assertThat(t.errors()).isZero();
    assertThat(t.successes().getTotalCount() + t.failures().getTotalCount()).isZero();
    assertThat(s.iterationFailures()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void open_model_arrivals_start_as_stages_from_the_pacing_thread_once_their_user_has_started()
      throws Exception {
    Test call = new Test(1, "Staged 2 ms call");
    Set<String> starters = ConcurrentHashMap.newKeySet();
    AtomicLong finished = new AtomicLong();
    RunConfig c =
        config("open").phase(Phase.rate("arrivals", Duration.ofMillis(400), 200, 10)).build();

    RunSummary s = Run.of(c, twoMillisecondCalls(call, starters, finished)).execute();

    TestFigures t = s.tests().getFirst();
    assertThat(t.tests()).as("every completed call, and only those").isEqualTo(finished.get());
    assertThat(t.tests() + s.droppedStarts()).as("one call per arrival").isBetween(70L, 80L);
    assertThat(t.errors()).isZero();
    assertThat(t.minMillis()).isGreaterThanOrEqualTo(2.0);
    assertThat(starters)
        .as("a user's first arrival on a thread of its own, later ones from the pacing thread")
        .containsExactlyInAnyOrder("iteration on virtual", "platform");
    assertThat(s.iterationFailures()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void the_graceful_stop_waits_for_staged_arrivals_and_cancels_those_it_outlasts()
      throws Exception {
    Test quick = new Test(1, "First arrival, on a thread");
    Test slow = new Test(2, "Staged, completes after 600 ms");
    RunConfig c =
        config("open-cancel")
            .gracefulStop(Duration.ofMillis(150))
            // arrivals at 0, 100 and 200 ms for one user: on a thread, staged, dropped (user busy)
            .phase(Phase.rate("arrivals", Duration.ofMillis(250), 10, 1))
            .build();
    StagedScenario scenario =
        staged(
            user -> slow.recordAsync(() -> later(600, 0), r -> r), user -> quick.record(() -> {}));

    RunSummary s = Run.of(c, scenario).execute();

    assertThat(s.tests().get(0).tests()).isEqualTo(1);
    TestFigures t = s.tests().get(1);
    assertThat(t.cancelled()).as("in flight when the graceful stop ran out").isEqualTo(1);
    assertThat(t.tests() + t.errors()).isZero();
    assertThat(s.droppedStarts()).isEqualTo(1);
  }

  @org.junit.jupiter.api.Test
  void a_failed_stage_or_a_failed_check_is_an_error_and_ends_its_iteration() throws Exception {
    Test failing = new Test(1, "Fails");
    Test checked = new Test(2, "Checked");
    RunConfig c =
        config("failures")
            .phase(new Phase("four each", null, new LoadShape.Constant(2), null, null, 4, null))
            .build();
    StagedScenario scenario =
        staged(
            user ->
                user.iteration() % 2 == 0
                    ? failing.recordAsync(
                        () -> CompletableFuture.failedFuture(new IterationFailure("refused")),
                        r -> r)
                    : checked.recordAsync(
                        () -> later(1, "body"),
                        body -> {
                          Grindstone.statistics().getForCurrentTest().setSuccess(false);
                          return body;
                        }),
            user -> {});

    RunSummary s = Run.of(c, scenario).execute();

    TestFigures f = s.tests().get(0);
    TestFigures k = s.tests().get(1);
    assertThat(f.errors()).isEqualTo(4);
    assertThat(f.tests()).isZero();
    assertThat(k.errors()).as("marked failed through the Statistics API").isEqualTo(4);
    assertThat(k.tests()).isZero();
    assertThat(s.iterationFailures()).containsExactly(java.util.Map.entry("refused", 4L));
  }

  @org.junit.jupiter.api.Test
  void stages_that_complete_at_once_loop_without_nesting() throws Exception {
    Test call = new Test(1, "At once");
    AtomicLong deepest = new AtomicLong();
    RunConfig c = config("at-once").phase(Phase.hold("hold", Duration.ofMillis(300), 1)).build();
    StagedScenario scenario =
        staged(
            user -> {
              if (user.iteration() % 500 == 0) {
                deepest.accumulateAndGet(Thread.currentThread().getStackTrace().length, Math::max);
              }
              return call.recordAsync(() -> CompletableFuture.completedFuture(1), r -> r);
            },
            user -> {});

    RunSummary s = Run.of(c, scenario).execute();

    assertThat(s.iterationFailures()).as("no StackOverflowError").isEmpty();
    assertThat(s.tests().getFirst().tests()).isGreaterThan(2_000);
    assertThat(deepest.get()).as("stack frames at the start of an iteration").isLessThan(100);
  }

  @org.junit.jupiter.api.Test
  void a_scenario_that_gives_no_stage_runs_that_iteration_on_the_users_thread() throws Exception {
    Test call = new Test(1, "On the thread");
    Set<String> threads = ConcurrentHashMap.newKeySet();
    RunConfig c = config("no-stage").phase(Phase.hold("hold", Duration.ofMillis(200), 2)).build();
    StagedScenario scenario =
        staged(
            user -> null,
            user -> {
              call.record(
                  () -> {
                    threads.add(Thread.currentThread().getName());
                  });
              user.sleep(Duration.ofMillis(1));
            });

    RunSummary s = Run.of(c, scenario).execute();

    assertThat(s.tests().getFirst().tests()).isGreaterThan(10);
    assertThat(threads).allSatisfy(n -> assertThat(n).startsWith("user-"));
    assertThat(s.iterationFailures()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void blocking_in_a_stage_is_refused_with_the_way_out() throws Exception {
    Test call = new Test(1, "Call");
    RunConfig c = config("refused").phase(Phase.hold("hold", Duration.ofMillis(200), 1)).build();
    StagedScenario sleeps =
        staged(
            user ->
                call.recordAsync(
                    () -> later(1, 0),
                    r -> {
                      user.sleep(Duration.ofMillis(1));
                      return r;
                    }),
            user -> {});

    RunSummary s = Run.of(c, sleeps).execute();

    assertThat(String.join("\n", s.iterationFailures().keySet()))
        .as(SummaryText.render(s))
        .contains("must not block");
    assertThat(s.tests().getFirst().errors()).isPositive();
  }

  @org.junit.jupiter.api.Test
  void recordAsync_on_the_users_thread_is_refused_with_the_way_out() throws Exception {
    Test call = new Test(1, "Call");
    RunConfig c = config("on-thread").phase(Phase.hold("hold", Duration.ofMillis(100), 1)).build();
    Scenario onThread =
        user -> call.recordAsync(() -> CompletableFuture.completedFuture(1), r -> r);

    RunSummary s = Run.of(c, onThread).execute();

    assertThat(String.join("\n", s.iterationFailures().keySet()))
        .as(SummaryText.render(s))
        .contains("recordAsync was called in an iteration that runs on the user's thread");
  }
}
