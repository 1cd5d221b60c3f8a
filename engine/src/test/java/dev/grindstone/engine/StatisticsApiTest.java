package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.stats.NoSuchStatisticException;
import dev.grindstone.stats.results.TestFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The Grinder's Statistics API semantics, checked from inside a one-user, one-iteration run. */
class StatisticsApiTest {

  private final Statistics stats = Grindstone.statistics();

  /** Runs {@code body} as the single iteration of a single user; rethrows what it threw. */
  private RunSummary runOnce(Scenario body) {
    List<Throwable> thrown = new ArrayList<>();
    RunConfig config =
        RunConfig.builder("api")
            .phase(new Phase("once", null, new LoadShape.Constant(1), null, null, 1, null))
            .outputRoot(null)
            .console(false)
            .build();
    RunSummary s =
        Run.of(
                config,
                user -> {
                  try {
                    body.iteration(user);
                  } catch (Throwable t) {
                    thrown.add(t);
                  }
                })
            .execute();
    if (!thrown.isEmpty()) {
      throw new AssertionError("the iteration failed", thrown.getFirst());
    }
    return s;
  }

  private static TestFigures test(RunSummary s, int number) {
    return s.tests().stream().filter(t -> t.test() == number).findFirst().orElseThrow();
  }

  @org.junit.jupiter.api.Test
  void statistics_calls_off_a_virtual_user_are_invalid_and_say_why() {
    assertThatThrownBy(stats::getForLastTest)
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("only by a virtual user");
    assertThatThrownBy(() -> stats.setDelayReports(true))
        .isInstanceOf(InvalidContextException.class);
    assertThatThrownBy(stats::report).isInstanceOf(InvalidContextException.class);
    assertThat(stats.isTestInProgress()).isFalse();
    Runnable wrapped = new Test(9, "x").wrap(() -> {});
    assertThatThrownBy(wrapped::run)
        .isInstanceOf(InvalidContextException.class)
        .hasMessageContaining("Only virtual users can call tests");
  }

  @org.junit.jupiter.api.Test
  void current_and_last_test_are_invalid_until_there_is_one() {
    runOnce(
        user -> {
          assertThatThrownBy(stats::getForCurrentTest)
              .isInstanceOf(InvalidContextException.class)
              .hasMessageContaining("No test is in progress");
          assertThatThrownBy(stats::getForLastTest)
              .isInstanceOf(InvalidContextException.class)
              .hasMessageContaining("No test has completed");
          new Test(1, "a")
              .record(
                  () -> {
                    assertThat(stats.isTestInProgress()).isTrue();
                    assertThat(stats.getForCurrentTest().getTest().number()).isEqualTo(1);
                  });
          assertThat(stats.isTestInProgress()).isFalse();
          assertThat(stats.getForLastTest().getTest().number()).isEqualTo(1);
        });
  }

  @org.junit.jupiter.api.Test
  void reported_statistics_are_frozen_and_the_message_suggests_delaying_reports() {
    runOnce(
        user -> {
          new Test(1, "a").record(() -> {});
          assertThatThrownBy(() -> stats.getForLastTest().setLong("userLong0", 1))
              .isInstanceOf(InvalidContextException.class)
              .hasMessageContaining("Perhaps you should have called setDelayReports(true)");
        });
  }

  @org.junit.jupiter.api.Test
  void a_delayed_report_can_be_amended_until_the_next_test_starts() {
    RunSummary s =
        runOnce(
            user -> {
              stats.setDelayReports(true);
              new Test(1, "checked").record(() -> {});
              stats.getForLastTest().setSuccess(false);
              stats.getForLastTest().setLong("userLong0", 7);
              assertThat(stats.getForLastTest().getSuccess()).isFalse();
              new Test(2, "next").record(() -> {}); // flushes test 1's report
              assertThat(stats.getForLastTest().getTest().number()).isEqualTo(2);
              stats.getForLastTest().setLong("userLong1", 3); // test 2's report is still pending
            });
    assertThat(test(s, 1).errors()).isEqualTo(1);
    assertThat(test(s, 1).tests()).isZero();
    assertThat(test(s, 2).tests()).isEqualTo(1);
    assertThat(
            test(s, 2)
                .statistics()
                .getLong(test(s, 2).statistics().schema().longIndex("userLong1")))
        .as("flushed when the iteration ended")
        .isEqualTo(3);
  }

  @org.junit.jupiter.api.Test
  void delayed_reports_are_flushed_by_report_and_by_turning_delay_off() {
    runOnce(
        user -> {
          stats.setDelayReports(true);
          new Test(1, "a").record(() -> {});
          stats.report();
          assertThatThrownBy(() -> stats.getForLastTest().setSuccess(false))
              .isInstanceOf(InvalidContextException.class);
          new Test(2, "b").record(() -> {});
          stats.getForLastTest().setSuccess(true);
          stats.setDelayReports(false);
          assertThatThrownBy(() -> stats.getForLastTest().setSuccess(false))
              .isInstanceOf(InvalidContextException.class);
        });
  }

  @org.junit.jupiter.api.Test
  void an_enclosing_test_ending_flushes_the_inner_delayed_report() {
    RunSummary s =
        runOnce(
            user -> {
              stats.setDelayReports(true);
              new Test(1, "outer")
                  .record(
                      () -> {
                        new Test(2, "inner").record(() -> {});
                        stats.getForLastTest().setLong("userLong0", 5); // inner still pending
                      });
              // outer's end flushed inner; now outer is pending
              assertThat(stats.getForLastTest().getTest().number()).isEqualTo(1);
              stats.getForLastTest().setSuccess(false);
            });
    assertThat(test(s, 2).tests()).isEqualTo(1);
    assertThat(test(s, 1).errors()).isEqualTo(1);
  }

  @org.junit.jupiter.api.Test
  void a_test_calling_another_is_composite_and_left_out_of_the_totals() {
    RunSummary s =
        runOnce(
            user -> {
              Test inner = new Test(2, "inner");
              new Test(1, "outer")
                  .record(
                      () -> {
                        inner.record(() -> {});
                        inner.record(() -> {});
                      });
            });
    assertThat(test(s, 1).composite()).isTrue();
    assertThat(test(s, 2).composite()).isFalse();
    assertThat(s.totals().tests()).as("only the inner calls").isEqualTo(2);
  }

  @org.junit.jupiter.api.Test
  void re_entering_the_same_test_records_only_the_outer_call() throws Exception {
    Test t = new Test(1, "recursive");
    RunSummary s =
        runOnce(user -> t.record((Callable<Integer>) () -> t.record(() -> 1) + t.record(() -> 2)));
    assertThat(test(s, 1).tests()).isEqualTo(1);
    assertThat(test(s, 1).composite()).isFalse();
  }

  @org.junit.jupiter.api.Test
  void an_exception_marks_the_call_as_an_error_and_propagates_with_its_time_known() {
    RunSummary s =
        runOnce(
            user -> {
              Runnable failing =
                  new Test(1, "fails")
                      .wrap(
                          (Runnable)
                              () -> {
                                RunTest.sleepMillis(20);
                                throw new IllegalArgumentException("bad");
                              });
              assertThatThrownBy(failing::run)
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessage("bad");
              assertThat(stats.getForLastTest().getSuccess()).isFalse();
              assertThat(stats.getForLastTest().getTime())
                  .as("an error's time is still known")
                  .isGreaterThanOrEqualTo(20);
            });
    assertThat(test(s, 1).errors()).isEqualTo(1);
    assertThat(test(s, 1).tests()).isZero();
    assertThat(test(s, 1).failures().getMaxValue()).isGreaterThanOrEqualTo(20_000);
  }

  @org.junit.jupiter.api.Test
  void an_uncaught_exception_ends_the_iteration_and_is_counted() {
    RunConfig config =
        RunConfig.builder("uncaught")
            .phase(new Phase("once", null, new LoadShape.Constant(2), null, null, 3, null))
            .outputRoot(null)
            .console(false)
            .build();
    Runnable boom =
        new Test(1, "boom")
            .wrap(
                (Runnable)
                    () -> {
                      throw new IllegalStateException("target down");
                    });
    RunSummary s = Run.of(config, user -> boom.run()).execute();
    assertThat(s.iterationFailures())
        .containsEntry("java.lang.IllegalStateException: target down", 6L);
    assertThat(test(s, 1).errors()).isEqualTo(6);
  }

  @org.junit.jupiter.api.Test
  void user_statistics_set_during_a_test_are_aggregated_and_names_are_checked() {
    RunSummary s =
        runOnce(
            user -> {
              Test t = new Test(1, "t");
              for (int i = 0; i < 3; i++) {
                t.record(
                    () -> {
                      stats.getForCurrentTest().addLong("userLong0", 2);
                      stats.getForCurrentTest().setDouble("userDouble0", 0.5);
                      assertThatThrownBy(() -> stats.getForCurrentTest().getLong("userLong9"))
                          .isInstanceOf(NoSuchStatisticException.class)
                          .hasMessageContaining("Did you mean 'userLong0'?");
                    });
              }
            });
    var set = test(s, 1).statistics();
    assertThat(set.getLong(set.schema().longIndex("userLong0"))).isEqualTo(6);
    assertThat(set.getDouble(set.schema().doubleIndex("userDouble0"))).isEqualTo(1.5);
  }

  @org.junit.jupiter.api.Test
  void data_log_expressions_cannot_be_registered_by_a_virtual_user() {
    runOnce(
        user ->
            assertThatThrownBy(() -> stats.registerDataLogExpression("x", "errors"))
                .isInstanceOf(InvalidContextException.class)
                .hasMessageContaining("before the run"));
  }

  @org.junit.jupiter.api.Test
  void test_numbers_are_unique_per_run_and_the_first_description_wins() {
    RunSummary s =
        runOnce(
            user -> {
              new Test(5, "first").record(() -> {});
              new Test(5, "second").record(() -> {});
            });
    assertThat(s.tests()).hasSize(1);
    assertThat(test(s, 5).description()).isEqualTo("first");
    assertThat(test(s, 5).tests()).isEqualTo(2);
  }

  @org.junit.jupiter.api.Test
  void current_runtime_is_known_to_virtual_users_only() {
    assertThatThrownBy(Grindstone::currentRuntime).isInstanceOf(InvalidContextException.class);
    runOnce(
        user ->
            assertThat(Grindstone.currentRuntime())
                .isPositive()
                .isLessThan(java.time.Duration.ofSeconds(30)));
  }

  @org.junit.jupiter.api.Test
  void wrapping_an_interface_times_every_method_call() {
    interface Greeter {
      String greet(String name);
    }
    RunSummary s =
        runOnce(
            user -> {
              Greeter g = new Test(3, "greet").wrap(Greeter.class, n -> "hello " + n);
              assertThat(g.greet("a")).isEqualTo("hello a");
              assertThat(g.greet("b")).isEqualTo("hello b");
            });
    assertThat(test(s, 3).tests()).isEqualTo(2);
  }
}
