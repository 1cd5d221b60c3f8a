package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.SinkRetry;
import dev.grindstone.engine.sink.OutputHealth;
import dev.grindstone.engine.sink.RunInfo;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.spi.CallListener;
import dev.grindstone.engine.spi.CallRecord;
import dev.grindstone.engine.spi.TestStatistics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;

/** Call listeners in real runs: every call's record, routed as the tests say, failures survived. */
class CallListenerTest {

  @TempDir Path dir;

  /** Keeps every record it is given; throws on the records {@link #failOn} picks. */
  static class Keeper implements CallListener {
    final String name;
    final List<CallRecord> records = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final AtomicLong seen = new AtomicLong();
    java.util.function.LongPredicate failOn = n -> false;

    Keeper(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void start(RunInfo run) {
      events.add("start " + run.name());
    }

    @Override
    public void accept(CallRecord record) {
      if (failOn.test(seen.incrementAndGet())) {
        throw new IllegalStateException("listener down for record " + seen.get());
      }
      records.add(record);
    }

    @Override
    public void finish() {
      events.add("finish");
    }
  }

  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  private static RunConfig.Builder twoUsersThreeIterations() {
    return RunConfig.builder("calls")
        .phase(new Phase("warm", null, new LoadShape.Constant(2), null, null, 3, null))
        .phase(new Phase("main", null, new LoadShape.Constant(2), null, null, 3, null))
        .period(Duration.ofMillis(50));
  }

  @org.junit.jupiter.api.Test
  void every_call_reaches_every_listener_with_who_when_how_long_and_its_request() throws Exception {
    Test ping = new Test(1, "Ping");
    Test order = new Test(2, "Order");
    Keeper a = new Keeper("a");
    Keeper b = new Keeper("b");
    RunSummary s =
        Run.of(
                twoUsersThreeIterations().outputRoot(dir).build(),
                user -> {
                  ping.record(
                      () ->
                          TestStatistics.current()
                              .request("GET", "http://127.0.0.1:9/ping?token=secret#top", 200, 2));
                  try {
                    order.record(
                        () -> {
                          TestStatistics.current()
                              .request("POST", "http://127.0.0.1:9/orders", 201, 5);
                          TestStatistics.current()
                              .request("GET", "http://127.0.0.1:9/orders/1?x=y", 503, 7);
                          if (user.iteration() == 1) {
                            throw new IllegalStateException("no stock");
                          }
                        });
                  } catch (IllegalStateException expected) {
                    // counted as the test's error
                  }
                },
                QUIET)
            .listener(a)
            .listener(b)
            .execute();

    long calls = s.totals().tests() + s.totals().errors();
    assertThat(calls).isEqualTo(2 * 2 * 3 * 2);
    assertThat(a.records).hasSize((int) calls);
    assertThat(b.records).isEqualTo(a.records);
    assertThat(a.events).containsExactly("start calls", "finish");
    assertThat(a.records).extracting(CallRecord::run).containsOnly(s.info().id());
    assertThat(a.records)
        .extracting(CallRecord::scenario)
        .containsOnly("calls"); // the run's one scenario
    assertThat(a.records.stream().filter(r -> r.phase().equals("warm"))).hasSize((int) calls / 2);
    assertThat(a.records)
        .extracting(CallRecord::user)
        .containsOnly(0, 1); // the same users in both phases
    assertThat(a.records).extracting(CallRecord::iteration).containsOnly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(a.records.stream().filter(CallRecord::error))
        .hasSize((int) s.totals().errors())
        .allSatisfy(r -> assertThat(r.testName()).isEqualTo("Order"));
    long startMillis = s.info().startEpochMillis();
    assertThat(a.records)
        .allSatisfy(
            r -> {
              assertThat(r.endEpochNanos() - r.startEpochNanos()).isEqualTo(r.elapsedNanos());
              assertThat(r.startEpochNanos() / 1_000_000)
                  .isBetween(startMillis, s.endEpochMillis());
              assertThat(r.endEpochNanos() / 1_000_000).isBetween(startMillis, s.endEpochMillis());
            });
    CallRecord first = a.records.getFirst();
    assertThat(first.test()).isEqualTo(1);
    assertThat(first.request())
        .isEqualTo(new CallRecord.Request("GET", "http://127.0.0.1:9/ping", 200, 2));
    assertThat(a.records.stream().filter(r -> r.test() == 2).map(CallRecord::request).distinct())
        .containsExactly(new CallRecord.Request("GET", "http://127.0.0.1:9/orders/1", 503, 12));
    // The data log counts the same calls, and the summary the records' times.
    List<String> rows = Files.readAllLines(s.info().outputDirectory().resolve("data.csv"));
    assertThat(rows).hasSize((int) calls + 1);
    long sumMicros =
        a.records.stream().filter(r -> !r.error()).mapToLong(r -> r.elapsedNanos() / 1000).sum();
    assertThat(
            s.totals()
                .statistics()
                .getSum(
                    s.info()
                        .schema()
                        .sampleIndex(dev.grindstone.stats.StatisticsSchema.TIMED_TESTS)))
        .isEqualTo(sumMicros);
    assertThat(s.outputs())
        .filteredOn(o -> o.kind() == OutputHealth.Kind.CALL_LISTENER)
        .containsExactly(
            new OutputHealth(OutputHealth.Kind.CALL_LISTENER, "a", calls, 0, 0, false, null),
            new OutputHealth(OutputHealth.Kind.CALL_LISTENER, "b", calls, 0, 0, false, null));
  }

  @org.junit.jupiter.api.Test
  void a_test_that_names_listeners_sends_its_records_to_those_alone_and_unknown_names_are_noted() {
    Test everywhere = new Test(1, "Everywhere");
    Test onlyB = new Test(2, "Only b").listeners("b");
    Test nowhere = new Test(3, "Nowhere").listeners();
    Test typo = new Test(4, "Typo").listeners("bb", "a");
    Keeper a = new Keeper("a");
    Keeper b = new Keeper("b");
    RunSummary s =
        Run.of(
                twoUsersThreeIterations().outputRoot(null).build(),
                user -> {
                  everywhere.record(() -> {});
                  onlyB.record(() -> {});
                  nowhere.record(() -> {});
                  typo.record(() -> {});
                },
                QUIET)
            .listener(a)
            .listener(b)
            .execute();

    assertThat(s.totals().tests()).isEqualTo(4 * 12);
    assertThat(a.records).extracting(CallRecord::test).containsOnly(1, 4).hasSize(24);
    assertThat(b.records).extracting(CallRecord::test).containsOnly(1, 2).hasSize(24);
    assertThat(s.sinkProblems()).anySatisfy(n -> assertThat(n).contains("bb").contains("a, b"));
  }

  @org.junit.jupiter.api.Test
  void records_flow_without_a_data_log_file_and_a_full_queue_drops_and_counts_them() {
    Test t = new Test(1, "Fast");
    AtomicLong taken = new AtomicLong();
    CallListener counting =
        record -> {
          taken.incrementAndGet();
          Thread.sleep(1); // far slower than the calls: the queue fills
        };
    RunConfig config =
        RunConfig.builder("drops")
            .phase(new Phase("burst", null, new LoadShape.Constant(4), null, null, 500, null))
            .period(Duration.ofMillis(50))
            .outputRoot(null)
            .dataLogCapacity(16)
            .build();
    RunSummary s = Run.of(config, user -> t.record(() -> {}), QUIET).listener(counting).execute();

    assertThat(s.totals().tests()).isEqualTo(2000);
    assertThat(s.droppedDataLogRows()).isPositive();
    assertThat(taken.get() + s.droppedDataLogRows()).isEqualTo(2000);
    assertThat(dev.grindstone.engine.sink.SummaryText.render(s))
        .contains(
            s.droppedDataLogRows()
                + " call records were dropped because the data-log queue was full");
  }

  @org.junit.jupiter.api.Test
  void a_listener_that_fails_once_goes_on_and_one_that_always_fails_is_stopped() throws Exception {
    Test t = new Test(1, "Call");
    Keeper once = new Keeper("once");
    once.failOn = n -> n == 2;
    Keeper always = new Keeper("always");
    always.failOn = n -> true;
    RunSummary s =
        Run.of(
                twoUsersThreeIterations()
                    .outputRoot(dir)
                    .sinkRetry(new SinkRetry(3, Duration.ofMillis(1), Duration.ofMillis(4)))
                    .build(),
                user -> t.record(() -> {}),
                QUIET)
            .listener(once)
            .listener(always)
            .execute();

    assertThat(once.records).hasSize(11);
    assertThat(once.events).containsExactly("start calls", "finish");
    assertThat(always.records).isEmpty();
    assertThat(always.events).containsExactly("start calls");
    assertThat(always.seen.get()).isEqualTo(3);
    assertThat(s.outputs())
        .filteredOn(o -> o.kind() == OutputHealth.Kind.CALL_LISTENER)
        .containsExactly(
            new OutputHealth(
                OutputHealth.Kind.CALL_LISTENER,
                "once",
                11,
                1,
                1,
                false,
                "java.lang.IllegalStateException: listener down for record 2"),
            new OutputHealth(
                OutputHealth.Kind.CALL_LISTENER,
                "always",
                0,
                3,
                12,
                true,
                "java.lang.IllegalStateException: listener down for record 3"));
    String summary = Files.readString(s.info().outputDirectory().resolve("summary.txt"));
    assertThat(summary)
        .contains("The call listener once failed once and went on")
        .contains("The call listener always was stopped after 3 failures in a row");
    JsonNode json =
        new ObjectMapper().readTree(s.info().outputDirectory().resolve("results.json").toFile());
    assertThat(json.get("outputs").findValuesAsText("name")).contains("once", "always");
    assertThat(json.get("droppedDataLogRows").asLong()).isZero();
  }

  @org.junit.jupiter.api.Test
  void a_jdbc_listener_that_cannot_reach_its_database_is_reported_and_the_run_goes_on() {
    Test t = new Test(1, "Call");
    RunSummary s =
        Run.of(
                twoUsersThreeIterations()
                    .outputRoot(null)
                    .jdbcListener(
                        dev.grindstone.engine.run.JdbcListenerConfig.of(
                            "jdbc:nosuchdriver:x", "calls"))
                    .build(),
                user -> t.record(() -> {}),
                QUIET)
            .execute();

    assertThat(s.totals().tests()).isEqualTo(12);
    assertThat(s.outputs())
        .filteredOn(o -> o.name().equals("jdbc"))
        .singleElement()
        .satisfies(o -> assertThat(o.stopped()).isTrue())
        .satisfies(o -> assertThat(o.lost()).isEqualTo(12));
    assertThat(s.sinkProblems())
        .anySatisfy(
            n ->
                assertThat(n)
                    .startsWith(
                        "The call listener jdbc could not start (java.sql.SQLException: No suitable"
                            + " driver")
                    .endsWith("so it took none of the 12 records meant for it."));
  }

  @org.junit.jupiter.api.Test
  void listener_names_must_differ() {
    Run run =
        Run.of(twoUsersThreeIterations().build(), user -> {}, QUIET).listener(new Keeper("db"));
    assertThatThrownBy(() -> run.listener(new Keeper("db")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already has a call listener named 'db'");
    assertThatThrownBy(() -> new Test(1, "x").listeners(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be blank");
  }
}
