package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.analyze.DataLogAnalysis;
import dev.grindstone.engine.analyze.DataLogAnalyzer;
import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.SummaryText;
import dev.grindstone.stats.results.TestFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens to the calls in progress when a run stops: they finish within the graceful stop and
 * count with their whole time, or they are cancelled at stop, counted apart and never timed. Every
 * call here lasts at least a known time, so no recorded time may be below it.
 */
class GracefulStopTest {

  @TempDir Path dir;

  private RunConfig.Builder config(String name, Duration gracefulStop) {
    return RunConfig.builder(name)
        .outputRoot(dir)
        .console(false)
        .period(Duration.ofMillis(100))
        .gracefulStop(gracefulStop);
  }

  private static List<String> dataRows(RunSummary s) throws Exception {
    List<String> lines = Files.readAllLines(s.info().outputDirectory().resolve("data.csv"));
    return lines.subList(1, lines.size());
  }

  /** The Test time column of each data-log row that has one, in ms. */
  private static List<Double> times(List<String> rows) {
    return rows.stream()
        .map(r -> r.split(", *", -1)[4])
        .filter(t -> !t.isEmpty())
        .map(Double::parseDouble)
        .toList();
  }

  @org.junit.jupiter.api.Test
  void calls_in_progress_when_users_stop_finish_and_count_with_their_whole_time() throws Exception {
    Test call = new Test(1, "At least 30 ms");
    RunConfig c =
        config("finish", Duration.ofSeconds(5))
            .phase(Phase.hold("hold", Duration.ofMillis(300), 4))
            .phase(Phase.ramp("ramp down", Duration.ofMillis(200), 4, 0)) // users leave mid-call
            .build();
    RunSummary s =
        Run.of(c, user -> call.record(() -> user.sleep(Duration.ofMillis(30)))).execute();

    TestFigures t = s.tests().getFirst();
    assertThat(t.tests()).isGreaterThan(10);
    assertThat(t.minMillis())
        .as("no call is timed shorter than it lasted")
        .isGreaterThanOrEqualTo(30.0);
    assertThat(t.cancelled()).isZero();
    assertThat(t.errors()).isZero();
    List<String> rows = dataRows(s);
    assertThat(rows).hasSize((int) t.tests());
    assertThat(times(rows)).allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(30.0));
    assertThat(SummaryText.render(s)).doesNotContain("cancelled at stop");
  }

  @org.junit.jupiter.api.Test
  void calls_still_running_when_the_graceful_stop_runs_out_are_cancelled_counted_and_never_timed()
      throws Exception {
    Test quick = new Test(1, "At least 5 ms");
    Test slow = new Test(2, "At least 60 s");
    RunConfig c =
        config("cancel", Duration.ofMillis(150))
            .phase(Phase.hold("hold", Duration.ofMillis(500), 3))
            .build();
    long start = System.nanoTime();
    RunSummary s =
        Run.of(
                c,
                user -> {
                  quick.record(() -> user.sleep(Duration.ofMillis(5)));
                  slow.record(() -> user.sleep(Duration.ofSeconds(60)));
                })
            .execute();
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("the run does not wait for the slow calls")
        .isLessThan(Duration.ofSeconds(30));

    TestFigures q = s.tests().get(0);
    TestFigures t = s.tests().get(1);
    assertThat(q.tests()).as("each user's first call completed").isEqualTo(3);
    assertThat(q.minMillis()).isGreaterThanOrEqualTo(5.0);
    assertThat(t.tests()).as("no slow call completed").isZero();
    assertThat(t.errors()).as("a cancelled call is not an error").isZero();
    assertThat(t.cancelled()).isEqualTo(3);
    assertThat(t.successes().getTotalCount() + t.failures().getTotalCount())
        .as("and has no time")
        .isZero();
    assertThat(s.totals().cancelled()).isEqualTo(3);
    assertThat(s.iterationFailures())
        .as("iterations cut short by the stop are not failures")
        .isEmpty();
    assertThat(SummaryText.render(s))
        .contains("Calls cancelled at stop")
        .contains("test 2 \"At least 60 s\": 3");

    JsonNode results =
        new ObjectMapper().readTree(s.info().outputDirectory().resolve("results.json").toFile());
    assertThat(results.at("/tests/1/cancelled").asLong()).isEqualTo(3);
    assertThat(results.at("/tests/1/tests").asLong()).isZero();
    assertThat(results.at("/totals/cancelled").asLong()).isEqualTo(3);
    assertThat(results.at("/tests/1/min").isNull()).isTrue();

    List<String> rows = dataRows(s);
    List<String> cancelledRows = rows.stream().filter(r -> r.endsWith(",,")).toList();
    assertThat(cancelledRows)
        .hasSize(3)
        .allSatisfy(r -> assertThat(r).matches("\\d+, 0, 2, \\d+,,"));
    assertThat(times(rows)).hasSize(3).allSatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(5.0));

    DataLogAnalyzer analyzer = DataLogAnalyzer.create();
    analyzer.add(s.info().outputDirectory().resolve("data.csv"));
    DataLogAnalysis a = analyzer.analyze(OptionalLong.empty());
    assertThat(a.tests().get(1).cancelled()).as("analyze reads them back").isEqualTo(3);
    assertThat(a.totals().cancelled()).isEqualTo(3);
    assertThat(a.tests().get(1).statistics().getLong(a.schema().longIndex("errors"))).isZero();
  }

  @org.junit.jupiter.api.Test
  void a_call_that_throws_because_the_stop_interrupted_it_is_cancelled_not_an_error() {
    Test blocking = new Test(1, "Blocks at least 60 s");
    RunConfig c =
        config("interrupt", Duration.ofMillis(100))
            .phase(Phase.hold("hold", Duration.ofMillis(200), 2))
            .build();
    RunSummary s =
        Run.of(
                c,
                user ->
                    blocking.record(
                        () -> {
                          // Not the user's sleep: the interrupt ends it with an exception.
                          Thread.sleep(60_000);
                          return null;
                        }))
            .execute();
    TestFigures t = s.tests().getFirst();
    assertThat(t.cancelled()).isEqualTo(2);
    assertThat(t.errors()).isZero();
    assertThat(t.tests()).isZero();
    assertThat(s.iterationFailures()).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void open_model_arrivals_in_progress_at_the_end_are_cancelled_too() {
    Test slow = new Test(1, "At least 60 s");
    RunConfig c =
        config("open", Duration.ofMillis(100))
            .phase(Phase.rate("open", Duration.ofMillis(300), 20, 100))
            .build();
    long start = System.nanoTime();
    RunSummary s =
        Run.of(c, user -> slow.record(() -> user.sleep(Duration.ofSeconds(60)))).execute();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    TestFigures t = s.tests().getFirst();
    assertThat(t.tests()).isZero();
    assertThat(t.cancelled()).as("every arrival of the phase (20/s for 0.3 s)").isBetween(5L, 7L);
  }

  @org.junit.jupiter.api.Test
  void a_stop_request_during_waves_cancels_the_wave_in_progress_after_the_graceful_stop() {
    Test slow = new Test(1, "At least 60 s");
    RunConfig c =
        config("waves", Duration.ofMillis(100))
            .phase(
                new Phase(
                    "waves",
                    Duration.ofSeconds(10),
                    new LoadShape.Steps(
                        2, 2, List.of(1), null, List.of(Duration.ofMillis(100)), true),
                    null,
                    null,
                    0,
                    null))
            .build();
    CountDownLatch inProgress = new CountDownLatch(2);
    Run run =
        Run.of(
            c,
            user ->
                slow.record(
                    () -> {
                      inProgress.countDown();
                      user.sleep(Duration.ofSeconds(60));
                    }));
    Thread.ofPlatform()
        .start(
            () -> {
              try {
                inProgress.await(); // Ctrl-C while the wave's calls are in progress
              } catch (InterruptedException e) {
                return;
              }
              run.stop();
            });
    long start = System.nanoTime();
    RunSummary s = run.execute();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    assertThat(s.interrupted()).isTrue();
    assertThat(s.tests().getFirst().cancelled()).isEqualTo(2);
    assertThat(s.tests().getFirst().tests()).isZero();
  }
}
