package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.stats.results.TestFigures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

class RunTest {

  @TempDir Path dir;

  @org.junit.jupiter.api.Test
  void a_closed_model_run_counts_every_call_and_writes_every_output() throws Exception {
    Test work = new Test(1, "Work");
    Test fail = new Test(2, "Sometimes fails");
    Runnable w = work.wrap(() -> sleepMillis(2));
    Runnable f =
        fail.wrap(
            () -> {
              if (ThreadLocalHolder.next() % 4 == 0) {
                throw new IllegalStateException("boom");
              }
            });
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    RunConfig config =
        RunConfig.builder("unit")
            .phase(Phase.ramp("ramp", Duration.ofMillis(600), 1, 4))
            .phase(Phase.hold("hold", Duration.ofMillis(900), 4))
            .period(Duration.ofMillis(200))
            .outputRoot(dir)
            .threshold("errors<50%")
            .build();
    RunSummary s =
        Run.of(
                config,
                user -> {
                  w.run();
                  try {
                    f.run();
                  } catch (IllegalStateException expected) {
                    // the error is counted by the test; the scenario goes on
                  }
                },
                new PrintStream(console, true))
            .execute();

    TestFigures t1 = s.tests().get(0);
    TestFigures t2 = s.tests().get(1);
    assertThat(t1.test()).isEqualTo(1);
    assertThat(t1.description()).isEqualTo("Work");
    assertThat(t1.tests()).isGreaterThan(50);
    assertThat(t1.errors()).isZero();
    assertThat(t1.meanMillis()).isGreaterThanOrEqualTo(2.0);
    assertThat(t1.successes().getTotalCount()).isEqualTo(t1.tests());
    assertThat(t2.errors()).isGreaterThan(0);
    assertThat(t2.failures().getTotalCount()).isEqualTo(t2.errors());
    assertThat(s.totals().tests()).isEqualTo(t1.tests() + t2.tests());
    assertThat(s.phases()).extracting(RunSummary.PhaseResult::name).containsExactly("ramp", "hold");
    long phaseTests = s.phases().stream().mapToLong(p -> p.totals().tests()).sum();
    assertThat(phaseTests).as("phases partition the run").isEqualTo(s.totals().tests());
    long phaseStarts = s.phases().stream().mapToLong(p -> p.lateness().getTotalCount()).sum();
    assertThat(s.phases())
        .allSatisfy(p -> assertThat(p.lateness().getTotalCount()).as(p.name()).isPositive());
    assertThat(phaseStarts)
        .as("every iteration's start lateness in one phase")
        .isEqualTo(s.lateness().getTotalCount());
    assertThat(s.thresholdsPassed()).isTrue();
    assertThat(s.droppedDataLogRows()).isZero();

    Path out = s.info().outputDirectory();
    assertThat(out.getFileName().toString()).startsWith("unit-");
    for (String file :
        List.of("summary.txt", "data.csv", "latency.hlog", "results.json", "report.html")) {
      assertThat(out.resolve(file)).as(file).isNotEmptyFile();
    }
    List<String> rows = Files.readAllLines(out.resolve("data.csv"));
    assertThat(rows.get(0))
        .isEqualTo("Thread, Run, Test, Start time (ms since Epoch), Test time, Errors");
    long calls = t1.tests() + t1.errors() + t2.tests() + t2.errors();
    assertThat(rows).hasSize((int) calls + 1);
    long errorRows = rows.stream().skip(1).filter(r -> r.endsWith(", 1")).count();
    assertThat(errorRows).isEqualTo(t2.errors());

    String summary = Files.readString(out.resolve("summary.txt"));
    assertThat(summary)
        .contains("Test 1")
        .contains("\"Work\"")
        .contains("Totals")
        .contains("99% (ms)");
    assertThat(summary).containsPattern("(?m)^  hold .* start lateness p99 [0-9.]+ ms$");
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.at("/totals/tests").asLong()).isEqualTo(s.totals().tests());
    assertThat(json.at("/intervals").size()).isGreaterThanOrEqualTo(5);
    assertThat(json.at("/phases/1/name").asText()).isEqualTo("hold");
    assertThat(json.at("/phases/1/scheduling/latenessP99Ms").isNumber())
        .as("a phase's start lateness")
        .isTrue();
    long intervalStarts = 0;
    for (JsonNode interval : json.at("/intervals")) {
      intervalStarts += interval.at("/scheduling/starts").asLong();
      assertThat(interval.at("/scheduling/lateStarts").isIntegralNumber())
          .as("an interval's late starts")
          .isTrue();
    }
    assertThat(intervalStarts)
        .as("every iteration's start lateness in one interval")
        .isEqualTo(s.lateness().getTotalCount());
    assertThat(Files.readString(out.resolve("report.html")))
        .contains("\"name\" : \"unit\"")
        .doesNotContain("/*RESULTS*/");
    assertThat(console.toString()).contains("ramp").contains("hold").contains("Results: " + out);
  }

  @org.junit.jupiter.api.Test
  void users_start_spread_over_the_initial_sleep_and_each_starts_once() {
    int users = 40;
    java.util.concurrent.ConcurrentHashMap<Integer, Long> firstStart =
        new java.util.concurrent.ConcurrentHashMap<>();
    Test t = new Test(1, "Work");
    Runnable w = t.wrap(() -> {});
    RunConfig config =
        RunConfig.builder("initial-sleep")
            .phase(
                Phase.hold("hold", Duration.ofMillis(2_500), users)
                    .withInitialSleep(Duration.ofMillis(800))
                    .withThinkTime(
                        new dev.grindstone.engine.run.ThinkTime.Constant(Duration.ofMillis(50))))
            .outputRoot(null)
            .console(false)
            .dataLog(false)
            .build();
    long t0 = System.nanoTime();
    RunSummary s =
        Run.of(
                config,
                user -> {
                  firstStart.putIfAbsent(user.number(), System.nanoTime() - t0);
                  w.run();
                })
            .execute();
    assertThat(firstStart).as("every user started").hasSize(users);
    long min = firstStart.values().stream().mapToLong(Long::longValue).min().orElseThrow();
    long max = firstStart.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(max - min)
        .as("first iterations spread over the 800 ms initial sleep, not all at once")
        .isGreaterThan(Duration.ofMillis(200).toNanos());
    assertThat(s.totals().tests()).isGreaterThan(users);
  }

  @org.junit.jupiter.api.Test
  void run_once_waves_start_the_next_wave_as_soon_as_the_last_has_finished() {
    // ramp_up_wait is 10 s: were it waited between waves, the 3 s phase would run one wave only.
    var steps =
        new dev.grindstone.engine.run.LoadShape.Steps(
            1, 8, null, List.of(2.0), List.of(Duration.ofSeconds(10)), true);
    Test t = new Test(1, "Once");
    Runnable w = t.wrap(() -> sleepMillis(5));
    RunConfig config =
        RunConfig.builder("waves")
            .phase(Phase.hold("waves", Duration.ofSeconds(3), 1).withShape(steps).withIterations(4))
            .outputRoot(null)
            .console(false)
            .dataLog(false)
            .build();
    RunSummary s = Run.of(config, user -> w.run()).execute();
    assertThat(s.totals().tests()).as("waves of 1, 2, 4 and 8 users, one call each").isEqualTo(15);
  }

  static void sleepMillis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A per-thread call counter. */
  static final class ThreadLocalHolder {
    private static final ThreadLocal<int[]> COUNT = ThreadLocal.withInitial(() -> new int[1]);

    static int next() {
      return ++COUNT.get()[0];
    }
  }
}
