package dev.grindstone.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grindstone.engine.run.LoadShape;
import dev.grindstone.engine.run.Phase;
import dev.grindstone.engine.run.RunConfig;
import dev.grindstone.engine.run.ScriptSleep;
import dev.grindstone.engine.sink.RunSummary;
import dev.grindstone.engine.sink.SummaryText;
import dev.grindstone.stats.StatisticsSchema;
import dev.grindstone.stats.results.TestFigures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;

/** The Grinder's sleep and reporting properties, as a run applies them. */
class GrinderPropertiesRunTest {

  @TempDir Path dir;

  @org.junit.jupiter.api.Test
  void
      without_reported_times_successes_count_as_untimed_tests_and_keep_their_times_in_the_data_log()
          throws Exception {
    Test ok = new Test(1, "ok");
    Test bad = new Test(2, "bad");
    Runnable okCall = ok.wrap(() -> {});
    Runnable fails =
        () -> {
          throw new IllegalStateException("no");
        };
    Runnable badCall = bad.wrap(fails);
    RunConfig config =
        RunConfig.builder("untimed")
            .phase(new Phase("grinder", null, new LoadShape.Constant(1), null, null, 5, null))
            .outputRoot(dir)
            .console(false)
            .reportTimes(false)
            .build();
    RunSummary s =
        Run.of(
                config,
                user -> {
                  okCall.run();
                  try {
                    badCall.run();
                  } catch (IllegalStateException expected) {
                    // counted as an error
                  }
                })
            .execute();

    TestFigures t1 = s.tests().getFirst();
    assertThat(t1.tests()).as("Tests = count(timedTests) + untimedTests").isEqualTo(5);
    assertThat(t1.timedCount()).as("no timed sample reaches the summary").isZero();
    assertThat(t1.statistics().getLong(t1.schema().longIndex(StatisticsSchema.UNTIMED_TESTS)))
        .isEqualTo(5);
    assertThat(t1.meanMillis()).isNaN();
    assertThat(t1.percentileMillis(99)).isNaN();
    assertThat(t1.tps()).isPositive();
    TestFigures t2 = s.tests().get(1);
    assertThat(t2.tests()).isZero();
    assertThat(t2.errors()).as("errors count as they always do").isEqualTo(5);
    assertThat(s.totals().tests()).isEqualTo(5);
    assertThat(SummaryText.render(s))
        .contains("Test 1       5            0            -            -");

    List<String> rows = Files.readAllLines(s.info().outputDirectory().resolve("data.csv"));
    assertThat(rows).as("the data log keeps every call with its time").hasSize(11);
  }

  @org.junit.jupiter.api.Test
  void the_sleep_time_factor_scales_the_scenarios_sleeps() {
    Test sleeper = new Test(1, "sleeps 5 s, scaled to 50 ms");
    RunConfig config =
        RunConfig.builder("factor")
            .phase(new Phase("grinder", null, new LoadShape.Constant(1), null, null, 1, null))
            .outputRoot(null)
            .console(false)
            .scriptSleep(new ScriptSleep(0.01, 0))
            .build();
    RunSummary s =
        Run.of(config, user -> sleeper.wrap(() -> user.sleep(Duration.ofSeconds(5))).run())
            .execute();
    TestFigures t = s.tests().getFirst();
    assertThat(t.tests()).isEqualTo(1);
    assertThat(t.minMillis()).as("at least the scaled sleep").isGreaterThanOrEqualTo(50);
    assertThat(t.maxMillis()).as("far less than the unscaled 5 s").isLessThan(2_500);
  }

  @org.junit.jupiter.api.Test
  void the_sleep_time_variation_draws_sleeps_from_a_normal_distribution_with_sigma_a_third_of_it() {
    ScriptSleep sleep = new ScriptSleep(2, 0.3);
    SplittableRandom random = new SplittableRandom(42);
    int n = 100_000;
    double sum = 0;
    double squares = 0;
    for (int i = 0; i < n; i++) {
      double v = sleep.nanos(1_000_000, random);
      sum += v;
      squares += v * v;
    }
    double mean = sum / n;
    double sd = Math.sqrt(squares / n - mean * mean);
    assertThat(mean)
        .as("factor × requested")
        .isCloseTo(2_000_000, org.assertj.core.data.Offset.offset(2_000.0));
    assertThat(sd)
        .as("factor × requested × variation / 3")
        .isCloseTo(200_000, org.assertj.core.data.Offset.offset(2_000.0));
    assertThat(ScriptSleep.EXACT.nanos(1_234, random)).isEqualTo(1_234);
    assertThat(new ScriptSleep(0, 0.2).nanos(1_000_000, random))
        .as("factor 0 turns sleeps off")
        .isZero();
  }
}
