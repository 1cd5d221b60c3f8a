package dev.grindstone.livecheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes are opened for their effect on the thread's context
class RunnerTest {

  /** A case whose outcome the test chooses, recording every hook call. */
  static final class Scripted extends Case {
    final List<String> hooks = new CopyOnWriteArrayList<>();
    volatile String outcome = "pass";

    Scripted(CaseSettings s) {
      super("orders.scripted", s);
    }

    @Override
    protected void run(TestExecution test) throws Exception {
      assertThat(LiveCheck.current()).contains(test);
      switch (outcome) {
        case "fail" -> throw new AssertionError("order total was 0");
        case "error" -> throw new IllegalStateException("database down");
        case "timeout" -> signal("order_shipped", String.class).await(Duration.ofSeconds(1));
        case "skip" -> throw new TestSkippedException("not today");
        default -> {}
      }
    }

    @Override
    protected void onTestStart(TestRunner r) {
      hooks.add("start " + r.test().id());
    }

    @Override
    protected void onTestSkipped(TestRunner r, String reason) {
      hooks.add("skipped " + reason);
    }

    @Override
    protected void onTestFailed(TestRunner r, AssertionError e) {
      hooks.add("failed " + e.getMessage());
    }

    @Override
    protected void onTestError(TestRunner r, Throwable e) {
      hooks.add("error " + e.getMessage());
    }

    @Override
    protected void onTestTimeout(TestRunner r, TestTimeoutException e) {
      hooks.add("timeout");
    }

    @Override
    protected void onTestPass(TestRunner r) {
      hooks.add("pass");
    }
  }

  @Test
  void each_outcome_maps_to_its_state_hook_and_report() throws Exception {
    try (Fixture f = new Fixture()) {
      Scripted c = f.app.register(new Scripted(CaseSettings.defaults()));
      f.app.start();
      for (String o : List.of("pass", "fail", "error", "skip")) {
        c.outcome = o;
        c.trigger("t-" + o, Map.of("side", "buy"));
      }
      assertThat(f.states()).containsExactly(State.PASS, State.FAIL, State.ERROR, State.SKIP);
      assertThat(c.hooks)
          .containsExactly(
              "start t-pass", "pass",
              "start t-fail", "failed order total was 0",
              "start t-error", "error database down",
              "start t-skip", "skipped not today");
      TestReport fail = f.reports.get(1);
      assertThat(fail.caseName()).isEqualTo("orders.scripted");
      assertThat(fail.execution().id()).isEqualTo("t-fail");
      assertThat(fail.execution().args()).containsEntry("side", "buy");
      assertThat(fail.error()).isEqualTo("AssertionError: order total was 0");
      assertThat(fail.traceback()).contains("AssertionError").contains("Scripted.run");
      assertThat(fail.runtime()).isEqualTo(Duration.ZERO);
      assertThat(f.reports.get(3).runtime()).as("a skipped test did not run").isNull();
      assertThat(f.reports.get(0).error()).isNull();
    }
  }

  @Test
  void a_signal_wait_that_times_out_is_reported_as_timeout() throws Exception {
    try (Fixture f = new Fixture(null, false)) {
      Scripted c = f.app.register(new Scripted(CaseSettings.defaults()));
      f.app.start();
      c.outcome = "timeout";
      c.trigger("t-1", Map.of());
      // The waiter is in place once its timeout is scheduled (next to the stall watchdog).
      Fixture.awaitCondition(() -> f.app.pendingSignalSlots() == 1 && f.time.pendingTasks() == 2);
      f.time.advance(Duration.ofMillis(999));
      assertThat(f.reports).as("not yet timed out").isEmpty();
      f.time.advance(Duration.ofMillis(1));
      Fixture.awaitCondition(() -> f.reports.size() == 1);
      TestReport r = f.last();
      assertThat(r.state()).isEqualTo(State.TIMEOUT);
      assertThat(r.error()).contains("order_shipped not received for key t-1 within 1s");
      assertThat(r.runtime()).isEqualTo(Duration.ofSeconds(1));
      assertThat(c.hooks).containsExactly("start t-1", "timeout");
      assertThat(f.app.pendingSignalSlots()).isZero();
    }
  }

  @Test
  void a_test_cut_short_by_shutdown_is_reported_as_skipped() {
    Fixture f = new Fixture(null, false);
    Scripted c = f.app.register(new Scripted(CaseSettings.defaults()));
    f.app.start();
    c.outcome = "timeout";
    c.trigger("t-1", Map.of());
    Fixture.awaitCondition(() -> f.app.pendingSignalSlots() == 1);
    f.app.close();
    assertThat(f.states()).containsExactly(State.SKIP);
    assertThat(f.last().error()).isEqualTo("cancelled: app closed while the test ran");
    assertThat(c.totalFailures()).isZero();
  }

  @Test
  void expired_tests_and_inactive_cases_are_skipped_and_reported() {
    try (Fixture f = new Fixture()) {
      Scripted c = f.app.register(new Scripted(CaseSettings.builder().testExpires("10s").build()));
      f.app.start();
      TestExecution old =
          new TestExecution(
              "t-old", c.name(), f.time.now(), Map.of(), f.time.now().plusSeconds(10));
      f.time.advance(Duration.ofSeconds(10));
      TestReport r = f.app.execute(old);
      assertThat(r.state()).isEqualTo(State.SKIP);
      assertThat(r.error()).startsWith("test expired at");
      assertThat(c.hooks).containsExactly("skipped " + r.error());
      assertThat(c.status())
          .as("a skipped test leaves an active case's state alone")
          .isEqualTo(State.INIT);
    }
    try (Fixture f = new Fixture()) {
      Case off =
          f.app.register(
              Case.builder("orders.off")
                  .settings(CaseSettings.builder().active(false).build())
                  .run(
                      (t, self) -> {
                        throw new AssertionError("must not run");
                      })
                  .build());
      f.app.start();
      off.trigger("t-1", Map.of());
      assertThat(f.states()).containsExactly(State.SKIP);
      assertThat(f.last().error()).isEqualTo("case inactive");
      assertThat(off.status()).isEqualTo(State.SKIP);
      assertThat(off.totalByState()).containsEntry(State.SKIP, 1L);
    }
  }

  @Test
  void two_cases_with_one_name_are_refused() {
    try (Fixture f = new Fixture()) {
      f.app.register(new Scripted(CaseSettings.defaults()));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> f.app.register(new Scripted(CaseSettings.defaults())))
          .hasMessageContaining("app orders-service already has a case named orders.scripted");
    }
  }

  @Test
  void maybe_trigger_follows_the_probability() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.sampled")
                  .settings(CaseSettings.builder().probability(0.3).build())
                  .run((t, self) -> {})
                  .build());
      f.app.start();
      f.randomValue = 0.29;
      try (Case.Trigger t = c.maybeTrigger("a", Map.of())) {
        assertThat(t.test()).isPresent();
      }
      f.randomValue = 0.3;
      try (Case.Trigger t = c.maybeTrigger("b", Map.of())) {
        assertThat(t.test()).isEmpty();
        assertThat(t.triggered()).isFalse();
      }
      assertThat(f.reports).hasSize(1);
      TestExecution ex = f.reports.get(0).execution();
      assertThat(ex.id()).isEqualTo("a");
      assertThat(ex.caseName()).isEqualTo("orders.sampled");
      assertThat(ex.timestamp()).isEqualTo(f.time.now());
      assertThat(ex.expires()).isEqualTo(f.time.now().plus(Duration.ofHours(3)));
    }
  }

  @Test
  void runtime_is_measured_on_the_app_clock() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.slow")
                  .run((t, self) -> f.time.advance(Duration.ofMillis(250)))
                  .build());
      f.app.start();
      c.trigger("t", Map.of());
      assertThat(f.last().runtime()).isEqualTo(Duration.ofMillis(250));
      assertThat(c.runtimeHistory()).containsExactly(0.25);
    }
  }

  @Test
  void without_realtime_logs_step_lines_are_written_only_for_tests_that_did_not_pass() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.logged")
                  .run(
                      (t, self) -> {
                        if (t.arg("fail") != null) {
                          throw new AssertionError("boom");
                        }
                      })
                  .build());
      f.app.start();
      f.logs.clear();
      c.trigger("ok", Map.of());
      assertThat(f.logs).isEmpty();
      c.trigger("bad", Map.of("fail", true));
      assertThat(f.logs).containsExactly("orders.logged [bad] started");
    }
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.realtime")
                  .settings(CaseSettings.builder().realtimeLogs(true).build())
                  .run((t, self) -> {})
                  .build());
      f.app.start();
      f.logs.clear();
      c.trigger("ok", Map.of());
      assertThat(f.logs).containsExactly("orders.realtime [ok] started");
    }
  }

  @Test
  void maybe_trigger_makes_the_test_current_until_closed_so_signals_sent_inside_reach_it() {
    try (Fixture f = new Fixture(null, false)) {
      Case c =
          f.app.register(
              Case.builder("orders.shipped")
                  .settings(CaseSettings.builder().probability(1.0).build())
                  .signal("order_shipped", String.class)
                  .run(
                      (t, self) ->
                          assertThat(
                                  self.signal("order_shipped", String.class)
                                      .await(Duration.ofSeconds(5)))
                              .isEqualTo("SHIPPED"))
                  .build());
      f.app.start();
      TestExecution test;
      try (Case.Trigger t = c.maybeTrigger("o-1", Map.of())) {
        test = t.test().orElseThrow();
        assertThat(LiveCheck.current()).contains(test);
        // No scope entered by hand: the service code below only sends.
        c.signal("order_shipped", String.class).send("SHIPPED");
      }
      assertThat(LiveCheck.current()).as("closed with the trigger").isEmpty();
      Fixture.awaitCondition(() -> f.reports.size() == 1);
      assertThat(f.last().state()).isEqualTo(State.PASS);
      assertThat(f.last().execution().id()).isEqualTo("o-1");
    }
  }

  @Test
  void a_test_without_an_id_or_with_an_empty_one_gets_a_random_uuid() {
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              Case.builder("orders.anonymous")
                  .settings(CaseSettings.builder().probability(1.0).build())
                  .run((t, self) -> {})
                  .build());
      f.app.start();
      TestExecution a = c.trigger(null, Map.of());
      TestExecution b = c.trigger("", Map.of());
      TestExecution d = c.trigger();
      String fromMaybe;
      try (Case.Trigger t = c.maybeTrigger(null, Map.of())) {
        fromMaybe = t.test().orElseThrow().id();
      }
      for (String id : List.of(a.id(), b.id(), d.id(), fromMaybe)) {
        assertThat(java.util.UUID.fromString(id).toString()).isEqualTo(id);
      }
      assertThat(java.util.Set.of(a.id(), b.id(), d.id(), fromMaybe))
          .as("each id its own")
          .hasSize(4);
      assertThat(f.states()).containsExactly(State.PASS, State.PASS, State.PASS, State.PASS);
    }
  }

  /** A case named after its class. */
  static final class ShipOrder extends Case {
    final List<Optional<TestRunner>> seen = new CopyOnWriteArrayList<>();

    ShipOrder() {
      super();
    }

    @Override
    protected void run(TestExecution test) {
      seen.add(currentExecution());
    }
  }

  @Test
  void a_case_is_named_after_its_class_when_given_no_name() {
    try (Fixture f = new Fixture()) {
      ShipOrder c = f.app.register(new ShipOrder());
      assertThat(c.name()).isEqualTo("dev.grindstone.livecheck.RunnerTest.ShipOrder");
      assertThat(f.app.caseNamed("dev.grindstone.livecheck.RunnerTest.ShipOrder")).contains(c);
    }
  }

  @Test
  void the_current_execution_is_the_runner_inside_the_test_and_empty_outside() {
    try (Fixture f = new Fixture()) {
      ShipOrder c = f.app.register(new ShipOrder());
      f.app.start();
      TestExecution t = c.trigger("t-1", Map.of());
      assertThat(c.seen)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r).isPresent();
                assertThat(r.get().test()).isEqualTo(t);
                assertThat(r.get().testCase()).isSameAs(c);
              });
      assertThat(c.currentExecution()).isEmpty();
      assertThat(LiveCheck.currentExecution()).isEmpty();
      try (TestContext.Scope s = TestContext.enter(t)) {
        assertThat(c.currentExecution())
            .as("a service carrying the test is not running it")
            .isEmpty();
      }
    }
  }

  /** A runner that wraps every test of its case. */
  static final class TimingRunner extends TestRunner {
    static final List<String> calls = new CopyOnWriteArrayList<>();

    TimingRunner(Case kase, TestExecution test) {
      super(kase, test);
    }

    @Override
    protected void invoke(TestExecution test) throws Exception {
      calls.add("before " + test.id());
      try {
        super.invoke(test);
      } finally {
        calls.add("after " + test.id());
      }
    }
  }

  @Test
  void a_case_may_supply_its_own_runner() {
    TimingRunner.calls.clear();
    try (Fixture f = new Fixture()) {
      Case c =
          f.app.register(
              new Case("orders.wrapped") {
                @Override
                protected void run(TestExecution test) {
                  TimingRunner.calls.add(
                      "run "
                          + test.id()
                          + " in "
                          + LiveCheck.currentExecution().orElseThrow().getClass().getSimpleName());
                  throw new AssertionError("late");
                }

                @Override
                protected TestRunner newRunner(TestExecution test) {
                  return new TimingRunner(this, test);
                }
              });
      f.app.start();
      c.trigger("t-1", Map.of());
      assertThat(TimingRunner.calls)
          .containsExactly("before t-1", "run t-1 in TimingRunner", "after t-1");
      assertThat(f.states()).containsExactly(State.FAIL);
    }
  }
}
